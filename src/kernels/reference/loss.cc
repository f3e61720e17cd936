// SoftmaxCrossEntropyLoss and NegativeLogLikelihoodLoss reference kernels.
//
// Both take scores/log-probabilities of shape [N, C, d1, ...], integer labels [N, d1, ...] and
// optional class weights [C]. Each position contributes -weight[label] * logp[n, label, d];
// positions whose label equals ignore_index contribute nothing and weigh 0. reduction "none"
// returns the per-position losses, "sum" their sum, "mean" their sum over the sum of weights
// (the count of non-ignored positions without weights). Computes in double.
#include <vector>

#include "kernels/reference/broadcast.h"
#include "kernels/reference/dispatch.h"
#include "kernels/reference/math_check.h"
#include "kernels/reference/math_kernels.h"
#include "kernels/reference/softmax.h"

namespace edgerun {
namespace {

enum class Reduction { kNone, kSum, kMean };

struct LossAttrs {
  const char* name = "";
  bool softmax = false;  // SoftmaxCrossEntropyLoss: apply log-softmax over axis 1 first
  Reduction reduction = Reduction::kMean;
  bool has_ignore_index = false;
  int64_t ignore_index = 0;
};

template <typename T>
Status RunLoss(const LossAttrs& at, KernelContext& ctx, const Dims& labels, const AxisSplit& s) {
  const Tensor& x = ctx.input(0);
  const int64_t n = s.outer, c = s.axis, d = s.inner;
  std::vector<double> logp(static_cast<size_t>(x.numel()));
  for (int64_t i = 0; i < x.numel(); ++i) logp[i] = static_cast<double>(x.data<T>()[i]);
  if (at.softmax) SoftmaxAlongAxis<double>(SoftmaxKind::kLogSoftmax, s, logp.data(), logp.data());

  std::vector<double> weights;
  if (ctx.has_input(2)) {
    const Tensor& w = ctx.input(2);
    if (w.dtype() != x.dtype() || w.rank() != 1 || w.dim(0) != c) {
      return InvalidArgument(std::string(at.name) + ": weights must be a 1-D " + DataTypeName(x.dtype()) +
                             " tensor of " + std::to_string(c) + " classes, got shape " + ShapeToString(w.shape()));
    }
    for (int64_t i = 0; i < c; ++i) weights.push_back(static_cast<double>(w.data<T>()[i]));
  }

  std::vector<double> loss(static_cast<size_t>(n * d));
  double loss_sum = 0, weight_sum = 0;
  for (int64_t i = 0; i < n; ++i) {
    for (int64_t j = 0; j < d; ++j) {
      const int64_t label = labels[i * d + j];
      if (at.has_ignore_index && label == at.ignore_index) continue;
      if (label < 0 || label >= c) {
        return InvalidArgument(std::string(at.name) + ": label " + std::to_string(label) + " is out of range [0, " +
                               std::to_string(c) + ")");
      }
      const double w = weights.empty() ? 1.0 : weights[label];
      const double l = -w * logp[(i * c + label) * d + j];
      loss[i * d + j] = l;
      loss_sum += l;
      weight_sum += w;
    }
  }

  const Tensor& labels_t = ctx.input(1);
  if (at.reduction == Reduction::kNone) {
    Tensor* out;
    EDGERUN_ASSIGN_OR_RETURN(out, ctx.AllocateOutput(0, x.dtype(), labels_t.shape()));
    for (int64_t i = 0; i < n * d; ++i) out->data<T>()[i] = static_cast<T>(loss[i]);
  } else {
    Tensor* out;
    EDGERUN_ASSIGN_OR_RETURN(out, ctx.AllocateOutput(0, x.dtype(), {}));
    out->data<T>()[0] = static_cast<T>(at.reduction == Reduction::kSum ? loss_sum : loss_sum / weight_sum);
  }
  if (at.softmax && ctx.output_wanted(1)) {
    Tensor* lp;
    EDGERUN_ASSIGN_OR_RETURN(lp, ctx.AllocateOutput(1, x.dtype(), x.shape()));
    for (int64_t i = 0; i < x.numel(); ++i) lp->data<T>()[i] = static_cast<T>(logp[i]);
  }
  return Status::Ok();
}

Status LossRun(const LossAttrs& at, KernelContext& ctx) {
  EDGERUN_RETURN_IF_ERROR(CheckTensorInputs(ctx, 2, at.name));
  const Tensor& x = ctx.input(0);
  const Tensor& labels_t = ctx.input(1);
  if (x.rank() < 2) {
    return InvalidArgument(std::string(at.name) + ": input must have shape [N, C, ...], got " + ShapeToString(x.shape()));
  }
  Shape expect = x.shape();
  expect.erase(expect.begin() + 1);
  if (labels_t.shape() != expect) {
    return InvalidArgument(std::string(at.name) + ": labels have shape " + ShapeToString(labels_t.shape()) +
                           ", expected " + ShapeToString(expect) + " for input " + ShapeToString(x.shape()));
  }
  Dims labels;
  EDGERUN_ASSIGN_OR_RETURN(labels, ReadInt64s(labels_t, "labels"));
  const AxisSplit s = SplitAtAxis(x.shape(), 1);
  return DispatchFloat(x.dtype(), at.name, [&]<typename T>() { return RunLoss<T>(at, ctx, labels, s); });
}

void RegisterLoss(KernelRegistry& r, const char* name, bool softmax) {
  r.Register(name, [name, softmax](const KernelCreateContext& kc) -> Result<std::unique_ptr<Kernel>> {
    LossAttrs at;
    at.name = name;
    at.softmax = softmax;
    const std::string red = kc.node.GetString("reduction", "mean");
    if (red == "none") {
      at.reduction = Reduction::kNone;
    } else if (red == "sum") {
      at.reduction = Reduction::kSum;
    } else if (red == "mean") {
      at.reduction = Reduction::kMean;
    } else {
      return InvalidArgument(kc.node.Describe() + ": unknown reduction '" + red + "'");
    }
    at.has_ignore_index = kc.node.HasAttribute("ignore_index");
    at.ignore_index = kc.node.GetInt("ignore_index", 0);
    return MakeFnKernel([at](KernelContext& ctx) { return LossRun(at, ctx); });
  });
}

}  // namespace

void RegisterLossKernels(KernelRegistry& r) {
  RegisterLoss(r, "SoftmaxCrossEntropyLoss", true);
  RegisterLoss(r, "NegativeLogLikelihoodLoss", false);
}

}  // namespace edgerun
