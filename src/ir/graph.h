// The engine's intermediate representation: a Graph of Nodes connected by named values,
// with initializers and typed graph inputs/outputs. Subgraphs (If/Loop/Scan bodies) hang off
// node attributes. Independent of ONNX's protobuf types.
// Thread-safety: immutable after construction; concurrent readers are safe.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "edgerun/tensor.h"

namespace edgerun::ir {

class Graph;

// One dimension of a declared shape: a fixed size, a symbolic name, or unknown.
struct Dim {
  int64_t value = -1;  // >= 0 when fixed
  std::string symbol;  // non-empty for named dynamic dims
  bool fixed() const { return value >= 0; }
};

// Declared type of a graph input/output/value_info.
struct TypeInfo {
  enum class Kind { kTensor, kSequence, kOptional, kMap, kUnknown };
  Kind kind = Kind::kTensor;
  DataType dtype = DataType::kUndefined;
  bool has_shape = false;  // false: rank unknown
  std::vector<Dim> dims;
  std::shared_ptr<TypeInfo> elem;  // element type for sequence/optional

  std::string ToString() const;
};

struct ValueInfo {
  std::string name;
  TypeInfo type;
};

struct Attribute {
  enum class Type { kUndefined, kFloat, kInt, kString, kTensor, kGraph, kFloats, kInts, kStrings, kTensors, kGraphs, kTypeProto };
  std::string name;
  Type type = Type::kUndefined;
  float f = 0;
  int64_t i = 0;
  std::string s;
  Tensor t;
  std::shared_ptr<Graph> g;
  std::vector<float> floats;
  std::vector<int64_t> ints;
  std::vector<std::string> strings;
  std::vector<Tensor> tensors;
  std::vector<std::shared_ptr<Graph>> graphs;
  TypeInfo type_proto;
};

const char* AttributeTypeName(Attribute::Type t);

struct Node {
  std::string name;
  std::string op_type;
  std::string domain;  // "" for the default ONNX domain
  int opset = 0;       // opset version of the node's domain, from the model's imports
  std::vector<std::string> inputs;   // "" marks an omitted optional input
  std::vector<std::string> outputs;  // "" marks an omitted optional output
  std::map<std::string, Attribute> attributes;

  // "node 'conv_3' (Conv, opset 13)"
  std::string Describe() const;

  const Attribute* FindAttribute(const std::string& n) const;
  bool HasAttribute(const std::string& n) const { return FindAttribute(n) != nullptr; }
  // Typed getters returning a default when the attribute is absent.
  int64_t GetInt(const std::string& n, int64_t def) const;
  float GetFloat(const std::string& n, float def) const;
  std::string GetString(const std::string& n, const std::string& def) const;
  std::vector<int64_t> GetInts(const std::string& n, const std::vector<int64_t>& def = {}) const;
  std::vector<float> GetFloats(const std::string& n, const std::vector<float>& def = {}) const;
  std::vector<std::string> GetStrings(const std::string& n) const;
  bool num_inputs_at_least(size_t k) const { return inputs.size() >= k; }
  // True when input i exists and is not the empty name.
  bool HasInput(size_t i) const { return i < inputs.size() && !inputs[i].empty(); }
};

class Graph {
 public:
  std::string name;
  std::vector<Node> nodes;
  std::vector<ValueInfo> inputs;   // includes initializers listed as inputs (IR < 4 style)
  std::vector<ValueInfo> outputs;
  std::vector<ValueInfo> value_infos;
  std::map<std::string, Tensor> initializers;
  // Opset per domain ("" for default), copied into subgraphs.
  std::map<std::string, int64_t> opsets;

  bool IsInitializer(const std::string& n) const { return initializers.count(n) > 0; }
  // Graph inputs that are not initializers: what a caller must feed.
  std::vector<const ValueInfo*> RealInputs() const;
  // Names referenced inside this graph (including nested subgraphs) that are produced
  // neither here nor by a graph input/initializer: they come from an enclosing scope.
  std::vector<std::string> OuterScopeNames() const;
};

}  // namespace edgerun::ir
