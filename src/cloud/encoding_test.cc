#include "cloud/encoding.h"

#include <gtest/gtest.h>

#include "cloud/result_testing.h"

namespace edgerun::cloud {
namespace {

TEST(EncodingTest, Base64DecodesRfc4648Vectors) {
  EXPECT_EQ(ValueOrFail(Base64Decode("")), "");
  EXPECT_EQ(ValueOrFail(Base64Decode("Zg==")), "f");
  EXPECT_EQ(ValueOrFail(Base64Decode("Zm8=")), "fo");
  EXPECT_EQ(ValueOrFail(Base64Decode("Zm9v")), "foo");
  EXPECT_EQ(ValueOrFail(Base64Decode("Zm9vYmFy")), "foobar");
  EXPECT_EQ(ValueOrFail(Base64Decode("Zm9vYg")), "foob");  // padding optional
  EXPECT_EQ(ValueOrFail(Base64Decode("AACAPw==")), std::string("\x00\x00\x80\x3f", 4));  // 1.0f little-endian
}

TEST(EncodingTest, Base64RejectsBadInput) {
  EXPECT_FALSE(Base64Decode("Zm9v!").ok());
  EXPECT_FALSE(Base64Decode("Z").ok());
  EXPECT_FALSE(Base64Decode("Zg=").ok());
  EXPECT_FALSE(Base64Decode("Zm 9v").ok());
  auto r = Base64Decode("Zm9v*mFy");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("position 4"), std::string::npos) << r.status().message();
}

TEST(EncodingTest, Sha256AndHex) {
  EXPECT_EQ(Sha256Hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(HexEncode(std::string("\x00\xff\x10", 3)), "00ff10");
  EXPECT_TRUE(IsHex("00fFaB", 6));
  EXPECT_FALSE(IsHex("00fg", 4));
  EXPECT_FALSE(IsHex("00", 4));
}

TEST(EncodingTest, RandomTokensAreLongAndDistinct) {
  auto a = RandomHexToken();
  auto b = RandomHexToken();
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(a->size(), 64u);
  EXPECT_TRUE(IsHex(*a, 64));
  EXPECT_NE(*a, *b);
}

}  // namespace
}  // namespace edgerun::cloud
