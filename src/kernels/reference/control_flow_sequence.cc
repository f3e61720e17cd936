// Sequence and optional operators: SequenceConstruct/Empty/At/Insert/Erase/Length,
// SplitToSequence, ConcatFromSequence, SequenceMap, Optional, OptionalHasElement,
// OptionalGetElement.
#include "kernels/reference/broadcast.h"
#include "kernels/reference/control_flow.h"

namespace edgerun {

namespace {

Result<const RValue*> SequenceInput(const KernelContext& ctx, size_t i) {
  const RValue* v = ctx.input_value(i);
  if (!v || !v->is_sequence()) return InvalidArgument("input " + std::to_string(i) + " must be a sequence");
  return v;
}

// Position input (int32/int64 scalar) normalized for a sequence of `size` (+1 when inserting).
Result<int64_t> ReadPosition(const KernelContext& ctx, size_t i, int64_t size, int64_t def, bool inserting) {
  if (!ctx.has_input(i)) return def;
  Dims p;
  EDGERUN_ASSIGN_OR_RETURN(p, ReadInt64s(ctx.input(i), "position"));
  if (p.size() != 1) return InvalidArgument("position must be a scalar");
  int64_t pos = p[0];
  const int64_t hi = inserting ? size : size - 1;
  if (pos < -size || pos > hi) {
    return InvalidArgument("position " + std::to_string(pos) + " is out of range for a sequence of " + std::to_string(size));
  }
  return pos < 0 ? pos + size : pos;
}

Status SequenceMapRun(const SubgraphRunner& body, KernelContext& ctx) {
  const RValue* first = ctx.input_value(0);
  if (!first || !first->is_sequence()) return InvalidArgument("SequenceMap input 0 must be a sequence");
  const size_t n = first->sequence.size();
  for (size_t i = 1; i < ctx.num_inputs(); ++i) {
    const RValue* v = ctx.input_value(i);
    if (v && v->is_sequence() && v->sequence.size() != n) {
      return InvalidArgument("SequenceMap input " + std::to_string(i) + " has " + std::to_string(v->sequence.size()) +
                             " elements, input 0 has " + std::to_string(n));
    }
  }
  std::vector<std::vector<Tensor>> outs(ctx.num_outputs());
  for (size_t k = 0; k < n; ++k) {
    std::vector<RValue> ins;
    for (size_t i = 0; i < ctx.num_inputs(); ++i) {
      const RValue* v = ctx.input_value(i);
      if (!v) {
        ins.push_back(RValue());
      } else if (v->is_sequence()) {
        ins.push_back(RValue::FromTensor(v->sequence[k]));
      } else {
        ins.push_back(*v);
      }
    }
    std::vector<RValue> res;
    EDGERUN_ASSIGN_OR_RETURN(res, body.Run(ins, ctx));
    for (size_t j = 0; j < outs.size() && j < res.size(); ++j) outs[j].push_back(res[j].tensor);
  }
  for (size_t j = 0; j < outs.size(); ++j) {
    DataType dt = body.graph().outputs.size() > j ? body.graph().outputs[j].type.dtype : DataType::kUndefined;
    if (!outs[j].empty()) dt = outs[j][0].dtype();
    ctx.SetOutputValue(j, RValue::FromSequence(std::move(outs[j]), dt));
  }
  return Status::Ok();
}

}  // namespace

void RegisterSequenceKernels(KernelRegistry& r) {
  r.Register("SequenceEmpty", [](const KernelCreateContext& kc) {
    DataType dt = static_cast<DataType>(kc.node.GetInt("dtype", static_cast<int64_t>(DataType::kFloat)));
    return MakeFnKernel([dt](KernelContext& ctx) -> Status {
      ctx.SetOutputValue(0, RValue::FromSequence({}, dt));
      return Status::Ok();
    });
  });
  r.Register("SequenceConstruct", [](const KernelCreateContext&) {
    return MakeFnKernel([](KernelContext& ctx) -> Status {
      std::vector<Tensor> seq;
      for (size_t i = 0; i < ctx.num_inputs(); ++i) {
        if (!ctx.has_input(i) || !ctx.input_value(i)->is_tensor()) return InvalidArgument("SequenceConstruct inputs must be tensors");
        if (!seq.empty() && ctx.input(i).dtype() != seq[0].dtype()) return InvalidArgument("SequenceConstruct inputs must share one dtype");
        seq.push_back(ctx.input(i));
      }
      DataType dt = seq.empty() ? DataType::kUndefined : seq[0].dtype();
      ctx.SetOutputValue(0, RValue::FromSequence(std::move(seq), dt));
      return Status::Ok();
    });
  });
  r.Register("SequenceAt", [](const KernelCreateContext&) {
    return MakeFnKernel([](KernelContext& ctx) -> Status {
      const RValue* s;
      EDGERUN_ASSIGN_OR_RETURN(s, SequenceInput(ctx, 0));
      const int64_t n = static_cast<int64_t>(s->sequence.size());
      if (!ctx.has_input(1)) return InvalidArgument("SequenceAt requires a position");
      int64_t pos;
      EDGERUN_ASSIGN_OR_RETURN(pos, ReadPosition(ctx, 1, n, 0, false));
      ctx.SetOutput(0, s->sequence[static_cast<size_t>(pos)]);
      return Status::Ok();
    });
  });
  r.Register("SequenceInsert", [](const KernelCreateContext&) {
    return MakeFnKernel([](KernelContext& ctx) -> Status {
      const RValue* s;
      EDGERUN_ASSIGN_OR_RETURN(s, SequenceInput(ctx, 0));
      if (!ctx.has_input(1)) return InvalidArgument("SequenceInsert requires a tensor");
      const Tensor& t = ctx.input(1);
      if (!s->sequence.empty() && t.dtype() != s->sequence[0].dtype()) {
        return InvalidArgument(std::string("SequenceInsert: tensor dtype ") + DataTypeName(t.dtype()) + " differs from the sequence's");
      }
      const int64_t n = static_cast<int64_t>(s->sequence.size());
      int64_t pos;
      EDGERUN_ASSIGN_OR_RETURN(pos, ReadPosition(ctx, 2, n, n, true));
      std::vector<Tensor> seq = s->sequence;
      seq.insert(seq.begin() + pos, t);
      ctx.SetOutputValue(0, RValue::FromSequence(std::move(seq), t.dtype()));
      return Status::Ok();
    });
  });
  r.Register("SequenceErase", [](const KernelCreateContext&) {
    return MakeFnKernel([](KernelContext& ctx) -> Status {
      const RValue* s;
      EDGERUN_ASSIGN_OR_RETURN(s, SequenceInput(ctx, 0));
      const int64_t n = static_cast<int64_t>(s->sequence.size());
      if (n == 0) return InvalidArgument("SequenceErase on an empty sequence");
      int64_t pos;
      EDGERUN_ASSIGN_OR_RETURN(pos, ReadPosition(ctx, 1, n, n - 1, false));
      std::vector<Tensor> seq = s->sequence;
      seq.erase(seq.begin() + pos);
      ctx.SetOutputValue(0, RValue::FromSequence(std::move(seq), s->elem_type));
      return Status::Ok();
    });
  });
  r.Register("SequenceLength", [](const KernelCreateContext&) {
    return MakeFnKernel([](KernelContext& ctx) -> Status {
      const RValue* s;
      EDGERUN_ASSIGN_OR_RETURN(s, SequenceInput(ctx, 0));
      ctx.SetOutput(0, Tensor::Scalar<int64_t>(DataType::kInt64, static_cast<int64_t>(s->sequence.size())));
      return Status::Ok();
    });
  });
  r.Register("SplitToSequence", [](const KernelCreateContext& kc) {
    const int64_t axis_attr = kc.node.GetInt("axis", 0);
    const bool keepdims = kc.node.GetInt("keepdims", 1) != 0;
    return MakeFnKernel([axis_attr, keepdims](KernelContext& ctx) -> Status {
      const Tensor& t = ctx.input(0);
      int64_t axis;
      EDGERUN_ASSIGN_OR_RETURN(axis, NormalizeAxis(axis_attr, t.rank()));
      const int64_t len = t.dim(axis);
      Dims sizes;
      bool squeeze = false;
      if (!ctx.has_input(1)) {
        sizes.assign(static_cast<size_t>(len), 1);
        squeeze = !keepdims;
      } else {
        Dims split;
        EDGERUN_ASSIGN_OR_RETURN(split, ReadInt64s(ctx.input(1), "split"));
        if (ctx.input(1).rank() == 0) {
          if (split[0] <= 0) return InvalidArgument("split must be positive");
          for (int64_t b = 0; b < len; b += split[0]) sizes.push_back(std::min(split[0], len - b));
        } else {
          int64_t sum = 0;
          for (int64_t s : split) {
            if (s < 0) return InvalidArgument("split sizes must be non-negative");
            sum += s;
          }
          if (sum != len) return InvalidArgument("split sizes sum to " + std::to_string(sum) + ", axis has " + std::to_string(len));
          sizes = split;
        }
      }
      std::vector<Tensor> seq;
      int64_t begin = 0;
      for (int64_t s : sizes) {
        Tensor part;
        EDGERUN_ASSIGN_OR_RETURN(part, SliceAxis(t, axis, begin, begin + s));
        if (squeeze) {
          Shape sh = part.shape();
          sh.erase(sh.begin() + axis);
          part = part.Reshaped(sh);
        }
        seq.push_back(part);
        begin += s;
      }
      ctx.SetOutputValue(0, RValue::FromSequence(std::move(seq), t.dtype()));
      return Status::Ok();
    });
  });
  r.Register("ConcatFromSequence", [](const KernelCreateContext& kc) -> Result<std::unique_ptr<Kernel>> {
    if (!kc.node.HasAttribute("axis")) return InvalidArgument("ConcatFromSequence requires the axis attribute");
    const int64_t axis_attr = kc.node.GetInt("axis", 0);
    const bool new_axis = kc.node.GetInt("new_axis", 0) != 0;
    return MakeFnKernel([axis_attr, new_axis](KernelContext& ctx) -> Status {
      const RValue* s;
      EDGERUN_ASSIGN_OR_RETURN(s, SequenceInput(ctx, 0));
      if (s->sequence.empty()) return InvalidArgument("ConcatFromSequence on an empty sequence");
      const int64_t rank = s->sequence[0].rank() + (new_axis ? 1 : 0);
      int64_t axis;
      EDGERUN_ASSIGN_OR_RETURN(axis, NormalizeAxis(axis_attr, rank));
      std::vector<Tensor> parts;
      for (const auto& t : s->sequence) {
        if (new_axis) {
          Shape sh = t.shape();
          sh.insert(sh.begin() + axis, 1);
          parts.push_back(t.Reshaped(sh));
        } else {
          parts.push_back(t);
        }
      }
      Tensor out;
      EDGERUN_ASSIGN_OR_RETURN(out, ConcatTensors(parts, axis, "ConcatFromSequence"));
      ctx.SetOutput(0, std::move(out));
      return Status::Ok();
    });
  });
  r.Register("SequenceMap", [](const KernelCreateContext& kc) -> Result<std::unique_ptr<Kernel>> {
    std::shared_ptr<SubgraphRunner> body;
    EDGERUN_ASSIGN_OR_RETURN(body, CompileBodyAttr(kc, "body"));
    return MakeFnKernel([body](KernelContext& ctx) { return SequenceMapRun(*body, ctx); });
  });
  r.Register("Optional", [](const KernelCreateContext&) {
    return MakeFnKernel([](KernelContext& ctx) -> Status {
      const RValue* v = ctx.input_value(0);
      ctx.SetOutputValue(0, v ? *v : RValue());
      return Status::Ok();
    });
  });
  r.Register("OptionalHasElement", [](const KernelCreateContext&) {
    return MakeFnKernel([](KernelContext& ctx) -> Status {
      ctx.SetOutput(0, Tensor::Scalar<bool>(DataType::kBool, ctx.has_input(0)));
      return Status::Ok();
    });
  });
  r.Register("OptionalGetElement", [](const KernelCreateContext&) {
    return MakeFnKernel([](KernelContext& ctx) -> Status {
      if (!ctx.has_input(0)) return InvalidArgument("OptionalGetElement on an empty optional");
      ctx.SetOutputValue(0, *ctx.input_value(0));
      return Status::Ok();
    });
  });
}

}  // namespace edgerun
