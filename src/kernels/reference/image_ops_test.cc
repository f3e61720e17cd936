// Tests for GridSample (N-D, opset 20), AffineGrid, RoiAlign and NonMaxSuppression behaviour the
// ONNX 1.12 node tests miss, and for their input validation.
#include <gtest/gtest.h>

#include "kernels/reference/kernel_test_util.h"

namespace edgerun {
namespace {

using namespace kernel_test;

TEST(AffineGridTest, IdentityGridCoordinates) {
  Tensor theta = F32({1, 2, 3}, {1, 0, 0, 0, 1, 0});
  auto aligned = RunOp("AffineGrid", 20, {{"align_corners", IntAttr(1)}}, {theta, I64({4}, {1, 1, 2, 3})});
  ASSERT_TRUE(aligned.ok()) << aligned.status().ToString();
  EXPECT_EQ((*aligned)[0].shape(), (Shape{1, 2, 3, 2}));
  ExpectNear(Values<float>((*aligned)[0]), {-1, -1, 0, -1, 1, -1, -1, 1, 0, 1, 1, 1});
  auto centered = RunOp("AffineGrid", 20, {}, {theta, I64({4}, {1, 1, 2, 3})});
  ASSERT_TRUE(centered.ok()) << centered.status().ToString();
  const float t = 2.0f / 3.0f;
  ExpectNear(Values<float>((*centered)[0]), {-t, -0.5f, 0, -0.5f, t, -0.5f, -t, 0.5f, 0, 0.5f, t, 0.5f});
}

// GridSample over an identity AffineGrid reproduces the input, in 2-D and 3-D, for every mode.
TEST(GridSampleTest, IdentityGridRoundTrips) {
  for (int64_t align : {0, 1}) {
    for (const char* mode : {"linear", "nearest", "cubic"}) {
      Tensor x2 = F32({1, 2, 3, 4}, Iota(24, 1.0f, 0.5f));
      auto g2 = RunOp("AffineGrid", 20, {{"align_corners", IntAttr(align)}},
                      {F32({1, 2, 3}, {1, 0, 0, 0, 1, 0}), I64({4}, {1, 2, 3, 4})});
      ASSERT_TRUE(g2.ok());
      auto y2 = RunOp("GridSample", 20, {{"align_corners", IntAttr(align)}, {"mode", StringAttr(mode)}},
                      {x2, (*g2)[0]});
      ASSERT_TRUE(y2.ok()) << y2.status().ToString();
      ExpectNear(Values<float>((*y2)[0]), Values<float>(x2), 1e-4f);

      Tensor x3 = F32({1, 1, 2, 3, 4}, Iota(24, -3.0f, 0.25f));
      auto g3 = RunOp("AffineGrid", 20, {{"align_corners", IntAttr(align)}},
                      {F32({1, 3, 4}, {1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0}), I64({5}, {1, 1, 2, 3, 4})});
      ASSERT_TRUE(g3.ok()) << g3.status().ToString();
      EXPECT_EQ((*g3)[0].shape(), (Shape{1, 2, 3, 4, 3}));
      auto y3 = RunOp("GridSample", 20, {{"align_corners", IntAttr(align)}, {"mode", StringAttr(mode)}},
                      {x3, (*g3)[0]});
      ASSERT_TRUE(y3.ok()) << y3.status().ToString();
      ExpectNear(Values<float>((*y3)[0]), Values<float>(x3), 1e-4f);
    }
  }
}

TEST(GridSampleTest, PaddingModesOutsideTheInput) {
  Tensor x = F32({1, 1, 1, 2}, {10, 20});
  // x = 3 (far right of a 2-wide row, align_corners=0), y = 0.
  Tensor grid = F32({1, 1, 1, 2}, {3.0f, 0.0f});
  auto run = [&](const char* padding) {
    auto r = RunOp("GridSample", 16, {{"padding_mode", StringAttr(padding)}}, {x, grid});
    EXPECT_TRUE(r.ok());
    return Values<float>((*r)[0]);
  };
  EXPECT_EQ(run("zeros"), (std::vector<float>{0}));
  EXPECT_EQ(run("border"), (std::vector<float>{20}));
  EXPECT_EQ(run("reflection"), (std::vector<float>{10}));  // 3.5 reflects to -0.5 around [-0.5, 1.5]
}

TEST(GridSampleTest, RejectsBadShapes) {
  Tensor x = F32({1, 1, 2, 2}, {});
  EXPECT_EQ(RunOp("GridSample", 16, {}, {x, F32({1, 2, 2, 3}, {})}).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(RunOp("GridSample", 16, {}, {x, F32({2, 2, 2, 2}, {})}).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(RunOp("GridSample", 16, {}, {F32({1, 1, 2, 2, 2}, {}), F32({1, 2, 2, 2, 3}, {})}).status().code(),
            StatusCode::kInvalidArgument);  // 3-D needs opset 20
  EXPECT_EQ(RunOp("GridSample", 16, {{"mode", StringAttr("area")}}, {x, F32({1, 2, 2, 2}, {})}).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(RunOp("AffineGrid", 20, {}, {F32({1, 2, 3}, {}), I64({5}, {1, 1, 2, 2, 2})}).status().code(),
            StatusCode::kInvalidArgument);
}

TEST(RoiAlignTest, AvgAndMaxOverAConstantMap) {
  Tensor x = F32({1, 1, 4, 4}, std::vector<float>(16, 2.0f));
  Tensor rois = F32({1, 4}, {0.5f, 0.5f, 2.5f, 2.5f});
  Tensor idx = I64({1}, {0});
  Attrs attrs = {{"output_height", IntAttr(2)}, {"output_width", IntAttr(2)}, {"sampling_ratio", IntAttr(2)}};
  auto avg = RunOp("RoiAlign", 16, attrs, {x, rois, idx});
  ASSERT_TRUE(avg.ok()) << avg.status().ToString();
  ExpectNear(Values<float>((*avg)[0]), {2, 2, 2, 2});
  attrs.push_back({"mode", StringAttr("max")});
  auto mx = RunOp("RoiAlign", 16, attrs, {x, rois, idx});
  ASSERT_TRUE(mx.ok()) << mx.status().ToString();
  for (float v : Values<float>((*mx)[0])) EXPECT_GT(v, 0.0f);
}

TEST(RoiAlignTest, RejectsBadInputs) {
  Tensor x = F32({1, 1, 4, 4}, {});
  Tensor rois = F32({1, 4}, {0, 0, 1, 1});
  EXPECT_EQ(RunOp("RoiAlign", 16, {}, {x, rois, I64({1}, {1})}).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(RunOp("RoiAlign", 16, {}, {x, rois, I64({1}, {-1})}).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(RunOp("RoiAlign", 16, {}, {x, F32({1, 5}, {}), I64({1}, {0})}).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(RunOp("RoiAlign", 16, {}, {x, rois, I64({2}, {0, 0})}).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(RunOp("RoiAlign", 16, {{"mode", StringAttr("sum")}}, {x, rois, I64({1}, {0})}).status().code(),
            StatusCode::kInvalidArgument);
}

TEST(NonMaxSuppressionTest, ThresholdsAndLimits) {
  // Two overlapping boxes and one apart, one class.
  Tensor boxes = F32({1, 3, 4}, {0, 0, 1, 1, 0, 0.1f, 1, 1.1f, 0, 5, 1, 6});
  Tensor scores = F32({1, 1, 3}, {0.9f, 0.8f, 0.3f});
  auto all = RunOp("NonMaxSuppression", 11, {}, {boxes, scores, I64({1}, {10}), F32({1}, {0.5f})});
  ASSERT_TRUE(all.ok()) << all.status().ToString();
  EXPECT_EQ(Values<int64_t>((*all)[0]), (std::vector<int64_t>{0, 0, 0, 0, 0, 2}));
  auto scored = RunOp("NonMaxSuppression", 11, {}, {boxes, scores, I64({1}, {10}), F32({1}, {0.5f}), F32({1}, {0.5f})});
  ASSERT_TRUE(scored.ok());
  EXPECT_EQ(Values<int64_t>((*scored)[0]), (std::vector<int64_t>{0, 0, 0}));
  auto none = RunOp("NonMaxSuppression", 11, {}, {boxes, scores});
  ASSERT_TRUE(none.ok());
  EXPECT_EQ((*none)[0].shape(), (Shape{0, 3}));
}

TEST(NonMaxSuppressionTest, RejectsMismatchedShapes) {
  EXPECT_EQ(RunOp("NonMaxSuppression", 11, {}, {F32({1, 3, 4}, {}), F32({1, 1, 2}, {})}).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(RunOp("NonMaxSuppression", 11, {}, {F32({1, 3, 5}, {}), F32({1, 1, 3}, {})}).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(RunOp("NonMaxSuppression", 11, {{"center_point_box", IntAttr(2)}}, {F32({1, 3, 4}, {}), F32({1, 1, 3}, {})})
                .status()
                .code(),
            StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace edgerun
