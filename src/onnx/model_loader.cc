// ModelProto -> IR conversion.
#include "onnx/model_loader.h"

#include <filesystem>
#include <limits>
#include <optional>
#include <set>
#include <string_view>
#include <vector>

#include "core/file.h"
#include "onnx/onnx_pb.h"
#include "onnx/raw_data_split.h"
#include "onnx/tensor_proto.h"
#include "ops/op_list.h"

namespace edgerun::onnxio {

namespace {

constexpr int kMaxSubgraphDepth = 64;

struct LoadContext {
  std::string base_dir;
  std::map<std::string, int64_t> opsets;
  std::map<std::string, const onnx::FunctionProto*> functions;  // key: domain + ":" + name
};

using RawDataList = std::vector<std::optional<std::string_view>>;

// raw_data: the top-level graph's initializers' raw data when it was split off before parsing
// (raw_data_split.h), else nullptr.
Status ConvertGraph(const onnx::GraphProto& gp, const LoadContext& lc, int depth, ir::Graph* out,
                    const RawDataList* raw_data = nullptr);

Status ConvertType(const onnx::TypeProto& tp, ir::TypeInfo* out, int depth) {
  if (depth > kMaxSubgraphDepth) return Corruption("type nesting too deep");
  if (tp.has_tensor_type()) {
    out->kind = ir::TypeInfo::Kind::kTensor;
    out->dtype = IsKnownDataType(tp.tensor_type().elem_type()) ? static_cast<DataType>(tp.tensor_type().elem_type())
                                                               : DataType::kUndefined;
    out->has_shape = tp.tensor_type().has_shape();
    for (const auto& d : tp.tensor_type().shape().dim()) {
      ir::Dim dim;
      if (d.has_dim_value()) dim.value = d.dim_value();
      else if (d.has_dim_param()) dim.symbol = d.dim_param();
      out->dims.push_back(dim);
    }
  } else if (tp.has_sequence_type()) {
    out->kind = ir::TypeInfo::Kind::kSequence;
    out->elem = std::make_shared<ir::TypeInfo>();
    EDGERUN_RETURN_IF_ERROR(ConvertType(tp.sequence_type().elem_type(), out->elem.get(), depth + 1));
  } else if (tp.has_optional_type()) {
    out->kind = ir::TypeInfo::Kind::kOptional;
    out->elem = std::make_shared<ir::TypeInfo>();
    EDGERUN_RETURN_IF_ERROR(ConvertType(tp.optional_type().elem_type(), out->elem.get(), depth + 1));
  } else if (tp.has_map_type()) {
    out->kind = ir::TypeInfo::Kind::kMap;
  } else {
    out->kind = ir::TypeInfo::Kind::kUnknown;
  }
  return Status::Ok();
}

Status ConvertValueInfo(const onnx::ValueInfoProto& vp, ir::ValueInfo* out) {
  out->name = vp.name();
  if (vp.has_type()) {
    EDGERUN_RETURN_IF_ERROR_CTX(ConvertType(vp.type(), &out->type, 0), "value '" + vp.name() + "'");
  } else {
    out->type.kind = ir::TypeInfo::Kind::kUnknown;
  }
  return Status::Ok();
}

Status ConvertAttribute(const onnx::AttributeProto& ap, const LoadContext& lc, int depth, ir::Attribute* out) {
  using T = ir::Attribute::Type;
  out->name = ap.name();
  if (!ap.ref_attr_name().empty()) {
    return Unsupported("attribute '" + ap.name() + "' refers to function attribute '" + ap.ref_attr_name() + "'");
  }
  switch (ap.type()) {
    case onnx::AttributeProto::FLOAT: out->type = T::kFloat; out->f = ap.f(); break;
    case onnx::AttributeProto::INT: out->type = T::kInt; out->i = ap.i(); break;
    case onnx::AttributeProto::STRING: out->type = T::kString; out->s = ap.s(); break;
    case onnx::AttributeProto::TENSOR: {
      out->type = T::kTensor;
      EDGERUN_ASSIGN_OR_RETURN(out->t, TensorFromProto(ap.t(), lc.base_dir));
      break;
    }
    case onnx::AttributeProto::GRAPH: {
      out->type = T::kGraph;
      out->g = std::make_shared<ir::Graph>();
      EDGERUN_RETURN_IF_ERROR(ConvertGraph(ap.g(), lc, depth + 1, out->g.get()));
      break;
    }
    case onnx::AttributeProto::FLOATS: out->type = T::kFloats; out->floats.assign(ap.floats().begin(), ap.floats().end()); break;
    case onnx::AttributeProto::INTS: out->type = T::kInts; out->ints.assign(ap.ints().begin(), ap.ints().end()); break;
    case onnx::AttributeProto::STRINGS: out->type = T::kStrings; out->strings.assign(ap.strings().begin(), ap.strings().end()); break;
    case onnx::AttributeProto::TENSORS: {
      out->type = T::kTensors;
      for (const auto& tp : ap.tensors()) {
        Tensor t;
        EDGERUN_ASSIGN_OR_RETURN(t, TensorFromProto(tp, lc.base_dir));
        out->tensors.push_back(std::move(t));
      }
      break;
    }
    case onnx::AttributeProto::GRAPHS: {
      out->type = T::kGraphs;
      for (const auto& gp : ap.graphs()) {
        auto g = std::make_shared<ir::Graph>();
        EDGERUN_RETURN_IF_ERROR(ConvertGraph(gp, lc, depth + 1, g.get()));
        out->graphs.push_back(std::move(g));
      }
      break;
    }
    case onnx::AttributeProto::TYPE_PROTO: {
      out->type = T::kTypeProto;
      EDGERUN_RETURN_IF_ERROR(ConvertType(ap.tp(), &out->type_proto, 0));
      break;
    }
    case onnx::AttributeProto::SPARSE_TENSOR:
    case onnx::AttributeProto::SPARSE_TENSORS:
      return Unsupported("attribute '" + ap.name() + "': sparse tensors are not supported");
    default:
      return Corruption("attribute '" + ap.name() + "' has unknown type " + std::to_string(ap.type()));
  }
  return Status::Ok();
}

Status ConvertNode(const onnx::NodeProto& np, const LoadContext& lc, int depth, ir::Node* out) {
  out->name = np.name();
  out->op_type = np.op_type();
  out->domain = np.domain() == "ai.onnx" ? "" : np.domain();
  auto it = lc.opsets.find(out->domain);
  out->opset = it == lc.opsets.end() ? 0 : static_cast<int>(it->second);
  out->inputs.assign(np.input().begin(), np.input().end());
  out->outputs.assign(np.output().begin(), np.output().end());
  for (const auto& ap : np.attribute()) {
    ir::Attribute attr;
    EDGERUN_RETURN_IF_ERROR_CTX(ConvertAttribute(ap, lc, depth, &attr), out->Describe());
    if (out->attributes.count(attr.name)) {
      return Corruption(out->Describe() + ": attribute '" + attr.name + "' appears twice");
    }
    std::string key = attr.name;
    out->attributes.emplace(key, std::move(attr));
  }
  return Status::Ok();
}

Status ConvertGraph(const onnx::GraphProto& gp, const LoadContext& lc, int depth, ir::Graph* out,
                    const RawDataList* raw_data) {
  if (depth > kMaxSubgraphDepth) return Corruption("subgraphs nested deeper than " + std::to_string(kMaxSubgraphDepth));
  out->name = gp.name();
  out->opsets = lc.opsets;
  if (raw_data && raw_data->size() != static_cast<size_t>(gp.initializer_size())) {
    return Internal("graph '" + gp.name() + "': " + std::to_string(raw_data->size()) + " split raw_data entries for " +
                    std::to_string(gp.initializer_size()) + " initializers");
  }
  for (int i = 0; i < gp.initializer_size(); ++i) {
    const onnx::TensorProto& tp = gp.initializer(i);
    Tensor t;
    EDGERUN_ASSIGN_OR_RETURN(t, TensorFromProto(tp, lc.base_dir, raw_data ? (*raw_data)[static_cast<size_t>(i)]
                                                                          : std::nullopt));
    if (tp.name().empty()) return Corruption("graph '" + gp.name() + "': initializer without a name");
    out->initializers[tp.name()] = std::move(t);
  }
  if (gp.sparse_initializer_size() > 0) return Unsupported("graph '" + gp.name() + "': sparse initializers are not supported");
  for (const auto& vp : gp.input()) {
    ir::ValueInfo vi;
    EDGERUN_RETURN_IF_ERROR(ConvertValueInfo(vp, &vi));
    out->inputs.push_back(std::move(vi));
  }
  for (const auto& vp : gp.output()) {
    ir::ValueInfo vi;
    EDGERUN_RETURN_IF_ERROR(ConvertValueInfo(vp, &vi));
    out->outputs.push_back(std::move(vi));
  }
  for (const auto& vp : gp.value_info()) {
    ir::ValueInfo vi;
    EDGERUN_RETURN_IF_ERROR(ConvertValueInfo(vp, &vi));
    out->value_infos.push_back(std::move(vi));
  }
  int index = 0;
  for (const auto& np : gp.node()) {
    ir::Node node;
    EDGERUN_RETURN_IF_ERROR(ConvertNode(np, lc, depth, &node));
    if (node.name.empty()) node.name = node.op_type + "_" + std::to_string(index);
    ++index;
    out->nodes.push_back(std::move(node));
  }
  return Status::Ok();
}

// Replaces calls to model-local functions by their bodies (renaming internals uniquely).
Status InlineFunctions(ir::Graph* g, const std::map<std::string, std::shared_ptr<ir::Graph>>& bodies,
                       const std::map<std::string, std::vector<std::string>>& fn_inputs,
                       const std::map<std::string, std::vector<std::string>>& fn_outputs, int depth, int* counter) {
  if (depth > 16) return Corruption("model-local functions nested deeper than 16");
  std::vector<ir::Node> result;
  for (auto& node : g->nodes) {
    for (auto& [n, a] : node.attributes) {
      if (a.g) EDGERUN_RETURN_IF_ERROR(InlineFunctions(a.g.get(), bodies, fn_inputs, fn_outputs, depth, counter));
      for (auto& sg : a.graphs) EDGERUN_RETURN_IF_ERROR(InlineFunctions(sg.get(), bodies, fn_inputs, fn_outputs, depth, counter));
    }
    std::string key = node.domain + ":" + node.op_type;
    auto it = bodies.find(key);
    if (it == bodies.end()) {
      result.push_back(std::move(node));
      continue;
    }
    ir::Graph body = *it->second;
    EDGERUN_RETURN_IF_ERROR(InlineFunctions(&body, bodies, fn_inputs, fn_outputs, depth + 1, counter));
    const auto& formals_in = fn_inputs.at(key);
    const auto& formals_out = fn_outputs.at(key);
    std::map<std::string, std::string> rename;
    for (size_t i = 0; i < formals_in.size(); ++i) rename[formals_in[i]] = i < node.inputs.size() ? node.inputs[i] : "";
    for (size_t i = 0; i < formals_out.size(); ++i) rename[formals_out[i]] = i < node.outputs.size() ? node.outputs[i] : "";
    std::string prefix = "__fn" + std::to_string((*counter)++) + "_";
    auto map_name = [&](const std::string& n) -> std::string {
      if (n.empty()) return n;
      auto r = rename.find(n);
      if (r != rename.end()) return r->second;
      return prefix + n;
    };
    for (auto& bn : body.nodes) {
      for (auto& in : bn.inputs) in = map_name(in);
      for (auto& o : bn.outputs) o = map_name(o);
      // Attribute references to the caller's attributes.
      for (auto& [an, a] : bn.attributes) (void)an, (void)a;
      bn.name = prefix + bn.name;
      result.push_back(std::move(bn));
    }
  }
  g->nodes = std::move(result);
  return Status::Ok();
}

Status ConvertFunctions(const onnx::ModelProto& mp, LoadContext& lc, ir::Graph* main) {
  if (mp.functions_size() == 0) return Status::Ok();
  std::map<std::string, std::shared_ptr<ir::Graph>> bodies;
  std::map<std::string, std::vector<std::string>> ins, outs;
  for (const auto& fp : mp.functions()) {
    std::string key = (fp.domain() == "ai.onnx" ? "" : fp.domain()) + ":" + fp.name();
    LoadContext flc = lc;
    for (const auto& op : fp.opset_import()) flc.opsets[op.domain() == "ai.onnx" ? "" : op.domain()] = op.version();
    auto g = std::make_shared<ir::Graph>();
    g->opsets = flc.opsets;
    for (const auto& np : fp.node()) {
      for (const auto& ap : np.attribute()) {
        if (!ap.ref_attr_name().empty()) {
          return Unsupported("function '" + fp.name() + "': attribute references are not supported");
        }
      }
      ir::Node node;
      EDGERUN_RETURN_IF_ERROR_CTX(ConvertNode(np, flc, 1, &node), "function '" + fp.name() + "'");
      if (node.name.empty()) node.name = node.op_type;
      g->nodes.push_back(std::move(node));
    }
    bodies[key] = g;
    ins[key].assign(fp.input().begin(), fp.input().end());
    outs[key].assign(fp.output().begin(), fp.output().end());
  }
  int counter = 0;
  return InlineFunctions(main, bodies, ins, outs, 0, &counter);
}

}  // namespace

Result<Model> LoadModelFromBytes(const std::string& bytes, const std::string& base_dir) {
  return LoadModelFromArray(bytes.data(), bytes.size(), base_dir);
}

Result<Model> LoadModelFromArray(const char* data, size_t size, const std::string& base_dir) {
  if (size == 0) return Corruption("model is empty (0 bytes)");
  if (size > static_cast<size_t>(std::numeric_limits<int>::max())) {
    return Corruption("model is " + std::to_string(size) +
                      " bytes: protobuf cannot parse messages over 2 GiB (store large weights as external data)");
  }
  // Weights are copied once, from `data` into the tensors, when the raw data can be split off
  // (raw_data_split.h); otherwise protobuf parses (and copies) everything.
  SplitModel split;
  const bool is_split = SplitRawData(data, size, &split);
  onnx::ModelProto mp;
  bool parsed = is_split && mp.ParseFromArray(split.structure.data(), static_cast<int>(split.structure.size()));
  if (!parsed) mp.Clear();
  if (!parsed && !mp.ParseFromArray(data, static_cast<int>(size))) {
    return Corruption("not a valid ONNX model: protobuf parsing failed (" + std::to_string(size) +
                      " bytes; truncated or not an ONNX file)");
  }
  if (!mp.has_graph()) return Corruption("not a valid ONNX model: no graph (is this an ONNX file?)");
  if (mp.ir_version() <= 0) return Corruption("not a valid ONNX model: ir_version is missing");
  Model m;
  m.ir_version = mp.ir_version();
  m.producer_name = mp.producer_name();
  m.producer_version = mp.producer_version();
  for (const auto& p : mp.metadata_props()) m.metadata[p.key()] = p.value();
  LoadContext lc;
  lc.base_dir = base_dir;
  for (const auto& op : mp.opset_import()) {
    std::string d = op.domain() == "ai.onnx" ? "" : op.domain();
    lc.opsets[d] = op.version();
  }
  if (mp.opset_import_size() == 0) lc.opsets[""] = 1;  // IR v2 models without imports
  std::set<std::string> fn_domains;
  for (const auto& fp : mp.functions()) fn_domains.insert(fp.domain());
  for (const auto& [d, v] : lc.opsets) {
    if (d.empty()) {
      if (v > kMaxDefaultOpset) {
        return Unsupported("model imports opset " + std::to_string(v) + " of the default ONNX domain; edgerun supports opsets " +
                           std::to_string(kMinDefaultOpset) + " to " + std::to_string(kMaxDefaultOpset));
      }
      if (v < kMinDefaultOpset) return Corruption("model imports invalid opset " + std::to_string(v));
    }
  }
  m.opsets = lc.opsets;
  m.graph = std::make_shared<ir::Graph>();
  EDGERUN_RETURN_IF_ERROR(ConvertGraph(mp.graph(), lc, 0, m.graph.get(), parsed ? &split.raw_data : nullptr));
  EDGERUN_RETURN_IF_ERROR(ConvertFunctions(mp, lc, m.graph.get()));
  return m;
}

Result<Model> LoadModelFromFile(const std::string& path) {
  MappedFile file;
  EDGERUN_ASSIGN_OR_RETURN(file, MapFile(path));
  auto dir = std::filesystem::path(path).parent_path().string();
  auto m = LoadModelFromArray(file.data(), file.size(), dir);
  if (!m.ok()) return m.status().WithContext("'" + path + "'");
  return m;
}

}  // namespace edgerun::onnxio
