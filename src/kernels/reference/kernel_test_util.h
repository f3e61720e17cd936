// Shared test helper for the reference kernels: builds an ir::Node with attributes, makes tensors
// from vectors, runs one kernel from the full reference registry (RegisterReferenceKernels) on
// in-memory tensors without a model or session, and compares float outputs. Test-only.
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "ir/graph.h"
#include "kernels/kernel.h"
#include "kernels/reference/register.h"

namespace edgerun::kernel_test {

using Attrs = std::vector<std::pair<std::string, ir::Attribute>>;

// --- Attributes ---

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

// --- Tensors from vectors (extra values are ignored, missing ones stay zero) ---

template <typename T>
Tensor Make(DataType dt, const Shape& shape, const std::vector<T>& values) {
  Tensor t = Tensor::Create(dt, shape).value();
  for (int64_t i = 0; i < t.numel() && i < static_cast<int64_t>(values.size()); ++i) {
    t.data<T>()[i] = values[static_cast<size_t>(i)];
  }
  return t;
}
inline Tensor F32(const Shape& s, const std::vector<float>& v) { return Make<float>(DataType::kFloat, s, v); }
inline Tensor I64(const Shape& s, const std::vector<int64_t>& v) { return Make<int64_t>(DataType::kInt64, s, v); }
inline Tensor I32(const Shape& s, const std::vector<int32_t>& v) { return Make<int32_t>(DataType::kInt32, s, v); }
inline Tensor U8(const Shape& s, const std::vector<uint8_t>& v) { return Make<uint8_t>(DataType::kUint8, s, v); }
inline Tensor I8(const Shape& s, const std::vector<int8_t>& v) { return Make<int8_t>(DataType::kInt8, s, v); }
inline Tensor Bool(const Shape& s, const std::vector<bool>& v) {
  Tensor t = Tensor::Create(DataType::kBool, s).value();
  for (size_t i = 0; i < v.size() && static_cast<int64_t>(i) < t.numel(); ++i) t.data<bool>()[i] = v[i];
  return t;
}
inline Tensor Str(const Shape& s, const std::vector<std::string>& v) {
  Tensor t = Tensor::Create(DataType::kString, s).value();
  for (size_t i = 0; i < v.size() && static_cast<int64_t>(i) < t.numel(); ++i) t.strings()[i] = v[i];
  return t;
}

// 0, 1, 2, ... scaled by `step` and shifted by `start`.
inline std::vector<float> Iota(int64_t n, float start = 0.0f, float step = 1.0f) {
  std::vector<float> v(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) v[static_cast<size_t>(i)] = start + step * static_cast<float>(i);
  return v;
}

// --- Outputs ---

template <typename T>
std::vector<T> Values(const Tensor& t) {
  return std::vector<T>(t.data<T>(), t.data<T>() + t.numel());
}

// Element-wise EXPECT_NEAR of two float vectors of the same size.
inline void ExpectNear(const std::vector<float>& got, const std::vector<float>& want, float tol = 1e-5f) {
  ASSERT_EQ(got.size(), want.size());
  for (size_t i = 0; i < got.size(); ++i) EXPECT_NEAR(got[i], want[i], tol) << "at " << i;
}

// --- Running one kernel ---

// The node RunOp builds: inputs "in<i>" ("" for an undefined Tensor, i.e. an omitted input),
// outputs "out<i>" ("" where `wanted` is non-empty and false), and the given attributes.
inline ir::Node MakeNode(const std::string& op, int opset, Attrs attrs, const std::vector<Tensor>& inputs,
                         size_t num_outputs, const std::vector<bool>& wanted = {}) {
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
  return node;
}

// All reference kernels, registered once.
inline const KernelRegistry& ReferenceRegistry() {
  static const KernelRegistry* registry = [] {
    auto* r = new KernelRegistry();
    RegisterReferenceKernels(*r);
    return r;
  }();
  return *registry;
}

// Creates and runs `op` at `opset`; an undefined Tensor in `inputs` is an omitted input, and
// outputs listed false in `wanted` are omitted (default: all wanted).
// Returns the outputs, or the first error from kernel creation or Run.
inline Result<std::vector<Tensor>> RunOp(const std::string& op, int opset, Attrs attrs,
                                         const std::vector<Tensor>& inputs, size_t num_outputs = 1,
                                         std::vector<bool> wanted = {}) {
  ir::Node node = MakeNode(op, opset, std::move(attrs), inputs, num_outputs, wanted);
  const KernelFactory* f = ReferenceRegistry().Find("", op, opset);
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

}  // namespace edgerun::kernel_test
