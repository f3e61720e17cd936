// Test helpers that run the edgerun binary as a user would, in a per-test temporary directory.
#pragma once

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <string>

namespace edgerun::testing {

struct CliResult {
  int exit_code;
  std::string output;  // stdout + stderr
};

// Runs `edgerun ARGS` (the binary built beside the tests) and captures its output.
inline CliResult RunCli(const std::string& args) {
  std::string cmd = std::string(EDGERUN_CLI_PATH) + " " + args + " 2>&1";
  FILE* p = popen(cmd.c_str(), "r");
  CliResult r{-1, ""};
  if (!p) return r;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) r.output.append(buf, n);
  int st = pclose(p);
  r.exit_code = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
  return r;
}

// A fixture with a fresh temporary directory (removed afterwards) and paths into the source tree.
class CliFixture : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("edgerun_cli_" + std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()) + "_" +
            std::to_string(::getpid()));
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::string Src(const std::string& rel) const { return std::string(EDGERUN_SOURCE_DIR) + "/" + rel; }
  std::string Tmp(const std::string& rel) const { return (dir_ / rel).string(); }
  std::filesystem::path dir_;
};

}  // namespace edgerun::testing
