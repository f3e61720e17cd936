// IR helpers: attribute getters, descriptions, outer-scope analysis.
#include "ir/graph.h"

#include <set>

namespace edgerun::ir {

std::string TypeInfo::ToString() const {
  switch (kind) {
    case Kind::kSequence: return "seq(" + (elem ? elem->ToString() : std::string("?")) + ")";
    case Kind::kOptional: return "optional(" + (elem ? elem->ToString() : std::string("?")) + ")";
    case Kind::kMap: return "map";
    case Kind::kUnknown: return "unknown";
    case Kind::kTensor: break;
  }
  std::string s = DataTypeName(dtype);
  if (!has_shape) return s + "[?]";
  s += "[";
  for (size_t i = 0; i < dims.size(); ++i) {
    if (i) s += ",";
    if (dims[i].fixed()) s += std::to_string(dims[i].value);
    else if (!dims[i].symbol.empty()) s += dims[i].symbol;
    else s += "?";
  }
  return s + "]";
}

const char* AttributeTypeName(Attribute::Type t) {
  switch (t) {
    case Attribute::Type::kUndefined: return "undefined";
    case Attribute::Type::kFloat: return "float";
    case Attribute::Type::kInt: return "int";
    case Attribute::Type::kString: return "string";
    case Attribute::Type::kTensor: return "tensor";
    case Attribute::Type::kGraph: return "graph";
    case Attribute::Type::kFloats: return "floats";
    case Attribute::Type::kInts: return "ints";
    case Attribute::Type::kStrings: return "strings";
    case Attribute::Type::kTensors: return "tensors";
    case Attribute::Type::kGraphs: return "graphs";
    case Attribute::Type::kTypeProto: return "type_proto";
  }
  return "?";
}

std::string Node::Describe() const {
  std::string op = domain.empty() ? op_type : domain + "." + op_type;
  return "node '" + name + "' (" + op + ", opset " + std::to_string(opset) + ")";
}

const Attribute* Node::FindAttribute(const std::string& n) const {
  auto it = attributes.find(n);
  return it == attributes.end() ? nullptr : &it->second;
}

int64_t Node::GetInt(const std::string& n, int64_t def) const {
  const Attribute* a = FindAttribute(n);
  return a ? a->i : def;
}
float Node::GetFloat(const std::string& n, float def) const {
  const Attribute* a = FindAttribute(n);
  return a ? a->f : def;
}
std::string Node::GetString(const std::string& n, const std::string& def) const {
  const Attribute* a = FindAttribute(n);
  return a ? a->s : def;
}
std::vector<int64_t> Node::GetInts(const std::string& n, const std::vector<int64_t>& def) const {
  const Attribute* a = FindAttribute(n);
  return a ? a->ints : def;
}
std::vector<float> Node::GetFloats(const std::string& n, const std::vector<float>& def) const {
  const Attribute* a = FindAttribute(n);
  return a ? a->floats : def;
}
std::vector<std::string> Node::GetStrings(const std::string& n) const {
  const Attribute* a = FindAttribute(n);
  return a ? a->strings : std::vector<std::string>{};
}

std::vector<const ValueInfo*> Graph::RealInputs() const {
  std::vector<const ValueInfo*> r;
  for (const auto& vi : inputs) {
    if (!IsInitializer(vi.name)) r.push_back(&vi);
  }
  return r;
}

std::vector<std::string> Graph::OuterScopeNames() const {
  std::set<std::string> defined;
  for (const auto& vi : inputs) defined.insert(vi.name);
  for (const auto& [n, t] : initializers) defined.insert(n);
  for (const auto& node : nodes) {
    for (const auto& o : node.outputs) {
      if (!o.empty()) defined.insert(o);
    }
  }
  std::vector<std::string> result;
  std::set<std::string> seen;
  auto use = [&](const std::string& n) {
    if (!n.empty() && !defined.count(n) && seen.insert(n).second) result.push_back(n);
  };
  for (const auto& node : nodes) {
    for (const auto& in : node.inputs) use(in);
    for (const auto& [an, attr] : node.attributes) {
      if (attr.g) {
        for (const auto& n : attr.g->OuterScopeNames()) use(n);
      }
      for (const auto& g : attr.graphs) {
        for (const auto& n : g->OuterScopeNames()) use(n);
      }
    }
  }
  for (const auto& o : outputs) use(o.name);
  return result;
}

}  // namespace edgerun::ir
