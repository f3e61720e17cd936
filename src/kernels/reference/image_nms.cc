// NonMaxSuppression reference kernel (opsets 10 and 11): greedy per-(batch, class) selection
// in descending score order (ties: lower box index first), as ONNX Runtime does. Output rows are
// [batch_index, class_index, box_index], batch-major then class-major, in selection order.
#include <algorithm>
#include <cmath>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "kernels/reference/broadcast.h"
#include "kernels/reference/image_kernels.h"
#include "kernels/reference/image_util.h"

namespace edgerun {
namespace {

struct Box {
  float x1, y1, x2, y2;  // x1 <= x2, y1 <= y2
};

Box MakeBox(const double* b, bool center_point) {
  const float v0 = static_cast<float>(b[0]);
  const float v1 = static_cast<float>(b[1]);
  const float v2 = static_cast<float>(b[2]);
  const float v3 = static_cast<float>(b[3]);
  if (center_point) {  // [x_center, y_center, width, height]
    return Box{v0 - v2 / 2.0f, v1 - v3 / 2.0f, v0 + v2 / 2.0f, v1 + v3 / 2.0f};
  }
  // [y1, x1, y2, x2], corners in either order.
  return Box{std::min(v1, v3), std::min(v0, v2), std::max(v1, v3), std::max(v0, v2)};
}

// True when a and b overlap by more than the threshold (intersection over union).
bool Suppresses(const Box& a, const Box& b, float iou_threshold) {
  const float ix1 = std::max(a.x1, b.x1);
  const float iy1 = std::max(a.y1, b.y1);
  const float ix2 = std::min(a.x2, b.x2);
  const float iy2 = std::min(a.y2, b.y2);
  if (ix2 <= ix1 || iy2 <= iy1) return false;
  const float inter = (ix2 - ix1) * (iy2 - iy1);
  const float area_a = (a.x2 - a.x1) * (a.y2 - a.y1);
  const float area_b = (b.x2 - b.x1) * (b.y2 - b.y1);
  const float uni = area_a + area_b - inter;
  if (area_a <= 0.0f || area_b <= 0.0f || uni <= 0.0f) return false;
  return inter / uni > iou_threshold;
}

class NmsKernel final : public Kernel {
 public:
  NmsKernel(bool center_point, std::string desc) : center_point_(center_point), desc_(std::move(desc)) {}

  Status Run(KernelContext& ctx) const override {
    const Tensor& boxes_t = ctx.input(0);
    const Tensor& scores_t = ctx.input(1);
    if (boxes_t.rank() != 3 || boxes_t.dim(2) != 4) {
      return Fail("boxes has shape " + ShapeToString(boxes_t.shape()) + ", expected [batch, boxes, 4]");
    }
    const int64_t batches = boxes_t.dim(0);
    const int64_t num_boxes = boxes_t.dim(1);
    if (scores_t.rank() != 3 || scores_t.dim(0) != batches || scores_t.dim(2) != num_boxes) {
      return Fail("scores has shape " + ShapeToString(scores_t.shape()) + ", expected [" + std::to_string(batches) +
                  ", classes, " + std::to_string(num_boxes) + "]");
    }
    const int64_t classes = scores_t.dim(1);
    int64_t max_out = 0;
    if (ctx.has_input(2) && ctx.input(2).numel() > 0) {
      Dims v;
      EDGERUN_ASSIGN_OR_RETURN(v, ReadInt64s(ctx.input(2), "max_output_boxes_per_class"));
      max_out = std::max<int64_t>(v[0], 0);
    }
    float iou_threshold = 0.0f;
    if (ctx.has_input(3) && ctx.input(3).numel() > 0) {
      double v = 0;
      EDGERUN_ASSIGN_OR_RETURN(v, ReadScalarAsDouble(ctx.input(3), "iou_threshold"));
      iou_threshold = static_cast<float>(v);
    }
    bool has_score_threshold = false;
    float score_threshold = 0.0f;
    if (ctx.has_input(4) && ctx.input(4).numel() > 0) {
      double v = 0;
      EDGERUN_ASSIGN_OR_RETURN(v, ReadScalarAsDouble(ctx.input(4), "score_threshold"));
      score_threshold = static_cast<float>(v);
      has_score_threshold = true;
    }
    std::vector<double> boxes;
    std::vector<double> scores;
    EDGERUN_ASSIGN_OR_RETURN(boxes, ReadFloatsAsDouble(boxes_t, "boxes"));
    EDGERUN_ASSIGN_OR_RETURN(scores, ReadFloatsAsDouble(scores_t, "scores"));

    Dims selected;  // triples
    std::vector<std::pair<float, int64_t>> candidates;
    Dims kept;
    std::vector<Box> box_cache(static_cast<size_t>(num_boxes));
    for (int64_t b = 0; b < batches && max_out > 0; ++b) {
      for (int64_t i = 0; i < num_boxes; ++i) box_cache[i] = MakeBox(&boxes[(b * num_boxes + i) * 4], center_point_);
      for (int64_t c = 0; c < classes; ++c) {
        const double* s = &scores[(b * classes + c) * num_boxes];
        candidates.clear();
        for (int64_t i = 0; i < num_boxes; ++i) {
          const float score = static_cast<float>(s[i]);
          if (std::isnan(score) || (has_score_threshold && !(score > score_threshold))) continue;
          candidates.emplace_back(score, i);
        }
        std::stable_sort(candidates.begin(), candidates.end(),
                         [](const auto& a, const auto& b) { return a.first > b.first; });
        kept.clear();
        for (const auto& cand : candidates) {
          if (static_cast<int64_t>(kept.size()) >= max_out) break;
          const Box& box = box_cache[cand.second];
          bool suppressed = false;
          for (int64_t k : kept) {
            if (Suppresses(box_cache[k], box, iou_threshold)) {
              suppressed = true;
              break;
            }
          }
          if (suppressed) continue;
          kept.push_back(cand.second);
          selected.insert(selected.end(), {b, c, cand.second});
        }
      }
    }
    const int64_t n = static_cast<int64_t>(selected.size() / 3);
    Tensor* y = nullptr;
    EDGERUN_ASSIGN_OR_RETURN(y, ctx.AllocateOutput(0, DataType::kInt64, {n, 3}));
    std::copy(selected.begin(), selected.end(), y->data<int64_t>());
    return Status::Ok();
  }

 private:
  Status Fail(const std::string& m) const { return InvalidArgument(desc_ + ": " + m); }
  bool center_point_;
  std::string desc_;
};

}  // namespace

Result<std::unique_ptr<Kernel>> CreateNonMaxSuppressionKernel(const KernelCreateContext& ctx) {
  const int64_t center = ctx.node.GetInt("center_point_box", 0);
  if (center != 0 && center != 1) return InvalidArgument(ctx.node.Describe() + ": center_point_box must be 0 or 1");
  return std::unique_ptr<Kernel>(std::make_unique<NmsKernel>(center == 1, ctx.node.Describe()));
}

}  // namespace edgerun
