// Structured logging: one JSON object per line on stderr,
// {"ts":"2026-11-25T18:00:00.123Z","level":"info","msg":"...", ...fields}.
// Thread-safety: safe from any thread; each line is written with one write(2).
#pragma once

#include <string>

#include <nlohmann/json.hpp>

namespace edgerun::agent {

enum class LogLevel { kDebug = 0, kInfo = 1, kWarn = 2, kError = 3 };

// Lines below `level` are discarded (default info). Unknown names leave the level unchanged and
// return false.
bool SetLogLevel(const std::string& name);
void Log(LogLevel level, const std::string& msg, nlohmann::json fields = nlohmann::json::object());

inline void LogInfo(const std::string& msg, nlohmann::json f = nlohmann::json::object()) { Log(LogLevel::kInfo, msg, std::move(f)); }
inline void LogWarn(const std::string& msg, nlohmann::json f = nlohmann::json::object()) { Log(LogLevel::kWarn, msg, std::move(f)); }
inline void LogError(const std::string& msg, nlohmann::json f = nlohmann::json::object()) { Log(LogLevel::kError, msg, std::move(f)); }

}  // namespace edgerun::agent
