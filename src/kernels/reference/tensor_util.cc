// Shared helpers for the tensor (shape and data movement) reference kernels.
#include "kernels/reference/tensor_util.h"

#include "kernels/reference/broadcast.h"

namespace edgerun {

Result<int64_t> WrapIndex(int64_t index, int64_t dim, const char* what) {
  if (index < -dim || index >= dim) {
    return InvalidArgument(std::string(what) + " " + std::to_string(index) + " is out of range [" +
                           std::to_string(-dim) + ", " + std::to_string(dim - 1) + "]");
  }
  return index < 0 ? index + dim : index;
}

Result<Dims> ReadWrappedIndices(const Tensor& t, int64_t dim) {
  EDGERUN_ASSIGN_OR_RETURN(Dims idx, ReadInt64s(t, "indices"));
  for (int64_t& i : idx) {
    EDGERUN_ASSIGN_OR_RETURN(i, WrapIndex(i, dim, "index"));
  }
  return idx;
}

Result<Dims> NormalizeAxes(const Dims& axes, int64_t rank, const char* what,
                                           bool allow_duplicates) {
  Dims out;
  out.reserve(axes.size());
  for (int64_t a : axes) {
    if (a < -rank || a >= rank) {
      return InvalidArgument(std::string(what) + " " + std::to_string(a) + " is out of range for rank " +
                             std::to_string(rank));
    }
    int64_t n = a < 0 ? a + rank : a;
    if (!allow_duplicates && std::find(out.begin(), out.end(), n) != out.end()) {
      return InvalidArgument(std::string(what) + " " + std::to_string(a) + " is repeated");
    }
    out.push_back(n);
  }
  return out;
}

int64_t DimProduct(const Shape& shape, size_t begin, size_t end) {
  int64_t p = 1;
  for (size_t i = begin; i < end && i < shape.size(); ++i) p *= shape[i];
  return p;
}

Result<Dims> ReadInt64Vector(const Tensor& t, const char* what) {
  if (t.rank() > 1) {
    return InvalidArgument(std::string(what) + " must be 1-D, got shape " + ShapeToString(t.shape()));
  }
  return ReadInt64s(t, what);
}

Result<int64_t> ReadInt64Scalar(const Tensor& t, const char* what) {
  if (t.numel() != 1) {
    return InvalidArgument(std::string(what) + " must hold one value, got shape " + ShapeToString(t.shape()));
  }
  EDGERUN_ASSIGN_OR_RETURN(Dims v, ReadInt64s(t, what));
  return v[0];
}

Result<Dims> AxesFromAttrOrInput(const KernelContext& ctx, const Dims& attr_axes,
                                                 bool attr_present, int opset, int input_since_opset,
                                                 size_t input_index, bool* present) {
  if (opset < input_since_opset) {
    *present = attr_present;
    return attr_axes;
  }
  if (!ctx.has_input(input_index)) {
    *present = false;
    return Dims{};
  }
  *present = true;
  return ReadInt64Vector(ctx.input(input_index), "axes");
}

}  // namespace edgerun
