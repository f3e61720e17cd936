// Status and Result<T>: errors as values with context (LevelDB style).
// Thread-safety: value types; safe to copy across threads.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <variant>

namespace edgerun {

enum class StatusCode {
  kOk = 0,
  kInvalidArgument,
  kUnsupported,
  kNotFound,
  kCorruption,
  kIOError,
  kOutOfMemory,
  kUnavailable,
  kInternal,
};

const char* StatusCodeName(StatusCode code);

class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(StatusCode code, std::string message) : code_(code), message_(std::move(message)) {}

  static Status Ok() { return Status(); }
  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  const std::string& message() const { return message_; }
  // "InvalidArgument: <message>"
  std::string ToString() const;
  // Prepends context: "context: message".
  Status WithContext(const std::string& context) const;

 private:
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
};

inline Status InvalidArgument(std::string m) { return Status(StatusCode::kInvalidArgument, std::move(m)); }
inline Status Unsupported(std::string m) { return Status(StatusCode::kUnsupported, std::move(m)); }
inline Status NotFound(std::string m) { return Status(StatusCode::kNotFound, std::move(m)); }
inline Status Corruption(std::string m) { return Status(StatusCode::kCorruption, std::move(m)); }
inline Status IOError(std::string m) { return Status(StatusCode::kIOError, std::move(m)); }
inline Status OutOfMemory(std::string m) { return Status(StatusCode::kOutOfMemory, std::move(m)); }
inline Status Unavailable(std::string m) { return Status(StatusCode::kUnavailable, std::move(m)); }
inline Status Internal(std::string m) { return Status(StatusCode::kInternal, std::move(m)); }

// Holds either a value or a non-OK Status.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : value_(std::move(value)) {}  // NOLINT: implicit by design
  Result(Status status) : status_(std::move(status)) {}  // NOLINT
  bool ok() const { return status_.ok(); }
  const Status& status() const { return status_; }
  T& value() & { return *value_; }
  const T& value() const& { return *value_; }
  T&& value() && { return std::move(*value_); }
  T* operator->() { return &*value_; }
  const T* operator->() const { return &*value_; }
  T& operator*() & { return *value_; }

 private:
  Status status_;
  std::optional<T> value_;
};

}  // namespace edgerun

#define EDGERUN_CONCAT_INNER(a, b) a##b
#define EDGERUN_CONCAT(a, b) EDGERUN_CONCAT_INNER(a, b)

#define EDGERUN_RETURN_IF_ERROR(expr)              \
  do {                                             \
    ::edgerun::Status _st = (expr);                \
    if (!_st.ok()) return _st;                     \
  } while (0)

#define EDGERUN_RETURN_IF_ERROR_CTX(expr, ctx)     \
  do {                                             \
    ::edgerun::Status _st = (expr);                \
    if (!_st.ok()) return _st.WithContext(ctx);    \
  } while (0)

#define EDGERUN_ASSIGN_OR_RETURN_IMPL(tmp, lhs, expr) \
  auto tmp = (expr);                                  \
  if (!tmp.ok()) return tmp.status();                 \
  lhs = std::move(tmp).value()

#define EDGERUN_ASSIGN_OR_RETURN(lhs, expr) \
  EDGERUN_ASSIGN_OR_RETURN_IMPL(EDGERUN_CONCAT(_res_, __LINE__), lhs, expr)
