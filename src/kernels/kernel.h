// Kernel interface shared by every provider.
//
// Two phases (XNNPACK create/run, ncnn create_pipeline): a KernelFactory runs once per node at
// session creation; it validates attributes, pre-computes and packs what it can, and returns a
// Kernel or an error naming the node. Kernel::Run is const and thread-safe; it reads inputs,
// derives output shapes from them and allocates outputs through the KernelContext (which later
// serves them from a planned arena).
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "edgerun/status.h"
#include "edgerun/tensor.h"
#include "ir/graph.h"

namespace edgerun {

// A runtime value: a tensor, a sequence of tensors, or an empty optional (kNone).
struct RValue {
  enum class Kind { kNone, kTensor, kSequence };
  Kind kind = Kind::kNone;
  Tensor tensor;
  std::vector<Tensor> sequence;
  DataType elem_type = DataType::kUndefined;  // element type of a (possibly empty) sequence

  static RValue FromTensor(Tensor t) {
    RValue v;
    v.kind = Kind::kTensor;
    v.tensor = std::move(t);
    return v;
  }
  static RValue FromSequence(std::vector<Tensor> s, DataType elem) {
    RValue v;
    v.kind = Kind::kSequence;
    v.sequence = std::move(s);
    v.elem_type = elem;
    return v;
  }
  bool is_tensor() const { return kind == Kind::kTensor; }
  bool is_sequence() const { return kind == Kind::kSequence; }
  bool is_none() const { return kind == Kind::kNone; }
};

class KernelContext;

// A compiled subgraph (If branch, Loop/Scan body) that control-flow kernels run.
class SubgraphRunner {
 public:
  virtual ~SubgraphRunner() = default;
  virtual const ir::Graph& graph() const = 0;
  // Runs the subgraph with its formal inputs bound positionally; names from enclosing scopes
  // are resolved through `outer`. Returns the graph outputs in order.
  virtual Result<std::vector<RValue>> Run(const std::vector<RValue>& inputs,
                                          const KernelContext& outer) const = 0;
};

// Where a step's output i lives when the executor has planned memory for it (an offset in the
// session arena). AllocateOutput serves the request from `data` when it fits in `capacity` and
// records the requested size either way, so the executor can re-plan when shapes change.
struct OutputPlan {
  void* data = nullptr;
  size_t capacity = 0;
  size_t requested = 0;
};

class KernelContext {
 public:
  using OuterLookup = std::function<const RValue*(const std::string&)>;

  KernelContext(const ir::Node& node, std::vector<const RValue*> inputs, std::vector<RValue>* outputs,
                OuterLookup outer)
      : node_(node), owned_inputs_(std::move(inputs)), outputs_(outputs), outer_(std::move(outer)) {
    inputs_ = owned_inputs_.data();
    n_inputs_ = owned_inputs_.size();
  }
  // Non-owning form used by the executor (no allocation per step). `plans` is null or holds one
  // OutputPlan per output.
  KernelContext(const ir::Node& node, const RValue* const* inputs, size_t n_inputs, std::vector<RValue>* outputs,
                const OuterLookup& outer, OutputPlan* plans)
      : node_(node), inputs_(inputs), n_inputs_(n_inputs), outputs_(outputs), outer_ref_(&outer), plans_(plans) {}

  const ir::Node& node() const { return node_; }
  size_t num_inputs() const { return n_inputs_; }
  // nullptr when the input is omitted (empty name or beyond the node's input list).
  const RValue* input_value(size_t i) const { return i < n_inputs_ ? inputs_[i] : nullptr; }
  bool has_input(size_t i) const {
    const RValue* v = input_value(i);
    return v != nullptr && !v->is_none();
  }
  // The tensor at input i. Precondition: has_input(i) and it is a tensor (the executor checks
  // the kind before Run; kernels that take sequences use input_value).
  const Tensor& input(size_t i) const { return inputs_[i]->tensor; }

  size_t num_outputs() const { return outputs_->size(); }
  bool output_wanted(size_t i) const { return i < node_.outputs.size() && !node_.outputs[i].empty(); }
  // Allocates output i (zero-filled) and returns it; fails on absurd sizes. Served from the
  // planned arena when the executor planned this output and the size fits.
  Result<Tensor*> AllocateOutput(size_t i, DataType dt, const Shape& shape);
  // Sets output i to an existing tensor (aliasing is allowed: Reshape, Identity...).
  void SetOutput(size_t i, Tensor t) { (*outputs_)[i] = RValue::FromTensor(std::move(t)); }
  void SetOutputValue(size_t i, RValue v) { (*outputs_)[i] = std::move(v); }
  // Output i as set so far (for kernels that finish another kernel's output in place).
  RValue& output_value(size_t i) { return (*outputs_)[i]; }
  // Sets output i to `src`'s storage viewed with `shape` (same element count), reusing the
  // output's shape buffer: no allocation in steady state (Reshape, Flatten...).
  void SetOutputView(size_t i, const Tensor& src, const Shape& shape) {
    RValue& out = (*outputs_)[i];
    out.kind = RValue::Kind::kTensor;
    out.tensor = src;
    out.tensor.SetShape(shape);
  }

  // Looks a name up in the scopes enclosing this node (for control-flow kernels).
  const RValue* LookupOuter(const std::string& name) const {
    const OuterLookup& f = outer_ref_ ? *outer_ref_ : outer_;
    return f ? f(name) : nullptr;
  }

 private:
  const ir::Node& node_;
  std::vector<const RValue*> owned_inputs_;
  const RValue* const* inputs_ = nullptr;
  size_t n_inputs_ = 0;
  std::vector<RValue>* outputs_;
  OuterLookup outer_;
  const OuterLookup* outer_ref_ = nullptr;
  OutputPlan* plans_ = nullptr;
};

class Kernel {
 public:
  virtual ~Kernel() = default;
  virtual Status Run(KernelContext& ctx) const = 0;
};

// A kernel defined by a function; handy for stateless ops.
class FnKernel final : public Kernel {
 public:
  using Fn = std::function<Status(KernelContext&)>;
  explicit FnKernel(Fn fn) : fn_(std::move(fn)) {}
  Status Run(KernelContext& ctx) const override { return fn_(ctx); }

 private:
  Fn fn_;
};

inline Result<std::unique_ptr<Kernel>> MakeFnKernel(FnKernel::Fn fn) {
  return std::unique_ptr<Kernel>(std::make_unique<FnKernel>(std::move(fn)));
}

struct KernelCreateContext {
  const ir::Node& node;
  int opset;  // version of the node's domain imported by the model
  // Compiles a subgraph attribute for control-flow kernels.
  std::function<Result<std::unique_ptr<SubgraphRunner>>(const ir::Graph&)> compile_subgraph;
};

using KernelFactory = std::function<Result<std::unique_ptr<Kernel>>(const KernelCreateContext&)>;

// Maps (domain, op_type, opset) to a factory. Registration is explicit (no static initializers).
class KernelRegistry {
 public:
  // Registers a factory for op versions >= since_version (until a later registration of the
  // same op takes over). The op must be in ops.def.
  void Register(const std::string& op_type, KernelFactory factory, int since_version = 1,
                const std::string& domain = "");
  const KernelFactory* Find(const std::string& domain, const std::string& op_type, int opset) const;
  std::vector<std::string> RegisteredOps() const;

 private:
  struct Entry {
    int since_version;
    KernelFactory factory;
  };
  std::map<std::pair<std::string, std::string>, std::vector<Entry>> entries_;
};

// Process-wide run limits, set from SessionOptions at session creation (the last session
// created wins; they only guard against runaway models).
void SetMaxLoopIterations(int64_t n);
int64_t MaxLoopIterations();

// Fills `registry` with every reference (portable C++) kernel.
void RegisterReferenceKernels(KernelRegistry& registry);

}  // namespace edgerun
