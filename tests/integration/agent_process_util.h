// Helpers for the agent's real-process tests: spawn `edgerun` subcommands, read their stdout
// line by line, signal them, scrape /metrics, query the cloud and read the outbox database.
// Thread-safety: a ChildProcess is used from one thread.
#pragma once

#include <fcntl.h>
#include <gtest/gtest.h>
#include <httplib.h>
#include <poll.h>
#include <signal.h>
#include <sqlite3.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <memory>
#include <optional>
#include <regex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

namespace edgerun::agent::it {

class ChildProcess {
 public:
  // Starts EDGERUN_CLI_PATH with `args`; stdout is read through a pipe, stderr goes to
  // `stderr_path`. Returns nullptr if fork/exec fails.
  static std::unique_ptr<ChildProcess> Spawn(const std::vector<std::string>& args, const std::string& stderr_path) {
    int out[2];
    if (::pipe2(out, O_CLOEXEC) != 0) return nullptr;
    pid_t pid = ::fork();
    if (pid < 0) return nullptr;
    if (pid == 0) {
      ::dup2(out[1], STDOUT_FILENO);
      int err = ::open(stderr_path.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
      if (err >= 0) ::dup2(err, STDERR_FILENO);
      std::vector<char*> argv;
      std::string cli = EDGERUN_CLI_PATH;
      argv.push_back(cli.data());
      std::vector<std::string> copy = args;
      for (auto& a : copy) argv.push_back(a.data());
      argv.push_back(nullptr);
      ::execv(cli.c_str(), argv.data());
      ::_exit(127);
    }
    ::close(out[1]);
    auto p = std::unique_ptr<ChildProcess>(new ChildProcess());
    p->pid_ = pid;
    p->out_fd_ = out[0];
    return p;
  }

  ~ChildProcess() {
    if (pid_ > 0) {
      Signal(SIGKILL);
      Wait(5000);
    }
    if (out_fd_ >= 0) ::close(out_fd_);
  }

  // Next stdout line, or nullopt on EOF/timeout.
  std::optional<std::string> ReadLine(int timeout_ms) {
    auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
    for (;;) {
      size_t nl = buf_.find('\n');
      if (nl != std::string::npos) {
        std::string line = buf_.substr(0, nl);
        buf_.erase(0, nl + 1);
        return line;
      }
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now()).count();
      if (left <= 0) return std::nullopt;
      pollfd p{out_fd_, POLLIN, 0};
      if (::poll(&p, 1, static_cast<int>(left)) <= 0) continue;
      char tmp[4096];
      ssize_t n = ::read(out_fd_, tmp, sizeof(tmp));
      if (n <= 0) return std::nullopt;
      buf_.append(tmp, static_cast<size_t>(n));
    }
  }

  // Reads lines until one matches `re`; returns its first capture group.
  std::optional<std::string> WaitForLine(const std::string& re, int timeout_ms) {
    std::regex r(re);
    auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
    while (std::chrono::steady_clock::now() < deadline) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now()).count();
      auto line = ReadLine(static_cast<int>(left));
      if (!line) return std::nullopt;
      std::smatch m;
      if (std::regex_search(*line, m, r)) return m.size() > 1 ? m[1].str() : m[0].str();
    }
    return std::nullopt;
  }

  void Signal(int sig) {
    if (pid_ > 0) ::kill(pid_, sig);
  }
  // Exit status (or 128+signal), -1 on timeout.
  int Wait(int timeout_ms) {
    auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
    while (pid_ > 0) {
      int st = 0;
      pid_t r = ::waitpid(pid_, &st, WNOHANG);
      if (r == pid_) {
        pid_ = -1;
        return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
      }
      if (std::chrono::steady_clock::now() > deadline) return -1;
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    return -1;
  }
  pid_t pid() const { return pid_; }

 private:
  ChildProcess() = default;
  pid_t pid_ = -1;
  int out_fd_ = -1;
  std::string buf_;
};

class TempDir {
 public:
  TempDir() {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    path_ = std::filesystem::temp_directory_path() /
            ("edgerun_agent_it_" + std::string(info->name()) + "_" + std::to_string(::getpid()));
    std::filesystem::remove_all(path_);
    std::filesystem::create_directories(path_);
  }
  ~TempDir() {
    if (!::testing::Test::HasFailure()) std::filesystem::remove_all(path_);
  }
  std::string Path(const std::string& rel) const { return (path_ / rel).string(); }

 private:
  std::filesystem::path path_;
};

inline void WriteFile(const std::string& path, const std::string& text) {
  std::ofstream(path) << text;
}

inline std::string SourcePath(const std::string& rel) { return std::string(EDGERUN_SOURCE_DIR) + "/" + rel; }

// A running `edgerun cloud` with one device token.
struct Cloud {
  std::unique_ptr<ChildProcess> proc;
  int port = -1;
};

inline std::string AddToken(const std::string& db, const std::string& device) {
  std::string cmd = std::string(EDGERUN_CLI_PATH) + " cloud token add " + device + " --db " + db + " 2>/dev/null";
  FILE* p = ::popen(cmd.c_str(), "r");
  std::string out;
  char buf[256];
  while (p && fgets(buf, sizeof(buf), p)) out += buf;
  if (p) ::pclose(p);
  while (!out.empty() && isspace(static_cast<unsigned char>(out.back()))) out.pop_back();
  return out;
}

inline Cloud StartCloud(const std::string& db, const std::string& log, int port = 0) {
  Cloud c;
  c.proc = ChildProcess::Spawn({"cloud", "--listen", "127.0.0.1:" + std::to_string(port), "--db", db}, log);
  if (!c.proc) return c;
  auto p = c.proc->WaitForLine("listening on 127\\.0\\.0\\.1:([0-9]+)", 20000);
  if (p) c.port = std::stoi(*p);
  return c;
}

// All of a device's events stored by the cloud, in the cloud's order (by id).
inline std::vector<std::string> CloudEventIds(int port, const std::string& token, const std::string& device) {
  httplib::Client client("127.0.0.1", port);
  client.set_read_timeout(10, 0);
  std::vector<std::string> ids;
  std::set<std::string> seen;
  std::string since;
  for (int page = 0; page < 1000; ++page) {
    std::string path = "/api/v1/events?device=" + device + "&limit=1000";
    if (!since.empty()) path += "&since=" + since;
    auto res = client.Get(path.c_str(), {{"Authorization", "Bearer " + token}});
    if (!res || res->status != 200) {
      ADD_FAILURE() << "GET " << path << " failed: " << (res ? std::to_string(res->status) + " " + res->body : "no response");
      return ids;
    }
    auto j = nlohmann::json::parse(res->body);
    size_t added = 0;
    for (const auto& e : j["events"]) {
      std::string id = e["id"];
      ids.push_back(id);
      if (seen.insert(id).second) ++added;
      since = id;
    }
    if (added == 0) break;
  }
  return ids;
}

// Scrapes one sample value ("name" or "name{labels}") from /metrics; -1 when unavailable.
inline double Metric(int port, const std::string& sample) {
  httplib::Client client("127.0.0.1", port);
  client.set_read_timeout(5, 0);
  auto res = client.Get("/metrics");
  if (!res || res->status != 200) return -1;
  std::istringstream in(res->body);
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind(sample + " ", 0) == 0) return std::stod(line.substr(sample.size() + 1));
  }
  return -1;
}

// Polls `cond` every 20 ms until true or `timeout_ms` passes.
template <typename F>
bool WaitUntil(F cond, int timeout_ms) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  while (std::chrono::steady_clock::now() < deadline) {
    if (cond()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return cond();
}

// Ids committed to an outbox database (read-only; safe while the agent writes it).
inline std::vector<std::string> OutboxIds(const std::string& db_path) {
  std::vector<std::string> ids;
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(db_path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) {
    sqlite3_close(db);
    return ids;
  }
  sqlite3_busy_timeout(db, 2000);
  sqlite3_stmt* st = nullptr;
  if (sqlite3_prepare_v2(db, "SELECT id FROM events ORDER BY id", -1, &st, nullptr) == SQLITE_OK) {
    while (sqlite3_step(st) == SQLITE_ROW) ids.emplace_back(reinterpret_cast<const char*>(sqlite3_column_text(st, 0)));
  }
  sqlite3_finalize(st);
  sqlite3_close(db);
  return ids;
}

struct AgentOptions {
  std::string device = "dev-it";
  int cloud_port = 0;          // 0 = no sync section
  std::string token;
  std::string dataset;         // empty = no replay
  double rate_hz = 1000;
  uint64_t limit = 0;
  double threshold = 1.01;     // route everything by default
  double sample_rate = 0;
  uint64_t max_events = 1000000;
  uint64_t max_bytes = 256ull << 20;
  std::string policy = "drop_oldest";
  int flush_interval_ms = 5;
  int batch_size = 20;
  int interval_ms = 50;
  int backoff_max_ms = 200;
  std::string extra;           // appended TOML
};

inline std::string AgentToml(const AgentOptions& o, const std::string& dir) {
  std::string t = "device_id = \"" + o.device + "\"\n";
  t += "[model]\npath = \"" + SourcePath("models/sensor_mlp/model.onnx") + "\"\nname = \"sensor_mlp\"\n";
  t += "[postprocess]\nlabels = [\"normal\", \"imbalance\", \"misalignment\", \"bearing_fault\"]\n";
  t += "[routing]\nthreshold = " + std::to_string(o.threshold) + "\nsample_rate = " + std::to_string(o.sample_rate) +
       "\nseed = 11\n";
  t += "[outbox]\npath = \"" + dir + "/outbox.db\"\nmax_events = " + std::to_string(o.max_events) +
       "\nmax_bytes = " + std::to_string(o.max_bytes) + "\npolicy = \"" + o.policy +
       "\"\nflush_interval_ms = " + std::to_string(o.flush_interval_ms) + "\n";
  if (o.cloud_port > 0) {
    t += "[sync]\nurl = \"http://127.0.0.1:" + std::to_string(o.cloud_port) + "\"\ntoken = \"" + o.token +
         "\"\nbatch_size = " + std::to_string(o.batch_size) + "\ninterval_ms = " + std::to_string(o.interval_ms) +
         "\nbackoff_initial_ms = 20\nbackoff_max_ms = " + std::to_string(o.backoff_max_ms) + "\ntimeout_ms = 2000\n";
  }
  if (!o.dataset.empty()) {
    t += "[replay]\ndataset = \"" + o.dataset + "\"\nrate_hz = " + std::to_string(o.rate_hz) +
         "\nlimit = " + std::to_string(o.limit) + "\n";
  }
  t += "[metrics]\nlisten = \"127.0.0.1:0\"\n" + o.extra;
  return t;
}

// A running agent and its metrics port.
struct Agent {
  std::unique_ptr<ChildProcess> proc;
  int metrics_port = -1;
};

inline Agent StartAgent(const std::string& config_path, const std::string& log) {
  Agent a;
  a.proc = ChildProcess::Spawn({"agent", "--config", config_path}, log);
  if (!a.proc) return a;
  auto p = a.proc->WaitForLine("metrics listening on 127\\.0\\.0\\.1:([0-9]+)", 20000);
  if (p) a.metrics_port = std::stoi(*p);
  return a;
}

}  // namespace edgerun::agent::it
