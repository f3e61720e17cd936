// Pointwise activation reference kernels: Relu, LeakyRelu, Elu, Selu, Celu, Gelu, Sigmoid,
// HardSigmoid, HardSwish, Tanh, Softplus, Softsign, Mish, ThresholdedRelu, Shrink.
// Attributes are read and validated when the kernel is created. Float16/bfloat16 compute in
// float. Thread-safety: kernels are const and stateless.
#include <cmath>
#include <string>

#include "kernels/reference/elementwise_common.h"

namespace edgerun::elementwise {
namespace {

template <typename V>
V StableSoftplus(V x) {
  return x > V(0) ? x + std::log1p(std::exp(-x)) : std::log1p(std::exp(x));
}

template <typename V>
V StableSigmoid(V x) {
  if (x >= V(0)) return V(1) / (V(1) + std::exp(-x));
  const V e = std::exp(x);
  return e / (V(1) + e);
}

// Registers a float-only activation whose element function is built from the node by
// make_f: (const ir::Node&) -> Result<F>.
template <TypeSet S = TypeSet::kFloat, typename MakeF>
void RegisterActivation(KernelRegistry& r, const char* op, MakeF make_f) {
  r.Register(op, [op, make_f](const KernelCreateContext& c) -> Result<std::unique_ptr<Kernel>> {
    EDGERUN_RETURN_IF_ERROR(CheckInputCount(c.node, 1, 1));
    auto f = make_f(c.node);
    if (!f.ok()) return f.status();
    return MakeUnaryKernel<S>(op, std::move(f).value());
  });
}

template <typename F>
Result<F> Ok(F f) {
  return f;
}

void RegisterGelu(KernelRegistry& r) {
  RegisterActivation(r, "Gelu", [](const ir::Node& node) {
    const std::string approx = node.GetString("approximate", "none");
    const bool use_tanh = approx == "tanh";
    auto f = [use_tanh](auto x) -> decltype(x) {
      using V = decltype(x);
      if (use_tanh) {
        const V k = static_cast<V>(0.7978845608028654);  // sqrt(2 / pi)
        return V(0.5) * x * (V(1) + std::tanh(k * (x + V(0.044715) * x * x * x)));
      }
      return V(0.5) * x * (V(1) + std::erf(x * static_cast<V>(0.7071067811865476)));
    };
    using F = decltype(f);
    if (approx != "none" && approx != "tanh") {
      return Result<F>(InvalidArgument(node.Describe() + ": approximate must be \"none\" or \"tanh\", got \"" + approx + "\""));
    }
    return Result<F>(f);
  });
}

}  // namespace

void RegisterActivationKernels(KernelRegistry& r) {
  // Relu accepts signed integers from opset 14.
  RegisterActivation<TypeSet::kSignedNumeric>(r, "Relu", [](const ir::Node&) {
    return Ok([](auto x) -> decltype(x) { return x > decltype(x)(0) ? x : decltype(x)(0); });
  });
  RegisterActivation(r, "LeakyRelu", [](const ir::Node& node) {
    const float alpha = node.GetFloat("alpha", 0.01f);
    return Ok([alpha](auto x) -> decltype(x) { return x < 0 ? static_cast<decltype(x)>(alpha) * x : x; });
  });
  RegisterActivation(r, "Elu", [](const ir::Node& node) {
    const float alpha = node.GetFloat("alpha", 1.0f);
    return Ok([alpha](auto x) -> decltype(x) { return x < 0 ? static_cast<decltype(x)>(alpha) * std::expm1(x) : x; });
  });
  RegisterActivation(r, "Selu", [](const ir::Node& node) {
    const float alpha = node.GetFloat("alpha", 1.67326319217681884765625f);
    const float gamma = node.GetFloat("gamma", 1.05070102214813232421875f);
    return Ok([alpha, gamma](auto x) -> decltype(x) {
      using V = decltype(x);
      return x > V(0) ? static_cast<V>(gamma) * x : static_cast<V>(gamma) * static_cast<V>(alpha) * std::expm1(x);
    });
  });
  RegisterActivation(r, "Celu", [](const ir::Node& node) {
    const float alpha = node.GetFloat("alpha", 1.0f);
    auto f = [alpha](auto x) -> decltype(x) {
      using V = decltype(x);
      const V a = static_cast<V>(alpha);
      return x > V(0) ? x : a * std::expm1(x / a);
    };
    using F = decltype(f);
    if (alpha == 0.0f) return Result<F>(InvalidArgument(node.Describe() + ": alpha must be non-zero"));
    return Result<F>(f);
  });
  RegisterActivation(r, "Sigmoid", [](const ir::Node&) { return Ok([](auto x) { return StableSigmoid(x); }); });
  RegisterActivation(r, "HardSigmoid", [](const ir::Node& node) {
    const float alpha = node.GetFloat("alpha", 0.2f);
    const float beta = node.GetFloat("beta", 0.5f);
    return Ok([alpha, beta](auto x) -> decltype(x) {
      using V = decltype(x);
      const V y = static_cast<V>(alpha) * x + static_cast<V>(beta);
      return y < V(0) ? V(0) : (y > V(1) ? V(1) : y);
    });
  });
  RegisterActivation(r, "HardSwish", [](const ir::Node&) {
    return Ok([](auto x) -> decltype(x) {
      using V = decltype(x);
      const V y = x / V(6) + V(0.5);
      return x * (y < V(0) ? V(0) : (y > V(1) ? V(1) : y));
    });
  });
  RegisterActivation(r, "Tanh", [](const ir::Node&) { return Ok([](auto x) { return std::tanh(x); }); });
  RegisterActivation(r, "Softplus", [](const ir::Node&) { return Ok([](auto x) { return StableSoftplus(x); }); });
  RegisterActivation(r, "Softsign", [](const ir::Node&) {
    return Ok([](auto x) { return x / (decltype(x)(1) + std::fabs(x)); });
  });
  RegisterActivation(r, "Mish", [](const ir::Node&) {
    return Ok([](auto x) { return x * std::tanh(StableSoftplus(x)); });
  });
  RegisterActivation(r, "ThresholdedRelu", [](const ir::Node& node) {
    const float alpha = node.GetFloat("alpha", 1.0f);
    return Ok([alpha](auto x) -> decltype(x) { return x > static_cast<decltype(x)>(alpha) ? x : decltype(x)(0); });
  });
  // Shrink accepts every numeric type; integers compute in double and saturate.
  RegisterActivation<TypeSet::kNumeric>(r, "Shrink", [](const ir::Node& node) {
    const float lambd = node.GetFloat("lambd", 0.5f);
    const float bias = node.GetFloat("bias", 0.0f);
    return Ok([lambd, bias](auto x) -> decltype(x) {
      using V = decltype(x);
      using W = std::conditional_t<std::is_floating_point_v<V>, V, double>;
      const W v = static_cast<W>(x);
      const W l = static_cast<W>(lambd);
      const W b = static_cast<W>(bias);
      const W y = v < -l ? v + b : (v > l ? v - b : W(0));
      if constexpr (std::is_floating_point_v<V>) {
        return y;
      } else {
        return SaturateCast<V>(y);
      }
    });
  });
  RegisterGelu(r);
}

}  // namespace edgerun::elementwise
