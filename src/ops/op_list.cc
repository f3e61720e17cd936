// ops.def expanded into a lookup table.
#include "ops/op_list.h"

#include <set>
#include <utility>

namespace edgerun {

namespace {
const std::set<std::pair<std::string, std::string>>& OpSet() {
  static const auto* ops = new std::set<std::pair<std::string, std::string>>{
#define EDGERUN_OP(domain, name) {domain, #name},
#include "ops/ops.def"
#undef EDGERUN_OP
  };
  return *ops;
}
}  // namespace

bool IsKnownOp(const std::string& domain, const std::string& op_type) {
  const std::string d = domain == "ai.onnx" ? "" : domain;
  return OpSet().count({d, op_type}) > 0;
}

bool IsKnownDomain(const std::string& domain) {
  return domain.empty() || domain == "ai.onnx" || domain == "ai.onnx.preview.training" ||
         domain == kEdgerunDomain;
}

}  // namespace edgerun
