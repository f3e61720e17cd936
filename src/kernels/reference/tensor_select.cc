// Reference kernels that select or place elements by a condition or position: NonZero, OneHot,
// Trilu, Compress, ReverseSequence. Thread-safety: kernels are immutable after creation; Run is
// const.
#include <type_traits>

#include "kernels/reference/broadcast.h"
#include "kernels/reference/dispatch.h"
#include "kernels/reference/tensor_util.h"

namespace edgerun {
namespace {

template <typename T>
bool IsNonZero(const T& v) {
  if constexpr (std::is_same_v<T, Half> || std::is_same_v<T, BFloat16>) {
    return static_cast<float>(v) != 0.0f;
  } else {
    return v != T{};
  }
}

Result<std::unique_ptr<Kernel>> MakeNonZero(const KernelCreateContext&) {
  return MakeFnKernel([](KernelContext& ctx) -> Status {
    const Tensor& x = ctx.input(0);
    if (x.dtype() == DataType::kString) return UnsupportedDType("NonZero", x.dtype());
    return DispatchAll(x.dtype(), "NonZero", [&]<typename T>() -> Status {
      const T* v = x.data<T>();
      int64_t nnz = 0;
      for (int64_t i = 0; i < x.numel(); ++i) nnz += IsNonZero(v[i]) ? 1 : 0;
      // A scalar is treated as a 1-element vector, as numpy does.
      const Shape shape = x.rank() == 0 ? Shape{1} : x.shape();
      const size_t r = shape.size();
      EDGERUN_ASSIGN_OR_RETURN(Tensor * out, ctx.AllocateOutput(0, DataType::kInt64, {static_cast<int64_t>(r), nnz}));
      int64_t* o = out->data<int64_t>();
      Dims pos(r, 0);
      int64_t j = 0;
      for (int64_t i = 0; i < x.numel(); ++i) {
        if (IsNonZero(v[i])) {
          for (size_t k = 0; k < r; ++k) o[static_cast<int64_t>(k) * nnz + j] = pos[k];
          ++j;
        }
        for (size_t k = r; k-- > 0;) {
          if (++pos[k] < shape[k]) break;
          pos[k] = 0;
        }
      }
      return Status::Ok();
    });
  });
}

Result<std::unique_ptr<Kernel>> MakeOneHot(const KernelCreateContext& cc) {
  const int64_t axis_attr = cc.node.GetInt("axis", -1);
  return MakeFnKernel([axis_attr](KernelContext& ctx) -> Status {
    const Tensor& indices = ctx.input(0);
    const Tensor& depth_t = ctx.input(1);
    const Tensor& values = ctx.input(2);
    if (depth_t.numel() != 1) return InvalidArgument("depth must hold one value, got shape " + ShapeToString(depth_t.shape()));
    EDGERUN_ASSIGN_OR_RETURN(double depth_d, ReadScalarAsDouble(depth_t, "depth"));
    if (!(depth_d >= 0 && depth_d < 9e18)) return InvalidArgument("depth " + std::to_string(depth_d) + " is invalid");
    const int64_t depth = static_cast<int64_t>(depth_d);
    if (values.numel() != 2) return InvalidArgument("values must hold 2 elements, got shape " + ShapeToString(values.shape()));
    const int64_t out_rank = indices.rank() + 1;
    EDGERUN_ASSIGN_OR_RETURN(int64_t axis, NormalizeAxis(axis_attr, out_rank));
    // Indices as int64; negative ones count from depth, others outside [0, depth) select nothing.
    Dims idx(static_cast<size_t>(indices.numel()));
    EDGERUN_RETURN_IF_ERROR(DispatchNumeric(indices.dtype(), "OneHot indices", [&]<typename T>() -> Status {
      const T* p = indices.data<T>();
      for (size_t i = 0; i < idx.size(); ++i) {
        int64_t v = -1 - depth;  // selects nothing
        if constexpr (std::is_integral_v<T>) {
          v = static_cast<int64_t>(p[i]);
        } else {
          double d = 0;
          if constexpr (std::is_same_v<T, Half> || std::is_same_v<T, BFloat16>) {
            d = static_cast<float>(p[i]);
          } else {
            d = static_cast<double>(p[i]);
          }
          if (d > -9e18 && d < 9e18) v = static_cast<int64_t>(d);
        }
        if (v < 0) v += depth;
        idx[i] = v;
      }
      return Status::Ok();
    }));
    Shape out_shape = indices.shape();
    out_shape.insert(out_shape.begin() + axis, depth);
    EDGERUN_ASSIGN_OR_RETURN(Tensor * out, ctx.AllocateOutput(0, values.dtype(), out_shape));
    const int64_t outer = DimProduct(indices.shape(), 0, static_cast<size_t>(axis));
    const int64_t inner = DimProduct(indices.shape(), static_cast<size_t>(axis), indices.shape().size());
    return DispatchBySize(values.dtype(), "OneHot", [&]<typename T>() -> Status {
      const T off = values.data<T>()[0], on = values.data<T>()[1];
      T* o = out->data<T>();
      for (int64_t a = 0; a < outer; ++a) {
        for (int64_t d = 0; d < depth; ++d) {
          T* row = o + (a * depth + d) * inner;
          const int64_t* ix = idx.data() + a * inner;
          for (int64_t i = 0; i < inner; ++i) row[i] = ix[i] == d ? on : off;
        }
      }
      return Status::Ok();
    });
  });
}

Result<std::unique_ptr<Kernel>> MakeTrilu(const KernelCreateContext& cc) {
  const bool upper = cc.node.GetInt("upper", 1) != 0;
  return MakeFnKernel([upper](KernelContext& ctx) -> Status {
    const Tensor& x = ctx.input(0);
    if (x.rank() < 2) return InvalidArgument("input must have rank >= 2, got shape " + ShapeToString(x.shape()));
    int64_t k = 0;
    if (ctx.has_input(1)) {
      EDGERUN_ASSIGN_OR_RETURN(k, ReadInt64Scalar(ctx.input(1), "k"));
    }
    EDGERUN_ASSIGN_OR_RETURN(Tensor * out, ctx.AllocateOutput(0, x.dtype(), x.shape()));
    const int64_t rows = x.dim(x.rank() - 2), cols = x.dim(x.rank() - 1);
    const int64_t batches = rows * cols == 0 ? 0 : x.numel() / (rows * cols);
    return DispatchBySize(x.dtype(), "Trilu", [&]<typename T>() -> Status {
      const T* in = x.data<T>();
      T* o = out->data<T>();
      for (int64_t b = 0; b < batches; ++b) {
        for (int64_t i = 0; i < rows; ++i) {
          const int64_t base = (b * rows + i) * cols;
          for (int64_t j = 0; j < cols; ++j) {
            const bool keep = upper ? j - i >= k : j - i <= k;
            if (keep) o[base + j] = in[base + j];
          }
        }
      }
      return Status::Ok();
    });
  });
}

Result<std::unique_ptr<Kernel>> MakeCompress(const KernelCreateContext& cc) {
  const bool has_axis = cc.node.HasAttribute("axis");
  const int64_t axis_attr = cc.node.GetInt("axis", 0);
  return MakeFnKernel([=](KernelContext& ctx) -> Status {
    const Tensor& x = ctx.input(0);
    const Tensor& cond = ctx.input(1);
    if (cond.rank() != 1 || cond.dtype() != DataType::kBool) {
      return InvalidArgument(std::string("condition must be a 1-D bool tensor, got ") + DataTypeName(cond.dtype()) +
                             " " + ShapeToString(cond.shape()));
    }
    Shape view = {1, x.numel(), 1};  // (outer, axis, inner)
    size_t ax = 0;
    if (has_axis) {
      EDGERUN_ASSIGN_OR_RETURN(int64_t a, NormalizeAxis(axis_attr, x.rank()));
      if (x.rank() == 0) return InvalidArgument("axis is given but the input is a scalar");
      ax = static_cast<size_t>(a);
      view = {DimProduct(x.shape(), 0, ax), x.shape()[ax], DimProduct(x.shape(), ax + 1, x.shape().size())};
    }
    const bool* c = cond.data<bool>();
    Dims selected;
    for (int64_t i = 0; i < cond.numel(); ++i) {
      if (!c[i]) continue;
      if (i >= view[1]) {
        return InvalidArgument("condition selects position " + std::to_string(i) + " beyond dimension " +
                               std::to_string(view[1]));
      }
      selected.push_back(i);
    }
    Shape out_shape = {static_cast<int64_t>(selected.size())};
    if (has_axis) {
      out_shape = x.shape();
      out_shape[ax] = static_cast<int64_t>(selected.size());
    }
    EDGERUN_ASSIGN_OR_RETURN(Tensor * out, ctx.AllocateOutput(0, x.dtype(), out_shape));
    return DispatchBySize(x.dtype(), "Compress", [&]<typename T>() -> Status {
      const T* in = x.data<T>();
      T* o = out->data<T>();
      const int64_t inner = view[2];
      for (int64_t a = 0; a < view[0]; ++a) {
        for (int64_t s : selected) {
          const T* from = in + (a * view[1] + s) * inner;
          o = std::copy(from, from + inner, o);
        }
      }
      return Status::Ok();
    });
  });
}

Result<std::unique_ptr<Kernel>> MakeReverseSequence(const KernelCreateContext& cc) {
  const int64_t batch_axis = cc.node.GetInt("batch_axis", 1);
  const int64_t time_axis = cc.node.GetInt("time_axis", 0);
  if (!((batch_axis == 0 && time_axis == 1) || (batch_axis == 1 && time_axis == 0))) {
    return InvalidArgument(cc.node.Describe() + ": batch_axis and time_axis must be 0 and 1 in some order");
  }
  return MakeFnKernel([=](KernelContext& ctx) -> Status {
    const Tensor& x = ctx.input(0);
    if (x.rank() < 2) return InvalidArgument("input must have rank >= 2, got shape " + ShapeToString(x.shape()));
    EDGERUN_ASSIGN_OR_RETURN(Dims lens, ReadInt64Vector(ctx.input(1), "sequence_lens"));
    const int64_t batch = x.dim(batch_axis), steps = x.dim(time_axis);
    if (static_cast<int64_t>(lens.size()) != batch) {
      return InvalidArgument("sequence_lens has " + std::to_string(lens.size()) + " entries for batch size " +
                             std::to_string(batch));
    }
    for (int64_t l : lens) {
      if (l < 0 || l > steps) {
        return InvalidArgument("sequence length " + std::to_string(l) + " is out of range [0, " + std::to_string(steps) + "]");
      }
    }
    EDGERUN_ASSIGN_OR_RETURN(Tensor * out, ctx.AllocateOutput(0, x.dtype(), x.shape()));
    const int64_t inner = DimProduct(x.shape(), 2, x.shape().size());
    const int64_t stride0 = x.dim(1) * inner, stride1 = inner;
    const int64_t batch_stride = batch_axis == 0 ? stride0 : stride1;
    const int64_t time_stride = time_axis == 0 ? stride0 : stride1;
    return DispatchBySize(x.dtype(), "ReverseSequence", [&]<typename T>() -> Status {
      const T* in = x.data<T>();
      T* o = out->data<T>();
      for (int64_t b = 0; b < batch; ++b) {
        const int64_t len = lens[static_cast<size_t>(b)];
        for (int64_t t = 0; t < steps; ++t) {
          const int64_t src_t = t < len ? len - 1 - t : t;
          const T* from = in + b * batch_stride + src_t * time_stride;
          std::copy(from, from + inner, o + b * batch_stride + t * time_stride);
        }
      }
      return Status::Ok();
    });
  });
}

}  // namespace

void RegisterTensorSelectKernels(KernelRegistry& r) {
  r.Register("NonZero", MakeNonZero);
  r.Register("OneHot", MakeOneHot);
  r.Register("Trilu", MakeTrilu);
  r.Register("Compress", MakeCompress);
  r.Register("ReverseSequence", MakeReverseSequence);
}

}  // namespace edgerun
