// Routing strategies for uncertain results.
#include "agent/routing.h"

#include <algorithm>
#include <cmath>
#include <random>

namespace edgerun::agent {

const char* RoutingStrategyName(RoutingStrategy s) {
  switch (s) {
    case RoutingStrategy::kLeastConfidence: return "least_confidence";
    case RoutingStrategy::kMargin: return "margin";
    case RoutingStrategy::kEntropy: return "entropy";
  }
  return "?";
}

double DefaultThreshold(RoutingStrategy s) {
  switch (s) {
    case RoutingStrategy::kLeastConfidence: return 0.85;
    case RoutingStrategy::kMargin: return 0.2;
    case RoutingStrategy::kEntropy: return 0.5;
  }
  return 0.85;
}

double NormalizedEntropy(const std::vector<float>& probs) {
  if (probs.size() < 2) return 0.0;
  double h = 0;
  for (float p : probs) {
    if (p > 0) h -= p * std::log(static_cast<double>(p));
  }
  return h / std::log(static_cast<double>(probs.size()));
}

Router::Router(const RoutingConfig& config)
    : config_(config), threshold_(config.threshold < 0 ? DefaultThreshold(config.strategy) : config.threshold) {}

bool Router::Uncertain(const std::vector<float>& probs) const {
  if (probs.empty()) return false;
  float top1 = -1, top2 = 0;
  for (float p : probs) {
    if (p > top1) {
      top2 = top1 < 0 ? 0 : top1;
      top1 = p;
    } else if (p > top2) {
      top2 = p;
    }
  }
  switch (config_.strategy) {
    case RoutingStrategy::kLeastConfidence: return top1 < threshold_;
    case RoutingStrategy::kMargin: return (top1 - top2) < threshold_;
    case RoutingStrategy::kEntropy: return NormalizedEntropy(probs) > threshold_;
  }
  return false;
}

double Router::NextUniform() {
  // splitmix64 over a shared counter: lock-free, reproducible for a fixed seed and call order.
  uint64_t seed = config_.seed;
  if (seed == 0) {
    static const uint64_t os_seed = std::random_device{}() | (uint64_t{std::random_device{}()} << 32);
    seed = os_seed;
  }
  uint64_t z = seed + 0x9E3779B97F4A7C15ull * (sample_counter_.fetch_add(1, std::memory_order_relaxed) + 1);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  z ^= z >> 31;
  return static_cast<double>(z >> 11) * 0x1.0p-53;
}

const char* Router::Route(const std::vector<float>& probs) {
  if (Uncertain(probs)) return RoutingStrategyName(config_.strategy);
  if (config_.sample_rate > 0 && NextUniform() < config_.sample_rate) return "sample";
  return "";
}

}  // namespace edgerun::agent
