// The generated requirements table answers as libonnx's schema registry does.
#include "ops/op_schema.h"

#include <gtest/gtest.h>

#include <set>
#include <string>
#include <utility>

#include "onnx/defs/schema.h"

namespace edgerun {
namespace {

OpInputRequirements FromRegistry(const std::string& domain, const std::string& op, int opset) {
  OpInputRequirements r;
  const onnx::OpSchema* schema = onnx::OpSchemaRegistry::Schema(op, opset, domain);
  if (schema == nullptr) return r;
  r.known = true;
  r.min_inputs = schema->min_input();
  r.max_inputs = schema->max_input();
  for (const auto& formal : schema->inputs()) {
    InputRequirement req;
    req.required = formal.GetOption() == onnx::OpSchema::Single;
    req.tensor_only = !formal.GetTypes().empty();
    for (const auto* type : formal.GetTypes()) {
      if (type->rfind("tensor(", 0) != 0) req.tensor_only = false;
      if (type->rfind("optional(", 0) == 0) req.accepts_none = true;
    }
    r.inputs.push_back(req);
  }
  return r;
}

TEST(OpSchemaTest, TableMatchesLibonnxRegistryForEveryOpAndOpset) {
  std::set<std::pair<std::string, std::string>> ops;
  for (const onnx::OpSchema& s : onnx::OpSchemaRegistry::get_all_schemas_with_history()) {
    ops.insert({s.domain(), s.Name()});
  }
  ASSERT_GT(ops.size(), 150u);
  int compared = 0, known = 0;
  for (const auto& [domain, op] : ops) {
    for (int opset = 1; opset <= kNewestKnownOpset; ++opset) {
      SCOPED_TRACE(domain + "::" + op + " opset " + std::to_string(opset));
      const OpInputRequirements want = FromRegistry(domain, op, opset);
      const OpInputRequirements got = GetInputRequirements(domain, op, opset);
      ASSERT_EQ(got.known, want.known);
      ++compared;
      if (!want.known) continue;
      ++known;
      EXPECT_EQ(got.min_inputs, want.min_inputs);
      EXPECT_EQ(got.max_inputs, want.max_inputs);
      ASSERT_EQ(got.inputs.size(), want.inputs.size());
      for (size_t i = 0; i < want.inputs.size(); ++i) {
        EXPECT_EQ(got.inputs[i].required, want.inputs[i].required) << "input " << i;
        EXPECT_EQ(got.inputs[i].tensor_only, want.inputs[i].tensor_only) << "input " << i;
        EXPECT_EQ(got.inputs[i].accepts_none, want.inputs[i].accepts_none) << "input " << i;
      }
    }
  }
  EXPECT_GT(known, 1000);
  EXPECT_GT(compared, known);  // some (op, opset) pairs predate their op
}

TEST(OpSchemaTest, UnknownOpsAndNewerOpsetsAreUnknown) {
  EXPECT_FALSE(GetInputRequirements("", "NoSuchOp", 13).known);
  EXPECT_FALSE(GetInputRequirements("com.example", "Conv", 13).known);
  EXPECT_FALSE(GetInputRequirements("", "Conv", kNewestKnownOpset + 1).known);
  const OpInputRequirements conv = GetInputRequirements("", "Conv", 11);
  ASSERT_TRUE(conv.known);
  EXPECT_EQ(conv.min_inputs, 2);
  EXPECT_EQ(conv.max_inputs, 3);
  ASSERT_EQ(conv.inputs.size(), 3u);
  EXPECT_TRUE(conv.inputs[0].required);
  EXPECT_FALSE(conv.inputs[2].required);  // bias is optional
}

}  // namespace
}  // namespace edgerun
