// Broadcasting and small shared helpers for reference kernels.
#include "kernels/reference/broadcast.h"

#include "kernels/reference/dispatch.h"

namespace edgerun {

Result<Shape> BroadcastShapes(const std::vector<Shape>& shapes) {
  size_t rank = 0;
  for (const auto& s : shapes) rank = std::max(rank, s.size());
  Shape out(rank, 1);
  for (const auto& s : shapes) {
    size_t off = rank - s.size();
    for (size_t i = 0; i < s.size(); ++i) {
      int64_t d = s[i];
      int64_t& o = out[off + i];
      if (d == o || d == 1) continue;
      if (o == 1) {
        o = d;
        continue;
      }
      std::string all;
      for (const auto& x : shapes) all += (all.empty() ? "" : " and ") + ShapeToString(x);
      return InvalidArgument("shapes " + all + " cannot be broadcast together");
    }
  }
  return out;
}

std::vector<int64_t> BroadcastStrides(const Shape& in, const Shape& out) {
  std::vector<int64_t> strides(out.size(), 0);
  int64_t s = 1;
  for (size_t k = 0; k < in.size(); ++k) {
    size_t i = in.size() - 1 - k;
    size_t o = out.size() - 1 - k;
    strides[o] = in[i] == 1 ? 0 : s;
    s *= in[i];
  }
  return strides;
}

BroadcastWalker::BroadcastWalker(const Shape& out_shape, const std::vector<Shape>& in_shapes)
    : out_(out_shape), index_(out_shape.size(), 0), offsets_(in_shapes.size(), 0) {
  for (const auto& s : in_shapes) strides_.push_back(BroadcastStrides(s, out_shape));
}

void BroadcastWalker::Next() {
  for (size_t k = out_.size(); k-- > 0;) {
    if (++index_[k] < out_[k]) {
      for (size_t j = 0; j < offsets_.size(); ++j) offsets_[j] += strides_[j][k];
      return;
    }
    index_[k] = 0;
    for (size_t j = 0; j < offsets_.size(); ++j) offsets_[j] -= strides_[j][k] * (out_[k] - 1);
  }
}

Result<int64_t> NormalizeAxis(int64_t axis, int64_t rank, const char* what) {
  if (axis < -rank || axis >= (rank == 0 ? 1 : rank)) {
    return InvalidArgument(std::string(what) + " " + std::to_string(axis) + " is out of range for rank " + std::to_string(rank));
  }
  return axis < 0 ? axis + rank : axis;
}

std::vector<int64_t> ContiguousStrides(const Shape& shape) {
  std::vector<int64_t> s(shape.size(), 1);
  for (size_t k = shape.size(); k-- > 1;) s[k - 1] = s[k] * shape[k];
  return s;
}

Result<std::vector<int64_t>> ReadInt64s(const Tensor& t, const char* what) {
  std::vector<int64_t> v(static_cast<size_t>(t.numel()));
  if (t.dtype() == DataType::kInt64) {
    for (int64_t i = 0; i < t.numel(); ++i) v[i] = t.data<int64_t>()[i];
  } else if (t.dtype() == DataType::kInt32) {
    for (int64_t i = 0; i < t.numel(); ++i) v[i] = t.data<int32_t>()[i];
  } else {
    return InvalidArgument(std::string(what) + " must be int32 or int64, got " + DataTypeName(t.dtype()));
  }
  return v;
}

Result<double> ReadScalarAsDouble(const Tensor& t, const char* what) {
  if (t.numel() < 1) return InvalidArgument(std::string(what) + " is empty");
  double out = 0;
  Status st = DispatchAll(t.dtype(), what, [&]<typename T>() -> Status {
    if constexpr (std::is_same_v<T, std::string>) {
      return InvalidArgument(std::string(what) + " must be numeric");
    } else {
      out = static_cast<double>(static_cast<float>(t.data<T>()[0]));
      if constexpr (!std::is_same_v<T, Half> && !std::is_same_v<T, BFloat16>) out = static_cast<double>(t.data<T>()[0]);
      return Status::Ok();
    }
  });
  if (!st.ok()) return st;
  return out;
}

}  // namespace edgerun
