// Tests for the tensor family's index-driven kernels on cases the ONNX node tests do not cover:
// out-of-range indices, batch_dims, newer reductions, unsorted Unique with an axis, bool/string.
#include <gtest/gtest.h>

#include "kernels/reference/kernel_test_util.h"

namespace edgerun {
namespace {

using namespace kernel_test;

bool IsInvalidNaming(const Result<std::vector<Tensor>>& r, const std::string& text) {
  return !r.ok() && r.status().code() == StatusCode::kInvalidArgument &&
         r.status().message().find(text) != std::string::npos;
}

TEST(TensorIndexTest, GatherWrapsAndRangeChecks) {
  Tensor x = Str({3}, {"a", "b", "c"});
  auto out = RunOp("Gather", 13, {}, {x, I32({2}, {-1, 0})});
  ASSERT_TRUE(out.ok());
  EXPECT_EQ((*out)[0].strings()[0], "c");
  EXPECT_TRUE(IsInvalidNaming(RunOp("Gather", 13, {}, {x, I64({1}, {3})}), "index 3"));
  EXPECT_TRUE(IsInvalidNaming(RunOp("Gather", 13, {}, {x, I64({1}, {-4})}), "index -4"));
  EXPECT_TRUE(IsInvalidNaming(RunOp("GatherElements", 13, {}, {x, I64({1}, {7})}), "index 7"));
  // Indices may be longer than the data along the axis itself, not along other axes.
  EXPECT_TRUE(RunOp("GatherElements", 13, {}, {x, I64({4}, {0, 1, 2, 0})}).ok());
  EXPECT_FALSE(RunOp("GatherElements", 13, {{"axis", IntAttr(1)}}, {F32({1, 2}, {}), I64({2, 1}, {0, 0})}).ok());
}

TEST(TensorIndexTest, GatherNDBatchDims) {
  Tensor x = I32({2, 2, 2}, {0, 1, 2, 3, 4, 5, 6, 7});
  auto out = RunOp("GatherND", 13, {{"batch_dims", IntAttr(1)}}, {x, I64({2, 1}, {1, 0})});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_EQ((*out)[0].shape(), (Shape{2, 2}));
  EXPECT_EQ(Values<int32_t>((*out)[0]), (std::vector<int32_t>{2, 3, 4, 5}));
  EXPECT_TRUE(IsInvalidNaming(RunOp("GatherND", 13, {}, {x, I64({1, 2}, {0, 2})}), "index 2"));
  EXPECT_FALSE(RunOp("GatherND", 13, {}, {x, I64({1, 4}, {0, 0, 0, 0})}).ok());
}

TEST(TensorIndexTest, ScatterElementsReductions) {
  Tensor x = F32({1, 3}, {1, 5, 3});
  Tensor idx = I64({1, 2}, {1, 1});
  Tensor upd = F32({1, 2}, {2, 7});
  auto run = [&](const char* red) {
    auto out = RunOp("ScatterElements", 18, {{"axis", IntAttr(1)}, {"reduction", StringAttr(red)}}, {x, idx, upd});
    EXPECT_TRUE(out.ok()) << out.status().ToString();
    return out.ok() ? Values<float>((*out)[0]) : std::vector<float>{};
  };
  EXPECT_EQ(run("add"), (std::vector<float>{1, 14, 3}));
  EXPECT_EQ(run("mul"), (std::vector<float>{1, 70, 3}));
  EXPECT_EQ(run("max"), (std::vector<float>{1, 7, 3}));
  EXPECT_EQ(run("min"), (std::vector<float>{1, 2, 3}));
  EXPECT_EQ(Values<float>(x), (std::vector<float>{1, 5, 3}));  // input untouched
  EXPECT_TRUE(IsInvalidNaming(RunOp("ScatterElements", 16, {{"axis", IntAttr(1)}}, {x, I64({1, 1}, {3}), F32({1, 1}, {0})}),
                              "index 3"));
  EXPECT_FALSE(RunOp("ScatterElements", 18, {{"reduction", StringAttr("avg")}}, {x, idx, upd}).ok());
  auto old = RunOp("Scatter", 9, {{"axis", IntAttr(1)}}, {x, I64({1, 1}, {-1}), F32({1, 1}, {9})});
  ASSERT_TRUE(old.ok());
  EXPECT_EQ(Values<float>((*old)[0]), (std::vector<float>{1, 5, 9}));
}

TEST(TensorIndexTest, ScatterNDReductionsAndChecks) {
  Tensor x = I64({4}, {1, 2, 3, 4});
  auto out = RunOp("ScatterND", 18, {{"reduction", StringAttr("max")}}, {x, I64({2, 1}, {0, -1}), I64({2}, {9, 0})});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_EQ(Values<int64_t>((*out)[0]), (std::vector<int64_t>{9, 2, 3, 4}));
  EXPECT_TRUE(IsInvalidNaming(RunOp("ScatterND", 13, {}, {x, I64({1, 1}, {4}), I64({1}, {0})}), "index 4"));
  EXPECT_FALSE(RunOp("ScatterND", 13, {}, {x, I64({1, 1}, {0}), I64({2}, {0, 0})}).ok());
}

TEST(TensorIndexTest, UniqueUnsortedWithAxis) {
  Tensor x = I32({3, 2}, {5, 6, 1, 2, 5, 6});
  auto out = RunOp("Unique", 11, {{"sorted", IntAttr(0)}, {"axis", IntAttr(0)}}, {x}, 4);
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_EQ((*out)[0].shape(), (Shape{2, 2}));
  EXPECT_EQ(Values<int32_t>((*out)[0]), (std::vector<int32_t>{5, 6, 1, 2}));
  EXPECT_EQ(Values<int64_t>((*out)[1]), (std::vector<int64_t>{0, 1}));
  EXPECT_EQ(Values<int64_t>((*out)[2]), (std::vector<int64_t>{0, 1, 0}));
  EXPECT_EQ(Values<int64_t>((*out)[3]), (std::vector<int64_t>{2, 1}));
  auto s = RunOp("Unique", 11, {}, {Str({3}, {"b", "a", "b"})}, 1);
  ASSERT_TRUE(s.ok());
  EXPECT_EQ((*s)[0].numel(), 2);
  EXPECT_EQ((*s)[0].strings()[0], "a");
}

TEST(TensorIndexTest, OneHotNegativeAndOutOfRange) {
  auto out = RunOp("OneHot", 11, {}, {I64({3}, {-1, 5, 0}), F32({}, {3}), I32({2}, {0, 1})});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_EQ((*out)[0].shape(), (Shape{3, 3}));
  EXPECT_EQ(Values<int32_t>((*out)[0]), (std::vector<int32_t>{0, 0, 1, 0, 0, 0, 1, 0, 0}));
  EXPECT_FALSE(RunOp("OneHot", 11, {}, {I64({1}, {0}), F32({}, {3}), I32({3}, {0, 1, 2})}).ok());
}

TEST(TensorIndexTest, TriluCompressReverseSequenceNonZero) {
  auto t = RunOp("Trilu", 14, {{"upper", IntAttr(0)}}, {Bool({2, 2}, {true, true, true, true}), I64({}, {-1})});
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(Values<bool>((*t)[0]), (std::vector<bool>{false, false, true, false}));
  auto c = RunOp("Compress", 11, {}, {I32({2, 2}, {1, 2, 3, 4}), Bool({3}, {false, true, true})});
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(Values<int32_t>((*c)[0]), (std::vector<int32_t>{2, 3}));
  EXPECT_FALSE(RunOp("Compress", 11, {{"axis", IntAttr(0)}}, {I32({2, 2}, {}), Bool({3}, {false, false, true})}).ok());
  auto r = RunOp("ReverseSequence", 10, {{"batch_axis", IntAttr(0)}, {"time_axis", IntAttr(1)}},
                 {I32({2, 3}, {1, 2, 3, 4, 5, 6}), I64({2}, {3, 2})});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(Values<int32_t>((*r)[0]), (std::vector<int32_t>{3, 2, 1, 5, 4, 6}));
  EXPECT_FALSE(RunOp("ReverseSequence", 10, {}, {I32({2, 3}, {}), I64({3}, {3, 1, 4})}).ok());
  auto nz = RunOp("NonZero", 13, {}, {Bool({2, 2}, {false, true, true, false})});
  ASSERT_TRUE(nz.ok());
  EXPECT_EQ((*nz)[0].shape(), (Shape{2, 2}));
  EXPECT_EQ(Values<int64_t>((*nz)[0]), (std::vector<int64_t>{0, 1, 1, 0}));
}

TEST(TensorIndexTest, RangeEyeLikeConstantOfShape) {
  auto r = RunOp("Range", 11, {}, {I64({}, {10}), I64({}, {1}), I64({}, {-4})});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(Values<int64_t>((*r)[0]), (std::vector<int64_t>{10, 6, 2}));
  EXPECT_FALSE(RunOp("Range", 11, {}, {I64({}, {0}), I64({}, {1}), I64({}, {0})}).ok());
  auto e = RunOp("EyeLike", 9, {{"k", IntAttr(1)}, {"dtype", IntAttr(9)}}, {F32({2, 3}, {})});
  ASSERT_TRUE(e.ok());
  EXPECT_EQ((*e)[0].dtype(), DataType::kBool);
  EXPECT_EQ(Values<bool>((*e)[0]), (std::vector<bool>{false, true, false, false, false, true}));
  EXPECT_FALSE(RunOp("ConstantOfShape", 9, {}, {I64({2}, {2, -1})}).ok());
}

}  // namespace
}  // namespace edgerun
