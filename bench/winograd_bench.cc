// Micro-benchmark: Winograd F(4x4,3x3) (src/kernels/xnnpack/winograd_conv.cc) vs oneDNN's direct
// convolution (NHWC, forward_inference) on the 3x3 stride-1 layers of resnet18 and squeezenet1_1.
// Not part of the CMake build. Build and run from the repository root:
//   g++ -std=c++20 -O2 -I include -I src bench/winograd_bench.cc src/kernels/xnnpack/winograd_conv.cc -lpthreadpool -ldnnl -lpthread -ldl -o /tmp/winograd_bench && /tmp/winograd_bench
// Prints the median of RUNS (default 50) timed runs after warm-up, at 1 thread and 2 threads,
// in ms and in effective GFLOP/s (direct-convolution FLOPs 2*oh*ow*c*m*9 / time).
// Environment: RUNS=n, WINO_BLOCK=tiles per block (0 = automatic), ONEDNN=0 skips oneDNN.
// oneDNN runs on OpenMP: the program re-executes itself with OMP_WAIT_POLICY=passive so idle
// OpenMP workers do not spin against the pthreadpool measurements.
#include <dlfcn.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <vector>

#include <dnnl.hpp>

#include "kernels/xnnpack/winograd_conv.h"

namespace {

using edgerun::xnn::winograd::Conv3x3;
using edgerun::xnn::winograd::Conv3x3Params;

struct Shape {
  const char* name;
  int64_t c, m, hw;
};

template <typename F>
double MedianMs(int runs, F&& f) {
  for (int i = 0; i < 5; ++i) f();
  std::vector<double> ms;
  for (int i = 0; i < runs; ++i) {
    const auto t0 = std::chrono::steady_clock::now();
    f();
    ms.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
  }
  std::nth_element(ms.begin(), ms.begin() + runs / 2, ms.end());
  return ms[runs / 2];
}

void SetOmpThreads(int n) {
  using SetFn = void (*)(int);
  static const SetFn set = reinterpret_cast<SetFn>(dlsym(RTLD_DEFAULT, "omp_set_num_threads"));
  if (set) set(n);
}

double OneDnnMs(const Shape& s, const std::vector<float>& x, const std::vector<float>& wts,
                const std::vector<float>& bias, std::vector<float>& y, int threads, int runs) {
  using namespace dnnl;
  SetOmpThreads(threads);
  engine eng(engine::kind::cpu, 0);
  stream strm(eng);
  const memory::dims src_d{1, s.c, s.hw, s.hw}, dst_d{1, s.m, s.hw, s.hw}, w_d{s.m, s.c, 3, 3}, b_d{s.m};
  auto f32 = memory::data_type::f32;
  memory::desc src_md(src_d, f32, memory::format_tag::nhwc), dst_md(dst_d, f32, memory::format_tag::nhwc);
  memory::desc w_any(w_d, f32, memory::format_tag::any), b_md(b_d, f32, memory::format_tag::x);
  convolution_forward::desc cd(prop_kind::forward_inference, algorithm::convolution_direct, src_md, w_any, b_md,
                               dst_md, {1, 1}, {1, 1}, {1, 1});
  convolution_forward::primitive_desc pd(cd, eng);
  memory w_user({w_d, f32, memory::format_tag::oihw}, eng, const_cast<float*>(wts.data()));
  memory w_mem(pd.weights_desc(), eng);
  reorder(w_user, w_mem).execute(strm, w_user, w_mem);
  memory src(src_md, eng, const_cast<float*>(x.data())), dst(dst_md, eng, y.data());
  memory b(b_md, eng, const_cast<float*>(bias.data()));
  convolution_forward conv(pd);
  static bool printed = false;
  if (!printed) {
    std::printf("# oneDNN implementation: %s\n", pd.impl_info_str());
    printed = true;
  }
  return MedianMs(runs, [&] {
    conv.execute(strm, {{DNNL_ARG_SRC, src}, {DNNL_ARG_WEIGHTS, w_mem}, {DNNL_ARG_BIAS, b}, {DNNL_ARG_DST, dst}});
    strm.wait();
  });
}

double WinogradMs(const Conv3x3& conv, const std::vector<float>& x, std::vector<float>& y, int64_t c, int64_t m,
                  int threads, int runs) {
  pthreadpool_t pool = threads > 1 ? pthreadpool_create(threads) : nullptr;
  std::vector<uint8_t> scratch(conv.ScratchBytes(threads));
  const double ms = MedianMs(runs, [&] {
    conv.Run(x.data(), c, y.data(), m, nullptr, 0, 0.0f, 1e30f, scratch.data(), pool);
  });
  if (pool) pthreadpool_destroy(pool);
  return ms;
}

}  // namespace

int main(int argc, char** argv) {
  if (std::getenv("OMP_WAIT_POLICY") == nullptr) {
    setenv("OMP_WAIT_POLICY", "passive", 1);
    execv("/proc/self/exe", argv);
  }
  if (!edgerun::xnn::winograd::Available()) {
    std::printf("winograd kernel unavailable (no AVX2+FMA)\n");
    return 1;
  }
  const int runs = std::getenv("RUNS") ? std::atoi(std::getenv("RUNS")) : 50;
  const int64_t block = std::getenv("WINO_BLOCK") ? std::atoll(std::getenv("WINO_BLOCK")) : 0;
  const bool onednn = !(std::getenv("ONEDNN") && std::atoi(std::getenv("ONEDNN")) == 0);
  const Shape shapes[] = {
      {"resnet18 64->64 @56", 64, 64, 56},     {"resnet18 128->128 @28", 128, 128, 28},
      {"resnet18 256->256 @14", 256, 256, 14}, {"resnet18 512->512 @7", 512, 512, 7},
      {"squeeze 16->64 @55", 16, 64, 55},      {"squeeze 32->128 @27", 32, 128, 27},
      {"squeeze 48->192 @13", 48, 192, 13},    {"squeeze 64->256 @13", 64, 256, 13},
  };
  std::printf("%-24s %9s %7s %9s %7s | %9s %7s %9s %7s | %6s %6s\n", "shape (pads 1, n=1)", "wino1 ms", "GF/s",
              "wino2 ms", "GF/s", "dnnl1 ms", "GF/s", "dnnl2 ms", "GF/s", "x1T", "x2T");
  std::mt19937 rng(1);
  std::uniform_real_distribution<float> dist(-1.0f, 1.0f);
  for (const Shape& s : shapes) {
    std::vector<float> x(s.hw * s.hw * s.c), wts(s.m * s.c * 9), bias(s.m), y(s.hw * s.hw * s.m);
    for (float& v : x) v = dist(rng);
    for (float& v : wts) v = dist(rng);
    for (float& v : bias) v = dist(rng);
    Conv3x3Params p;
    p.h = s.hw, p.w = s.hw, p.c = s.c, p.m = s.m, p.weights = wts.data(), p.bias = bias.data(), p.tile_block = block;
    auto conv = Conv3x3::Create(p);
    if (!conv.ok()) {
      std::printf("%s: %s\n", s.name, conv.status().message().c_str());
      return 1;
    }
    const double gflop = 2.0 * s.hw * s.hw * s.c * s.m * 9 / 1e9;
    const double w1 = WinogradMs(**conv, x, y, s.c, s.m, 1, runs);
    const double w2 = WinogradMs(**conv, x, y, s.c, s.m, 2, runs);
    double d1 = 0, d2 = 0;
    if (onednn) {
      d1 = OneDnnMs(s, x, wts, bias, y, 1, runs);
      d2 = OneDnnMs(s, x, wts, bias, y, 2, runs);
    }
    std::printf("%-24s %9.3f %7.1f %9.3f %7.1f | %9.3f %7.1f %9.3f %7.1f | %6.2f %6.2f\n", s.name, w1, gflop / w1 * 1e3,
                w2, gflop / w2 * 1e3, d1, d1 > 0 ? gflop / d1 * 1e3 : 0.0, d2, d2 > 0 ? gflop / d2 * 1e3 : 0.0,
                d1 / w1, d2 / w2);
    std::fflush(stdout);
  }
  return 0;
}
