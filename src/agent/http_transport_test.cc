#include "agent/http_transport.h"

#include <gtest/gtest.h>
#include <httplib.h>

#include <thread>

namespace edgerun::agent {
namespace {

TEST(HttpTransportTest, PostsJsonWithTheBearerToken) {
  httplib::Server server;
  std::string seen_auth, seen_body;
  server.Post("/api/v1/events", [&](const httplib::Request& req, httplib::Response& res) {
    seen_auth = req.get_header_value("Authorization");
    seen_body = req.body;
    res.status = 200;
    res.set_content("{\"accepted\":1}", "application/json");
  });
  int port = server.bind_to_any_port("127.0.0.1");
  std::thread t([&] { server.listen_after_bind(); });
  auto transport = MakeHttpTransport("http://127.0.0.1:" + std::to_string(port), 2000);
  ASSERT_TRUE(transport.ok());
  auto res = (*transport)->PostJson("/api/v1/events", "{\"events\":[]}", "tok");
  transport->reset();  // closes the keep-alive connection so stop() need not wait for it
  server.stop();
  t.join();
  ASSERT_TRUE(res.ok()) << res.status().ToString();
  EXPECT_EQ(res->status, 200);
  EXPECT_EQ(res->body, "{\"accepted\":1}");
  EXPECT_EQ(seen_auth, "Bearer tok");
  EXPECT_EQ(seen_body, "{\"events\":[]}");
}

TEST(HttpTransportTest, UnreachableIsUnavailableAndBadUrlsAreRejected) {
  httplib::Server probe;
  int port = probe.bind_to_any_port("127.0.0.1");
  probe.stop();  // bound then closed: nothing listens there
  auto transport = MakeHttpTransport("http://127.0.0.1:" + std::to_string(port), 500);
  ASSERT_TRUE(transport.ok());
  auto res = (*transport)->PostJson("/api/v1/events", "{}", "t");
  EXPECT_EQ(res.status().code(), StatusCode::kUnavailable);
  EXPECT_EQ(MakeHttpTransport("ftp://x", 100).status().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace edgerun::agent
