#include "agent/frame_protocol.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace edgerun::agent {
namespace {

TEST(FrameProtocolTest, BinaryRoundTrip) {
  std::vector<float> data = {1.5f, -2.0f, 3.25f, 0.0f, 7.0f, 8.0f};
  std::string payload = EncodeBinaryRequest({2, 3}, data.data(), data.size());
  EXPECT_EQ(payload.size(), 8u + 8u + 24u);
  std::string reason;
  auto req = DecodeRequest(payload, &reason);
  ASSERT_TRUE(req.ok()) << req.status().ToString();
  EXPECT_EQ(req->input, data);
  EXPECT_EQ(req->dims, (std::vector<uint32_t>{2, 3}));
  std::string frame = EncodeFrame(payload);
  EXPECT_EQ(ReadU32Le(reinterpret_cast<const unsigned char*>(frame.data())), payload.size());
}

TEST(FrameProtocolTest, JsonRequestsAreFlattened) {
  std::string reason;
  auto req = DecodeRequest(R"({"input": [[1, 2], [3.5, 4]]})", &reason);
  ASSERT_TRUE(req.ok());
  EXPECT_EQ(req->input, (std::vector<float>{1, 2, 3.5f, 4}));
  EXPECT_TRUE(req->json);
}

TEST(FrameProtocolTest, RejectsMalformedPayloadsWithAReason) {
  std::vector<float> data = {1, 2, 3};
  std::string good = EncodeBinaryRequest({3}, data.data(), 3);
  auto expect = [](const std::string& payload, const std::string& reason_wanted) {
    std::string reason;
    auto r = DecodeRequest(payload, &reason);
    EXPECT_FALSE(r.ok());
    EXPECT_EQ(reason, reason_wanted);
  };
  expect("", "malformed");
  expect("XXXX", "malformed");
  std::string bad_magic = good;
  bad_magic[0] = 'Z';
  expect(bad_magic, "malformed");
  std::string bad_version = good;
  bad_version[4] = 9;
  expect(bad_version, "malformed");
  std::string bad_dtype = good;
  bad_dtype[5] = 7;
  expect(bad_dtype, "malformed");
  expect(good.substr(0, good.size() - 1), "malformed");  // length does not match dims
  expect(good + "abcd", "malformed");
  std::string huge_dims = good;
  huge_dims[8] = '\xff';
  huge_dims[9] = '\xff';
  huge_dims[10] = '\xff';
  huge_dims[11] = '\x7f';
  expect(huge_dims, "malformed");
  expect("{not json", "bad_json");
  expect(R"({"input": "text"})", "bad_json");
  expect(R"({"other": [1]})", "bad_json");
  expect(R"({"input": [1, [2, null]]})", "bad_json");
}

TEST(FrameProtocolTest, RepliesAreJson) {
  InferenceResult r;
  r.top_class = 2;
  r.label = "x";
  r.confidence = 0.5f;
  r.top_k = {{2, 0.5f}, {0, 0.3f}};
  auto j = nlohmann::json::parse(EncodeResultReply(r));
  EXPECT_TRUE(j["ok"].get<bool>());
  EXPECT_EQ(j["class"], 2);
  auto e = nlohmann::json::parse(EncodeErrorReply("wrong_size", "bad"));
  EXPECT_FALSE(e["ok"].get<bool>());
  EXPECT_EQ(e["reason"], "wrong_size");
}

}  // namespace
}  // namespace edgerun::agent
