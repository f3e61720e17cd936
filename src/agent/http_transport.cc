// cpp-httplib implementation of HttpTransport.
#include "agent/http_transport.h"

#include <httplib.h>

namespace edgerun::agent {
namespace {

class HttplibTransport final : public HttpTransport {
 public:
  HttplibTransport(const std::string& base_url, int timeout_ms) : client_(base_url) {
    time_t sec = timeout_ms / 1000;
    time_t usec = (timeout_ms % 1000) * 1000;
    client_.set_connection_timeout(sec, usec);
    client_.set_read_timeout(sec, usec);
    client_.set_write_timeout(sec, usec);
    client_.set_keep_alive(true);
    client_.set_tcp_nodelay(true);  // headers and body go out in separate writes: avoid Nagle + delayed-ACK stalls
  }

  Result<HttpResponse> PostJson(const std::string& path, const std::string& body, const std::string& token) override {
    try {
      httplib::Headers headers = {{"Authorization", "Bearer " + token}};
      auto res = client_.Post(path.c_str(), headers, body, "application/json");
      if (!res) return Unavailable("POST " + path + ": " + httplib::to_string(res.error()));
      return HttpResponse{res->status, res->body};
    } catch (const std::exception& e) {
      return Unavailable("POST " + path + ": " + e.what());
    }
  }

 private:
  httplib::Client client_;
};

}  // namespace

Result<std::shared_ptr<HttpTransport>> MakeHttpTransport(const std::string& base_url, int timeout_ms) {
  if (base_url.rfind("http://", 0) != 0 && base_url.rfind("https://", 0) != 0) {
    return InvalidArgument("sync.url: '" + base_url + "' is not http://host:port");
  }
  if (base_url.rfind("https://", 0) == 0) {
#ifndef CPPHTTPLIB_OPENSSL_SUPPORT
    return Unsupported("sync.url: https needs a build with CPPHTTPLIB_OPENSSL_SUPPORT");
#endif
  }
  try {
    return std::shared_ptr<HttpTransport>(std::make_shared<HttplibTransport>(base_url, timeout_ms));
  } catch (const std::exception& e) {
    return InvalidArgument("sync.url: '" + base_url + "': " + e.what());
  }
}

}  // namespace edgerun::agent
