// Test helpers for the graph passes: models built in code (ModelBuilder plus initializer and
// attribute helpers), running one pass on the loaded graph, and comparing session outputs
// with graph_optimization "none" against an optimized level. Test-only.
#pragma once

#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <string>
#include <vector>

#include "edgerun/session.h"
#include "model_builder.h"
#include "onnx/model_loader.h"
#include "passes/passes.h"
#include "passes/pipeline.h"

namespace edgerun::passes::testing {

using edgerun::testing::ModelBuilder;
constexpr int kFloat = onnx::TensorProto::FLOAT;
constexpr int kInt64 = onnx::TensorProto::INT64;

// Deterministic values in [-1, 1).
inline std::vector<float> RandomValues(int64_t n, unsigned seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> dist(-1.0f, 1.0f);
  std::vector<float> v(static_cast<size_t>(n));
  for (auto& x : v) x = dist(rng);
  return v;
}

inline int64_t Numel(const std::vector<int64_t>& dims) {
  int64_t n = 1;
  for (int64_t d : dims) n *= d;
  return n;
}

// A float initializer of random values.
inline void RandomInitializer(ModelBuilder& b, const std::string& name, const std::vector<int64_t>& dims, unsigned seed) {
  b.FloatInitializer(name, dims, RandomValues(Numel(dims), seed));
}

// A float initializer of positive values in [0.5, 1.5) (BatchNorm variances and scales).
inline void PositiveInitializer(ModelBuilder& b, const std::string& name, const std::vector<int64_t>& dims, unsigned seed) {
  auto v = RandomValues(Numel(dims), seed);
  for (auto& x : v) x = 1.0f + 0.5f * x;
  b.FloatInitializer(name, dims, v);
}

inline void Int64Initializer(ModelBuilder& b, const std::string& name, const std::vector<int64_t>& dims,
                             const std::vector<int64_t>& values) {
  auto* t = b.graph().add_initializer();
  t->set_name(name);
  t->set_data_type(onnx::TensorProto::INT64);
  for (auto d : dims) t->add_dims(d);
  for (auto v : values) t->add_int64_data(v);
}

inline void AttrInt(onnx::NodeProto& n, const std::string& name, int64_t v) {
  auto* a = n.add_attribute();
  a->set_name(name);
  a->set_type(onnx::AttributeProto::INT);
  a->set_i(v);
}
inline void AttrFloat(onnx::NodeProto& n, const std::string& name, float v) {
  auto* a = n.add_attribute();
  a->set_name(name);
  a->set_type(onnx::AttributeProto::FLOAT);
  a->set_f(v);
}
inline void AttrInts(onnx::NodeProto& n, const std::string& name, const std::vector<int64_t>& v) {
  auto* a = n.add_attribute();
  a->set_name(name);
  a->set_type(onnx::AttributeProto::INTS);
  for (auto x : v) a->add_ints(x);
}

// The model's graph as the session would see it before optimization.
inline ir::Graph LoadGraph(const std::string& bytes) {
  auto m = onnxio::LoadModelFromBytes(bytes, "");
  EXPECT_TRUE(m.ok()) << m.status().ToString();
  return m.ok() ? *m->graph : ir::Graph();
}

// Runs one pass on the loaded graph and returns the result; `changed` receives its verdict.
inline ir::Graph RunPass(const std::string& bytes, Result<bool> (*pass)(ir::Graph&, const PassContext&),
                         bool* changed = nullptr) {
  ir::Graph g = LoadGraph(bytes);
  PassContext ctx = MakePassContext(g);
  auto r = pass(g, ctx);
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  if (changed) *changed = r.ok() && *r;
  return g;
}

inline ir::Graph Optimize(const std::string& bytes, OptLevel level = OptLevel::kAll) {
  ir::Graph g = LoadGraph(bytes);
  Status st = OptimizeGraph(g, level);
  EXPECT_TRUE(st.ok()) << st.ToString();
  return g;
}

inline int CountOp(const ir::Graph& g, const std::string& op_type) {
  int n = 0;
  for (const auto& node : g.nodes) n += node.op_type == op_type;
  return n;
}

inline const ir::Node* FindOp(const ir::Graph& g, const std::string& op_type) {
  for (const auto& node : g.nodes) {
    if (node.op_type == op_type) return &node;
  }
  return nullptr;
}

inline Tensor RandomTensor(const Shape& shape, unsigned seed, float scale = 1.0f) {
  Tensor t = Tensor::Create(DataType::kFloat, shape).value();
  auto v = RandomValues(t.numel(), seed);
  for (int64_t i = 0; i < t.numel(); ++i) t.data<float>()[i] = scale * v[static_cast<size_t>(i)];
  return t;
}

inline Result<std::vector<NamedTensor>> RunModel(const std::string& bytes, const std::vector<NamedTensor>& inputs,
                                                 const std::string& level) {
  SessionOptions opts;
  opts.graph_optimization = level;
  auto s = Session::CreateFromBytes(bytes, opts);
  if (!s.ok()) return s.status();
  return (*s)->Run(inputs);
}

// Runs the model unoptimized and at `level`; outputs must agree within `tol` (relative to 1).
inline void ExpectSameOutputs(const std::string& bytes, const std::vector<NamedTensor>& inputs,
                              const std::string& level = "all", float tol = 1e-4f) {
  auto ref = RunModel(bytes, inputs, "none");
  ASSERT_TRUE(ref.ok()) << ref.status().ToString();
  auto got = RunModel(bytes, inputs, level);
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  ASSERT_EQ(ref->size(), got->size());
  for (size_t i = 0; i < ref->size(); ++i) {
    const Tensor& a = (*ref)[i].tensor;
    const Tensor& b = (*got)[i].tensor;
    ASSERT_EQ(a.dtype(), b.dtype()) << "output " << i;
    ASSERT_EQ(a.shape(), b.shape()) << "output " << i;
    if (a.dtype() == DataType::kFloat) {
      for (int64_t k = 0; k < a.numel(); ++k) {
        const float x = a.data<float>()[k], y = b.data<float>()[k];
        ASSERT_NEAR(x, y, tol * std::max(1.0f, std::fabs(x))) << "output " << i << " element " << k;
      }
    } else {
      ASSERT_EQ(0, std::memcmp(a.raw(), b.raw(), a.nbytes())) << "output " << i;
    }
  }
}

}  // namespace edgerun::passes::testing
