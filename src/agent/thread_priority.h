// Background threads (outbox writer, uploader) run at a lower CPU priority than the caller's
// inference thread, so on a small, busy device the control loop wins contention for the cores.
// Thread-safety: affects only the calling thread.
#pragma once

#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>

namespace edgerun::agent {

// Best effort: raises the calling thread's nice value by `delta` (Linux: per-thread). Failure
// (e.g. a seccomp sandbox) is ignored; the thread just keeps the default priority.
inline void LowerThreadPriority(int delta = 5) {
#ifdef __linux__
  const auto tid = static_cast<id_t>(::syscall(SYS_gettid));
  errno = 0;
  int current = ::getpriority(PRIO_PROCESS, tid);
  if (errno == 0) (void)::setpriority(PRIO_PROCESS, tid, current + delta);
#else
  (void)delta;
#endif
}

}  // namespace edgerun::agent
