// CloudServer: routes, authentication, limits, JSON errors and request metrics on cpp-httplib.
#include "cloud/cloud_server.h"

#include <sys/socket.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <nlohmann/json.hpp>
#include <optional>

#include "cloud/bounded_task_queue.h"
#include "cloud/event_json.h"
#include "cloud/httplib_config.h"
#include "cloud/rfc3339.h"

namespace edgerun::cloud {

namespace {

using nlohmann::json;

constexpr int kDefaultLimit = 100;
constexpr int kMaxLimit = 1000;

struct Route {
  const char* path;
  bool get;
  bool post;
};

constexpr Route kRoutes[] = {
    {"/api/v1/events", true, true},
    {"/api/v1/devices", true, false},
    {"/metrics", true, false},
    {"/healthz", true, false},
};

const Route* FindRoute(const std::string& path) {
  for (const Route& r : kRoutes) {
    if (path == r.path) return &r;
  }
  return nullptr;
}

// Serializes text that may hold bytes from the request (invalid UTF-8 is replaced, never thrown).
std::string Dump(const json& j) { return j.dump(-1, ' ', false, json::error_handler_t::replace); }

void SetJsonError(httplib::Response& res, int code, const std::string& message) {
  res.status = code;
  res.set_content(Dump(json{{"error", message}}), "application/json");
}

int HttpCodeFor(const Status& s) {
  switch (s.code()) {
    case StatusCode::kInvalidArgument:
      return 400;
    case StatusCode::kUnavailable:
      return 503;
    default:
      return 500;
  }
}

const char* DefaultMessage(int code) {
  switch (code) {
    case 400:
      return "bad request";
    case 404:
      return "not found";
    case 405:
      return "method not allowed";
    case 413:
      return "request body too large";
    case 414:
      return "request URI too long";
    case 416:
      return "range not satisfiable";
    case 503:
      return "service unavailable";
    default:
      return code < 500 ? "request rejected" : "internal error";
  }
}

int64_t SystemNowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// Per request, on the worker thread that serves it: set when routing starts, read by the logger.
struct RequestContext {
  bool active = false;
  const char* route = "other";
  std::chrono::steady_clock::time_point start;
};
thread_local RequestContext tls_request;

// The token of an `Authorization: Bearer TOKEN` header, or nullopt.
std::optional<std::string> BearerToken(const httplib::Request& req) {
  if (!req.has_header("Authorization")) return std::nullopt;
  std::string v = req.get_header_value("Authorization");
  if (v.size() < 7 || strncasecmp(v.c_str(), "Bearer ", 7) != 0) return std::nullopt;
  size_t b = 7;
  while (b < v.size() && v[b] == ' ') ++b;
  size_t e = v.size();
  while (e > b && (v[e - 1] == ' ' || v[e - 1] == '\t')) --e;
  if (e == b) return std::nullopt;
  return v.substr(b, e - b);
}

// httplib::Server with a way to wake a listener that has not started its accept loop yet.
class StoppableHttpServer : public httplib::Server {
 public:
  void ShutdownListener() {
    socket_t s = svr_sock_;
    if (s != INVALID_SOCKET) ::shutdown(s, SHUT_RDWR);
  }
};

}  // namespace

class CloudServer::Impl {
 public:
  Impl(CloudStore* store, CloudServerOptions options, CloudMetrics* metrics)
      : store_(store), opt_(std::move(options)), metrics_(metrics) {
    if (!opt_.now_ms) opt_.now_ms = SystemNowMs;
    if (!opt_.log) opt_.log = [](const std::string& line) { std::fprintf(stderr, "%s\n", line.c_str()); };
    Configure();
  }

  Result<int> Bind() {
    std::string where = opt_.host + ":" + std::to_string(opt_.port);
    errno = 0;
    int port = opt_.port;
    if (port == 0) {
      port = http_.bind_to_any_port(opt_.host);
      if (port < 0) port = -1;
    } else if (!http_.bind_to_port(opt_.host, port)) {
      port = -1;
    }
    if (port < 0) {
      return Unavailable("cannot listen on " + where + (errno ? std::string(": ") + std::strerror(errno) : ""));
    }
    bound_ = true;
    return port;
  }

  Status Serve() {
    if (!bound_) return Internal("Serve called before Bind");
    if (stop_requested_) return Status::Ok();
    Log("info", "serving", json::object());
    bool ok = http_.listen_after_bind();
    if (stop_requested_) {
      Log("info", "stopped", json::object());
      return Status::Ok();
    }
    return Internal(ok ? "listener stopped unexpectedly" : "listener failed");
  }

  void Stop() {
    stop_requested_ = true;
    if (http_.is_running()) {
      http_.stop();
    } else {
      http_.ShutdownListener();
    }
  }

 private:
  void Configure() {
    size_t threads = static_cast<size_t>(opt_.threads);
    size_t pending = opt_.max_pending_connections;
    http_.new_task_queue = [threads, pending] { return new BoundedTaskQueue(threads, pending); };
    http_.set_payload_max_length(opt_.max_body_bytes);
    http_.set_read_timeout(opt_.read_timeout_s, 0);
    http_.set_write_timeout(opt_.write_timeout_s, 0);
    http_.set_keep_alive_timeout(opt_.keep_alive_timeout_s);
    http_.set_keep_alive_max_count(opt_.keep_alive_max_requests);
    http_.set_tcp_nodelay(true);
    // SO_REUSEADDR only: httplib's default adds SO_REUSEPORT, which would let a second server
    // (with another database) share the port silently instead of failing to start.
    http_.set_socket_options([](socket_t sock) {
      int yes = 1;
      ::setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
    });

    http_.set_pre_routing_handler([this](const httplib::Request& req, httplib::Response& res) {
      return PreRoute(req, res);
    });
    http_.set_error_handler(
        httplib::Server::HandlerWithResponse([](const httplib::Request&, httplib::Response& res) {
          if (!res.body.empty()) return httplib::Server::HandlerResponse::Unhandled;
          SetJsonError(res, res.status, DefaultMessage(res.status));
          return httplib::Server::HandlerResponse::Handled;
        }));
    http_.set_exception_handler([this](const httplib::Request& req, httplib::Response& res, std::exception_ptr ep) {
      std::string what = "unknown exception";
      try {
        if (ep) std::rethrow_exception(ep);
      } catch (const std::exception& e) {
        what = e.what();
      } catch (...) {
      }
      Log("error", "handler threw", json{{"path", req.path}, {"error", what}});
      SetJsonError(res, 500, "internal error");
    });
    http_.set_logger([this](const httplib::Request& req, const httplib::Response& res) { Observe(req, res); });

    http_.Get("/healthz", [](const httplib::Request&, httplib::Response& res) { res.set_content("ok", "text/plain"); });
    http_.Get("/metrics", [this](const httplib::Request&, httplib::Response& res) {
      res.set_content(metrics_->Render(), "text/plain; version=0.0.4; charset=utf-8");
    });
    http_.Post("/api/v1/events", [this](const httplib::Request& req, httplib::Response& res,
                                        const httplib::ContentReader& reader) { PostEvents(req, res, reader); });
    http_.Get("/api/v1/events", [this](const httplib::Request& req, httplib::Response& res) { GetEvents(req, res); });
    http_.Get("/api/v1/devices", [this](const httplib::Request& req, httplib::Response& res) { GetDevices(req, res); });
  }

  // Runs before the body is read: unknown paths and methods are answered here, so their bodies
  // are never buffered.
  httplib::Server::HandlerResponse PreRoute(const httplib::Request& req, httplib::Response& res) {
    tls_request.active = true;
    tls_request.start = std::chrono::steady_clock::now();
    const Route* route = FindRoute(req.path);
    tls_request.route = route ? route->path : "other";
    if (!route) {
      SetJsonError(res, 404, "no such endpoint: " + req.path);
      return httplib::Server::HandlerResponse::Handled;
    }
    bool get = req.method == "GET" || req.method == "HEAD";
    if ((get && route->get) || (req.method == "POST" && route->post)) return httplib::Server::HandlerResponse::Unhandled;
    std::string allow = route->post ? (route->get ? "GET, HEAD, POST" : "POST") : "GET, HEAD";
    res.set_header("Allow", allow);
    SetJsonError(res, 405, "method " + req.method + " not allowed on " + req.path + " (allowed: " + allow + ")");
    return httplib::Server::HandlerResponse::Handled;
  }

  void Observe(const httplib::Request& req, const httplib::Response& res) {
    static const char* kMethods[] = {"GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS"};
    std::string method = "other";
    for (const char* m : kMethods) {
      if (req.method == m) method = m;
    }
    double seconds = -1;
    const char* route = "other";
    if (tls_request.active) {
      seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - tls_request.start).count();
      route = tls_request.route;
    }
    tls_request = RequestContext();
    metrics_->ObserveRequest(route, method, res.status, seconds);
    if (res.status >= 400) {
      std::string error;
      if (res.get_header_value("Content-Type") == "application/json") {
        json body = json::parse(res.body, nullptr, false);
        if (body.is_object() && body.contains("error") && body["error"].is_string()) error = body["error"];
      }
      Log(res.status >= 500 ? "error" : "warn", "request rejected",
          json{{"method", req.method}, {"path", req.path}, {"status", res.status}, {"error", error}});
    }
  }

  // The authenticated principal, or an error response already set on `res`.
  std::optional<Principal> Authenticate(const httplib::Request& req, httplib::Response& res) {
    auto token = BearerToken(req);
    if (!token) {
      res.set_header("WWW-Authenticate", "Bearer");
      SetJsonError(res, 401, "missing credentials: send 'Authorization: Bearer TOKEN'");
      return std::nullopt;
    }
    auto principal = store_->Authenticate(*token);
    if (!principal.ok()) {
      SetJsonError(res, HttpCodeFor(principal.status()), "authenticating: " + principal.status().message());
      return std::nullopt;
    }
    if (!principal->has_value()) {
      res.set_header("WWW-Authenticate", "Bearer error=\"invalid_token\"");
      SetJsonError(res, 401, "unknown token");
      return std::nullopt;
    }
    return **principal;
  }

  void PostEvents(const httplib::Request& req, httplib::Response& res, const httplib::ContentReader& reader) {
    // Read the whole (bounded) body first so a keep-alive connection stays in step even when the
    // request is refused.
    std::string body;
    bool too_large = false;
    bool read_ok = reader([&](const char* data, size_t n) {
      if (body.size() + n > opt_.max_body_bytes) {
        too_large = true;
        return false;
      }
      body.append(data, n);
      return true;
    });
    if (too_large || res.status == 413) {
      res.set_header("Connection", "close");  // the rest of the body was not read
      metrics_->AddRejectedBatch("too_large");
      SetJsonError(res, 413, "request body larger than " + std::to_string(opt_.max_body_bytes) + " bytes");
      return;
    }
    if (!read_ok) {
      metrics_->AddRejectedBatch("bad_request");
      SetJsonError(res, 400, "could not read the request body");
      return;
    }
    res.status = -1;
    auto principal = Authenticate(req, res);
    if (!principal) {
      metrics_->AddRejectedBatch(res.status == 401 ? "unauthorized" : "store_error");
      return;
    }
    if (principal->admin) {
      metrics_->AddRejectedBatch("forbidden");
      SetJsonError(res, 403, "admin token '" + principal->name + "' cannot ingest events; use the device's token");
      return;
    }
    auto batch = ParseEventBatch(body);
    if (!batch.ok()) {
      metrics_->AddRejectedBatch("bad_request");
      SetJsonError(res, HttpCodeFor(batch.status()), batch.status().message());
      return;
    }
    const std::string& device = principal->name;
    std::string mismatch;
    if (batch->device_id && *batch->device_id != device) {
      mismatch = "device_id '" + *batch->device_id + "'";
    }
    for (size_t i = 0; i < batch->events.size() && mismatch.empty(); ++i) {
      if (batch->events[i].device_id != device) {
        mismatch = "events[" + std::to_string(i) + "].device_id '" + batch->events[i].device_id + "'";
      }
    }
    if (!mismatch.empty()) {
      metrics_->AddRejectedBatch("forbidden");
      SetJsonError(res, 403, mismatch + " does not match the token's device '" + device + "'");
      return;
    }
    auto stored = store_->Ingest(device, *batch, opt_.now_ms());
    if (!stored.ok()) {
      metrics_->AddRejectedBatch("store_error");
      Log("error", "ingest failed", json{{"device_id", device}, {"error", stored.status().ToString()}});
      SetJsonError(res, stored.status().code() == StatusCode::kUnavailable ? 503 : 500,
                   "storing the batch: " + stored.status().message());
      return;
    }
    metrics_->AddIngested(stored->accepted);
    metrics_->AddDuplicates(stored->duplicates);
    res.status = 200;
    res.set_content(Dump(json{{"accepted", stored->accepted}, {"duplicates", stored->duplicates}}), "application/json");
  }

  void GetEvents(const httplib::Request& req, httplib::Response& res) {
    if (!Authenticate(req, res)) return;
    EventQuery q;
    q.limit = kDefaultLimit;
    if (req.has_param("device")) {
      q.device = req.get_param_value("device");
      if (q.device.empty() || q.device.size() > kMaxIdLength) return SetJsonError(res, 400, "device: expected a device id");
    }
    if (req.has_param("since")) {
      std::string since = req.get_param_value("since");
      if (since.empty() || since.size() > 64) return SetJsonError(res, 400, "since: expected an RFC 3339 time or an event id");
      if (since.find_first_of("-:") != std::string::npos) {  // event ids (ULIDs) hold neither
        auto ms = ParseRfc3339Millis(since);
        if (!ms.ok()) return SetJsonError(res, 400, "since: " + ms.status().message());
        q.since_ms = *ms;
      } else {
        q.since_id = since;
      }
    }
    if (req.has_param("limit")) {
      std::string s = req.get_param_value("limit");
      char* end = nullptr;
      errno = 0;
      long v = s.empty() ? 0 : std::strtol(s.c_str(), &end, 10);
      if (s.empty() || *end != '\0' || errno != 0 || v < 1 || v > kMaxLimit) {
        return SetJsonError(res, 400, "limit: expected an integer in [1, " + std::to_string(kMaxLimit) + "]");
      }
      q.limit = static_cast<int>(v);
    }
    auto events = store_->QueryEvents(q);
    if (!events.ok()) return SetJsonError(res, HttpCodeFor(events.status()), events.status().message());
    std::string out = "{\"events\":[";
    for (size_t i = 0; i < events->size(); ++i) {
      if (i) out += ',';
      out += (*events)[i];
    }
    out += "]}";
    res.status = 200;
    res.set_content(out, "application/json");
  }

  void GetDevices(const httplib::Request& req, httplib::Response& res) {
    if (!Authenticate(req, res)) return;
    auto devices = store_->ListDevices();
    if (!devices.ok()) return SetJsonError(res, HttpCodeFor(devices.status()), devices.status().message());
    json list = json::array();
    for (const DeviceRecord& d : *devices) {
      json j;
      j["device_id"] = d.device_id;
      j["last_seen"] = d.last_seen_ms ? json(FormatRfc3339Millis(*d.last_seen_ms)) : json(nullptr);
      j["model"] = d.model ? json(*d.model) : json(nullptr);
      j["model_version"] = d.model_version ? json(*d.model_version) : json(nullptr);
      j["outbox_depth"] = d.outbox_depth ? json(*d.outbox_depth) : json(nullptr);
      j["outbox_bytes"] = d.outbox_bytes ? json(*d.outbox_bytes) : json(nullptr);
      j["drops"] = d.drops_json ? json::parse(*d.drops_json, nullptr, false) : json::object();
      if (j["drops"].is_discarded()) j["drops"] = json::object();
      j["events"] = d.events;
      list.push_back(std::move(j));
    }
    res.status = 200;
    res.set_content(Dump(json{{"devices", list}}), "application/json");
  }

  void Log(const char* level, const char* msg, json fields) {
    fields["ts"] = FormatRfc3339Millis(opt_.now_ms());
    fields["level"] = level;
    fields["msg"] = msg;
    fields["component"] = "cloud";
    opt_.log(Dump(fields));
  }

  CloudStore* store_;
  CloudServerOptions opt_;
  CloudMetrics* metrics_;
  StoppableHttpServer http_;
  bool bound_ = false;
  std::atomic<bool> stop_requested_{false};
};

CloudServer::CloudServer(CloudStore* store, CloudServerOptions options)
    : impl_(std::make_unique<Impl>(store, std::move(options), &metrics_)) {}

CloudServer::~CloudServer() = default;

Result<int> CloudServer::Bind() { return impl_->Bind(); }
Status CloudServer::Serve() { return impl_->Serve(); }
void CloudServer::Stop() { impl_->Stop(); }

}  // namespace edgerun::cloud
