// IR -> ModelProto conversion.
#include "onnx/model_writer.h"

#include <limits>
#include <map>
#include <set>

#include "core/file.h"
#include "onnx/onnx_pb.h"
#include "onnx/tensor_proto.h"

namespace edgerun::onnxio {

namespace {

constexpr int kMaxDepth = 64;

Status TypeToProto(const ir::TypeInfo& t, onnx::TypeProto* tp, int depth) {
  if (depth > kMaxDepth) return InvalidArgument("type nesting too deep");
  switch (t.kind) {
    case ir::TypeInfo::Kind::kTensor: {
      auto* tt = tp->mutable_tensor_type();
      tt->set_elem_type(static_cast<int32_t>(t.dtype));
      if (t.has_shape) {
        auto* shape = tt->mutable_shape();
        for (const auto& d : t.dims) {
          auto* dim = shape->add_dim();
          if (d.fixed()) dim->set_dim_value(d.value);
          else if (!d.symbol.empty()) dim->set_dim_param(d.symbol);
        }
      }
      return Status::Ok();
    }
    case ir::TypeInfo::Kind::kSequence:
      if (t.elem) return TypeToProto(*t.elem, tp->mutable_sequence_type()->mutable_elem_type(), depth + 1);
      tp->mutable_sequence_type();
      return Status::Ok();
    case ir::TypeInfo::Kind::kOptional:
      if (t.elem) return TypeToProto(*t.elem, tp->mutable_optional_type()->mutable_elem_type(), depth + 1);
      tp->mutable_optional_type();
      return Status::Ok();
    case ir::TypeInfo::Kind::kMap:
      tp->mutable_map_type();  // key/value types are not kept in the IR
      return Status::Ok();
    case ir::TypeInfo::Kind::kUnknown:
      return Status::Ok();
  }
  return Status::Ok();
}

Status ValueInfoToProto(const ir::ValueInfo& vi, onnx::ValueInfoProto* vp) {
  vp->set_name(vi.name);
  if (vi.type.kind == ir::TypeInfo::Kind::kUnknown) return Status::Ok();
  return TypeToProto(vi.type, vp->mutable_type(), 0).WithContext("value '" + vi.name + "'");
}

Status GraphToProtoAt(const ir::Graph& g, onnx::GraphProto* gp, const WriteOptions& options, int depth);

Status AttributeToProto(const ir::Attribute& a, onnx::AttributeProto* ap, int depth) {
  using T = ir::Attribute::Type;
  ap->set_name(a.name);
  switch (a.type) {
    case T::kFloat: ap->set_type(onnx::AttributeProto::FLOAT); ap->set_f(a.f); break;
    case T::kInt: ap->set_type(onnx::AttributeProto::INT); ap->set_i(a.i); break;
    case T::kString: ap->set_type(onnx::AttributeProto::STRING); ap->set_s(a.s); break;
    case T::kTensor:
      ap->set_type(onnx::AttributeProto::TENSOR);
      EDGERUN_RETURN_IF_ERROR(TensorToProto(a.t, "", ap->mutable_t()));
      break;
    case T::kGraph:
      ap->set_type(onnx::AttributeProto::GRAPH);
      if (!a.g) return InvalidArgument("attribute '" + a.name + "' has no graph");
      EDGERUN_RETURN_IF_ERROR(GraphToProtoAt(*a.g, ap->mutable_g(), {}, depth + 1));
      break;
    case T::kFloats:
      ap->set_type(onnx::AttributeProto::FLOATS);
      for (float f : a.floats) ap->add_floats(f);
      break;
    case T::kInts:
      ap->set_type(onnx::AttributeProto::INTS);
      for (int64_t i : a.ints) ap->add_ints(i);
      break;
    case T::kStrings:
      ap->set_type(onnx::AttributeProto::STRINGS);
      for (const auto& s : a.strings) ap->add_strings(s);
      break;
    case T::kTensors:
      ap->set_type(onnx::AttributeProto::TENSORS);
      for (const auto& t : a.tensors) EDGERUN_RETURN_IF_ERROR(TensorToProto(t, "", ap->add_tensors()));
      break;
    case T::kGraphs:
      ap->set_type(onnx::AttributeProto::GRAPHS);
      for (const auto& g : a.graphs) {
        if (!g) return InvalidArgument("attribute '" + a.name + "' has an empty graph");
        EDGERUN_RETURN_IF_ERROR(GraphToProtoAt(*g, ap->add_graphs(), {}, depth + 1));
      }
      break;
    case T::kTypeProto:
      ap->set_type(onnx::AttributeProto::TYPE_PROTO);
      EDGERUN_RETURN_IF_ERROR(TypeToProto(a.type_proto, ap->mutable_tp(), 0));
      break;
    case T::kUndefined:
      return InvalidArgument("attribute '" + a.name + "' has no type");
  }
  return Status::Ok();
}

Status NodeToProto(const ir::Node& n, onnx::NodeProto* np, int depth) {
  np->set_name(n.name);
  np->set_op_type(n.op_type);
  if (!n.domain.empty()) np->set_domain(n.domain);
  for (const auto& i : n.inputs) np->add_input(i);
  for (const auto& o : n.outputs) np->add_output(o);
  for (const auto& [name, a] : n.attributes) {
    EDGERUN_RETURN_IF_ERROR_CTX(AttributeToProto(a, np->add_attribute(), depth), n.Describe());
  }
  return Status::Ok();
}

Status GraphToProtoAt(const ir::Graph& g, onnx::GraphProto* gp, const WriteOptions& options, int depth) {
  if (depth > kMaxDepth) return InvalidArgument("subgraphs nested deeper than " + std::to_string(kMaxDepth));
  gp->set_name(g.name);
  for (const auto& n : g.nodes) EDGERUN_RETURN_IF_ERROR(NodeToProto(n, gp->add_node(), depth));
  for (const auto& vi : g.inputs) EDGERUN_RETURN_IF_ERROR(ValueInfoToProto(vi, gp->add_input()));
  std::set<std::string> declared_inputs;
  for (const auto& vi : g.inputs) declared_inputs.insert(vi.name);
  for (const auto& [name, t] : g.initializers) {
    if (options.max_initializer_elements >= 0 && t.numel() > options.max_initializer_elements) {
      if (declared_inputs.count(name)) continue;
      ir::ValueInfo vi;
      vi.name = name;
      vi.type.dtype = t.dtype();
      vi.type.has_shape = true;
      for (int64_t d : t.shape()) vi.type.dims.push_back({d, ""});
      EDGERUN_RETURN_IF_ERROR(ValueInfoToProto(vi, gp->add_input()));
      continue;
    }
    EDGERUN_RETURN_IF_ERROR(TensorToProto(t, name, gp->add_initializer()));
  }
  for (const auto& vi : g.outputs) EDGERUN_RETURN_IF_ERROR(ValueInfoToProto(vi, gp->add_output()));
  for (const auto& vi : g.value_infos) EDGERUN_RETURN_IF_ERROR(ValueInfoToProto(vi, gp->add_value_info()));
  return Status::Ok();
}

}  // namespace

Status GraphToProto(const ir::Graph& graph, onnx::GraphProto* graph_proto, const WriteOptions& options) {
  graph_proto->Clear();
  return GraphToProtoAt(graph, graph_proto, options, 0);
}

Status ModelToProto(const Model& model, onnx::ModelProto* proto, const WriteOptions& options) {
  proto->Clear();
  if (!model.graph) return InvalidArgument("model has no graph");
  proto->set_ir_version(model.ir_version > 0 ? model.ir_version : kDefaultIrVersion);
  proto->set_producer_name(model.producer_name.empty() ? "edgerun" : model.producer_name);
  if (!model.producer_version.empty()) proto->set_producer_version(model.producer_version);
  std::map<std::string, int64_t> opsets = model.opsets;
  for (const auto& [d, v] : model.graph->opsets) opsets[d] = v;
  for (const auto& [d, v] : opsets) {
    auto* op = proto->add_opset_import();
    op->set_domain(d);
    op->set_version(v);
  }
  for (const auto& [k, v] : model.metadata) {
    auto* p = proto->add_metadata_props();
    p->set_key(k);
    p->set_value(v);
  }
  return GraphToProto(*model.graph, proto->mutable_graph(), options);
}

Result<std::string> SerializeModel(const Model& model, const WriteOptions& options) {
  onnx::ModelProto proto;
  EDGERUN_RETURN_IF_ERROR(ModelToProto(model, &proto, options));
  const size_t size = proto.ByteSizeLong();
  if (size > static_cast<size_t>(std::numeric_limits<int32_t>::max())) {
    return InvalidArgument("model is " + std::to_string(size) + " bytes, over protobuf's 2 GiB limit");
  }
  std::string bytes;
  if (!proto.SerializeToString(&bytes)) return Internal("serializing the model failed");
  return bytes;
}

Status WriteModelToFile(const Model& model, const std::string& path) {
  std::string bytes;
  EDGERUN_ASSIGN_OR_RETURN(bytes, SerializeModel(model));
  return WriteFileAtomically(path, bytes);
}

}  // namespace edgerun::onnxio
