// An XNNPACK execution plan for one partition at fixed input shapes: values (ONNX shape, physical
// layout, buffer slice), steps (one XNNPACK operator each, created after all shapes are known so
// that concat slices can be written in place), and the buffers they run on.
//
// Layout: inside a plan every value of rank >= 3 is stored channels-last ([N, spatial..., C]);
// values of rank <= 2 are stored as ONNX lays them out. Plans of graphs without feature maps use
// the plain layout instead (SetPlainLayout): every value in ONNX order. Conversions happen only
// at the plan's inputs and outputs.
//
// Building: the op mappers (xnnpack_mappers.h) add values and steps; Finalize() creates the
// operators (packing weights), assigns buffers by liveness and sets every operator up once.
// Running: Run() copies inputs in, runs the operators and copies outputs out; it allocates nothing.
// Thread-safety: a Plan is not thread-safe; its owner serializes Run().
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <functional>
#include <limits>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <xnnpack.h>

#include "edgerun/status.h"
#include "edgerun/tensor.h"

namespace edgerun::xnn {

constexpr float kNoMin = -std::numeric_limits<float>::infinity();
constexpr float kNoMax = std::numeric_limits<float>::infinity();

struct Value {
  Shape shape;               // ONNX shape
  bool channels_last = false;  // rank >= 3: stored as [N, spatial..., C]
  int buffer = -1;           // index into Plan::buffers_
  size_t offset = 0;         // elements from the buffer start
  size_t stride = 0;         // elements between consecutive pixels (rows of the last dim)
  int producer = -1;         // step index; -1 for plan inputs and constants-free aliases
  bool is_input = false;
  const float* constant = nullptr;  // set for constants (physical layout), which have no buffer

  int64_t channels() const;  // the physically last dimension (1 for rank 0)
  int64_t pixels() const;    // numel / channels
  Shape PhysicalShape() const;
  bool dense() const { return stride == static_cast<size_t>(channels()); }
  // True when the physical memory order equals ONNX's (plain, or channels-last with C == 1 or
  // one pixel per image).
  bool LayoutTrivial() const;
};

class Plan;

// One operator. `create` runs in Finalize once strides are final; `setup` after buffers are placed.
struct Step {
  std::string what;          // for error messages: "node 'c1' (Conv, opset 13)"
  std::vector<int> inputs;   // value indices read
  std::vector<int> outputs;  // value indices written
  bool strided_output = false;  // the operator can write its output with a pixel stride
  bool clampable = false;       // output_min/output_max apply to the output
  float output_min = kNoMin;
  float output_max = kNoMax;
  std::function<Status(Plan&, Step&)> create;
  std::function<Status(Plan&, Step&)> setup;
  // Steps not run by one XNNPACK operator (oneDNN, Winograd and banded convolutions, layout
  // copies) run through this instead.
  std::function<Status()> run;
  bool openmp = false;  // its threads are oneDNN's OpenMP team, not the plan's pthreadpool
  double flops = 0;     // arithmetic per run where known (dense steps); else its output's size counts
  xnn_operator_t op = nullptr;
};

class OneDnnRuntime;

// What a convolution step fuses, shared by the Winograd, conv1d and conv2d step parameters.
struct FusedConvOperands {
  const float* weights = nullptr;  // ONNX O I kernel... layout, read when the plan is finalized
  const float* bias = nullptr;     // [m] or nullptr
  bool has_z = false;              // inputs[1] is added before the clamp
  float lo = kNoMin, hi = kNoMax;  // the activation's clamp
};

class Plan {
 public:
  Plan() = default;
  ~Plan();
  Plan(const Plan&) = delete;
  Plan& operator=(const Plan&) = delete;

  // Adds a value with its own (not yet placed) buffer, dense.
  int AddValue(const Shape& shape);
  // Adds a value sharing `source`'s storage (a reshape of a dense value; same element count).
  int AddAlias(int source, const Shape& shape);
  int AddStep(Step step);

  Value& value(int v) { return values_[static_cast<size_t>(v)]; }
  const Value& value(int v) const { return values_[static_cast<size_t>(v)]; }
  Step& step(int s) { return steps_[static_cast<size_t>(s)]; }
  size_t num_steps() const { return steps_.size(); }
  // Owns constant data (transposed weights, broadcast constants). Data that XNNPACK only reads
  // when an operator is created (weights it packs) is released once all operators exist.
  std::vector<float>& NewConstant(size_t n, bool read_at_run = true);
  // Address of a placed value (valid after buffers are placed).
  float* Data(int v);
  // Working memory shared by the steps (they run one at a time): a step's create asks for what
  // it needs; Scratch() is valid from setup on and holds the largest request.
  void NeedScratch(size_t bytes) { scratch_bytes_ = std::max(scratch_bytes_, bytes); }
  void* Scratch() { return scratch_.get(); }
  pthreadpool_t pool() const { return pool_; }
  // oneDNN engine/stream for convolutions (nullptr: every step runs on XNNPACK). Set before mapping.
  void SetOneDnn(std::shared_ptr<OneDnnRuntime> rt) { onednn_ = std::move(rt); }
  // Plain layout: values of every rank are stored in ONNX order (set before adding values; the
  // graph's choice, PlainLayoutGraph in xnnpack_mappers.h).
  void SetPlainLayout(bool plain) { plain_ = plain; }
  bool plain() const { return plain_; }
  // How this plan stores a value of `shape` (Value::channels_last).
  bool ChannelsLast(const Shape& shape) const { return !plain_ && shape.size() >= 3; }
  const std::shared_ptr<OneDnnRuntime>& onednn() const { return onednn_; }

  // Marks plan inputs/outputs, in partition order.
  void SetInputs(std::vector<int> v) { inputs_ = std::move(v); }
  void SetOutputs(std::vector<int> v) { outputs_ = std::move(v); }
  const std::vector<int>& inputs() const { return inputs_; }
  const std::vector<int>& outputs() const { return outputs_; }

  // Adds a constant value holding `physical` (already in the plan's layout for `shape`).
  int AddConstantValue(const Shape& shape, const std::vector<float>& physical);
  // Makes `v` a slice [offset, offset + C) of every pixel of `target` (same pixel count).
  void PlaceAsSlice(int v, int target, size_t channel_offset);

  // Creates operators, places buffers by liveness and sets operators up.
  Status Finalize(pthreadpool_t pool);
  // Runs the steps. Inputs must already be copied into Data(inputs()[i]).
  Status Run();

 private:
  std::vector<Value> values_;
  std::vector<Step> steps_;
  std::vector<size_t> buffer_size_;  // elements per logical buffer
  std::vector<int> buffer_block_;    // physical block per logical buffer
  std::vector<std::unique_ptr<float[]>> blocks_;
  std::vector<std::unique_ptr<std::vector<float>>> constants_;
  std::vector<bool> constant_read_at_run_;
  std::vector<int> inputs_;
  std::vector<int> outputs_;
  pthreadpool_t pool_ = nullptr;
  std::shared_ptr<OneDnnRuntime> onednn_;
  bool plain_ = false;
  size_t scratch_bytes_ = 0;
  std::unique_ptr<unsigned char[]> scratch_;
};

// Where a step that is not an XNNPACK operator reads and writes, bound in its setup: x =
// inputs[0], z = inputs[1] when present, y = outputs[0], with their pixel strides, and the step's
// clamp (final by then: a later Relu/Clip may have narrowed it).
struct StepBuffers {
  const float* x = nullptr;
  const float* z = nullptr;
  float* y = nullptr;
  size_t x_stride = 0, y_stride = 0, z_stride = 0;
  float lo = kNoMin, hi = kNoMax;
  void* scratch = nullptr;  // the plan's shared scratch

  void Bind(Plan& plan, const Step& step);
};

// Makes `s` a step computed by `state` itself rather than an XNNPACK operator: nothing to create,
// setup binds state->io (StepBuffers) and run calls state->Run() (direct pools, the one-row Gemm,
// per-channel op chains).
template <typename State>
void SetDirectRun(Step& s, const std::shared_ptr<State>& state) {
  s.create = [](Plan&, Step&) { return Status::Ok(); };
  s.setup = [state](Plan& p, Step& st) {
    state->io.Bind(p, st);
    return Status::Ok();
  };
  s.run = [state]() {
    state->Run();
    return Status::Ok();
  };
}

// A step reading x (and z when z >= 0) and writing y, which can write y with any pixel stride
// (concat slices in place) and applies its clamp [lo, hi] last, so that a later Relu/Clip folds
// into it: the convolution and pooling steps that are not one XNNPACK operator.
Step StridedClampStep(const std::string& what, int x, int z, int y, float lo = kNoMin, float hi = kNoMax);

// False when the environment variable `name` is "0": the A/B switches of the kernel paths
// (EDGERUN_WINOGRAD, EDGERUN_CONV1D, EDGERUN_CONV2D), read once by their callers.
bool SwitchOn(const char* name);

// "xnn_status_invalid_parameter" etc.
const char* XnnStatusName(xnn_status s);
Status XnnCheck(xnn_status s, const std::string& what, const char* call);

}  // namespace edgerun::xnn
