#include "edgerun/shape.h"

#include <gtest/gtest.h>

#include <numeric>
#include <vector>

#include "cli/alloc_counter.h"

namespace edgerun {
namespace {

// Allocations made by `f` on this thread.
template <typename F>
uint64_t AllocationsOf(F&& f) {
  const uint64_t before = cli::CountedAllocations();
  cli::CountAllocationsOnThisThread(true);
  f();
  cli::CountAllocationsOnThisThread(false);
  return cli::CountedAllocations() - before;
}

Shape Iota(size_t n, int64_t first) {
  Shape s(n);
  std::iota(s.begin(), s.end(), first);
  return s;
}

TEST(ShapeTest, ReadsLikeAVector) {
  Shape s = {2, 3, 4};
  EXPECT_EQ(s.size(), 3u);
  EXPECT_FALSE(s.empty());
  EXPECT_EQ(s[1], 3);
  EXPECT_EQ(s.front(), 2);
  EXPECT_EQ(s.back(), 4);
  EXPECT_EQ(std::accumulate(s.begin(), s.end(), int64_t{1}, std::multiplies<>()), 24);
  EXPECT_EQ(std::vector<int64_t>(s.rbegin(), s.rend()), (std::vector<int64_t>{4, 3, 2}));
  EXPECT_THROW(s.at(3), std::out_of_range);
  EXPECT_TRUE(Shape().empty());
  EXPECT_EQ(Shape(3, 7), (Shape{7, 7, 7}));
}

TEST(ShapeTest, ConvertsFromAndToStdVector) {
  const std::vector<int64_t> v = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
  Shape s = v;
  EXPECT_EQ(s.size(), v.size());
  EXPECT_TRUE(s == v);
  EXPECT_TRUE(v == s);
  std::vector<int64_t> back = s;
  EXPECT_EQ(back, v);
  EXPECT_EQ(s.vec(), v);
  s.pop_back();
  EXPECT_TRUE(s != v);
}

TEST(ShapeTest, KeepsUpToInlineDimsWithoutTheHeap) {
  const uint64_t n = AllocationsOf([] {
    Shape a = Iota(Shape::kInline, 1);
    Shape b = a;             // copy
    Shape c = std::move(b);  // move
    c.pop_back();
    c.insert(c.begin() + 2, 42);  // back to kInline dims
    c.erase(c.begin());
    c.push_back(0);
    a = c;
    EXPECT_EQ(a.size(), Shape::kInline);
    EXPECT_EQ(a[1], 42);
  });
  EXPECT_EQ(n, 0u);
}

TEST(ShapeTest, GrowsToTheHeapPastInlineAndStaysCorrect) {
  Shape s;
  for (int64_t i = 0; i < 100; ++i) s.push_back(i);
  ASSERT_EQ(s.size(), 100u);
  for (int64_t i = 0; i < 100; ++i) ASSERT_EQ(s[static_cast<size_t>(i)], i);
  EXPECT_GE(s.capacity(), 100u);

  Shape copy = s;  // heap copy
  EXPECT_EQ(copy, s);
  const int64_t* block = s.data();
  Shape moved = std::move(s);  // takes the block
  EXPECT_EQ(moved.data(), block);
  EXPECT_TRUE(s.empty());  // NOLINT: moved-from is empty and reusable
  s.push_back(5);
  EXPECT_EQ(s, (Shape{5}));

  // Assigning an inline shape over a heap one, and the reverse.
  copy = Shape{1, 2};
  EXPECT_EQ(copy, (Shape{1, 2}));
  copy = moved;
  EXPECT_EQ(copy, moved);
  Shape small = {9};
  small = std::move(copy);
  EXPECT_EQ(small, moved);
}

TEST(ShapeTest, InsertAndEraseMatchStdVector) {
  for (size_t n : {size_t{0}, size_t{3}, Shape::kInline - 1, Shape::kInline, size_t{20}}) {
    std::vector<int64_t> want(n);
    std::iota(want.begin(), want.end(), 10);
    Shape got = want;
    for (size_t pos : {size_t{0}, n / 2, n}) {
      want.insert(want.begin() + static_cast<std::ptrdiff_t>(pos), {-1, -2, -3});
      got.insert(got.begin() + pos, {-1, -2, -3});
      ASSERT_EQ(got, want) << "n " << n << " insert at " << pos;
      want.erase(want.begin() + static_cast<std::ptrdiff_t>(pos), want.begin() + static_cast<std::ptrdiff_t>(pos) + 2);
      got.erase(got.begin() + pos, got.begin() + pos + 2);
      ASSERT_EQ(got, want) << "n " << n << " erase at " << pos;
    }
    // A range taken from the shape itself (the source moves while inserting).
    want.insert(want.begin(), want.begin(), want.end());
    got.insert(got.begin(), got.begin(), got.end());
    ASSERT_EQ(got, want) << "n " << n << " self insert";
  }
}

TEST(ShapeTest, ResizeAssignSwapAndOrder) {
  Shape a = {1, 2};
  a.resize(12, 7);
  EXPECT_EQ(a.size(), 12u);
  EXPECT_EQ(a[11], 7);
  a.resize(1);
  EXPECT_EQ(a, (Shape{1}));
  a.assign(3, 4);
  EXPECT_EQ(a, (Shape{4, 4, 4}));
  Shape b = Iota(10, 0);
  swap(a, b);
  EXPECT_EQ(a, Iota(10, 0));
  EXPECT_EQ(b, (Shape{4, 4, 4}));
  EXPECT_TRUE((Shape{1, 2}) < (Shape{1, 3}));
  EXPECT_TRUE((Shape{1}) < (Shape{1, 0}));
  EXPECT_FALSE((Shape{2}) < (Shape{1, 9}));
}

}  // namespace
}  // namespace edgerun
