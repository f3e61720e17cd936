// Tests for the pooling kernels: input validation and semantics the ONNX node tests miss.
#include <gtest/gtest.h>

#include "kernels/reference/kernel_test_util.h"

namespace edgerun {
namespace {

using namespace kernel_test;

TEST(PoolTest, MaxPoolIndicesAndColumnMajorOrder) {
  Tensor x = F32({1, 1, 2, 2}, {1, 4, 3, 2});
  auto row = RunOp("MaxPool", 12, {{"kernel_shape", IntsAttr({2, 2})}}, {x}, 2);
  auto col = RunOp("MaxPool", 12, {{"kernel_shape", IntsAttr({2, 2})}, {"storage_order", IntAttr(1)}}, {x}, 2);
  ASSERT_TRUE(row.ok() && col.ok());
  EXPECT_EQ(Values<float>((*row)[0]), (std::vector<float>{4}));
  EXPECT_EQ(Values<int64_t>((*row)[1]), (std::vector<int64_t>{1}));  // (h 0, w 1) row-major
  EXPECT_EQ(Values<int64_t>((*col)[1]), (std::vector<int64_t>{2}));  // (h 0, w 1) column-major
}

TEST(PoolTest, AveragePoolCountIncludePad) {
  Tensor x = F32({1, 1, 1, 2}, {2, 4});
  std::vector<std::pair<std::string, ir::Attribute>> attrs = {{"kernel_shape", IntsAttr({1, 2})},
                                                               {"pads", IntsAttr({0, 1, 0, 0})}};
  auto excl = RunOp("AveragePool", 11, attrs, {x});
  attrs.push_back({"count_include_pad", IntAttr(1)});
  auto incl = RunOp("AveragePool", 11, attrs, {x});
  ASSERT_TRUE(excl.ok() && incl.ok());
  EXPECT_EQ(Values<float>((*excl)[0]), (std::vector<float>{2, 3}));
  EXPECT_EQ(Values<float>((*incl)[0]), (std::vector<float>{1, 3}));
}

TEST(PoolTest, RejectsBadInput) {
  EXPECT_EQ(RunOp("MaxPool", 12, {}, {F32({1, 1, 2, 2}, {})}).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(RunOp("MaxPool", 12, {{"kernel_shape", IntsAttr({2})}}, {F32({1, 1, 2, 2}, {})}).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(RunOp("MaxPool", 12, {{"kernel_shape", IntsAttr({3, 3})}}, {F32({1, 1, 2, 2}, {})}).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(RunOp("AveragePool", 11, {{"kernel_shape", IntsAttr({1})}}, {I64({1, 1, 2}, {})}).status().code(),
            StatusCode::kUnsupported);
}

TEST(PoolTest, MaxUnpoolRejectsOutOfRangeIndices) {
  std::vector<std::pair<std::string, ir::Attribute>> attrs = {{"kernel_shape", IntsAttr({2})}, {"strides", IntsAttr({2})}};
  auto ok = RunOp("MaxUnpool", 11, attrs, {F32({1, 1, 1}, {7}), I64({1, 1, 1}, {1})});
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ(Values<float>((*ok)[0]), (std::vector<float>{0, 7}));
  EXPECT_EQ(RunOp("MaxUnpool", 11, attrs, {F32({1, 1, 1}, {7}), I64({1, 1, 1}, {2})}).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(RunOp("MaxUnpool", 11, attrs, {F32({1, 1, 1}, {7}), I64({1, 1, 1}, {-1})}).status().code(),
            StatusCode::kInvalidArgument);
}

TEST(PoolTest, MaxRoiPoolRejectsBadBatchIndex) {
  auto st = RunOp("MaxRoiPool", 11, {{"pooled_shape", IntsAttr({1, 1})}},
                  {F32({1, 1, 2, 2}, {}), F32({1, 5}, {3, 0, 0, 1, 1})});
  EXPECT_EQ(st.status().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace edgerun
