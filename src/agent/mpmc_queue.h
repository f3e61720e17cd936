// MpmcQueue: a bounded lock-free multi-producer multi-consumer queue (Dmitry Vyukov's
// sequence-numbered ring). TryPush/TryPop never block and never allocate; they fail when the
// queue is full/empty. Any capacity >= 1 works (cells are indexed modulo the capacity).
// Thread-safety: all methods are safe to call concurrently from any number of threads.
#pragma once

#include <atomic>
#include <cstddef>
#include <memory>
#include <new>
#include <optional>
#include <utility>

namespace edgerun::agent {

template <typename T>
class MpmcQueue {
 public:
  explicit MpmcQueue(size_t capacity) : capacity_(capacity < 1 ? 1 : capacity), cells_(new Cell[capacity_]) {
    for (size_t i = 0; i < capacity_; ++i) cells_[i].sequence.store(i, std::memory_order_relaxed);
  }
  MpmcQueue(const MpmcQueue&) = delete;
  MpmcQueue& operator=(const MpmcQueue&) = delete;

  // Moves `value` in and returns true; returns false (value untouched) when full.
  bool TryPush(T& value) {
    size_t pos = enqueue_pos_.load(std::memory_order_relaxed);
    for (;;) {
      Cell& cell = cells_[pos % capacity_];
      size_t seq = cell.sequence.load(std::memory_order_acquire);
      intptr_t diff = static_cast<intptr_t>(seq) - static_cast<intptr_t>(pos);
      if (diff == 0) {
        if (enqueue_pos_.compare_exchange_weak(pos, pos + 1, std::memory_order_relaxed)) {
          cell.value = std::move(value);
          cell.sequence.store(pos + 1, std::memory_order_release);
          return true;
        }
      } else if (diff < 0) {
        return false;
      } else {
        pos = enqueue_pos_.load(std::memory_order_relaxed);
      }
    }
  }

  // Pops the oldest element, or nullopt when empty.
  std::optional<T> TryPop() {
    size_t pos = dequeue_pos_.load(std::memory_order_relaxed);
    for (;;) {
      Cell& cell = cells_[pos % capacity_];
      size_t seq = cell.sequence.load(std::memory_order_acquire);
      intptr_t diff = static_cast<intptr_t>(seq) - static_cast<intptr_t>(pos + 1);
      if (diff == 0) {
        if (dequeue_pos_.compare_exchange_weak(pos, pos + 1, std::memory_order_relaxed)) {
          std::optional<T> out(std::move(cell.value));
          cell.value = T();
          cell.sequence.store(pos + capacity_, std::memory_order_release);
          return out;
        }
      } else if (diff < 0) {
        return std::nullopt;
      } else {
        pos = dequeue_pos_.load(std::memory_order_relaxed);
      }
    }
  }

  size_t capacity() const { return capacity_; }
  // Approximate number of queued elements (exact when no push/pop is in flight).
  size_t SizeApprox() const {
    size_t e = enqueue_pos_.load(std::memory_order_acquire);
    size_t d = dequeue_pos_.load(std::memory_order_acquire);
    return e > d ? e - d : 0;
  }

 private:
  struct Cell {
    std::atomic<size_t> sequence{0};
    T value{};
  };
  static constexpr size_t kCacheLine = 64;

  const size_t capacity_;
  std::unique_ptr<Cell[]> cells_;
  alignas(kCacheLine) std::atomic<size_t> enqueue_pos_{0};
  alignas(kCacheLine) std::atomic<size_t> dequeue_pos_{0};
};

}  // namespace edgerun::agent
