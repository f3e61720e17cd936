// Session: a loaded, compiled model ready to run.
//
//   edgerun::SessionOptions opts;
//   auto session = edgerun::Session::CreateFromFile("model.onnx", opts);
//   if (!session.ok()) { /* session.status().ToString() names what is wrong */ }
//   auto outputs = (*session)->Run({{"input", tensor}});
//
// Thread-safety: Run may be called concurrently from several threads on one Session.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "edgerun/status.h"
#include "edgerun/tensor.h"

namespace edgerun {

struct SessionOptions {
  // Intra-op threads (1 = run on the caller's thread).
  int threads = 1;
  // Intra-op workers spin while waiting for work instead of yielding (lower latency, burns a core).
  bool spin = false;
  // Ordered list of execution providers; nodes go to the first provider that claims them.
  // "xnnpack" (fast fp32 kernels, NHWC partitions) and "cpu" (the portable reference kernels,
  // which run everything not claimed before them).
  std::vector<std::string> providers = {"xnnpack", "cpu"};
  // Lets the xnnpack provider hand convolutions to oneDNN where it measured faster (1x1 layers and
  // stems with few input channels). oneDNN's execute call allocates on every convolution; false
  // keeps those on XNNPACK and the project's own kernels, so that a steady-state Run performs no
  // heap allocation at all, at a speed cost for CNNs (docs/performance.md).
  bool onednn = true;
  // Graph optimization level applied at session creation: "none", "basic" (constant folding,
  // dead nodes, redundant casts/reshapes, BatchNorm folding) or "all" (plus fusions).
  std::string graph_optimization = "all";
  // Largest single tensor the session may allocate, in bytes.
  uint64_t max_tensor_bytes = kDefaultMaxTensorBytes;
  // Loop iterations after which a run fails instead of hanging on a loop that never ends.
  int64_t max_loop_iterations = int64_t{1} << 24;
  // Optional profiling hook, called on the running thread after each node of the main graph
  // with its name, op type and steady-clock start/end in nanoseconds. Adds two clock reads per
  // node when set; nothing when empty.
  std::function<void(const std::string& node, const std::string& op_type, int64_t start_ns, int64_t end_ns)>
      node_observer;
};

// Declared input/output: dims are -1 where dynamic (dim_names then holds the symbol, if any).
struct TensorInfo {
  std::string name;
  DataType dtype = DataType::kUndefined;
  bool has_shape = false;
  std::vector<int64_t> dims;
  std::vector<std::string> dim_names;
  bool is_tensor = true;  // false for sequence/optional values
  std::string ToString() const;
};

class SessionImpl;

class Session {
 public:
  ~Session();
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  // Loads, validates and compiles a model. On failure the Status names the file, node or
  // tensor at fault; nothing is left allocated.
  static Result<std::unique_ptr<Session>> CreateFromFile(const std::string& path, const SessionOptions& options = {});
  // `base_dir` resolves external-data files.
  static Result<std::unique_ptr<Session>> CreateFromBytes(const std::string& bytes, const SessionOptions& options = {},
                                                          const std::string& base_dir = "");

  // Inputs the caller must feed (initializers listed as inputs are excluded) and outputs.
  const std::vector<TensorInfo>& inputs() const;
  const std::vector<TensorInfo>& outputs() const;

  // Validates inputs (names, dtypes, ranks, fixed dims) before running anything, then runs.
  // Returns the graph outputs in declaration order.
  Result<std::vector<NamedTensor>> Run(const std::vector<NamedTensor>& inputs) const;
  // The same, writing into `outputs` and reusing what it holds: when it already has the graph's
  // outputs with the right dtypes and shapes (e.g. from the previous call), their buffers receive
  // the results in place and a steady-state run performs no heap allocation (intermediate tensors
  // live in a planned arena; see docs/architecture.md). On failure `outputs` is unspecified.
  Status Run(const std::vector<NamedTensor>& inputs, std::vector<NamedTensor>* outputs) const;

  SessionImpl& impl() { return *impl_; }
  const SessionImpl& impl() const { return *impl_; }

 private:
  explicit Session(std::unique_ptr<SessionImpl> impl);
  std::unique_ptr<SessionImpl> impl_;
};

}  // namespace edgerun
