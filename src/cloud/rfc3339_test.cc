#include "cloud/rfc3339.h"

#include <gtest/gtest.h>

#include "cloud/result_testing.h"

namespace edgerun::cloud {
namespace {

TEST(Rfc3339Test, ParsesUtcWithMilliseconds) {
  auto ms = ParseRfc3339Millis("2026-11-25T18:00:00.123Z");
  ASSERT_TRUE(ms.ok()) << ms.status().ToString();
  EXPECT_EQ(*ms, 1795629600123);
  EXPECT_EQ(FormatRfc3339Millis(*ms), "2026-11-25T18:00:00.123Z");
}

TEST(Rfc3339Test, ParsesOffsetsAndFractions) {
  EXPECT_EQ(ValueOrFail(ParseRfc3339Millis("1970-01-01T00:00:00Z")), 0);
  EXPECT_EQ(ValueOrFail(ParseRfc3339Millis("1970-01-01T01:00:00+01:00")), 0);
  EXPECT_EQ(ValueOrFail(ParseRfc3339Millis("1969-12-31T23:00:00-01:00")), 0);
  EXPECT_EQ(ValueOrFail(ParseRfc3339Millis("1970-01-01t00:00:01.5z")), 1500);
  EXPECT_EQ(ValueOrFail(ParseRfc3339Millis("1970-01-01T00:00:00.123456789Z")), 123);
  EXPECT_EQ(ValueOrFail(ParseRfc3339Millis("2024-02-29T00:00:00Z")), 1709164800000);
}

TEST(Rfc3339Test, FormatsNegativeAndLeapDates) {
  EXPECT_EQ(FormatRfc3339Millis(-1), "1969-12-31T23:59:59.999Z");
  EXPECT_EQ(FormatRfc3339Millis(1709164800000), "2024-02-29T00:00:00.000Z");
}

TEST(Rfc3339Test, RejectsMalformedWithReason) {
  for (const char* bad : {"", "2026-11-25", "2026-11-25 18:00:00Z", "2026-13-01T00:00:00Z", "2023-02-29T00:00:00Z",
                          "2026-11-25T24:00:00Z", "2026-11-25T18:00:00", "2026-11-25T18:00:00.Z",
                          "2026-11-25T18:00:00Zjunk", "2026-11-25T18:00:00+0100", "01JDQ0000000000000000000A1"}) {
    auto ms = ParseRfc3339Millis(bad);
    EXPECT_FALSE(ms.ok()) << bad;
    if (!ms.ok()) {
      EXPECT_NE(ms.status().message().find("RFC 3339"), std::string::npos) << bad;
    }
  }
}

}  // namespace
}  // namespace edgerun::cloud
