// If and Loop: run compiled subgraphs chosen or repeated at run time.
#include "kernels/reference/control_flow.h"

#include <cstring>

#include "kernels/reference/broadcast.h"

namespace edgerun {

namespace {

Result<bool> ReadCondition(const Tensor& t, const char* what) {
  if (t.numel() != 1) return InvalidArgument(std::string(what) + " must have exactly one element, got shape " + ShapeToString(t.shape()));
  if (t.dtype() != DataType::kBool) return InvalidArgument(std::string(what) + " must be bool, got " + DataTypeName(t.dtype()));
  return t.data<bool>()[0];
}

Result<std::unique_ptr<SubgraphRunner>> CompileGraphAttr(const KernelCreateContext& kc, const char* name) {
  const ir::Attribute* a = kc.node.FindAttribute(name);
  if (!a || !a->g) return InvalidArgument("missing graph attribute '" + std::string(name) + "'");
  auto r = kc.compile_subgraph(*a->g);
  if (!r.ok()) return r.status().WithContext(std::string("subgraph '") + name + "'");
  return r;
}

class IfKernel final : public Kernel {
 public:
  IfKernel(std::unique_ptr<SubgraphRunner> then_b, std::unique_ptr<SubgraphRunner> else_b)
      : then_(std::move(then_b)), else_(std::move(else_b)) {}
  Status Run(KernelContext& ctx) const override {
    if (!ctx.has_input(0)) return InvalidArgument("If: missing condition input");
    bool cond;
    EDGERUN_ASSIGN_OR_RETURN(cond, ReadCondition(ctx.input(0), "If condition"));
    const SubgraphRunner& branch = cond ? *then_ : *else_;
    std::vector<RValue> outs;
    EDGERUN_ASSIGN_OR_RETURN(outs, branch.Run({}, ctx));
    if (outs.size() != ctx.num_outputs()) {
      return InvalidArgument(std::string(cond ? "then" : "else") + "_branch produces " + std::to_string(outs.size()) +
                             " outputs, the If node has " + std::to_string(ctx.num_outputs()));
    }
    for (size_t i = 0; i < outs.size(); ++i) ctx.SetOutputValue(i, std::move(outs[i]));
    return Status::Ok();
  }

 private:
  std::unique_ptr<SubgraphRunner> then_, else_;
};

class LoopKernel final : public Kernel {
 public:
  explicit LoopKernel(std::unique_ptr<SubgraphRunner> body) : body_(std::move(body)) {}

  Status Run(KernelContext& ctx) const override {
    const ir::Graph& g = body_->graph();
    const size_t n_carried = ctx.num_inputs() >= 2 ? ctx.num_inputs() - 2 : 0;
    if (g.inputs.size() != n_carried + 2) {
      return InvalidArgument("Loop body takes " + std::to_string(g.inputs.size()) + " inputs, expected " +
                             std::to_string(n_carried + 2) + " (iteration, condition, " + std::to_string(n_carried) + " carried)");
    }
    if (g.outputs.size() < n_carried + 1) {
      return InvalidArgument("Loop body has " + std::to_string(g.outputs.size()) + " outputs, expected at least " +
                             std::to_string(n_carried + 1));
    }
    const size_t n_scan = g.outputs.size() - 1 - n_carried;
    int64_t max_trip = -1;
    if (ctx.has_input(0)) {
      const Tensor& m = ctx.input(0);
      if (m.numel() != 1 || m.dtype() != DataType::kInt64) return InvalidArgument("Loop M must be an int64 scalar");
      max_trip = m.data<int64_t>()[0];
    }
    bool cond = true;
    if (ctx.has_input(1)) {
      EDGERUN_ASSIGN_OR_RETURN(cond, ReadCondition(ctx.input(1), "Loop cond"));
    }
    std::vector<RValue> carried(n_carried);
    for (size_t i = 0; i < n_carried; ++i) {
      const RValue* v = ctx.input_value(2 + i);
      if (v) carried[i] = *v;
    }
    std::vector<std::vector<RValue>> scans(n_scan);
    int64_t iter = 0;
    while ((max_trip < 0 || iter < max_trip) && cond) {
      if (iter >= MaxLoopIterations()) {
        return InvalidArgument("Loop ran " + std::to_string(iter) + " iterations without stopping (limit " +
                               std::to_string(MaxLoopIterations()) + "); the model's loop does not terminate");
      }
      std::vector<RValue> ins;
      ins.reserve(2 + n_carried);
      ins.push_back(RValue::FromTensor(Tensor::Scalar<int64_t>(DataType::kInt64, iter)));
      ins.push_back(RValue::FromTensor(Tensor::Scalar<bool>(DataType::kBool, cond)));
      for (auto& c : carried) ins.push_back(c);
      std::vector<RValue> outs;
      EDGERUN_ASSIGN_OR_RETURN(outs, body_->Run(ins, ctx));
      if (!outs[0].is_tensor()) return InvalidArgument("Loop body condition output is not a tensor");
      EDGERUN_ASSIGN_OR_RETURN(cond, ReadCondition(outs[0].tensor, "Loop body condition output"));
      for (size_t i = 0; i < n_carried; ++i) carried[i] = std::move(outs[1 + i]);
      for (size_t k = 0; k < n_scan; ++k) scans[k].push_back(std::move(outs[1 + n_carried + k]));
      ++iter;
    }
    for (size_t i = 0; i < n_carried && i < ctx.num_outputs(); ++i) ctx.SetOutputValue(i, std::move(carried[i]));
    for (size_t k = 0; k < n_scan && n_carried + k < ctx.num_outputs(); ++k) {
      const size_t out = n_carried + k;
      if (!scans[k].empty() && scans[k][0].is_sequence()) {
        // Scan outputs that are sequences are concatenated into one sequence.
        std::vector<Tensor> all;
        for (auto& v : scans[k]) all.insert(all.end(), v.sequence.begin(), v.sequence.end());
        ctx.SetOutputValue(out, RValue::FromSequence(std::move(all), scans[k][0].elem_type));
        continue;
      }
      std::vector<Tensor> parts;
      for (auto& v : scans[k]) {
        if (!v.is_tensor()) return InvalidArgument("Loop scan output " + std::to_string(k) + " is not a tensor");
        parts.push_back(v.tensor);
      }
      if (parts.empty()) {
        const auto& type = g.outputs[1 + n_carried + k].type;
        Shape shape{0};
        for (const auto& d : type.dims) shape.push_back(d.fixed() ? d.value : 0);
        DataType dt = type.dtype == DataType::kUndefined ? DataType::kFloat : type.dtype;
        EDGERUN_RETURN_IF_ERROR(ctx.AllocateOutput(out, dt, shape).status());
        continue;
      }
      Tensor stacked;
      EDGERUN_ASSIGN_OR_RETURN(stacked, StackTensors(parts, "Loop scan output " + std::to_string(k)));
      ctx.SetOutput(out, std::move(stacked));
    }
    return Status::Ok();
  }

 private:
  std::unique_ptr<SubgraphRunner> body_;
};

}  // namespace

Result<Tensor> StackTensors(const std::vector<Tensor>& parts, const std::string& what) {
  const Tensor& first = parts[0];
  for (const auto& p : parts) {
    if (p.dtype() != first.dtype() || p.shape() != first.shape()) {
      return InvalidArgument(what + ": iterations produced different shapes or dtypes (" + ShapeToString(first.shape()) +
                             " vs " + ShapeToString(p.shape()) + ")");
    }
  }
  Shape shape{static_cast<int64_t>(parts.size())};
  shape.insert(shape.end(), first.shape().begin(), first.shape().end());
  Tensor out;
  EDGERUN_ASSIGN_OR_RETURN(out, Tensor::Create(first.dtype(), shape));
  const int64_t n = first.numel();
  for (size_t i = 0; i < parts.size(); ++i) {
    if (first.dtype() == DataType::kString) {
      for (int64_t j = 0; j < n; ++j) out.strings()[static_cast<int64_t>(i) * n + j] = parts[i].strings()[j];
    } else if (first.nbytes()) {
      std::memcpy(static_cast<char*>(out.raw()) + i * first.nbytes(), parts[i].raw(), first.nbytes());
    }
  }
  return out;
}

void RegisterIfLoopKernels(KernelRegistry& r) {
  r.Register("If", [](const KernelCreateContext& kc) -> Result<std::unique_ptr<Kernel>> {
    std::unique_ptr<SubgraphRunner> t, e;
    EDGERUN_ASSIGN_OR_RETURN(t, CompileGraphAttr(kc, "then_branch"));
    EDGERUN_ASSIGN_OR_RETURN(e, CompileGraphAttr(kc, "else_branch"));
    return std::unique_ptr<Kernel>(std::make_unique<IfKernel>(std::move(t), std::move(e)));
  });
  r.Register("Loop", [](const KernelCreateContext& kc) -> Result<std::unique_ptr<Kernel>> {
    std::unique_ptr<SubgraphRunner> body;
    EDGERUN_ASSIGN_OR_RETURN(body, CompileGraphAttr(kc, "body"));
    return std::unique_ptr<Kernel>(std::make_unique<LoopKernel>(std::move(body)));
  });
}

Result<std::unique_ptr<SubgraphRunner>> CompileBodyAttr(const KernelCreateContext& kc, const char* name) {
  return CompileGraphAttr(kc, name);
}

}  // namespace edgerun
