// Tests for the reference FusedConv: equals Conv followed by the residual add and activation.
#include <gtest/gtest.h>

#include <cmath>

#include "kernels/reference/kernel_test_util.h"
#include "ops/op_list.h"

namespace edgerun {
namespace {

using namespace kernel_test;

Result<std::vector<Tensor>> RunFused(Attrs attrs, const std::vector<Tensor>& inputs) {
  ir::Node node = MakeNode("FusedConv", 1, std::move(attrs), inputs, 1);
  node.domain = kEdgerunDomain;
  const KernelFactory* f = ReferenceRegistry().Find(kEdgerunDomain, "FusedConv", 1);
  if (f == nullptr) return NotFound("no FusedConv kernel");
  KernelCreateContext kc{node, 1, nullptr};
  std::unique_ptr<Kernel> kernel;
  EDGERUN_ASSIGN_OR_RETURN(kernel, (*f)(kc));
  std::vector<RValue> in_values;
  for (const Tensor& t : inputs) in_values.push_back(t.defined() ? RValue::FromTensor(t) : RValue());
  std::vector<const RValue*> in_ptrs;
  for (const RValue& v : in_values) in_ptrs.push_back(v.is_none() ? nullptr : &v);
  std::vector<RValue> outs(1);
  KernelContext ctx(node, in_ptrs, &outs, nullptr);
  EDGERUN_RETURN_IF_ERROR(kernel->Run(ctx));
  return std::vector<Tensor>{outs[0].tensor};
}

float Act(const std::string& a, float x) {
  if (a == "Relu") return std::max(x, 0.0f);
  if (a == "Clip") return std::min(std::max(x, -0.5f), 0.5f);
  if (a == "Sigmoid") return 1.0f / (1.0f + std::exp(-x));
  if (a == "Tanh") return std::tanh(x);
  if (a == "HardSigmoid") return std::max(0.0f, std::min(1.0f, 0.3f * x + 0.4f));
  if (a == "HardSwish") return x * std::max(0.0f, std::min(1.0f, x / 6.0f + 0.5f));
  if (a == "LeakyRelu") return x >= 0 ? x : 0.1f * x;
  return x;
}

std::vector<float> Params(const std::string& a) {
  if (a == "Clip") return {-0.5f, 0.5f};
  if (a == "HardSigmoid") return {0.3f, 0.4f};
  if (a == "LeakyRelu") return {0.1f};
  return {};
}

TEST(FusedConvTest, MatchesConvPlusResidualPlusActivation) {
  Tensor x = F32({1, 2, 4, 4}, Iota(32, -1.0f, 0.07f));
  Tensor w = F32({3, 2, 3, 3}, Iota(54, -0.5f, 0.02f));
  Tensor b = F32({3}, {0.1f, -0.2f, 0.3f});
  Tensor z = F32({1, 3, 4, 4}, Iota(48, 0.5f, -0.03f));
  auto conv = RunOp("Conv", 11, {{"pads", IntsAttr({1, 1, 1, 1})}}, {x, w, b});
  ASSERT_TRUE(conv.ok()) << conv.status().ToString();
  for (const std::string a : {"", "Relu", "Clip", "Sigmoid", "Tanh", "HardSigmoid", "HardSwish", "LeakyRelu"}) {
    for (bool with_z : {false, true}) {
      SCOPED_TRACE(a + (with_z ? " with Z" : ""));
      std::vector<Tensor> ins = {x, w, b};
      if (with_z) ins.push_back(z);
      auto y = RunFused({{"pads", IntsAttr({1, 1, 1, 1})}, {"activation", StringAttr(a)}, {"activation_params", FloatsAttr(Params(a))}},
                        ins);
      ASSERT_TRUE(y.ok()) << y.status().ToString();
      ASSERT_EQ((*y)[0].shape(), (*conv)[0].shape());
      std::vector<float> want;
      for (int64_t i = 0; i < (*conv)[0].numel(); ++i) {
        want.push_back(Act(a, (*conv)[0].data<float>()[i] + (with_z ? z.data<float>()[i] : 0.0f)));
      }
      ExpectNear(Values<float>((*y)[0]), want);
    }
  }
}

TEST(FusedConvTest, RejectsUnknownActivationsAndMismatchedResiduals) {
  Tensor x = F32({1, 1, 3, 3}, Iota(9));
  Tensor w = F32({1, 1, 1, 1}, {2});
  EXPECT_EQ(RunFused({{"activation", StringAttr("Gelu")}}, {x, w}).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(RunFused({{"activation", StringAttr("Clip")}, {"activation_params", FloatsAttr({1})}}, {x, w}).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(RunFused({}, {x, w, Tensor(), F32({1, 1, 2, 2}, {})}).status().code(), StatusCode::kInvalidArgument);
  auto ok = RunFused({}, {x, w, Tensor(), F32({1, 1, 3, 3}, Iota(9))});
  ASSERT_TRUE(ok.ok()) << ok.status().ToString();
  EXPECT_EQ(Values<float>((*ok)[0])[4], 3 * 4.0f);
}

}  // namespace
}  // namespace edgerun
