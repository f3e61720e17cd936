// Einsum reference kernel: a general Einstein-summation evaluator.
//
// The equation is parsed once at session creation into per-operand label lists (letters, and
// an optional "..." standing for the leading broadcast dims). At run time each label gets a
// size; repeated labels within an operand walk its diagonal; labels missing from the output are
// summed. Without "->", the output is "..." followed by the labels used exactly once, in
// alphabetical (ASCII) order. The evaluation is one loop over the whole label index space with
// per-operand strides; floats accumulate in double, integers wrap like the narrow type.
#include <algorithm>
#include <array>
#include <string>
#include <vector>

#include "kernels/reference/dispatch.h"
#include "kernels/reference/math_check.h"
#include "kernels/reference/math_kernels.h"

namespace edgerun {
namespace {

constexpr int kNumLetters = 52;
constexpr int kEllipsis = -1;  // marks the "..." position in a term

int LetterId(char ch) { return ch >= 'A' && ch <= 'Z' ? ch - 'A' : ch - 'a' + 26; }

struct EinsumSpec {
  std::vector<std::vector<int>> inputs;  // letter ids, kEllipsis for "..."
  std::vector<int> output;               // letter ids, kEllipsis for "..."
};

Result<std::vector<int>> ParseTerm(const std::string& term, const std::string& eq) {
  std::vector<int> labels;
  bool seen_ellipsis = false;
  for (size_t i = 0; i < term.size(); ++i) {
    const char ch = term[i];
    if ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z')) {
      labels.push_back(LetterId(ch));
    } else if (ch == '.' && term.compare(i, 3, "...") == 0 && !seen_ellipsis) {
      labels.push_back(kEllipsis);
      seen_ellipsis = true;
      i += 2;
    } else {
      return InvalidArgument("Einsum equation '" + eq + "' has a malformed term '" + term + "'");
    }
  }
  return labels;
}

Result<EinsumSpec> ParseEquation(const std::string& raw) {
  std::string eq;
  for (char ch : raw) {
    if (ch != ' ' && ch != '\t') eq += ch;
  }
  EinsumSpec spec;
  const size_t arrow = eq.find("->");
  const std::string lhs = eq.substr(0, arrow);
  size_t start = 0;
  for (;;) {
    const size_t comma = lhs.find(',', start);
    std::vector<int> term;
    EDGERUN_ASSIGN_OR_RETURN(term, ParseTerm(lhs.substr(start, comma - start), raw));
    spec.inputs.push_back(std::move(term));
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  if (arrow != std::string::npos) {
    EDGERUN_ASSIGN_OR_RETURN(spec.output, ParseTerm(eq.substr(arrow + 2), raw));
    std::array<int, kNumLetters> used{};
    for (const auto& t : spec.inputs) {
      for (int l : t) {
        if (l != kEllipsis) used[l] = 1;
      }
    }
    std::array<int, kNumLetters> in_out{};
    for (int l : spec.output) {
      if (l == kEllipsis) continue;
      if (!used[l] || in_out[l]++) {
        return InvalidArgument("Einsum equation '" + raw + "': output label used twice or absent from the inputs");
      }
    }
  } else {
    std::array<int, kNumLetters> count{};
    bool any_ellipsis = false;
    for (const auto& t : spec.inputs) {
      for (int l : t) {
        if (l == kEllipsis) any_ellipsis = true;
        else ++count[l];
      }
    }
    if (any_ellipsis) spec.output.push_back(kEllipsis);
    for (int l = 0; l < kNumLetters; ++l) {
      if (count[l] == 1) spec.output.push_back(l);
    }
  }
  return spec;
}

// Run-time layout: label ids 0..51 are letters, 52.. are ellipsis dims (left to right).
struct EinsumLayout {
  Dims dims;                  // per iteration label: output labels, then summed
  std::vector<Dims> strides;  // per input, per iteration label
  Shape out_shape;
  int64_t out_count = 1;
  int64_t sum_count = 1;
};

Result<EinsumLayout> Layout(const EinsumSpec& spec, const KernelContext& ctx) {
  const size_t n_in = spec.inputs.size();
  // Ellipsis rank: the largest number of dims any operand's "..." covers.
  int64_t ell_rank = 0;
  Dims op_ell(n_in, 0);
  for (size_t k = 0; k < n_in; ++k) {
    const auto& t = spec.inputs[k];
    const bool has_ell = std::find(t.begin(), t.end(), kEllipsis) != t.end();
    const int64_t letters = static_cast<int64_t>(t.size()) - (has_ell ? 1 : 0);
    const int64_t rank = ctx.input(k).rank();
    if (has_ell ? rank < letters : rank != letters) {
      return InvalidArgument("Einsum operand " + std::to_string(k) + " has rank " + std::to_string(rank) +
                             ", which does not match its subscripts");
    }
    op_ell[k] = rank - letters;
    ell_rank = std::max(ell_rank, op_ell[k]);
  }
  const int total_labels = kNumLetters + static_cast<int>(ell_rank);
  Dims size(total_labels, -1);
  std::vector<Dims> lstride(n_in, Dims(total_labels, 0));
  for (size_t k = 0; k < n_in; ++k) {
    const Tensor& x = ctx.input(k);
    Dims axis_label;
    for (int l : spec.inputs[k]) {
      if (l != kEllipsis) {
        axis_label.push_back(l);
        continue;
      }
      for (int64_t e = ell_rank - op_ell[k]; e < ell_rank; ++e) axis_label.push_back(kNumLetters + e);
    }
    int64_t stride = 1;
    for (int64_t a = x.rank() - 1; a >= 0; --a) {
      const int64_t l = axis_label[a];
      const int64_t d = x.dim(a);
      if (d != 1 || size[l] == -1 || size[l] == 1) {
        if (size[l] != -1 && size[l] != 1 && size[l] != d) {
          return InvalidArgument("Einsum operand " + std::to_string(k) + " dim " + std::to_string(a) + " has size " +
                                 std::to_string(d) + ", but its label has size " + std::to_string(size[l]));
        }
        size[l] = d;
      }
      if (d != 1) lstride[k][l] += stride;  // size-1 dims broadcast: stride 0
      stride *= d;
    }
  }
  EinsumLayout lay;
  std::vector<int> order;
  for (int l : spec.output) {
    if (l != kEllipsis) {
      order.push_back(l);
      continue;
    }
    for (int64_t e = 0; e < ell_rank; ++e) order.push_back(kNumLetters + static_cast<int>(e));
  }
  for (int l : order) {
    const int64_t d = size[l] < 0 ? 1 : size[l];
    lay.out_shape.push_back(d);
    lay.out_count *= d;
  }
  for (int l = 0; l < total_labels; ++l) {
    if (size[l] < 0 || std::find(order.begin(), order.end(), l) != order.end()) continue;
    order.push_back(l);
    lay.sum_count *= size[l];
  }
  for (int l : order) lay.dims.push_back(size[l] < 0 ? 1 : size[l]);
  lay.strides.assign(n_in, {});
  for (size_t k = 0; k < n_in; ++k) {
    for (int l : order) lay.strides[k].push_back(lstride[k][l]);
  }
  return lay;
}

template <typename T>
void Evaluate(const EinsumLayout& lay, const std::vector<const T*>& in, T* out) {
  using Acc = std::conditional_t<std::is_integral_v<T>, uint64_t, double>;
  using Wide = std::conditional_t<std::is_signed_v<T>, int64_t, uint64_t>;
  auto to_acc = [](T v) -> Acc {
    if constexpr (std::is_integral_v<T>) return static_cast<Acc>(static_cast<Wide>(v));
    else if constexpr (std::is_same_v<T, double>) return v;
    else return static_cast<double>(static_cast<float>(v));
  };
  if (lay.sum_count == 0) return;  // outputs stay zero
  const size_t n_in = in.size(), n_lab = lay.dims.size();
  // When labels are summed, the last one is summed and runs as a tight inner loop; the odometer
  // walks the remaining labels (output labels first, so the output index follows it).
  const bool has_sum = n_lab > lay.out_shape.size();
  const size_t n_odo = has_sum ? n_lab - 1 : n_lab;
  const int64_t inner_n = has_sum ? lay.dims[n_lab - 1] : 1;
  const int64_t outer_sum = lay.sum_count / inner_n;
  Dims inner_stride(n_in, 0);
  if (has_sum) {
    for (size_t k = 0; k < n_in; ++k) inner_stride[k] = lay.strides[k][n_lab - 1];
  }
  Dims idx(n_odo, 0), off(n_in, 0);
  for (int64_t o = 0; o < lay.out_count; ++o) {
    Acc acc{};
    for (int64_t s = 0; s < outer_sum; ++s) {
      for (int64_t j = 0; j < inner_n; ++j) {
        Acc prod = to_acc(in[0][off[0] + j * inner_stride[0]]);
        for (size_t k = 1; k < n_in; ++k) prod *= to_acc(in[k][off[k] + j * inner_stride[k]]);
        acc += prod;
      }
      for (size_t l = n_odo; l-- > 0;) {
        for (size_t k = 0; k < n_in; ++k) off[k] += lay.strides[k][l];
        if (++idx[l] < lay.dims[l]) break;
        for (size_t k = 0; k < n_in; ++k) off[k] -= lay.strides[k][l] * lay.dims[l];
        idx[l] = 0;
      }
    }
    out[o] = static_cast<T>(acc);
  }
}

Status EinsumRun(const EinsumSpec& spec, KernelContext& ctx) {
  EDGERUN_RETURN_IF_ERROR(CheckTensorInputs(ctx, spec.inputs.size(), "Einsum"));
  if (ctx.num_inputs() != spec.inputs.size()) {
    return InvalidArgument("Einsum equation has " + std::to_string(spec.inputs.size()) + " operands, node has " +
                           std::to_string(ctx.num_inputs()) + " inputs");
  }
  const DataType dt = ctx.input(0).dtype();
  for (size_t k = 0; k < spec.inputs.size(); ++k) {
    if (ctx.input(k).dtype() != dt) return InvalidArgument("Einsum inputs must share one dtype");
  }
  EinsumLayout lay;
  EDGERUN_ASSIGN_OR_RETURN(lay, Layout(spec, ctx));
  Tensor* y;
  EDGERUN_ASSIGN_OR_RETURN(y, ctx.AllocateOutput(0, dt, lay.out_shape));
  if (y->numel() == 0) return Status::Ok();
  return DispatchNumeric(dt, "Einsum", [&]<typename T>() -> Status {
    std::vector<const T*> in;
    for (size_t k = 0; k < spec.inputs.size(); ++k) in.push_back(ctx.input(k).data<T>());
    Evaluate<T>(lay, in, y->data<T>());
    return Status::Ok();
  });
}

}  // namespace

void RegisterEinsumKernels(KernelRegistry& r) {
  r.Register("Einsum", [](const KernelCreateContext& kc) -> Result<std::unique_ptr<Kernel>> {
    if (!kc.node.HasAttribute("equation")) return InvalidArgument(kc.node.Describe() + ": missing attribute equation");
    auto spec = ParseEquation(kc.node.GetString("equation", ""));
    if (!spec.ok()) return spec.status().WithContext(kc.node.Describe());
    return MakeFnKernel([s = std::move(spec).value()](KernelContext& ctx) { return EinsumRun(s, ctx); });
  });
}

}  // namespace edgerun
