// Event serialization.
#include "agent/event.h"

#include <openssl/sha.h>

#include <nlohmann/json.hpp>

#include "agent/ulid.h"

namespace edgerun::agent {

std::string Base64Encode(const void* data, size_t size) {
  static constexpr char kTable[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  const auto* p = static_cast<const unsigned char*>(data);
  std::string out;
  out.reserve((size + 2) / 3 * 4);
  size_t i = 0;
  for (; i + 2 < size; i += 3) {
    uint32_t v = (uint32_t{p[i]} << 16) | (uint32_t{p[i + 1]} << 8) | p[i + 2];
    out += kTable[(v >> 18) & 63];
    out += kTable[(v >> 12) & 63];
    out += kTable[(v >> 6) & 63];
    out += kTable[v & 63];
  }
  if (i < size) {
    uint32_t v = uint32_t{p[i]} << 16;
    if (i + 1 < size) v |= uint32_t{p[i + 1]} << 8;
    out += kTable[(v >> 18) & 63];
    out += kTable[(v >> 12) & 63];
    out += i + 1 < size ? kTable[(v >> 6) & 63] : '=';
    out += '=';
  }
  return out;
}

std::string Sha256Hex(const void* data, size_t size) {
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(static_cast<const unsigned char*>(data), size, digest);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(2 * SHA256_DIGEST_LENGTH);
  for (unsigned char c : digest) {
    out += kHex[c >> 4];
    out += kHex[c & 15];
  }
  return out;
}

std::string SerializeEvent(const EventContext& ctx, const PendingEvent& event) {
  nlohmann::json prediction;
  prediction["class"] = event.top_class;
  if (event.top_class >= 0 && static_cast<size_t>(event.top_class) < ctx.labels.size()) {
    prediction["label"] = ctx.labels[static_cast<size_t>(event.top_class)];
  }
  nlohmann::json top_k = nlohmann::json::array();
  for (const auto& [cls, p] : event.top_k) top_k.push_back({cls, p});
  prediction["top_k"] = std::move(top_k);

  nlohmann::json j;
  j["id"] = event.id;
  j["device_id"] = ctx.device_id;
  j["model"] = ctx.model;
  j["model_version"] = ctx.model_version;
  j["timestamp"] = FormatRfc3339Millis(event.timestamp_ms);
  j["prediction"] = std::move(prediction);
  j["confidence"] = event.confidence;
  j["latency_us"] = event.latency_us < 0 ? 0 : event.latency_us;
  j["route"] = event.route;
  size_t bytes = event.input.size() * sizeof(float);
  if (ctx.input == InputPayload::kRaw) {
    j["input"] = Base64Encode(event.input.data(), bytes);
  } else if (ctx.input == InputPayload::kSha256) {
    j["input_sha256"] = Sha256Hex(event.input.data(), bytes);
  }
  return j.dump();
}

}  // namespace edgerun::agent
