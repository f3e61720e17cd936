#include "cloud/event_json.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "cloud/encoding.h"

namespace edgerun::cloud {
namespace {

using nlohmann::json;

json ValidEvent(const std::string& id = "01JDQ0000000000000000000A1") {
  return json{{"id", id},
              {"device_id", "dev-1"},
              {"model", "sensor_mlp"},
              {"model_version", "1"},
              {"timestamp", "2026-11-25T18:00:00.123Z"},
              {"prediction", {{"class", 3}, {"label", "cat"}, {"top_k", {{3, 0.61}, {1, 0.22}}}}},
              {"confidence", 0.61},
              {"latency_us", 420}};
}

// The error message for `body`, or "" when it parses.
std::string ErrorOf(const std::string& body) {
  auto r = ParseEventBatch(body);
  return r.ok() ? "" : r.status().message();
}

std::string WithEventField(const std::string& field, const json& value, bool remove = false) {
  json ev = ValidEvent();
  if (remove) {
    ev.erase(field);
  } else {
    ev[field] = value;
  }
  return json{{"events", {ValidEvent("A"), ev}}}.dump();
}

TEST(EventJsonTest, ParsesAContractBatch) {
  json body = {{"device_id", "dev-1"},
               {"status",
                {{"outbox_depth", 12},
                 {"outbox_bytes", 3456},
                 {"drops", {{"drop_oldest", 3}, {"reject_new", 0}}},
                 {"model", "sensor_mlp"},
                 {"model_version", "1"}}},
               {"events", {ValidEvent()}}};
  auto r = ParseEventBatch(body.dump());
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(*r->device_id, "dev-1");
  ASSERT_TRUE(r->status.has_value());
  EXPECT_EQ(*r->status->outbox_depth, 12);
  EXPECT_EQ(*r->status->outbox_bytes, 3456);
  EXPECT_EQ(json::parse(*r->status->drops_json)["drop_oldest"], 3);
  ASSERT_EQ(r->events.size(), 1u);
  const Event& e = r->events[0];
  EXPECT_EQ(e.id, "01JDQ0000000000000000000A1");
  EXPECT_EQ(e.device_id, "dev-1");
  EXPECT_EQ(e.model, "sensor_mlp");
  EXPECT_EQ(e.timestamp_ms, 1795629600123);
  EXPECT_EQ(json::parse(e.json), ValidEvent());
}

TEST(EventJsonTest, EmptyEventsIsAHeartbeat) {
  auto r = ParseEventBatch(R"({"events": []})");
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->events.empty());
  EXPECT_FALSE(r->status.has_value());
}

TEST(EventJsonTest, KeepsUnknownAndOptionalFields) {
  json ev = ValidEvent();
  ev["route"] = "margin";
  ev["extra"] = {1, 2};
  auto r = ParseEventBatch(json{{"events", {ev}}}.dump());
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(json::parse(r->events[0].json)["extra"], json({1, 2}));
}

TEST(EventJsonTest, NamesTheFieldAndEventIndex) {
  EXPECT_EQ(ErrorOf(WithEventField("confidence", 1.5)), "events[1].confidence: expected a number in [0, 1], got 1.5");
  EXPECT_EQ(ErrorOf(WithEventField("confidence", "high")), "events[1].confidence: expected a number in [0, 1], got string");
  EXPECT_EQ(ErrorOf(WithEventField("id", nullptr, true)), "events[1].id: missing (a string is required)");
  EXPECT_EQ(ErrorOf(WithEventField("id", 7)), "events[1].id: expected a string, got integer");
  EXPECT_EQ(ErrorOf(WithEventField("id", "")), "events[1].id: must not be empty");
  EXPECT_EQ(ErrorOf(WithEventField("id", "a b")), "events[1].id: must be printable ASCII without spaces");
  EXPECT_EQ(ErrorOf(WithEventField("device_id", nullptr, true)), "events[1].device_id: missing (a string is required)");
  EXPECT_EQ(ErrorOf(WithEventField("model_version", 1)), "events[1].model_version: expected a string, got integer");
  EXPECT_EQ(ErrorOf(WithEventField("prediction", nullptr, true)), "events[1].prediction: missing");
  EXPECT_EQ(ErrorOf(WithEventField("latency_us", -1)), "events[1].latency_us: expected an integer >= 0, got -1");
  EXPECT_EQ(ErrorOf(WithEventField("latency_us", 1.5)), "events[1].latency_us: expected an integer >= 0, got number");
  EXPECT_EQ(ErrorOf(WithEventField("latency_us", nullptr, true)),
            "events[1].latency_us: missing (an integer >= 0 is required)");
  EXPECT_NE(ErrorOf(WithEventField("timestamp", "yesterday")).find("events[1].timestamp: not an RFC 3339 timestamp"),
            std::string::npos);
  EXPECT_EQ(ErrorOf(WithEventField("timestamp", 5)), "events[1].timestamp: expected an RFC 3339 string, got integer");
  EXPECT_EQ(ErrorOf(WithEventField("route", 5)), "events[1].route: expected a string, got integer");
  EXPECT_EQ(ErrorOf(json{{"events", {ValidEvent(), 5}}}.dump()), "events[1]: expected an object, got integer");
}

TEST(EventJsonTest, ChecksInputAgainstItsDigest) {
  std::string raw("\x00\x00\x80\x3f\x00\x00\x00\x40", 8);  // {1.0f, 2.0f}
  json ev = ValidEvent();
  ev["input"] = "AACAPwAAAEA=";
  ev["input_sha256"] = Sha256Hex(raw);
  EXPECT_TRUE(ParseEventBatch(json{{"events", {ev}}}.dump()).ok());
  ev["input_sha256"] = Sha256Hex("other");
  EXPECT_EQ(ErrorOf(json{{"events", {ev}}}.dump()), "events[0].input_sha256: does not match the SHA-256 of input");
  ev["input_sha256"] = "abc";
  EXPECT_EQ(ErrorOf(json{{"events", {ev}}}.dump()), "events[0].input_sha256: expected 64 hex digits, got \"abc\"");
  ev.erase("input_sha256");
  ev["input"] = "AACAPwA=";  // 5 bytes
  EXPECT_EQ(ErrorOf(json{{"events", {ev}}}.dump()),
            "events[0].input: decoded length 5 is not a multiple of 4 (float32)");
  ev["input"] = "not base64!";
  EXPECT_NE(ErrorOf(json{{"events", {ev}}}.dump()).find("events[0].input: "), std::string::npos);
}

TEST(EventJsonTest, RejectsBadEnvelopes) {
  EXPECT_EQ(ErrorOf("[]"), "body: expected a JSON object, got array");
  EXPECT_EQ(ErrorOf("{}"), "events: missing (an array is required; it may be empty)");
  EXPECT_EQ(ErrorOf(R"({"events": {}})"), "events: expected an array, got object");
  EXPECT_EQ(ErrorOf(R"({"events": [], "device_id": 3})"), "device_id: expected a string, got integer");
  EXPECT_EQ(ErrorOf(R"({"events": [], "status": []})"), "status: expected an object, got array");
  EXPECT_EQ(ErrorOf(R"({"events": [], "status": {"outbox_depth": -2}})"),
            "status.outbox_depth: expected an integer >= 0, got -2");
  EXPECT_EQ(ErrorOf(R"({"events": [], "status": {"drops": {"drop_oldest": "x"}}})"),
            "status.drops.drop_oldest: expected an integer >= 0, got string");
}

TEST(EventJsonTest, ReportsMalformedJsonWithPosition) {
  EXPECT_EQ(ErrorOf("").rfind("malformed JSON at byte", 0), 0u);
  EXPECT_EQ(ErrorOf(R"({"events": [)").rfind("malformed JSON at byte 13", 0), 0u) << ErrorOf(R"({"events": [)");
  EXPECT_EQ(ErrorOf("{\"events\": [], \"device_id\": \"\xff\"}").rfind("malformed JSON", 0), 0u);  // invalid UTF-8
}

TEST(EventJsonTest, RefusesDeepNestingBeforeParsing) {
  std::string deep(100000, '[');
  EXPECT_EQ(ErrorOf(deep), "body: JSON nested 100000 levels deep, the limit is 32");
  EXPECT_EQ(JsonNestingDepth(R"({"a": "[[[[", "b": [{"c": "\"]"}]})"), 3);
}

}  // namespace
}  // namespace edgerun::cloud
