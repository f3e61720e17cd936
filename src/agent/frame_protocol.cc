// Encoding and decoding of input-socket frames.
#include "agent/frame_protocol.h"

#include <cstring>

#include <nlohmann/json.hpp>

namespace edgerun::agent {
namespace {

void PutU32Le(std::string* out, uint32_t v) {
  for (int i = 0; i < 4; ++i) out->push_back(static_cast<char>((v >> (8 * i)) & 0xFF));
}

void Flatten(const nlohmann::json& j, std::vector<float>* out, bool* ok, int depth) {
  if (depth > kFrameMaxRank) {
    *ok = false;
    return;
  }
  if (j.is_array()) {
    for (const auto& e : j) {
      Flatten(e, out, ok, depth + 1);
      if (!*ok) return;
    }
  } else if (j.is_number()) {
    out->push_back(j.get<float>());
  } else {
    *ok = false;
  }
}

}  // namespace

uint32_t ReadU32Le(const unsigned char* p) {
  return uint32_t{p[0]} | (uint32_t{p[1]} << 8) | (uint32_t{p[2]} << 16) | (uint32_t{p[3]} << 24);
}

Result<DecodedRequest> DecodeRequest(const std::string& payload, std::string* reason) {
  DecodedRequest req;
  if (!payload.empty() && payload[0] == '{') {
    *reason = "bad_json";
    req.json = true;
    nlohmann::json j = nlohmann::json::parse(payload, nullptr, /*allow_exceptions=*/false);
    if (j.is_discarded()) return InvalidArgument("request is not valid JSON");
    if (!j.is_object() || !j.contains("input")) return InvalidArgument("JSON request needs an \"input\" array");
    bool ok = true;
    Flatten(j["input"], &req.input, &ok, 0);
    if (!ok || !j["input"].is_array()) return InvalidArgument("\"input\" must be a (nested) array of numbers");
    return req;
  }
  *reason = "malformed";
  const auto* p = reinterpret_cast<const unsigned char*>(payload.data());
  if (payload.size() < 8) return InvalidArgument("frame payload shorter than the 8-byte header");
  if (std::memcmp(p, kFrameMagic, 4) != 0) return InvalidArgument("bad magic (expected \"ERIN\" or JSON)");
  if (p[4] != kFrameVersion) return InvalidArgument("unsupported frame version " + std::to_string(p[4]));
  if (p[5] != kFrameDtypeFloat32) return InvalidArgument("unsupported dtype " + std::to_string(p[5]) + " (1 = float32)");
  const int rank = p[6];
  if (rank > kFrameMaxRank) return InvalidArgument("rank " + std::to_string(rank) + " over " + std::to_string(kFrameMaxRank));
  size_t header = 8 + 4 * static_cast<size_t>(rank);
  if (payload.size() < header) return InvalidArgument("frame payload shorter than its dims");
  uint64_t count = 1;
  for (int i = 0; i < rank; ++i) {
    uint32_t d = ReadU32Le(p + 8 + 4 * i);
    req.dims.push_back(d);
    count *= d;
    if (count > payload.size()) return InvalidArgument("dims describe more data than the frame holds");
  }
  if (payload.size() - header != count * 4) {
    return InvalidArgument("dims say " + std::to_string(count) + " float32 values, frame holds " +
                           std::to_string(payload.size() - header) + " bytes");
  }
  req.input.resize(static_cast<size_t>(count));
  if (count) std::memcpy(req.input.data(), p + header, static_cast<size_t>(count) * 4);
  reason->clear();
  return req;
}

std::string EncodeBinaryRequest(const std::vector<uint32_t>& dims, const float* data, size_t count) {
  std::string out(kFrameMagic, 4);
  out.push_back(static_cast<char>(kFrameVersion));
  out.push_back(static_cast<char>(kFrameDtypeFloat32));
  out.push_back(static_cast<char>(dims.size()));
  out.push_back(0);
  for (uint32_t d : dims) PutU32Le(&out, d);
  out.append(reinterpret_cast<const char*>(data), count * 4);
  return out;
}

std::string EncodeFrame(const std::string& payload) {
  std::string out;
  out.reserve(payload.size() + 4);
  PutU32Le(&out, static_cast<uint32_t>(payload.size()));
  out += payload;
  return out;
}

std::string EncodeResultReply(const InferenceResult& r) {
  nlohmann::json top_k = nlohmann::json::array();
  for (const auto& [c, p] : r.top_k) top_k.push_back({c, p});
  nlohmann::json j = {{"ok", true},           {"class", r.top_class},     {"label", r.label},
                      {"confidence", r.confidence}, {"top_k", top_k},     {"outputs", r.outputs},
                      {"latency_us", r.latency_us}, {"route", r.route}};
  return j.dump();
}

std::string EncodeErrorReply(const std::string& reason, const std::string& message) {
  return nlohmann::json({{"ok", false}, {"reason", reason}, {"error", message}})
      .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace edgerun::agent
