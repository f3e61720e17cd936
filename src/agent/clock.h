// Clock: wall and monotonic time behind an interface so tests can freeze or advance time.
// Thread-safety: implementations must be safe to call from any thread.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>

namespace edgerun::agent {

class Clock {
 public:
  virtual ~Clock() = default;
  // Milliseconds since the Unix epoch (UTC).
  virtual int64_t WallMillis() = 0;
  // Monotonic microseconds (arbitrary origin).
  virtual int64_t MonotonicMicros() = 0;
};

class SystemClock final : public Clock {
 public:
  int64_t WallMillis() override {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::system_clock::now().time_since_epoch()).count();
  }
  int64_t MonotonicMicros() override {
    return std::chrono::duration_cast<std::chrono::microseconds>(
               std::chrono::steady_clock::now().time_since_epoch()).count();
  }
};

// A clock tests set by hand.
class ManualClock final : public Clock {
 public:
  explicit ManualClock(int64_t wall_ms = 1764093600000, int64_t mono_us = 0)
      : wall_ms_(wall_ms), mono_us_(mono_us) {}
  int64_t WallMillis() override { return wall_ms_.load(); }
  int64_t MonotonicMicros() override { return mono_us_.load(); }
  void AdvanceMillis(int64_t ms) {
    wall_ms_ += ms;
    mono_us_ += ms * 1000;
  }
  void SetWallMillis(int64_t ms) { wall_ms_ = ms; }

 private:
  std::atomic<int64_t> wall_ms_;
  std::atomic<int64_t> mono_us_;
};

inline std::shared_ptr<Clock> DefaultClock() { return std::make_shared<SystemClock>(); }

}  // namespace edgerun::agent
