// 1-D GEMM convolution vs a direct NWC convolution in double, over shape sweeps.
#include "kernels/xnnpack/conv1d_gemm.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <random>
#include <sstream>
#include <string>
#include <vector>

namespace edgerun::xnn::conv1d {
namespace {

constexpr float kInf = std::numeric_limits<float>::infinity();
constexpr float kSentinel = 1234.5f;

struct Case {
  int64_t n = 1, w = 9, c = 3, m = 5, kernel = 3, stride = 1, dilation = 1, pl = 1, pr = 1;
  bool bias = true, residual = false;
  size_t threads = 1;  // > 1: Run splits over a serial stand-in for a thread team
  int64_t pool = 1;
  bool pool_ceil = false;
  float lo = -kInf, hi = kInf;
  int64_t x_extra = 0, y_extra = 0, y_offset = 0, z_extra = 0;  // position stride slack, y channel offset

  std::string Name() const {
    std::ostringstream o;
    o << "n" << n << " w" << w << " c" << c << " m" << m << " k" << kernel << " s" << stride << " d" << dilation
      << " pads " << pl << "," << pr << " pool " << pool << (pool_ceil ? " ceil" : "") << " threads " << threads << (bias ? " bias" : "") << (residual ? " z" : "") << " clamp[" << lo << ","
      << hi << "] xs+" << x_extra << " ys+" << y_extra << "@" << y_offset << " zs+" << z_extra;
    return o.str();
  }
};

std::vector<float> Random(size_t count, std::mt19937& rng) {
  std::uniform_real_distribution<float> dist(-1.0f, 1.0f);
  std::vector<float> v(count);
  for (float& f : v) f = dist(rng);
  return v;
}

void Check(const Case& k, uint32_t seed) {
  SCOPED_TRACE(k.Name());
  std::mt19937 rng(seed);
  const int64_t span = k.dilation * (k.kernel - 1) + 1;
  const int64_t cw = (k.w + k.pl + k.pr - span) / k.stride + 1;  // convolution outputs
  const int64_t ow = k.pool == 1 ? cw : k.pool_ceil ? (cw + 1) / 2 : cw / 2;
  const int64_t xs = k.c + k.x_extra, ys = k.y_offset + k.m + k.y_extra, zs = k.m + k.z_extra;
  const std::vector<float> x = Random(static_cast<size_t>(k.n * k.w * xs), rng);
  const std::vector<float> wts = Random(static_cast<size_t>(k.m * k.c * k.kernel), rng);
  const std::vector<float> bias = Random(static_cast<size_t>(k.m), rng);
  const std::vector<float> z = Random(static_cast<size_t>(k.n * cw * zs), rng);

  Conv1dParams p;
  p.n = k.n, p.w = k.w, p.c = k.c, p.m = k.m, p.kernel = k.kernel, p.stride = k.stride, p.dilation = k.dilation;
  p.pad_left = k.pl, p.pad_right = k.pr;
  p.weights = wts.data();
  p.bias = k.bias ? bias.data() : nullptr;
  p.pool = k.pool, p.pool_ceil = k.pool_ceil;
  auto conv = Conv1d::Create(p);
  ASSERT_TRUE(conv.ok()) << conv.status().message();
  ASSERT_EQ((*conv)->out_w(), ow);
  std::vector<uint8_t> scratch((*conv)->ScratchBytes());
  std::vector<float> y(static_cast<size_t>(k.n * ow * ys), kSentinel);
  if (k.threads > 1) {
    // Runs the parts in reverse order, so that a part depending on another's output would show.
    (*conv)->Run(x.data(), xs, y.data() + k.y_offset, ys, k.residual ? z.data() : nullptr, zs, k.lo, k.hi,
                 scratch.data(),
                 [](void*, size_t n, void (*task)(void*, size_t), void* arg) {
                   for (size_t i = n; i-- > 0;) task(arg, i);
                 },
                 nullptr, k.threads);
  } else {
    (*conv)->Run(x.data(), xs, y.data() + k.y_offset, ys, k.residual ? z.data() : nullptr, zs, k.lo, k.hi,
                 scratch.data());
  }

  // Direct convolution in double (value and magnitude sum for the tolerance), then the pool.
  auto direct = [&](int64_t b, int64_t l, int64_t o, double* mag) {
    double acc = k.bias ? bias[static_cast<size_t>(o)] : 0.0;
    *mag = std::abs(acc);
    for (int64_t t = 0; t < k.kernel; ++t) {
      const int64_t i = l * k.stride + t * k.dilation - k.pl;
      if (i < 0 || i >= k.w) continue;
      for (int64_t ci = 0; ci < k.c; ++ci) {
        const double term = static_cast<double>(x[static_cast<size_t>((b * k.w + i) * xs + ci)]) *
                            wts[static_cast<size_t>((o * k.c + ci) * k.kernel + t)];
        acc += term;
        *mag += std::abs(term);
      }
    }
    if (k.residual) {
      const float zv = z[static_cast<size_t>((b * cw + l) * zs + o)];
      acc += zv, *mag += std::abs(zv);
    }
    return std::clamp(acc, static_cast<double>(k.lo), static_cast<double>(k.hi));
  };
  int64_t bad = 0;
  for (int64_t b = 0; b < k.n; ++b) {
    for (int64_t l = 0; l < ow; ++l) {
      const int64_t pos = b * ow + l;
      for (int64_t ch = 0; ch < ys; ++ch) {
        const float got = y[static_cast<size_t>(pos * ys + ch)];
        const int64_t o = ch - k.y_offset;
        if (o < 0 || o >= k.m) {
          if (got != kSentinel && bad++ < 5) ADD_FAILURE() << "wrote outside y at position " << pos << " channel " << ch;
          continue;
        }
        double mag = 0, want = direct(b, l * k.pool, o, &mag);
        if (k.pool == 2 && l * 2 + 1 < cw) {
          double mag2 = 0;
          want = std::max(want, direct(b, l * 2 + 1, o, &mag2));
          mag = std::max(mag, mag2);
        }
        const double tol = 1e-6 * std::max(mag, 1.0);  // fp32 accumulation over at most a few hundred terms
        if (!(std::abs(got - want) <= tol) && bad++ < 5) {
          ADD_FAILURE() << "position " << pos << " channel " << o << ": got " << got << " want " << want;
        }
      }
    }
  }
  EXPECT_EQ(bad, 0);
}

class Conv1dGemmTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!Available()) GTEST_SKIP() << "no AVX2+FMA";
  }
};

TEST_F(Conv1dGemmTest, SweepShapes) {
  const int64_t ws[] = {1, 2, 5, 6, 7, 12, 13, 31, 64, 256};
  const int64_t cs[] = {1, 3, 8, 16, 17};
  const int64_t ms[] = {1, 5, 8, 16, 17, 33};
  const int64_t kernels[] = {1, 2, 3, 5, 7};
  uint32_t i = 0;
  for (int64_t w : ws) {
    for (int64_t kernel : kernels) {
      Case k;
      k.w = w, k.kernel = kernel;
      k.n = 1 + (i / 3) % 2;
      k.c = cs[i % 5];
      k.m = ms[(i / 5 + i) % 6];
      k.stride = 1 + (i / 2) % 3;
      k.dilation = 1 + (i / 7) % 2;
      k.pl = (i / 3) % 4, k.pr = (i / 4) % 3;
      const int64_t span = k.dilation * (k.kernel - 1) + 1;
      if (k.w + k.pl + k.pr < span) k.pr = span - k.w - k.pl;
      k.bias = i % 2 == 0;
      k.residual = i % 3 != 1;
      if (i % 4 == 1) k.lo = 0;
      if (i % 4 == 3) k.lo = -0.5f, k.hi = 0.5f;
      if (i % 5 == 2) k.x_extra = 3, k.y_extra = 5, k.y_offset = 7, k.z_extra = 2;
      Check(k, i++);
    }
  }
}

TEST_F(Conv1dGemmTest, AllChannelCountsAroundPanels) {
  uint32_t i = 1000;
  for (int64_t c : {1, 3, 8, 64}) {
    for (int64_t m : {1, 7, 8, 9, 15, 16, 17, 31, 32, 33, 64}) {
      Case k;
      k.w = 40, k.c = c, k.m = m, k.kernel = 5, k.pl = 2, k.pr = 2;
      k.residual = (c + m) % 2 == 0;
      Check(k, i++);
    }
  }
}

TEST_F(Conv1dGemmTest, StridedInputWithoutPadding) {
  // No padding: the kernel reads x in place with its position stride (no copy).
  Case k;
  k.w = 50, k.c = 16, k.m = 32, k.kernel = 5, k.pl = 0, k.pr = 0, k.x_extra = 4, k.residual = true;
  Check(k, 7);
  k.stride = 2, k.dilation = 2;
  Check(k, 8);
}

TEST_F(Conv1dGemmTest, FusedMaxPoolOfTwo) {
  uint32_t i = 3000;
  for (int64_t w : {2, 3, 5, 6, 7, 11, 12, 13, 64, 65}) {
    for (bool ceil : {false, true}) {
      Case k;
      k.w = w, k.c = 5, k.m = 19, k.kernel = 3, k.pl = 1, k.pr = 1;
      k.pool = 2, k.pool_ceil = ceil;
      k.n = 1 + w % 2;
      k.residual = w % 3 == 0;
      k.lo = w % 2 == 0 ? 0.0f : -kInf;
      if (w % 4 == 1) k.x_extra = 2, k.y_extra = 3, k.y_offset = 1, k.z_extra = 4;
      Check(k, i++);
    }
  }
}

// Split over 2-5 threads by whole tiles of output positions: parts of unequal size, more threads
// than tiles, and the fused pool's pairs at the part borders.
TEST_F(Conv1dGemmTest, SplitOverThreads) {
  uint32_t i = 4000;
  for (size_t threads : {2, 3, 5}) {
    for (int64_t w : {5, 13, 37, 128}) {
      for (int64_t pool : {1, 2}) {
        Case k;
        k.threads = threads, k.w = w, k.c = 16, k.m = 24, k.kernel = 5, k.pl = 2, k.pr = 2;
        k.pool = pool, k.pool_ceil = w % 2 == 1;
        k.n = 1 + w % 2;
        k.residual = threads == 3;
        k.lo = 0;
        Check(k, i++);
      }
    }
  }
}

TEST_F(Conv1dGemmTest, RejectsBadParameters) {
  const std::vector<float> w(3 * 2 * 3, 0.5f);
  Conv1dParams p;
  p.w = 10, p.c = 2, p.m = 3, p.kernel = 3, p.weights = w.data();
  ASSERT_TRUE(Conv1d::Create(p).ok());
  auto expect_error = [&](Conv1dParams bad, const std::string& needle) {
    auto r = Conv1d::Create(bad);
    ASSERT_FALSE(r.ok()) << needle;
    EXPECT_NE(r.status().message().find(needle), std::string::npos) << r.status().message();
  };
  Conv1dParams q = p;
  q.c = 0;
  expect_error(q, "c must be >= 1");
  q = p, q.stride = 0;
  expect_error(q, "stride must be >= 1");
  q = p, q.pad_left = -1;
  expect_error(q, "pad_left must be >= 0");
  q = p, q.weights = nullptr;
  expect_error(q, "weights must not be null");
  q = p, q.w = 2;  // 2 < kernel 3 with no padding
  expect_error(q, "output would be empty");
  q = p, q.m = int64_t{1} << 30;
  expect_error(q, "<= 2^24");
  q = p, q.pool = 3;
  expect_error(q, "pool must be 1 or 2");
  q = p, q.w = 3, q.pool = 2;  // one convolution output
  expect_error(q, "cannot be pooled");
}

}  // namespace
}  // namespace edgerun::xnn::conv1d
