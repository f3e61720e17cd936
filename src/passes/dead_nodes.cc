// Dead-node elimination: keeps only the nodes the graph outputs (or subgraphs) depend on, then
// drops initializers and value_info entries that nothing refers to any more.
// Thread-safety: see passes.h.
#include <deque>
#include <map>
#include <set>

#include "passes/passes.h"

namespace edgerun::passes {

namespace {

void AddSubgraphNames(const ir::Node& n, std::deque<std::string>* out) {
  for (const auto& [an, a] : n.attributes) {
    if (a.g) {
      for (auto& s : a.g->OuterScopeNames()) out->push_back(s);
    }
    for (const auto& sg : a.graphs) {
      for (auto& s : sg->OuterScopeNames()) out->push_back(s);
    }
  }
}

}  // namespace

Result<bool> EliminateDeadNodes(ir::Graph& graph, const PassContext& ctx) {
  std::map<std::string, size_t> producer;
  for (size_t i = 0; i < graph.nodes.size(); ++i) {
    for (const auto& o : graph.nodes[i].outputs) {
      if (!o.empty()) producer.emplace(o, i);
    }
  }
  std::vector<bool> live(graph.nodes.size(), false);
  std::set<std::string> needed;
  std::deque<std::string> work;
  for (const auto& vi : graph.outputs) work.push_back(vi.name);
  while (!work.empty()) {
    std::string name = std::move(work.front());
    work.pop_front();
    if (name.empty() || !needed.insert(name).second) continue;
    auto it = producer.find(name);
    if (it == producer.end() || live[it->second]) continue;
    live[it->second] = true;
    const ir::Node& n = graph.nodes[it->second];
    for (const auto& in : n.inputs) work.push_back(in);
    AddSubgraphNames(n, &work);
  }
  bool changed = false;
  std::vector<bool> erase(graph.nodes.size());
  for (size_t i = 0; i < graph.nodes.size(); ++i) {
    erase[i] = !live[i];
    changed = changed || erase[i];
  }
  if (changed) EraseNodes(graph, erase);

  std::set<std::string> inputs;
  for (const auto& vi : graph.inputs) inputs.insert(vi.name);
  for (auto it = graph.initializers.begin(); it != graph.initializers.end();) {
    if (!needed.count(it->first) && !inputs.count(it->first)) {
      it = graph.initializers.erase(it);
      changed = true;
    } else {
      ++it;
    }
  }
  std::vector<ir::ValueInfo> infos;
  for (auto& vi : graph.value_infos) {
    if (needed.count(vi.name)) infos.push_back(std::move(vi));
  }
  graph.value_infos = std::move(infos);
  return changed;
}

}  // namespace edgerun::passes
