#include "agent/input_server.h"

#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <nlohmann/json.hpp>
#include <thread>

#include "agent/agent_test_util.h"
#include "agent/frame_protocol.h"
#include "agent/metrics.h"

namespace edgerun::agent {
namespace {

int ConnectTcp(int port) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(static_cast<uint16_t>(port));
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof(a)) != 0) {
    ::close(fd);
    return -1;
  }
  timeval tv{5, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
  return fd;
}

int ConnectUnix(const std::string& path) {
  int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
  sockaddr_un a{};
  a.sun_family = AF_UNIX;
  std::strncpy(a.sun_path, path.c_str(), sizeof(a.sun_path) - 1);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof(a)) != 0) {
    ::close(fd);
    return -1;
  }
  timeval tv{5, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
  return fd;
}

bool SendAll(int fd, const std::string& s) {
  return ::send(fd, s.data(), s.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(s.size());
}

// Reads one reply frame; returns the JSON or null on EOF/error.
nlohmann::json ReadReply(int fd) {
  unsigned char h[4];
  size_t got = 0;
  while (got < 4) {
    ssize_t r = ::recv(fd, h + got, 4 - got, 0);
    if (r <= 0) return nullptr;
    got += static_cast<size_t>(r);
  }
  std::string body(ReadU32Le(h), '\0');
  got = 0;
  while (got < body.size()) {
    ssize_t r = ::recv(fd, body.data() + got, body.size() - got, 0);
    if (r <= 0) return nullptr;
    got += static_cast<size_t>(r);
  }
  return nlohmann::json::parse(body);
}

bool Closed(int fd) {
  char c;
  return ::recv(fd, &c, 1, 0) == 0;
}

class InputServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    AgentConfig c;
    c.model.path = testing::SourcePath("models/sensor_mlp/model.onnx");
    c.outbox.path = dir_.Path("o.db");
    agent_ = std::move(EdgeAgent::Create(c)).value();
    InputConfig in;
    in.tcp = "127.0.0.1:0";
    in.unix_socket = dir_.Path("agent.sock");
    in.max_frame_bytes = 4096;
    in.read_timeout_ms = 300;
    in.max_connections = 4;
    auto s = InputServer::Start(in, agent_.get());
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    server_ = std::move(s).value();
    good_.assign(64, 0.5f);
  }
  void TearDown() override {
    if (server_) server_->Stop();
  }
  uint64_t Rejected(const char* reason) { return agent_->metrics().input_rejected.value(reason); }
  std::string GoodFrame() { return EncodeFrame(EncodeBinaryRequest({1, 64}, good_.data(), good_.size())); }

  testing::TempDir dir_;
  std::unique_ptr<EdgeAgent> agent_;
  std::unique_ptr<InputServer> server_;
  std::vector<float> good_;
};

TEST_F(InputServerTest, ServesBinaryAndJsonOnTcpAndUnix) {
  ASSERT_GT(server_->tcp_port(), 0);
  int tcp = ConnectTcp(server_->tcp_port());
  int ux = ConnectUnix(server_->unix_path());
  ASSERT_GE(tcp, 0);
  ASSERT_GE(ux, 0);
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(SendAll(tcp, GoodFrame()));
    auto r = ReadReply(tcp);
    ASSERT_TRUE(r.is_object());
    EXPECT_TRUE(r["ok"].get<bool>());
    EXPECT_EQ(r["outputs"].size(), 4u);
  }
  nlohmann::json req = {{"input", good_}};
  ASSERT_TRUE(SendAll(ux, EncodeFrame(req.dump())));
  auto r = ReadReply(ux);
  EXPECT_TRUE(r["ok"].get<bool>());
  EXPECT_EQ(agent_->metrics().inferences.value(), 4u);
  ::close(tcp);
  ::close(ux);
}

TEST_F(InputServerTest, BadInputIsRejectedCountedAndOthersKeepBeingServed) {
  int good = ConnectTcp(server_->tcp_port());
  int bad = ConnectTcp(server_->tcp_port());
  // Malformed payload: an error reply, the connection stays usable.
  ASSERT_TRUE(SendAll(bad, EncodeFrame("garbage!")));
  EXPECT_EQ(ReadReply(bad)["reason"], "malformed");
  // Wrong size.
  std::vector<float> small(10, 1.0f);
  ASSERT_TRUE(SendAll(bad, EncodeFrame(EncodeBinaryRequest({10}, small.data(), small.size()))));
  EXPECT_EQ(ReadReply(bad)["reason"], "wrong_size");
  // NaN and Inf.
  std::vector<float> nan = good_;
  nan[3] = std::numeric_limits<float>::quiet_NaN();
  ASSERT_TRUE(SendAll(bad, EncodeFrame(EncodeBinaryRequest({64}, nan.data(), nan.size()))));
  EXPECT_EQ(ReadReply(bad)["reason"], "non_finite");
  nan[3] = -std::numeric_limits<float>::infinity();
  ASSERT_TRUE(SendAll(bad, EncodeFrame(EncodeBinaryRequest({64}, nan.data(), nan.size()))));
  EXPECT_EQ(ReadReply(bad)["reason"], "non_finite");
  ASSERT_TRUE(SendAll(bad, EncodeFrame("{\"input\": [1, 2")));
  EXPECT_EQ(ReadReply(bad)["reason"], "bad_json");
  // Still served on the same connection.
  ASSERT_TRUE(SendAll(bad, GoodFrame()));
  EXPECT_TRUE(ReadReply(bad)["ok"].get<bool>());
  // Oversized: rejected and closed.
  ASSERT_TRUE(SendAll(bad, std::string("\xff\xff\xff\x7f", 4)));
  EXPECT_EQ(ReadReply(bad)["reason"], "oversized");
  EXPECT_TRUE(Closed(bad));
  ::close(bad);
  // Disconnect mid-frame.
  int mid = ConnectTcp(server_->tcp_port());
  std::string frame = GoodFrame();
  ASSERT_TRUE(SendAll(mid, frame.substr(0, 30)));
  ::close(mid);
  // A slow client that never finishes its frame times out.
  int slow = ConnectUnix(server_->unix_path());
  ASSERT_TRUE(SendAll(slow, frame.substr(0, 10)));
  EXPECT_EQ(ReadReply(slow)["reason"], "timeout");
  ::close(slow);
  // The good client was served throughout.
  ASSERT_TRUE(SendAll(good, GoodFrame()));
  EXPECT_TRUE(ReadReply(good)["ok"].get<bool>());
  for (int i = 0; i < 50 && Rejected("disconnect_mid_frame") == 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_EQ(Rejected("malformed"), 1u);
  EXPECT_EQ(Rejected("wrong_size"), 1u);
  EXPECT_EQ(Rejected("non_finite"), 2u);
  EXPECT_EQ(Rejected("bad_json"), 1u);
  EXPECT_EQ(Rejected("oversized"), 1u);
  EXPECT_EQ(Rejected("disconnect_mid_frame"), 1u);
  EXPECT_EQ(Rejected("timeout"), 1u);
  ::close(good);
}

TEST_F(InputServerTest, ConnectionLimitIsEnforcedAndCounted) {
  std::vector<int> fds;
  for (int i = 0; i < 4; ++i) fds.push_back(ConnectTcp(server_->tcp_port()));
  // Make sure all four are being served before the fifth arrives.
  for (int fd : fds) {
    ASSERT_TRUE(SendAll(fd, GoodFrame()));
    ASSERT_TRUE(ReadReply(fd)["ok"].get<bool>());
  }
  int extra = ConnectTcp(server_->tcp_port());
  EXPECT_EQ(ReadReply(extra)["reason"], "too_many_connections");
  EXPECT_EQ(Rejected("too_many_connections"), 1u);
  ::close(extra);
  for (int fd : fds) ::close(fd);
}

}  // namespace
}  // namespace edgerun::agent
