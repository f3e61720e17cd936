// DFT (opsets 17 and 20) and STFT (opset 17) reference kernels: direct O(n^2) transforms in
// double precision with a precomputed twiddle table. Signals are real ([..., 1]) or complex
// ([..., 2]); outputs are complex ([..., 2]) in the input's floating-point type.
#include <algorithm>
#include <cmath>
#include <numbers>
#include <string>

#include "kernels/reference/broadcast.h"
#include "kernels/reference/dispatch.h"
#include "kernels/reference/signal_kernels.h"

namespace edgerun {

std::vector<std::complex<double>> DftTwiddles(int64_t n, bool inverse) {
  std::vector<std::complex<double>> tw(static_cast<size_t>(n));
  const double sign = inverse ? 1.0 : -1.0;
  for (int64_t t = 0; t < n; ++t) {
    double angle = 2.0 * std::numbers::pi * static_cast<double>(t) / static_cast<double>(n);
    tw[t] = {std::cos(angle), sign * std::sin(angle)};
  }
  return tw;
}

void DirectDft(const std::complex<double>* in, int64_t in_len, int64_t n, const std::vector<std::complex<double>>& tw,
               int64_t out_len, std::complex<double>* out) {
  const int64_t m = std::min(in_len, n);
  for (int64_t k = 0; k < out_len; ++k) {
    std::complex<double> acc = 0;
    int64_t idx = 0;  // j * k mod n
    const int64_t step = k % n;
    for (int64_t j = 0; j < m; ++j) {
      acc += in[j] * tw[idx];
      idx += step;
      if (idx >= n) idx -= n;
    }
    out[k] = acc;
  }
}

namespace {

// Reads an optional scalar integer input; `def` when absent.
Result<int64_t> ReadOptionalScalar(KernelContext& ctx, size_t index, int64_t def, const std::string& what) {
  if (!ctx.has_input(index)) return def;
  const Tensor& t = ctx.input(index);
  if (t.numel() != 1) return InvalidArgument(what + " must be a scalar, got shape " + ShapeToString(t.shape()));
  Dims v;
  EDGERUN_ASSIGN_OR_RETURN(v, ReadInt64s(t, what.c_str()));
  return v[0];
}

struct DftAttrs {
  int opset = 17;
  int64_t axis = 1;  // opset 17 attribute
  bool inverse = false;
  bool onesided = false;
  std::string where;
};

Status RunDft(const DftAttrs& a, KernelContext& ctx) {
  const Tensor& x = ctx.input(0);
  const int64_t r = x.rank();
  if (r < 2 || (x.dim(r - 1) != 1 && x.dim(r - 1) != 2)) {
    return InvalidArgument(a.where + ": input must have rank >= 2 and a last dim of 1 (real) or 2 (complex), got " +
                           ShapeToString(x.shape()));
  }
  int64_t axis = a.axis;
  if (a.opset >= 20) {
    EDGERUN_ASSIGN_OR_RETURN(axis, ReadOptionalScalar(ctx, 2, -2, a.where + ": axis"));
  }
  if (axis < 0) axis += r;
  if (axis < 0 || axis > r - 2) {
    return InvalidArgument(a.where + ": axis is out of range for input of shape " + ShapeToString(x.shape()));
  }
  const int64_t len = x.dim(axis);
  int64_t n;
  EDGERUN_ASSIGN_OR_RETURN(n, ReadOptionalScalar(ctx, 1, len, a.where + ": dft_length"));
  if (n < 1) return InvalidArgument(a.where + ": dft_length must be >= 1, got " + std::to_string(n));
  const int64_t out_len = a.onesided ? n / 2 + 1 : n;
  const int64_t comps = x.dim(r - 1);
  int64_t outer = 1, inner = 1;
  for (int64_t k = 0; k < axis; ++k) outer *= x.dim(k);
  for (int64_t k = axis + 1; k < r - 1; ++k) inner *= x.dim(k);
  Shape out_shape = x.shape();
  out_shape[axis] = out_len;
  out_shape[r - 1] = 2;
  Tensor* y;
  EDGERUN_ASSIGN_OR_RETURN(y, ctx.AllocateOutput(0, x.dtype(), out_shape));
  if (y->numel() == 0) return Status::Ok();
  const auto tw = DftTwiddles(n, a.inverse);
  std::vector<std::complex<double>> in(static_cast<size_t>(len)), out(static_cast<size_t>(out_len));
  const double norm = a.inverse ? 1.0 / static_cast<double>(n) : 1.0;
  return DispatchFloat(x.dtype(), "DFT", [&]<typename T>() -> Status {
    const T* xp = x.data<T>();
    T* yp = y->data<T>();
    for (int64_t o = 0; o < outer; ++o) {
      for (int64_t i = 0; i < inner; ++i) {
        for (int64_t j = 0; j < len; ++j) {
          const T* e = xp + ((o * len + j) * inner + i) * comps;
          in[j] = {static_cast<double>(e[0]), comps == 2 ? static_cast<double>(e[1]) : 0.0};
        }
        DirectDft(in.data(), len, n, tw, out_len, out.data());
        for (int64_t k = 0; k < out_len; ++k) {
          T* e = yp + ((o * out_len + k) * inner + i) * 2;
          e[0] = static_cast<T>(out[k].real() * norm);
          e[1] = static_cast<T>(out[k].imag() * norm);
        }
      }
    }
    return Status::Ok();
  });
}

// STFT: signal [batch, length, 1|2], frame_step, optional window [frame_length], optional
// frame_length -> [batch, frames, bins, 2].
Status RunStft(const std::string& where, bool onesided, KernelContext& ctx) {
  const Tensor& x = ctx.input(0);
  if (x.rank() != 3 || (x.dim(2) != 1 && x.dim(2) != 2)) {
    return InvalidArgument(where + ": signal must be [batch, length, 1 or 2], got " + ShapeToString(x.shape()));
  }
  if (!ctx.has_input(1)) return InvalidArgument(where + ": frame_step is required");
  int64_t step;
  EDGERUN_ASSIGN_OR_RETURN(step, ReadOptionalScalar(ctx, 1, 0, where + ": frame_step"));
  if (step < 1) return InvalidArgument(where + ": frame_step must be >= 1, got " + std::to_string(step));
  const bool has_window = ctx.has_input(2);
  int64_t frame = -1;
  if (has_window) {
    const Tensor& w = ctx.input(2);
    if (w.rank() != 1) return InvalidArgument(where + ": window must be 1-D, got " + ShapeToString(w.shape()));
    if (w.dtype() != x.dtype()) return InvalidArgument(where + ": window dtype differs from signal dtype");
    frame = w.dim(0);
  }
  if (ctx.has_input(3)) {
    int64_t fl;
    EDGERUN_ASSIGN_OR_RETURN(fl, ReadOptionalScalar(ctx, 3, 0, where + ": frame_length"));
    if (has_window && fl != frame) {
      return InvalidArgument(where + ": frame_length " + std::to_string(fl) + " differs from window length " +
                             std::to_string(frame));
    }
    frame = fl;
  }
  if (frame < 0) return InvalidArgument(where + ": either window or frame_length is required");
  const int64_t batch = x.dim(0), length = x.dim(1), comps = x.dim(2);
  if (frame < 1 || frame > length) {
    return InvalidArgument(where + ": frame length " + std::to_string(frame) + " must be in [1, signal length " +
                           std::to_string(length) + "]");
  }
  const int64_t frames = 1 + (length - frame) / step;
  const int64_t bins = onesided ? frame / 2 + 1 : frame;
  Tensor* y;
  EDGERUN_ASSIGN_OR_RETURN(y, ctx.AllocateOutput(0, x.dtype(), {batch, frames, bins, 2}));
  if (y->numel() == 0) return Status::Ok();
  const auto tw = DftTwiddles(frame, false);
  std::vector<std::complex<double>> in(static_cast<size_t>(frame)), out(static_cast<size_t>(bins));
  return DispatchFloat(x.dtype(), "STFT", [&]<typename T>() -> Status {
    const T* xp = x.data<T>();
    const T* wp = has_window ? ctx.input(2).data<T>() : nullptr;
    T* yp = y->data<T>();
    for (int64_t b = 0; b < batch; ++b) {
      for (int64_t f = 0; f < frames; ++f) {
        for (int64_t j = 0; j < frame; ++j) {
          const T* e = xp + (b * length + f * step + j) * comps;
          double w = wp ? static_cast<double>(wp[j]) : 1.0;
          in[j] = {static_cast<double>(e[0]) * w, comps == 2 ? static_cast<double>(e[1]) * w : 0.0};
        }
        DirectDft(in.data(), frame, frame, tw, bins, out.data());
        T* o = yp + (b * frames + f) * bins * 2;
        for (int64_t k = 0; k < bins; ++k) {
          o[2 * k] = static_cast<T>(out[k].real());
          o[2 * k + 1] = static_cast<T>(out[k].imag());
        }
      }
    }
    return Status::Ok();
  });
}

}  // namespace

Result<std::unique_ptr<Kernel>> CreateDft(const KernelCreateContext& c) {
  DftAttrs a;
  a.opset = c.opset;
  a.where = c.node.Describe();
  a.axis = c.node.GetInt("axis", 1);
  a.inverse = c.node.GetInt("inverse", 0) != 0;
  a.onesided = c.node.GetInt("onesided", 0) != 0;
  return MakeFnKernel([a](KernelContext& ctx) { return RunDft(a, ctx); });
}

Result<std::unique_ptr<Kernel>> CreateStft(const KernelCreateContext& c) {
  std::string where = c.node.Describe();
  bool onesided = c.node.GetInt("onesided", 1) != 0;
  return MakeFnKernel([where, onesided](KernelContext& ctx) { return RunStft(where, onesided, ctx); });
}

}  // namespace edgerun
