// The input socket's wire format (docs/agent.md):
//   frame   = u32 little-endian payload length, then the payload
//   request = binary tensor: "ERIN" magic, u8 version (1), u8 dtype (1 = float32), u8 rank (0..8),
//             u8 reserved (0), rank x u32 LE dims, then prod(dims) float32 LE values;
//             or JSON (first byte '{'): {"input": [numbers...]} (nested arrays are flattened)
//   reply   = JSON object: {"ok":true,"class":..,"label":..,"confidence":..,"top_k":[[c,p],..],
//             "outputs":[..],"latency_us":..,"route":"..."} or {"ok":false,"reason":"..","error":".."}
// Thread-safety: pure functions.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "edgerun/agent.h"
#include "edgerun/status.h"

namespace edgerun::agent {

inline constexpr char kFrameMagic[4] = {'E', 'R', 'I', 'N'};
inline constexpr uint8_t kFrameVersion = 1;
inline constexpr uint8_t kFrameDtypeFloat32 = 1;
inline constexpr int kFrameMaxRank = 8;

struct DecodedRequest {
  std::vector<float> input;
  std::vector<uint32_t> dims;  // empty for JSON requests
  bool json = false;
};

// Decodes one request payload. On failure returns InvalidArgument and sets *reason to
// "malformed" (bad magic/version/dtype/rank, length not matching the dims) or "bad_json".
Result<DecodedRequest> DecodeRequest(const std::string& payload, std::string* reason);

// Builders (for clients, tests and the benchmark).
std::string EncodeBinaryRequest(const std::vector<uint32_t>& dims, const float* data, size_t count);
std::string EncodeFrame(const std::string& payload);
uint32_t ReadU32Le(const unsigned char* p);

std::string EncodeResultReply(const InferenceResult& r);
std::string EncodeErrorReply(const std::string& reason, const std::string& message);

}  // namespace edgerun::agent
