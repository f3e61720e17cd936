// Graph compilation (slots, topological order, kernels) and execution.
#include "runtime/graph_executor.h"

#include <algorithm>
#include <chrono>
#include <queue>

#include "ops/op_list.h"
#include "ops/op_schema.h"
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

bool HasSubgraph(const ir::Node& node) {
  for (const auto& [n, a] : node.attributes) {
    if (a.g || !a.graphs.empty()) return true;
  }
  return false;
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
    if (!implicit[i].empty() || HasSubgraph(g.nodes[i])) continue;
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
  for (const auto& [s, pos] : last_use) {
    if (pos < ex->steps_.size()) ex->steps_[pos].free_after.push_back(s);
  }
  return ex;
}

Result<std::vector<RValue>> GraphExecutor::Run(const std::vector<RValue>& inputs, const KernelContext& outer) const {
  return RunWithLookup(inputs, [&outer](const std::string& name) { return outer.LookupOuter(name); });
}

Result<std::vector<RValue>> GraphExecutor::RunWithLookup(const std::vector<RValue>& inputs,
                                                         const KernelContext::OuterLookup& outer) const {
  std::vector<RValue> slots(slot_names_.size());
  for (const auto& [s, t] : initializer_slots_) slots[s] = RValue::FromTensor(t);
  if (inputs.size() > input_slots_.size()) {
    return InvalidArgument("graph '" + graph_->name + "' takes " + std::to_string(input_slots_.size()) + " inputs, got " +
                           std::to_string(inputs.size()));
  }
  for (size_t i = 0; i < inputs.size(); ++i) {
    if (!inputs[i].is_none() || !graph_->IsInitializer(graph_->inputs[i].name)) slots[input_slots_[i]] = inputs[i];
  }
  std::vector<const RValue*> outer_vals(outer_refs_.size(), nullptr);
  for (size_t k = 0; k < outer_refs_.size(); ++k) {
    outer_vals[k] = outer ? outer(outer_refs_[k]) : nullptr;
  }
  // Lookup for nested subgraphs: this graph's slots first, then enclosing scopes.
  KernelContext::OuterLookup lookup = [this, &slots, &outer](const std::string& name) -> const RValue* {
    auto it = slot_of_.find(name);
    if (it != slot_of_.end()) return &slots[it->second];
    return outer ? outer(name) : nullptr;
  };
  static const RValue kNoneValue;
  for (const Step& step : steps_) {
    std::vector<const RValue*> ins(step.inputs.size(), nullptr);
    for (size_t i = 0; i < step.inputs.size(); ++i) {
      int s = step.inputs[i];
      if (s == -1) continue;
      const RValue* v = s >= 0 ? &slots[s] : outer_vals[static_cast<size_t>(-2 - s)];
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
    std::vector<RValue> outs(step.outputs.size());
    KernelContext ctx(*step.node, std::move(ins), &outs, lookup);
    int64_t t0 = 0;
    if (observer_) t0 = std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch()).count();
    Status st = step.kernel->Run(ctx);
    if (observer_) {
      int64_t t1 = std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch()).count();
      observer_(step.node->name, step.node->op_type, t0, t1);
    }
    if (!st.ok()) {
      if (st.message().find(step.node->Describe()) != std::string::npos) return st;
      return st.WithContext(step.node->Describe());
    }
    for (size_t i = 0; i < step.outputs.size(); ++i) {
      if (step.outputs[i] >= 0) slots[step.outputs[i]] = std::move(outs[i]);
    }
    for (int s : step.free_after) slots[s] = RValue();
  }
  std::vector<RValue> result;
  result.reserve(output_slots_.size());
  for (int s : output_slots_) {
    if (s >= 0) {
      result.push_back(slots[s]);
    } else {
      const RValue* v = outer_vals[static_cast<size_t>(-2 - s)];
      result.push_back(v ? *v : kNoneValue);
    }
  }
  return result;
}

}  // namespace edgerun
