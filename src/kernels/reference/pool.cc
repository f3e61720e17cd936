// Reference MaxPool (with the optional Indices output), AveragePool and LpPool over N-D windows:
// strides, dilations, pads, auto_pad and ceil_mode. Window taps that fall in the padding are
// skipped (AveragePool with count_include_pad counts them in the divisor).
// Thread-safety: kernels are immutable after creation; Run keeps its state on the stack.
#include <algorithm>
#include <cmath>
#include <limits>
#include <memory>
#include <utility>
#include <vector>

#include "kernels/reference/conv_geometry.h"
#include "kernels/reference/conv_util.h"
#include "kernels/reference/dispatch.h"
#include "kernels/reference/pool.h"

namespace edgerun {
namespace {

enum class PoolKind { kMax, kAverage, kLp };

struct PoolConfig {
  PoolKind kind = PoolKind::kMax;
  WindowAttrs attrs;
  bool count_include_pad = false;
  bool column_major_indices = false;  // MaxPool storage_order = 1
  double p = 2.0;                     // LpPool
};

// For spatial dim d and output index o: the first input coordinate of the window and the range
// [lo, hi) of taps inside the input; hi_pad ends the taps inside input plus end padding.
struct Taps {
  int64_t start, lo, hi, hi_pad;
};

Taps TapsAt(const WindowGeometry& g, size_t d, int64_t o) {
  const int64_t in = g.in[d], k = g.kernel[d], s = g.strides[d], dl = g.dilations[d];
  Taps t;
  t.start = o * s - g.pad_begin[d];
  t.lo = t.start >= 0 ? 0 : (-t.start + dl - 1) / dl;
  t.hi = t.start <= in - 1 ? std::min(k, (in - 1 - t.start) / dl + 1) : 0;
  if (t.lo > t.hi) t.lo = t.hi;
  const int64_t limit = in + g.pad_end[d] - 1;
  const int64_t hi_pad = t.start <= limit ? std::min(k, (limit - t.start) / dl + 1) : 0;
  t.hi_pad = std::max(hi_pad, t.hi);
  return t;
}

template <typename T, typename V>
T FromCompute(V v) {
  if constexpr (std::is_same_v<T, V>) {
    return v;
  } else {
    return T(static_cast<float>(v));
  }
}

template <PoolKind kKind, typename T>
void PoolTyped(const PoolConfig& cfg, const WindowGeometry& g, int64_t planes, const T* x, T* y, int64_t* indices) {
  using V = NnComputeType<T>;
  const size_t rank = g.rank();
  Dims in_strides(rank, 1), col_strides(rank, 1);
  for (size_t d = rank - 1; d-- > 0;) in_strides[d] = in_strides[d + 1] * g.in[d + 1];
  for (size_t d = 1; d < rank; ++d) col_strides[d] = col_strides[d - 1] * g.in[d - 1];
  const int64_t in_size = g.InSize();
  const int64_t out_size = g.OutSize();
  Dims oidx(rank), tidx(rank), lo(rank), hi(rank), start(rank);
  for (int64_t plane = 0; plane < planes; ++plane) {
    const T* xp = x + plane * in_size;
    std::fill(oidx.begin(), oidx.end(), 0);
    for (int64_t oi = 0; oi < out_size; ++oi) {
      bool empty = false;
      int64_t count_valid = 1, count_pad = 1;
      for (size_t d = 0; d < rank; ++d) {
        const Taps t = TapsAt(g, d, oidx[d]);
        start[d] = t.start;
        lo[d] = tidx[d] = t.lo;
        hi[d] = t.hi;
        empty = empty || lo[d] >= hi[d];
        count_valid *= hi[d] - lo[d];
        count_pad *= t.hi_pad;
      }
      V best = std::numeric_limits<V>::lowest();
      bool have_best = false;
      int64_t best_off = 0, best_coff = 0;
      double sum = 0;
      while (!empty) {
        int64_t off = 0, coff = 0;
        for (size_t d = 0; d < rank; ++d) {
          const int64_t i = start[d] + tidx[d] * g.dilations[d];
          off += i * in_strides[d];
          coff += i * col_strides[d];
        }
        const V v = static_cast<V>(xp[off]);
        if constexpr (kKind == PoolKind::kMax) {
          if (!have_best || v > best) {
            have_best = true;
            best = v;
            best_off = off;
            best_coff = coff;
          }
        } else if constexpr (kKind == PoolKind::kAverage) {
          sum += static_cast<double>(v);
        } else {
          sum += std::pow(std::fabs(static_cast<double>(v)), cfg.p);
        }
        size_t d = rank;
        while (d-- > 0) {
          if (++tidx[d] < hi[d]) break;
          tidx[d] = lo[d];
        }
        if (d == static_cast<size_t>(-1)) break;
      }
      const int64_t out_pos = plane * out_size + oi;
      if constexpr (kKind == PoolKind::kMax) {
        y[out_pos] = empty ? T(V(0)) : FromCompute<T>(best);
        if (indices) indices[out_pos] = plane * in_size + (cfg.column_major_indices ? best_coff : best_off);
      } else if constexpr (kKind == PoolKind::kAverage) {
        const int64_t count = cfg.count_include_pad ? count_pad : count_valid;
        y[out_pos] = FromCompute<T>(static_cast<V>(count > 0 ? sum / static_cast<double>(count) : 0.0));
      } else {
        y[out_pos] = FromCompute<T>(static_cast<V>(std::pow(sum, 1.0 / cfg.p)));
      }
      for (size_t d = rank; d-- > 0;) {
        if (++oidx[d] < g.out[d]) break;
        oidx[d] = 0;
      }
    }
  }
}

class PoolKernel final : public Kernel {
 public:
  explicit PoolKernel(PoolConfig cfg) : cfg_(std::move(cfg)) {}

  Status Run(KernelContext& ctx) const override {
    if (!ctx.has_input(0)) return InvalidArgument("missing input X");
    const Tensor& x = ctx.input(0);
    const size_t rank = cfg_.attrs.kernel_shape.size();
    if (x.rank() != static_cast<int64_t>(rank) + 2) {
      return InvalidArgument("X shape " + ShapeToString(x.shape()) + " does not match kernel_shape " +
                             ShapeToString(cfg_.attrs.kernel_shape) + " (expected rank " + std::to_string(rank + 2) + ")");
    }
    const Shape in_spatial(x.shape().begin() + 2, x.shape().end());
    WindowGeometry g;
    EDGERUN_ASSIGN_OR_RETURN(g, ForwardGeometry(cfg_.attrs, in_spatial, cfg_.attrs.kernel_shape));
    Shape y_shape = {x.dim(0), x.dim(1)};
    y_shape.insert(y_shape.end(), g.out.begin(), g.out.end());
    Tensor* y;
    EDGERUN_ASSIGN_OR_RETURN(y, ctx.AllocateOutput(0, x.dtype(), y_shape));
    int64_t* indices = nullptr;
    if (cfg_.kind == PoolKind::kMax && ctx.output_wanted(1)) {
      Tensor* ind;
      EDGERUN_ASSIGN_OR_RETURN(ind, ctx.AllocateOutput(1, DataType::kInt64, y_shape));
      indices = ind->data<int64_t>();
    }
    const int64_t planes = x.dim(0) * x.dim(1);
    auto run = [&]<typename T>() -> Status {
      switch (cfg_.kind) {
        case PoolKind::kMax:
          PoolTyped<PoolKind::kMax, T>(cfg_, g, planes, x.data<T>(), y->data<T>(), indices);
          break;
        case PoolKind::kAverage:
          if constexpr (std::is_floating_point_v<NnComputeType<T>>) {
            PoolTyped<PoolKind::kAverage, T>(cfg_, g, planes, x.data<T>(), y->data<T>(), nullptr);
          }
          break;
        case PoolKind::kLp:
          if constexpr (std::is_floating_point_v<NnComputeType<T>>) {
            PoolTyped<PoolKind::kLp, T>(cfg_, g, planes, x.data<T>(), y->data<T>(), nullptr);
          }
          break;
      }
      return Status::Ok();
    };
    if (cfg_.kind == PoolKind::kMax && x.dtype() == DataType::kInt8) return run.template operator()<int8_t>();
    if (cfg_.kind == PoolKind::kMax && x.dtype() == DataType::kUint8) return run.template operator()<uint8_t>();
    return DispatchFloat(x.dtype(), cfg_.kind == PoolKind::kMax ? "MaxPool" : "pooling", run);
  }

 private:
  PoolConfig cfg_;
};

Result<PoolConfig> ParsePoolConfig(const ir::Node& node, PoolKind kind) {
  PoolConfig cfg;
  cfg.kind = kind;
  EDGERUN_ASSIGN_OR_RETURN(cfg.attrs, ParseWindowAttrs(node));
  if (cfg.attrs.kernel_shape.empty()) return InvalidArgument(node.Describe() + ": kernel_shape is required");
  cfg.count_include_pad = node.GetInt("count_include_pad", 0) != 0;
  int64_t storage_order = node.GetInt("storage_order", 0);
  if (storage_order != 0 && storage_order != 1) {
    return InvalidArgument(node.Describe() + ": storage_order must be 0 or 1, got " + std::to_string(storage_order));
  }
  cfg.column_major_indices = storage_order == 1;
  if (kind == PoolKind::kLp) {
    const ir::Attribute* p = node.FindAttribute("p");
    if (p != nullptr) cfg.p = p->type == ir::Attribute::Type::kFloat ? static_cast<double>(p->f) : static_cast<double>(p->i);
    if (!(cfg.p > 0)) return InvalidArgument(node.Describe() + ": p must be positive");
  }
  return cfg;
}

KernelFactory PoolFactory(PoolKind kind) {
  return [kind](const KernelCreateContext& kc) -> Result<std::unique_ptr<Kernel>> {
    PoolConfig cfg;
    EDGERUN_ASSIGN_OR_RETURN(cfg, ParsePoolConfig(kc.node, kind));
    return std::unique_ptr<Kernel>(std::make_unique<PoolKernel>(std::move(cfg)));
  };
}

}  // namespace

void RegisterWindowPoolKernels(KernelRegistry& r) {
  r.Register("MaxPool", PoolFactory(PoolKind::kMax));
  r.Register("AveragePool", PoolFactory(PoolKind::kAverage));
  r.Register("LpPool", PoolFactory(PoolKind::kLp));
}

}  // namespace edgerun
