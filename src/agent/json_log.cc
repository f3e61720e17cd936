// JSON-lines logger on stderr.
#include "agent/json_log.h"

#include <unistd.h>

#include <atomic>
#include <chrono>

#include "agent/ulid.h"

namespace edgerun::agent {
namespace {

std::atomic<int> g_level{static_cast<int>(LogLevel::kInfo)};

const char* LevelName(LogLevel l) {
  switch (l) {
    case LogLevel::kDebug: return "debug";
    case LogLevel::kInfo: return "info";
    case LogLevel::kWarn: return "warn";
    case LogLevel::kError: return "error";
  }
  return "info";
}

}  // namespace

bool SetLogLevel(const std::string& name) {
  for (LogLevel l : {LogLevel::kDebug, LogLevel::kInfo, LogLevel::kWarn, LogLevel::kError}) {
    if (name == LevelName(l)) {
      g_level.store(static_cast<int>(l));
      return true;
    }
  }
  return false;
}

void Log(LogLevel level, const std::string& msg, nlohmann::json fields) {
  if (static_cast<int>(level) < g_level.load(std::memory_order_relaxed)) return;
  int64_t now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                       std::chrono::system_clock::now().time_since_epoch()).count();
  nlohmann::json line = nlohmann::json::object();
  line["ts"] = FormatRfc3339Millis(now_ms);
  line["level"] = LevelName(level);
  line["msg"] = msg;
  if (fields.is_object()) {
    for (auto it = fields.begin(); it != fields.end(); ++it) line[it.key()] = it.value();
  }
  std::string text = line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
  ssize_t ignored = ::write(STDERR_FILENO, text.data(), text.size());
  (void)ignored;
}

}  // namespace edgerun::agent
