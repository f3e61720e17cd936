// Cast and CastLike reference kernels: every pair of numeric, bool, float16, bfloat16 and string
// dtypes. Float to integer saturates (NaN becomes 0); integer to narrower integer wraps; numbers
// to bool are v != 0. Strings format and parse as described in cast_string.h. float8 targets
// are Unsupported, so the opset 19 `saturate` attribute has no effect.
// Thread-safety: kernels are const and stateless.
#include <algorithm>
#include <limits>
#include <string>

#include "kernels/reference/cast_string.h"
#include "kernels/reference/elementwise_common.h"

namespace edgerun::elementwise {
namespace {

template <typename D, typename S>
D CastNumber(S s) {
  if constexpr (std::is_same_v<D, S>) {
    return s;
  } else if constexpr (std::is_same_v<D, bool>) {
    return static_cast<ComputeType<S>>(s) != 0;
  } else if constexpr (std::is_same_v<S, bool>) {
    return static_cast<D>(static_cast<ComputeType<D>>(s ? 1 : 0));
  } else if constexpr (kIsInt<D>) {
    if constexpr (kIsInt<S>) {
      return static_cast<D>(s);
    } else {
      return SaturateCast<D>(static_cast<double>(static_cast<ComputeType<S>>(s)));
    }
  } else if constexpr (std::is_same_v<D, Half> || std::is_same_v<D, BFloat16>) {
    return D(static_cast<float>(static_cast<ComputeType<S>>(s)));
  } else {
    return static_cast<D>(static_cast<ComputeType<S>>(s));
  }
}

template <typename S>
std::string ToText(const S& s) {
  if constexpr (std::is_same_v<S, bool>) {
    return s ? "True" : "False";
  } else if constexpr (std::is_same_v<S, float>) {
    return FormatFloat(s);
  } else if constexpr (std::is_same_v<S, double>) {
    return FormatDouble(s);
  } else if constexpr (std::is_same_v<S, Half>) {
    return FormatHalf(s);
  } else if constexpr (std::is_same_v<S, BFloat16>) {
    return FormatBFloat16(s);
  } else {
    return std::to_string(s);
  }
}

template <typename D>
Status FromText(const std::string& s, D* out) {
  if constexpr (std::is_same_v<D, bool>) {
    EDGERUN_ASSIGN_OR_RETURN(*out, ParseBool(s));
  } else if constexpr (std::is_same_v<D, double>) {
    EDGERUN_ASSIGN_OR_RETURN(*out, ParseDouble(s));
  } else if constexpr (kIsFloat<D>) {
    EDGERUN_ASSIGN_OR_RETURN(float f, ParseFloat(s));
    *out = static_cast<D>(f);
  } else if constexpr (std::is_signed_v<D>) {
    EDGERUN_ASSIGN_OR_RETURN(int64_t v, ParseInt64(s));
    *out = static_cast<D>(std::clamp<int64_t>(v, std::numeric_limits<D>::min(), std::numeric_limits<D>::max()));
  } else {
    EDGERUN_ASSIGN_OR_RETURN(uint64_t v, ParseUInt64(s));
    *out = v > std::numeric_limits<D>::max() ? std::numeric_limits<D>::max() : static_cast<D>(v);
  }
  return Status::Ok();
}

template <typename D, typename S>
Status CastElements(const S* in, D* out, int64_t n) {
  for (int64_t i = 0; i < n; ++i) {
    if constexpr (std::is_same_v<D, S>) {
      out[i] = in[i];
    } else if constexpr (std::is_same_v<D, std::string>) {
      out[i] = ToText(in[i]);
    } else if constexpr (std::is_same_v<S, std::string>) {
      EDGERUN_RETURN_IF_ERROR(FromText(in[i], &out[i]));
    } else {
      out[i] = CastNumber<D>(in[i]);
    }
  }
  return Status::Ok();
}

Status RunCast(KernelContext& ctx, DataType to) {
  const Tensor& x = ctx.input(0);
  if (x.dtype() == to) {
    ctx.SetOutput(0, x);
    return Status::Ok();
  }
  EDGERUN_ASSIGN_OR_RETURN(Tensor * y, ctx.AllocateOutput(0, to, x.shape()));
  return DispatchAll(x.dtype(), "Cast input", [&]<typename S>() -> Status {
    return DispatchAll(to, "Cast target", [&]<typename D>() -> Status {
      return CastElements(x.data<S>(), y->data<D>(), x.numel());
    });
  });
}

bool IsCastTarget(int64_t code) {
  if (code < 0 || code > 64 || !IsKnownDataType(static_cast<int32_t>(code))) return false;
  return static_cast<DataType>(code) != DataType::kUndefined;
}

}  // namespace

void RegisterCastKernels(KernelRegistry& r) {
  r.Register("Cast", [](const KernelCreateContext& c) -> Result<std::unique_ptr<Kernel>> {
    EDGERUN_RETURN_IF_ERROR(CheckInputCount(c.node, 1, 1));
    if (!c.node.HasAttribute("to")) return InvalidArgument(c.node.Describe() + ": missing required attribute 'to'");
    const int64_t to = c.node.GetInt("to", 0);
    if (!IsCastTarget(to)) {
      return Unsupported(c.node.Describe() + ": cast to dtype code " + std::to_string(to) + " is not supported");
    }
    const DataType dt = static_cast<DataType>(to);
    return MakeFnKernel([dt](KernelContext& ctx) { return RunCast(ctx, dt); });
  });
  r.Register("CastLike", [](const KernelCreateContext& c) -> Result<std::unique_ptr<Kernel>> {
    EDGERUN_RETURN_IF_ERROR(CheckInputCount(c.node, 2, 2));
    return MakeFnKernel([](KernelContext& ctx) { return RunCast(ctx, ctx.input(1).dtype()); });
  });
}

}  // namespace edgerun::elementwise
