// Plan: value bookkeeping, buffer placement by liveness, operator creation/setup and runs.
#include "kernels/xnnpack/xnnpack_plan.h"

#include <algorithm>
#include <cstdlib>
#include <string>

namespace edgerun::xnn {

namespace {
// XNNPACK kernels may read up to XNN_EXTRA_BYTES past the end of an input; every block carries
// that much slack (and more, to keep blocks 64-byte aligned).
constexpr size_t kSlackFloats = 32;
constexpr size_t kAlignFloats = 16;
}  // namespace

int64_t Value::channels() const {
  if (shape.empty()) return 1;
  return channels_last ? shape[1] : shape.back();
}

int64_t Value::pixels() const {
  const int64_t c = channels();
  return c == 0 ? 0 : ShapeSize(shape) / c;
}

Shape Value::PhysicalShape() const {
  if (!channels_last) return shape;
  Shape p;
  p.push_back(shape[0]);
  for (size_t i = 2; i < shape.size(); ++i) p.push_back(shape[i]);
  p.push_back(shape[1]);
  return p;
}

bool Value::LayoutTrivial() const {
  if (!channels_last) return true;
  return shape[1] == 1 || pixels() == shape[0];
}

const char* XnnStatusName(xnn_status s) {
  switch (s) {
    case xnn_status_success: return "success";
    case xnn_status_uninitialized: return "uninitialized";
    case xnn_status_invalid_parameter: return "invalid parameter";
    case xnn_status_invalid_state: return "invalid state";
    case xnn_status_unsupported_parameter: return "unsupported parameter";
    case xnn_status_unsupported_hardware: return "unsupported hardware";
    case xnn_status_out_of_memory: return "out of memory";
  }
  return "unknown status";
}

Status XnnCheck(xnn_status s, const std::string& what, const char* call) {
  if (s == xnn_status_success) return Status::Ok();
  std::string m = what + ": XNNPACK " + call + " failed (" + XnnStatusName(s) + ")";
  if (s == xnn_status_out_of_memory) return OutOfMemory(m);
  return Unsupported(m);
}

Plan::~Plan() {
  for (Step& s : steps_) {
    if (s.op) xnn_delete_operator(s.op);
  }
}

int Plan::AddValue(const Shape& shape) {
  Value v;
  v.shape = shape;
  v.channels_last = ChannelsLast(shape);
  v.buffer = static_cast<int>(buffer_size_.size());
  buffer_size_.push_back(static_cast<size_t>(ShapeSize(shape)));
  v.stride = static_cast<size_t>(v.channels());
  values_.push_back(std::move(v));
  return static_cast<int>(values_.size()) - 1;
}

int Plan::AddAlias(int source, const Shape& shape) {
  Value v;
  v.shape = shape;
  v.channels_last = ChannelsLast(shape);
  v.buffer = value(source).buffer;
  v.offset = value(source).offset;
  v.stride = static_cast<size_t>(v.channels());
  values_.push_back(std::move(v));
  return static_cast<int>(values_.size()) - 1;
}

int Plan::AddStep(Step step) {
  steps_.push_back(std::move(step));
  const int s = static_cast<int>(steps_.size()) - 1;
  for (int o : steps_.back().outputs) {
    if (value(o).producer < 0) value(o).producer = s;
  }
  return s;
}

std::vector<float>& Plan::NewConstant(size_t n, bool read_at_run) {
  constant_read_at_run_.push_back(read_at_run);
  auto c = std::make_unique<std::vector<float>>();
  c->reserve(n + kSlackFloats);
  c->resize(n);
  constants_.push_back(std::move(c));
  return *constants_.back();
}

int Plan::AddConstantValue(const Shape& shape, const std::vector<float>& physical) {
  Value v;
  v.shape = shape;
  v.channels_last = ChannelsLast(shape);
  v.stride = static_cast<size_t>(v.channels());
  v.constant = physical.data();
  values_.push_back(std::move(v));
  return static_cast<int>(values_.size()) - 1;
}

void Plan::PlaceAsSlice(int v, int target, size_t channel_offset) {
  Value& val = value(v);
  const Value& t = value(target);
  val.buffer = t.buffer;
  val.offset = t.offset + channel_offset;
  val.stride = t.stride;
}

float* Plan::Data(int v) {
  const Value& val = value(v);
  if (val.constant) return const_cast<float*>(val.constant);
  const int block = buffer_block_[static_cast<size_t>(val.buffer)];
  float* base = blocks_[static_cast<size_t>(block)].get();
  auto addr = reinterpret_cast<uintptr_t>(base);
  const uintptr_t align = kAlignFloats * sizeof(float);
  addr = (addr + align - 1) / align * align;
  return reinterpret_cast<float*>(addr) + val.offset;
}

Status Plan::Finalize(pthreadpool_t pool) {
  pool_ = pool;
  for (Step& s : steps_) {
    if (s.create) EDGERUN_RETURN_IF_ERROR(s.create(*this, s));
  }
  for (size_t i = 0; i < constants_.size(); ++i) {
    if (!constant_read_at_run_[i]) std::vector<float>().swap(*constants_[i]);
  }
  if (scratch_bytes_ > 0) scratch_.reset(new unsigned char[scratch_bytes_]);
  // Liveness per logical buffer over step positions; plan inputs live from -1, outputs to the end.
  const int n_steps = static_cast<int>(steps_.size());
  const size_t n_buf = buffer_size_.size();
  std::vector<int> first(n_buf, n_steps + 1), last(n_buf, -2);
  auto touch = [&](int v, int pos) {
    if (value(v).buffer < 0) return;
    const size_t b = static_cast<size_t>(value(v).buffer);
    first[b] = std::min(first[b], pos);
    last[b] = std::max(last[b], pos);
  };
  for (int v : inputs_) touch(v, -1);
  for (int s = 0; s < n_steps; ++s) {
    for (int v : steps_[static_cast<size_t>(s)].inputs) touch(v, s);
    for (int v : steps_[static_cast<size_t>(s)].outputs) touch(v, s);
  }
  for (int v : outputs_) touch(v, n_steps);
  // Greedy placement: a block is free for a buffer whose first use comes after the block's last.
  std::vector<size_t> order;
  for (size_t b = 0; b < n_buf; ++b) {
    if (last[b] >= first[b]) order.push_back(b);
  }
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return first[a] < first[b]; });
  struct Block {
    size_t size = 0;
    int busy_until = -2;
  };
  std::vector<Block> blocks;
  buffer_block_.assign(n_buf, 0);
  for (size_t b : order) {
    int best = -1, largest = -1;
    for (size_t k = 0; k < blocks.size(); ++k) {
      if (blocks[k].busy_until >= first[b]) continue;
      if (blocks[k].size >= buffer_size_[b] &&
          (best < 0 || blocks[k].size < blocks[static_cast<size_t>(best)].size)) {
        best = static_cast<int>(k);
      }
      if (largest < 0 || blocks[k].size > blocks[static_cast<size_t>(largest)].size) largest = static_cast<int>(k);
    }
    int k = best >= 0 ? best : largest;
    if (k < 0) {
      blocks.push_back(Block{});
      k = static_cast<int>(blocks.size()) - 1;
    }
    Block& blk = blocks[static_cast<size_t>(k)];
    blk.size = std::max(blk.size, buffer_size_[b]);
    blk.busy_until = last[b];
    buffer_block_[b] = k;
  }
  blocks_.clear();
  for (const Block& blk : blocks) {
    blocks_.push_back(std::unique_ptr<float[]>(new float[blk.size + kSlackFloats + kAlignFloats]()));
  }
  if (blocks_.empty()) blocks_.push_back(std::unique_ptr<float[]>(new float[kSlackFloats + kAlignFloats]()));
  for (Step& s : steps_) {
    if (s.setup) EDGERUN_RETURN_IF_ERROR(s.setup(*this, s));
  }
  return Status::Ok();
}

bool SwitchOn(const char* name) {
  const char* env = std::getenv(name);
  return env == nullptr || std::string(env) != "0";
}

Step StridedClampStep(const std::string& what, int x, int z, int y, float lo, float hi) {
  Step s;
  s.what = what;
  s.inputs = z >= 0 ? std::vector<int>{x, z} : std::vector<int>{x};
  s.outputs = {y};
  s.strided_output = true;
  s.clampable = true;
  s.output_min = lo, s.output_max = hi;
  return s;
}

void StepBuffers::Bind(Plan& plan, const Step& step) {
  lo = step.output_min, hi = step.output_max;
  scratch = plan.Scratch();
  x = plan.Data(step.inputs[0]);
  x_stride = plan.value(step.inputs[0]).stride;
  y = plan.Data(step.outputs[0]);
  y_stride = plan.value(step.outputs[0]).stride;
  if (step.inputs.size() > 1) {
    z = plan.Data(step.inputs[1]);
    z_stride = plan.value(step.inputs[1]).stride;
  }
}

Status Plan::Run() {
  for (Step& s : steps_) {
    if (s.run) {
      EDGERUN_RETURN_IF_ERROR(s.run());
      continue;
    }
    if (!s.op) continue;
    xnn_status st = xnn_run_operator(s.op, pool_);
    if (st != xnn_status_success) return XnnCheck(st, s.what, "run");
  }
  return Status::Ok();
}

}  // namespace edgerun::xnn
