#include "edgerun/tensor.h"

#include <gtest/gtest.h>

#include <cmath>

namespace edgerun {
namespace {

TEST(TensorTest, CreateIsZeroFilled) {
  auto t = Tensor::Create(DataType::kFloat, {2, 3});
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(t->numel(), 6);
  EXPECT_EQ(t->nbytes(), 24u);
  for (int i = 0; i < 6; ++i) EXPECT_EQ(t->data<float>()[i], 0.0f);
}

TEST(TensorTest, AbsurdShapeIsRejectedWithoutAllocating) {
  auto t = Tensor::Create(DataType::kFloat, {int64_t{1} << 20, int64_t{1} << 20});  // 2^40 elements
  ASSERT_FALSE(t.ok());
  EXPECT_EQ(t.status().code(), StatusCode::kOutOfMemory);
  EXPECT_NE(t.status().message().find("[1048576,1048576]"), std::string::npos);
}

TEST(TensorTest, NegativeDimIsRejected) {
  auto t = Tensor::Create(DataType::kInt64, {3, -1});
  ASSERT_FALSE(t.ok());
  EXPECT_EQ(t.status().code(), StatusCode::kInvalidArgument);
}

TEST(TensorTest, HalfRoundTripsRepresentableValues) {
  for (float f : {0.0f, 1.0f, -2.5f, 65504.0f, 6.1035156e-05f, 5.9604645e-08f}) {
    EXPECT_EQ(static_cast<float>(Half(f)), f) << f;
  }
  EXPECT_TRUE(std::isinf(static_cast<float>(Half(1e6f))));
  EXPECT_TRUE(std::isnan(static_cast<float>(Half(NAN))));
  // Round to nearest even: 1 + 2^-11 is halfway between 1 and 1 + 2^-10.
  EXPECT_EQ(static_cast<float>(Half(1.0f + 0.00048828125f)), 1.0f);
}

TEST(TensorTest, BFloat16RoundsToNearestEven) {
  EXPECT_EQ(static_cast<float>(BFloat16(1.0f)), 1.0f);
  EXPECT_EQ(static_cast<float>(BFloat16(3.140625f)), 3.140625f);
  EXPECT_TRUE(std::isnan(static_cast<float>(BFloat16(NAN))));
}

TEST(TensorTest, ReshapedSharesStorage) {
  auto t = Tensor::Create(DataType::kInt32, {4}).value();
  Tensor r = t.Reshaped({2, 2});
  r.data<int32_t>()[3] = 7;
  EXPECT_EQ(t.data<int32_t>()[3], 7);
  Tensor c = t.Clone();
  c.data<int32_t>()[3] = 1;
  EXPECT_EQ(t.data<int32_t>()[3], 7);
}

}  // namespace
}  // namespace edgerun
