// Scan (opset 8 with a batch axis, opset 9+ without) and tensor slicing/concatenation helpers.
#include <cstring>

#include "kernels/reference/broadcast.h"
#include "kernels/reference/control_flow.h"

namespace edgerun {

Result<Tensor> SliceAxis(const Tensor& t, int64_t axis, int64_t begin, int64_t end) {
  Shape shape = t.shape();
  shape[axis] = end - begin;
  Tensor out;
  EDGERUN_ASSIGN_OR_RETURN(out, Tensor::Create(t.dtype(), shape));
  int64_t outer = 1, inner = 1;
  for (int64_t i = 0; i < axis; ++i) outer *= t.dim(i);
  for (int64_t i = axis + 1; i < t.rank(); ++i) inner *= t.dim(i);
  const int64_t len = end - begin, src_len = t.dim(axis);
  if (t.dtype() == DataType::kString) {
    for (int64_t o = 0; o < outer; ++o)
      for (int64_t j = 0; j < len * inner; ++j)
        out.strings()[o * len * inner + j] = t.strings()[(o * src_len + begin) * inner + j];
    return out;
  }
  const size_t es = DataTypeSize(t.dtype());
  for (int64_t o = 0; o < outer; ++o) {
    std::memcpy(static_cast<char*>(out.raw()) + static_cast<size_t>(o * len * inner) * es,
                static_cast<const char*>(t.raw()) + static_cast<size_t>((o * src_len + begin) * inner) * es,
                static_cast<size_t>(len * inner) * es);
  }
  return out;
}

Result<Tensor> ConcatTensors(const std::vector<Tensor>& parts, int64_t axis, const std::string& what) {
  if (parts.empty()) return InvalidArgument(what + ": nothing to concatenate");
  const Tensor& first = parts[0];
  Shape shape = first.shape();
  int64_t total = 0;
  for (const auto& p : parts) {
    if (p.dtype() != first.dtype() || p.rank() != first.rank()) {
      return InvalidArgument(what + ": cannot concatenate " + DataTypeName(p.dtype()) + ShapeToString(p.shape()) + " with " +
                             DataTypeName(first.dtype()) + ShapeToString(first.shape()));
    }
    for (int64_t i = 0; i < p.rank(); ++i) {
      if (i != axis && p.dim(i) != first.dim(i)) {
        return InvalidArgument(what + ": shapes " + ShapeToString(p.shape()) + " and " + ShapeToString(first.shape()) +
                               " differ outside axis " + std::to_string(axis));
      }
    }
    total += p.dim(axis);
  }
  shape[axis] = total;
  Tensor out;
  EDGERUN_ASSIGN_OR_RETURN(out, Tensor::Create(first.dtype(), shape));
  int64_t outer = 1, inner = 1;
  for (int64_t i = 0; i < axis; ++i) outer *= shape[i];
  for (int64_t i = axis + 1; i < static_cast<int64_t>(shape.size()); ++i) inner *= shape[i];
  const size_t es = DataTypeSize(first.dtype());
  int64_t offset = 0;
  for (const auto& p : parts) {
    const int64_t len = p.dim(axis);
    for (int64_t o = 0; o < outer; ++o) {
      const int64_t dst = (o * total + offset) * inner, src = o * len * inner;
      if (first.dtype() == DataType::kString) {
        for (int64_t j = 0; j < len * inner; ++j) out.strings()[dst + j] = p.strings()[src + j];
      } else {
        std::memcpy(static_cast<char*>(out.raw()) + static_cast<size_t>(dst) * es,
                    static_cast<const char*>(p.raw()) + static_cast<size_t>(src) * es, static_cast<size_t>(len * inner) * es);
      }
    }
    offset += len;
  }
  return out;
}

namespace {

Tensor InsertAxis(const Tensor& t, int64_t axis) {
  Shape s = t.shape();
  s.insert(s.begin() + axis, 1);
  return t.Reshaped(s);
}

Tensor RemoveAxis(const Tensor& t, int64_t axis) {
  Shape s = t.shape();
  s.erase(s.begin() + axis);
  return t.Reshaped(s);
}

class ScanKernel final : public Kernel {
 public:
  ScanKernel(std::unique_ptr<SubgraphRunner> body, int64_t num_scan_inputs, bool batched)
      : body_(std::move(body)), num_scan_inputs_(num_scan_inputs), batched_(batched) {}

  // One scan without a batch axis (opset 9 semantics).
  Status RunOnce(const std::vector<Tensor>& state_in, const std::vector<Tensor>& scan_in, const KernelContext& ctx,
                 std::vector<Tensor>* state_out, std::vector<Tensor>* scan_out) const {
    const ir::Node& node = ctx.node();
    const size_t n_state = state_in.size(), n_scan_in = scan_in.size();
    const ir::Graph& g = body_->graph();
    if (g.inputs.size() != n_state + n_scan_in) {
      return InvalidArgument("Scan body takes " + std::to_string(g.inputs.size()) + " inputs, expected " +
                             std::to_string(n_state + n_scan_in));
    }
    if (g.outputs.size() < n_state) return InvalidArgument("Scan body has fewer outputs than state variables");
    const size_t n_scan_out = g.outputs.size() - n_state;
    auto in_axes = node.GetInts("scan_input_axes", Dims(n_scan_in, 0));
    auto in_dirs = node.GetInts(batched_ ? "directions" : "scan_input_directions", Dims(n_scan_in, 0));
    auto out_axes = node.GetInts("scan_output_axes", Dims(n_scan_out, 0));
    auto out_dirs = node.GetInts("scan_output_directions", Dims(n_scan_out, 0));
    if (in_axes.size() != n_scan_in || in_dirs.size() != n_scan_in || out_axes.size() != n_scan_out || out_dirs.size() != n_scan_out) {
      return InvalidArgument("Scan axes/directions attributes do not match the number of scan inputs/outputs");
    }
    int64_t seq_len = -1;
    for (size_t i = 0; i < n_scan_in; ++i) {
      EDGERUN_ASSIGN_OR_RETURN(in_axes[i], NormalizeAxis(in_axes[i], scan_in[i].rank(), "scan_input_axes"));
      int64_t len = scan_in[i].dim(in_axes[i]);
      if (seq_len >= 0 && len != seq_len) return InvalidArgument("Scan inputs have different sequence lengths");
      seq_len = len;
    }
    if (seq_len < 0) seq_len = 0;
    std::vector<RValue> state;
    for (const auto& t : state_in) state.push_back(RValue::FromTensor(t));
    std::vector<std::vector<Tensor>> outs(n_scan_out);
    for (int64_t it = 0; it < seq_len; ++it) {
      std::vector<RValue> ins = state;
      for (size_t i = 0; i < n_scan_in; ++i) {
        int64_t idx = in_dirs[i] ? seq_len - 1 - it : it;
        Tensor s;
        EDGERUN_ASSIGN_OR_RETURN(s, SliceAxis(scan_in[i], in_axes[i], idx, idx + 1));
        ins.push_back(RValue::FromTensor(RemoveAxis(s, in_axes[i])));
      }
      std::vector<RValue> res;
      EDGERUN_ASSIGN_OR_RETURN(res, body_->Run(ins, ctx));
      for (size_t i = 0; i < n_state; ++i) state[i] = res[i];
      for (size_t k = 0; k < n_scan_out; ++k) {
        if (!res[n_state + k].is_tensor()) return InvalidArgument("Scan body output is not a tensor");
        outs[k].push_back(res[n_state + k].tensor);
      }
    }
    for (auto& s : state) state_out->push_back(s.tensor);
    for (size_t k = 0; k < n_scan_out; ++k) {
      if (outs[k].empty()) return Unsupported("Scan over an empty sequence");
      int64_t axis;
      EDGERUN_ASSIGN_OR_RETURN(axis, NormalizeAxis(out_axes[k], outs[k][0].rank() + 1, "scan_output_axes"));
      std::vector<Tensor> parts;
      for (size_t j = 0; j < outs[k].size(); ++j) {
        const Tensor& p = out_dirs[k] ? outs[k][outs[k].size() - 1 - j] : outs[k][j];
        parts.push_back(InsertAxis(p, axis));
      }
      Tensor cat;
      EDGERUN_ASSIGN_OR_RETURN(cat, ConcatTensors(parts, axis, "Scan output"));
      scan_out->push_back(std::move(cat));
    }
    return Status::Ok();
  }

  Status Run(KernelContext& ctx) const override {
    const size_t first = batched_ ? 1 : 0;  // opset 8: input 0 is sequence_lens
    if (batched_ && ctx.has_input(0)) {
      const Tensor& lens = ctx.input(0);
      (void)lens;  // all sequences are taken at full length; differing lengths are rejected below
    }
    const size_t n_total = ctx.num_inputs() - first;
    if (num_scan_inputs_ < 1 || static_cast<size_t>(num_scan_inputs_) > n_total) {
      return InvalidArgument("Scan num_scan_inputs " + std::to_string(num_scan_inputs_) + " is out of range");
    }
    const size_t n_state = n_total - static_cast<size_t>(num_scan_inputs_);
    std::vector<Tensor> state, scans;
    for (size_t i = 0; i < n_state; ++i) state.push_back(ctx.input(first + i));
    for (size_t i = n_state; i < n_total; ++i) scans.push_back(ctx.input(first + i));
    if (!batched_) {
      std::vector<Tensor> st, so;
      EDGERUN_RETURN_IF_ERROR(RunOnce(state, scans, ctx, &st, &so));
      size_t o = 0;
      for (auto& t : st) ctx.SetOutput(o++, t);
      for (auto& t : so) ctx.SetOutput(o++, t);
      return Status::Ok();
    }
    if (ctx.has_input(0)) {
      auto lens = ReadInt64s(ctx.input(0), "Scan sequence_lens");
      if (!lens.ok()) return lens.status();
      for (int64_t l : *lens) {
        if (!scans.empty() && scans[0].rank() > 1 && l != scans[0].dim(1)) {
          return Unsupported("Scan (opset 8) with sequence_lens shorter than the sequence axis");
        }
      }
    }
    const int64_t batch = scans.empty() ? 0 : scans[0].dim(0);
    std::vector<std::vector<Tensor>> st_parts(n_state), so_parts;
    for (int64_t b = 0; b < batch; ++b) {
      std::vector<Tensor> bs, bi, st, so;
      for (auto& t : state) {
        Tensor s;
        EDGERUN_ASSIGN_OR_RETURN(s, SliceAxis(t, 0, b, b + 1));
        bs.push_back(RemoveAxis(s, 0));
      }
      for (auto& t : scans) {
        Tensor s;
        EDGERUN_ASSIGN_OR_RETURN(s, SliceAxis(t, 0, b, b + 1));
        bi.push_back(RemoveAxis(s, 0));
      }
      EDGERUN_RETURN_IF_ERROR(RunOnce(bs, bi, ctx, &st, &so));
      so_parts.resize(so.size());
      for (size_t i = 0; i < st.size(); ++i) st_parts[i].push_back(InsertAxis(st[i], 0));
      for (size_t i = 0; i < so.size(); ++i) so_parts[i].push_back(InsertAxis(so[i], 0));
    }
    size_t o = 0;
    for (auto& p : st_parts) {
      Tensor t;
      EDGERUN_ASSIGN_OR_RETURN(t, ConcatTensors(p, 0, "Scan state"));
      ctx.SetOutput(o++, t);
    }
    for (auto& p : so_parts) {
      Tensor t;
      EDGERUN_ASSIGN_OR_RETURN(t, ConcatTensors(p, 0, "Scan output"));
      ctx.SetOutput(o++, t);
    }
    return Status::Ok();
  }

 private:
  std::unique_ptr<SubgraphRunner> body_;
  int64_t num_scan_inputs_;
  bool batched_;
};

}  // namespace

void RegisterScanKernels(KernelRegistry& r) {
  auto make = [](bool batched) {
    return [batched](const KernelCreateContext& kc) -> Result<std::unique_ptr<Kernel>> {
      std::unique_ptr<SubgraphRunner> body;
      EDGERUN_ASSIGN_OR_RETURN(body, CompileBodyAttr(kc, "body"));
      const ir::Attribute* n = kc.node.FindAttribute("num_scan_inputs");
      if (!n) return InvalidArgument("Scan requires the num_scan_inputs attribute");
      return std::unique_ptr<Kernel>(std::make_unique<ScanKernel>(std::move(body), n->i, batched));
    };
  };
  r.Register("Scan", make(true), 8);
  r.Register("Scan", make(false), 9);
}

}  // namespace edgerun
