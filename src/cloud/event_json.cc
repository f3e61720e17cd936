// Batch validation with nlohmann::json; exceptions stop at this file's boundary.
#include "cloud/event_json.h"

#include <cmath>
#include <nlohmann/json.hpp>

#include "cloud/encoding.h"
#include "cloud/rfc3339.h"

namespace edgerun::cloud {

namespace {

using nlohmann::json;

std::string TypeName(const json& v) {
  if (v.is_number_integer() || v.is_number_unsigned()) return "integer";
  if (v.is_number_float()) return "number";
  return v.type_name();
}

// A short rendering of a value for error messages.
std::string Show(const json& v) {
  std::string s = v.dump();
  if (s.size() > 40) s = s.substr(0, 37) + "...";
  return s;
}

Status FieldError(const std::string& path, const std::string& what) { return InvalidArgument(path + ": " + what); }

// Identifiers: 1..kMaxIdLength printable ASCII characters, no spaces.
Result<std::string> IdField(const json& obj, const std::string& path, const char* name) {
  auto it = obj.find(name);
  std::string p = path + name;
  if (it == obj.end()) return FieldError(p, "missing (a string is required)");
  if (!it->is_string()) return FieldError(p, "expected a string, got " + TypeName(*it));
  const std::string& s = it->get_ref<const std::string&>();
  if (s.empty()) return FieldError(p, "must not be empty");
  if (s.size() > kMaxIdLength) return FieldError(p, "longer than " + std::to_string(kMaxIdLength) + " characters");
  for (char c : s) {
    if (c <= 0x20 || c >= 0x7F) return FieldError(p, "must be printable ASCII without spaces");
  }
  return s;
}

// Integers >= 0 (JSON numbers without a fraction part).
Result<int64_t> CountValue(const json& v, const std::string& path) {
  if (v.is_number_unsigned()) {
    if (v.get<uint64_t>() > static_cast<uint64_t>(INT64_MAX)) return FieldError(path, "integer too large");
    return static_cast<int64_t>(v.get<uint64_t>());
  }
  if (v.is_number_integer()) {
    int64_t n = v.get<int64_t>();
    if (n < 0) return FieldError(path, "expected an integer >= 0, got " + std::to_string(n));
    return n;
  }
  return FieldError(path, "expected an integer >= 0, got " + TypeName(v));
}

Result<DeviceStatus> ParseStatus(const json& v) {
  if (!v.is_object()) return FieldError("status", "expected an object, got " + TypeName(v));
  DeviceStatus st;
  for (const char* name : {"outbox_depth", "outbox_bytes"}) {
    auto it = v.find(name);
    if (it == v.end() || it->is_null()) continue;
    EDGERUN_ASSIGN_OR_RETURN(int64_t n, CountValue(*it, std::string("status.") + name));
    (std::string(name) == "outbox_depth" ? st.outbox_depth : st.outbox_bytes) = n;
  }
  for (const char* name : {"model", "model_version"}) {
    auto it = v.find(name);
    if (it == v.end() || it->is_null()) continue;
    EDGERUN_ASSIGN_OR_RETURN(std::string s, IdField(v, "status.", name));
    (std::string(name) == "model" ? st.model : st.model_version) = s;
  }
  if (auto it = v.find("drops"); it != v.end() && !it->is_null()) {
    if (!it->is_object()) return FieldError("status.drops", "expected an object, got " + TypeName(*it));
    for (const auto& [reason, count] : it->items()) {
      if (reason.empty() || reason.size() > kMaxIdLength) return FieldError("status.drops", "bad reason name");
      EDGERUN_ASSIGN_OR_RETURN(int64_t n, CountValue(count, "status.drops." + reason));
      (void)n;
    }
    st.drops_json = it->dump();
  }
  return st;
}

Result<Event> ParseEvent(const json& v, size_t index) {
  std::string path = "events[" + std::to_string(index) + "].";
  if (!v.is_object()) return FieldError(path.substr(0, path.size() - 1), "expected an object, got " + TypeName(v));
  Event e;
  EDGERUN_ASSIGN_OR_RETURN(e.id, IdField(v, path, "id"));
  EDGERUN_ASSIGN_OR_RETURN(e.device_id, IdField(v, path, "device_id"));
  EDGERUN_ASSIGN_OR_RETURN(e.model, IdField(v, path, "model"));
  EDGERUN_ASSIGN_OR_RETURN(e.model_version, IdField(v, path, "model_version"));

  auto ts = v.find("timestamp");
  if (ts == v.end()) return FieldError(path + "timestamp", "missing (an RFC 3339 string is required)");
  if (!ts->is_string()) return FieldError(path + "timestamp", "expected an RFC 3339 string, got " + TypeName(*ts));
  auto millis = ParseRfc3339Millis(ts->get_ref<const std::string&>());
  if (!millis.ok()) return FieldError(path + "timestamp", millis.status().message() + ": " + Show(*ts));
  e.timestamp_ms = *millis;

  if (!v.contains("prediction")) return FieldError(path + "prediction", "missing");

  auto conf = v.find("confidence");
  if (conf == v.end()) return FieldError(path + "confidence", "missing (a number in [0, 1] is required)");
  if (!conf->is_number()) return FieldError(path + "confidence", "expected a number in [0, 1], got " + TypeName(*conf));
  double c = conf->get<double>();
  if (!std::isfinite(c) || c < 0.0 || c > 1.0) {
    return FieldError(path + "confidence", "expected a number in [0, 1], got " + Show(*conf));
  }

  auto lat = v.find("latency_us");
  if (lat == v.end()) return FieldError(path + "latency_us", "missing (an integer >= 0 is required)");
  EDGERUN_ASSIGN_OR_RETURN(int64_t latency, CountValue(*lat, path + "latency_us"));
  (void)latency;

  std::optional<std::string> input;
  if (auto in = v.find("input"); in != v.end() && !in->is_null()) {
    if (!in->is_string()) return FieldError(path + "input", "expected a base64 string, got " + TypeName(*in));
    auto bytes = Base64Decode(in->get_ref<const std::string&>());
    if (!bytes.ok()) return FieldError(path + "input", bytes.status().message());
    if (bytes->size() % 4 != 0) {
      return FieldError(path + "input", "decoded length " + std::to_string(bytes->size()) + " is not a multiple of 4 (float32)");
    }
    input = std::move(bytes).value();
  }
  if (auto sha = v.find("input_sha256"); sha != v.end() && !sha->is_null()) {
    if (!sha->is_string() || !IsHex(sha->get_ref<const std::string&>(), 64)) {
      return FieldError(path + "input_sha256", "expected 64 hex digits, got " + Show(*sha));
    }
    if (input) {
      std::string want = sha->get<std::string>();
      for (char& ch : want) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
      if (Sha256Hex(*input) != want) return FieldError(path + "input_sha256", "does not match the SHA-256 of input");
    }
  }
  if (auto route = v.find("route"); route != v.end() && !route->is_null()) {
    if (!route->is_string()) return FieldError(path + "route", "expected a string, got " + TypeName(*route));
  }
  e.json = v.dump();
  return e;
}

Result<EventBatch> ParseBatchJson(const json& doc) {
  if (!doc.is_object()) return FieldError("body", "expected a JSON object, got " + TypeName(doc));
  EventBatch batch;
  if (auto it = doc.find("device_id"); it != doc.end() && !it->is_null()) {
    EDGERUN_ASSIGN_OR_RETURN(std::string id, IdField(doc, "", "device_id"));
    batch.device_id = id;
  }
  if (auto it = doc.find("status"); it != doc.end() && !it->is_null()) {
    EDGERUN_ASSIGN_OR_RETURN(DeviceStatus st, ParseStatus(*it));
    batch.status = std::move(st);
  }
  auto events = doc.find("events");
  if (events == doc.end()) return FieldError("events", "missing (an array is required; it may be empty)");
  if (!events->is_array()) return FieldError("events", "expected an array, got " + TypeName(*events));
  batch.events.reserve(events->size());
  for (size_t i = 0; i < events->size(); ++i) {
    EDGERUN_ASSIGN_OR_RETURN(Event e, ParseEvent((*events)[i], i));
    batch.events.push_back(std::move(e));
  }
  return batch;
}

}  // namespace

int JsonNestingDepth(std::string_view text) {
  int depth = 0, max_depth = 0;
  bool in_string = false, escaped = false;
  for (char c : text) {
    if (in_string) {
      if (escaped) {
        escaped = false;
      } else if (c == '\\') {
        escaped = true;
      } else if (c == '"') {
        in_string = false;
      }
      continue;
    }
    if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      if (++depth > max_depth) max_depth = depth;
    } else if (c == ']' || c == '}') {
      if (depth > 0) --depth;
    }
  }
  return max_depth;
}

Result<EventBatch> ParseEventBatch(std::string_view body) {
  // Deep nesting would make later recursive walks (dump) overflow the stack: refuse it up front.
  int depth = JsonNestingDepth(body);
  if (depth > kMaxJsonDepth) {
    return FieldError("body", "JSON nested " + std::to_string(depth) + " levels deep, the limit is " +
                                  std::to_string(kMaxJsonDepth));
  }
  json doc;
  try {
    doc = json::parse(body.begin(), body.end());
  } catch (const json::parse_error& e) {
    return InvalidArgument("malformed JSON at byte " + std::to_string(e.byte) + ": " + e.what());
  } catch (const std::exception& e) {
    return InvalidArgument(std::string("malformed JSON: ") + e.what());
  }
  try {
    return ParseBatchJson(doc);
  } catch (const std::exception& e) {  // nlohmann type errors would be our bug; report, never crash
    return Internal(std::string("validating batch: ") + e.what());
  }
}

}  // namespace edgerun::cloud
