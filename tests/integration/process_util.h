// A child process for integration tests: spawn a program with arguments, read its stdout line by
// line with a deadline (e.g. to discover `listening on 127.0.0.1:PORT`), signal it, and wait for
// its exit with a deadline. The destructor SIGKILLs and reaps a child that is still running, so a
// failing test never leaves a process behind.
// Thread-safety: one object per thread; not copyable.
#pragma once

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace edgerun::testing {

struct ExitStatus {
  bool exited = false;  // exited normally (code is valid)
  int code = -1;
  int signal = 0;  // the terminating signal when !exited
};

class ChildProcess {
 public:
  ChildProcess() = default;
  ~ChildProcess() {
    if (pid_ > 0 && !reaped_) {
      ::kill(pid_, SIGKILL);
      int st = 0;
      ::waitpid(pid_, &st, 0);
    }
    if (stdout_fd_ >= 0) ::close(stdout_fd_);
  }
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  // Starts argv[0] (a path) with argv. Its stdout is a pipe read by ReadLine*; its stderr goes to
  // `stderr_path` (appended) when given, else to this process's stderr. The child is SIGKILLed
  // if the thread that spawned it dies first (PR_SET_PDEATHSIG), so a crashed test leaves no
  // server behind: call it from a thread that outlives the child (the test body does).
  // Returns false and sets `error` when it cannot be started.
  bool Spawn(const std::vector<std::string>& argv, const std::string& stderr_path = "", std::string* error = nullptr) {
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) != 0) return Fail(error, "pipe");
    int err_fd = -1;
    if (!stderr_path.empty()) {
      err_fd = ::open(stderr_path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
      if (err_fd < 0) {
        ::close(fds[0]);
        ::close(fds[1]);
        return Fail(error, "open " + stderr_path);
      }
    }
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    pid_t parent = ::getpid();
    pid_t pid = ::fork();
    if (pid == 0) {  // child: async-signal-safe calls only
      ::prctl(PR_SET_PDEATHSIG, SIGKILL);
      if (::getppid() != parent) ::_exit(127);
      ::dup2(fds[1], STDOUT_FILENO);
      if (err_fd >= 0) ::dup2(err_fd, STDERR_FILENO);
      ::execv(args[0], args.data());
      ::_exit(127);
    }
    ::close(fds[1]);
    if (err_fd >= 0) ::close(err_fd);
    if (pid < 0) {
      ::close(fds[0]);
      return Fail(error, "fork");
    }
    pid_ = pid;
    stdout_fd_ = fds[0];
    reaped_ = false;
    return true;
  }

  pid_t pid() const { return pid_; }

  // The next complete stdout line (without '\n'), or nullopt at EOF or when `timeout` passes.
  std::optional<std::string> ReadLine(std::chrono::milliseconds timeout) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
      size_t nl = buffer_.find('\n');
      if (nl != std::string::npos) {
        std::string line = buffer_.substr(0, nl);
        buffer_.erase(0, nl + 1);
        output_ += line + "\n";
        return line;
      }
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0 || stdout_fd_ < 0) return std::nullopt;
      pollfd p{stdout_fd_, POLLIN, 0};
      int n = ::poll(&p, 1, static_cast<int>(left.count()));
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return std::nullopt;
      char buf[4096];
      ssize_t got = ::read(stdout_fd_, buf, sizeof buf);
      if (got < 0 && errno == EINTR) continue;
      if (got <= 0) return std::nullopt;  // EOF: the child closed stdout (or exited)
      buffer_.append(buf, static_cast<size_t>(got));
    }
  }

  // The first stdout line starting with `prefix` (earlier lines are skipped but kept in
  // output()), or nullopt at EOF or when `timeout` passes.
  std::optional<std::string> ReadLineWithPrefix(const std::string& prefix, std::chrono::milliseconds timeout) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
      auto line = ReadLine(left.count() > 0 ? left : std::chrono::milliseconds(0));
      if (!line) return std::nullopt;
      if (line->rfind(prefix, 0) == 0) return line;
    }
  }

  // Stdout lines read so far.
  const std::string& output() const { return output_; }

  bool Signal(int sig) { return pid_ > 0 && !reaped_ && ::kill(pid_, sig) == 0; }

  // Waits up to `timeout` for the child to exit; nullopt if it is still running.
  std::optional<ExitStatus> Wait(std::chrono::milliseconds timeout) {
    if (pid_ <= 0) return std::nullopt;
    if (reaped_) return status_;
    auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
      int st = 0;
      pid_t r = ::waitpid(pid_, &st, WNOHANG);
      if (r == pid_) {
        reaped_ = true;
        status_.exited = WIFEXITED(st);
        status_.code = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
        status_.signal = WIFSIGNALED(st) ? WTERMSIG(st) : 0;
        return status_;
      }
      if (r < 0 && errno != EINTR) return std::nullopt;
      if (std::chrono::steady_clock::now() >= deadline) return std::nullopt;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
  }

  // SIGTERM, wait up to `grace`, then SIGKILL. Returns how it ended.
  std::optional<ExitStatus> Terminate(std::chrono::milliseconds grace) {
    Signal(SIGTERM);
    auto st = Wait(grace);
    if (st) return st;
    Signal(SIGKILL);
    return Wait(std::chrono::seconds(10));
  }

 private:
  static bool Fail(std::string* error, const std::string& what) {
    if (error) *error = what + ": " + std::strerror(errno);
    return false;
  }

  pid_t pid_ = -1;
  int stdout_fd_ = -1;
  bool reaped_ = true;
  ExitStatus status_;
  std::string buffer_;
  std::string output_;
};

}  // namespace edgerun::testing
