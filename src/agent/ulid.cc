// ULID text codec and monotonic generator.
#include "agent/ulid.h"

#include <cstdio>
#include <ctime>

namespace edgerun::agent {
namespace {

constexpr char kAlphabet[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

int DecodeChar(char c) {
  if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  switch (c) {
    case 'O': c = '0'; break;
    case 'I': case 'L': c = '1'; break;
    default: break;
  }
  for (int i = 0; i < 32; ++i) {
    if (kAlphabet[i] == c) return i;
  }
  return -1;
}

bool Less(const Ulid& a, const Ulid& b) {
  if (a.time_ms != b.time_ms) return a.time_ms < b.time_ms;
  if (a.rand_hi != b.rand_hi) return a.rand_hi < b.rand_hi;
  return a.rand_lo < b.rand_lo;
}

}  // namespace

std::string UlidToString(const Ulid& id) {
  // 128 bits: time (48) | rand_hi (16) | rand_lo (64). 26 chars * 5 bits = 130 bits; the first
  // character carries the top 3 bits.
  unsigned __int128 v = (static_cast<unsigned __int128>(id.time_ms & 0xFFFFFFFFFFFFull) << 80) |
                        (static_cast<unsigned __int128>(id.rand_hi) << 64) | id.rand_lo;
  std::string out(26, '0');
  for (int i = 25; i >= 0; --i) {
    out[static_cast<size_t>(i)] = kAlphabet[static_cast<int>(v & 31)];
    v >>= 5;
  }
  return out;
}

Result<Ulid> ParseUlid(const std::string& text) {
  if (text.size() != 26) return InvalidArgument("ULID '" + text + "': expected 26 characters");
  unsigned __int128 v = 0;
  for (size_t i = 0; i < 26; ++i) {
    int d = DecodeChar(text[i]);
    if (d < 0) return InvalidArgument("ULID '" + text + "': bad character at " + std::to_string(i));
    if (i == 0 && d > 7) return InvalidArgument("ULID '" + text + "': overflows 128 bits");
    v = (v << 5) | static_cast<unsigned>(d);
  }
  Ulid id;
  id.rand_lo = static_cast<uint64_t>(v);
  id.rand_hi = static_cast<uint16_t>(v >> 64);
  id.time_ms = static_cast<uint64_t>(v >> 80);
  return id;
}

UlidGenerator::UlidGenerator(uint64_t seed) : rng_(seed) {}

Ulid UlidGenerator::Next(int64_t now_ms) {
  std::lock_guard<std::mutex> lock(mu_);
  Ulid id;
  uint64_t now = now_ms < 0 ? 0 : static_cast<uint64_t>(now_ms) & 0xFFFFFFFFFFFFull;
  if (have_last_ && now <= last_.time_ms) {
    id = last_;
    if (++id.rand_lo == 0 && ++id.rand_hi == 0) ++id.time_ms;  // carry (practically never)
  } else {
    id.time_ms = now;
    // Leave headroom in the top random bits so increments within a millisecond cannot carry.
    id.rand_hi = static_cast<uint16_t>(rng_() & 0x7FFF);
    id.rand_lo = rng_();
  }
  last_ = id;
  have_last_ = true;
  return id;
}

void UlidGenerator::Observe(const Ulid& last) {
  std::lock_guard<std::mutex> lock(mu_);
  if (!have_last_ || Less(last_, last)) {
    last_ = last;
    have_last_ = true;
  }
}

std::string FormatRfc3339Millis(int64_t unix_ms) {
  time_t secs = static_cast<time_t>(unix_ms / 1000);
  int ms = static_cast<int>(unix_ms % 1000);
  if (ms < 0) {
    ms += 1000;
    --secs;
  }
  struct tm tm_utc;
  gmtime_r(&secs, &tm_utc);
  char buf[64];
  std::snprintf(buf, sizeof(buf), "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm_utc.tm_year + 1900,
                tm_utc.tm_mon + 1, tm_utc.tm_mday, tm_utc.tm_hour, tm_utc.tm_min, tm_utc.tm_sec, ms);
  return buf;
}

}  // namespace edgerun::agent
