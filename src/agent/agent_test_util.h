// Helpers shared by the agent's unit tests: a per-test temporary directory and a scripted
// HttpTransport that records requests.
// Thread-safety: FakeTransport is internally locked.
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <deque>
#include <filesystem>
#include <mutex>
#include <string>
#include <vector>

#include "agent/http_transport.h"

namespace edgerun::agent::testing {

class TempDir {
 public:
  TempDir() {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    path_ = std::filesystem::temp_directory_path() /
            ("edgerun_agent_" + std::string(info->test_suite_name()) + "_" + info->name() + "_" +
             std::to_string(::getpid()));
    std::filesystem::remove_all(path_);
    std::filesystem::create_directories(path_);
  }
  ~TempDir() { std::filesystem::remove_all(path_); }
  std::string Path(const std::string& rel) const { return (path_ / rel).string(); }

 private:
  std::filesystem::path path_;
};

inline std::string SourcePath(const std::string& rel) { return std::string(EDGERUN_SOURCE_DIR) + "/" + rel; }

// Answers each POST with the next scripted response (status 200 with {"accepted":N} once the
// script is empty); status -1 scripts a network failure.
class FakeTransport final : public HttpTransport {
 public:
  struct Request {
    std::string path, body, token;
  };
  Result<HttpResponse> PostJson(const std::string& path, const std::string& body, const std::string& token) override {
    std::lock_guard<std::mutex> lock(mu_);
    requests_.push_back({path, body, token});
    int status = 200;
    if (!script_.empty()) {
      status = script_.front();
      script_.pop_front();
    } else if (down_) {
      status = -1;
    }
    if (status < 0) return Unavailable("connection refused (scripted)");
    return HttpResponse{status, status == 200 ? "{\"accepted\":0,\"duplicates\":0}" : "{\"error\":\"scripted\"}"};
  }
  void Script(std::vector<int> statuses) {
    std::lock_guard<std::mutex> lock(mu_);
    script_.insert(script_.end(), statuses.begin(), statuses.end());
  }
  void SetDown(bool down) {
    std::lock_guard<std::mutex> lock(mu_);
    down_ = down;
  }
  std::vector<Request> requests() {
    std::lock_guard<std::mutex> lock(mu_);
    return requests_;
  }

 private:
  std::mutex mu_;
  std::deque<int> script_;
  bool down_ = false;
  std::vector<Request> requests_;
};

}  // namespace edgerun::agent::testing
