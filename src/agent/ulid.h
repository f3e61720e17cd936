// ULIDs (https://github.com/ulid/spec): 48-bit millisecond timestamp + 80 random bits, written
// as 26 Crockford base32 characters, so string order is creation order. The generator is
// monotonic: within one millisecond, or when the clock steps back, it increments the previous
// id's random part instead of drawing a new one, so ids it returns always sort strictly
// increasing - also across restarts when seeded with the last id persisted (Observe).
// Thread-safety: UlidGenerator is internally locked; the free functions are pure.
#pragma once

#include <array>
#include <cstdint>
#include <mutex>
#include <random>
#include <string>

#include "edgerun/status.h"

namespace edgerun::agent {

struct Ulid {
  uint64_t time_ms = 0;  // 48 bits used
  uint16_t rand_hi = 0;  // top 16 of the 80 random bits
  uint64_t rand_lo = 0;  // low 64 random bits
};

// 26-character Crockford base32 text.
std::string UlidToString(const Ulid& id);
// InvalidArgument for a wrong length, a character outside the alphabet or an overflowing
// first character.
Result<Ulid> ParseUlid(const std::string& text);

class UlidGenerator {
 public:
  explicit UlidGenerator(uint64_t seed);
  // Next id for the wall time `now_ms` (strictly greater than every id returned or observed).
  Ulid Next(int64_t now_ms);
  // Makes later ids sort after `last` (e.g. the largest id already stored).
  void Observe(const Ulid& last);

 private:
  std::mutex mu_;
  std::mt19937_64 rng_;
  Ulid last_{};
  bool have_last_ = false;
};

// RFC 3339 UTC with milliseconds: 2026-11-25T18:00:00.123Z
std::string FormatRfc3339Millis(int64_t unix_ms);

}  // namespace edgerun::agent
