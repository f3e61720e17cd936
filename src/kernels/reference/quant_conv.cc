// ConvInteger and QLinearConv reference kernels, and the shared integer convolution geometry.
//   ConvInteger: Y(int32) = conv(x - x_zero_point, w - w_zero_point)
//   QLinearConv: Y = saturate(rint((conv(...) + B) * x_scale * w_scale / y_scale) + y_zero_point)
#include "kernels/reference/quant_conv.h"

#include "kernels/reference/dispatch.h"
#include "kernels/reference/quant_kernels.h"
#include "kernels/reference/quant_util.h"

namespace edgerun {

Result<IntConvAttrs> ParseIntConvAttrs(const ir::Node& node) {
  IntConvAttrs a;
  a.where = node.Describe();
  a.auto_pad = node.GetString("auto_pad", "NOTSET");
  if (a.auto_pad != "NOTSET" && a.auto_pad != "SAME_UPPER" && a.auto_pad != "SAME_LOWER" && a.auto_pad != "VALID") {
    return InvalidArgument(a.where + ": unknown auto_pad '" + a.auto_pad + "'");
  }
  a.kernel_shape = node.GetInts("kernel_shape");
  a.strides = node.GetInts("strides");
  a.dilations = node.GetInts("dilations");
  a.pads = node.GetInts("pads");
  a.group = node.GetInt("group", 1);
  if (a.group < 1) return InvalidArgument(a.where + ": group must be >= 1");
  for (int64_t v : a.kernel_shape) if (v < 1) return InvalidArgument(a.where + ": kernel_shape values must be >= 1");
  for (int64_t v : a.strides) if (v < 1) return InvalidArgument(a.where + ": strides must be >= 1");
  for (int64_t v : a.dilations) if (v < 1) return InvalidArgument(a.where + ": dilations must be >= 1");
  for (int64_t v : a.pads) if (v < 0) return InvalidArgument(a.where + ": pads must be >= 0");
  return a;
}

Result<IntConvPlan> PlanIntConv(const IntConvAttrs& a, const Shape& x, const Shape& w) {
  const std::string& where = a.where;
  if (x.size() < 3) return InvalidArgument(where + ": input X must have rank >= 3, got " + ShapeToString(x));
  if (w.size() != x.size()) {
    return InvalidArgument(where + ": weight shape " + ShapeToString(w) + " does not match input rank " +
                           std::to_string(x.size()));
  }
  const size_t rank = x.size() - 2;
  IntConvPlan p;
  p.batch = x[0];
  p.in_channels = x[1];
  p.out_channels = w[0];
  p.group = a.group;
  if (p.in_channels != w[1] * a.group || p.out_channels % a.group != 0) {
    return InvalidArgument(where + ": input " + ShapeToString(x) + " and weight " + ShapeToString(w) +
                           " do not agree with group " + std::to_string(a.group));
  }
  p.in.assign(x.begin() + 2, x.end());
  p.kernel.assign(w.begin() + 2, w.end());
  if (!a.kernel_shape.empty() && a.kernel_shape != p.kernel) {
    return InvalidArgument(where + ": kernel_shape attribute differs from the weight's spatial shape " +
                           ShapeToString(w));
  }
  auto fill = [&](const Dims& v, size_t n, int64_t def, const char* name,
                  Dims* out) -> Status {
    if (v.empty()) {
      out->assign(n, def);
      return Status::Ok();
    }
    if (v.size() != n) return InvalidArgument(where + ": " + name + " has " + std::to_string(v.size()) +
                                              " values, expected " + std::to_string(n));
    *out = v;
    return Status::Ok();
  };
  Dims pads;
  EDGERUN_RETURN_IF_ERROR(fill(a.strides, rank, 1, "strides", &p.strides));
  EDGERUN_RETURN_IF_ERROR(fill(a.dilations, rank, 1, "dilations", &p.dilations));
  EDGERUN_RETURN_IF_ERROR(fill(a.pads, 2 * rank, 0, "pads", &pads));
  p.out.resize(rank);
  p.pad_begin.resize(rank);
  for (size_t d = 0; d < rank; ++d) {
    int64_t dk = (p.kernel[d] - 1) * p.dilations[d] + 1;
    int64_t in = p.in[d], s = p.strides[d];
    if (a.auto_pad == "SAME_UPPER" || a.auto_pad == "SAME_LOWER") {
      p.out[d] = (in + s - 1) / s;
      int64_t total = std::max<int64_t>(0, (p.out[d] - 1) * s + dk - in);
      p.pad_begin[d] = a.auto_pad == "SAME_UPPER" ? total / 2 : total - total / 2;
      continue;
    }
    int64_t pb = 0, pe = 0;
    if (a.auto_pad == "NOTSET") {
      pb = pads[d];
      pe = pads[d + rank];
    }
    if (in + pb + pe < dk) {
      return InvalidArgument(where + ": padded input size " + std::to_string(in + pb + pe) +
                             " is smaller than the dilated kernel size " + std::to_string(dk));
    }
    p.pad_begin[d] = pb;
    p.out[d] = (in + pb + pe - dk) / s + 1;
  }
  p.out_shape = {p.batch, p.out_channels};
  p.out_shape.insert(p.out_shape.end(), p.out.begin(), p.out.end());
  return p;
}

namespace {

template <typename Fn>
Status Dispatch8Bit(DataType dt, const char* what, Fn&& fn) {
  if (dt == DataType::kInt8) return fn.template operator()<int8_t>();
  if (dt == DataType::kUint8) return fn.template operator()<uint8_t>();
  return UnsupportedDType(what, dt);
}

// Reads an optional zero point: one value, or (per_channel) one per output channel.
Result<std::vector<int32_t>> ReadConvZeroPoint(KernelContext& ctx, size_t index, DataType operand_dtype,
                                               int64_t channels, const std::string& what) {
  if (!ctx.has_input(index)) return std::vector<int32_t>{0};
  const Tensor& t = ctx.input(index);
  if (t.dtype() != operand_dtype) {
    return InvalidArgument(what + " dtype " + DataTypeName(t.dtype()) + " differs from its operand's " +
                           DataTypeName(operand_dtype));
  }
  bool ok = t.numel() == 1 || (channels >= 0 && t.rank() == 1 && t.dim(0) == channels);
  if (!ok) {
    return InvalidArgument(what + " of shape " + ShapeToString(t.shape()) + " must be a scalar" +
                           (channels >= 0 ? " or have one value per output channel" : ""));
  }
  return ReadAsInt32s(t, what.c_str());
}

Status RunConvInteger(const IntConvAttrs& a, KernelContext& ctx) {
  const Tensor& x = ctx.input(0);
  const Tensor& w = ctx.input(1);
  IntConvPlan p;
  EDGERUN_ASSIGN_OR_RETURN(p, PlanIntConv(a, x.shape(), w.shape()));
  std::vector<int32_t> xzp, wzp;
  EDGERUN_ASSIGN_OR_RETURN(xzp, ReadConvZeroPoint(ctx, 2, x.dtype(), -1, a.where + ": x_zero_point"));
  EDGERUN_ASSIGN_OR_RETURN(wzp, ReadConvZeroPoint(ctx, 3, w.dtype(), p.out_channels, a.where + ": w_zero_point"));
  Tensor* y;
  EDGERUN_ASSIGN_OR_RETURN(y, ctx.AllocateOutput(0, DataType::kInt32, p.out_shape));
  int32_t* yp = y->data<int32_t>();
  return Dispatch8Bit(x.dtype(), "ConvInteger", [&]<typename X>() -> Status {
    return Dispatch8Bit(w.dtype(), "ConvInteger", [&]<typename W>() -> Status {
      IntConv(p, x.data<X>(), w.data<W>(), xzp[0], wzp, [&](int64_t i, int64_t, int32_t acc) { yp[i] = acc; });
      return Status::Ok();
    });
  });
}

Status RunQLinearConv(const IntConvAttrs& a, KernelContext& ctx) {
  for (size_t i : {0, 1, 3, 4, 6}) {
    if (!ctx.has_input(i)) return InvalidArgument(a.where + ": input " + std::to_string(i) + " is required");
  }
  const Tensor& x = ctx.input(0);
  const Tensor& w = ctx.input(3);
  IntConvPlan p;
  EDGERUN_ASSIGN_OR_RETURN(p, PlanIntConv(a, x.shape(), w.shape()));
  std::vector<int32_t> xzp, wzp, yzp;
  EDGERUN_ASSIGN_OR_RETURN(xzp, ReadConvZeroPoint(ctx, 2, x.dtype(), -1, a.where + ": x_zero_point"));
  EDGERUN_ASSIGN_OR_RETURN(wzp, ReadConvZeroPoint(ctx, 5, w.dtype(), p.out_channels, a.where + ": w_zero_point"));
  DataType y_dt = ctx.has_input(7) ? ctx.input(7).dtype() : x.dtype();
  EDGERUN_ASSIGN_OR_RETURN(yzp, ReadConvZeroPoint(ctx, 7, y_dt, -1, a.where + ": y_zero_point"));
  std::vector<float> xs, ws, ys;
  EDGERUN_ASSIGN_OR_RETURN(xs, ReadAsFloats(ctx.input(1), "QLinearConv x_scale"));
  EDGERUN_ASSIGN_OR_RETURN(ws, ReadAsFloats(ctx.input(4), "QLinearConv w_scale"));
  EDGERUN_ASSIGN_OR_RETURN(ys, ReadAsFloats(ctx.input(6), "QLinearConv y_scale"));
  if (xs.size() != 1 || ys.size() != 1) return InvalidArgument(a.where + ": x_scale and y_scale must be scalars");
  if (ws.size() != 1 && !(ctx.input(4).rank() == 1 && static_cast<int64_t>(ws.size()) == p.out_channels)) {
    return InvalidArgument(a.where + ": w_scale must be a scalar or have one value per output channel");
  }
  std::vector<float> mult(static_cast<size_t>(p.out_channels));
  for (int64_t m = 0; m < p.out_channels; ++m) mult[m] = xs[0] * ws[ws.size() == 1 ? 0 : m] / ys[0];
  std::vector<int32_t> bias;
  if (ctx.has_input(8)) {
    const Tensor& b = ctx.input(8);
    if (b.dtype() != DataType::kInt32 || b.rank() != 1 || b.dim(0) != p.out_channels) {
      return InvalidArgument(a.where + ": bias B must be a 1-D int32 tensor with one value per output channel, got " +
                             DataTypeName(b.dtype()) + " " + ShapeToString(b.shape()));
    }
    bias.assign(b.data<int32_t>(), b.data<int32_t>() + b.numel());
  }
  Tensor* y;
  EDGERUN_ASSIGN_OR_RETURN(y, ctx.AllocateOutput(0, y_dt, p.out_shape));
  return Dispatch8Bit(y_dt, "QLinearConv output", [&]<typename Y>() -> Status {
    Y* yp = y->data<Y>();
    return Dispatch8Bit(x.dtype(), "QLinearConv", [&]<typename X>() -> Status {
      return Dispatch8Bit(w.dtype(), "QLinearConv", [&]<typename W>() -> Status {
        IntConv(p, x.data<X>(), w.data<W>(), xzp[0], wzp, [&](int64_t i, int64_t m, int32_t acc) {
          int64_t total = static_cast<int64_t>(acc) + (bias.empty() ? 0 : bias[m]);
          double v = static_cast<double>(total) * static_cast<double>(mult[m]) + yzp[0];
          yp[i] = SaturateTo<Y>(RoundHalfEven(v));
        });
        return Status::Ok();
      });
    });
  });
}

}  // namespace

Result<std::unique_ptr<Kernel>> CreateConvInteger(const KernelCreateContext& c) {
  IntConvAttrs a;
  EDGERUN_ASSIGN_OR_RETURN(a, ParseIntConvAttrs(c.node));
  return MakeFnKernel([a](KernelContext& ctx) { return RunConvInteger(a, ctx); });
}

Result<std::unique_ptr<Kernel>> CreateQLinearConv(const KernelCreateContext& c) {
  IntConvAttrs a;
  EDGERUN_ASSIGN_OR_RETURN(a, ParseIntConvAttrs(c.node));
  return MakeFnKernel([a](KernelContext& ctx) { return RunQLinearConv(a, ctx); });
}

}  // namespace edgerun
