// The agent daemon's input socket under bad input (real process): malformed frames, wrong
// sizes, NaN/Inf, oversized frames, bad JSON, a client that disconnects mid-frame and one that
// stalls. Each is rejected with a counted reason while a well-behaved client keeps being served.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/un.h>

#include <cstring>
#include <limits>

#include "agent/frame_protocol.h"
#include "agent_process_util.h"

namespace edgerun::agent::it {
namespace {

int Connect(const std::string& unix_path, int tcp_port) {
  int fd;
  if (!unix_path.empty()) {
    fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
    sockaddr_un a{};
    a.sun_family = AF_UNIX;
    std::strncpy(a.sun_path, unix_path.c_str(), sizeof(a.sun_path) - 1);
    if (::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof(a)) != 0) return -1;
  } else {
    fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(static_cast<uint16_t>(tcp_port));
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof(a)) != 0) return -1;
  }
  timeval tv{10, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
  return fd;
}

bool SendAll(int fd, const std::string& s) {
  return ::send(fd, s.data(), s.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(s.size());
}

nlohmann::json ReadReply(int fd) {
  auto read_n = [fd](char* p, size_t n) {
    size_t got = 0;
    while (got < n) {
      ssize_t r = ::recv(fd, p + got, n - got, 0);
      if (r <= 0) return false;
      got += static_cast<size_t>(r);
    }
    return true;
  };
  unsigned char h[4];
  if (!read_n(reinterpret_cast<char*>(h), 4)) return nullptr;
  std::string body(ReadU32Le(h), '\0');
  if (!read_n(body.data(), body.size())) return nullptr;
  return nlohmann::json::parse(body);
}

TEST(AgentBadInputTest, RejectsAndCountsBadInputWhileServingOthers) {
  TempDir dir;
  AgentOptions o;
  o.device = "dev-bad";
  o.extra = "[input]\nunix_socket = \"" + dir.Path("agent.sock") +
            "\"\ntcp = \"127.0.0.1:0\"\nmax_frame_bytes = 65536\nread_timeout_ms = 500\n";
  WriteFile(dir.Path("agent.toml"), AgentToml(o, dir.Path("")));
  auto proc = ChildProcess::Spawn({"agent", "--config", dir.Path("agent.toml")}, dir.Path("agent.log"));
  ASSERT_TRUE(proc);
  auto mport = proc->WaitForLine("metrics listening on 127\\.0\\.0\\.1:([0-9]+)", 20000);
  auto upath = proc->WaitForLine("input listening on unix:(.+)", 5000);
  auto tport = proc->WaitForLine("input listening on 127\\.0\\.0\\.1:([0-9]+)", 5000);
  ASSERT_TRUE(mport && upath && tport) << "see " << dir.Path("agent.log");
  const int metrics = std::stoi(*mport);
  EXPECT_EQ(*upath, dir.Path("agent.sock"));

  std::vector<float> good(64, 0.25f);
  const std::string good_frame = EncodeFrame(EncodeBinaryRequest({1, 64}, good.data(), good.size()));
  int steady = Connect("", std::stoi(*tport));
  ASSERT_GE(steady, 0);
  auto served = [&] {
    if (!SendAll(steady, good_frame)) return false;
    auto r = ReadReply(steady);
    return r.is_object() && r["ok"].get<bool>();
  };
  ASSERT_TRUE(served());

  int bad = Connect(*upath, 0);
  ASSERT_GE(bad, 0);
  ASSERT_TRUE(SendAll(bad, EncodeFrame("\x01\x02garbage")));
  EXPECT_EQ(ReadReply(bad)["reason"], "malformed");
  std::vector<float> small(63, 1.0f);
  ASSERT_TRUE(SendAll(bad, EncodeFrame(EncodeBinaryRequest({63}, small.data(), small.size()))));
  EXPECT_EQ(ReadReply(bad)["reason"], "wrong_size");
  std::vector<float> nan = good;
  nan[0] = std::numeric_limits<float>::quiet_NaN();
  ASSERT_TRUE(SendAll(bad, EncodeFrame(EncodeBinaryRequest({64}, nan.data(), nan.size()))));
  EXPECT_EQ(ReadReply(bad)["reason"], "non_finite");
  nan[0] = std::numeric_limits<float>::infinity();
  ASSERT_TRUE(SendAll(bad, EncodeFrame(EncodeBinaryRequest({64}, nan.data(), nan.size()))));
  EXPECT_EQ(ReadReply(bad)["reason"], "non_finite");
  ASSERT_TRUE(SendAll(bad, EncodeFrame("{\"input\": [1e999]}")));  // parses to Inf
  auto r = ReadReply(bad);
  EXPECT_TRUE(r["reason"] == "non_finite" || r["reason"] == "bad_json") << r.dump();
  ASSERT_TRUE(SendAll(bad, EncodeFrame("{\"input\": ")));
  EXPECT_EQ(ReadReply(bad)["reason"], "bad_json");
  nlohmann::json json_req = {{"input", good}};
  ASSERT_TRUE(SendAll(bad, EncodeFrame(json_req.dump())));  // the same connection still works
  EXPECT_TRUE(ReadReply(bad)["ok"].get<bool>());
  ASSERT_TRUE(SendAll(bad, std::string("\x00\x00\x00\x10", 4)));  // 256 MiB announced
  EXPECT_EQ(ReadReply(bad)["reason"], "oversized");
  ::close(bad);
  EXPECT_TRUE(served());

  int mid = Connect(*upath, 0);
  ASSERT_TRUE(SendAll(mid, good_frame.substr(0, good_frame.size() / 2)));
  ::close(mid);
  int slow = Connect("", std::stoi(*tport));
  ASSERT_TRUE(SendAll(slow, good_frame.substr(0, 6)));
  EXPECT_TRUE(served());  // served while the slow client stalls
  EXPECT_EQ(ReadReply(slow)["reason"], "timeout");
  ::close(slow);
  EXPECT_TRUE(served());

  auto rejected = [&](const std::string& reason) {
    return Metric(metrics, "edgerun_input_rejected_total{reason=\"" + reason + "\"}");
  };
  ASSERT_TRUE(WaitUntil([&] { return rejected("disconnect_mid_frame") == 1; }, 5000));
  EXPECT_EQ(rejected("malformed"), 1);
  EXPECT_EQ(rejected("wrong_size"), 1);
  EXPECT_GE(rejected("non_finite"), 2);
  EXPECT_GE(rejected("bad_json"), 1);
  EXPECT_EQ(rejected("non_finite") + rejected("bad_json"), 4);
  EXPECT_EQ(rejected("oversized"), 1);
  EXPECT_EQ(rejected("timeout"), 1);
  EXPECT_EQ(Metric(metrics, "edgerun_inferences_total"), 5);  // 4 good frames + 1 JSON
  ::close(steady);
  proc->Signal(SIGTERM);
  EXPECT_EQ(proc->Wait(20000), 0);
  EXPECT_FALSE(std::filesystem::exists(dir.Path("agent.sock")));
}

}  // namespace
}  // namespace edgerun::agent::it
