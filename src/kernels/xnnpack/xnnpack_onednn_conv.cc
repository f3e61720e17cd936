// oneDNN convolution steps inside an XNNPACK plan.
//
// Rule: a convolution goes to oneDNN unless it is depthwise; depthwise ones, and any convolution
// for which oneDNN would use its reference kernel, stay on XNNPACK.
//
// Numbers behind it (this machine: AVX2/FMA, 1 thread, NHWC, ms per layer, XNNPACK vs oneDNN 2.6).
// Isolated layers, hot caches:
//   standard 3x3 s1  64->64 @56:   16.1 vs  6.0     3x3 s2 64->128 @56:  8.0 vs 3.9
//            3x3 s1 256->256 @14:  15.7 vs 12.0     7x7 s2 3->64 @224:  16.3 vs 5.7
//   pointwise 1x1 16->96 @112:      1.70 vs 0.50    1x1 144->24 @56:    0.81 vs 0.23
//             1x1 320->1280 @7:     1.13 vs 0.41    (1x1 is 2.5-3.5x faster everywhere)
//   RGB stems 3x3 s2 3->64 @224:    1.56 vs 0.53    3x3 s2 3->32 @224:  1.12 vs 0.31
//   depthwise 3x3 32 @112:          0.29 vs 0.13    3x3 s2 144 @56:     0.063 vs 0.056
// Inside the networks (per step, cold caches) depthwise flips: mobilenet_v2 dw 3x3 s2 96 @112:
// 0.34 vs 0.51, dw 3x3 144 @56: 0.35 vs 0.46; whole mobilenet_v2 with depthwise on oneDNN: 8.33
// vs 8.22 ms (1 thread), 6.05 vs 7.10 ms (2 threads), median of 6 alternating minimums.
// Stems on oneDNN, whole networks (1 thread, minimum of 100 runs): squeezenet1_1 9.47 -> 8.96 ms,
// mobilenet_v2 9.00 -> 8.65 ms, vibration_cnn1d (1-D, 3 channels, kernel 5-7) 47.8 -> 45.0 us.
// (An earlier rule kept stems on XNNPACK from in-network timings taken while oneDNN primitives
// were created for a 2-thread OpenMP team in 1-thread sessions; see kMinFlopsToThread.)
// oneDNN is 100x slower on strided (channel-sliced) NHWC memory, where it falls back to its
// reference kernel: so these steps never write concat slices in place (the concat copies).
#include "kernels/xnnpack/xnnpack_onednn_conv.h"

#include <dlfcn.h>

#include <algorithm>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <string>
#include <unordered_map>

#include <dnnl.hpp>

namespace edgerun::xnn {

struct OneDnnRuntime::Impl {
  dnnl::engine engine;
  dnnl::stream stream;
};

namespace {

std::atomic<int64_t> g_onednn_steps{0};

// libdnnl here uses OpenMP; its thread count is the calling thread's OpenMP setting. libgomp is
// loaded with libdnnl, so its setter is looked up rather than linked (no OpenMP flags needed).
void SetOmpThreads(int n) {
  using SetFn = void (*)(int);
  static const SetFn set = reinterpret_cast<SetFn>(dlsym(RTLD_DEFAULT, "omp_set_num_threads"));
  thread_local int current = -1;
  if (set && current != n) {
    set(n);
    current = n;
  }
}

struct OmpTask {
  void (*task)(void*, size_t);
  void* arg;
  int (*thread_num)();
};

}  // namespace

void OmpParallel(size_t threads, void (*task)(void*, size_t), void* arg) {
  // libgomp's entry points, looked up like omp_set_num_threads above.
  using ParallelFn = void (*)(void (*)(void*), void*, unsigned, unsigned);
  using ThreadNumFn = int (*)();
  static const ParallelFn parallel = reinterpret_cast<ParallelFn>(dlsym(RTLD_DEFAULT, "GOMP_parallel"));
  static const ThreadNumFn thread_num = reinterpret_cast<ThreadNumFn>(dlsym(RTLD_DEFAULT, "omp_get_thread_num"));
  if (threads <= 1 || !parallel || !thread_num) {
    for (size_t i = 0; i < std::max<size_t>(threads, 1); ++i) task(arg, i);
    return;
  }
  OmpTask t{task, arg, thread_num};
  parallel(
      [](void* data) {
        auto* ot = static_cast<OmpTask*>(data);
        ot->task(ot->arg, static_cast<size_t>(ot->thread_num()));
      },
      &t, static_cast<unsigned>(threads), 0);
}

namespace {

using dnnl::memory;
using Tag = memory::format_tag;
constexpr auto kF32 = memory::data_type::f32;

memory::desc Nhwc(int64_t n, int64_t c, int64_t h, int64_t w) { return memory::desc({n, c, h, w}, kF32, Tag::nhwc); }

void AppendClamp(dnnl::post_ops& po, float lo, float hi) {
  if (lo == kNoMin && hi == kNoMax) return;
  if (lo == 0 && hi == kNoMax) {
    po.append_eltwise(1.0f, dnnl::algorithm::eltwise_relu, 0.0f, 0.0f);
    return;
  }
  const float big = std::numeric_limits<float>::max();
  po.append_eltwise(1.0f, dnnl::algorithm::eltwise_clip, std::max(lo, -big), std::min(hi, big));
}

struct Geometry {
  int64_t n, c, h, w, oh, ow;
};

// Builds the primitive descriptor; throws dnnl::error when oneDNN cannot.
dnnl::convolution_forward::primitive_desc MakePd(const dnnl::engine& eng, const Geometry& g, const OneDnnConvParams& p,
                                                 float out_lo, float out_hi) {
  const memory::desc src = Nhwc(g.n, g.c, g.h, g.w);
  const memory::desc dst = Nhwc(g.n, p.m, g.oh, g.ow);
  const memory::dims wdims = p.group == 1 ? memory::dims{p.m, p.cg, p.kh, p.kw}
                                          : memory::dims{p.group, p.m / p.group, p.cg, p.kh, p.kw};
  const memory::desc wei(wdims, kF32, Tag::any);
  const memory::dims strides = {p.strides[0], p.strides[1]};
  const memory::dims dil = {p.dilations[0] - 1, p.dilations[1] - 1};
  const memory::dims pl = {p.pad_begin[0], p.pad_begin[1]}, pr = {p.pad_end[0], p.pad_end[1]};
  const auto prop = dnnl::prop_kind::forward_inference;
  const auto algo = dnnl::algorithm::convolution_direct;
  auto desc = p.bias ? dnnl::convolution_forward::desc(prop, algo, src, wei, memory::desc({p.m}, kF32, Tag::x), dst,
                                                       strides, dil, pl, pr)
                     : dnnl::convolution_forward::desc(prop, algo, src, wei, dst, strides, dil, pl, pr);
  dnnl::post_ops po;
  if (p.has_z) po.append_binary(dnnl::algorithm::binary_add, dst);
  AppendClamp(po, p.act_lo, p.act_hi);
  switch (p.activation) {
    case ConvActivation::kNone: break;
    case ConvActivation::kSigmoid: po.append_eltwise(1.0f, dnnl::algorithm::eltwise_logistic, 0, 0); break;
    case ConvActivation::kHardSwish: po.append_eltwise(1.0f, dnnl::algorithm::eltwise_hardswish, 0, 0); break;
    case ConvActivation::kLeakyRelu: po.append_eltwise(1.0f, dnnl::algorithm::eltwise_relu, p.alpha, 0); break;
  }
  AppendClamp(po, out_lo, out_hi);
  dnnl::primitive_attr attr;
  attr.set_post_ops(po);
  return dnnl::convolution_forward::primitive_desc(desc, attr, eng);
}

bool IsReference(const dnnl::convolution_forward::primitive_desc& pd) {
  return std::strstr(pd.impl_info_str(), "ref") != nullptr;
}

// Below this many FLOPs a convolution runs on the calling thread alone: an OpenMP fork/join costs
// microseconds (tens when the team has gone to sleep), as much as such a convolution takes
// (vibration_cnn1d's 1-D convolutions take 8-16 us each; with a 2-thread team the model ran 40x
// slower, its OpenMP and pthreadpool workers spinning against each other on 2 cores).
constexpr double kMinFlopsToThread = 4e6;

struct ConvState {
  std::shared_ptr<OneDnnRuntime> rt;  // outlives the primitive and memories below
  int threads = 1;                    // OpenMP team size, fixed when the primitive is created
  dnnl::convolution_forward prim;
  memory weights;
  std::unordered_map<int, memory> args;
  // The same arguments for oneDNN's C entry point, rebuilt at setup: the C++ execute() copies the
  // map into a new vector on every run.
  std::vector<dnnl_exec_arg_t> c_args;
};

}  // namespace

OneDnnRuntime::~OneDnnRuntime() = default;

std::shared_ptr<OneDnnRuntime> OneDnnRuntime::Create(int threads) {
  const char* env = std::getenv("EDGERUN_XNNPACK_ONEDNN");
  if (env && std::string(env) == "0") return nullptr;
  // With more than one thread oneDNN splits each convolution statically over an OpenMP team. On
  // an otherwise idle 2-core machine that beats XNNPACK clearly (2 threads, p50 ms, XNNPACK-only vs
  // with oneDNN vs ONNX Runtime: resnet18 59 / 29 / 25, mobilenet_v2 10.3 / 7.6 / 6.3,
  // squeezenet1_1 11.0 / 7.1 / 7.0), but when other processes hold the cores every convolution
  // waits for the descheduled thread (seen: squeezenet1_1 184 ms), where XNNPACK's work-stealing
  // pool degrades more gently. EDGERUN_XNNPACK_ONEDNN=0 turns oneDNN off for such hosts.
  try {
    std::shared_ptr<OneDnnRuntime> rt(new OneDnnRuntime());
    rt->impl_ = std::make_unique<Impl>();
    rt->impl_->engine = dnnl::engine(dnnl::engine::kind::cpu, 0);
    rt->impl_->stream = dnnl::stream(rt->impl_->engine);
    rt->threads_ = std::max(1, threads);
    return rt;
  } catch (const dnnl::error&) {
    return nullptr;
  }
}

int64_t OneDnnConvSteps() { return g_onednn_steps.load(); }

int TryAddOneDnnConv(Plan& plan, const std::string& what, int x, int z, const Shape& out_shape,
                     const OneDnnConvParams& params) {
  std::shared_ptr<OneDnnRuntime> rt = plan.onednn();
  if (!rt) return -1;
  const bool depthwise = params.group > 1 && params.cg == 1;
  if (depthwise) return -1;  // the rule above
  const Value& xv = plan.value(x);
  if (!xv.dense() || (params.has_z && !plan.value(z).dense())) return -1;
  // Rank 3 (1-D) is viewed as H = 1; NHWC memory is the same.
  const bool one_d = xv.shape.size() == 3;
  Geometry g{xv.shape[0], xv.shape[1], one_d ? 1 : xv.shape[2], xv.shape.back(),
             one_d ? 1 : out_shape[2], out_shape.back()};
  try {
    // Probe with the final post-op chain less a clamp folded in later (always supported).
    if (IsReference(MakePd(rt->impl().engine, g, params, kNoMin, kNoMax))) return -1;
  } catch (const dnnl::error&) {
    return -1;
  }
  const int y = plan.AddValue(out_shape);
  Step s;
  s.what = what;
  s.inputs = params.has_z ? std::vector<int>{x, z} : std::vector<int>{x};
  s.outputs = {y};
  s.strided_output = false;  // oneDNN on channel-sliced memory is its reference kernel
  s.openmp = true;
  s.clampable = true;        // the step's clamp is its last post-op
  OneDnnConvParams p = params;
  if (p.activation == ConvActivation::kNone) {  // the activation's clamp is the step's clamp
    s.output_min = p.act_lo, s.output_max = p.act_hi;
    p.act_lo = kNoMin, p.act_hi = kNoMax;
  }
  auto state = std::make_shared<ConvState>();
  state->rt = rt;
  const double flops = 2.0 * static_cast<double>(g.n * g.oh * g.ow * p.m * p.cg * p.kh * p.kw);
  state->threads = flops < kMinFlopsToThread ? 1 : rt->threads();
  s.create = [state, g, p](Plan& plan_ref, Step& st) -> Status {
    try {
      OneDnnRuntime::Impl& impl = state->rt->impl();
      // oneDNN sizes a primitive's work split by the OpenMP thread count at creation and forks
      // that many threads when it runs, whatever the setting then: set it first.
      SetOmpThreads(state->threads);
      auto pd = MakePd(impl.engine, g, p, st.output_min, st.output_max);
      if (IsReference(pd)) return Unsupported(st.what + ": oneDNN offers only its reference convolution");
      state->prim = dnnl::convolution_forward(pd);
      if (std::getenv("EDGERUN_XNNPACK_VERBOSE")) {
        std::fprintf(stderr, "xnnpack: %s on oneDNN (%s)\n", st.what.c_str(), pd.impl_info_str());
      }
      const memory::dims wdims = p.group == 1 ? memory::dims{p.m, p.cg, p.kh, p.kw}
                                              : memory::dims{p.group, p.m / p.group, p.cg, p.kh, p.kw};
      memory user(memory::desc(wdims, kF32, p.group == 1 ? Tag::oihw : Tag::goihw), impl.engine,
                  const_cast<float*>(p.weights));
      state->weights = memory(pd.weights_desc(), impl.engine);
      dnnl::reorder(user, state->weights).execute(impl.stream, user, state->weights);
      impl.stream.wait();
      state->args[DNNL_ARG_WEIGHTS] = state->weights;
      if (p.bias) {
        state->args[DNNL_ARG_BIAS] = memory(memory::desc({p.m}, kF32, Tag::x), impl.engine, const_cast<float*>(p.bias));
      }
      return Status::Ok();
    } catch (const dnnl::error& e) {
      return Unsupported(st.what + ": oneDNN convolution: " + e.what());
    }
  };
  s.setup = [state, g, p](Plan& plan_ref, Step& st) -> Status {
    try {
      const dnnl::engine& eng = state->rt->impl().engine;
      state->args[DNNL_ARG_SRC] = memory(Nhwc(g.n, g.c, g.h, g.w), eng, plan_ref.Data(st.inputs[0]));
      state->args[DNNL_ARG_DST] = memory(Nhwc(g.n, p.m, g.oh, g.ow), eng, plan_ref.Data(st.outputs[0]));
      if (p.has_z) {
        state->args[DNNL_ARG_ATTR_MULTIPLE_POST_OP(0) | DNNL_ARG_SRC_1] =
            memory(Nhwc(g.n, p.m, g.oh, g.ow), eng, plan_ref.Data(st.inputs[1]));
      }
      state->c_args.clear();
      for (const auto& [arg, mem] : state->args) state->c_args.push_back({arg, mem.get()});
      return Status::Ok();
    } catch (const dnnl::error& e) {
      return Internal(st.what + ": oneDNN memory: " + e.what());
    }
  };
  const std::string w = what;
  s.run = [state, w]() -> Status {
    try {
      SetOmpThreads(state->threads);
      dnnl::stream& stream = state->rt->impl().stream;
      const dnnl_status_t r = dnnl_primitive_execute(state->prim.get(), stream.get(),
                                                     static_cast<int>(state->c_args.size()), state->c_args.data());
      if (r != dnnl_success) return Internal(w + ": oneDNN convolution failed (status " + std::to_string(r) + ")");
      stream.wait();
      return Status::Ok();
    } catch (const dnnl::error& e) {
      return Internal(w + ": oneDNN convolution failed: " + e.what());
    }
  };
  plan.AddStep(std::move(s));
  g_onednn_steps.fetch_add(1);
  return y;
}

}  // namespace edgerun::xnn
