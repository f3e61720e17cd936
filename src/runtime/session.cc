// Session creation, input validation and runs.
#include <map>
#include <set>

#include "onnx/model_loader.h"
#include "passes/pipeline.h"
#include "runtime/session_impl.h"

namespace edgerun {

std::string TensorInfo::ToString() const {
  if (!is_tensor) return "non-tensor";
  std::string s = DataTypeName(dtype);
  if (!has_shape) return s + "[?]";
  s += "[";
  for (size_t i = 0; i < dims.size(); ++i) {
    if (i) s += ",";
    if (dims[i] >= 0) s += std::to_string(dims[i]);
    else s += dim_names[i].empty() ? "?" : dim_names[i];
  }
  return s + "]";
}

TensorInfo ToTensorInfo(const ir::ValueInfo& vi) {
  TensorInfo ti;
  ti.name = vi.name;
  ti.is_tensor = vi.type.kind == ir::TypeInfo::Kind::kTensor;
  ti.dtype = vi.type.dtype;
  ti.has_shape = vi.type.has_shape;
  for (const auto& d : vi.type.dims) {
    ti.dims.push_back(d.fixed() ? d.value : -1);
    ti.dim_names.push_back(d.symbol);
  }
  return ti;
}

Result<std::unique_ptr<SessionImpl>> SessionImpl::Create(onnxio::Model model, const SessionOptions& options) {
  if (options.threads < 1) return InvalidArgument("threads must be at least 1, got " + std::to_string(options.threads));
  if (options.providers.empty()) return InvalidArgument("the provider list is empty (use \"cpu\" for the reference kernels)");
  SetMaxTensorBytes(options.max_tensor_bytes);
  SetMaxLoopIterations(options.max_loop_iterations);
  auto impl = std::make_unique<SessionImpl>();
  impl->model_ = std::move(model);
  impl->options_ = options;
  passes::OptLevel level;
  EDGERUN_ASSIGN_OR_RETURN(level, passes::ParseOptLevel(options.graph_optimization));
  if (level != passes::OptLevel::kNone) {
    // The loaded graph may be shared with the caller's Model copy: optimize a private copy.
    auto optimized = std::make_shared<ir::Graph>(*impl->model_.graph);
    EDGERUN_RETURN_IF_ERROR(passes::OptimizeGraph(*optimized, level));
    impl->model_.graph = std::move(optimized);
  }
  impl->registry_ = std::make_unique<KernelRegistry>();
  RegisterReferenceKernels(*impl->registry_);
  impl->pool_ = std::make_unique<ThreadPool>(options.threads, options.spin);
  ProviderContext pctx{options.threads, impl->pool_->pool(), options.onednn};
  std::vector<const ExecutionProvider*> providers;
  for (const auto& name : options.providers) {
    std::unique_ptr<ExecutionProvider> p;
    EDGERUN_ASSIGN_OR_RETURN(p, CreateProvider(name, pctx));
    if (!p) break;  // "cpu": the reference kernels take everything after it
    providers.push_back(p.get());
    impl->providers_.push_back(std::move(p));
  }
  EDGERUN_ASSIGN_OR_RETURN(impl->executor_, GraphExecutor::Create(impl->model_.graph, *impl->registry_, {}, providers));
  if (options.node_observer) impl->executor_->set_node_observer(options.node_observer);
  impl->executor_->EnablePlannedMemory();
  for (size_t i = 0; i < impl->model_.graph->inputs.size(); ++i) impl->input_index_[impl->model_.graph->inputs[i].name] = i;
  for (const auto* vi : impl->model_.graph->RealInputs()) impl->inputs_.push_back(ToTensorInfo(*vi));
  for (const auto& vi : impl->model_.graph->outputs) impl->outputs_.push_back(ToTensorInfo(vi));
  return impl;
}

namespace {

Status ValidateTensorInput(const ir::ValueInfo& vi, const Tensor& t) {
  const bool optional = vi.type.kind == ir::TypeInfo::Kind::kOptional && vi.type.elem;
  const auto& type = optional ? *vi.type.elem : vi.type;
  if (type.kind != ir::TypeInfo::Kind::kTensor) {
    return InvalidArgument("input '" + vi.name + "' expects " + type.ToString() + ", got a tensor");
  }
  if (!t.defined()) return InvalidArgument("input '" + vi.name + "' is an undefined tensor");
  if (type.dtype != DataType::kUndefined && t.dtype() != type.dtype) {
    return InvalidArgument("input '" + vi.name + "' expects dtype " + DataTypeName(type.dtype) + ", got " +
                           DataTypeName(t.dtype()));
  }
  if (type.has_shape) {
    if (static_cast<size_t>(t.rank()) != type.dims.size()) {
      return InvalidArgument("input '" + vi.name + "' expects rank " + std::to_string(type.dims.size()) + " (" +
                             type.ToString() + "), got shape " + ShapeToString(t.shape()));
    }
    for (size_t i = 0; i < type.dims.size(); ++i) {
      if (type.dims[i].fixed() && type.dims[i].value != t.dim(static_cast<int64_t>(i))) {
        return InvalidArgument("input '" + vi.name + "' dimension " + std::to_string(i) + " must be " +
                               std::to_string(type.dims[i].value) + " (" + type.ToString() + "), got shape " +
                               ShapeToString(t.shape()));
      }
    }
  }
  return Status::Ok();
}

}  // namespace

Result<std::vector<RValue>> SessionImpl::RunValues(const std::vector<std::pair<std::string, RValue>>& inputs) const {
  const ir::Graph& g = *model_.graph;
  std::map<std::string, size_t> index;
  for (size_t i = 0; i < g.inputs.size(); ++i) index[g.inputs[i].name] = i;
  std::vector<RValue> bound(g.inputs.size());
  std::vector<bool> given(g.inputs.size(), false);
  for (const auto& [name, v] : inputs) {
    auto it = index.find(name);
    if (it == index.end()) {
      std::string names;
      for (const auto& ti : inputs_) names += (names.empty() ? "" : ", ") + ti.name;
      return InvalidArgument("unknown input '" + name + "'; the model's inputs are: " + names);
    }
    if (given[it->second]) return InvalidArgument("input '" + name + "' is given twice");
    given[it->second] = true;
    const ir::ValueInfo& vi = g.inputs[it->second];
    if (v.is_tensor()) {
      EDGERUN_RETURN_IF_ERROR(ValidateTensorInput(vi, v.tensor));
    } else if (v.is_sequence() && vi.type.kind == ir::TypeInfo::Kind::kTensor) {
      return InvalidArgument("input '" + name + "' expects a tensor, got a sequence");
    }
    bound[it->second] = v;
  }
  for (size_t i = 0; i < g.inputs.size(); ++i) {
    if (!given[i] && !g.IsInitializer(g.inputs[i].name) && g.inputs[i].type.kind != ir::TypeInfo::Kind::kOptional) {
      return InvalidArgument("missing input '" + g.inputs[i].name + "' (" + g.inputs[i].type.ToString() + ")");
    }
  }
  return executor_->RunWithLookup(bound, nullptr);
}

Result<std::vector<NamedTensor>> SessionImpl::Run(const std::vector<NamedTensor>& inputs) const {
  std::vector<NamedTensor> result;
  EDGERUN_RETURN_IF_ERROR(Run(inputs, &result));
  return result;
}

Status SessionImpl::Run(const std::vector<NamedTensor>& inputs, std::vector<NamedTensor>* outputs) const {
  // Scratch reused by this thread's runs so that steady-state runs allocate nothing here.
  thread_local std::vector<RValue> bound;
  thread_local std::vector<RValue> results;
  const ir::Graph& g = *model_.graph;
  bound.resize(g.inputs.size());
  for (RValue& v : bound) v.kind = RValue::Kind::kNone;
  auto release = [] {
    for (RValue& v : bound) {
      if (v.tensor.owns_storage()) v.tensor.Rebind(v.tensor.dtype(), v.tensor.shape(), nullptr);
      v.kind = RValue::Kind::kNone;
    }
    for (RValue& v : results) {
      if (v.is_sequence()) v = RValue();
      if (v.tensor.owns_storage()) v.tensor.Rebind(v.tensor.dtype(), v.tensor.shape(), nullptr);
      v.kind = RValue::Kind::kNone;
    }
  };
  for (const auto& nt : inputs) {
    auto it = input_index_.find(nt.name);
    if (it == input_index_.end()) {
      std::vector<std::pair<std::string, RValue>> vals;  // error path: let RunValues word it
      for (const auto& x : inputs) vals.push_back({x.name, RValue::FromTensor(x.tensor)});
      release();
      auto r = RunValues(vals);
      return r.ok() ? Internal("input '" + nt.name + "' was rejected inconsistently") : r.status();
    }
    RValue& slot = bound[it->second];
    if (slot.is_tensor()) {
      release();
      return InvalidArgument("input '" + nt.name + "' is given twice");
    }
    Status st = ValidateTensorInput(g.inputs[it->second], nt.tensor);
    if (!st.ok()) {
      release();
      return st;
    }
    slot.kind = RValue::Kind::kTensor;
    slot.tensor = nt.tensor;
  }
  for (size_t i = 0; i < g.inputs.size(); ++i) {
    if (!bound[i].is_tensor() && !g.IsInitializer(g.inputs[i].name) && g.inputs[i].type.kind != ir::TypeInfo::Kind::kOptional) {
      release();
      return InvalidArgument("missing input '" + g.inputs[i].name + "' (" + g.inputs[i].type.ToString() + ")");
    }
  }
  const size_t n_out = g.outputs.size();
  results.resize(n_out);
  const bool reuse = outputs->size() == n_out;
  for (size_t j = 0; j < n_out; ++j) {
    if (reuse && (*outputs)[j].tensor.defined()) {
      results[j].kind = RValue::Kind::kTensor;
      results[j].tensor = (*outputs)[j].tensor;
    }
  }
  static const KernelContext::OuterLookup kNoOuter;
  Status st = executor_->RunInto(bound, kNoOuter, &results);
  if (st.ok()) {
    outputs->resize(n_out);
    for (size_t j = 0; j < n_out; ++j) {
      const std::string& name = g.outputs[j].name;
      if (!results[j].is_tensor()) {
        st = Unsupported("output '" + name + "' is not a tensor (sequence/optional outputs need the value API)");
        break;
      }
      (*outputs)[j].name.assign(name);
      (*outputs)[j].tensor = results[j].tensor;
    }
  }
  release();
  return st;
}

Session::Session(std::unique_ptr<SessionImpl> impl) : impl_(std::move(impl)) {}
Session::~Session() = default;

Result<std::unique_ptr<Session>> Session::CreateFromFile(const std::string& path, const SessionOptions& options) {
  onnxio::Model model;
  EDGERUN_ASSIGN_OR_RETURN(model, onnxio::LoadModelFromFile(path));
  auto impl = SessionImpl::Create(std::move(model), options);
  if (!impl.ok()) return impl.status().WithContext("'" + path + "'");
  return std::unique_ptr<Session>(new Session(std::move(impl).value()));
}

Result<std::unique_ptr<Session>> Session::CreateFromBytes(const std::string& bytes, const SessionOptions& options,
                                                          const std::string& base_dir) {
  onnxio::Model model;
  EDGERUN_ASSIGN_OR_RETURN(model, onnxio::LoadModelFromBytes(bytes, base_dir));
  std::unique_ptr<SessionImpl> impl;
  EDGERUN_ASSIGN_OR_RETURN(impl, SessionImpl::Create(std::move(model), options));
  return std::unique_ptr<Session>(new Session(std::move(impl)));
}

const std::vector<TensorInfo>& Session::inputs() const { return impl_->inputs(); }
const std::vector<TensorInfo>& Session::outputs() const { return impl_->outputs(); }
Result<std::vector<NamedTensor>> Session::Run(const std::vector<NamedTensor>& inputs) const { return impl_->Run(inputs); }
Status Session::Run(const std::vector<NamedTensor>& inputs, std::vector<NamedTensor>* outputs) const {
  return impl_->Run(inputs, outputs);
}

}  // namespace edgerun
