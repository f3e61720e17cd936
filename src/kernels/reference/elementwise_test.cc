// Unit tests for elementwise reference kernels: behaviour the ONNX node tests do not cover
// (general broadcasting, integer edge cases, bad attributes and inputs, string formatting).
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "kernels/kernel.h"
#include "kernels/reference/register.h"

namespace edgerun {
namespace {

template <typename T>
Tensor Make(DataType dt, const Shape& shape, const std::vector<T>& values) {
  Tensor t = Tensor::Create(dt, shape).value();
  for (size_t i = 0; i < values.size(); ++i) t.data<T>()[i] = values[i];
  return t;
}

class ElementwiseTest : public ::testing::Test {
 protected:
  ElementwiseTest() { RegisterElementwiseKernels(registry_); }

  // Creates the kernel for `node` (opset `opset`) and runs it; returns output 0.
  Result<Tensor> Run(ir::Node node, const std::vector<Tensor>& inputs, int opset = 17) {
    node.opset = opset;
    if (node.name.empty()) node.name = "n";
    for (size_t i = 0; i < inputs.size(); ++i) {
      if (node.inputs.size() <= i) node.inputs.push_back(inputs[i].defined() ? "in" + std::to_string(i) : "");
    }
    node.outputs = {"out"};
    const KernelFactory* factory = registry_.Find("", node.op_type, opset);
    if (factory == nullptr) return NotFound("no kernel for " + node.op_type);
    KernelCreateContext kcc{node, opset, nullptr};
    EDGERUN_ASSIGN_OR_RETURN(std::unique_ptr<Kernel> kernel, (*factory)(kcc));
    std::vector<RValue> values;
    for (const Tensor& t : inputs) values.push_back(t.defined() ? RValue::FromTensor(t) : RValue());
    std::vector<const RValue*> ptrs;
    for (const RValue& v : values) ptrs.push_back(&v);
    std::vector<RValue> outs(1);
    KernelContext ctx(node, ptrs, &outs, nullptr);
    EDGERUN_RETURN_IF_ERROR(kernel->Run(ctx));
    return outs[0].tensor;
  }

  static ir::Node Op(const std::string& op) {
    ir::Node n;
    n.op_type = op;
    return n;
  }
  static void SetInt(ir::Node& n, const std::string& name, int64_t v) {
    ir::Attribute a;
    a.name = name;
    a.type = ir::Attribute::Type::kInt;
    a.i = v;
    n.attributes[name] = a;
  }
  static void SetString(ir::Node& n, const std::string& name, const std::string& v) {
    ir::Attribute a;
    a.name = name;
    a.type = ir::Attribute::Type::kString;
    a.s = v;
    n.attributes[name] = a;
  }

  KernelRegistry registry_;
};

TEST_F(ElementwiseTest, AddGeneralBroadcastMatchesNaive) {
  std::vector<float> av(2 * 1 * 3), bv(4 * 1);
  for (size_t i = 0; i < av.size(); ++i) av[i] = static_cast<float>(i);
  for (size_t i = 0; i < bv.size(); ++i) bv[i] = 100.0f * static_cast<float>(i);
  auto out = Run(Op("Add"), {Make(DataType::kFloat, {2, 1, 3}, av), Make(DataType::kFloat, {4, 1}, bv)});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  ASSERT_EQ(out->shape(), (Shape{2, 4, 3}));
  for (int i = 0; i < 2; ++i) {
    for (int j = 0; j < 4; ++j) {
      for (int k = 0; k < 3; ++k) EXPECT_EQ(out->data<float>()[(i * 4 + j) * 3 + k], av[i * 3 + k] + bv[j]);
    }
  }
}

TEST_F(ElementwiseTest, IncompatibleShapesAndDtypesAreErrors) {
  auto bad_shape = Run(Op("Mul"), {Make<float>(DataType::kFloat, {2, 3}, {1, 2, 3, 4, 5, 6}),
                                   Make<float>(DataType::kFloat, {2}, {1, 2})});
  EXPECT_EQ(bad_shape.status().code(), StatusCode::kInvalidArgument);
  auto bad_dtype = Run(Op("Add"), {Make<float>(DataType::kFloat, {1}, {1}), Make<int32_t>(DataType::kInt32, {1}, {1})});
  EXPECT_EQ(bad_dtype.status().code(), StatusCode::kInvalidArgument);
  auto missing = Run(Op("Add"), {Make<float>(DataType::kFloat, {1}, {1})});
  EXPECT_EQ(missing.status().code(), StatusCode::kInvalidArgument);
}

TEST_F(ElementwiseTest, IntegerArithmeticWrapsAndDivisionByZeroFails) {
  const int32_t kMin = std::numeric_limits<int32_t>::min();
  auto sum = Run(Op("Add"), {Make<int32_t>(DataType::kInt32, {1}, {std::numeric_limits<int32_t>::max()}),
                             Make<int32_t>(DataType::kInt32, {1}, {1})});
  ASSERT_TRUE(sum.ok());
  EXPECT_EQ(sum->data<int32_t>()[0], kMin);
  auto q = Run(Op("Div"), {Make<int32_t>(DataType::kInt32, {3}, {kMin, -7, 7}), Make<int32_t>(DataType::kInt32, {3}, {-1, 2, -2})});
  ASSERT_TRUE(q.ok());
  EXPECT_EQ(q->data<int32_t>()[0], kMin);
  EXPECT_EQ(q->data<int32_t>()[1], -3);
  EXPECT_EQ(q->data<int32_t>()[2], -3);
  auto dz = Run(Op("Div"), {Make<int32_t>(DataType::kInt32, {2}, {1, 2}), Make<int32_t>(DataType::kInt32, {2}, {1, 0})});
  EXPECT_EQ(dz.status().code(), StatusCode::kInvalidArgument);
  auto mz = Run(Op("Mod"), {Make<uint8_t>(DataType::kUint8, {1}, {1}), Make<uint8_t>(DataType::kUint8, {1}, {0})});
  EXPECT_EQ(mz.status().code(), StatusCode::kInvalidArgument);
}

TEST_F(ElementwiseTest, ModFollowsDivisorSignUnlessFmod) {
  auto a = Make<int32_t>(DataType::kInt32, {4}, {-7, 7, -7, 7});
  auto b = Make<int32_t>(DataType::kInt32, {4}, {3, -3, -3, 3});
  auto m = Run(Op("Mod"), {a, b});
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(std::vector<int32_t>(m->data<int32_t>(), m->data<int32_t>() + 4), (std::vector<int32_t>{2, -2, -1, 1}));
  ir::Node f = Op("Mod");
  SetInt(f, "fmod", 1);
  auto fm = Run(f, {a, b});
  ASSERT_TRUE(fm.ok());
  EXPECT_EQ(std::vector<int32_t>(fm->data<int32_t>(), fm->data<int32_t>() + 4), (std::vector<int32_t>{-1, 1, -1, 1}));
}

TEST_F(ElementwiseTest, PowIntegerAndMixedTypes) {
  auto p = Run(Op("Pow"), {Make<int64_t>(DataType::kInt64, {4}, {3, 2, -1, 5}), Make<int32_t>(DataType::kInt32, {4}, {39, -1, -3, 0})});
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  EXPECT_EQ(p->data<int64_t>()[0], 4052555153018976267LL);  // 3^39, exact
  EXPECT_EQ(p->data<int64_t>()[1], 0);
  EXPECT_EQ(p->data<int64_t>()[2], -1);
  EXPECT_EQ(p->data<int64_t>()[3], 1);
  auto f = Run(Op("Pow"), {Make<float>(DataType::kFloat, {1}, {2.0f}), Make<int64_t>(DataType::kInt64, {1}, {10})});
  ASSERT_TRUE(f.ok());
  EXPECT_EQ(f->data<float>()[0], 1024.0f);
}

TEST_F(ElementwiseTest, BitShiftPastWidthIsZeroAndDirectionIsValidated) {
  ir::Node n = Op("BitShift");
  SetString(n, "direction", "LEFT");
  auto s = Run(n, {Make<uint8_t>(DataType::kUint8, {3}, {1, 1, 255}), Make<uint8_t>(DataType::kUint8, {3}, {7, 8, 1})});
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->data<uint8_t>()[0], 128);
  EXPECT_EQ(s->data<uint8_t>()[1], 0);
  EXPECT_EQ(s->data<uint8_t>()[2], 254);
  SetString(n, "direction", "UP");
  auto bad = Run(n, {Make<uint8_t>(DataType::kUint8, {1}, {1}), Make<uint8_t>(DataType::kUint8, {1}, {1})});
  EXPECT_EQ(bad.status().code(), StatusCode::kInvalidArgument);
}

TEST_F(ElementwiseTest, LegacyBroadcastAlignsAtAxis) {
  ir::Node n = Op("Add");
  SetInt(n, "broadcast", 1);
  SetInt(n, "axis", 0);
  auto out = Run(n, {Make<float>(DataType::kFloat, {2, 3}, {0, 0, 0, 0, 0, 0}), Make<float>(DataType::kFloat, {2}, {1, 2})}, 6);
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_EQ(std::vector<float>(out->data<float>(), out->data<float>() + 6), (std::vector<float>{1, 1, 1, 2, 2, 2}));
}

TEST_F(ElementwiseTest, WhereBroadcastsAllThreeInputs) {
  auto out = Run(Op("Where"), {Make<bool>(DataType::kBool, {2, 1}, {true, false}), Make<int64_t>(DataType::kInt64, {1, 3}, {1, 2, 3}),
                               Make<int64_t>(DataType::kInt64, {}, {-1})});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_EQ(std::vector<int64_t>(out->data<int64_t>(), out->data<int64_t>() + 6), (std::vector<int64_t>{1, 2, 3, -1, -1, -1}));
}

TEST_F(ElementwiseTest, MeanAndMaxBroadcast) {
  auto mean = Run(Op("Mean"), {Make<float>(DataType::kFloat, {2}, {1, 2}), Make<float>(DataType::kFloat, {2, 1}, {3, 5}),
                               Make<float>(DataType::kFloat, {}, {0})});
  ASSERT_TRUE(mean.ok());
  EXPECT_EQ(std::vector<float>(mean->data<float>(), mean->data<float>() + 4), (std::vector<float>{4.0f / 3, 5.0f / 3, 2, 7.0f / 3}));
  const float nan = std::numeric_limits<float>::quiet_NaN();
  auto mx = Run(Op("Max"), {Make<float>(DataType::kFloat, {2}, {nan, 1}), Make<float>(DataType::kFloat, {2}, {0, nan})});
  ASSERT_TRUE(mx.ok());
  EXPECT_TRUE(std::isnan(mx->data<float>()[0]));
  EXPECT_TRUE(std::isnan(mx->data<float>()[1]));
}

TEST_F(ElementwiseTest, ClipBoundsFromInputs) {
  auto x = Make<int32_t>(DataType::kInt32, {3}, {-5, 0, 5});
  auto lo_only = Run(Op("Clip"), {x, Make<int32_t>(DataType::kInt32, {}, {-1})}, 13);
  ASSERT_TRUE(lo_only.ok()) << lo_only.status().ToString();
  EXPECT_EQ(std::vector<int32_t>(lo_only->data<int32_t>(), lo_only->data<int32_t>() + 3), (std::vector<int32_t>{-1, 0, 5}));
  auto inverted = Run(Op("Clip"), {x, Make<int32_t>(DataType::kInt32, {}, {2}), Make<int32_t>(DataType::kInt32, {}, {1})}, 13);
  ASSERT_TRUE(inverted.ok());
  EXPECT_EQ(std::vector<int32_t>(inverted->data<int32_t>(), inverted->data<int32_t>() + 3), (std::vector<int32_t>{1, 1, 1}));
  auto not_scalar = Run(Op("Clip"), {x, Make<int32_t>(DataType::kInt32, {2}, {1, 2})}, 13);
  EXPECT_EQ(not_scalar.status().code(), StatusCode::kInvalidArgument);
}

TEST_F(ElementwiseTest, CastFormatsFloatsLikeNumpy) {
  ir::Node n = Op("Cast");
  SetInt(n, "to", static_cast<int64_t>(DataType::kString));
  const float inf = std::numeric_limits<float>::infinity();
  auto out = Run(n, {Make<float>(DataType::kFloat, {9}, {1e-5f, 100.0f, 0.0001f, 0.001f, 1.5e16f, -0.5f, inf, -0.0f, 0.1f})});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  const std::vector<std::string> want = {"1e-05", "100.0", "1e-04", "0.001", "1.5e+16", "-0.5", "inf", "-0.0", "0.1"};
  // float32(0.0001) is just below 1e-4, so numpy prints it in scientific notation.
  for (size_t i = 0; i < want.size(); ++i) EXPECT_EQ(out->strings()[i], want[i]);
  auto half = Run(n, {Make<Half>(DataType::kFloat16, {1}, {Half(0.1f)})});
  ASSERT_TRUE(half.ok());
  EXPECT_EQ(half->strings()[0], "0.1");
}

TEST_F(ElementwiseTest, CastParsesStringsAndSaturatesFloats) {
  ir::Node n = Op("Cast");
  SetInt(n, "to", static_cast<int64_t>(DataType::kInt32));
  Tensor s = Tensor::Create(DataType::kString, {3}).value();
  s.strings()[0] = " 42 ";
  s.strings()[1] = "-7";
  s.strings()[2] = "2.5";
  auto out = Run(n, {s});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_EQ(std::vector<int32_t>(out->data<int32_t>(), out->data<int32_t>() + 3), (std::vector<int32_t>{42, -7, 2}));
  s.strings()[2] = "abc";
  EXPECT_EQ(Run(n, {s}).status().code(), StatusCode::kInvalidArgument);
  auto sat = Run(n, {Make<float>(DataType::kFloat, {3}, {1e10f, -1e10f, std::numeric_limits<float>::quiet_NaN()})});
  ASSERT_TRUE(sat.ok());
  EXPECT_EQ(sat->data<int32_t>()[0], std::numeric_limits<int32_t>::max());
  EXPECT_EQ(sat->data<int32_t>()[1], std::numeric_limits<int32_t>::min());
  EXPECT_EQ(sat->data<int32_t>()[2], 0);
  SetInt(n, "to", 17);  // float8e4m3fn
  EXPECT_EQ(Run(n, {Make<float>(DataType::kFloat, {1}, {1})}).status().code(), StatusCode::kUnsupported);
}

}  // namespace
}  // namespace edgerun
