// Byte encodings and digests used by the cloud service: base64, hex, SHA-256, random tokens.
// Thread-safety: all functions are pure or use OpenSSL's thread-safe RNG; safe from any thread.
#pragma once

#include <string>
#include <string_view>

#include "edgerun/status.h"

namespace edgerun::cloud {

// Decodes standard base64 (RFC 4648 alphabet, '=' padding optional). Fails with InvalidArgument
// naming the offending character position on any other character or a bad length.
Result<std::string> Base64Decode(std::string_view text);

// Lowercase hex of the bytes.
std::string HexEncode(std::string_view bytes);

// True if `text` is exactly `length` hex digits (either case).
bool IsHex(std::string_view text, size_t length);

// Lowercase hex SHA-256 of the bytes.
std::string Sha256Hex(std::string_view bytes);

// A new secret: `bytes` random bytes from the OS CSPRNG, hex encoded. Fails with Internal when
// the RNG fails.
Result<std::string> RandomHexToken(size_t bytes = 32);

}  // namespace edgerun::cloud
