// Chains of per-channel constant Add/Sub/Mul/Div as one plan step (see xnnpack_channel_ops.h).
#include "kernels/xnnpack/xnnpack_channel_ops.h"

#include <algorithm>
#include <atomic>
#include <memory>
#include <vector>

namespace edgerun::xnn {

namespace {

constexpr int64_t kBlock = 64;  // constants are repeated to at least this many elements

std::atomic<int64_t> g_channel_op_steps{0};

struct ChannelOp {
  BinaryKind kind;
  bool k_first;
  std::vector<float> k;  // the constant repeated over `period` elements
};

}  // namespace

struct ChannelOpChain {
  int64_t period = 0;  // a multiple of the channel count, >= kBlock
  int64_t numel = 0;
  std::vector<ChannelOp> ops;
  StepBuffers io;  // x, y (dense) and the clamp

  void Run() const {
    const float* x = io.x;
    float* y = io.y;
    const float lo = io.lo, hi = io.hi;
    for (size_t i = 0; i < ops.size(); ++i) {
      const ChannelOp& op = ops[i];
      const float* src = i == 0 ? x : y;
      const float* k = op.k.data();
      for (int64_t b = 0; b < numel; b += period) {
        const int64_t len = std::min(period, numel - b);
        const float* s = src + b;
        float* d = y + b;
        switch (op.kind) {
          case BinaryKind::kAdd:
            for (int64_t j = 0; j < len; ++j) d[j] = s[j] + k[j];
            break;
          case BinaryKind::kSub:
            if (op.k_first) {
              for (int64_t j = 0; j < len; ++j) d[j] = k[j] - s[j];
            } else {
              for (int64_t j = 0; j < len; ++j) d[j] = s[j] - k[j];
            }
            break;
          case BinaryKind::kMul:
            for (int64_t j = 0; j < len; ++j) d[j] = s[j] * k[j];
            break;
          case BinaryKind::kDiv:
            if (op.k_first) {
              for (int64_t j = 0; j < len; ++j) d[j] = k[j] / s[j];
            } else {
              for (int64_t j = 0; j < len; ++j) d[j] = s[j] / k[j];
            }
            break;
        }
      }
    }
    if (lo != kNoMin || hi != kNoMax) {  // NaN stays NaN, as in the reference kernels
      for (int64_t j = 0; j < numel; ++j) y[j] = y[j] < lo ? lo : (y[j] > hi ? hi : y[j]);
    }
  }
};

int TryAddChannelOp(BuildContext& ctx, const std::string& what, BinaryKind kind, const std::string& v_name, int v,
                    const Tensor& k, bool k_first) {
  Plan& plan = ctx.plan;
  const Value val = plan.value(v);
  const size_t rank = val.shape.size();
  if (rank == 0 || k.dtype() != DataType::kFloat || !val.dense() || static_cast<size_t>(k.rank()) > rank) return -1;
  if (ShapeSize(val.shape) > kMaxChannelOpElements || ShapeSize(val.shape) < 1) return -1;
  // The constant may vary only along the innermost physical axis.
  const size_t axis = val.channels_last ? 1 : rank - 1;
  const int64_t channels = val.shape[axis];
  const size_t lead = rank - static_cast<size_t>(k.rank());
  for (size_t i = 0; i < static_cast<size_t>(k.rank()); ++i) {
    const int64_t d = k.dim(static_cast<int64_t>(i));
    if (d != 1 && !(i + lead == axis && d == channels)) return -1;
  }
  const bool per_channel = k.numel() > 1;
  ChannelOp op{kind, k_first, {}};
  const int64_t period = channels * ((kBlock + channels - 1) / channels);
  op.k.resize(static_cast<size_t>(period));
  const float* kd = k.data<float>();
  for (int64_t j = 0; j < period; ++j) op.k[static_cast<size_t>(j)] = per_channel ? kd[j % channels] : kd[0];

  // Appended to the chain producing v when nothing else reads v and no clamp was folded into it.
  auto chain_it = ctx.channel_chains.find(v);
  if (chain_it != ctx.channel_chains.end() && !val.is_input && ctx.SingleInternalUse(v_name)) {
    Step& producer = plan.step(val.producer);
    if (producer.output_min == kNoMin && producer.output_max == kNoMax && chain_it->second->period == period) {
      chain_it->second->ops.push_back(std::move(op));
      return v;
    }
  }
  const int out = plan.AddValue(val.shape);
  auto chain = std::make_shared<ChannelOpChain>();
  chain->period = period;
  chain->numel = ShapeSize(val.shape);
  chain->ops.push_back(std::move(op));
  Step s;
  s.what = what;
  s.inputs = {v};
  s.outputs = {out};
  s.clampable = true;
  SetDirectRun(s, chain);
  plan.AddStep(std::move(s));
  ctx.channel_chains[out] = chain.get();
  g_channel_op_steps.fetch_add(1);
  return out;
}

int64_t ChannelOpSteps() { return g_channel_op_steps.load(); }

}  // namespace edgerun::xnn
