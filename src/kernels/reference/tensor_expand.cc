// Reference kernels that repeat data: Expand (numpy broadcasting to a shape) and Tile.
// Thread-safety: kernels are immutable after creation; Run is const.
#include "kernels/reference/broadcast.h"
#include "kernels/reference/dispatch.h"
#include "kernels/reference/tensor_util.h"

namespace edgerun {
namespace {

Result<std::unique_ptr<Kernel>> MakeExpand(const KernelCreateContext&) {
  return MakeFnKernel([](KernelContext& ctx) -> Status {
    const Tensor& x = ctx.input(0);
    EDGERUN_ASSIGN_OR_RETURN(Dims shape, ReadInt64Vector(ctx.input(1), "shape"));
    for (int64_t d : shape) {
      if (d < 0) return InvalidArgument("shape " + ShapeToString(shape) + " has a negative dimension");
    }
    EDGERUN_ASSIGN_OR_RETURN(Shape out_shape, BroadcastShapes({x.shape(), shape}));
    EDGERUN_ASSIGN_OR_RETURN(Tensor * out, ctx.AllocateOutput(0, x.dtype(), out_shape));
    const Dims strides = BroadcastStrides(x.shape(), out_shape);
    return DispatchBySize(x.dtype(), "Expand", [&]<typename T>() -> Status {
      StridedCopy(x.data<T>(), out_shape, strides, out->data<T>());
      return Status::Ok();
    });
  });
}

// Tiles `in` (shape in_shape) by `repeats` into `out` (shape out_shape).
template <typename T>
void TileCopy(const T* in, const Shape& in_shape, const Shape& out_shape, T* out) {
  const size_t r = in_shape.size();
  const int64_t n = ShapeSize(out_shape);
  if (n == 0) return;
  if (r == 0) {
    out[0] = in[0];
    return;
  }
  const Dims in_strides = ContiguousStrides(in_shape);
  const int64_t row = in_shape[r - 1];
  const int64_t out_row = out_shape[r - 1];
  Dims pos(r, 0);  // output position over the outer dims
  int64_t in_off = 0;              // input offset of pos taken modulo the input dims
  for (int64_t o = 0; o < n; o += out_row) {
    for (int64_t c = 0; c < out_row; c += row) std::copy(in + in_off, in + in_off + row, out + o + c);
    for (size_t k = r - 1; k-- > 0;) {
      ++pos[k];
      if (pos[k] % in_shape[k] == 0) {
        in_off -= in_strides[k] * (in_shape[k] - 1);
      } else {
        in_off += in_strides[k];
      }
      if (pos[k] < out_shape[k]) break;
      pos[k] = 0;
    }
  }
}

Result<std::unique_ptr<Kernel>> MakeTile(const KernelCreateContext&) {
  return MakeFnKernel([](KernelContext& ctx) -> Status {
    const Tensor& x = ctx.input(0);
    EDGERUN_ASSIGN_OR_RETURN(Dims repeats, ReadInt64Vector(ctx.input(1), "repeats"));
    if (static_cast<int64_t>(repeats.size()) != x.rank()) {
      return InvalidArgument("repeats has " + std::to_string(repeats.size()) + " entries for input rank " +
                             std::to_string(x.rank()));
    }
    Shape out_shape = x.shape();
    for (size_t i = 0; i < repeats.size(); ++i) {
      if (repeats[i] < 0) return InvalidArgument("repeats " + ShapeToString(repeats) + " has a negative entry");
      if (out_shape[i] != 0 && repeats[i] > (int64_t{1} << 62) / out_shape[i]) {
        return InvalidArgument("repeats " + ShapeToString(repeats) + " are too large");
      }
      out_shape[i] *= repeats[i];
    }
    EDGERUN_ASSIGN_OR_RETURN(Tensor * out, ctx.AllocateOutput(0, x.dtype(), out_shape));
    return DispatchBySize(x.dtype(), "Tile", [&]<typename T>() -> Status {
      TileCopy(x.data<T>(), x.shape(), out_shape, out->data<T>());
      return Status::Ok();
    });
  });
}

}  // namespace

void RegisterTensorExpandKernels(KernelRegistry& r) {
  r.Register("Expand", MakeExpand);
  r.Register("Tile", MakeTile);
}

}  // namespace edgerun
