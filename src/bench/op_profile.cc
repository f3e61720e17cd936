// Operator profiling through the engine's node observer.
#include "bench/op_profile.h"

#include <algorithm>
#include <map>

namespace edgerun::bench {

OperatorProfile AggregateProfile(const std::vector<NodeEvent>& events, int runs, size_t top_n) {
  OperatorProfile p;
  std::map<std::string, OpTypeProfile> by_op;
  std::map<std::string, NodeProfile> by_node;
  double total = 0;
  for (const auto& e : events) {
    const double us = static_cast<double>(e.end_ns - e.start_ns) / 1e3;
    total += us;
    auto& o = by_op[e.op_type];
    o.op_type = e.op_type;
    o.total_us += us;
    o.calls++;
    auto& n = by_node[e.name];
    n.name = e.name;
    n.op_type = e.op_type;
    n.mean_us += us;
  }
  for (auto& [k, o] : by_op) {
    o.share = total > 0 ? o.total_us / total : 0;
    p.by_op_type.push_back(o);
  }
  for (auto& [k, n] : by_node) {
    n.share = total > 0 ? n.mean_us / total : 0;
    n.mean_us = runs > 0 ? n.mean_us / runs : 0;
    p.top_nodes.push_back(n);
  }
  std::sort(p.by_op_type.begin(), p.by_op_type.end(), [](const auto& a, const auto& b) { return a.total_us > b.total_us; });
  std::sort(p.top_nodes.begin(), p.top_nodes.end(), [](const auto& a, const auto& b) { return a.mean_us > b.mean_us; });
  if (p.top_nodes.size() > top_n) p.top_nodes.resize(top_n);
  return p;
}

Result<ProfileResult> ProfileModel(const std::string& model_path, SessionOptions options,
                                   const std::vector<NamedTensor>& feeds, int runs) {
  ProfileResult r;
  int current_run = 0;
  options.node_observer = [&r, &current_run](const std::string& node, const std::string& op, int64_t start, int64_t end) {
    r.events.push_back({node, op, start, end, current_run});
  };
  auto s = Session::CreateFromFile(model_path, options);
  if (!s.ok()) return s.status().WithContext("profiling session");
  // One unrecorded run first so lazy first-run work does not skew the profile.
  auto warm = (*s)->Run(feeds);
  if (!warm.ok()) return warm.status().WithContext("profiling run");
  r.events.clear();
  for (current_run = 0; current_run < runs; ++current_run) {
    auto out = (*s)->Run(feeds);
    if (!out.ok()) return out.status().WithContext("profiling run");
  }
  r.runs = runs;
  r.profile = AggregateProfile(r.events, runs);
  return r;
}

}  // namespace edgerun::bench
