// Helpers for the XNNPACK provider's parity tests: models built in code, seeded inputs, and
// ExpectParity, which runs a model with providers {"xnnpack", "cpu"} and {"cpu"} and compares
// every output to a relative 1e-4, also checking that the partition ran on XNNPACK (no fallback).
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "edgerun/session.h"
#include "kernels/xnnpack/xnnpack_partition_kernel.h"
#include "model_builder.h"

namespace edgerun::xnn_test {

using testing::ModelBuilder;
inline constexpr int kFloat = onnx::TensorProto::FLOAT;

inline void AttrInt(onnx::NodeProto& n, const std::string& name, int64_t v) {
  auto* a = n.add_attribute();
  a->set_name(name);
  a->set_type(onnx::AttributeProto::INT);
  a->set_i(v);
}
inline void AttrInts(onnx::NodeProto& n, const std::string& name, const std::vector<int64_t>& v) {
  auto* a = n.add_attribute();
  a->set_name(name);
  a->set_type(onnx::AttributeProto::INTS);
  for (auto x : v) a->add_ints(x);
}
inline void AttrFloat(onnx::NodeProto& n, const std::string& name, float v) {
  auto* a = n.add_attribute();
  a->set_name(name);
  a->set_type(onnx::AttributeProto::FLOAT);
  a->set_f(v);
}
inline void AttrFloats(onnx::NodeProto& n, const std::string& name, const std::vector<float>& v) {
  auto* a = n.add_attribute();
  a->set_name(name);
  a->set_type(onnx::AttributeProto::FLOATS);
  for (auto x : v) a->add_floats(x);
}
inline void AttrString(onnx::NodeProto& n, const std::string& name, const std::string& v) {
  auto* a = n.add_attribute();
  a->set_name(name);
  a->set_type(onnx::AttributeProto::STRING);
  a->set_s(v);
}

inline std::vector<float> RandomValues(size_t n, uint32_t seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> dist(-1.0f, 1.0f);
  std::vector<float> v(n);
  for (auto& x : v) x = dist(rng);
  return v;
}

inline void Weights(ModelBuilder& mb, const std::string& name, const std::vector<int64_t>& dims, uint32_t seed) {
  int64_t n = 1;
  for (auto d : dims) n *= d;
  mb.FloatInitializer(name, dims, RandomValues(static_cast<size_t>(n), seed));
}

inline void Int64Initializer(ModelBuilder& mb, const std::string& name, const std::vector<int64_t>& values) {
  auto* t = mb.graph().add_initializer();
  t->set_name(name);
  t->set_data_type(onnx::TensorProto::INT64);
  t->add_dims(static_cast<int64_t>(values.size()));
  for (auto v : values) t->add_int64_data(v);
}

inline NamedTensor RandomInput(const std::string& name, const Shape& shape, uint32_t seed) {
  Tensor t = Tensor::Create(DataType::kFloat, shape).value();
  auto v = RandomValues(static_cast<size_t>(t.numel()), seed);
  std::copy(v.begin(), v.end(), t.data<float>());
  return {name, t};
}

struct ParityOptions {
  bool expect_fallback = false;
  std::string optimization = "none";
  int threads = 1;
  int expect_partitions = -1;  // checked when >= 0
  // Compare within 1e-4 of the output's largest magnitude instead of each element's: Winograd
  // convolutions round differently from a direct sum (error bounded by the output's scale).
  bool scale_tolerance = false;
};

// Runs `bytes` on both provider lists and compares every output; returns the XNNPACK session.
inline std::unique_ptr<Session> ExpectParity(const std::string& bytes, const std::vector<NamedTensor>& feeds,
                                      const ParityOptions& o = {}) {
  SessionOptions ref_opts;
  ref_opts.providers = {"cpu"};  // the reference kernels (the default list starts with "xnnpack")
  ref_opts.graph_optimization = o.optimization;
  auto ref = Session::CreateFromBytes(bytes, ref_opts);
  EXPECT_TRUE(ref.ok()) << ref.status().ToString();
  if (!ref.ok()) return nullptr;
  SessionOptions x_opts = ref_opts;
  x_opts.providers = {"xnnpack", "cpu"};
  x_opts.threads = o.threads;
  // Shared with the observer, which lives as long as the returned session.
  auto partition_runs = std::make_shared<int>(0);
  int& partitions = *partition_runs;
  x_opts.node_observer = [partition_runs](const std::string&, const std::string& op, int64_t, int64_t) {
    if (op == "xnnpackPartition") ++*partition_runs;
  };
  auto fast = Session::CreateFromBytes(bytes, x_opts);
  EXPECT_TRUE(fast.ok()) << fast.status().ToString();
  if (!fast.ok()) return nullptr;
  auto want = (*ref)->Run(feeds);
  EXPECT_TRUE(want.ok()) << want.status().ToString();
  const int64_t fallbacks_before = xnn::FallbackRuns();
  auto got = (*fast)->Run(feeds);
  EXPECT_TRUE(got.ok()) << got.status().ToString();
  if (!want.ok() || !got.ok()) return nullptr;
  if (o.expect_fallback) {
    EXPECT_GT(xnn::FallbackRuns(), fallbacks_before) << "expected the reference fallback";
  } else {
    EXPECT_EQ(xnn::FallbackRuns(), fallbacks_before) << "partition fell back to the reference kernels";
    EXPECT_GT(partitions, 0) << "nothing ran on XNNPACK";
  }
  if (o.expect_partitions >= 0) {
    EXPECT_EQ(partitions, o.expect_partitions);
  }
  EXPECT_EQ(want->size(), got->size());
  for (size_t i = 0; i < want->size() && i < got->size(); ++i) {
    const Tensor& a = (*want)[i].tensor;
    const Tensor& b = (*got)[i].tensor;
    EXPECT_EQ(a.shape(), b.shape()) << "output " << i;
    if (a.shape() != b.shape()) continue;
    int bad = 0;
    float scale = 1.0f;
    for (int64_t k = 0; k < a.numel(); ++k) scale = std::max(scale, std::fabs(a.data<float>()[k]));
    for (int64_t k = 0; k < a.numel() && bad < 5; ++k) {
      const float x = a.data<float>()[k], y = b.data<float>()[k];
      if (!(std::fabs(x - y) <= 1e-4f * (o.scale_tolerance ? scale : std::max(1.0f, std::fabs(x))))) {
        ADD_FAILURE() << "output " << i << " element " << k << ": reference " << x << ", xnnpack " << y;
        ++bad;
      }
    }
  }
  return std::move(fast).value();
}

}  // namespace edgerun::xnn_test
