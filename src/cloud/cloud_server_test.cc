// In-process tests of the HTTP API on a loopback port (the integration test runs the real binary).
#include "cloud/cloud_server.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <csignal>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <thread>

#include "cloud/httplib_config.h"
#include "cloud/result_testing.h"

namespace edgerun::cloud {
namespace {

using nlohmann::json;

json Event(const std::string& id, const std::string& device = "dev-1", double confidence = 0.5) {
  return json{{"id", id},           {"device_id", device},
              {"model", "m"},       {"model_version", "1"},
              {"timestamp", "2026-11-25T18:00:00.000Z"},
              {"prediction", 1},    {"confidence", confidence},
              {"latency_us", 10}};
}

class CloudServerTest : public ::testing::Test {
 protected:
  // Writing to a connection the server closed (413) must fail the write, not kill the test.
  static void SetUpTestSuite() { std::signal(SIGPIPE, SIG_IGN); }
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("edgerun_cloud_server_" + std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()) +
            "_" + std::to_string(::getpid()));
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    auto store = CloudStore::Open((dir_ / "cloud.db").string());
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    store_ = std::move(store).value();
    token_ = ValueOrFail(store_->AddToken("dev-1", false, 0));
    other_token_ = ValueOrFail(store_->AddToken("dev-2", false, 0));
    admin_token_ = ValueOrFail(store_->AddToken("ops", true, 0));
  }
  void Start(size_t max_body = 4u << 20) {
    CloudServerOptions opt;
    opt.port = 0;
    opt.max_body_bytes = max_body;
    opt.threads = 4;
    opt.now_ms = [] { return int64_t{1795629600000}; };
    opt.log = [](const std::string&) {};
    server_ = std::make_unique<CloudServer>(store_.get(), opt);
    auto port = server_->Bind();
    ASSERT_TRUE(port.ok()) << port.status().ToString();
    port_ = *port;
    serve_ = std::thread([this] { served_ = server_->Serve(); });
  }
  void TearDown() override {
    if (server_) {
      server_->Stop();
      serve_.join();
      EXPECT_TRUE(served_.ok()) << served_.ToString();
    }
    server_.reset();
    store_.reset();
    std::filesystem::remove_all(dir_);
  }
  httplib::Client Client() {
    httplib::Client c("127.0.0.1", port_);
    c.set_connection_timeout(5);
    c.set_read_timeout(10);
    return c;
  }
  httplib::Result Post(const json& body, const std::string& token) {
    auto c = Client();
    httplib::Headers h;
    if (!token.empty()) h.emplace("Authorization", "Bearer " + token);
    return c.Post("/api/v1/events", h, body.dump(), "application/json");
  }
  httplib::Result Get(const std::string& path, const std::string& token) {
    auto c = Client();
    httplib::Headers h;
    if (!token.empty()) h.emplace("Authorization", "Bearer " + token);
    return c.Get(path.c_str(), h);
  }
  static std::string ErrorOf(const httplib::Result& r) {
    json j = json::parse(r->body, nullptr, false);
    return j.is_object() && j.contains("error") ? j["error"].get<std::string>() : "<no JSON error: " + r->body + ">";
  }

  std::filesystem::path dir_;
  std::unique_ptr<CloudStore> store_;
  std::unique_ptr<CloudServer> server_;
  std::thread serve_;
  Status served_;
  int port_ = 0;
  std::string token_, other_token_, admin_token_;
};

TEST_F(CloudServerTest, IngestsAndCountsDuplicates) {
  Start();
  json batch = {{"device_id", "dev-1"},
                {"status", {{"outbox_depth", 4}, {"drops", {{"drop_oldest", 1}}}}},
                {"events", {Event("A"), Event("B")}}};
  auto r = Post(batch, token_);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200) << r->body;
  EXPECT_EQ(json::parse(r->body), (json{{"accepted", 2}, {"duplicates", 0}}));
  r = Post(batch, token_);
  ASSERT_TRUE(r);
  EXPECT_EQ(json::parse(r->body), (json{{"accepted", 0}, {"duplicates", 2}}));

  auto devices = Get("/api/v1/devices", admin_token_);
  ASSERT_TRUE(devices);
  ASSERT_EQ(devices->status, 200);
  json d = json::parse(devices->body)["devices"];
  ASSERT_EQ(d.size(), 2u);  // dev-1 and dev-2 (registered, never seen)
  EXPECT_EQ(d[0]["device_id"], "dev-1");
  EXPECT_EQ(d[0]["last_seen"], "2026-11-25T18:00:00.000Z");
  EXPECT_EQ(d[0]["model_version"], "1");
  EXPECT_EQ(d[0]["outbox_depth"], 4);
  EXPECT_EQ(d[0]["drops"]["drop_oldest"], 1);
  EXPECT_EQ(d[0]["events"], 2);
  EXPECT_TRUE(d[1]["last_seen"].is_null());

  std::string metrics = Get("/metrics", "")->body;
  EXPECT_NE(metrics.find("edgerun_cloud_events_ingested_total 2\n"), std::string::npos) << metrics;
  EXPECT_NE(metrics.find("edgerun_cloud_events_duplicate_total 2\n"), std::string::npos);
}

TEST_F(CloudServerTest, RejectsMissingUnknownAndForeignTokens) {
  Start();
  json batch = {{"events", {Event("A")}}};
  auto r = Post(batch, "");
  EXPECT_EQ(r->status, 401);
  EXPECT_EQ(r->get_header_value("WWW-Authenticate"), "Bearer");
  EXPECT_EQ(ErrorOf(r), "missing credentials: send 'Authorization: Bearer TOKEN'");
  r = Post(batch, "0000");
  EXPECT_EQ(r->status, 401);
  EXPECT_EQ(ErrorOf(r), "unknown token");
  auto c = Client();
  r = c.Post("/api/v1/events", {{"Authorization", "Basic " + token_}}, batch.dump(), "application/json");
  EXPECT_EQ(r->status, 401);
  r = Post(batch, other_token_);
  EXPECT_EQ(r->status, 403);
  EXPECT_EQ(ErrorOf(r), "events[0].device_id 'dev-1' does not match the token's device 'dev-2'");
  r = Post(json{{"device_id", "dev-1"}, {"events", json::array()}}, other_token_);
  EXPECT_EQ(r->status, 403);
  r = Post(batch, admin_token_);
  EXPECT_EQ(r->status, 403);
  EXPECT_EQ(Get("/api/v1/events", "")->status, 401);
  EXPECT_EQ(Get("/api/v1/devices", "nope")->status, 401);
  EXPECT_EQ(ValueOrFail(store_->CountEvents()), 0);
}

TEST_F(CloudServerTest, RejectsMalformedBatchesWhole) {
  Start();
  auto c = Client();
  httplib::Headers auth = {{"Authorization", "Bearer " + token_}};
  for (const std::string& body : std::vector<std::string>{"", "{", "null", "[1]", "{\"events\": [}", std::string(5000, '[')}) {
    auto r = c.Post("/api/v1/events", auth, body, "application/json");
    ASSERT_TRUE(r) << body;
    EXPECT_EQ(r->status, 400) << body;
    EXPECT_EQ(r->get_header_value("Content-Type"), "application/json");
  }
  auto r = Post(json{{"events", {Event("A"), Event("B", "dev-1", 2.0)}}}, token_);
  EXPECT_EQ(r->status, 400);
  EXPECT_EQ(ErrorOf(r), "events[1].confidence: expected a number in [0, 1], got 2.0");
  EXPECT_EQ(ValueOrFail(store_->CountEvents()), 0);  // event A was not stored either
  EXPECT_EQ(Get("/healthz", "")->status, 200);
}

TEST_F(CloudServerTest, LimitsBodySizeWithAndWithoutLength) {
  Start(/*max_body=*/2048);
  std::string big = json{{"events", json::array()}, {"pad", std::string(4096, 'x')}}.dump();
  auto r = Post(json::parse(big), token_);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 413);
  EXPECT_EQ(ErrorOf(r), "request body larger than 2048 bytes");

  auto c = Client();
  size_t sent = 0;
  r = c.Post(
      "/api/v1/events", {{"Authorization", "Bearer " + token_}},
      [&](size_t, httplib::DataSink& sink) {
        if (sent >= 64 * 1024) {
          sink.done();
          return true;
        }
        std::string chunk(1024, ' ');
        sent += chunk.size();
        return sink.write(chunk.data(), chunk.size());
      },
      "application/json");
  if (r) {
    EXPECT_EQ(r->status, 413);  // the server may also close before the client reads the reply
  }
  EXPECT_EQ(Get("/healthz", "")->status, 200);
}

TEST_F(CloudServerTest, UnknownPathsAndMethodsGetJsonErrors) {
  Start();
  auto r = Get("/nope", "");
  EXPECT_EQ(r->status, 404);
  EXPECT_EQ(ErrorOf(r), "no such endpoint: /nope");
  auto c = Client();
  r = c.Delete("/api/v1/events");
  EXPECT_EQ(r->status, 405);
  EXPECT_EQ(r->get_header_value("Allow"), "GET, HEAD, POST");
  r = c.Post("/metrics", "x", "text/plain");
  EXPECT_EQ(r->status, 405);
  EXPECT_EQ(Get("/healthz", "")->body, "ok");
}

TEST_F(CloudServerTest, QueriesEventsWithFilters) {
  Start();
  ASSERT_EQ(Post(json{{"events", {Event("01A"), Event("01C")}}}, token_)->status, 200);
  ASSERT_EQ(Post(json{{"events", {Event("01B", "dev-2")}}}, other_token_)->status, 200);
  auto ids = [&](const std::string& query) {
    auto r = Get("/api/v1/events" + query, token_);
    EXPECT_EQ(r->status, 200) << query << ": " << r->body;
    std::vector<std::string> out;
    json body = json::parse(r->body);
    for (const auto& e : body["events"]) out.push_back(e["id"]);
    return out;
  };
  EXPECT_EQ(ids(""), (std::vector<std::string>{"01A", "01B", "01C"}));
  EXPECT_EQ(ids("?device=dev-2"), (std::vector<std::string>{"01B"}));
  EXPECT_EQ(ids("?since=01A&limit=1"), (std::vector<std::string>{"01B"}));
  EXPECT_EQ(ids("?since=2026-11-25T18:00:00Z"), (std::vector<std::string>{"01A", "01B", "01C"}));
  EXPECT_TRUE(ids("?since=2026-11-25T18:00:00.001Z").empty());
  for (const char* bad : {"?limit=0", "?limit=1001", "?limit=ten", "?since=2026-13-01T00:00:00Z"}) {
    EXPECT_EQ(Get(std::string("/api/v1/events") + bad, token_)->status, 400) << bad;
  }
}

TEST_F(CloudServerTest, ConcurrentClientsAreAllServed) {
  Start();
  std::vector<std::thread> threads;
  std::atomic<int> ok{0};
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 10; ++i) {
        std::string id = "T" + std::to_string(t) + "_" + std::to_string(i);
        auto r = Post(json{{"events", {Event(id), Event(id + "b")}}}, token_);
        if (r && r->status == 200) ++ok;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(ok.load(), 80);
  EXPECT_EQ(ValueOrFail(store_->CountEvents()), 160);
}

TEST_F(CloudServerTest, StopBeforeServeReturnsPromptly) {
  CloudServerOptions opt;
  opt.port = 0;
  opt.log = [](const std::string&) {};
  CloudServer server(store_.get(), opt);
  ASSERT_TRUE(server.Bind().ok());
  server.Stop();
  EXPECT_TRUE(server.Serve().ok());
}

}  // namespace
}  // namespace edgerun::cloud
