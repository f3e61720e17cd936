// Socket input server.
#include "agent/input_server.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>

#include "agent/frame_protocol.h"
#include "agent/json_log.h"
#include "agent/postprocess.h"

namespace edgerun::agent {
namespace {

using SteadyClock = std::chrono::steady_clock;

enum class ReadStatus { kOk, kEof, kEofMidFrame, kTimeout, kError, kStopped };

int64_t MillisUntil(SteadyClock::time_point deadline) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(deadline - SteadyClock::now()).count();
}

// Reads exactly n bytes before `deadline`. `started` says whether bytes of this frame were
// already consumed (EOF is then mid-frame).
ReadStatus ReadExact(int fd, char* buf, size_t n, SteadyClock::time_point deadline, bool started,
                     const std::atomic<bool>& stop) {
  size_t got = 0;
  while (got < n) {
    if (stop.load()) return ReadStatus::kStopped;
    int64_t wait = MillisUntil(deadline);
    if (wait <= 0) return ReadStatus::kTimeout;
    pollfd p{fd, POLLIN, 0};
    int pr = ::poll(&p, 1, static_cast<int>(std::min<int64_t>(wait, 200)));
    if (pr < 0) {
      if (errno == EINTR) continue;
      return ReadStatus::kError;
    }
    if (pr == 0) continue;
    ssize_t r = ::recv(fd, buf + got, n - got, 0);
    if (r == 0) return (started || got > 0) ? ReadStatus::kEofMidFrame : ReadStatus::kEof;
    if (r < 0) {
      if (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK) continue;
      return (started || got > 0) ? ReadStatus::kEofMidFrame : ReadStatus::kError;
    }
    got += static_cast<size_t>(r);
  }
  return ReadStatus::kOk;
}

bool WriteAll(int fd, const std::string& data) {
  size_t sent = 0;
  while (sent < data.size()) {
    ssize_t w = ::send(fd, data.data() + sent, data.size() - sent, MSG_NOSIGNAL);
    if (w < 0) {
      if (errno == EINTR) continue;
      return false;  // includes the SO_SNDTIMEO timeout (EAGAIN): a client that does not read
    }
    sent += static_cast<size_t>(w);
  }
  return true;
}

}  // namespace

InputServer::InputServer(const InputConfig& config, EdgeAgent* agent)
    : config_(config), agent_(agent), metrics_(&agent->metrics()) {}

Result<std::unique_ptr<InputServer>> InputServer::Start(const InputConfig& config, EdgeAgent* agent) {
  std::unique_ptr<InputServer> s(new InputServer(config, agent));
  EDGERUN_RETURN_IF_ERROR(s->Listen());
  s->accept_thread_ = std::thread([p = s.get()] { p->AcceptLoop(); });
  return s;
}

Status InputServer::Listen() {
  if (::pipe2(wake_pipe_, O_CLOEXEC | O_NONBLOCK) != 0) return IOError(std::string("pipe: ") + std::strerror(errno));
  if (!config_.unix_socket.empty()) {
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    if (config_.unix_socket.size() >= sizeof(addr.sun_path)) {
      return InvalidArgument("input.unix_socket '" + config_.unix_socket + "': path too long");
    }
    std::strncpy(addr.sun_path, config_.unix_socket.c_str(), sizeof(addr.sun_path) - 1);
    struct stat st;
    if (::lstat(config_.unix_socket.c_str(), &st) == 0 && S_ISSOCK(st.st_mode)) ::unlink(config_.unix_socket.c_str());
    unix_fd_ = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (unix_fd_ < 0 || ::bind(unix_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0 ||
        ::listen(unix_fd_, 64) != 0) {
      return IOError("input unix:" + config_.unix_socket + ": " + std::strerror(errno));
    }
    unix_path_ = config_.unix_socket;
  }
  if (!config_.tcp.empty()) {
    std::string host;
    int port = 0;
    EDGERUN_RETURN_IF_ERROR_CTX(ParseLoopbackAddress(config_.tcp, &host, &port), "input.tcp");
    bool v6 = host == "::1";
    tcp_fd_ = ::socket(v6 ? AF_INET6 : AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    int one = 1;
    ::setsockopt(tcp_fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    int rc;
    if (v6) {
      sockaddr_in6 a{};
      a.sin6_family = AF_INET6;
      a.sin6_port = htons(static_cast<uint16_t>(port));
      a.sin6_addr = in6addr_loopback;
      rc = ::bind(tcp_fd_, reinterpret_cast<sockaddr*>(&a), sizeof(a));
    } else {
      sockaddr_in a{};
      a.sin_family = AF_INET;
      a.sin_port = htons(static_cast<uint16_t>(port));
      a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
      rc = ::bind(tcp_fd_, reinterpret_cast<sockaddr*>(&a), sizeof(a));
    }
    if (tcp_fd_ < 0 || rc != 0 || ::listen(tcp_fd_, 64) != 0) {
      return IOError("input tcp " + config_.tcp + ": " + std::strerror(errno));
    }
    sockaddr_storage bound{};
    socklen_t len = sizeof(bound);
    ::getsockname(tcp_fd_, reinterpret_cast<sockaddr*>(&bound), &len);
    tcp_port_ = v6 ? ntohs(reinterpret_cast<sockaddr_in6*>(&bound)->sin6_port)
                   : ntohs(reinterpret_cast<sockaddr_in*>(&bound)->sin_port);
  }
  return Status::Ok();
}

InputServer::~InputServer() { Stop(); }

void InputServer::Stop() {
  if (stop_.exchange(true)) return;
  if (wake_pipe_[1] >= 0) {
    char c = 1;
    ssize_t ignored = ::write(wake_pipe_[1], &c, 1);
    (void)ignored;
  }
  if (accept_thread_.joinable()) accept_thread_.join();
  {
    std::unique_lock<std::mutex> lock(mu_);
    for (int fd : connections_) ::shutdown(fd, SHUT_RDWR);
    cv_.wait(lock, [this] { return active_ == 0; });
  }
  for (int* fd : {&unix_fd_, &tcp_fd_, &wake_pipe_[0], &wake_pipe_[1]}) {
    if (*fd >= 0) ::close(*fd);
    *fd = -1;
  }
  if (!unix_path_.empty()) ::unlink(unix_path_.c_str());
}

void InputServer::AcceptLoop() {
  while (!stop_.load()) {
    pollfd fds[3];
    int n = 0;
    fds[n++] = {wake_pipe_[0], POLLIN, 0};
    if (unix_fd_ >= 0) fds[n++] = {unix_fd_, POLLIN, 0};
    if (tcp_fd_ >= 0) fds[n++] = {tcp_fd_, POLLIN, 0};
    int pr = ::poll(fds, static_cast<nfds_t>(n), 500);
    if (pr <= 0) continue;
    for (int i = 1; i < n; ++i) {
      if (!(fds[i].revents & POLLIN)) continue;
      int fd = ::accept4(fds[i].fd, nullptr, nullptr, SOCK_CLOEXEC);
      if (fd < 0) continue;
      std::lock_guard<std::mutex> lock(mu_);
      if (stop_.load() || active_ >= config_.max_connections) {
        metrics_->input_rejected.Inc("too_many_connections");
        std::string reply = EncodeFrame(EncodeErrorReply("too_many_connections", "connection limit reached"));
        ssize_t ignored = ::send(fd, reply.data(), reply.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
        (void)ignored;
        ::close(fd);
        continue;
      }
      if (fds[i].fd == tcp_fd_) {
        int one = 1;
        ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
      }
      timeval tv{config_.read_timeout_ms / 1000, (config_.read_timeout_ms % 1000) * 1000};
      ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
      connections_.insert(fd);
      ++active_;
      std::thread([this, fd] {
        Serve(fd);
        std::lock_guard<std::mutex> lock(mu_);
        connections_.erase(fd);
        ::close(fd);
        --active_;
        cv_.notify_all();
      }).detach();
    }
  }
}

void InputServer::Serve(int fd) {
  std::string payload;
  for (;;) {
    unsigned char header[4];
    // Wait for the first byte within the idle timeout, then for the rest of the frame within the
    // read timeout.
    auto idle_deadline = SteadyClock::now() + std::chrono::milliseconds(config_.idle_timeout_ms);
    ReadStatus rs = ReadExact(fd, reinterpret_cast<char*>(header), 1, idle_deadline, false, stop_);
    if (rs != ReadStatus::kOk) return;  // clean close, idle timeout or stop
    auto frame_deadline = SteadyClock::now() + std::chrono::milliseconds(config_.read_timeout_ms);
    rs = ReadExact(fd, reinterpret_cast<char*>(header) + 1, 3, frame_deadline, true, stop_);
    if (rs == ReadStatus::kOk) {
      uint32_t len = ReadU32Le(header);
      metrics_->input_requests.Inc();
      if (len > config_.max_frame_bytes) {
        metrics_->input_rejected.Inc("oversized");
        WriteAll(fd, EncodeFrame(EncodeErrorReply("oversized", "frame of " + std::to_string(len) +
                                                                   " bytes over the limit of " +
                                                                   std::to_string(config_.max_frame_bytes))));
        return;
      }
      payload.resize(len);
      rs = len ? ReadExact(fd, payload.data(), len, frame_deadline, true, stop_) : ReadStatus::kOk;
    }
    if (rs == ReadStatus::kEofMidFrame || rs == ReadStatus::kError) {
      metrics_->input_rejected.Inc("disconnect_mid_frame");
      return;
    }
    if (rs == ReadStatus::kTimeout) {
      metrics_->input_rejected.Inc("timeout");
      WriteAll(fd, EncodeFrame(EncodeErrorReply("timeout", "frame not completed within " +
                                                               std::to_string(config_.read_timeout_ms) + " ms")));
      return;
    }
    if (rs != ReadStatus::kOk) return;
    if (!WriteAll(fd, EncodeFrame(Handle(payload)))) return;
  }
}

std::string InputServer::Handle(const std::string& payload) {
  std::string reason;
  auto req = DecodeRequest(payload, &reason);
  if (!req.ok()) {
    metrics_->input_rejected.Inc(reason);
    return EncodeErrorReply(reason, req.status().message());
  }
  if (req->input.size() != agent_->input_size()) {
    metrics_->input_rejected.Inc("wrong_size");
    return EncodeErrorReply("wrong_size", "input has " + std::to_string(req->input.size()) + " values, expected " +
                                              std::to_string(agent_->input_size()));
  }
  if (!AllFinite(req->input.data(), req->input.size())) {
    metrics_->input_rejected.Inc("non_finite");
    return EncodeErrorReply("non_finite", "input contains NaN or Inf");
  }
  auto result = agent_->Infer(req->input);
  if (!result.ok()) return EncodeErrorReply("inference_error", result.status().ToString());
  return EncodeResultReply(*result);
}

}  // namespace edgerun::agent
