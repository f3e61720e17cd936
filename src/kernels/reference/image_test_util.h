// Test helper for the image and recurrent families: runs one reference kernel on in-memory
// tensors, without a model or session. Test-only.
#pragma once

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "ir/graph.h"
#include "kernels/kernel.h"
#include "kernels/reference/register.h"

namespace edgerun::image_test {

using Attrs = std::vector<std::pair<std::string, ir::Attribute>>;

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
Tensor Make(DataType dt, const Shape& shape, const std::vector<T>& v) {
  Tensor t = Tensor::Create(dt, shape).value();
  for (int64_t i = 0; i < t.numel() && i < static_cast<int64_t>(v.size()); ++i) t.data<T>()[i] = v[static_cast<size_t>(i)];
  return t;
}
inline Tensor F32(const Shape& shape, const std::vector<float>& v) { return Make(DataType::kFloat, shape, v); }
inline Tensor I64(const Shape& shape, const std::vector<int64_t>& v) { return Make(DataType::kInt64, shape, v); }
inline Tensor I32(const Shape& shape, const std::vector<int32_t>& v) { return Make(DataType::kInt32, shape, v); }

// 0, 1, 2, ... scaled by `step` and shifted by `start`.
inline std::vector<float> Iota(int64_t n, float start = 0.0f, float step = 1.0f) {
  std::vector<float> v(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) v[static_cast<size_t>(i)] = start + step * static_cast<float>(i);
  return v;
}

template <typename T>
std::vector<T> Values(const Tensor& t) {
  return std::vector<T>(t.data<T>(), t.data<T>() + t.numel());
}

// Creates and runs `op` at `opset`; an undefined Tensor in `inputs` is an omitted input.
// Output names listed empty in `wanted` are omitted (default: all wanted).
inline Result<std::vector<Tensor>> RunOp(const std::string& op, int opset, Attrs attrs,
                                         const std::vector<Tensor>& inputs, size_t num_outputs = 1,
                                         std::vector<bool> wanted = {}) {
  static const KernelRegistry* registry = [] {
    auto* r = new KernelRegistry();
    RegisterImageKernels(*r);
    RegisterRnnKernels(*r);
    return r;
  }();
  ir::Node node;
  node.name = "n";
  node.op_type = op;
  node.opset = opset;
  for (size_t i = 0; i < inputs.size(); ++i) node.inputs.push_back(inputs[i].defined() ? "in" + std::to_string(i) : "");
  for (size_t i = 0; i < num_outputs; ++i) {
    const bool w = wanted.empty() || wanted[i];
    node.outputs.push_back(w ? "out" + std::to_string(i) : "");
  }
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

}  // namespace edgerun::image_test
