// Shared pieces of the recurrent reference kernels.
#include "kernels/reference/rnn_common.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <type_traits>

#include "kernels/reference/broadcast.h"
#include "kernels/reference/dispatch.h"

namespace edgerun {

double RnnActivation::Apply(double x) const {
  switch (fn) {
    case Fn::kRelu: return std::max(x, 0.0);
    case Fn::kTanh: return std::tanh(x);
    case Fn::kSigmoid: return 1.0 / (1.0 + std::exp(-x));
    case Fn::kAffine: return alpha * x + beta;
    case Fn::kLeakyRelu: return x >= 0.0 ? x : alpha * x;
    case Fn::kThresholdedRelu: return x > alpha ? x : 0.0;
    case Fn::kScaledTanh: return alpha * std::tanh(beta * x);
    case Fn::kHardSigmoid: return std::clamp(alpha * x + beta, 0.0, 1.0);
    case Fn::kElu: return x >= 0.0 ? x : alpha * (std::exp(x) - 1.0);
    case Fn::kSoftsign: return x / (1.0 + std::fabs(x));
    case Fn::kSoftplus: return x > 30.0 ? x : std::log1p(std::exp(x));
  }
  return x;
}

namespace {

struct ActivationInfo {
  const char* name;
  RnnActivation::Fn fn;
  bool uses_alpha;
  bool uses_beta;
  double default_alpha;
  double default_beta;
};

constexpr ActivationInfo kActivations[] = {
    {"relu", RnnActivation::Fn::kRelu, false, false, 0.0, 0.0},
    {"tanh", RnnActivation::Fn::kTanh, false, false, 0.0, 0.0},
    {"sigmoid", RnnActivation::Fn::kSigmoid, false, false, 0.0, 0.0},
    {"affine", RnnActivation::Fn::kAffine, true, true, 1.0, 0.0},
    {"leakyrelu", RnnActivation::Fn::kLeakyRelu, true, false, 0.01, 0.0},
    {"thresholdedrelu", RnnActivation::Fn::kThresholdedRelu, true, false, 1.0, 0.0},
    {"scaledtanh", RnnActivation::Fn::kScaledTanh, true, true, 1.0, 1.0},
    {"hardsigmoid", RnnActivation::Fn::kHardSigmoid, true, true, 0.2, 0.5},
    {"elu", RnnActivation::Fn::kElu, true, false, 1.0, 0.0},
    {"softsign", RnnActivation::Fn::kSoftsign, false, false, 0.0, 0.0},
    {"softplus", RnnActivation::Fn::kSoftplus, false, false, 0.0, 0.0},
};

std::string Lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

}  // namespace

Result<RnnConfig> ParseRnnConfig(const ir::Node& node, int opset, RnnKind kind) {
  RnnConfig cfg;
  cfg.kind = kind;
  cfg.desc = node.Describe();
  auto fail = [&](const std::string& m) { return InvalidArgument(cfg.desc + ": " + m); };
  cfg.gates = kind == RnnKind::kRnn ? 1 : kind == RnnKind::kGru ? 3 : 4;
  cfg.acts_per_direction = kind == RnnKind::kRnn ? 1 : kind == RnnKind::kGru ? 2 : 3;

  const std::string direction = node.GetString("direction", "forward");
  if (direction == "forward") {
    cfg.num_directions = 1;
  } else if (direction == "reverse") {
    cfg.num_directions = 1;
    cfg.reverse = true;
  } else if (direction == "bidirectional") {
    cfg.num_directions = 2;
  } else {
    return fail("unsupported direction '" + direction + "'");
  }
  cfg.hidden_size = node.GetInt("hidden_size", -1);
  if (node.HasAttribute("hidden_size") && cfg.hidden_size <= 0) return fail("hidden_size must be positive");
  cfg.layout = opset >= 14 ? node.GetInt("layout", 0) : 0;
  if (cfg.layout != 0 && cfg.layout != 1) return fail("layout must be 0 or 1");
  if (node.HasAttribute("clip")) {
    cfg.has_clip = true;
    cfg.clip = node.GetFloat("clip", 0.0f);
    if (!(cfg.clip > 0.0)) return fail("clip must be positive");
  }
  if (kind == RnnKind::kGru) {
    const int64_t lbr = node.GetInt("linear_before_reset", 0);
    if (lbr != 0 && lbr != 1) return fail("linear_before_reset must be 0 or 1");
    cfg.linear_before_reset = lbr == 1;
  }
  if (kind == RnnKind::kLstm) {
    const int64_t forget = node.GetInt("input_forget", 0);
    if (forget != 0 && forget != 1) return fail("input_forget must be 0 or 1");
    cfg.input_forget = forget == 1;
  }

  std::vector<std::string> names;
  if (node.HasAttribute("activations")) names = node.GetStrings("activations");
  if (names.empty()) {
    if (kind == RnnKind::kRnn) names = {"Tanh"};
    else if (kind == RnnKind::kGru) names = {"Sigmoid", "Tanh"};
    else names = {"Sigmoid", "Tanh", "Tanh"};
  }
  const size_t per_dir = static_cast<size_t>(cfg.acts_per_direction);
  const size_t total = per_dir * static_cast<size_t>(cfg.num_directions);
  if (names.size() == per_dir && total != per_dir) {
    const std::vector<std::string> once = names;
    names.insert(names.end(), once.begin(), once.end());
  }
  if (names.size() != total) {
    return fail("expected " + std::to_string(total) + " activations, got " + std::to_string(names.size()));
  }
  const std::vector<float> alphas = node.GetFloats("activation_alpha");
  const std::vector<float> betas = node.GetFloats("activation_beta");
  size_t next_alpha = 0;
  size_t next_beta = 0;
  for (const std::string& name : names) {
    const std::string lower = Lower(name);
    const ActivationInfo* info = nullptr;
    for (const ActivationInfo& a : kActivations) {
      if (lower == a.name) info = &a;
    }
    if (info == nullptr) return fail("unsupported activation '" + name + "'");
    RnnActivation act;
    act.fn = info->fn;
    act.alpha = info->default_alpha;
    act.beta = info->default_beta;
    if (info->uses_alpha && next_alpha < alphas.size()) act.alpha = alphas[next_alpha++];
    if (info->uses_beta && next_beta < betas.size()) act.beta = betas[next_beta++];
    cfg.activations.push_back(act);
  }
  return cfg;
}

namespace {

Status ReadDoubles(const Tensor& t, const char* what, std::vector<double>* out) {
  out->resize(static_cast<size_t>(t.numel()));
  return DispatchFloat(t.dtype(), what, [&]<typename T>() -> Status {
    const T* p = t.data<T>();
    for (int64_t i = 0; i < t.numel(); ++i) {
      if constexpr (std::is_same_v<T, double>) (*out)[static_cast<size_t>(i)] = p[i];
      else (*out)[static_cast<size_t>(i)] = static_cast<float>(p[i]);
    }
    return Status::Ok();
  });
}

// Swaps the two leading axes of a [a, b, rest] array.
std::vector<double> SwapLeading(const std::vector<double>& v, int64_t a, int64_t b, int64_t rest) {
  std::vector<double> out(v.size());
  for (int64_t i = 0; i < a; ++i) {
    for (int64_t j = 0; j < b; ++j) {
      std::copy_n(v.begin() + (i * b + j) * rest, rest, out.begin() + (j * a + i) * rest);
    }
  }
  return out;
}

}  // namespace

Result<RnnInputs> ReadRnnInputs(const RnnConfig& cfg, const KernelContext& ctx) {
  auto fail = [&](const std::string& m) { return InvalidArgument(cfg.desc + ": " + m); };
  RnnInputs in;
  const Tensor& x = ctx.input(0);
  const Tensor& w = ctx.input(1);
  const Tensor& r = ctx.input(2);
  const int64_t dirs = cfg.num_directions;
  if (x.rank() != 3) return fail("X has shape " + ShapeToString(x.shape()) + ", expected 3 dims");
  in.seq = cfg.layout == 0 ? x.dim(0) : x.dim(1);
  in.batch = cfg.layout == 0 ? x.dim(1) : x.dim(0);
  in.input = x.dim(2);
  if (r.rank() != 3) return fail("R has shape " + ShapeToString(r.shape()) + ", expected 3 dims");
  in.hidden = cfg.hidden_size > 0 ? cfg.hidden_size : r.dim(2);
  const int64_t gh = cfg.gates * in.hidden;
  auto expect = [&](const Tensor& t, const Shape& s, const char* name) -> Status {
    if (t.shape() != s) {
      return fail(std::string(name) + " has shape " + ShapeToString(t.shape()) + ", expected " + ShapeToString(s));
    }
    return Status::Ok();
  };
  EDGERUN_RETURN_IF_ERROR(expect(w, {dirs, gh, in.input}, "W"));
  EDGERUN_RETURN_IF_ERROR(expect(r, {dirs, gh, in.hidden}, "R"));
  EDGERUN_RETURN_IF_ERROR(ReadDoubles(x, "X", &in.x));
  if (cfg.layout == 1) in.x = SwapLeading(in.x, in.batch, in.seq, in.input);
  EDGERUN_RETURN_IF_ERROR(ReadDoubles(w, "W", &in.w));
  EDGERUN_RETURN_IF_ERROR(ReadDoubles(r, "R", &in.r));

  if (ctx.has_input(3)) {
    EDGERUN_RETURN_IF_ERROR(expect(ctx.input(3), {dirs, 2 * gh}, "B"));
    EDGERUN_RETURN_IF_ERROR(ReadDoubles(ctx.input(3), "B", &in.b));
  } else {
    in.b.assign(static_cast<size_t>(dirs * 2 * gh), 0.0);
  }

  in.lens.assign(static_cast<size_t>(in.batch), in.seq);
  if (ctx.has_input(4)) {
    const Tensor& lens = ctx.input(4);
    EDGERUN_RETURN_IF_ERROR(expect(lens, {in.batch}, "sequence_lens"));
    EDGERUN_ASSIGN_OR_RETURN(in.lens, ReadInt64s(lens, "sequence_lens"));
    for (int64_t len : in.lens) {
      if (len < 0 || len > in.seq) {
        return fail("sequence_lens value " + std::to_string(len) + " is outside [0, " + std::to_string(in.seq) + "]");
      }
    }
  }

  const Shape state_shape =
      cfg.layout == 0 ? Shape{dirs, in.batch, in.hidden} : Shape{in.batch, dirs, in.hidden};
  auto read_state = [&](size_t idx, const char* name, std::vector<double>* out) -> Status {
    if (!ctx.has_input(idx)) {
      out->assign(static_cast<size_t>(dirs * in.batch * in.hidden), 0.0);
      return Status::Ok();
    }
    EDGERUN_RETURN_IF_ERROR(expect(ctx.input(idx), state_shape, name));
    EDGERUN_RETURN_IF_ERROR(ReadDoubles(ctx.input(idx), name, out));
    if (cfg.layout == 1) *out = SwapLeading(*out, in.batch, dirs, in.hidden);
    return Status::Ok();
  };
  EDGERUN_RETURN_IF_ERROR(read_state(5, "initial_h", &in.h0));
  if (cfg.kind == RnnKind::kLstm) {
    EDGERUN_RETURN_IF_ERROR(read_state(6, "initial_c", &in.c0));
    if (ctx.has_input(7)) {
      EDGERUN_RETURN_IF_ERROR(expect(ctx.input(7), {dirs, 3 * in.hidden}, "P"));
      EDGERUN_RETURN_IF_ERROR(ReadDoubles(ctx.input(7), "P", &in.p));
    } else {
      in.p.assign(static_cast<size_t>(dirs * 3 * in.hidden), 0.0);
    }
  }
  return in;
}

Status WriteRnnOutputs(const RnnConfig& cfg, const RnnInputs& in, const std::vector<double>& y,
                       const std::vector<double>& y_h, const std::vector<double>& y_c, KernelContext& ctx) {
  const DataType dt = ctx.input(0).dtype();
  const int64_t dirs = cfg.num_directions;
  auto write = [&](size_t idx, const Shape& shape, const std::vector<double>& v) -> Status {
    Tensor* t = nullptr;
    EDGERUN_ASSIGN_OR_RETURN(t, ctx.AllocateOutput(idx, dt, shape));
    return DispatchFloat(dt, "RNN output", [&]<typename T>() -> Status {
      T* p = t->data<T>();
      for (size_t i = 0; i < v.size(); ++i) {
        if constexpr (std::is_same_v<T, double>) p[i] = v[i];
        else p[i] = T(static_cast<float>(v[i]));
      }
      return Status::Ok();
    });
  };
  const int64_t per_step = dirs * in.batch * in.hidden;
  if (ctx.output_wanted(0)) {
    if (cfg.layout == 0) {
      EDGERUN_RETURN_IF_ERROR(write(0, {in.seq, dirs, in.batch, in.hidden}, y));
    } else {
      // [seq, dir, batch, hidden] -> [batch, seq, dir, hidden]
      std::vector<double> t(y.size());
      for (int64_t s = 0; s < in.seq; ++s)
        for (int64_t d = 0; d < dirs; ++d)
          for (int64_t b = 0; b < in.batch; ++b)
            std::copy_n(y.begin() + s * per_step + (d * in.batch + b) * in.hidden, in.hidden,
                        t.begin() + ((b * in.seq + s) * dirs + d) * in.hidden);
      EDGERUN_RETURN_IF_ERROR(write(0, {in.batch, in.seq, dirs, in.hidden}, t));
    }
  }
  auto write_state = [&](size_t idx, const std::vector<double>& v) -> Status {
    if (!ctx.output_wanted(idx)) return Status::Ok();
    if (cfg.layout == 0) return write(idx, {dirs, in.batch, in.hidden}, v);
    return write(idx, {in.batch, dirs, in.hidden}, SwapLeading(v, dirs, in.batch, in.hidden));
  };
  EDGERUN_RETURN_IF_ERROR(write_state(1, y_h));
  if (cfg.kind == RnnKind::kLstm) EDGERUN_RETURN_IF_ERROR(write_state(2, y_c));
  return Status::Ok();
}

}  // namespace edgerun
