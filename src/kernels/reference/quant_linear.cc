// QuantizeLinear, DequantizeLinear and DynamicQuantizeLinear reference kernels.
//   QuantizeLinear:   y = saturate(round_half_even(x / scale) + zero_point)
//   DequantizeLinear: y = (x - zero_point) * scale
// Scales and zero points are per-tensor, per-axis (opset 13+) or blocked (opset 21+).
#include <algorithm>
#include <string>

#include "kernels/reference/dispatch.h"
#include "kernels/reference/quant_kernels.h"
#include "kernels/reference/quant_util.h"

namespace edgerun {
namespace {

// Calls fn.template operator()<Q>() for a quantized integer type.
template <typename Fn>
Status DispatchQuant(DataType dt, const char* what, Fn&& fn) {
  switch (dt) {
    case DataType::kInt8: return fn.template operator()<int8_t>();
    case DataType::kUint8: return fn.template operator()<uint8_t>();
    case DataType::kInt16: return fn.template operator()<int16_t>();
    case DataType::kUint16: return fn.template operator()<uint16_t>();
    case DataType::kInt32: return fn.template operator()<int32_t>();
    default: return UnsupportedDType(what, dt);
  }
}

// Float-like x types for QuantizeLinear (int32 allowed from opset 21).
template <typename Fn>
Status DispatchQuantizeInput(DataType dt, const char* what, Fn&& fn) {
  if (dt == DataType::kInt32) return fn.template operator()<int32_t>();
  if (dt == DataType::kDouble) return UnsupportedDType(what, dt);
  return DispatchFloat(dt, what, fn);
}

struct LinearAttrs {
  int64_t axis = 1;
  int64_t block_size = 0;
  int opset = 0;
  DataType output_dtype = DataType::kUndefined;
  std::string where;
};

Result<LinearAttrs> ParseLinearAttrs(const KernelCreateContext& c, bool quantize) {
  LinearAttrs a;
  a.opset = c.opset;
  a.where = c.node.Describe();
  a.axis = c.node.GetInt("axis", 1);
  if (c.opset >= 21) a.block_size = c.node.GetInt("block_size", 0);
  if (a.block_size < 0) return InvalidArgument(a.where + ": block_size must be >= 0");
  if (quantize && c.opset >= 21) {
    int64_t od = c.node.GetInt("output_dtype", 0);
    if (od != 0) {
      DataType dt = static_cast<DataType>(od);
      if (!IsKnownDataType(static_cast<int32_t>(od)) || !IsQuantIntType(dt) || dt == DataType::kInt32) {
        return Unsupported(a.where + ": output_dtype " + std::to_string(od) + " is not supported");
      }
      a.output_dtype = dt;
    }
  }
  return a;
}

Status RunQuantize(const LinearAttrs& a, KernelContext& ctx) {
  const Tensor& x = ctx.input(0);
  const Tensor& scale = ctx.input(1);
  bool has_zp = ctx.has_input(2);
  DataType out_dt = a.output_dtype != DataType::kUndefined ? a.output_dtype : DataType::kUint8;
  if (has_zp) {
    DataType zdt = ctx.input(2).dtype();
    if (!IsQuantIntType(zdt) || zdt == DataType::kInt32) {
      return Unsupported(a.where + ": zero point dtype " + DataTypeName(zdt) + " is not supported");
    }
    if (a.output_dtype != DataType::kUndefined && a.output_dtype != zdt) {
      return InvalidArgument(a.where + ": output_dtype differs from the zero point's dtype");
    }
    out_dt = zdt;
  }
  QuantLayout l;
  Shape zp_shape = has_zp ? ctx.input(2).shape() : Shape{};
  EDGERUN_ASSIGN_OR_RETURN(l, MakeQuantLayout(x.shape(), scale.shape(), has_zp ? &zp_shape : nullptr, a.axis,
                                              a.block_size, a.opset, a.where));
  std::vector<float> s;
  EDGERUN_ASSIGN_OR_RETURN(s, ReadAsFloats(scale, "QuantizeLinear scale"));
  std::vector<int32_t> zp(s.size(), 0);
  if (has_zp) {
    EDGERUN_ASSIGN_OR_RETURN(zp, ReadAsInt32s(ctx.input(2), "QuantizeLinear zero point"));
  }
  Tensor* y;
  EDGERUN_ASSIGN_OR_RETURN(y, ctx.AllocateOutput(0, out_dt, x.shape()));
  return DispatchQuantizeInput(x.dtype(), "QuantizeLinear", [&]<typename X>() -> Status {
    return DispatchQuant(out_dt, "QuantizeLinear", [&]<typename Q>() -> Status {
      const X* xp = x.data<X>();
      Q* yp = y->data<Q>();
      int64_t n = 0;
      for (int64_t o = 0; o < l.outer; ++o) {
        for (int64_t d = 0; d < l.axis_dim; ++d) {
          for (int64_t i = 0; i < l.inner; ++i, ++n) {
            int64_t p = l.ParamIndex(o, d, i);
            double q;
            if constexpr (std::is_same_v<X, int32_t>) {
              q = static_cast<double>(xp[n]) / static_cast<double>(s[p]);
            } else {
              q = static_cast<float>(xp[n]) / s[p];  // float division, as the ONNX reference does
            }
            yp[n] = SaturateTo<Q>(RoundHalfEven(q) + zp[p]);
          }
        }
      }
      return Status::Ok();
    });
  });
}

Status RunDequantize(const LinearAttrs& a, KernelContext& ctx) {
  const Tensor& x = ctx.input(0);
  const Tensor& scale = ctx.input(1);
  bool has_zp = ctx.has_input(2);
  if (has_zp && ctx.input(2).dtype() != x.dtype()) {
    return InvalidArgument(a.where + ": zero point dtype " + DataTypeName(ctx.input(2).dtype()) +
                           " differs from input dtype " + DataTypeName(x.dtype()));
  }
  QuantLayout l;
  Shape zp_shape = has_zp ? ctx.input(2).shape() : Shape{};
  EDGERUN_ASSIGN_OR_RETURN(l, MakeQuantLayout(x.shape(), scale.shape(), has_zp ? &zp_shape : nullptr, a.axis,
                                              a.block_size, a.opset, a.where));
  std::vector<float> s;
  EDGERUN_ASSIGN_OR_RETURN(s, ReadAsFloats(scale, "DequantizeLinear scale"));
  std::vector<int32_t> zp(s.size(), 0);
  if (has_zp) {
    EDGERUN_ASSIGN_OR_RETURN(zp, ReadAsInt32s(ctx.input(2), "DequantizeLinear zero point"));
  }
  Tensor* y;
  EDGERUN_ASSIGN_OR_RETURN(y, ctx.AllocateOutput(0, scale.dtype(), x.shape()));
  return DispatchFloat(scale.dtype(), "DequantizeLinear scale", [&]<typename Y>() -> Status {
    if constexpr (std::is_same_v<Y, double>) {
      return UnsupportedDType("DequantizeLinear scale", scale.dtype());
    } else {
      return DispatchQuant(x.dtype(), "DequantizeLinear", [&]<typename Q>() -> Status {
        const Q* xp = x.data<Q>();
        Y* yp = y->data<Y>();
        int64_t n = 0;
        for (int64_t o = 0; o < l.outer; ++o) {
          for (int64_t d = 0; d < l.axis_dim; ++d) {
            for (int64_t i = 0; i < l.inner; ++i, ++n) {
              int64_t p = l.ParamIndex(o, d, i);
              float diff = static_cast<float>(static_cast<int64_t>(xp[n]) - zp[p]);
              yp[n] = static_cast<Y>(diff * s[p]);
            }
          }
        }
        return Status::Ok();
      });
    }
  });
}

// DynamicQuantizeLinear (opset 11): uint8 quantization with scale and zero point derived from
// the data range extended to include 0.
Status RunDynamicQuantize(const std::string& where, KernelContext& ctx) {
  const Tensor& x = ctx.input(0);
  if (x.dtype() != DataType::kFloat) return UnsupportedDType("DynamicQuantizeLinear", x.dtype());
  const float* xp = x.data<float>();
  float lo = 0.f, hi = 0.f;
  for (int64_t i = 0; i < x.numel(); ++i) {
    if (std::isnan(xp[i])) continue;
    lo = std::min(lo, xp[i]);
    hi = std::max(hi, xp[i]);
  }
  float scale = (hi - lo) / 255.f;
  uint8_t zp = 0;
  if (scale > 0.f && std::isfinite(scale)) zp = SaturateTo<uint8_t>(RoundHalfEven((0.f - lo) / scale));
  Tensor *y, *ys, *yz;
  EDGERUN_ASSIGN_OR_RETURN(y, ctx.AllocateOutput(0, DataType::kUint8, x.shape()));
  EDGERUN_ASSIGN_OR_RETURN(ys, ctx.AllocateOutput(1, DataType::kFloat, {}));
  EDGERUN_ASSIGN_OR_RETURN(yz, ctx.AllocateOutput(2, DataType::kUint8, {}));
  *ys->data<float>() = scale;
  *yz->data<uint8_t>() = zp;
  uint8_t* yp = y->data<uint8_t>();
  for (int64_t i = 0; i < x.numel(); ++i) {
    double q = scale > 0.f ? RoundHalfEven(xp[i] / scale) : 0.0;
    yp[i] = SaturateTo<uint8_t>(q + zp);
  }
  return Status::Ok();
}

}  // namespace

Result<std::unique_ptr<Kernel>> CreateQuantizeLinear(const KernelCreateContext& c) {
  LinearAttrs a;
  EDGERUN_ASSIGN_OR_RETURN(a, ParseLinearAttrs(c, /*quantize=*/true));
  return MakeFnKernel([a](KernelContext& ctx) { return RunQuantize(a, ctx); });
}

Result<std::unique_ptr<Kernel>> CreateDequantizeLinear(const KernelCreateContext& c) {
  LinearAttrs a;
  EDGERUN_ASSIGN_OR_RETURN(a, ParseLinearAttrs(c, /*quantize=*/false));
  return MakeFnKernel([a](KernelContext& ctx) { return RunDequantize(a, ctx); });
}

Result<std::unique_ptr<Kernel>> CreateDynamicQuantizeLinear(const KernelCreateContext& c) {
  std::string where = c.node.Describe();
  return MakeFnKernel([where](KernelContext& ctx) { return RunDynamicQuantize(where, ctx); });
}

}  // namespace edgerun
