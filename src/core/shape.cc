// Shape's out-of-line members: growth to the heap, insert/erase and ordering.
#include "edgerun/shape.h"

#include <algorithm>
#include <cstring>
#include <new>
#include <stdexcept>

namespace edgerun {

void Shape::Grow(size_t n) {
  if (n <= capacity_) return;
  n = std::max(n, capacity_ * 2);
  // operator new, like std::vector: allocation counters (edgerun bench, the tests) see it.
  auto* fresh = static_cast<int64_t*>(::operator new(n * sizeof(int64_t)));
  if (size_ > 0) std::memcpy(fresh, data_, size_ * sizeof(int64_t));
  Release();
  data_ = fresh;
  capacity_ = n;
}

void Shape::Release() noexcept {
  if (on_heap()) ::operator delete(data_);
  data_ = inline_;
  capacity_ = kInline;
}

void Shape::MoveFrom(Shape& other) noexcept {
  size_ = other.size_;
  if (other.on_heap()) {  // take the heap block
    data_ = other.data_;
    capacity_ = other.capacity_;
    other.data_ = other.inline_;
    other.capacity_ = kInline;
  } else {
    data_ = inline_;
    capacity_ = kInline;
    if (size_ > 0) std::memcpy(inline_, other.inline_, size_ * sizeof(int64_t));
  }
  other.size_ = 0;
}

int64_t& Shape::at(size_t i) {
  if (i >= size_) throw std::out_of_range("Shape::at");
  return data_[i];
}

const int64_t& Shape::at(size_t i) const {
  if (i >= size_) throw std::out_of_range("Shape::at");
  return data_[i];
}

Shape::iterator Shape::insert(const_iterator pos, size_t n, int64_t v) {
  const size_t at = static_cast<size_t>(pos - begin());
  reserve(size_ + n);
  std::memmove(data_ + at + n, data_ + at, (size_ - at) * sizeof(int64_t));
  for (size_t i = 0; i < n; ++i) data_[at + i] = v;
  size_ += n;
  return data_ + at;
}

Shape::iterator Shape::erase(const_iterator first, const_iterator last) {
  const size_t a = static_cast<size_t>(first - begin());
  const size_t b = static_cast<size_t>(last - begin());
  std::memmove(data_ + a, data_ + b, (size_ - b) * sizeof(int64_t));
  size_ -= b - a;
  return data_ + a;
}

void Shape::swap(Shape& other) noexcept {
  Shape tmp(std::move(other));
  other = std::move(*this);
  *this = std::move(tmp);
}

bool operator<(const Shape& a, const Shape& b) {
  return std::lexicographical_compare(a.begin(), a.end(), b.begin(), b.end());
}

}  // namespace edgerun
