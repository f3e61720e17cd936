// Tests for the quantization kernels beyond the conformance data: rounding and saturation,
// blocked and 16-bit quantization, per-row/per-column zero points, grouped/dilated/strided and
// 1-D integer convolution, per-channel QLinearConv with bias, and input errors.
#include <gtest/gtest.h>

#include "kernels/reference/kernel_test_util.h"

namespace edgerun {
namespace {

using namespace kernel_test;

TEST(QuantizeLinearTest, RoundsHalfToEvenAndSaturates) {
  auto out = RunOp("QuantizeLinear", 13, {},
                   {F32({7}, {2.5f, 3.5f, -2.5f, -3.5f, 1000.f, -1000.f, 0.49f}), F32({}, {1.f}), I8({}, {0})});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_EQ((*out)[0].dtype(), DataType::kInt8);
  EXPECT_EQ(Values<int8_t>((*out)[0]), (std::vector<int8_t>{2, 4, -2, -4, 127, -128, 0}));
}

TEST(QuantizeLinearTest, BlockedScalesOpset21) {
  Tensor x = F32({2, 4}, {1, 2, 4, 8, 4, 8, 16, 32});
  Tensor s = F32({2, 2}, {1, 2, 4, 8});
  auto out = RunOp("QuantizeLinear", 21, {{"axis", IntAttr(1)}, {"block_size", IntAttr(2)}}, {x, s});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_EQ((*out)[0].dtype(), DataType::kUint8);
  EXPECT_EQ(Values<uint8_t>((*out)[0]), (std::vector<uint8_t>{1, 2, 2, 4, 1, 2, 2, 4}));

  auto dq = RunOp("DequantizeLinear", 21, {{"axis", IntAttr(1)}, {"block_size", IntAttr(2)}}, {(*out)[0], s});
  ASSERT_TRUE(dq.ok()) << dq.status().ToString();
  EXPECT_EQ(Values<float>((*dq)[0]), (std::vector<float>{1, 2, 4, 8, 4, 8, 16, 32}));
}

TEST(QuantizeLinearTest, Int16ZeroPointAndOutputDtype) {
  Tensor zp = Make<int16_t>(DataType::kInt16, {}, {0});
  auto out = RunOp("QuantizeLinear", 21, {}, {F32({3}, {-40000.f, 0.f, 40000.f}), F32({}, {1.f}), zp});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_EQ(Values<int16_t>((*out)[0]), (std::vector<int16_t>{-32768, 0, 32767}));

  auto by_attr = RunOp("QuantizeLinear", 21, {{"output_dtype", IntAttr(static_cast<int64_t>(DataType::kUint16))}},
                       {F32({2}, {-1.f, 70000.f}), F32({}, {1.f})});
  ASSERT_TRUE(by_attr.ok()) << by_attr.status().ToString();
  EXPECT_EQ(Values<uint16_t>((*by_attr)[0]), (std::vector<uint16_t>{0, 65535}));
}

TEST(QuantizeLinearTest, RejectsMismatchedScales) {
  auto bad_axis = RunOp("QuantizeLinear", 13, {{"axis", IntAttr(1)}}, {F32({2, 3}, {}), F32({2}, {1, 1})});
  ASSERT_FALSE(bad_axis.ok());
  EXPECT_EQ(bad_axis.status().code(), StatusCode::kInvalidArgument);
  auto per_axis_at_10 = RunOp("QuantizeLinear", 10, {}, {F32({2, 3}, {}), F32({3}, {1, 1, 1})});
  EXPECT_FALSE(per_axis_at_10.ok());
  auto zp_shape = RunOp("QuantizeLinear", 13, {}, {F32({2, 3}, {}), F32({3}, {1, 1, 1}), U8({2}, {0, 0})});
  EXPECT_FALSE(zp_shape.ok());
  auto blocked = RunOp("DequantizeLinear", 21, {{"axis", IntAttr(1)}, {"block_size", IntAttr(2)}},
                       {U8({2, 4}, {}), F32({2, 3}, {})});
  EXPECT_FALSE(blocked.ok());
}

TEST(DequantizeLinearTest, Int32Input) {
  auto out = RunOp("DequantizeLinear", 13, {}, {I32({2}, {-5, 7}), F32({}, {0.5f})});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_EQ(Values<float>((*out)[0]), (std::vector<float>{-2.5f, 3.5f}));
}

TEST(DynamicQuantizeLinearTest, AllZeroInputHasZeroScale) {
  auto out = RunOp("DynamicQuantizeLinear", 11, {}, {F32({3}, {0, 0, 0})}, 3);
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_EQ(Values<uint8_t>((*out)[0]), (std::vector<uint8_t>{0, 0, 0}));
  EXPECT_EQ((*out)[1].data<float>()[0], 0.f);
  EXPECT_EQ((*out)[2].data<uint8_t>()[0], 0);
}

TEST(MatMulIntegerTest, PerRowAndPerColumnZeroPoints) {
  Tensor a = I8({2, 2}, {1, -2, 3, 4});
  Tensor b = U8({2, 3}, {1, 2, 3, 4, 5, 6});
  auto out = RunOp("MatMulInteger", 10, {}, {a, b, I8({2}, {1, 0}), U8({3}, {1, 2, 3})});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_EQ(Values<int32_t>((*out)[0]), (std::vector<int32_t>{-9, -9, -9, 12, 12, 12}));
}

TEST(MatMulIntegerTest, BroadcastsBatchAndRejectsBadShapes) {
  auto out = RunOp("MatMulInteger", 10, {}, {U8({2, 1, 2}, {1, 2, 3, 4}), U8({2, 1}, {1, 1})});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_EQ((*out)[0].shape(), (Shape{2, 1, 1}));
  EXPECT_EQ(Values<int32_t>((*out)[0]), (std::vector<int32_t>{3, 7}));
  auto bad = RunOp("MatMulInteger", 10, {}, {U8({2, 3}, {}), U8({2, 3}, {})});
  EXPECT_EQ(bad.status().code(), StatusCode::kInvalidArgument);
  auto bad_zp = RunOp("MatMulInteger", 10, {}, {U8({2, 2}, {}), U8({2, 2}, {}), U8({3}, {})});
  EXPECT_EQ(bad_zp.status().code(), StatusCode::kInvalidArgument);
}

TEST(ConvIntegerTest, GroupedDilated) {
  std::vector<uint8_t> xv(18);
  for (int i = 0; i < 18; ++i) xv[i] = static_cast<uint8_t>(i + 1);
  auto out = RunOp("ConvInteger", 10, {{"group", IntAttr(2)}, {"dilations", IntsAttr({2, 2})}},
                   {U8({1, 2, 3, 3}, xv), U8({2, 1, 2, 2}, {1, 1, 1, 1, 1, 1, 1, 1})});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_EQ((*out)[0].shape(), (Shape{1, 2, 1, 1}));
  EXPECT_EQ(Values<int32_t>((*out)[0]), (std::vector<int32_t>{20, 56}));
}

TEST(ConvIntegerTest, OneDimensionalPaddingAndStrides) {
  Tensor x = U8({1, 1, 5}, {1, 2, 3, 4, 5});
  Tensor w = U8({1, 1, 3}, {1, 1, 1});
  auto same = RunOp("ConvInteger", 10, {{"auto_pad", StringAttr("SAME_UPPER")}}, {x, w, U8({}, {1})});
  ASSERT_TRUE(same.ok()) << same.status().ToString();
  EXPECT_EQ(Values<int32_t>((*same)[0]), (std::vector<int32_t>{1, 3, 6, 9, 7}));
  auto strided = RunOp("ConvInteger", 10, {{"strides", IntsAttr({2})}, {"pads", IntsAttr({1, 1})}},
                       {x, w, U8({}, {1})});
  ASSERT_TRUE(strided.ok()) << strided.status().ToString();
  EXPECT_EQ(Values<int32_t>((*strided)[0]), (std::vector<int32_t>{1, 6, 7}));
  auto bad = RunOp("ConvInteger", 10, {}, {U8({1, 2, 5}, {}), w});
  EXPECT_EQ(bad.status().code(), StatusCode::kInvalidArgument);
}

TEST(QLinearConvTest, PerChannelScalesAndBias) {
  auto out = RunOp("QLinearConv", 10, {},
                   {U8({1, 1, 1, 2}, {10, 20}), F32({}, {0.5f}), U8({}, {0}), I8({2, 1, 1, 1}, {2, -3}),
                    F32({2}, {1.f, 0.5f}), I8({2}, {0, 0}), F32({}, {1.f}), U8({}, {128}), I32({2}, {4, 0})});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_EQ(Values<uint8_t>((*out)[0]), (std::vector<uint8_t>{140, 150, 120, 113}));
}

}  // namespace
}  // namespace edgerun
