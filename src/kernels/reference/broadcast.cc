// Broadcasting and small shared helpers for reference kernels.
#include "kernels/reference/broadcast.h"

#include <cassert>

#include "kernels/reference/dispatch.h"

namespace edgerun {

Result<Shape> BroadcastShapes(const Shape* shapes, size_t n) {
  size_t rank = 0;
  for (size_t j = 0; j < n; ++j) rank = std::max(rank, shapes[j].size());
  Shape out(rank, 1);
  for (size_t j = 0; j < n; ++j) {
    const Shape& s = shapes[j];
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
      for (size_t x = 0; x < n; ++x) all += (all.empty() ? "" : " and ") + ShapeToString(shapes[x]);
      return InvalidArgument("shapes " + all + " cannot be broadcast together");
    }
  }
  return out;
}

Dims BroadcastStrides(const Shape& in, const Shape& out) {
  Dims strides(out.size(), 0);
  int64_t s = 1;
  for (size_t k = 0; k < in.size(); ++k) {
    size_t i = in.size() - 1 - k;
    size_t o = out.size() - 1 - k;
    strides[o] = in[i] == 1 ? 0 : s;
    s *= in[i];
  }
  return strides;
}

BroadcastWalker::BroadcastWalker(const Shape& out_shape, const Shape* const* in_shapes, size_t n)
    : out_(out_shape), n_(n), index_(out_shape.size(), 0) {
  assert(n_ <= kMaxInputs);
  for (size_t j = 0; j < n; ++j) strides_[j] = BroadcastStrides(*in_shapes[j], out_shape);
}

void BroadcastWalker::Next() {
  for (size_t k = out_.size(); k-- > 0;) {
    if (++index_[k] < out_[k]) {
      for (size_t j = 0; j < n_; ++j) offsets_[j] += strides_[j][k];
      return;
    }
    index_[k] = 0;
    for (size_t j = 0; j < n_; ++j) offsets_[j] -= strides_[j][k] * (out_[k] - 1);
  }
}

Result<int64_t> NormalizeAxis(int64_t axis, int64_t rank, const char* what) {
  if (axis < -rank || axis >= (rank == 0 ? 1 : rank)) {
    return InvalidArgument(std::string(what) + " " + std::to_string(axis) + " is out of range for rank " + std::to_string(rank));
  }
  return axis < 0 ? axis + rank : axis;
}

Dims ContiguousStrides(const Shape& shape) {
  Dims s(shape.size(), 1);
  for (size_t k = shape.size(); k-- > 1;) s[k - 1] = s[k] * shape[k];
  return s;
}

Result<Dims> ReadInt64s(const Tensor& t, const char* what) {
  Dims v(static_cast<size_t>(t.numel()));
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
