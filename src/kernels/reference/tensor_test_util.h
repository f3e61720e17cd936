// Test helper for the tensor family: runs one reference kernel on in-memory tensors, without a
// model or session. Test-only.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "ir/graph.h"
#include "kernels/kernel.h"
#include "kernels/reference/register.h"

namespace edgerun::tensor_test {

inline ir::Attribute IntAttr(int64_t v) {
  ir::Attribute a;
  a.type = ir::Attribute::Type::kInt;
  a.i = v;
  return a;
}
inline ir::Attribute IntsAttr(std::vector<int64_t> v) {
  ir::Attribute a;
  a.type = ir::Attribute::Type::kInts;
  a.ints = std::move(v);
  return a;
}
inline ir::Attribute FloatAttr(float v) {
  ir::Attribute a;
  a.type = ir::Attribute::Type::kFloat;
  a.f = v;
  return a;
}
inline ir::Attribute StringAttr(std::string v) {
  ir::Attribute a;
  a.type = ir::Attribute::Type::kString;
  a.s = std::move(v);
  return a;
}
inline ir::Attribute StringsAttr(std::vector<std::string> v) {
  ir::Attribute a;
  a.type = ir::Attribute::Type::kStrings;
  a.strings = std::move(v);
  return a;
}

template <typename T>
Tensor Make(DataType dt, const Shape& shape, const std::vector<T>& values) {
  Tensor t = Tensor::Create(dt, shape).value();
  for (int64_t i = 0; i < t.numel() && i < static_cast<int64_t>(values.size()); ++i) t.data<T>()[i] = values[i];
  return t;
}
inline Tensor F32(const Shape& shape, const std::vector<float>& v) { return Make<float>(DataType::kFloat, shape, v); }
inline Tensor I64(const Shape& shape, const std::vector<int64_t>& v) { return Make<int64_t>(DataType::kInt64, shape, v); }
inline Tensor I32(const Shape& shape, const std::vector<int32_t>& v) { return Make<int32_t>(DataType::kInt32, shape, v); }
inline Tensor Bool(const Shape& shape, const std::vector<bool>& v) {
  Tensor t = Tensor::Create(DataType::kBool, shape).value();
  for (size_t i = 0; i < v.size() && static_cast<int64_t>(i) < t.numel(); ++i) t.data<bool>()[i] = v[i];
  return t;
}
inline Tensor Str(const Shape& shape, const std::vector<std::string>& v) {
  Tensor t = Tensor::Create(DataType::kString, shape).value();
  for (size_t i = 0; i < v.size() && static_cast<int64_t>(i) < t.numel(); ++i) t.strings()[i] = v[i];
  return t;
}

template <typename T>
std::vector<T> Values(const Tensor& t) {
  return std::vector<T>(t.data<T>(), t.data<T>() + t.numel());
}

// Creates and runs `op` at `opset`; an undefined Tensor in `inputs` is an omitted input.
// Returns the outputs, or the first error from kernel creation or Run.
inline Result<std::vector<Tensor>> RunOp(const std::string& op, int opset,
                                         std::vector<std::pair<std::string, ir::Attribute>> attrs,
                                         const std::vector<Tensor>& inputs, size_t num_outputs = 1) {
  static const KernelRegistry* registry = [] {
    auto* r = new KernelRegistry();
    RegisterTensorKernels(*r);
    return r;
  }();
  ir::Node node;
  node.name = "n";
  node.op_type = op;
  node.opset = opset;
  for (size_t i = 0; i < inputs.size(); ++i) node.inputs.push_back(inputs[i].defined() ? "in" + std::to_string(i) : "");
  for (size_t i = 0; i < num_outputs; ++i) node.outputs.push_back("out" + std::to_string(i));
  for (auto& [name, a] : attrs) {
    a.name = name;
    node.attributes[name] = a;
  }
  const KernelFactory* f = registry->Find("", op, opset);
  if (f == nullptr) return NotFound("no kernel for " + op);
  KernelCreateContext kc{node, opset, nullptr};
  std::unique_ptr<Kernel> kernel;
  EDGERUN_ASSIGN_OR_RETURN(kernel, (*f)(kc));
  std::vector<RValue> in_values;
  for (const Tensor& t : inputs) in_values.push_back(t.defined() ? RValue::FromTensor(t) : RValue());
  std::vector<const RValue*> in_ptrs;
  for (const RValue& v : in_values) in_ptrs.push_back(&v);
  std::vector<RValue> outs(num_outputs);
  KernelContext ctx(node, in_ptrs, &outs, nullptr);
  EDGERUN_RETURN_IF_ERROR(kernel->Run(ctx));
  std::vector<Tensor> result;
  for (auto& v : outs) result.push_back(v.tensor);
  return result;
}

}  // namespace edgerun::tensor_test
