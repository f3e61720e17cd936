// The random generator of the reference kernels: MT19937 with numpy's legacy RandomState
// conversions (53-bit doubles from two draws; polar Box-Muller normals with a cached second
// value). A seeded generator therefore reproduces numpy.random.seed(s) followed by
// numpy.random.uniform / numpy.random.normal, which is how ONNX's reference outputs are made.
// Kernels create one generator per Run, so a seeded node gives the same output on every run.
// Thread-safety: a generator is used by one thread; distinct generators are independent.
#pragma once

#include <cmath>
#include <cstdint>
#include <cstring>
#include <random>

#include "ir/graph.h"

namespace edgerun {

class LegacyRandom {
 public:
  explicit LegacyRandom(uint32_t seed) : mt_(seed) {}

  // Uniform in [0, 1) with 53 random bits (numpy random_sample).
  double NextDouble() {
    uint32_t a = static_cast<uint32_t>(mt_()) >> 5, b = static_cast<uint32_t>(mt_()) >> 6;
    return (a * 67108864.0 + b) / 9007199254740992.0;
  }

  // Standard normal (numpy legacy_gauss).
  double NextGauss() {
    if (has_gauss_) {
      has_gauss_ = false;
      return gauss_;
    }
    double x1, x2, r2;
    do {
      x1 = 2.0 * NextDouble() - 1.0;
      x2 = 2.0 * NextDouble() - 1.0;
      r2 = x1 * x1 + x2 * x2;
    } while (r2 >= 1.0 || r2 == 0.0);
    double f = std::sqrt(-2.0 * std::log(r2) / r2);
    gauss_ = f * x1;
    has_gauss_ = true;
    return f * x2;
  }

 private:
  std::mt19937 mt_;
  bool has_gauss_ = false;
  double gauss_ = 0;
};

// The seed a node asks for: its `seed` attribute (a float holding an integral value in [0, 2^32)
// or an int is used as is, like numpy.random.seed; another float by its bit pattern), or none.
struct SeedSpec {
  bool has_seed = false;
  uint32_t seed = 0;

  static SeedSpec FromNode(const ir::Node& node) {
    SeedSpec s;
    if (!node.HasAttribute("seed")) return s;
    s.has_seed = true;
    if (node.FindAttribute("seed")->type == ir::Attribute::Type::kInt) {  // Dropout's seed is an int
      s.seed = static_cast<uint32_t>(static_cast<uint64_t>(node.GetInt("seed", 0)));
      return s;
    }
    float f = node.GetFloat("seed", 0.f);
    if (f >= 0.f && f < 4294967296.f && std::floor(f) == f) {
      s.seed = static_cast<uint32_t>(f);
    } else {
      std::memcpy(&s.seed, &f, sizeof(s.seed));
    }
    return s;
  }

  // A fresh generator: seeded from the attribute, or from std::random_device when unseeded.
  LegacyRandom MakeGenerator() const {
    if (has_seed) return LegacyRandom(seed);
    std::random_device rd;
    return LegacyRandom(static_cast<uint32_t>(rd()));
  }
};

}  // namespace edgerun
