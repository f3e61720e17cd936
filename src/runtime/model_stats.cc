// Operator histogram, parameter counts, FLOP estimates and support checks.
#include "runtime/model_stats.h"

#include "ops/op_list.h"

namespace edgerun {

namespace {

// Static shape with dynamic dims as 1; false when rank is unknown.
bool ShapeOf(const onnxio::InferredShapes& s, const std::string& name, Shape* out) {
  auto it = s.types.find(name);
  if (it == s.types.end() || it->second.kind != ir::TypeInfo::Kind::kTensor || !it->second.has_shape) return false;
  out->clear();
  for (const auto& d : it->second.dims) out->push_back(d.fixed() ? d.value : 1);
  return true;
}

int64_t Prod(const Shape& s, size_t from = 0, size_t to = SIZE_MAX) {
  int64_t p = 1;
  for (size_t i = from; i < s.size() && i < to; ++i) p *= s[i];
  return p;
}

// Returns -1 when unknown.
int64_t NodeFlops(const ir::Node& n, const onnxio::InferredShapes& s) {
  Shape in0, in1, out0;
  const bool has_in0 = !n.inputs.empty() && ShapeOf(s, n.inputs[0], &in0);
  const bool has_in1 = n.inputs.size() > 1 && ShapeOf(s, n.inputs[1], &in1);
  const bool has_out0 = !n.outputs.empty() && ShapeOf(s, n.outputs[0], &out0);
  const std::string& op = n.op_type;
  if (op == "Conv" || op == "ConvInteger" || op == "QLinearConv") {
    const size_t w = op == "QLinearConv" ? 3 : 1;
    Shape ws;
    if (!has_out0 || n.inputs.size() <= w || !ShapeOf(s, n.inputs[w], &ws) || ws.size() < 2) return -1;
    // out: N, Cout, spatial...; weights: Cout, Cin/group, k...
    return 2 * Prod(out0) * Prod(ws, 1);
  }
  if (op == "ConvTranspose") {
    if (!has_in0 || !has_in1 || in1.size() < 2) return -1;
    return 2 * Prod(in0) * Prod(in1, 1);
  }
  if (op == "Gemm") {
    if (!has_out0 || !has_in0 || in0.size() != 2) return -1;
    const int64_t k = n.GetInt("transA", 0) ? in0[0] : in0[1];
    return 2 * Prod(out0) * k;
  }
  if (op == "MatMul" || op == "MatMulInteger" || op == "QLinearMatMul") {
    if (!has_out0 || !has_in0 || in0.empty()) return -1;
    return 2 * Prod(out0) * in0.back();
  }
  if (op == "LSTM" || op == "GRU" || op == "RNN") {
    Shape w, r;
    if (!has_in0 || in0.size() != 3 || !has_in1 || in1.size() != 3) return -1;
    if (n.inputs.size() < 3 || !ShapeOf(s, n.inputs[2], &r) || r.size() != 3) return -1;
    const int64_t seq = in0[0], batch = in0[1];
    // W: [dirs, gates*hidden, input], R: [dirs, gates*hidden, hidden]
    return 2 * seq * batch * in1[0] * in1[1] * (in1[2] + r[2]);
  }
  if (op == "MaxPool" || op == "AveragePool" || op == "LpPool") {
    if (!has_out0) return -1;
    return Prod(out0) * Prod(n.GetInts("kernel_shape"));
  }
  if (op == "GlobalAveragePool" || op == "GlobalMaxPool" || op == "ReduceMean" || op == "ReduceSum" ||
      op == "ReduceMax" || op == "ReduceMin") {
    return has_in0 ? Prod(in0) : -1;
  }
  if (op == "BatchNormalization" || op == "InstanceNormalization" || op == "LayerNormalization" ||
      op == "GroupNormalization") {
    return has_in0 ? 4 * Prod(in0) : -1;
  }
  if (op == "Softmax" || op == "LogSoftmax") return has_in0 ? 3 * Prod(in0) : -1;
  static const char* kElementwise[] = {"Add", "Sub", "Mul", "Div", "Relu", "LeakyRelu", "PRelu", "Sigmoid", "Tanh",
                                       "Clip", "HardSwish", "HardSigmoid", "Elu", "Selu", "Gelu", "Erf", "Exp", "Log",
                                       "Sqrt", "Pow", "Neg", "Abs", "Max", "Min", "Sum", "Mean", "Softplus", "Mish"};
  for (const char* e : kElementwise) {
    if (op == e) return has_out0 ? Prod(out0) : -1;
  }
  return 0;  // data movement and shape ops: no arithmetic counted
}

void Walk(const ir::Graph& g, const onnxio::InferredShapes& shapes, const KernelRegistry& registry, ModelStats* st) {
  for (const auto& [name, t] : g.initializers) {
    st->parameter_count += t.numel();
    st->parameter_bytes += static_cast<int64_t>(t.nbytes());
  }
  for (const auto& n : g.nodes) {
    st->op_histogram[n.domain.empty() ? n.op_type : n.domain + "." + n.op_type]++;
    st->node_count++;
    if (!IsKnownDomain(n.domain)) {
      st->unsupported.push_back({n.Describe(), "unknown domain '" + n.domain + "'"});
    } else if (!IsKnownOp(n.domain, n.op_type)) {
      st->unsupported.push_back({n.Describe(), "unknown operator"});
    } else if (!registry.Find(n.domain, n.op_type, n.opset)) {
      st->unsupported.push_back({n.Describe(), "no kernel for this operator at opset " + std::to_string(n.opset)});
    }
    int64_t f = NodeFlops(n, shapes);
    if (f < 0) {
      st->flops_known = false;
      st->flops_unknown_nodes.push_back(n.name);
    } else {
      st->flops += f;
      if (f > 0) st->flops_by_op[n.op_type] += f;
    }
    for (const auto& [an, a] : n.attributes) {
      if (a.g) Walk(*a.g, shapes, registry, st);
      for (const auto& sg : a.graphs) Walk(*sg, shapes, registry, st);
    }
  }
}

}  // namespace

ModelStats ComputeModelStats(const ir::Graph& graph, const onnxio::InferredShapes& shapes, const KernelRegistry& registry) {
  ModelStats st;
  Walk(graph, shapes, registry, &st);
  return st;
}

}  // namespace edgerun
