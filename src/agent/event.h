// Event: one routed inference result, as handed from Infer to the outbox writer (raw fields,
// cheap to fill on the inference thread) and as serialized for the outbox and the cloud
// (the JSON object of the wire contract, docs/agent.md).
// Thread-safety: value types; the functions are pure.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "edgerun/agent.h"

namespace edgerun::agent {

struct PendingEvent {
  std::string id;                    // ULID
  int64_t timestamp_ms = 0;          // wall clock, Unix ms
  std::vector<float> input;          // the raw input (before normalization)
  int top_class = -1;
  float confidence = 0;
  std::vector<std::pair<int, float>> top_k;
  int64_t latency_us = 0;
  const char* route = "";            // static string from the router
};

// Fields shared by every event of one agent.
struct EventContext {
  std::string device_id;
  std::string model;
  std::string model_version;
  std::vector<std::string> labels;
  InputPayload input = InputPayload::kRaw;
};

// The event as one compact JSON object (the wire contract's EVENT).
std::string SerializeEvent(const EventContext& ctx, const PendingEvent& event);

std::string Base64Encode(const void* data, size_t size);
// Lower-case hex SHA-256.
std::string Sha256Hex(const void* data, size_t size);

}  // namespace edgerun::agent
