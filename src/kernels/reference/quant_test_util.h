// Test helper for the quant, random and signal families: runs one reference kernel on in-memory
// tensors, without a model or session. Test-only.
#pragma once

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "ir/graph.h"
#include "kernels/kernel.h"
#include "kernels/reference/register.h"

namespace edgerun::qrs_test {

inline ir::Attribute IntAttr(int64_t v) {
  ir::Attribute a;
  a.type = ir::Attribute::Type::kInt;
  a.i = v;
  return a;
}
inline ir::Attribute FloatAttr(float v) {
  ir::Attribute a;
  a.type = ir::Attribute::Type::kFloat;
  a.f = v;
  return a;
}
inline ir::Attribute IntsAttr(std::vector<int64_t> v) {
  ir::Attribute a;
  a.type = ir::Attribute::Type::kInts;
  a.ints = std::move(v);
  return a;
}
inline ir::Attribute FloatsAttr(std::vector<float> v) {
  ir::Attribute a;
  a.type = ir::Attribute::Type::kFloats;
  a.floats = std::move(v);
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
inline Tensor F32(const Shape& s, const std::vector<float>& v) { return Make<float>(DataType::kFloat, s, v); }
inline Tensor I64(const Shape& s, const std::vector<int64_t>& v) { return Make<int64_t>(DataType::kInt64, s, v); }
inline Tensor I32(const Shape& s, const std::vector<int32_t>& v) { return Make<int32_t>(DataType::kInt32, s, v); }
inline Tensor U8(const Shape& s, const std::vector<uint8_t>& v) { return Make<uint8_t>(DataType::kUint8, s, v); }
inline Tensor I8(const Shape& s, const std::vector<int8_t>& v) { return Make<int8_t>(DataType::kInt8, s, v); }

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
    RegisterQuantKernels(*r);
    RegisterRandomKernels(*r);
    RegisterSignalKernels(*r);
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

}  // namespace edgerun::qrs_test
