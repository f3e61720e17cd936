// agent.toml parsing with toml++.
#include "agent/config.h"

#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include <toml++/toml.h>

namespace edgerun::agent {
namespace {

namespace fs = std::filesystem;

std::string Resolve(const std::string& base, const std::string& p) {
  if (p.empty() || fs::path(p).is_absolute() || base.empty()) return p;
  return (fs::path(base) / p).lexically_normal().string();
}

// Reads typed keys of one table, remembering which keys were consumed.
class Table {
 public:
  Table(const toml::table* t, std::string prefix) : t_(t), prefix_(std::move(prefix)) {}

  template <typename T>
  Status Get(const char* key, T* out) {
    seen_.insert(key);
    if (!t_) return Status::Ok();
    const toml::node* n = t_->get(key);
    if (!n) return Status::Ok();
    if constexpr (std::is_same_v<T, bool>) {
      if (auto v = n->value<bool>(); v && n->is_boolean()) {
        *out = *v;
        return Status::Ok();
      }
      return Bad(key, "a boolean");
    } else if constexpr (std::is_same_v<T, std::string>) {
      if (auto v = n->value<std::string>(); v && n->is_string()) {
        *out = *v;
        return Status::Ok();
      }
      return Bad(key, "a string");
    } else if constexpr (std::is_floating_point_v<T>) {
      if (auto v = n->value<double>(); v && (n->is_floating_point() || n->is_integer())) {
        *out = static_cast<T>(*v);
        return Status::Ok();
      }
      return Bad(key, "a number");
    } else {
      if (auto v = n->value<int64_t>(); v && n->is_integer()) {
        if (*v < 0) return Bad(key, "a non-negative integer");
        *out = static_cast<T>(*v);
        return Status::Ok();
      }
      return Bad(key, "an integer");
    }
  }

  Status GetFloats(const char* key, std::vector<float>* out) {
    seen_.insert(key);
    if (!t_) return Status::Ok();
    const toml::node* n = t_->get(key);
    if (!n) return Status::Ok();
    out->clear();
    if (n->is_integer() || n->is_floating_point()) {
      out->push_back(static_cast<float>(*n->value<double>()));
      return Status::Ok();
    }
    const toml::array* a = n->as_array();
    if (!a) return Bad(key, "a number or an array of numbers");
    for (const toml::node& e : *a) {
      if (!e.is_integer() && !e.is_floating_point()) return Bad(key, "an array of numbers");
      out->push_back(static_cast<float>(*e.value<double>()));
    }
    return Status::Ok();
  }

  Status GetStrings(const char* key, std::vector<std::string>* out) {
    seen_.insert(key);
    if (!t_) return Status::Ok();
    const toml::node* n = t_->get(key);
    if (!n) return Status::Ok();
    const toml::array* a = n->as_array();
    if (!a) return Bad(key, "an array of strings");
    out->clear();
    for (const toml::node& e : *a) {
      if (!e.is_string()) return Bad(key, "an array of strings");
      out->push_back(*e.value<std::string>());
    }
    return Status::Ok();
  }

  void Known(const char* key) { seen_.insert(key); }

  // InvalidArgument for keys no Get asked for (typos).
  Status CheckUnknown() const {
    if (!t_) return Status::Ok();
    for (const auto& [k, v] : *t_) {
      if (!seen_.count(std::string(k.str()))) {
        return InvalidArgument("unknown key '" + prefix_ + std::string(k.str()) + "'");
      }
    }
    return Status::Ok();
  }

 private:
  Status Bad(const char* key, const char* expected) const {
    return InvalidArgument("'" + prefix_ + key + "' must be " + expected);
  }
  const toml::table* t_;
  std::string prefix_;
  std::set<std::string> seen_;
};

Status ParseInto(const toml::table& root, const std::string& base, DaemonConfig* c) {
  AgentConfig& a = c->agent;
  Table top(&root, "");
  for (const char* t : {"model", "preprocess", "postprocess", "routing", "outbox", "sync", "input", "replay", "metrics", "log"}) {
    top.Known(t);  // type checked below
  }
  auto sub = [&root](const char* name) -> const toml::table* {
    const toml::node* n = root.get(name);
    return n ? n->as_table() : nullptr;
  };
  for (const char* t : {"model", "preprocess", "postprocess", "routing", "outbox", "sync", "input", "replay", "metrics", "log"}) {
    if (root.get(t) && !sub(t)) return InvalidArgument(std::string("'") + t + "' must be a table");
  }
  EDGERUN_RETURN_IF_ERROR(top.Get("device_id", &a.device_id));
  EDGERUN_RETURN_IF_ERROR(top.CheckUnknown());
  if (a.device_id.empty()) return InvalidArgument("'device_id' must not be empty");

  Table model(sub("model"), "model.");
  EDGERUN_RETURN_IF_ERROR(model.Get("path", &a.model.path));
  EDGERUN_RETURN_IF_ERROR(model.Get("name", &a.model.name));
  EDGERUN_RETURN_IF_ERROR(model.Get("version", &a.model.version));
  EDGERUN_RETURN_IF_ERROR(model.Get("threads", &a.model.threads));
  EDGERUN_RETURN_IF_ERROR(model.GetStrings("providers", &a.model.providers));
  EDGERUN_RETURN_IF_ERROR(model.CheckUnknown());
  if (a.model.path.empty()) return InvalidArgument("'model.path' is required");
  a.model.path = Resolve(base, a.model.path);
  if (a.model.threads < 1) return InvalidArgument("'model.threads' must be >= 1");

  Table pre(sub("preprocess"), "preprocess.");
  EDGERUN_RETURN_IF_ERROR(pre.GetFloats("mean", &a.preprocess.mean));
  EDGERUN_RETURN_IF_ERROR(pre.GetFloats("std", &a.preprocess.std));
  EDGERUN_RETURN_IF_ERROR(pre.CheckUnknown());

  Table post(sub("postprocess"), "postprocess.");
  EDGERUN_RETURN_IF_ERROR(post.Get("softmax", &a.postprocess.softmax));
  EDGERUN_RETURN_IF_ERROR(post.Get("top_k", &a.postprocess.top_k));
  EDGERUN_RETURN_IF_ERROR(post.GetStrings("labels", &a.postprocess.labels));
  EDGERUN_RETURN_IF_ERROR(post.Get("output", &a.postprocess.output));
  EDGERUN_RETURN_IF_ERROR(post.CheckUnknown());
  if (a.postprocess.top_k < 1) return InvalidArgument("'postprocess.top_k' must be >= 1");

  Table rt(sub("routing"), "routing.");
  std::string strategy = "least_confidence", input = "raw";
  EDGERUN_RETURN_IF_ERROR(rt.Get("strategy", &strategy));
  EDGERUN_RETURN_IF_ERROR(rt.Get("threshold", &a.routing.threshold));
  EDGERUN_RETURN_IF_ERROR(rt.Get("sample_rate", &a.routing.sample_rate));
  EDGERUN_RETURN_IF_ERROR(rt.Get("seed", &a.routing.seed));
  EDGERUN_RETURN_IF_ERROR(rt.Get("input", &input));
  EDGERUN_RETURN_IF_ERROR(rt.CheckUnknown());
  if (strategy == "least_confidence") {
    a.routing.strategy = RoutingStrategy::kLeastConfidence;
  } else if (strategy == "margin") {
    a.routing.strategy = RoutingStrategy::kMargin;
  } else if (strategy == "entropy") {
    a.routing.strategy = RoutingStrategy::kEntropy;
  } else {
    return InvalidArgument("'routing.strategy': '" + strategy + "' (expected least_confidence, margin or entropy)");
  }
  if (input == "raw") {
    a.routing.input = InputPayload::kRaw;
  } else if (input == "sha256") {
    a.routing.input = InputPayload::kSha256;
  } else if (input == "none") {
    a.routing.input = InputPayload::kNone;
  } else {
    return InvalidArgument("'routing.input': '" + input + "' (expected raw, sha256 or none)");
  }
  if (a.routing.sample_rate < 0 || a.routing.sample_rate > 1) {
    return InvalidArgument("'routing.sample_rate' must be in [0, 1]");
  }

  Table ob(sub("outbox"), "outbox.");
  std::string policy = "drop_oldest";
  EDGERUN_RETURN_IF_ERROR(ob.Get("path", &a.outbox.path));
  EDGERUN_RETURN_IF_ERROR(ob.Get("queue_capacity", &a.outbox.queue_capacity));
  EDGERUN_RETURN_IF_ERROR(ob.Get("max_events", &a.outbox.max_events));
  EDGERUN_RETURN_IF_ERROR(ob.Get("max_bytes", &a.outbox.max_bytes));
  EDGERUN_RETURN_IF_ERROR(ob.Get("policy", &policy));
  EDGERUN_RETURN_IF_ERROR(ob.Get("synchronous", &a.outbox.synchronous));
  EDGERUN_RETURN_IF_ERROR(ob.Get("batch_max", &a.outbox.batch_max));
  EDGERUN_RETURN_IF_ERROR(ob.Get("flush_interval_ms", &a.outbox.flush_interval_ms));
  EDGERUN_RETURN_IF_ERROR(ob.CheckUnknown());
  a.outbox.path = Resolve(base, a.outbox.path);
  if (policy == "drop_oldest") {
    a.outbox.policy = OutboxPolicy::kDropOldest;
  } else if (policy == "reject_new") {
    a.outbox.policy = OutboxPolicy::kRejectNew;
  } else {
    return InvalidArgument("'outbox.policy': '" + policy + "' (expected drop_oldest or reject_new)");
  }
  if (a.outbox.synchronous != "full" && a.outbox.synchronous != "normal") {
    return InvalidArgument("'outbox.synchronous': '" + a.outbox.synchronous + "' (expected full or normal)");
  }
  if (a.outbox.queue_capacity < 1 || a.outbox.max_events < 1 || a.outbox.max_bytes < 1 || a.outbox.batch_max < 1) {
    return InvalidArgument("'outbox' sizes (queue_capacity, max_events, max_bytes, batch_max) must be >= 1");
  }

  Table sy(sub("sync"), "sync.");
  std::string token_file;
  a.sync.enabled = sub("sync") != nullptr;
  EDGERUN_RETURN_IF_ERROR(sy.Get("enabled", &a.sync.enabled));
  EDGERUN_RETURN_IF_ERROR(sy.Get("url", &a.sync.url));
  EDGERUN_RETURN_IF_ERROR(sy.Get("token", &a.sync.token));
  EDGERUN_RETURN_IF_ERROR(sy.Get("token_file", &token_file));
  EDGERUN_RETURN_IF_ERROR(sy.Get("batch_size", &a.sync.batch_size));
  EDGERUN_RETURN_IF_ERROR(sy.Get("interval_ms", &a.sync.interval_ms));
  EDGERUN_RETURN_IF_ERROR(sy.Get("backoff_initial_ms", &a.sync.backoff_initial_ms));
  EDGERUN_RETURN_IF_ERROR(sy.Get("backoff_max_ms", &a.sync.backoff_max_ms));
  EDGERUN_RETURN_IF_ERROR(sy.Get("timeout_ms", &a.sync.timeout_ms));
  EDGERUN_RETURN_IF_ERROR(sy.CheckUnknown());
  if (!token_file.empty()) {
    token_file = Resolve(base, token_file);
    std::ifstream in(token_file);
    if (!in) return NotFound("'sync.token_file': cannot open '" + token_file + "'");
    std::getline(in, a.sync.token);
    while (!a.sync.token.empty() && isspace(static_cast<unsigned char>(a.sync.token.back()))) a.sync.token.pop_back();
  }
  if (a.sync.enabled) {
    if (a.sync.url.empty()) return InvalidArgument("'sync.url' is required when sync is enabled");
    if (a.sync.token.empty()) return InvalidArgument("'sync.token' or 'sync.token_file' is required when sync is enabled");
    if (a.sync.batch_size < 1 || a.sync.interval_ms < 1 || a.sync.backoff_initial_ms < 1 ||
        a.sync.backoff_max_ms < a.sync.backoff_initial_ms || a.sync.timeout_ms < 1) {
      return InvalidArgument("'sync': batch_size, interval_ms, backoff_initial_ms, timeout_ms must be >= 1 and "
                             "backoff_max_ms >= backoff_initial_ms");
    }
  }

  Table in(sub("input"), "input.");
  EDGERUN_RETURN_IF_ERROR(in.Get("unix_socket", &c->input.unix_socket));
  EDGERUN_RETURN_IF_ERROR(in.Get("tcp", &c->input.tcp));
  EDGERUN_RETURN_IF_ERROR(in.Get("max_frame_bytes", &c->input.max_frame_bytes));
  EDGERUN_RETURN_IF_ERROR(in.Get("read_timeout_ms", &c->input.read_timeout_ms));
  EDGERUN_RETURN_IF_ERROR(in.Get("idle_timeout_ms", &c->input.idle_timeout_ms));
  EDGERUN_RETURN_IF_ERROR(in.Get("max_connections", &c->input.max_connections));
  EDGERUN_RETURN_IF_ERROR(in.CheckUnknown());
  c->input.unix_socket = Resolve(base, c->input.unix_socket);
  if (!c->input.tcp.empty()) {
    std::string host;
    int port;
    EDGERUN_RETURN_IF_ERROR_CTX(ParseLoopbackAddress(c->input.tcp, &host, &port), "'input.tcp'");
  }
  if (c->input.max_frame_bytes < 16 || c->input.read_timeout_ms < 1 || c->input.idle_timeout_ms < 1 ||
      c->input.max_connections < 1) {
    return InvalidArgument("'input': max_frame_bytes >= 16, timeouts and max_connections >= 1");
  }

  Table rp(sub("replay"), "replay.");
  EDGERUN_RETURN_IF_ERROR(rp.Get("dataset", &c->replay.dataset));
  EDGERUN_RETURN_IF_ERROR(rp.Get("rate_hz", &c->replay.rate_hz));
  EDGERUN_RETURN_IF_ERROR(rp.Get("loop", &c->replay.loop));
  EDGERUN_RETURN_IF_ERROR(rp.Get("limit", &c->replay.limit));
  EDGERUN_RETURN_IF_ERROR(rp.CheckUnknown());
  c->replay.dataset = Resolve(base, c->replay.dataset);
  if (c->replay.rate_hz < 0) return InvalidArgument("'replay.rate_hz' must be >= 0");

  Table me(sub("metrics"), "metrics.");
  EDGERUN_RETURN_IF_ERROR(me.Get("listen", &c->metrics_listen));
  EDGERUN_RETURN_IF_ERROR(me.CheckUnknown());
  if (!c->metrics_listen.empty()) {
    std::string host;
    int port;
    EDGERUN_RETURN_IF_ERROR_CTX(ParseLoopbackAddress(c->metrics_listen, &host, &port), "'metrics.listen'");
  }
  Table lg(sub("log"), "log.");
  EDGERUN_RETURN_IF_ERROR(lg.Get("level", &c->log_level));
  EDGERUN_RETURN_IF_ERROR(lg.CheckUnknown());
  if (c->log_level != "debug" && c->log_level != "info" && c->log_level != "warn" && c->log_level != "error") {
    return InvalidArgument("'log.level': '" + c->log_level + "' (expected debug, info, warn or error)");
  }
  return Status::Ok();
}

}  // namespace

Status ParseLoopbackAddress(const std::string& text, std::string* host, int* port) {
  size_t colon = text.rfind(':');
  if (colon == std::string::npos) return InvalidArgument("'" + text + "' is not host:port");
  *host = text.substr(0, colon);
  if (host->size() > 2 && host->front() == '[' && host->back() == ']') *host = host->substr(1, host->size() - 2);
  if (*host == "localhost") *host = "127.0.0.1";
  if (*host != "127.0.0.1" && *host != "::1") {
    return InvalidArgument("'" + text + "': only loopback addresses (127.0.0.1, ::1, localhost) are allowed");
  }
  const std::string p = text.substr(colon + 1);
  if (p.empty() || p.size() > 5 || p.find_first_not_of("0123456789") != std::string::npos || std::stoi(p) > 65535) {
    return InvalidArgument("'" + text + "': bad port");
  }
  *port = std::stoi(p);
  return Status::Ok();
}

Result<DaemonConfig> ParseDaemonConfig(const std::string& toml_text, const std::string& base_dir) {
  DaemonConfig c;
  try {
    toml::table root = toml::parse(toml_text);
    EDGERUN_RETURN_IF_ERROR(ParseInto(root, base_dir, &c));
  } catch (const toml::parse_error& e) {
    std::ostringstream msg;
    msg << "line " << e.source().begin.line << ", column " << e.source().begin.column << ": " << e.description();
    return InvalidArgument(msg.str());
  }
  return c;
}

Result<DaemonConfig> LoadDaemonConfigFile(const std::string& path) {
  std::ifstream in(path);
  if (!in) return NotFound("config '" + path + "': cannot open");
  std::stringstream ss;
  ss << in.rdbuf();
  auto c = ParseDaemonConfig(ss.str(), fs::absolute(path).parent_path().string());
  if (!c.ok()) return c.status().WithContext("config '" + path + "'");
  return c;
}

}  // namespace edgerun::agent
