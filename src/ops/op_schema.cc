// Operator input requirements from the generated schema table (ops/op_requirements_table.h).
#include "ops/op_schema.h"

#include <algorithm>
#include <cstring>

#include "ops/op_requirements_table.h"

namespace edgerun {

namespace {

// The schema libonnx's OpSchemaRegistry::Schema(op, opset, domain) would return: the newest
// since_version at or below `opset`.
const op_table::SchemaEntry* FindSchema(const std::string& domain, const std::string& op_type, int opset) {
  const std::string& d = domain;
  auto less = [](const op_table::SchemaEntry& e, const std::pair<const std::string*, const std::string*>& key) {
    const int c = std::strcmp(e.domain, key.first->c_str());
    return c < 0 || (c == 0 && std::strcmp(e.op, key.second->c_str()) < 0);
  };
  const op_table::SchemaEntry* begin = op_table::kEntries;
  const op_table::SchemaEntry* end = op_table::kEntries + op_table::kNumEntries;
  const op_table::SchemaEntry* it = std::lower_bound(begin, end, std::make_pair(&d, &op_type), less);
  const op_table::SchemaEntry* best = nullptr;
  for (; it != end && d == it->domain && op_type == it->op; ++it) {
    if (it->since_version <= opset) best = it;
  }
  return best;
}

}  // namespace

OpInputRequirements GetInputRequirements(const std::string& domain, const std::string& op_type, int opset) {
  OpInputRequirements r;
  // Newer opsets changed some signatures (axes as inputs at 18...): no guessing from old schemas.
  if (domain.empty() && opset > kNewestKnownOpset) return r;
  const op_table::SchemaEntry* schema = FindSchema(domain, op_type, opset);
  if (schema == nullptr) return r;
  r.known = true;
  r.min_inputs = schema->min_inputs;
  r.max_inputs = schema->max_inputs;
  for (uint32_t i = 0; i < schema->num_inputs; ++i) {
    const op_table::InputFlags& f = op_table::kInputs[schema->first_input + i];
    r.inputs.push_back(InputRequirement{f.required, f.tensor_only, f.accepts_none});
  }
  return r;
}

}  // namespace edgerun
