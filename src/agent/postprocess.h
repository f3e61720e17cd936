// Pre- and post-processing of one sample: normalization, softmax, top-k.
// Thread-safety: pure functions.
#pragma once

#include <utility>
#include <vector>

#include "edgerun/agent.h"
#include "edgerun/status.h"

namespace edgerun::agent {

// Checks that mean/std are empty, scalar or of size `count` and std has no zero.
Status ValidatePreprocess(const PreprocessConfig& config, size_t count);
// out[i] = (in[i] - mean[i]) / std[i] (scalar mean/std broadcast; empty = identity).
void Normalize(const PreprocessConfig& config, const float* in, size_t count, float* out);
// True when every value is finite.
bool AllFinite(const float* data, size_t count);
// Numerically stable softmax in place.
void SoftmaxInPlace(std::vector<float>& v);
// The k largest (index, value) pairs, largest first; ties keep the lower index first.
std::vector<std::pair<int, float>> TopK(const std::vector<float>& v, int k);

}  // namespace edgerun::agent
