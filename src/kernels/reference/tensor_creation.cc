// Reference kernels that create tensors or describe shapes: Constant, ConstantOfShape, EyeLike,
// Range, Shape, Size. Thread-safety: kernels are immutable after creation; Run is const.
#include <cmath>

#include "kernels/reference/broadcast.h"
#include "kernels/reference/dispatch.h"
#include "kernels/reference/tensor_util.h"

namespace edgerun {
namespace {

// The tensor a Constant node holds, built from whichever value attribute it has.
Result<Tensor> ConstantValue(const ir::Node& node) {
  const char* kNames[] = {"value",     "value_float",  "value_floats",  "value_int",
                          "value_ints", "value_string", "value_strings", "sparse_value"};
  const ir::Attribute* found = nullptr;
  for (const char* n : kNames) {
    const ir::Attribute* a = node.FindAttribute(n);
    if (a == nullptr) continue;
    if (found != nullptr) {
      return InvalidArgument(node.Describe() + ": has both '" + found->name + "' and '" + a->name +
                             "'; exactly one value attribute is allowed");
    }
    found = a;
  }
  if (found == nullptr) return InvalidArgument(node.Describe() + ": has no value attribute");
  const std::string& n = found->name;
  if (n == "value") {
    if (!found->t.defined()) return InvalidArgument(node.Describe() + ": attribute 'value' is not a tensor");
    return found->t;
  }
  if (n == "value_float") return Tensor::Scalar<float>(DataType::kFloat, found->f);
  if (n == "value_int") return Tensor::Scalar<int64_t>(DataType::kInt64, found->i);
  if (n == "value_string") {
    EDGERUN_ASSIGN_OR_RETURN(Tensor t, Tensor::Create(DataType::kString, {}));
    t.strings()[0] = found->s;
    return t;
  }
  if (n == "value_floats") {
    EDGERUN_ASSIGN_OR_RETURN(Tensor t, Tensor::Create(DataType::kFloat, {static_cast<int64_t>(found->floats.size())}));
    std::copy(found->floats.begin(), found->floats.end(), t.data<float>());
    return t;
  }
  if (n == "value_ints") {
    EDGERUN_ASSIGN_OR_RETURN(Tensor t, Tensor::Create(DataType::kInt64, {static_cast<int64_t>(found->ints.size())}));
    std::copy(found->ints.begin(), found->ints.end(), t.data<int64_t>());
    return t;
  }
  if (n == "value_strings") {
    EDGERUN_ASSIGN_OR_RETURN(Tensor t, Tensor::Create(DataType::kString, {static_cast<int64_t>(found->strings.size())}));
    std::copy(found->strings.begin(), found->strings.end(), t.strings());
    return t;
  }
  return Unsupported(node.Describe() + ": sparse_value constants are not supported");
}

Result<std::unique_ptr<Kernel>> MakeConstant(const KernelCreateContext& cc) {
  EDGERUN_ASSIGN_OR_RETURN(Tensor value, ConstantValue(cc.node));
  return MakeFnKernel([value](KernelContext& ctx) -> Status {
    ctx.SetOutput(0, value);
    return Status::Ok();
  });
}

Result<std::unique_ptr<Kernel>> MakeConstantOfShape(const KernelCreateContext& cc) {
  Tensor value = Tensor::Scalar<float>(DataType::kFloat, 0.0f);
  if (const ir::Attribute* a = cc.node.FindAttribute("value")) {
    if (!a->t.defined() || a->t.numel() != 1) {
      return InvalidArgument(cc.node.Describe() + ": attribute 'value' must be a one-element tensor");
    }
    value = a->t;
  }
  return MakeFnKernel([value](KernelContext& ctx) -> Status {
    EDGERUN_ASSIGN_OR_RETURN(Dims shape, ReadInt64Vector(ctx.input(0), "shape"));
    for (int64_t d : shape) {
      if (d < 0) return InvalidArgument("shape " + ShapeToString(shape) + " has a negative dimension");
    }
    EDGERUN_ASSIGN_OR_RETURN(Tensor * out, ctx.AllocateOutput(0, value.dtype(), shape));
    return DispatchBySize(value.dtype(), "ConstantOfShape", [&]<typename T>() -> Status {
      std::fill(out->data<T>(), out->data<T>() + out->numel(), value.data<T>()[0]);
      return Status::Ok();
    });
  });
}

Result<std::unique_ptr<Kernel>> MakeEyeLike(const KernelCreateContext& cc) {
  const int64_t k = cc.node.GetInt("k", 0);
  DataType dtype = DataType::kUndefined;
  if (cc.node.HasAttribute("dtype")) {
    int64_t code = cc.node.GetInt("dtype", 0);
    if (!IsKnownDataType(static_cast<int32_t>(code)) || code == static_cast<int64_t>(DataType::kString)) {
      return InvalidArgument(cc.node.Describe() + ": attribute 'dtype' " + std::to_string(code) +
                             " is not a supported data type");
    }
    dtype = static_cast<DataType>(code);
  }
  return MakeFnKernel([k, dtype](KernelContext& ctx) -> Status {
    const Tensor& x = ctx.input(0);
    if (x.rank() != 2) return InvalidArgument("input must be 2-D, got shape " + ShapeToString(x.shape()));
    DataType dt = dtype == DataType::kUndefined ? x.dtype() : dtype;
    EDGERUN_ASSIGN_OR_RETURN(Tensor * out, ctx.AllocateOutput(0, dt, x.shape()));
    const int64_t rows = x.dim(0), cols = x.dim(1);
    auto fill = [&]<typename T>() -> Status {
      T* o = out->data<T>();
      for (int64_t i = 0; i < rows; ++i) {
        int64_t j = i + k;
        if (j >= 0 && j < cols) o[i * cols + j] = T(1.0f);
      }
      return Status::Ok();
    };
    if (dt == DataType::kBool) return fill.template operator()<bool>();
    return DispatchNumeric(dt, "EyeLike", fill);
  });
}

Result<std::unique_ptr<Kernel>> MakeRange(const KernelCreateContext&) {
  return MakeFnKernel([](KernelContext& ctx) -> Status {
    const Tensor& start_t = ctx.input(0);
    const Tensor& limit_t = ctx.input(1);
    const Tensor& delta_t = ctx.input(2);
    const DataType dt = start_t.dtype();
    if (limit_t.dtype() != dt || delta_t.dtype() != dt) {
      return InvalidArgument("start, limit and delta must have the same type");
    }
    if (start_t.numel() != 1 || limit_t.numel() != 1 || delta_t.numel() != 1) {
      return InvalidArgument("start, limit and delta must be scalars");
    }
    return DispatchNumeric(dt, "Range", [&]<typename T>() -> Status {
      int64_t n = 0;
      if constexpr (std::is_integral_v<T>) {
        using Wide = __int128;
        const Wide start = start_t.data<T>()[0], limit = limit_t.data<T>()[0], delta = delta_t.data<T>()[0];
        if (delta == 0) return InvalidArgument("delta must not be zero");
        Wide diff = limit - start;
        Wide q = diff / delta;
        if (q * delta != diff) q += 1;  // ceil for same-sign operands; negative q is clamped below
        if (q > (Wide{1} << 62)) return InvalidArgument("Range would produce too many elements");
        n = q > 0 ? static_cast<int64_t>(q) : 0;
        EDGERUN_ASSIGN_OR_RETURN(Tensor * out, ctx.AllocateOutput(0, dt, {n}));
        T* o = out->data<T>();
        for (int64_t i = 0; i < n; ++i) o[i] = static_cast<T>(start + static_cast<Wide>(i) * delta);
      } else {
        const double start = static_cast<float>(start_t.data<T>()[0]);
        const double limit = static_cast<float>(limit_t.data<T>()[0]);
        const double delta = static_cast<float>(delta_t.data<T>()[0]);
        double s = start, l = limit, d = delta;
        if constexpr (std::is_same_v<T, double>) {
          s = start_t.data<double>()[0];
          l = limit_t.data<double>()[0];
          d = delta_t.data<double>()[0];
        }
        if (d == 0) return InvalidArgument("delta must not be zero");
        double count = std::ceil((l - s) / d);
        if (!std::isfinite(count) || count > 4e18) return InvalidArgument("Range would produce too many elements");
        n = count > 0 ? static_cast<int64_t>(count) : 0;
        EDGERUN_ASSIGN_OR_RETURN(Tensor * out, ctx.AllocateOutput(0, dt, {n}));
        T* o = out->data<T>();
        for (int64_t i = 0; i < n; ++i) o[i] = static_cast<T>(s + static_cast<double>(i) * d);
      }
      return Status::Ok();
    });
  });
}

Result<std::unique_ptr<Kernel>> MakeShape(const KernelCreateContext& cc) {
  const bool has_start = cc.node.HasAttribute("start"), has_end = cc.node.HasAttribute("end");
  const int64_t start_attr = cc.node.GetInt("start", 0), end_attr = cc.node.GetInt("end", 0);
  return MakeFnKernel([=](KernelContext& ctx) -> Status {
    const Shape& shape = ctx.input(0).shape();
    const int64_t r = static_cast<int64_t>(shape.size());
    auto clamp = [r](int64_t v) {
      if (v < 0) v += r;
      return std::clamp<int64_t>(v, 0, r);
    };
    const int64_t start = has_start ? clamp(start_attr) : 0;
    const int64_t end = has_end ? clamp(end_attr) : r;
    const int64_t n = std::max<int64_t>(end - start, 0);
    EDGERUN_ASSIGN_OR_RETURN(Tensor * out, ctx.AllocateOutput(0, DataType::kInt64, {n}));
    for (int64_t i = 0; i < n; ++i) out->data<int64_t>()[i] = shape[static_cast<size_t>(start + i)];
    return Status::Ok();
  });
}

Result<std::unique_ptr<Kernel>> MakeSize(const KernelCreateContext&) {
  return MakeFnKernel([](KernelContext& ctx) -> Status {
    EDGERUN_ASSIGN_OR_RETURN(Tensor * out, ctx.AllocateOutput(0, DataType::kInt64, {}));
    out->data<int64_t>()[0] = ctx.input(0).numel();
    return Status::Ok();
  });
}

}  // namespace

void RegisterTensorCreationKernels(KernelRegistry& r) {
  r.Register("Constant", MakeConstant);
  r.Register("ConstantOfShape", MakeConstantOfShape);
  r.Register("EyeLike", MakeEyeLike);
  r.Register("Range", MakeRange);
  r.Register("Shape", MakeShape);
  r.Register("Size", MakeSize);
}

}  // namespace edgerun
