#include "agent/event.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace edgerun::agent {
namespace {

TEST(EventTest, Base64AndSha256MatchKnownVectors) {
  EXPECT_EQ(Base64Encode("", 0), "");
  EXPECT_EQ(Base64Encode("f", 1), "Zg==");
  EXPECT_EQ(Base64Encode("fo", 2), "Zm8=");
  EXPECT_EQ(Base64Encode("foo", 3), "Zm9v");
  EXPECT_EQ(Base64Encode("foobar", 6), "Zm9vYmFy");
  EXPECT_EQ(Sha256Hex("abc", 3), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(EventTest, SerializesTheContractFields) {
  EventContext ctx{"dev-9", "m", "2", {"a", "b"}, InputPayload::kRaw};
  PendingEvent ev;
  ev.id = "01ARZ3NDEKTSV4RRFFQ69G5FAV";
  ev.timestamp_ms = 1764093600123;
  ev.input = {1.0f, 2.0f};
  ev.top_class = 1;
  ev.confidence = 0.75f;
  ev.top_k = {{1, 0.75f}, {0, 0.25f}};
  ev.latency_us = 12;
  ev.route = "margin";
  auto j = nlohmann::json::parse(SerializeEvent(ctx, ev));
  EXPECT_EQ(j["id"], ev.id);
  EXPECT_EQ(j["device_id"], "dev-9");
  EXPECT_EQ(j["model"], "m");
  EXPECT_EQ(j["model_version"], "2");
  EXPECT_EQ(j["timestamp"], "2025-11-25T18:00:00.123Z");
  EXPECT_EQ(j["prediction"]["class"], 1);
  EXPECT_EQ(j["prediction"]["label"], "b");
  EXPECT_EQ(j["prediction"]["top_k"][0][0], 1);
  EXPECT_FLOAT_EQ(j["confidence"].get<float>(), 0.75f);
  EXPECT_EQ(j["latency_us"], 12);
  EXPECT_EQ(j["route"], "margin");
  EXPECT_EQ(j["input"], Base64Encode(ev.input.data(), 8));
  ctx.input = InputPayload::kNone;
  auto none = nlohmann::json::parse(SerializeEvent(ctx, ev));
  EXPECT_FALSE(none.contains("input"));
  EXPECT_FALSE(none.contains("input_sha256"));
}

}  // namespace
}  // namespace edgerun::agent
