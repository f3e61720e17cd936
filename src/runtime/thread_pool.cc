// ThreadPool over pthreadpool.
#include "runtime/thread_pool.h"

#include <pthreadpool.h>

namespace edgerun {

ThreadPool::ThreadPool(int threads, bool spin) : threads_(threads < 1 ? 1 : threads), spin_(spin) {
  if (threads_ > 1) pool_ = pthreadpool_create(static_cast<size_t>(threads_));
}

ThreadPool::~ThreadPool() {
  if (pool_) pthreadpool_destroy(pool_);
}

namespace {
void Trampoline(void* ctx, size_t i) { (*static_cast<const std::function<void(size_t)>*>(ctx))(i); }
}  // namespace

void ThreadPool::ParallelFor(size_t n, const std::function<void(size_t)>& fn) const {
  if (!pool_ || n <= 1) {
    for (size_t i = 0; i < n; ++i) fn(i);
    return;
  }
  pthreadpool_parallelize_1d(pool_, &Trampoline, const_cast<std::function<void(size_t)>*>(&fn), n,
                             spin_ ? 0 : PTHREADPOOL_FLAG_YIELD_WORKERS);
}

}  // namespace edgerun
