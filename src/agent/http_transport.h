// HttpTransport: the uploader's view of the network, behind an interface so tests can cut it.
// Thread-safety: implementations must allow Post from one thread at a time (the uploader's).
#pragma once

#include <memory>
#include <string>

#include "edgerun/status.h"

namespace edgerun::agent {

struct HttpResponse {
  int status = 0;
  std::string body;
};

class HttpTransport {
 public:
  virtual ~HttpTransport() = default;
  // POSTs a JSON body to `path` with "Authorization: Bearer <token>". Returns the response for
  // any HTTP status; Unavailable when no response arrived (connection refused, timeout, reset).
  virtual Result<HttpResponse> PostJson(const std::string& path, const std::string& body, const std::string& token) = 0;
};

// cpp-httplib client for `base_url` ("http://host:port"); connect/read/write timeouts `timeout_ms`.
// InvalidArgument for a URL that is not http(s)://host[:port].
Result<std::shared_ptr<HttpTransport>> MakeHttpTransport(const std::string& base_url, int timeout_ms);

}  // namespace edgerun::agent
