// Tests for the tensor family's shape and layout kernels on cases the ONNX node tests do not
// cover: opset-dependent attributes/inputs, newer modes, clamping, strings and bad input.
#include <gtest/gtest.h>

#include <limits>

#include "kernels/reference/kernel_test_util.h"

namespace edgerun {
namespace {

using namespace kernel_test;

constexpr int64_t kMax = std::numeric_limits<int64_t>::max();
constexpr int64_t kMin = std::numeric_limits<int64_t>::min();

TEST(TensorShapeTest, ConstantListAttributes) {
  auto ints = RunOp("Constant", 13, {{"value_ints", IntsAttr({4, 5})}}, {});
  ASSERT_TRUE(ints.ok()) << ints.status().ToString();
  EXPECT_EQ((*ints)[0].shape(), (Shape{2}));
  EXPECT_EQ(Values<int64_t>((*ints)[0]), (std::vector<int64_t>{4, 5}));
  auto strs = RunOp("Constant", 13, {{"value_strings", StringsAttr({"a", "bc"})}}, {});
  ASSERT_TRUE(strs.ok());
  EXPECT_EQ((*strs)[0].strings()[1], "bc");
  auto f = RunOp("Constant", 13, {{"value_float", FloatAttr(2.5f)}}, {});
  ASSERT_TRUE(f.ok());
  EXPECT_EQ((*f)[0].rank(), 0);
  EXPECT_EQ((*f)[0].data<float>()[0], 2.5f);
  EXPECT_EQ(RunOp("Constant", 13, {}, {}).status().code(), StatusCode::kInvalidArgument);
  EXPECT_FALSE(RunOp("Constant", 13, {{"value_int", IntAttr(1)}, {"value_float", FloatAttr(1)}}, {}).ok());
}

TEST(TensorShapeTest, ReshapeAliasesAndValidates) {
  Tensor x = F32({2, 3}, {1, 2, 3, 4, 5, 6});
  auto out = RunOp("Reshape", 14, {}, {x, I64({2}, {0, -1})});
  ASSERT_TRUE(out.ok());
  EXPECT_EQ((*out)[0].shape(), (Shape{2, 3}));
  EXPECT_EQ((*out)[0].raw(), x.raw());  // aliased, not copied
  EXPECT_FALSE(RunOp("Reshape", 14, {}, {x, I64({2}, {-1, -1})}).ok());
  EXPECT_FALSE(RunOp("Reshape", 14, {}, {x, I64({1}, {5})}).ok());
  EXPECT_FALSE(RunOp("Reshape", 14, {}, {x, I64({2}, {4, -1})}).ok());
  EXPECT_FALSE(RunOp("Reshape", 14, {}, {x, I64({1}, {-2})}).ok());
  // allowzero=1 keeps a literal 0.
  Tensor empty = F32({0, 3}, {});
  auto z = RunOp("Reshape", 14, {{"allowzero", IntAttr(1)}}, {empty, I64({2}, {3, 0})});
  ASSERT_TRUE(z.ok());
  EXPECT_EQ((*z)[0].shape(), (Shape{3, 0}));
}

TEST(TensorShapeTest, SqueezeUnsqueezeByOpset) {
  Tensor x = F32({1, 3, 1}, {1, 2, 3});
  auto a = RunOp("Squeeze", 11, {{"axes", IntsAttr({-1})}}, {x});
  ASSERT_TRUE(a.ok());
  EXPECT_EQ((*a)[0].shape(), (Shape{1, 3}));
  auto b = RunOp("Squeeze", 13, {}, {x});
  ASSERT_TRUE(b.ok());
  EXPECT_EQ((*b)[0].shape(), (Shape{3}));
  EXPECT_FALSE(RunOp("Squeeze", 13, {}, {x, I64({1}, {1})}).ok());  // dim 1 has size 3
  auto c = RunOp("Unsqueeze", 11, {{"axes", IntsAttr({0, -1})}}, {x});
  ASSERT_TRUE(c.ok());
  EXPECT_EQ((*c)[0].shape(), (Shape{1, 1, 3, 1, 1}));
  EXPECT_FALSE(RunOp("Unsqueeze", 13, {}, {x, I64({2}, {0, 0})}).ok());
  EXPECT_FALSE(RunOp("Unsqueeze", 13, {}, {x, I64({1}, {5})}).ok());
}

TEST(TensorShapeTest, ShapeStartEnd) {
  Tensor x = F32({2, 3, 4, 5}, {});
  auto out = RunOp("Shape", 15, {{"start", IntAttr(-3)}, {"end", IntAttr(100)}}, {x});
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(Values<int64_t>((*out)[0]), (std::vector<int64_t>{3, 4, 5}));
  auto empty = RunOp("Shape", 15, {{"start", IntAttr(3)}, {"end", IntAttr(1)}}, {x});
  ASSERT_TRUE(empty.ok());
  EXPECT_EQ((*empty)[0].numel(), 0);
}

TEST(TensorShapeTest, TransposeStringsAndBadPerm) {
  Tensor x = Str({2, 2}, {"a", "b", "c", "d"});
  auto out = RunOp("Transpose", 13, {}, {x});
  ASSERT_TRUE(out.ok());
  EXPECT_EQ((*out)[0].strings()[1], "c");
  EXPECT_FALSE(RunOp("Transpose", 13, {{"perm", IntsAttr({0, 0})}}, {x}).ok());
  EXPECT_FALSE(RunOp("Transpose", 13, {{"perm", IntsAttr({0, 1, 2})}}, {x}).ok());
}

TEST(TensorShapeTest, SplitVariants) {
  Tensor x = I64({7}, {0, 1, 2, 3, 4, 5, 6});
  auto uneven = RunOp("Split", 18, {{"num_outputs", IntAttr(3)}}, {x}, 3);
  ASSERT_TRUE(uneven.ok()) << uneven.status().ToString();
  EXPECT_EQ(Values<int64_t>((*uneven)[0]), (std::vector<int64_t>{0, 1, 2}));
  EXPECT_EQ(Values<int64_t>((*uneven)[2]), (std::vector<int64_t>{6}));
  auto attr = RunOp("Split", 11, {{"split", IntsAttr({2, 5})}}, {x}, 2);
  ASSERT_TRUE(attr.ok());
  EXPECT_EQ((*attr)[1].numel(), 5);
  auto input = RunOp("Split", 13, {}, {x, I64({2}, {6, 1})}, 2);
  ASSERT_TRUE(input.ok());
  EXPECT_EQ(Values<int64_t>((*input)[1]), (std::vector<int64_t>{6}));
  EXPECT_FALSE(RunOp("Split", 13, {}, {x, I64({2}, {3, 3})}, 2).ok());  // sums to 6
  EXPECT_FALSE(RunOp("Split", 13, {}, {x}, 2).ok());                    // 7 is odd
}

TEST(TensorShapeTest, SliceClampsAndSteps) {
  Tensor x = I64({5}, {0, 1, 2, 3, 4});
  auto rev = RunOp("Slice", 13, {}, {x, I64({1}, {kMax}), I64({1}, {kMin}), Tensor(), I64({1}, {-2})});
  ASSERT_TRUE(rev.ok()) << rev.status().ToString();
  EXPECT_EQ(Values<int64_t>((*rev)[0]), (std::vector<int64_t>{4, 2, 0}));
  auto big_step = RunOp("Slice", 13, {}, {x, I64({1}, {1}), I64({1}, {5}), I64({1}, {0}), I64({1}, {kMax})});
  ASSERT_TRUE(big_step.ok());
  EXPECT_EQ(Values<int64_t>((*big_step)[0]), (std::vector<int64_t>{1}));
  auto old = RunOp("Slice", 9, {{"starts", IntsAttr({-3})}, {"ends", IntsAttr({-1})}}, {x});
  ASSERT_TRUE(old.ok());
  EXPECT_EQ(Values<int64_t>((*old)[0]), (std::vector<int64_t>{2, 3}));
  EXPECT_FALSE(RunOp("Slice", 13, {}, {x, I64({1}, {0}), I64({1}, {3}), I64({1}, {0}), I64({1}, {0})}).ok());
  EXPECT_FALSE(RunOp("Slice", 13, {}, {x, I64({1}, {0}), I64({1}, {3}), I64({1}, {1})}).ok());
}

TEST(TensorShapeTest, PadModes) {
  Tensor x = F32({3}, {1, 2, 3});
  auto run = [&](const char* mode, std::vector<int64_t> pads) {
    auto out = RunOp("Pad", 19, {{"mode", StringAttr(mode)}}, {x, I64({2}, pads)});
    EXPECT_TRUE(out.ok()) << out.status().ToString();
    return out.ok() ? Values<float>((*out)[0]) : std::vector<float>{};
  };
  EXPECT_EQ(run("wrap", {2, 2}), (std::vector<float>{2, 3, 1, 2, 3, 1, 2}));
  EXPECT_EQ(run("reflect", {2, 2}), (std::vector<float>{3, 2, 1, 2, 3, 2, 1}));
  EXPECT_EQ(run("edge", {1, 2}), (std::vector<float>{1, 1, 2, 3, 3, 3}));
  EXPECT_EQ(run("constant", {-1, 1}), (std::vector<float>{2, 3, 0}));
  EXPECT_EQ(run("wrap", {-1, 2}), (std::vector<float>{2, 3, 2, 3}));  // crop first, then wrap
  auto value = RunOp("Pad", 19, {}, {x, I64({2}, {1, 0}), F32({}, {9})});
  ASSERT_TRUE(value.ok());
  EXPECT_EQ(Values<float>((*value)[0]), (std::vector<float>{9, 1, 2, 3}));
  auto old = RunOp("Pad", 2, {{"pads", IntsAttr({0, 1})}, {"value", FloatAttr(7)}}, {x});
  ASSERT_TRUE(old.ok());
  EXPECT_EQ(Values<float>((*old)[0]), (std::vector<float>{1, 2, 3, 7}));
  Tensor m = I32({2, 2}, {1, 2, 3, 4});
  auto axes = RunOp("Pad", 18, {}, {m, I64({2}, {1, 0}), Tensor(), I64({1}, {-1})});
  ASSERT_TRUE(axes.ok()) << axes.status().ToString();
  EXPECT_EQ((*axes)[0].shape(), (Shape{2, 3}));
  EXPECT_EQ(Values<int32_t>((*axes)[0]), (std::vector<int32_t>{0, 1, 2, 0, 3, 4}));
  EXPECT_FALSE(RunOp("Pad", 19, {}, {x, I64({2}, {-4, 0})}).ok());
  EXPECT_FALSE(RunOp("Pad", 19, {}, {x, I64({3}, {1, 1, 1})}).ok());
  EXPECT_FALSE(RunOp("Pad", 19, {{"mode", StringAttr("mirror")}}, {x, I64({2}, {1, 1})}).ok());
}

TEST(TensorShapeTest, CenterCropPad) {
  Tensor x = I32({2, 5}, {0, 1, 2, 3, 4, 5, 6, 7, 8, 9});
  auto out = RunOp("CenterCropPad", 18, {}, {x, I64({2}, {4, 2})});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_EQ((*out)[0].shape(), (Shape{4, 2}));
  // Rows padded by 1 before and 1 after; columns cropped from offset (5-2)/2 = 1.
  EXPECT_EQ(Values<int32_t>((*out)[0]), (std::vector<int32_t>{0, 0, 1, 2, 6, 7, 0, 0}));
  auto axes = RunOp("CenterCropPad", 18, {{"axes", IntsAttr({-1})}}, {x, I64({1}, {3})});
  ASSERT_TRUE(axes.ok());
  EXPECT_EQ(Values<int32_t>((*axes)[0]), (std::vector<int32_t>{1, 2, 3, 6, 7, 8}));
}

TEST(TensorShapeTest, ConcatRejectsMismatch) {
  auto out = RunOp("Concat", 13, {{"axis", IntAttr(0)}}, {F32({1, 2}, {}), F32({1, 3}, {})});
  EXPECT_EQ(out.status().code(), StatusCode::kInvalidArgument);
  auto ok = RunOp("Concat", 13, {{"axis", IntAttr(-1)}}, {F32({1, 2}, {1, 2}), F32({1, 0}, {}), F32({1, 1}, {3})});
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ(Values<float>((*ok)[0]), (std::vector<float>{1, 2, 3}));
}

TEST(TensorShapeTest, ExpandTileDepthToSpace) {
  auto e = RunOp("Expand", 13, {}, {I32({2, 1}, {1, 2}), I64({3}, {2, 1, 3})});
  ASSERT_TRUE(e.ok());
  EXPECT_EQ((*e)[0].shape(), (Shape{2, 2, 3}));
  EXPECT_EQ(Values<int32_t>((*e)[0]), (std::vector<int32_t>{1, 1, 1, 2, 2, 2, 1, 1, 1, 2, 2, 2}));
  EXPECT_FALSE(RunOp("Expand", 13, {}, {I32({2}, {1, 2}), I64({1}, {3})}).ok());
  auto t = RunOp("Tile", 13, {}, {I32({2, 2}, {1, 2, 3, 4}), I64({2}, {2, 2})});
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(Values<int32_t>((*t)[0]), (std::vector<int32_t>{1, 2, 1, 2, 3, 4, 3, 4, 1, 2, 1, 2, 3, 4, 3, 4}));
  EXPECT_FALSE(RunOp("Tile", 13, {}, {I32({2}, {1, 2}), I64({1}, {-1})}).ok());
  // CRD: channel c*4 + i*2 + j goes to (c, 2h+i, 2w+j).
  auto d = RunOp("DepthToSpace", 13, {{"blocksize", IntAttr(2)}, {"mode", StringAttr("CRD")}},
                 {I32({1, 4, 1, 1}, {0, 1, 2, 3})});
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(Values<int32_t>((*d)[0]), (std::vector<int32_t>{0, 1, 2, 3}));
  EXPECT_FALSE(RunOp("DepthToSpace", 13, {{"blocksize", IntAttr(2)}}, {I32({1, 3, 1, 1}, {})}).ok());
}

}  // namespace
}  // namespace edgerun
