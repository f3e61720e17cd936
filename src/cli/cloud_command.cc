// `edgerun cloud`: the cloud service (ingest API, event and device queries, /metrics; see
// docs/cloud.md) and its token management:
//   edgerun cloud --listen HOST:PORT --db FILE [--max-body BYTES] [--threads N]
//   edgerun cloud token add NAME --db FILE [--admin]   prints the new token, only it, on stdout
//   edgerun cloud token list --db FILE                  names, kinds and creation times, no tokens
//   edgerun cloud token revoke NAME --db FILE           deletes every token of NAME
// The server prints `listening on HOST:PORT` on stdout once bound, logs JSON lines on stderr and
// stops gracefully on SIGTERM or SIGINT (exit 0). Exit status: 0 success, 1 failure, 2 usage.
#include <pthread.h>

#include <CLI/CLI.hpp>
#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <memory>
#include <thread>

#include "cli/commands.h"
#include "cloud/cloud_server.h"
#include "cloud/cloud_store.h"
#include "cloud/event_json.h"
#include "cloud/rfc3339.h"

namespace edgerun::cli {

namespace {

struct CloudArgs {
  std::string listen = "127.0.0.1:8080";
  std::string db = "cloud.db";
  size_t max_body = 4u << 20;
  int threads = 8;
  std::string token_name;
  bool admin = false;
};

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// "HOST:PORT" or "[IPV6]:PORT".
Status ParseListen(const std::string& text, std::string* host, int* port) {
  size_t colon = text.rfind(':');
  if (colon == std::string::npos || colon == 0 || colon + 1 == text.size()) {
    return InvalidArgument("--listen '" + text + "': expected HOST:PORT");
  }
  *host = text.substr(0, colon);
  if (host->size() > 2 && host->front() == '[' && host->back() == ']') *host = host->substr(1, host->size() - 2);
  std::string p = text.substr(colon + 1);
  if (p.size() > 5 || p.find_first_not_of("0123456789") != std::string::npos || std::stoi(p) > 65535) {
    return InvalidArgument("--listen '" + text + "': port must be 0..65535");
  }
  *port = std::stoi(p);
  return Status::Ok();
}

Result<std::unique_ptr<cloud::CloudStore>> OpenStore(const std::string& db) { return cloud::CloudStore::Open(db); }

int Fail(const Status& s) {
  std::fprintf(stderr, "edgerun cloud: %s\n", s.ToString().c_str());
  return 1;
}

int RunServer(const CloudArgs& a) {
  cloud::CloudServerOptions opt;
  if (Status s = ParseListen(a.listen, &opt.host, &opt.port); !s.ok()) {
    std::fprintf(stderr, "edgerun cloud: %s\n", s.message().c_str());
    return 2;
  }
  opt.max_body_bytes = a.max_body;
  opt.threads = a.threads;

  // Block the stop signals in every thread (the server's workers inherit this mask) and wait for
  // them on one thread that then stops the server outside signal context.
  std::signal(SIGPIPE, SIG_IGN);
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGTERM);
  sigaddset(&stop_signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  auto store = OpenStore(a.db);
  if (!store.ok()) return Fail(store.status());
  cloud::CloudServer server(store->get(), opt);
  auto port = server.Bind();
  if (!port.ok()) return Fail(port.status());
  std::string shown_host = opt.host.find(':') != std::string::npos ? "[" + opt.host + "]" : opt.host;
  std::printf("listening on %s:%d\n", shown_host.c_str(), *port);
  std::fflush(stdout);

  std::atomic<bool> signaled{false};
  std::thread waiter([&] {
    int sig = 0;
    sigwait(&stop_signals, &sig);
    signaled = true;
    server.Stop();
  });
  Status served = server.Serve();
  if (!signaled) pthread_kill(waiter.native_handle(), SIGTERM);  // blocked: stays pending for sigwait
  waiter.join();
  if (!served.ok()) return Fail(served);
  return 0;
}

int TokenAdd(const CloudArgs& a) {
  // The same rule as event device ids (docs/cloud.md), so every token can be used.
  bool valid = !a.token_name.empty() && a.token_name.size() <= cloud::kMaxIdLength;
  for (char c : a.token_name) valid = valid && c > 0x20 && c < 0x7F;
  if (!valid) {
    std::fprintf(stderr, "edgerun cloud: token add: name must be 1..%zu printable ASCII characters without spaces\n",
                 cloud::kMaxIdLength);
    return 2;
  }
  auto store = OpenStore(a.db);
  if (!store.ok()) return Fail(store.status());
  auto token = (*store)->AddToken(a.token_name, a.admin, NowMs());
  if (!token.ok()) return Fail(token.status().WithContext("token add '" + a.token_name + "'"));
  std::printf("%s\n", token->c_str());
  return 0;
}

int TokenList(const CloudArgs& a) {
  auto store = OpenStore(a.db);
  if (!store.ok()) return Fail(store.status());
  auto tokens = (*store)->ListTokens();
  if (!tokens.ok()) return Fail(tokens.status());
  for (const auto& t : *tokens) {
    std::printf("%s\t%s\t%s\n", t.name.c_str(), t.admin ? "admin" : "device",
                cloud::FormatRfc3339Millis(t.created_ms).c_str());
  }
  return 0;
}

int TokenRevoke(const CloudArgs& a) {
  auto store = OpenStore(a.db);
  if (!store.ok()) return Fail(store.status());
  auto n = (*store)->RevokeTokens(a.token_name);
  if (!n.ok()) return Fail(n.status());
  if (*n == 0) return Fail(NotFound("no tokens for '" + a.token_name + "'"));
  std::fprintf(stderr, "revoked %lld token(s) of '%s'\n", static_cast<long long>(*n), a.token_name.c_str());
  return 0;
}

}  // namespace

void AddCloudCommand(CLI::App& app, int* exit_code) {
  auto args = std::make_shared<CloudArgs>();
  auto* cmd = app.add_subcommand("cloud", "Run the cloud service: event ingest, queries, /metrics (docs/cloud.md)");
  cmd->add_option("--listen", args->listen, "HOST:PORT to listen on; port 0 picks a free port")->capture_default_str();
  cmd->add_option("--db", args->db, "SQLite database file")->capture_default_str();
  cmd->add_option("--max-body", args->max_body, "Largest request body in bytes (413 beyond)")
      ->capture_default_str()
      ->check(CLI::Range(size_t{1024}, size_t{1} << 30));
  cmd->add_option("--threads", args->threads, "Worker threads")->capture_default_str()->check(CLI::Range(1, 256));

  auto* token = cmd->add_subcommand("token", "Manage API tokens");
  token->require_subcommand(1);
  auto* add = token->add_subcommand("add", "Create a token for NAME (a device id) and print it");
  add->add_option("name", args->token_name, "Device id (or an admin's name with --admin)")->required();
  add->add_option("--db", args->db, "SQLite database file")->capture_default_str();
  add->add_flag("--admin", args->admin, "An admin token: may query, may not ingest");
  add->callback([args, exit_code] { *exit_code = TokenAdd(*args); });
  auto* list = token->add_subcommand("list", "List token holders (never the tokens)");
  list->add_option("--db", args->db, "SQLite database file")->capture_default_str();
  list->callback([args, exit_code] { *exit_code = TokenList(*args); });
  auto* revoke = token->add_subcommand("revoke", "Delete every token of NAME");
  revoke->add_option("name", args->token_name, "Device id or admin name")->required();
  revoke->add_option("--db", args->db, "SQLite database file")->capture_default_str();
  revoke->callback([args, exit_code] { *exit_code = TokenRevoke(*args); });

  cmd->callback([args, exit_code, token] {
    if (token->parsed()) return;
    *exit_code = RunServer(*args);
  });
}

}  // namespace edgerun::cli
