#include "agent/ulid.h"

#include <gtest/gtest.h>

namespace edgerun::agent {
namespace {

TEST(UlidTest, RoundTripsAndHasSpecLayout) {
  Ulid id{0x0123456789AB, 0xCDEF, 0x0123456789ABCDEFull};
  std::string s = UlidToString(id);
  ASSERT_EQ(s.size(), 26u);
  auto back = ParseUlid(s);
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->time_ms, id.time_ms);
  EXPECT_EQ(back->rand_hi, id.rand_hi);
  EXPECT_EQ(back->rand_lo, id.rand_lo);
  // Spec example: timestamp 1469918176385 encodes to "01ARYZ6S41" in the first 10 chars.
  EXPECT_EQ(UlidToString(Ulid{1469918176385, 0, 0}).substr(0, 10), "01ARYZ6S41");
}

TEST(UlidTest, RejectsBadText) {
  EXPECT_FALSE(ParseUlid("short").ok());
  EXPECT_FALSE(ParseUlid("8ZZZZZZZZZZZZZZZZZZZZZZZZZ").ok());  // overflows 128 bits
  EXPECT_FALSE(ParseUlid("0123456789ABCDEFGHJKMNPQR!").ok());
}

TEST(UlidTest, GeneratorIsStrictlyMonotonicEvenWhenTheClockStepsBack) {
  UlidGenerator gen(42);
  std::string prev;
  int64_t times[] = {1000, 1000, 1000, 999, 500, 1001, 1001};
  for (int64_t t : times) {
    std::string s = UlidToString(gen.Next(t));
    EXPECT_LT(prev, s);
    prev = s;
  }
}

TEST(UlidTest, ObserveKeepsIdsAboveAStoredOne) {
  UlidGenerator gen(1);
  Ulid stored{5000, 10, 20};
  gen.Observe(stored);
  EXPECT_LT(UlidToString(stored), UlidToString(gen.Next(4000)));
}

TEST(UlidTest, FormatsRfc3339WithMillis) {
  EXPECT_EQ(FormatRfc3339Millis(1764093600123), "2025-11-25T18:00:00.123Z");
  EXPECT_EQ(FormatRfc3339Millis(0), "1970-01-01T00:00:00.000Z");
}

}  // namespace
}  // namespace edgerun::agent
