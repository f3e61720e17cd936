// Graph compilation (slots, topological order, kernels) and execution.
#include "runtime/graph_executor.h"

#include <algorithm>
#include <chrono>
#include <cstring>
#include <new>
#include <queue>

#include "ops/op_list.h"
#include "ops/op_schema.h"
#include "passes/pass_util.h"
#include "runtime/memory_planner.h"
#include "runtime/partitioner.h"

namespace edgerun {

namespace {

void CollectImplicitInputs(const ir::Node& node, std::vector<std::string>* out) {
  for (const auto& [n, a] : node.attributes) {
    if (a.g) {
      for (auto& s : a.g->OuterScopeNames()) out->push_back(s);
    }
    for (const auto& g : a.graphs) {
      for (auto& s : g->OuterScopeNames()) out->push_back(s);
    }
  }
}

}  // namespace

Result<std::unique_ptr<GraphExecutor>> GraphExecutor::Create(std::shared_ptr<const ir::Graph> graph,
                                                              const KernelRegistry& registry,
                                                              const std::set<std::string>& outer_names,
                                                              const std::vector<const ExecutionProvider*>& providers) {
  std::unique_ptr<GraphExecutor> ex(new GraphExecutor());
  ex->graph_ = graph;
  const ir::Graph& g = *graph;
  auto new_slot = [&](const std::string& name) {
    int s = static_cast<int>(ex->slot_names_.size());
    ex->slot_names_.push_back(name);
    ex->slot_of_[name] = s;
    return s;
  };
  std::map<std::string, int> outer_index;
  auto outer_ref = [&](const std::string& name) {
    auto it = outer_index.find(name);
    if (it != outer_index.end()) return -2 - it->second;
    int k = static_cast<int>(ex->outer_refs_.size());
    ex->outer_refs_.push_back(name);
    outer_index[name] = k;
    return -2 - k;
  };

  for (const auto& vi : g.inputs) {
    if (vi.name.empty()) return InvalidArgument("graph '" + g.name + "' has an input without a name");
    if (ex->slot_of_.count(vi.name)) return InvalidArgument("graph '" + g.name + "': input '" + vi.name + "' is declared twice");
    ex->input_slots_.push_back(new_slot(vi.name));
  }
  for (const auto& [name, t] : g.initializers) {
    int s = ex->slot_of_.count(name) ? ex->slot_of_[name] : new_slot(name);
    ex->initializer_slots_.push_back({s, t});
  }
  // Producer of each value.
  std::map<std::string, size_t> producer;
  for (size_t i = 0; i < g.nodes.size(); ++i) {
    for (const auto& o : g.nodes[i].outputs) {
      if (o.empty()) continue;
      if (ex->slot_of_.count(o) && !producer.count(o)) {
        return InvalidArgument(g.nodes[i].Describe() + ": output '" + o + "' redefines a graph input or initializer");
      }
      if (producer.count(o)) {
        return InvalidArgument(g.nodes[i].Describe() + ": output '" + o + "' is also produced by " +
                               g.nodes[producer[o]].Describe());
      }
      producer[o] = i;
      new_slot(o);
    }
  }
  // Unsupported operators, all at once.
  std::string unsupported;
  int n_unsupported = 0;
  for (const auto& node : g.nodes) {
    std::string why;
    if (!IsKnownDomain(node.domain)) {
      why = "unknown domain '" + node.domain + "'";
    } else if (!IsKnownOp(node.domain, node.op_type)) {
      why = "unknown operator";
    } else if (node.domain.empty() && node.opset > kMaxDefaultOpset) {
      why = "opset newer than supported";
    } else if (!registry.Find(node.domain, node.op_type, node.opset)) {
      why = "no kernel for this operator";
    }
    if (!why.empty()) {
      if (n_unsupported < 50) unsupported += (n_unsupported ? "; " : "") + node.Describe() + ": " + why;
      ++n_unsupported;
    }
  }
  if (n_unsupported) {
    return Unsupported(std::to_string(n_unsupported) + " unsupported node(s): " + unsupported);
  }
  // Required inputs must be named (an omitted required input would reach a kernel as nothing).
  std::vector<OpInputRequirements> requirements;
  requirements.reserve(g.nodes.size());
  for (const auto& node : g.nodes) {
    requirements.push_back(GetInputRequirements(node.domain, node.op_type, node.opset));
    const OpInputRequirements& req = requirements.back();
    if (!req.known) continue;
    const int n_in = static_cast<int>(node.inputs.size());
    if (n_in < req.min_inputs || n_in > req.max_inputs) {
      return InvalidArgument(node.Describe() + ": has " + std::to_string(n_in) + " inputs, the operator takes " +
                             (req.min_inputs == req.max_inputs ? std::to_string(req.min_inputs)
                                                               : std::to_string(req.min_inputs) + " to " +
                                                                     (req.max_inputs > 1000 ? std::string("any number")
                                                                                            : std::to_string(req.max_inputs))));
    }
    for (size_t i = 0; i < node.inputs.size(); ++i) {
      const InputRequirement* ri = req.ForIndex(i);
      if (ri && ri->required && node.inputs[i].empty()) {
        return InvalidArgument(node.Describe() + ": required input " + std::to_string(i) + " is omitted");
      }
    }
  }
  // Dependencies and topological order (Kahn, stable by model order, provider runs kept together).
  const size_t n = g.nodes.size();
  std::vector<std::vector<size_t>> users(n);
  std::vector<std::vector<std::string>> implicit(n);
  for (size_t i = 0; i < n; ++i) {
    const auto& node = g.nodes[i];
    CollectImplicitInputs(node, &implicit[i]);
    std::vector<std::string> deps = node.inputs;
    deps.insert(deps.end(), implicit[i].begin(), implicit[i].end());
    std::set<size_t> preds;
    for (const auto& in : deps) {
      if (in.empty()) continue;
      auto p = producer.find(in);
      if (p != producer.end()) {
        preds.insert(p->second);
      } else if (!ex->slot_of_.count(in) && !outer_names.count(in)) {
        // Implicit names are checked when the subgraph compiles; report direct inputs here.
        if (std::find(node.inputs.begin(), node.inputs.end(), in) != node.inputs.end()) {
          return InvalidArgument(node.Describe() + ": input '" + in +
                                 "' is not produced by any node and is not an initializer or graph input (missing initializer?)");
        }
      }
    }
    for (size_t p : preds) {
      users[p].push_back(i);
    }
  }
  // Provider claims: the first provider in the list that claims a node runs it.
  std::vector<int> groups(n, -1);
  for (size_t i = 0; i < n && !providers.empty(); ++i) {
    if (!implicit[i].empty() || passes::HasSubgraph(g.nodes[i])) continue;
    for (size_t p = 0; p < providers.size(); ++p) {
      if (providers[p]->Claims(g, g.nodes[i])) {
        groups[i] = static_cast<int>(p);
        break;
      }
    }
  }
  std::vector<size_t> order = GroupedTopologicalOrder(users, groups);
  if (order.size() != n) {
    std::vector<bool> scheduled(n, false);
    for (size_t i : order) scheduled[i] = true;
    std::string cyc;
    int k = 0;
    for (size_t i = 0; i < n && k < 8; ++i) {
      if (!scheduled[i]) {
        cyc += (k++ ? ", " : "") + g.nodes[i].Describe();
      }
    }
    return InvalidArgument("graph '" + g.name + "' has a cycle involving " + cyc);
  }
  // Names visible to subgraphs of this graph.
  std::set<std::string> visible = outer_names;
  for (const auto& [name, s] : ex->slot_of_) visible.insert(name);

  // Execution units: single reference nodes and compiled partitions.
  std::vector<Segment> segments = ProviderSegments(order, groups);
  std::vector<const ir::Node*> unit_nodes;      // node each step runs as
  std::vector<int> unit_source;                 // original node index, or -1 for a partition
  std::vector<std::unique_ptr<Kernel>> unit_kernels;
  {
    // Names consumed by each position (direct and implicit inputs), and graph outputs.
    std::set<std::string> graph_outputs;
    for (const auto& vi : g.outputs) graph_outputs.insert(vi.name);
    size_t seg = 0;
    for (size_t p = 0; p < order.size();) {
      if (seg < segments.size() && segments[seg].begin == p) {
        const Segment& sg = segments[seg++];
        Partition part;
        std::set<std::string> produced_inside;
        for (size_t q = sg.begin; q < sg.end; ++q) {
          const ir::Node& nd = g.nodes[order[q]];
          part.nodes.push_back(&nd);
          for (const auto& in : nd.inputs) {
            if (in.empty() || produced_inside.count(in) || g.IsInitializer(in)) continue;
            if (std::find(part.inputs.begin(), part.inputs.end(), in) == part.inputs.end()) part.inputs.push_back(in);
          }
          for (const auto& o : nd.outputs) {
            if (!o.empty()) produced_inside.insert(o);
          }
        }
        // Outputs: produced inside, used after the segment or by the graph.
        std::set<std::string> used_outside;
        for (size_t q = 0; q < order.size(); ++q) {
          if (q >= sg.begin && q < sg.end) continue;
          for (const auto& in : g.nodes[order[q]].inputs) used_outside.insert(in);
          for (const auto& in : implicit[order[q]]) used_outside.insert(in);
        }
        for (size_t q = sg.begin; q < sg.end; ++q) {
          for (const auto& o : g.nodes[order[q]].outputs) {
            if (!o.empty() && (used_outside.count(o) || graph_outputs.count(o))) part.outputs.push_back(o);
          }
        }
        const ExecutionProvider* prov = providers[static_cast<size_t>(sg.group)];
        auto node = std::make_unique<ir::Node>();
        node->name = std::string(prov->name()) + "_partition_" + std::to_string(ex->partition_nodes_.size()) + " (" +
                     std::to_string(part.nodes.size()) + " nodes from '" + part.nodes.front()->name + "')";
        node->op_type = std::string(prov->name()) + "Partition";
        node->domain = "com.edgerun.provider";
        node->inputs = part.inputs;
        node->outputs = part.outputs;
        auto kernel = prov->Compile(g, part);
        if (!kernel.ok()) return kernel.status().WithContext(std::string(prov->name()) + " provider");
        unit_nodes.push_back(node.get());
        unit_source.push_back(-1);
        unit_kernels.push_back(std::move(kernel).value());
        ex->partition_nodes_.push_back(std::move(node));
        p = sg.end;
      } else {
        unit_nodes.push_back(&g.nodes[order[p]]);
        unit_source.push_back(static_cast<int>(order[p]));
        unit_kernels.push_back(nullptr);
        ++p;
      }
    }
  }

  std::map<int, size_t> last_use;
  for (size_t pos = 0; pos < unit_nodes.size(); ++pos) {
    const ir::Node& node = *unit_nodes[pos];
    const int src = unit_source[pos];
    Step step;
    step.node = &node;
    if (src >= 0) {
      const OpInputRequirements& req = requirements[static_cast<size_t>(src)];
      for (size_t i = 0; i < node.inputs.size(); ++i) {
        const InputRequirement* ri = req.known ? req.ForIndex(i) : nullptr;
        step.required.push_back(ri && ri->required && !ri->accepts_none);
        step.tensor_only.push_back(ri && ri->tensor_only);
      }
    } else {
      step.required.assign(node.inputs.size(), true);
      step.tensor_only.assign(node.inputs.size(), true);
    }
    for (const auto& in : node.inputs) {
      if (in.empty()) {
        step.inputs.push_back(-1);
      } else if (ex->slot_of_.count(in)) {
        int s = ex->slot_of_[in];
        step.inputs.push_back(s);
        last_use[s] = pos;
      } else {
        step.inputs.push_back(outer_ref(in));
      }
    }
    if (src >= 0) for (const auto& name : implicit[static_cast<size_t>(src)]) {
      auto it = ex->slot_of_.find(name);
      if (it != ex->slot_of_.end()) last_use[it->second] = pos;
    }
    for (const auto& o : node.outputs) step.outputs.push_back(o.empty() ? -1 : ex->slot_of_[o]);
    if (src < 0) {
      step.kernel = std::move(unit_kernels[pos]);
      ex->steps_.push_back(std::move(step));
      ex->order_.push_back(&node);
      continue;
    }
    const KernelFactory* factory = registry.Find(node.domain, node.op_type, node.opset);
    KernelCreateContext kcc{node, node.opset,
                            [&registry, &visible, graph](const ir::Graph& sub) -> Result<std::unique_ptr<SubgraphRunner>> {
                              // Subgraphs are owned by the node's attribute, which `graph` keeps alive.
                              std::shared_ptr<const ir::Graph> alias(graph, &sub);
                              auto r = GraphExecutor::Create(alias, registry, visible);
                              if (!r.ok()) return r.status();
                              return std::unique_ptr<SubgraphRunner>(std::move(r).value());
                            }};
    auto kernel = (*factory)(kcc);
    if (!kernel.ok()) {
      const std::string& m = kernel.status().message();
      if (m.find(node.Describe()) != std::string::npos) return kernel.status();
      return kernel.status().WithContext(node.Describe());
    }
    step.kernel = std::move(kernel).value();
    ex->steps_.push_back(std::move(step));
    ex->order_.push_back(&node);
  }
  for (const auto& vi : g.outputs) {
    auto it = ex->slot_of_.find(vi.name);
    if (it != ex->slot_of_.end()) {
      ex->output_slots_.push_back(it->second);
      last_use[it->second] = unit_nodes.size();  // never freed
    } else if (outer_names.count(vi.name)) {
      ex->output_slots_.push_back(outer_ref(vi.name));
    } else {
      return InvalidArgument("graph '" + g.name + "': output '" + vi.name + "' is not produced by any node, input or initializer");
    }
  }
  const size_t n_slots = ex->slot_names_.size();
  ex->external_slot_.assign(n_slots, false);
  ex->graph_output_slot_.assign(n_slots, false);
  ex->producer_step_.assign(n_slots, -1);
  ex->last_use_step_.assign(n_slots, ex->steps_.size());
  for (int s : ex->input_slots_) ex->external_slot_[static_cast<size_t>(s)] = true;
  for (const auto& [s, t] : ex->initializer_slots_) ex->external_slot_[static_cast<size_t>(s)] = true;
  for (int s : ex->output_slots_) {
    if (s >= 0) ex->graph_output_slot_[static_cast<size_t>(s)] = true;
  }
  for (size_t k = 0; k < ex->steps_.size(); ++k) {
    for (int s : ex->steps_[k].outputs) {
      if (s >= 0) {
        ex->producer_step_[static_cast<size_t>(s)] = static_cast<int>(k);
        ex->last_use_step_[static_cast<size_t>(s)] = k;  // produced, maybe never read
      }
    }
  }
  for (const auto& [s, pos] : last_use) {
    if (pos < ex->steps_.size()) ex->steps_[pos].free_after.push_back(s);
    ex->last_use_step_[static_cast<size_t>(s)] = pos;
  }
  return ex;
}

// Per-run state, reused across runs so that steady-state runs allocate nothing: slot values,
// per-step input pointers and output values (whose shape buffers are reused), output plans and
// the arena. One state serves one run at a time; concurrent runs take different states.
struct GraphExecutor::RunState {
  std::vector<RValue> slots;
  std::vector<std::vector<const RValue*>> ins;
  std::vector<std::vector<RValue>> outs;
  std::vector<std::vector<OutputPlan>> plans;
  std::vector<const RValue*> outer_vals;
  struct ArenaDeleter {
    void operator()(uint8_t* p) const { ::operator delete[](p, std::align_val_t(64)); }
  };
  std::unique_ptr<uint8_t[], ArenaDeleter> arena;
  size_t arena_bytes = 0;
  bool InArena(const void* p) const {
    const uint8_t* b = static_cast<const uint8_t*>(p);
    return arena && b >= arena.get() && b < arena.get() + arena_bytes;
  }
  std::vector<Shape> planned_shapes;  // input shapes the plan was made for
  bool planned = false;
  bool recording = false;
  const KernelContext::OuterLookup* outer = nullptr;
  KernelContext::OuterLookup lookup;  // this graph's slots, then `outer`
  // Recording-run alias tracking: memory ranges of live candidate buffers and their root slot.
  struct Range {
    const uint8_t* begin;
    const uint8_t* end;
    int slot;
    int root;
  };
  std::vector<Range> live;
  std::vector<int> alias_root;       // per slot: root slot whose memory it views, or -1
  std::vector<bool> unplannable;     // per root slot
  std::vector<size_t> root_last_use; // per root slot
  std::vector<size_t> output_bytes;  // per graph output, bytes on the recording run
};

GraphExecutor::GraphExecutor() = default;
GraphExecutor::~GraphExecutor() = default;

bool GraphExecutor::EnablePlannedMemory() {
  for (const Step& step : steps_) {
    if (step.node->domain != "com.edgerun.provider" && passes::HasSubgraph(*step.node)) return false;
    const std::string& op = step.node->op_type;
    if (op.rfind("Sequence", 0) == 0 || op == "SplitToSequence" || op == "ConcatFromSequence" || op == "Optional" ||
        op == "OptionalGetElement" || op == "OptionalHasElement") {
      return false;
    }
  }
  plan_memory_ = true;
  return true;
}

size_t GraphExecutor::planned_arena_bytes() const {
  std::lock_guard<std::mutex> lock(states_mu_);
  return last_arena_bytes_;
}

std::unique_ptr<GraphExecutor::RunState> GraphExecutor::AcquireState() const {
  {
    std::lock_guard<std::mutex> lock(states_mu_);
    if (!free_states_.empty()) {
      auto st = std::move(free_states_.back());
      free_states_.pop_back();
      return st;
    }
  }
  auto st = std::make_unique<RunState>();
  st->slots.resize(slot_names_.size());
  for (const auto& [s, t] : initializer_slots_) st->slots[static_cast<size_t>(s)] = RValue::FromTensor(t);
  st->ins.resize(steps_.size());
  st->outs.resize(steps_.size());
  st->plans.resize(steps_.size());
  for (size_t k = 0; k < steps_.size(); ++k) {
    st->ins[k].resize(steps_[k].inputs.size(), nullptr);
    st->outs[k].resize(steps_[k].outputs.size());
    st->plans[k].resize(steps_[k].outputs.size());
  }
  st->outer_vals.resize(outer_refs_.size(), nullptr);
  RunState* raw = st.get();
  st->lookup = [this, raw](const std::string& name) -> const RValue* {
    auto it = slot_of_.find(name);
    if (it != slot_of_.end()) return &raw->slots[static_cast<size_t>(it->second)];
    return raw->outer && *raw->outer ? (*raw->outer)(name) : nullptr;
  };
  return st;
}

void GraphExecutor::ReleaseState(std::unique_ptr<RunState> st) const {
  std::lock_guard<std::mutex> lock(states_mu_);
  free_states_.push_back(std::move(st));
}

namespace {

// Drops a value, releasing heap storage but keeping the tensor's shape buffer for reuse.
void ClearValue(RValue& v) {
  if (v.is_sequence()) {
    v = RValue();
    return;
  }
  if (v.tensor.owns_storage()) v.tensor.Rebind(v.tensor.dtype(), v.tensor.shape(), nullptr);
  v.kind = RValue::Kind::kNone;
}

void AssignTensor(RValue& dst, const Tensor& t) {
  dst.kind = RValue::Kind::kTensor;
  dst.tensor = t;
}

bool SameShape(const Shape& a, const Shape& b) { return a == b; }

}  // namespace

Status GraphExecutor::RunSteps(RunState& st, const std::vector<RValue>& inputs,
                               const KernelContext::OuterLookup& outer, const std::vector<RValue>* results) const {
  if (inputs.size() > input_slots_.size()) {
    return InvalidArgument("graph '" + graph_->name + "' takes " + std::to_string(input_slots_.size()) + " inputs, got " +
                           std::to_string(inputs.size()));
  }
  st.outer = &outer;
  for (size_t i = 0; i < input_slots_.size(); ++i) {
    RValue& slot = st.slots[static_cast<size_t>(input_slots_[i])];
    const std::string& name = graph_->inputs[i].name;
    const bool given = i < inputs.size() && !inputs[i].is_none();
    if (given && inputs[i].is_tensor()) {
      AssignTensor(slot, inputs[i].tensor);
    } else if (given) {
      slot = inputs[i];
    } else if (graph_->IsInitializer(name)) {
      AssignTensor(slot, graph_->initializers.at(name));
    } else {
      ClearValue(slot);
    }
  }
  for (size_t k = 0; k < outer_refs_.size(); ++k) st.outer_vals[k] = outer ? outer(outer_refs_[k]) : nullptr;

  // Planned memory: use the plan when the input shapes match the ones it was made for.
  bool use_plan = false;
  st.recording = false;
  if (plan_memory_) {
    use_plan = st.planned && st.planned_shapes.size() == inputs.size();
    for (size_t i = 0; use_plan && i < inputs.size(); ++i) {
      use_plan = inputs[i].is_tensor() && SameShape(inputs[i].tensor.shape(), st.planned_shapes[i]);
    }
    if (!use_plan) {
      st.recording = true;
      for (auto& ps : st.plans) {
        for (auto& p : ps) p = OutputPlan();
      }
      st.live.clear();
      st.alias_root.assign(slot_names_.size(), -1);
      st.unplannable.assign(slot_names_.size(), false);
      st.root_last_use = last_use_step_;
    } else if (results != nullptr && results->size() == output_slots_.size()) {
      // Graph outputs the kernels allocate go straight into the caller's tensors when those
      // have the size recorded for them.
      for (size_t j = 0; j < output_slots_.size(); ++j) {
        const int s = output_slots_[j];
        if (s < 0 || producer_step_[static_cast<size_t>(s)] < 0) continue;
        const RValue& dst = (*results)[j];
        const size_t k = static_cast<size_t>(producer_step_[static_cast<size_t>(s)]);
        for (size_t i = 0; i < steps_[k].outputs.size(); ++i) {
          if (steps_[k].outputs[i] != s) continue;
          OutputPlan& p = st.plans[k][i];
          p = OutputPlan();
          if (dst.is_tensor() && dst.tensor.owns_storage() && dst.tensor.nbytes() == st.output_bytes[j] &&
              dst.tensor.dtype() != DataType::kString) {
            p.data = const_cast<void*>(dst.tensor.raw());
            p.capacity = dst.tensor.nbytes();
          }
        }
      }
    }
  }

  for (size_t k = 0; k < steps_.size(); ++k) {
    const Step& step = steps_[k];
    std::vector<const RValue*>& ins = st.ins[k];
    for (size_t i = 0; i < step.inputs.size(); ++i) {
      int s = step.inputs[i];
      ins[i] = nullptr;
      if (s == -1) continue;
      const RValue* v = s >= 0 ? &st.slots[static_cast<size_t>(s)] : st.outer_vals[static_cast<size_t>(-2 - s)];
      if (v == nullptr) {
        return Internal(step.node->Describe() + ": input '" + step.node->inputs[i] + "' is not available from any enclosing scope");
      }
      if (step.required[i] && v->is_none()) {
        return InvalidArgument(step.node->Describe() + ": required input " + std::to_string(i) + " ('" +
                               step.node->inputs[i] + "') has no value");
      }
      if (step.tensor_only[i] && v->is_sequence()) {
        return InvalidArgument(step.node->Describe() + ": input " + std::to_string(i) + " ('" + step.node->inputs[i] +
                               "') must be a tensor, got a sequence");
      }
      ins[i] = v;
    }
    std::vector<RValue>& outs = st.outs[k];
    for (RValue& o : outs) ClearValue(o);
    OutputPlan* plans = plan_memory_ ? st.plans[k].data() : nullptr;
    KernelContext ctx(*step.node, ins.data(), ins.size(), &outs, st.lookup, plans);
    int64_t t0 = 0;
    if (observer_) t0 = std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch()).count();
    Status status = step.kernel->Run(ctx);
    if (observer_) {
      int64_t t1 = std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch()).count();
      observer_(step.node->name, step.node->op_type, t0, t1);
    }
    if (!status.ok()) {
      if (status.message().find(step.node->Describe()) != std::string::npos) return status;
      return status.WithContext(step.node->Describe());
    }
    if (st.recording) {
      // Outputs that view memory of a live candidate buffer are aliases: the root must live as
      // long as they do. Fresh allocations become candidates.
      for (size_t i = 0; i < step.outputs.size(); ++i) {
        const int s = step.outputs[i];
        if (s < 0) continue;
        const RValue& v = outs[i];
        auto find_root = [&](const void* p) -> int {
          const uint8_t* b = static_cast<const uint8_t*>(p);
          for (const auto& r : st.live) {
            if (b >= r.begin && b < r.end) return r.root;
          }
          return -1;
        };
        if (v.is_sequence()) {
          for (const Tensor& t : v.sequence) {
            int root = find_root(t.raw());
            if (root >= 0) st.unplannable[static_cast<size_t>(root)] = true;
          }
          continue;
        }
        if (!v.is_tensor() || v.tensor.raw() == nullptr || v.tensor.nbytes() == 0) continue;
        const uint8_t* b = static_cast<const uint8_t*>(v.tensor.raw());
        int root = find_root(b);
        if (root >= 0) {
          st.alias_root[static_cast<size_t>(s)] = root;
          st.live.push_back({b, b + v.tensor.nbytes(), s, root});
        } else if (st.plans[k][i].requested == v.tensor.nbytes() && v.tensor.owns_storage()) {
          st.live.push_back({b, b + v.tensor.nbytes(), s, s});
        }
      }
    }
    for (size_t i = 0; i < step.outputs.size(); ++i) {
      if (step.outputs[i] >= 0) std::swap(st.slots[static_cast<size_t>(step.outputs[i])], outs[i]);
    }
    for (int s : step.free_after) {
      if (external_slot_[static_cast<size_t>(s)]) continue;
      if (st.recording) {
        for (size_t r = 0; r < st.live.size(); ++r) {
          if (st.live[r].slot == s) {
            st.live.erase(st.live.begin() + static_cast<std::ptrdiff_t>(r));
            break;
          }
        }
      }
      ClearValue(st.slots[static_cast<size_t>(s)]);
    }
  }
  if (st.recording) {
    st.output_bytes.assign(output_slots_.size(), 0);
    for (size_t j = 0; j < output_slots_.size(); ++j) {
      const int s = output_slots_[j];
      if (s >= 0 && st.slots[static_cast<size_t>(s)].is_tensor()) st.output_bytes[j] = st.slots[static_cast<size_t>(s)].tensor.nbytes();
    }
    Plan(st, inputs);
  }
  if (use_plan) {
    for (const auto& ps : st.plans) {
      for (const auto& p : ps) {
        if (p.requested > p.capacity && p.data != nullptr) st.planned = false;  // sizes moved: re-plan next run
      }
    }
  }
  return Status::Ok();
}

void GraphExecutor::Plan(RunState& st, const std::vector<RValue>& inputs) const {
  // Roots: slots produced by a step through AllocateOutput (requested > 0). Aliases extend their
  // root's lifetime. A root viewed by a graph output (Flatten or Reshape at the end of a model) is
  // planned too: RunInto copies such outputs out of the arena before the state is reused.
  const size_t n = slot_names_.size();
  for (size_t s = 0; s < n; ++s) {
    const int root = st.alias_root[s];
    if (root < 0) continue;
    size_t& last = st.root_last_use[static_cast<size_t>(root)];
    last = std::max(last, last_use_step_[s]);
  }
  std::vector<BufferRequest> reqs;
  std::vector<std::pair<size_t, size_t>> where;  // (step, output index) per request
  for (size_t k = 0; k < steps_.size(); ++k) {
    for (size_t i = 0; i < steps_[k].outputs.size(); ++i) {
      const int s = steps_[k].outputs[i];
      if (s < 0 || graph_output_slot_[static_cast<size_t>(s)] || st.unplannable[static_cast<size_t>(s)]) continue;
      if (st.alias_root[static_cast<size_t>(s)] >= 0) continue;
      const size_t bytes = st.plans[k][i].requested;
      if (bytes == 0) continue;
      reqs.push_back({bytes, k, std::min(st.root_last_use[static_cast<size_t>(s)], steps_.size())});
      where.push_back({k, i});
    }
  }
  MemoryPlan plan = PlanMemory(reqs);
  if (plan.arena_bytes > st.arena_bytes) {
    st.arena.reset(static_cast<uint8_t*>(::operator new[](plan.arena_bytes, std::align_val_t(64))));
    st.arena_bytes = plan.arena_bytes;
  }
  for (auto& ps : st.plans) {
    for (auto& p : ps) p = OutputPlan();
  }
  for (size_t r = 0; r < reqs.size(); ++r) {
    OutputPlan& p = st.plans[where[r].first][where[r].second];
    p.data = st.arena.get() + plan.offsets[r];
    p.capacity = reqs[r].bytes;
  }
  st.planned_shapes.resize(inputs.size());
  for (size_t i = 0; i < inputs.size(); ++i) {
    if (inputs[i].is_tensor()) st.planned_shapes[i] = inputs[i].tensor.shape();
  }
  st.planned = true;
  st.live.clear();
  std::lock_guard<std::mutex> lock(states_mu_);
  last_arena_bytes_ = plan.arena_bytes;
}

Result<std::vector<RValue>> GraphExecutor::Run(const std::vector<RValue>& inputs, const KernelContext& outer) const {
  return RunWithLookup(inputs, [&outer](const std::string& name) { return outer.LookupOuter(name); });
}

Result<std::vector<RValue>> GraphExecutor::RunWithLookup(const std::vector<RValue>& inputs,
                                                         const KernelContext::OuterLookup& outer) const {
  std::vector<RValue> result;
  EDGERUN_RETURN_IF_ERROR(RunInto(inputs, outer, &result));
  return result;
}

Status GraphExecutor::RunInto(const std::vector<RValue>& inputs, const KernelContext::OuterLookup& outer,
                              std::vector<RValue>* results) const {
  std::unique_ptr<RunState> st = AcquireState();
  Status status = RunSteps(*st, inputs, outer, results);
  if (status.ok()) {
    static const RValue kNoneValue;
    results->resize(output_slots_.size());
    for (size_t j = 0; j < output_slots_.size(); ++j) {
      const int s = output_slots_[j];
      const RValue& v = s >= 0 ? st->slots[static_cast<size_t>(s)]
                               : (st->outer_vals[static_cast<size_t>(-2 - s)] ? *st->outer_vals[static_cast<size_t>(-2 - s)] : kNoneValue);
      RValue& dst = (*results)[j];
      const bool same_layout = v.is_tensor() && dst.is_tensor() && dst.tensor.dtype() == v.tensor.dtype() &&
                               dst.tensor.shape() == v.tensor.shape() && v.tensor.dtype() != DataType::kString;
      if (same_layout && dst.tensor.owns_storage()) {
        if (dst.tensor.raw() != v.tensor.raw()) std::memcpy(dst.tensor.raw(), v.tensor.raw(), v.tensor.nbytes());
      } else if (v.is_tensor() && dst.is_tensor() && v.tensor.raw() == dst.tensor.raw() && v.tensor.raw() != nullptr) {
        dst.tensor = v.tensor.Clone();  // the kernel wrote a different layout into the caller's buffer
      } else if (v.is_tensor() && st->InArena(v.tensor.raw())) {
        dst = RValue::FromTensor(v.tensor.Clone());  // a view of the arena, which the next run reuses
      } else {
        dst = v;
      }
    }
  }
  // Graph outputs and everything else that owns heap memory is released before the state goes
  // back to the pool, so the pool holds arenas but no stale results.
  for (size_t s = 0; s < st->slots.size(); ++s) {
    if (!external_slot_[s]) ClearValue(st->slots[s]);
  }
  for (size_t i = 0; i < input_slots_.size(); ++i) ClearValue(st->slots[static_cast<size_t>(input_slots_[i])]);
  ReleaseState(std::move(st));
  return status;
}

}  // namespace edgerun
