// Intra-op thread pool: a pthreadpool (the pool XNNPACK runs on) shared by the session's
// providers and reference kernels. Workers yield instead of spinning unless `spin` is set.
// Thread-safety: ParallelFor may be called from one thread at a time per pool (pthreadpool
// serializes concurrent callers).
#pragma once

#include <cstddef>
#include <functional>

typedef struct pthreadpool* pthreadpool_t;

namespace edgerun {

class ThreadPool {
 public:
  // threads <= 1 creates no workers (everything runs on the caller).
  ThreadPool(int threads, bool spin);
  ~ThreadPool();
  ThreadPool(const ThreadPool&) = delete;
  ThreadPool& operator=(const ThreadPool&) = delete;

  int threads() const { return threads_; }
  // nullptr when single-threaded.
  pthreadpool_t pool() const { return pool_; }
  // Runs fn(i) for i in [0, n), split across the workers; returns when all are done.
  void ParallelFor(size_t n, const std::function<void(size_t)>& fn) const;

 private:
  int threads_;
  bool spin_;
  pthreadpool_t pool_ = nullptr;
};

}  // namespace edgerun
