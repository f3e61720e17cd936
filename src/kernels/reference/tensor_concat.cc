// Reference kernels that join and cut tensors along an axis: Concat, Split.
// Thread-safety: kernels are immutable after creation; Run is const.
#include "kernels/reference/broadcast.h"
#include "kernels/reference/dispatch.h"
#include "kernels/reference/tensor_util.h"

namespace edgerun {
namespace {

Result<std::unique_ptr<Kernel>> MakeConcat(const KernelCreateContext& cc) {
  if (!cc.node.HasAttribute("axis") && cc.opset >= 4) {
    return InvalidArgument(cc.node.Describe() + ": attribute 'axis' is required");
  }
  const int64_t axis_attr = cc.node.GetInt("axis", 1);
  return MakeFnKernel([axis_attr](KernelContext& ctx) -> Status {
    // Inputs are walked in place (omitted ones skipped): no list is built per run.
    size_t first_index = 0;
    while (first_index < ctx.num_inputs() && !ctx.has_input(first_index)) ++first_index;
    if (first_index == ctx.num_inputs()) return InvalidArgument("Concat needs at least one input");
    const Tensor& first = ctx.input(first_index);
    if (first.rank() == 0) return InvalidArgument("Concat inputs must have rank >= 1");
    EDGERUN_ASSIGN_OR_RETURN(int64_t axis, NormalizeAxis(axis_attr, first.rank()));
    const size_t ax = static_cast<size_t>(axis);
    Shape out_shape = first.shape();
    out_shape[ax] = 0;
    for (size_t i = first_index, k = 0; i < ctx.num_inputs(); ++i) {
      if (!ctx.has_input(i)) continue;
      const Tensor& t = ctx.input(i);
      bool ok = t.rank() == first.rank() && t.dtype() == first.dtype();
      for (size_t d = 0; ok && d < out_shape.size(); ++d) ok = d == ax || t.shape()[d] == first.shape()[d];
      if (!ok) {
        return InvalidArgument("input " + std::to_string(k) + " (" + DataTypeName(t.dtype()) + " " +
                               ShapeToString(t.shape()) + ") does not match input 0 (" + DataTypeName(first.dtype()) +
                               " " + ShapeToString(first.shape()) + ") outside axis " + std::to_string(axis));
      }
      out_shape[ax] += t.shape()[ax];
      ++k;
    }
    EDGERUN_ASSIGN_OR_RETURN(Tensor * out, ctx.AllocateOutput(0, first.dtype(), out_shape));
    const int64_t outer = DimProduct(out_shape, 0, ax);
    const int64_t inner = DimProduct(out_shape, ax + 1, out_shape.size());
    const int64_t out_row = out_shape[ax] * inner;
    return DispatchBySize(first.dtype(), "Concat", [&]<typename T>() -> Status {
      T* o = out->data<T>();
      int64_t col = 0;
      for (size_t i = first_index; i < ctx.num_inputs(); ++i) {
        if (!ctx.has_input(i)) continue;
        const Tensor* t = &ctx.input(i);
        const int64_t row = t->shape()[ax] * inner;
        const T* src = t->data<T>();
        for (int64_t k = 0; k < outer; ++k) std::copy(src + k * row, src + (k + 1) * row, o + k * out_row + col);
        col += row;
      }
      return Status::Ok();
    });
  });
}

Result<std::unique_ptr<Kernel>> MakeSplit(const KernelCreateContext& cc) {
  const int opset = cc.opset;
  const int64_t axis_attr = cc.node.GetInt("axis", 0);
  const bool split_attr_present = cc.node.HasAttribute("split");
  const Dims split_attr = cc.node.GetInts("split");
  const int64_t n_out = static_cast<int64_t>(cc.node.outputs.size());
  const bool has_num_outputs = opset >= 18 && cc.node.HasAttribute("num_outputs");
  if (n_out < 1) return InvalidArgument(cc.node.Describe() + ": has no outputs");
  if (has_num_outputs) {
    if (cc.node.HasInput(1)) {
      return InvalidArgument(cc.node.Describe() + ": 'num_outputs' and the 'split' input are mutually exclusive");
    }
    if (cc.node.GetInt("num_outputs", 0) != n_out) {
      return InvalidArgument(cc.node.Describe() + ": attribute 'num_outputs' (" +
                             std::to_string(cc.node.GetInt("num_outputs", 0)) + ") differs from the number of outputs (" +
                             std::to_string(n_out) + ")");
    }
  }
  return MakeFnKernel([=](KernelContext& ctx) -> Status {
    const Tensor& x = ctx.input(0);
    EDGERUN_ASSIGN_OR_RETURN(int64_t axis, NormalizeAxis(axis_attr, x.rank()));
    if (x.rank() == 0) return InvalidArgument("cannot split a scalar");
    const size_t ax = static_cast<size_t>(axis);
    const int64_t dim = x.shape()[ax];
    Dims split;
    bool given = false;
    if (opset < 13) {
      given = split_attr_present;
      split = split_attr;
    } else if (ctx.has_input(1)) {
      given = true;
      EDGERUN_ASSIGN_OR_RETURN(split, ReadInt64Vector(ctx.input(1), "split"));
    }
    if (given) {
      if (static_cast<int64_t>(split.size()) != n_out) {
        return InvalidArgument("split has " + std::to_string(split.size()) + " entries for " + std::to_string(n_out) +
                               " outputs");
      }
      int64_t sum = 0;
      for (int64_t s : split) {
        if (s < 0) return InvalidArgument("split " + ShapeToString(split) + " has a negative size");
        sum += s;
      }
      if (sum != dim) {
        return InvalidArgument("split " + ShapeToString(split) + " sums to " + std::to_string(sum) + ", not dimension " +
                               std::to_string(dim));
      }
    } else if (has_num_outputs) {
      const int64_t chunk = (dim + n_out - 1) / n_out;
      const int64_t last = dim - chunk * (n_out - 1);
      if (last < 0) {
        return InvalidArgument("cannot split dimension " + std::to_string(dim) + " into " + std::to_string(n_out) +
                               " outputs");
      }
      split.assign(static_cast<size_t>(n_out), chunk);
      split.back() = last;
    } else {
      if (dim % n_out != 0) {
        return InvalidArgument("dimension " + std::to_string(dim) + " is not divisible into " + std::to_string(n_out) +
                               " equal parts");
      }
      split.assign(static_cast<size_t>(n_out), dim / n_out);
    }
    const int64_t outer = DimProduct(x.shape(), 0, ax);
    const int64_t inner = DimProduct(x.shape(), ax + 1, x.shape().size());
    const int64_t in_row = dim * inner;
    int64_t col = 0;
    for (size_t i = 0; i < split.size(); ++i) {
      const int64_t row = split[i] * inner;
      if (ctx.output_wanted(i)) {
        Shape shape = x.shape();
        shape[ax] = split[i];
        EDGERUN_ASSIGN_OR_RETURN(Tensor * out, ctx.AllocateOutput(i, x.dtype(), shape));
        EDGERUN_RETURN_IF_ERROR(DispatchBySize(x.dtype(), "Split", [&]<typename T>() -> Status {
          const T* src = x.data<T>();
          T* o = out->data<T>();
          for (int64_t k = 0; k < outer; ++k) std::copy(src + k * in_row + col, src + k * in_row + col + row, o + k * row);
          return Status::Ok();
        }));
      }
      col += row;
    }
    return Status::Ok();
  });
}

}  // namespace

void RegisterTensorConcatKernels(KernelRegistry& r) {
  r.Register("Concat", MakeConcat);
  r.Register("Split", MakeSplit);
}

}  // namespace edgerun
