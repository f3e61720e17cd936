// Pre- and post-processing of one sample.
#include "agent/postprocess.h"

#include <algorithm>
#include <cmath>
#include <string>

namespace edgerun::agent {

Status ValidatePreprocess(const PreprocessConfig& config, size_t count) {
  auto check = [count](const std::vector<float>& v, const char* what) -> Status {
    if (!v.empty() && v.size() != 1 && v.size() != count) {
      return InvalidArgument(std::string("preprocess.") + what + ": has " + std::to_string(v.size()) +
                             " values, expected 1 or " + std::to_string(count) + " (the model input size)");
    }
    if (!AllFinite(v.data(), v.size())) return InvalidArgument(std::string("preprocess.") + what + ": not finite");
    return Status::Ok();
  };
  EDGERUN_RETURN_IF_ERROR(check(config.mean, "mean"));
  EDGERUN_RETURN_IF_ERROR(check(config.std, "std"));
  for (float s : config.std) {
    if (s == 0.0f) return InvalidArgument("preprocess.std: contains 0");
  }
  return Status::Ok();
}

void Normalize(const PreprocessConfig& config, const float* in, size_t count, float* out) {
  const auto& mean = config.mean;
  const auto& stdv = config.std;
  for (size_t i = 0; i < count; ++i) {
    float m = mean.empty() ? 0.0f : (mean.size() == 1 ? mean[0] : mean[i]);
    float s = stdv.empty() ? 1.0f : (stdv.size() == 1 ? stdv[0] : stdv[i]);
    out[i] = (in[i] - m) / s;
  }
}

bool AllFinite(const float* data, size_t count) {
  for (size_t i = 0; i < count; ++i) {
    if (!std::isfinite(data[i])) return false;
  }
  return true;
}

void SoftmaxInPlace(std::vector<float>& v) {
  if (v.empty()) return;
  float mx = *std::max_element(v.begin(), v.end());
  double sum = 0;
  for (float& x : v) {
    x = std::exp(x - mx);
    sum += x;
  }
  for (float& x : v) x = static_cast<float>(x / sum);
}

std::vector<std::pair<int, float>> TopK(const std::vector<float>& v, int k) {
  std::vector<std::pair<int, float>> all;
  all.reserve(v.size());
  for (size_t i = 0; i < v.size(); ++i) all.emplace_back(static_cast<int>(i), v[i]);
  size_t n = std::min(all.size(), static_cast<size_t>(std::max(k, 1)));
  std::partial_sort(all.begin(), all.begin() + static_cast<ptrdiff_t>(n), all.end(),
                    [](const auto& a, const auto& b) { return a.second > b.second || (a.second == b.second && a.first < b.first); });
  all.resize(n);
  return all;
}

}  // namespace edgerun::agent
