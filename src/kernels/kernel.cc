// KernelContext output allocation and the kernel registry.
#include "kernels/kernel.h"

#include <cstring>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <cstdlib>

#include "ops/op_list.h"

namespace edgerun {

namespace {
std::atomic<int64_t> g_max_loop_iterations{int64_t{1} << 24};
}

void SetMaxLoopIterations(int64_t n) { g_max_loop_iterations = n; }
int64_t MaxLoopIterations() { return g_max_loop_iterations; }

Result<Tensor*> KernelContext::AllocateOutput(size_t i, DataType dt, const Shape& shape) {
  if (plans_ != nullptr && dt != DataType::kString) {
    OutputPlan& plan = plans_[i];
    Status check = CheckShapeAllocatable(dt, shape);
    if (!check.ok()) return check.WithContext(node_.Describe() + ": output " + std::to_string(i));
    const size_t bytes = static_cast<size_t>(ShapeSize(shape)) * DataTypeSize(dt);
    plan.requested = bytes;
    if (plan.data != nullptr && bytes <= plan.capacity) {
      RValue& out = (*outputs_)[i];
      out.kind = RValue::Kind::kTensor;
      out.tensor.Rebind(dt, shape, plan.data);
      if (bytes) std::memset(plan.data, 0, bytes);
      return &out.tensor;
    }
  }
  auto t = Tensor::Create(dt, shape);
  if (!t.ok()) return t.status().WithContext(node_.Describe() + ": output " + std::to_string(i));
  (*outputs_)[i] = RValue::FromTensor(std::move(t).value());
  return &(*outputs_)[i].tensor;
}

void KernelRegistry::Register(const std::string& op_type, KernelFactory factory, int since_version,
                              const std::string& domain) {
  if (!IsKnownOp(domain, op_type)) {
    std::fprintf(stderr, "edgerun: kernel registered for %s, which is not in ops.def\n", op_type.c_str());
    std::abort();  // our bug, not user input
  }
  auto& v = entries_[{domain, op_type}];
  v.push_back({since_version, std::move(factory)});
  std::sort(v.begin(), v.end(), [](const Entry& a, const Entry& b) { return a.since_version < b.since_version; });
}

const KernelFactory* KernelRegistry::Find(const std::string& domain, const std::string& op_type,
                                          int opset) const {
  auto it = entries_.find({domain, op_type});
  if (it == entries_.end()) return nullptr;
  const KernelFactory* best = nullptr;
  for (const auto& e : it->second) {
    if (e.since_version <= opset) best = &e.factory;
  }
  return best;
}

std::vector<std::string> KernelRegistry::RegisteredOps() const {
  std::vector<std::string> r;
  for (const auto& [k, v] : entries_) r.push_back(k.first.empty() ? k.second : k.first + "." + k.second);
  return r;
}

}  // namespace edgerun
