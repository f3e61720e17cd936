// Tests for Resize/Upsample semantics the ONNX 1.12 node tests miss (opset 18/19 features,
// Upsample-7, integer types) and for input validation. Expected values come from ONNX's backend
// test cases for those features.
#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <string>
#include <vector>

#include "edgerun/session.h"
#include "kernels/reference/image_resize_plan.h"
#include "kernels/reference/kernel_test_util.h"
#include "model_builder.h"

namespace edgerun {
namespace {

using namespace kernel_test;

// Tolerance for this file's ExpectNear checks.
constexpr float kResizeTol = 1e-4f;

Tensor Grid4x4() { return F32({1, 1, 4, 4}, Iota(16, 1.0f)); }

TEST(ResizeTest, LinearAntialiasScalesAndSizes) {
  auto scales = RunOp("Resize", 18, {{"mode", StringAttr("linear")}, {"antialias", IntAttr(1)}},
                      {Grid4x4(), Tensor(), F32({4}, {1, 1, 0.6f, 0.6f})});
  ASSERT_TRUE(scales.ok()) << scales.status().ToString();
  EXPECT_EQ((*scales)[0].shape(), (Shape{1, 1, 2, 2}));
  ExpectNear(Values<float>((*scales)[0]), {2.875f, 4.5f, 9.375f, 11.0f}, kResizeTol);

  auto sizes = RunOp("Resize", 18, {{"mode", StringAttr("linear")}, {"antialias", IntAttr(1)}},
                     {Grid4x4(), Tensor(), Tensor(), I64({4}, {1, 1, 3, 3})});
  ASSERT_TRUE(sizes.ok()) << sizes.status().ToString();
  ExpectNear(Values<float>((*sizes)[0]),
             {2.3636363f, 3.590909f, 4.818182f, 7.2727275f, 8.5f, 9.727273f, 12.181818f, 13.409091f, 14.636364f},
             kResizeTol);
}

TEST(ResizeTest, CubicAntialiasScalesAndSizes) {
  auto scales = RunOp("Resize", 18, {{"mode", StringAttr("cubic")}, {"antialias", IntAttr(1)}},
                      {Grid4x4(), Tensor(), F32({4}, {1, 1, 0.6f, 0.6f})});
  ASSERT_TRUE(scales.ok()) << scales.status().ToString();
  ExpectNear(Values<float>((*scales)[0]), {2.5180721f, 4.2858863f, 9.589329f, 11.357142f}, kResizeTol);

  auto sizes = RunOp("Resize", 18, {{"mode", StringAttr("cubic")}, {"antialias", IntAttr(1)}},
                     {Grid4x4(), Tensor(), Tensor(), I64({4}, {1, 1, 3, 3})});
  ASSERT_TRUE(sizes.ok()) << sizes.status().ToString();
  ExpectNear(Values<float>((*sizes)[0]),
             {1.7750092f, 3.1200073f, 4.4650054f, 7.1550016f, 8.5f, 9.844998f, 12.534994f, 13.8799925f, 15.224991f},
             kResizeTol);
}

// The float fast path of the last two axes against the double-precision walk, over modes,
// coordinate transformations, antialiasing, exclude_outside, up- and downscaling and ranks; and
// the cases it must decline (a leading axis resized, extrapolated outputs, nearest, non-float).
TEST(ResizeTest, FloatFastPathMatchesTheGenericWalk) {
  struct Case {
    ResizeMode mode;
    ResizeCoordMode coord;
    bool antialias, exclude;
    Shape in, out;
  };
  const Case cases[] = {
      {ResizeMode::kLinear, ResizeCoordMode::kHalfPixel, false, false, {1, 1, 28, 28}, {1, 1, 96, 96}},
      {ResizeMode::kLinear, ResizeCoordMode::kAlignCorners, false, false, {2, 3, 5, 7}, {2, 3, 11, 4}},
      {ResizeMode::kLinear, ResizeCoordMode::kAsymmetric, false, false, {3, 9, 6}, {3, 4, 13}},
      {ResizeMode::kLinear, ResizeCoordMode::kPytorchHalfPixel, false, false, {1, 2, 1, 5}, {1, 2, 1, 9}},
      {ResizeMode::kLinear, ResizeCoordMode::kHalfPixel, true, false, {1, 2, 16, 12}, {1, 2, 5, 7}},
      {ResizeMode::kCubic, ResizeCoordMode::kHalfPixel, false, true, {1, 2, 6, 8}, {1, 2, 13, 5}},
      {ResizeMode::kCubic, ResizeCoordMode::kAlignCorners, true, false, {2, 1, 2, 9, 10}, {2, 1, 2, 4, 3}},
      {ResizeMode::kLinear, ResizeCoordMode::kHalfPixel, false, false, {7, 9}, {14, 3}},
  };
  std::mt19937 rng(3);
  std::uniform_real_distribution<float> dist(-2.0f, 2.0f);
  for (const Case& k : cases) {
    SCOPED_TRACE(ShapeToString(k.in) + " -> " + ShapeToString(k.out));
    ResizeOptions opt;
    opt.mode = k.mode, opt.coord = k.coord, opt.antialias = k.antialias, opt.exclude_outside = k.exclude;
    Tensor x = Tensor::Create(DataType::kFloat, k.in).value();
    for (int64_t i = 0; i < x.numel(); ++i) x.data<float>()[i] = dist(rng);
    std::vector<ResizeAxisTaps> taps;
    int64_t stride = ShapeSize(k.in);
    for (size_t d = 0; d < k.in.size(); ++d) {
      stride /= k.in[d];
      ResizeAxis a;
      a.in = k.in[d], a.out = k.out[d];
      a.scale = static_cast<double>(k.out[d]) / static_cast<double>(k.in[d]);
      a.out_float = static_cast<double>(k.out[d]);
      taps.push_back(ComputeResizeAxisTaps(opt, a, stride));
    }
    Tensor fast = Tensor::Create(DataType::kFloat, k.out).value();
    Tensor ref = Tensor::Create(DataType::kFloat, k.out).value();
    ASSERT_TRUE(ApplyResize2dF32(opt, taps, x, &fast));
    ASSERT_TRUE(ApplyResizeGeneric(opt, taps, x, &ref).ok());
    const std::vector<float> a = Values<float>(ref), b = Values<float>(fast);
    for (size_t i = 0; i < a.size(); ++i) ASSERT_NEAR(a[i], b[i], 2e-6f + 2e-6f * std::fabs(a[i])) << "element " << i;
  }
  // Declined: a leading axis resized, nearest, and extrapolated outputs of tf_crop_and_resize.
  ResizeOptions lin;
  lin.mode = ResizeMode::kLinear;
  auto taps_of = [](const ResizeOptions& opt, const Shape& in, const Shape& out, double roi_start) {
    std::vector<ResizeAxisTaps> taps;
    int64_t stride = ShapeSize(in);
    for (size_t d = 0; d < in.size(); ++d) {
      stride /= in[d];
      ResizeAxis a;
      a.in = in[d], a.out = out[d];
      a.scale = static_cast<double>(out[d]) / static_cast<double>(in[d]);
      a.out_float = static_cast<double>(out[d]);
      a.roi_start = roi_start, a.roi_end = 1.0 + roi_start;
      taps.push_back(ComputeResizeAxisTaps(opt, a, stride));
    }
    return taps;
  };
  Tensor x = F32({2, 3, 4}, Iota(24, 1.0f));
  Tensor y = Tensor::Create(DataType::kFloat, {4, 3, 4}).value();
  EXPECT_FALSE(ApplyResize2dF32(lin, taps_of(lin, {2, 3, 4}, {4, 3, 4}, 0.0), x, &y));
  ResizeOptions nearest;
  Tensor y2 = Tensor::Create(DataType::kFloat, {2, 6, 8}).value();
  EXPECT_FALSE(ApplyResize2dF32(nearest, taps_of(nearest, {2, 3, 4}, {2, 6, 8}, 0.0), x, &y2));
  ResizeOptions crop = lin;
  crop.coord = ResizeCoordMode::kTfCropAndResize;
  EXPECT_FALSE(ApplyResize2dF32(crop, taps_of(crop, {2, 3, 4}, {2, 6, 8}, 0.5), x, &y2));
}

// The kernel keeps the taps of the last geometry: one session run with alternating input shapes
// must give what a fresh session gives for each (the taps follow the shape, never a stale one).
TEST(ResizeTest, ReusedTapsFollowTheInputShape) {
  testing::ModelBuilder mb(13);
  mb.Input("x", onnx::TensorProto::FLOAT, {1, 2, -1, -1}).Output("y", onnx::TensorProto::FLOAT, {-1, -1, -1, -1});
  mb.FloatInitializer("scales", {4}, {1.0f, 1.0f, 2.5f, 1.5f});
  auto& node = mb.Node("Resize", {"x", "", "scales"}, {"y"});
  node.add_attribute()->set_name("mode");
  node.mutable_attribute(0)->set_type(onnx::AttributeProto::STRING);
  node.mutable_attribute(0)->set_s("linear");
  const std::string model = mb.Bytes();
  SessionOptions o;
  o.providers = {"cpu"};
  auto shared = Session::CreateFromBytes(model, o);
  ASSERT_TRUE(shared.ok()) << shared.status().ToString();
  for (const Shape& in : {Shape{1, 2, 4, 4}, Shape{1, 2, 6, 5}, Shape{1, 2, 4, 4}, Shape{1, 2, 3, 7}}) {
    SCOPED_TRACE(ShapeToString(in));
    Tensor x = Tensor::Create(DataType::kFloat, in).value();
    for (int64_t i = 0; i < x.numel(); ++i) x.data<float>()[i] = static_cast<float>((i * 37) % 11) - 5.0f;
    auto fresh = Session::CreateFromBytes(model, o);
    ASSERT_TRUE(fresh.ok());
    auto want = (*fresh)->Run({{"x", x}});
    auto got = (*shared)->Run({{"x", x}});
    ASSERT_TRUE(want.ok() && got.ok()) << want.status().ToString() << got.status().ToString();
    ASSERT_EQ((*got)[0].tensor.shape(), (*want)[0].tensor.shape());
    EXPECT_EQ(Values<float>((*got)[0].tensor), Values<float>((*want)[0].tensor));
  }
}

TEST(ResizeTest, CropAndResizeWithAxesInEitherOrder) {
  const std::vector<float> want = {7.6f, 7.9f, 8.2f, 8.8f, 9.1f, 9.4f, 10.0f, 10.3f, 10.6f};
  for (bool swapped : {false, true}) {
    Attrs attrs = {{"mode", StringAttr("linear")},
                   {"coordinate_transformation_mode", StringAttr("tf_crop_and_resize")},
                   {"axes", IntsAttr(swapped ? std::vector<int64_t>{3, 2} : std::vector<int64_t>{2, 3})}};
    Tensor roi = swapped ? F32({4}, {0.6f, 0.4f, 0.8f, 0.6f}) : F32({4}, {0.4f, 0.6f, 0.6f, 0.8f});
    auto out = RunOp("Resize", 18, attrs, {Grid4x4(), roi, Tensor(), I64({2}, {3, 3})});
    ASSERT_TRUE(out.ok()) << out.status().ToString();
    EXPECT_EQ((*out)[0].shape(), (Shape{1, 1, 3, 3}));
    ExpectNear(Values<float>((*out)[0]), want, kResizeTol);
  }
}

TEST(ResizeTest, KeepAspectRatioPolicies) {
  Tensor x = F32({1, 1, 2, 2}, {1, 2, 3, 4});
  Attrs base = {{"mode", StringAttr("nearest")}, {"axes", IntsAttr({2, 3})}};
  Attrs not_larger = base;
  not_larger.push_back({"keep_aspect_ratio_policy", StringAttr("not_larger")});
  auto small = RunOp("Resize", 18, not_larger, {x, Tensor(), Tensor(), I64({2}, {7, 8})});
  ASSERT_TRUE(small.ok()) << small.status().ToString();
  EXPECT_EQ((*small)[0].shape(), (Shape{1, 1, 7, 7}));
  const std::vector<float> all = Values<float>((*small)[0]);
  const std::vector<float> first_row(all.begin(), all.begin() + 7);
  EXPECT_EQ(first_row, (std::vector<float>{1, 1, 1, 1, 2, 2, 2}));

  Attrs not_smaller = base;
  not_smaller.push_back({"keep_aspect_ratio_policy", StringAttr("not_smaller")});
  auto down = RunOp("Resize", 18, not_smaller,
                    {F32({1, 1, 2, 4}, Iota(8, 1.0f)), Tensor(), Tensor(), I64({2}, {1, 3})});
  ASSERT_TRUE(down.ok()) << down.status().ToString();
  EXPECT_EQ((*down)[0].shape(), (Shape{1, 1, 2, 3}));
  EXPECT_EQ(Values<float>((*down)[0]), (std::vector<float>{1, 2, 4, 5, 6, 8}));
}

TEST(ResizeTest, HalfPixelSymmetric) {
  Attrs attrs = {{"mode", StringAttr("linear")}, {"coordinate_transformation_mode", StringAttr("half_pixel_symmetric")}};
  auto down = RunOp("Resize", 19, attrs, {F32({1, 1, 1, 4}, {1, 2, 3, 4}), Tensor(), F32({4}, {1, 1, 1, 0.6f})});
  ASSERT_TRUE(down.ok()) << down.status().ToString();
  ExpectNear(Values<float>((*down)[0]), {1.6666667f, 3.3333333f}, kResizeTol);
  auto up = RunOp("Resize", 19, attrs, {F32({1, 1, 2, 2}, {1, 2, 3, 4}), Tensor(), F32({4}, {1, 1, 2.3f, 2.94f})});
  ASSERT_TRUE(up.ok()) << up.status().ToString();
  EXPECT_EQ((*up)[0].shape(), (Shape{1, 1, 4, 5}));
  ExpectNear(Values<float>((*up)[0]),
             {1.0f, 1.15986395f, 1.5f, 1.84013605f, 2.0f, 1.56521738f, 1.72508133f, 2.06521738f, 2.40535343f,
              2.56521738f, 2.43478262f, 2.59464657f, 2.93478262f, 3.27491867f, 3.43478262f, 3.0f, 3.15986395f,
              3.5f, 3.84013605f, 4.0f}, kResizeTol);
  // half_pixel_symmetric did not exist before opset 19.
  EXPECT_EQ(RunOp("Resize", 18, attrs, {F32({1, 4}, {}), Tensor(), F32({2}, {1, 1})}).status().code(),
            StatusCode::kInvalidArgument);
}

TEST(ResizeTest, NearestOnIntegerAndLinearOnUint8) {
  Tensor x = Make<int32_t>(DataType::kInt32, {1, 2}, {7, -3});
  auto out = RunOp("Resize", 13, {}, {x, Tensor(), F32({2}, {1, 2})});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_EQ(Values<int32_t>((*out)[0]), (std::vector<int32_t>{7, 7, -3, -3}));

  Tensor u = Make<uint8_t>(DataType::kUint8, {1, 2}, {0, 255});
  auto lin = RunOp("Resize", 13, {{"mode", StringAttr("cubic")}}, {u, Tensor(), F32({2}, {1, 4})});
  ASSERT_TRUE(lin.ok()) << lin.status().ToString();
  // Cubic overshoots below 0 and above 255; saturation keeps the ramp monotonic (wrapping would not).
  const std::vector<uint8_t> v = Values<uint8_t>((*lin)[0]);
  ASSERT_EQ(v.size(), 8u);
  EXPECT_EQ(v[0], 0);
  EXPECT_EQ(v[7], 255);
  for (size_t i = 1; i < v.size(); ++i) EXPECT_LE(v[i - 1], v[i]) << "at " << i;
}

TEST(ResizeTest, UpsampleAttributeScalesAndOpset10Downsample) {
  auto up = RunOp("Upsample", 7, {{"scales", FloatsAttr({1, 1, 2, 3})}}, {F32({1, 1, 2, 2}, {1, 2, 3, 4})});
  ASSERT_TRUE(up.ok()) << up.status().ToString();
  EXPECT_EQ(Values<float>((*up)[0]),
            (std::vector<float>{1, 1, 1, 2, 2, 2, 1, 1, 1, 2, 2, 2, 3, 3, 3, 4, 4, 4, 3, 3, 3, 4, 4, 4}));
  // Resize-10 nearest rounds up when downsampling (the old tests' [[1, 3]]).
  auto down = RunOp("Resize", 10, {}, {F32({1, 1, 2, 4}, Iota(8, 1.0f)), F32({4}, {1, 1, 0.6f, 0.6f})});
  ASSERT_TRUE(down.ok()) << down.status().ToString();
  EXPECT_EQ(Values<float>((*down)[0]), (std::vector<float>{1, 3}));
  auto lin = RunOp("Upsample", 9, {{"mode", StringAttr("linear")}}, {F32({1, 2}, {1, 3}), F32({2}, {1, 2})});
  ASSERT_TRUE(lin.ok()) << lin.status().ToString();
  EXPECT_EQ(Values<float>((*lin)[0]), (std::vector<float>{1, 2, 3, 3}));
}

TEST(ResizeTest, RejectsBadInputs) {
  Tensor x = F32({1, 1, 2, 2}, {1, 2, 3, 4});
  auto code = [](const Result<std::vector<Tensor>>& r) { return r.status().code(); };
  // Both scales and sizes, neither, wrong lengths, non-positive scales, negative sizes.
  EXPECT_EQ(code(RunOp("Resize", 13, {}, {x, Tensor(), F32({4}, {1, 1, 2, 2}), I64({4}, {1, 1, 4, 4})})),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(code(RunOp("Resize", 13, {}, {x, Tensor(), Tensor(), Tensor()})), StatusCode::kInvalidArgument);
  EXPECT_EQ(code(RunOp("Resize", 13, {}, {x, Tensor(), F32({2}, {2, 2})})), StatusCode::kInvalidArgument);
  EXPECT_EQ(code(RunOp("Resize", 13, {}, {x, Tensor(), F32({4}, {1, 1, 0, 2})})), StatusCode::kInvalidArgument);
  EXPECT_EQ(code(RunOp("Resize", 13, {}, {x, Tensor(), Tensor(), I64({4}, {1, 1, -1, 2})})),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(code(RunOp("Resize", 18, {{"axes", IntsAttr({2, 2})}}, {x, Tensor(), F32({2}, {2, 2})})),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(code(RunOp("Resize", 18, {{"axes", IntsAttr({4})}}, {x, Tensor(), F32({1}, {2})})),
            StatusCode::kInvalidArgument);
  // Crop roi of the wrong length.
  EXPECT_EQ(code(RunOp("Resize", 13, {{"coordinate_transformation_mode", StringAttr("tf_crop_and_resize")}},
                       {x, F32({2}, {0, 1}), F32({4}, {1, 1, 2, 2})})),
            StatusCode::kInvalidArgument);
  // Bad attributes fail at kernel creation.
  EXPECT_EQ(code(RunOp("Resize", 13, {{"mode", StringAttr("area")}}, {x})), StatusCode::kInvalidArgument);
  EXPECT_EQ(code(RunOp("Resize", 13, {{"nearest_mode", StringAttr("up")}}, {x})), StatusCode::kInvalidArgument);
  EXPECT_EQ(code(RunOp("Resize", 18, {{"keep_aspect_ratio_policy", StringAttr("fit")}}, {x})),
            StatusCode::kInvalidArgument);
  // A huge scale is refused by the allocation limit instead of being attempted.
  EXPECT_NE(code(RunOp("Resize", 13, {}, {x, Tensor(), F32({4}, {1, 1, 1e9f, 1e9f})})), StatusCode::kOk);
}

}  // namespace
}  // namespace edgerun
