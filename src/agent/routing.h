// Router: decides whether an inference result goes to the outbox (active learning).
// Uncertain results are routed by the configured strategy; a random sample of confident ones
// is routed too (reason "sample").
// Thread-safety: Route is safe to call concurrently (sampling uses an atomic counter hash).
#pragma once

#include <atomic>
#include <string>
#include <vector>

#include "edgerun/agent.h"

namespace edgerun::agent {

const char* RoutingStrategyName(RoutingStrategy s);
// The default threshold of a strategy (least_confidence 0.85, margin 0.2, entropy 0.5).
double DefaultThreshold(RoutingStrategy s);

// Normalized entropy H(p) / ln(K) in [0, 1] (0 for K < 2).
double NormalizedEntropy(const std::vector<float>& probs);

class Router {
 public:
  explicit Router(const RoutingConfig& config);
  // Returns the reason ("least_confidence", "margin", "entropy", "sample") or "" when the result
  // stays on the device. `probs` are the class probabilities.
  const char* Route(const std::vector<float>& probs);
  double threshold() const { return threshold_; }

 private:
  bool Uncertain(const std::vector<float>& probs) const;
  double NextUniform();

  RoutingConfig config_;
  double threshold_;
  std::atomic<uint64_t> sample_counter_{0};
};

}  // namespace edgerun::agent
