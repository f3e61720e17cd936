// Reference FusedConv (domain com.edgerun, opset 1): y = act(conv(X, W) + B + Z). Inputs and
// attributes are Conv's plus an optional 4th input Z of the output's shape, a string attribute
// `activation` ("" none, Relu, Clip, Sigmoid, HardSigmoid, HardSwish, LeakyRelu, Tanh) and floats
// `activation_params` (Clip [min, max], LeakyRelu [alpha], HardSigmoid [alpha, beta]).
// The convolution is the reference Conv kernel; Z and the activation are applied in place.
// Thread-safety: the kernel is immutable after creation; Run keeps its state on the stack.
#include <algorithm>
#include <cmath>
#include <memory>
#include <utility>
#include <vector>

#include "kernels/reference/conv.h"
#include "kernels/reference/conv_util.h"
#include "kernels/reference/dispatch.h"
#include "ops/op_list.h"

namespace edgerun {
namespace {

enum class Act { kNone, kRelu, kClip, kSigmoid, kHardSigmoid, kHardSwish, kLeakyRelu, kTanh };

struct Activation {
  Act kind = Act::kNone;
  float p0 = 0, p1 = 0;

  float Apply(float x) const {
    switch (kind) {
      case Act::kNone: return x;
      case Act::kRelu: return x > 0 ? x : 0.0f;
      case Act::kClip: return std::min(std::max(x, p0), p1);
      case Act::kSigmoid: return 1.0f / (1.0f + std::exp(-x));
      case Act::kHardSigmoid: return std::max(0.0f, std::min(1.0f, p0 * x + p1));
      case Act::kHardSwish: return x * std::max(0.0f, std::min(1.0f, x / 6.0f + 0.5f));
      case Act::kLeakyRelu: return x >= 0 ? x : p0 * x;
      case Act::kTanh: return std::tanh(x);
    }
    return x;
  }
};

Result<Activation> ParseActivation(const ir::Node& node) {
  const std::string name = node.GetString("activation", "");
  const std::vector<float> params = node.GetFloats("activation_params");
  struct Known {
    const char* name;
    Act kind;
    size_t params;
    float d0, d1;
  };
  static const Known kKnown[] = {{"", Act::kNone, 0, 0, 0},
                                 {"Relu", Act::kRelu, 0, 0, 0},
                                 {"Clip", Act::kClip, 2, -INFINITY, INFINITY},
                                 {"Sigmoid", Act::kSigmoid, 0, 0, 0},
                                 {"HardSigmoid", Act::kHardSigmoid, 2, 0.2f, 0.5f},
                                 {"HardSwish", Act::kHardSwish, 0, 0, 0},
                                 {"LeakyRelu", Act::kLeakyRelu, 1, 0.01f, 0},
                                 {"Tanh", Act::kTanh, 0, 0, 0}};
  for (const auto& k : kKnown) {
    if (name != k.name) continue;
    if (!params.empty() && params.size() != k.params) {
      return InvalidArgument(node.Describe() + ": activation " + name + " takes " + std::to_string(k.params) +
                             " activation_params, got " + std::to_string(params.size()));
    }
    Activation a{k.kind, params.size() > 0 ? params[0] : k.d0, params.size() > 1 ? params[1] : k.d1};
    return a;
  }
  return InvalidArgument(node.Describe() + ": unknown activation '" + name +
                         "' (expected \"\", Relu, Clip, Sigmoid, HardSigmoid, HardSwish, LeakyRelu or Tanh)");
}

class FusedConvKernel final : public Kernel {
 public:
  FusedConvKernel(std::unique_ptr<Kernel> conv, Activation act) : conv_(std::move(conv)), act_(act) {}

  Status Run(KernelContext& ctx) const override {
    // The convolution reads inputs 0-2 and writes output 0 (planned memory, which never shares
    // storage with Z: both are alive at this step); bias, Z and the activation finish it in place.
    EDGERUN_RETURN_IF_ERROR(conv_->Run(ctx));
    Tensor& y = ctx.output_value(0).tensor;
    const Tensor* z = ctx.has_input(3) ? &ctx.input(3) : nullptr;
    if (z && (z->shape() != y.shape() || z->dtype() != y.dtype())) {
      return InvalidArgument("Z " + std::string(DataTypeName(z->dtype())) + ShapeToString(z->shape()) +
                             " must have the output's dtype and shape " + DataTypeName(y.dtype()) + ShapeToString(y.shape()));
    }
    EDGERUN_RETURN_IF_ERROR(DispatchFloat(y.dtype(), "FusedConv", [&]<typename T>() -> Status {
      T* yp = y.data<T>();
      const T* zp = z ? z->data<T>() : nullptr;
      for (int64_t i = 0; i < y.numel(); ++i) {
        if constexpr (std::is_same_v<T, double>) {
          double v = yp[i] + (zp ? zp[i] : 0.0);
          yp[i] = act_.kind == Act::kNone ? v : static_cast<double>(act_.Apply(static_cast<float>(v)));
        } else {
          float v = static_cast<float>(yp[i]) + (zp ? static_cast<float>(zp[i]) : 0.0f);
          yp[i] = T(act_.Apply(v));
        }
      }
      return Status::Ok();
    }));
    return Status::Ok();
  }

 private:
  std::unique_ptr<Kernel> conv_;
  Activation act_;
};

Result<std::unique_ptr<Kernel>> CreateFusedConv(const KernelCreateContext& kc) {
  if (kc.node.inputs.size() < 2 || kc.node.inputs.size() > 4) {
    return InvalidArgument(kc.node.Describe() + ": takes 2 to 4 inputs (X, W, B, Z), got " +
                           std::to_string(kc.node.inputs.size()));
  }
  Activation act;
  EDGERUN_ASSIGN_OR_RETURN(act, ParseActivation(kc.node));
  static const KernelRegistry* conv_registry = [] {
    auto* r = new KernelRegistry();
    RegisterConvKernel(*r);
    return r;
  }();
  ir::Node conv = kc.node;
  conv.op_type = "Conv";
  conv.domain = "";
  conv.opset = 11;
  conv.attributes.erase("activation");
  conv.attributes.erase("activation_params");
  if (conv.inputs.size() > 3) conv.inputs.resize(3);
  const KernelFactory* f = conv_registry->Find("", "Conv", conv.opset);
  KernelCreateContext ckc{conv, conv.opset, nullptr};
  std::unique_ptr<Kernel> conv_kernel;
  EDGERUN_ASSIGN_OR_RETURN(conv_kernel, (*f)(ckc));
  return std::unique_ptr<Kernel>(std::make_unique<FusedConvKernel>(std::move(conv_kernel), act));
}

}  // namespace

void RegisterFusedConvKernel(KernelRegistry& r) { r.Register("FusedConv", CreateFusedConv, 1, kEdgerunDomain); }

}  // namespace edgerun
