// The ingest wire format: parsing and validating `POST /api/v1/events` bodies (see docs/cloud.md).
// A batch is accepted whole or rejected whole; the first problem found is reported with its JSON
// path, e.g. `events[3].confidence: expected a number in [0, 1], got 1.5`.
// Thread-safety: pure functions.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "edgerun/status.h"

namespace edgerun::cloud {

// Limits applied while validating (all inclusive).
inline constexpr int kMaxJsonDepth = 32;
inline constexpr size_t kMaxIdLength = 128;

// The optional `status` object a device reports with each batch. Absent fields stay empty.
struct DeviceStatus {
  std::optional<int64_t> outbox_depth;
  std::optional<int64_t> outbox_bytes;
  std::optional<std::string> drops_json;  // the `drops` object, compact JSON (name -> count >= 0)
  std::optional<std::string> model;
  std::optional<std::string> model_version;
};

// One validated event.
struct Event {
  std::string id;
  std::string device_id;
  std::string model;
  std::string model_version;
  int64_t timestamp_ms = 0;
  std::string json;  // the whole event object as compact JSON, unknown fields kept
};

struct EventBatch {
  std::optional<std::string> device_id;  // the top-level `device_id`, when sent
  std::optional<DeviceStatus> status;
  std::vector<Event> events;
};

// Parses and validates a batch body. On failure returns InvalidArgument whose message starts with
// the JSON path of the problem (`body`, `device_id`, `status.drops.x`, `events[i].field`), or
// `malformed JSON at byte N: ...` when the text is not JSON.
Result<EventBatch> ParseEventBatch(std::string_view body);

// Deepest nesting of arrays/objects in `text` (strings are skipped; the text need not be valid).
int JsonNestingDepth(std::string_view text);

}  // namespace edgerun::cloud
