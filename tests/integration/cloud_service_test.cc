// The cloud service as a real process: `edgerun cloud` started on a loopback port with a fresh
// database, exercised over HTTP, and stopped with SIGTERM. Covers the reliability cases of the
// issue: duplicate batches, bad tokens, malformed JSON, oversized bodies, plus garbage on the
// wire, graceful stop and durability across a restart. Every wait has a deadline.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <fstream>
#include <csignal>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <thread>

#include "cloud/httplib_config.h"
#include "process_util.h"

namespace edgerun::testing {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;

// Runs `edgerun ARGS` and returns {exit code, stdout} (stderr is left alone).
std::pair<int, std::string> RunCliStdout(const std::string& args) {
  std::string cmd = std::string(EDGERUN_CLI_PATH) + " " + args + " 2>/dev/null";
  FILE* p = popen(cmd.c_str(), "r");
  if (!p) return {-1, ""};
  std::string out;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
  int st = pclose(p);
  return {WIFEXITED(st) ? WEXITSTATUS(st) : -1, out};
}

json Event(const std::string& id, const std::string& device = "dev-1") {
  return json{{"id", id},
              {"device_id", device},
              {"model", "sensor_mlp"},
              {"model_version", "1"},
              {"timestamp", "2026-11-25T18:00:00.123Z"},
              {"prediction", {{"class", 3}, {"label", "cat"}, {"top_k", {{3, 0.61}, {1, 0.22}}}}},
              {"confidence", 0.61},
              {"latency_us", 420},
              {"input", "AACAPwAAAEA="},
              {"input_sha256", "b9c80b5adeca450753a16950c3cc655d271f7bef7a485bc83f112b72fef21d37"},
              {"route", "margin"}};
}

json EventWithoutInput(const std::string& id, const std::string& device = "dev-1") {
  json e = Event(id, device);
  e.erase("input");
  e.erase("input_sha256");
  return e;
}

class CloudServiceTest : public ::testing::Test {
 protected:
  // Writing to a connection the server closed (413) must fail the write, not kill the test.
  static void SetUpTestSuite() { std::signal(SIGPIPE, SIG_IGN); }
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("edgerun_cloud_it_" + std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()) + "_" +
            std::to_string(::getpid()));
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    db_ = (dir_ / "cloud.db").string();
    token_ = AddToken("dev-1");
    other_token_ = AddToken("dev-2");
    admin_token_ = AddToken("ops --admin");
  }
  void TearDown() override {
    if (server_) StopServer();
    std::filesystem::remove_all(dir_);
  }

  std::string AddToken(const std::string& name) {
    auto [code, out] = RunCliStdout("cloud token add " + name + " --db " + db_);
    EXPECT_EQ(code, 0) << out;
    if (!out.empty() && out.back() == '\n') out.pop_back();
    return out;
  }

  void StartServer(const std::vector<std::string>& extra = {}) {
    std::vector<std::string> argv = {EDGERUN_CLI_PATH, "cloud", "--listen", "127.0.0.1:0", "--db", db_};
    argv.insert(argv.end(), extra.begin(), extra.end());
    server_ = std::make_unique<ChildProcess>();
    std::string error;
    ASSERT_TRUE(server_->Spawn(argv, (dir_ / "cloud.log").string(), &error)) << error;
    auto line = server_->ReadLineWithPrefix("listening on ", 30s);
    ASSERT_TRUE(line.has_value()) << "no 'listening on' line; log:\n" << Log();
    ASSERT_EQ(line->rfind("listening on 127.0.0.1:", 0), 0u) << *line;
    port_ = std::stoi(line->substr(line->rfind(':') + 1));
    ASSERT_GT(port_, 0);
  }

  // SIGTERM and expect a clean exit 0 within the deadline.
  void StopServer() {
    auto st = server_->Terminate(20s);
    ASSERT_TRUE(st.has_value()) << "cloud did not exit";
    EXPECT_TRUE(st->exited) << "killed by signal " << st->signal << "; log:\n" << Log();
    EXPECT_EQ(st->code, 0) << Log();
    server_.reset();
  }

  std::string Log() const {
    std::ifstream f(dir_ / "cloud.log");
    return std::string((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  }

  httplib::Client Client() const {
    httplib::Client c("127.0.0.1", port_);
    c.set_connection_timeout(5);
    c.set_read_timeout(15);
    c.set_write_timeout(15);
    return c;
  }
  httplib::Headers Auth(const std::string& token) const { return {{"Authorization", "Bearer " + token}}; }
  httplib::Result PostRaw(const std::string& body, const std::string& token) const {
    auto c = Client();
    return c.Post("/api/v1/events", token.empty() ? httplib::Headers{} : Auth(token), body, "application/json");
  }
  httplib::Result Post(const json& body, const std::string& token) const { return PostRaw(body.dump(), token); }
  json GetJson(const std::string& path, const std::string& token) const {
    auto c = Client();
    auto r = c.Get(path.c_str(), Auth(token));
    EXPECT_TRUE(r) << path;
    if (!r) return json();
    EXPECT_EQ(r->status, 200) << path << ": " << r->body;
    return json::parse(r->body, nullptr, false);
  }
  std::vector<std::string> StoredIds(const std::string& query = "") const {
    std::vector<std::string> ids;
    json j = GetJson("/api/v1/events" + query, admin_token_);
    if (j.is_object()) {
      for (const auto& e : j["events"]) ids.push_back(e["id"]);
    }
    return ids;
  }
  static std::string ErrorOf(const httplib::Result& r) {
    if (!r) return "<no response>";
    json j = json::parse(r->body, nullptr, false);
    return j.is_object() && j.contains("error") ? j["error"].get<std::string>() : "<no JSON error: " + r->body + ">";
  }
  void ExpectHealthy() const {
    auto c = Client();
    auto r = c.Get("/healthz");
    ASSERT_TRUE(r) << "server stopped answering; log:\n" << Log();
    EXPECT_EQ(r->status, 200);
    EXPECT_EQ(r->body, "ok");
  }

  std::filesystem::path dir_;
  std::string db_;
  std::string token_, other_token_, admin_token_;
  std::unique_ptr<ChildProcess> server_;
  int port_ = 0;
};

TEST_F(CloudServiceTest, TokenCommandsPrintOnlyTheTokenAndListNames) {
  EXPECT_EQ(token_.size(), 64u);
  EXPECT_EQ(token_.find_first_not_of("0123456789abcdef"), std::string::npos) << token_;
  EXPECT_NE(token_, other_token_);
  auto [code, out] = RunCliStdout("cloud token list --db " + db_);
  EXPECT_EQ(code, 0);
  EXPECT_NE(out.find("dev-1\tdevice\t"), std::string::npos) << out;
  EXPECT_NE(out.find("ops\tadmin\t"), std::string::npos) << out;
  EXPECT_EQ(out.find(token_), std::string::npos);
  EXPECT_EQ(RunCliStdout("cloud token add --db " + db_).first, 2);  // name missing: usage error
}

TEST_F(CloudServiceTest, IngestsThenAnswersEventAndDeviceQueries) {
  StartServer();
  json batch = {{"device_id", "dev-1"},
                {"status",
                 {{"outbox_depth", 12},
                  {"outbox_bytes", 3456},
                  {"drops", {{"drop_oldest", 3}, {"reject_new", 0}, {"queue_full", 0}}},
                  {"model", "sensor_mlp"},
                  {"model_version", "1"}}},
                {"events", {EventWithoutInput("01JDQ00000000000000000000B"), EventWithoutInput("01JDQ00000000000000000000A")}}};
  auto r = Post(batch, token_);
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body;
  EXPECT_EQ(json::parse(r->body), (json{{"accepted", 2}, {"duplicates", 0}}));
  ASSERT_EQ(Post(json{{"events", {EventWithoutInput("01JDQ00000000000000000000C", "dev-2")}}}, other_token_)->status, 200);

  EXPECT_EQ(StoredIds(), (std::vector<std::string>{"01JDQ00000000000000000000A", "01JDQ00000000000000000000B",
                                                   "01JDQ00000000000000000000C"}));
  EXPECT_EQ(StoredIds("?device=dev-2"), (std::vector<std::string>{"01JDQ00000000000000000000C"}));
  EXPECT_EQ(StoredIds("?since=01JDQ00000000000000000000A&limit=1"),
            (std::vector<std::string>{"01JDQ00000000000000000000B"}));
  json stored = GetJson("/api/v1/events?limit=1", token_)["events"][0];
  EXPECT_EQ(stored, EventWithoutInput("01JDQ00000000000000000000A"));

  json devices = GetJson("/api/v1/devices", admin_token_)["devices"];
  ASSERT_EQ(devices.size(), 2u) << devices;
  EXPECT_EQ(devices[0]["device_id"], "dev-1");
  EXPECT_EQ(devices[0]["model_version"], "1");
  EXPECT_EQ(devices[0]["outbox_depth"], 12);
  EXPECT_EQ(devices[0]["outbox_bytes"], 3456);
  EXPECT_EQ(devices[0]["drops"]["drop_oldest"], 3);
  EXPECT_EQ(devices[0]["events"], 2);
  EXPECT_TRUE(devices[0]["last_seen"].is_string());
}

TEST_F(CloudServiceTest, DuplicateBatchesAreIdempotentAcrossRestarts) {
  StartServer();
  json batch = {{"events", {EventWithoutInput("E1"), EventWithoutInput("E2"), EventWithoutInput("E3")}}};
  ASSERT_EQ(json::parse(Post(batch, token_)->body), (json{{"accepted", 3}, {"duplicates", 0}}));
  // The agent retries a batch whose response it never saw: nothing is stored twice.
  ASSERT_EQ(json::parse(Post(batch, token_)->body), (json{{"accepted", 0}, {"duplicates", 3}}));
  // A partly new batch, with an id repeated inside it.
  json mixed = {{"events", {EventWithoutInput("E3"), EventWithoutInput("E4"), EventWithoutInput("E4")}}};
  ASSERT_EQ(json::parse(Post(mixed, token_)->body), (json{{"accepted", 1}, {"duplicates", 2}}));

  StopServer();
  StartServer();
  ASSERT_EQ(json::parse(Post(batch, token_)->body), (json{{"accepted", 0}, {"duplicates", 3}}));
  EXPECT_EQ(StoredIds(), (std::vector<std::string>{"E1", "E2", "E3", "E4"}));
  auto c = Client();
  std::string metrics = c.Get("/metrics")->body;
  EXPECT_NE(metrics.find("edgerun_cloud_events_duplicate_total 3\n"), std::string::npos) << metrics;
}

TEST_F(CloudServiceTest, BadTokensAreRefusedAndNothingIsStored) {
  StartServer();
  json batch = {{"events", {EventWithoutInput("X1")}}};
  auto r = Post(batch, "");
  EXPECT_EQ(r->status, 401);
  EXPECT_EQ(ErrorOf(r), "missing credentials: send 'Authorization: Bearer TOKEN'");
  r = Post(batch, std::string(64, 'f'));
  EXPECT_EQ(r->status, 401);
  EXPECT_EQ(ErrorOf(r), "unknown token");
  r = Post(batch, token_ + "x");
  EXPECT_EQ(r->status, 401);
  auto c = Client();
  r = c.Post("/api/v1/events", {{"Authorization", token_}}, batch.dump(), "application/json");  // no scheme
  EXPECT_EQ(r->status, 401);
  r = Post(batch, other_token_);  // dev-2's token, dev-1's events
  EXPECT_EQ(r->status, 403);
  EXPECT_EQ(ErrorOf(r), "events[0].device_id 'dev-1' does not match the token's device 'dev-2'");
  r = Post(batch, admin_token_);
  EXPECT_EQ(r->status, 403);
  auto get = c.Get("/api/v1/events");
  EXPECT_EQ(get->status, 401);

  // A revoked token stops working without a restart.
  EXPECT_EQ(RunCliStdout("cloud token revoke dev-1 --db " + db_).first, 0);
  EXPECT_EQ(Post(batch, token_)->status, 401);
  EXPECT_TRUE(StoredIds().empty());
}

TEST_F(CloudServiceTest, MalformedJsonGets400WithThePathAndTheServerCarriesOn) {
  StartServer();
  struct Case {
    std::string body;
    std::string error_prefix;
  };
  json bad_conf = {{"events", {EventWithoutInput("M1"), EventWithoutInput("M2")}}};
  bad_conf["events"][1]["confidence"] = "high";
  json missing_ts = {{"events", {EventWithoutInput("M1")}}};
  missing_ts["events"][0].erase("timestamp");
  json bad_digest = {{"events", {Event("M1")}}};
  bad_digest["events"][0]["input_sha256"] = std::string(64, '0');
  std::vector<Case> cases = {
      {"", "malformed JSON at byte"},
      {"{\"events\": [", "malformed JSON at byte"},
      {"{\"events\": [1,]}", "malformed JSON at byte"},
      {"\xff\xfe{}", "malformed JSON"},
      {"[]", "body: expected a JSON object"},
      {"{\"events\": 5}", "events: expected an array"},
      {std::string(100000, '['), "body: JSON nested"},
      {bad_conf.dump(), "events[1].confidence: expected a number in [0, 1], got string"},
      {missing_ts.dump(), "events[0].timestamp: missing"},
      {bad_digest.dump(), "events[0].input_sha256: does not match"},
  };
  for (const Case& c : cases) {
    auto r = PostRaw(c.body, token_);
    ASSERT_TRUE(r) << c.error_prefix;
    EXPECT_EQ(r->status, 400) << c.error_prefix << ": " << r->body;
    EXPECT_EQ(r->get_header_value("Content-Type"), "application/json");
    EXPECT_EQ(ErrorOf(r).rfind(c.error_prefix, 0), 0u) << ErrorOf(r);
  }
  EXPECT_TRUE(StoredIds().empty());  // M1 was valid in two of the batches; rejected with them
  ExpectHealthy();
}

TEST_F(CloudServiceTest, OversizedBodiesGet413AndTheServerCarriesOn) {
  StartServer({"--max-body", "4096"});
  json batch = {{"events", json::array()}};
  for (int i = 0; i < 30; ++i) batch["events"].push_back(EventWithoutInput("O" + std::to_string(i)));
  ASSERT_GT(batch.dump().size(), 4096u);
  auto r = Post(batch, token_);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 413);
  EXPECT_EQ(ErrorOf(r), "request body larger than 4096 bytes");

  // 16 MiB announced with Content-Length, and 1 MiB streamed chunked (no length up front).
  r = PostRaw(std::string(16 << 20, ' '), token_);
  if (r) {
    EXPECT_EQ(r->status, 413);
  }
  auto c = Client();
  size_t sent = 0;
  r = c.Post(
      "/api/v1/events", Auth(token_),
      [&](size_t, httplib::DataSink& sink) {
        if (sent >= (1u << 20)) {
          sink.done();
          return true;
        }
        std::string chunk(8192, ' ');
        sent += chunk.size();
        return sink.write(chunk.data(), chunk.size());
      },
      "application/json");
  if (r) {
    EXPECT_EQ(r->status, 413);  // the server may close before the client reads the reply
  }
  ExpectHealthy();
  json small = {{"events", {EventWithoutInput("S1")}}};
  EXPECT_EQ(Post(small, token_)->status, 200);
  EXPECT_EQ(StoredIds(), (std::vector<std::string>{"S1"}));
}

// Sends raw bytes on a fresh connection and closes it.
void SendRaw(int port, const std::string& bytes, bool read_reply) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  ASSERT_GE(fd, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  timeval tv{5, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  (void)!::send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL);
  if (read_reply) {
    char buf[1024];
    (void)!::recv(fd, buf, sizeof buf, 0);
  }
  ::close(fd);
}

TEST_F(CloudServiceTest, GarbageOnTheWireNeverStopsTheServer) {
  StartServer();
  SendRaw(port_, "\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03", false);  // a TLS hello, then silence
  SendRaw(port_, "GARBAGE\r\n\r\n", true);
  SendRaw(port_, "POST /api/v1/events HTTP/1.1\r\nContent-Length: 100000\r\n\r\n{\"events\":", false);  // cut off
  SendRaw(port_, "POST /api/v1/events HTTP/1.1\r\nContent-Length: -5\r\n\r\n", false);
  SendRaw(port_, "GET /" + std::string(20000, 'a') + " HTTP/1.1\r\n\r\n", true);
  SendRaw(port_, "POST /api/v1/events HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", true);
  SendRaw(port_, std::string(1 << 16, '\0'), false);
  ExpectHealthy();
  auto c = Client();
  EXPECT_EQ(c.Get("/nope")->status, 404);
  EXPECT_EQ(c.Delete("/api/v1/events")->status, 405);
  EXPECT_EQ(Post(json{{"events", {EventWithoutInput("G1")}}}, token_)->status, 200);
}

TEST_F(CloudServiceTest, MetricsCountRequestsByRouteAndCode) {
  StartServer();
  ASSERT_EQ(Post(json{{"events", {EventWithoutInput("P1")}}}, token_)->status, 200);
  ASSERT_EQ(Post(json{{"events", {EventWithoutInput("P1")}}}, "bad")->status, 401);
  const std::vector<std::string> lines = {
      "edgerun_cloud_http_requests_total{route=\"/api/v1/events\",method=\"POST\",code=\"200\"} 1",
      "edgerun_cloud_http_requests_total{route=\"/api/v1/events\",method=\"POST\",code=\"401\"} 1",
      "edgerun_cloud_http_request_duration_seconds_count{route=\"/api/v1/events\"} 2",
      "edgerun_cloud_events_ingested_total 1", "edgerun_cloud_batches_rejected_total{reason=\"unauthorized\"} 1"};
  // The server counts a request once its response is written (httplib's logger hook), so the
  // client can see the 401 a moment before the counter moves: scrape until it has (bounded).
  auto c = Client();
  std::string body;
  for (int attempt = 0; attempt < 100; ++attempt) {
    auto r = c.Get("/metrics");
    ASSERT_TRUE(r);
    EXPECT_EQ(r->get_header_value("Content-Type"), "text/plain; version=0.0.4; charset=utf-8");
    body = r->body;
    bool all = true;
    for (const auto& line : lines) all = all && body.find(line + "\n") != std::string::npos;
    if (all) break;
    std::this_thread::sleep_for(10ms);
  }
  for (const auto& line : lines) {
    EXPECT_NE(body.find(line + "\n"), std::string::npos) << line << "\n" << body;
  }
}

TEST_F(CloudServiceTest, SigtermStopsGracefullyAndKeepsAcceptedData) {
  StartServer();
  // Clients keep posting while SIGTERM arrives; every batch answered 200 must be stored.
  std::atomic<bool> stop{false};
  std::vector<std::string> acknowledged;
  std::thread writer([&] {
    for (int i = 0; i < 1000 && !stop; ++i) {
      std::string id = "W" + std::to_string(100000 + i);
      auto r = Post(json{{"events", {EventWithoutInput(id)}}}, token_);
      if (!r) break;
      if (r->status == 200) acknowledged.push_back(id);
    }
  });
  std::this_thread::sleep_for(300ms);
  StopServer();
  stop = true;
  writer.join();
  EXPECT_FALSE(acknowledged.empty());
  StartServer();
  auto ids = StoredIds("?limit=1000");
  for (const auto& id : acknowledged) {
    EXPECT_NE(std::find(ids.begin(), ids.end(), id), ids.end()) << id << " was acknowledged but not stored";
  }
}

TEST_F(CloudServiceTest, RefusesAnAddressInUseAndABadDatabase) {
  StartServer();
  ChildProcess second;
  ASSERT_TRUE(second.Spawn({EDGERUN_CLI_PATH, "cloud", "--listen", "127.0.0.1:" + std::to_string(port_), "--db",
                            (dir_ / "other.db").string()},
                           (dir_ / "second.log").string()));
  auto st = second.Wait(20s);
  ASSERT_TRUE(st.has_value());
  EXPECT_EQ(st->code, 1);
  std::string not_db = (dir_ / "not.db").string();
  std::ofstream(not_db) << std::string(4096, 'x');
  ChildProcess third;
  ASSERT_TRUE(third.Spawn({EDGERUN_CLI_PATH, "cloud", "--listen", "127.0.0.1:0", "--db", not_db},
                          (dir_ / "third.log").string()));
  st = third.Wait(20s);
  ASSERT_TRUE(st.has_value());
  EXPECT_EQ(st->code, 1);
}

}  // namespace
}  // namespace edgerun::testing
