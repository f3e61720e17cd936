// 2-D GEMM convolution vs a direct NHWC convolution in double, over shape sweeps.
#include "kernels/xnnpack/conv2d_gemm.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <random>
#include <sstream>
#include <string>
#include <vector>

namespace edgerun::xnn::conv2d {
namespace {

constexpr float kInf = std::numeric_limits<float>::infinity();
constexpr float kSentinel = 1234.5f;

struct Case {
  int64_t n = 1, h = 7, w = 7, c = 3, m = 5, kh = 3, kw = 3, sh = 1, sw = 1, dh = 1, dw = 1;
  int64_t pt = 1, pl = 1, pb = 1, pr = 1;
  bool bias = true, residual = false;
  size_t threads = 1;  // > 1: Run splits over a serial stand-in for a thread team
  float lo = -kInf, hi = kInf;
  int64_t x_extra = 0, y_extra = 0, y_offset = 0, z_extra = 0;  // pixel stride slack, y channel offset

  std::string Name() const {
    std::ostringstream o;
    o << "n" << n << " " << h << "x" << w << " c" << c << " m" << m << " k" << kh << "x" << kw << " s" << sh << ","
      << sw << " d" << dh << "," << dw << " pads " << pt << "," << pl << "," << pb << "," << pr << " threads "
      << threads << (bias ? " bias" : "") << (residual ? " z" : "") << " clamp[" << lo << "," << hi << "] xs+"
      << x_extra << " ys+" << y_extra << "@" << y_offset << " zs+" << z_extra;
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
  const int64_t oh = (k.h + k.pt + k.pb - (k.dh * (k.kh - 1) + 1)) / k.sh + 1;
  const int64_t ow = (k.w + k.pl + k.pr - (k.dw * (k.kw - 1) + 1)) / k.sw + 1;
  const int64_t xs = k.c + k.x_extra, ys = k.y_offset + k.m + k.y_extra, zs = k.m + k.z_extra;
  const std::vector<float> x = Random(static_cast<size_t>(k.n * k.h * k.w * xs), rng);
  const std::vector<float> wts = Random(static_cast<size_t>(k.m * k.c * k.kh * k.kw), rng);
  const std::vector<float> bias = Random(static_cast<size_t>(k.m), rng);
  const std::vector<float> z = Random(static_cast<size_t>(k.n * oh * ow * zs), rng);

  Conv2dParams p;
  p.n = k.n, p.h = k.h, p.w = k.w, p.c = k.c, p.m = k.m, p.kernel_h = k.kh, p.kernel_w = k.kw;
  p.stride_h = k.sh, p.stride_w = k.sw, p.dilation_h = k.dh, p.dilation_w = k.dw;
  p.pad_top = k.pt, p.pad_left = k.pl, p.pad_bottom = k.pb, p.pad_right = k.pr;
  p.weights = wts.data();
  p.bias = k.bias ? bias.data() : nullptr;
  auto conv = Conv2d::Create(p);
  ASSERT_TRUE(conv.ok()) << conv.status().message();
  ASSERT_EQ((*conv)->out_h(), oh);
  ASSERT_EQ((*conv)->out_w(), ow);
  std::vector<uint8_t> scratch((*conv)->ScratchBytes());
  std::vector<float> y(static_cast<size_t>(k.n * oh * ow * ys), kSentinel);
  const float* zp = k.residual ? z.data() : nullptr;
  if (k.threads > 1) {
    // Runs the parts in reverse order, so that a part depending on another's output would show.
    (*conv)->Run(x.data(), xs, y.data() + k.y_offset, ys, zp, zs, k.lo, k.hi, scratch.data(),
                 [](void*, size_t n, void (*task)(void*, size_t), void* arg) {
                   for (size_t i = n; i-- > 0;) task(arg, i);
                 },
                 nullptr, k.threads);
  } else {
    (*conv)->Run(x.data(), xs, y.data() + k.y_offset, ys, zp, zs, k.lo, k.hi, scratch.data());
  }

  int64_t bad = 0;
  for (int64_t b = 0; b < k.n; ++b) {
    for (int64_t oy = 0; oy < oh; ++oy) {
      for (int64_t ox = 0; ox < ow; ++ox) {
        const int64_t pix = (b * oh + oy) * ow + ox;
        for (int64_t ch = 0; ch < ys; ++ch) {
          const float got = y[static_cast<size_t>(pix * ys + ch)];
          const int64_t o = ch - k.y_offset;
          if (o < 0 || o >= k.m) {
            if (got != kSentinel && bad++ < 5) ADD_FAILURE() << "wrote outside y at pixel " << pix << " channel " << ch;
            continue;
          }
          double acc = k.bias ? bias[static_cast<size_t>(o)] : 0.0, mag = std::abs(acc);
          for (int64_t i = 0; i < k.kh; ++i) {
            const int64_t iy = oy * k.sh + i * k.dh - k.pt;
            if (iy < 0 || iy >= k.h) continue;
            for (int64_t j = 0; j < k.kw; ++j) {
              const int64_t ix = ox * k.sw + j * k.dw - k.pl;
              if (ix < 0 || ix >= k.w) continue;
              for (int64_t ci = 0; ci < k.c; ++ci) {
                const double term = static_cast<double>(x[static_cast<size_t>(((b * k.h + iy) * k.w + ix) * xs + ci)]) *
                                    wts[static_cast<size_t>(((o * k.c + ci) * k.kh + i) * k.kw + j)];
                acc += term, mag += std::abs(term);
              }
            }
          }
          if (k.residual) {
            const float zv = z[static_cast<size_t>(pix * zs + o)];
            acc += zv, mag += std::abs(zv);
          }
          const double want = std::clamp(acc, static_cast<double>(k.lo), static_cast<double>(k.hi));
          const double tol = 1e-6 * std::max(mag, 1.0);  // fp32 accumulation over at most a few thousand terms
          if (!(std::abs(got - want) <= tol) && bad++ < 5) {
            ADD_FAILURE() << "pixel " << pix << " channel " << o << ": got " << got << " want " << want;
          }
        }
      }
    }
  }
  EXPECT_EQ(bad, 0);
}

class Conv2dGemmTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!Available()) GTEST_SKIP() << "no AVX2+FMA";
  }
};

TEST_F(Conv2dGemmTest, SweepShapes) {
  const int64_t sizes[] = {1, 2, 3, 5, 7, 8, 13, 14};
  const int64_t cs[] = {1, 3, 8, 16, 17};
  const int64_t ms[] = {1, 5, 8, 16, 17, 33};
  const int64_t kernels[] = {1, 2, 3, 5};
  uint32_t i = 0;
  for (int64_t hw : sizes) {
    for (int64_t kernel : kernels) {
      Case k;
      k.h = hw, k.w = hw + static_cast<int64_t>(i % 3);
      k.kh = kernel, k.kw = kernel == 5 ? 3 : kernel;
      k.n = 1 + (i / 3) % 2;
      k.c = cs[i % 5];
      k.m = ms[(i / 5 + i) % 6];
      k.sh = 1 + (i / 2) % 2, k.sw = 1 + (i / 3) % 3;
      k.dh = 1 + (i / 7) % 2, k.dw = 1 + (i / 5) % 2;
      k.pt = (i / 3) % 3, k.pl = (i / 4) % 3, k.pb = (i / 2) % 2, k.pr = i % 3;
      const int64_t span_h = k.dh * (k.kh - 1) + 1, span_w = k.dw * (k.kw - 1) + 1;
      if (k.h + k.pt + k.pb < span_h) k.pb = span_h - k.h - k.pt;
      if (k.w + k.pl + k.pr < span_w) k.pr = span_w - k.w - k.pl;
      k.bias = i % 2 == 0;
      k.residual = i % 3 != 1;
      if (i % 4 == 1) k.lo = 0;
      if (i % 4 == 3) k.lo = -0.5f, k.hi = 0.5f;
      if (i % 5 == 2) k.x_extra = 3, k.y_extra = 5, k.y_offset = 7, k.z_extra = 2;
      Check(k, i++);
    }
  }
}

TEST_F(Conv2dGemmTest, ChannelCountsAroundPanels) {
  uint32_t i = 1000;
  for (int64_t c : {1, 4, 32}) {
    for (int64_t m : {1, 7, 15, 16, 17, 32, 33, 48}) {
      Case k;
      k.h = 9, k.w = 10, k.c = c, k.m = m;
      k.residual = (c + m) % 2 == 0;
      Check(k, i++);
    }
  }
}

TEST_F(Conv2dGemmTest, InPlaceStridedInputAndManyTileBlocks) {
  // No padding: the kernel reads x in place with its pixel stride (no copy). 40x40 outputs make
  // 267 tiles: several blocks of 16, and a last partial tile.
  Case k;
  k.h = 42, k.w = 42, k.c = 16, k.m = 24, k.pt = k.pl = k.pb = k.pr = 0, k.x_extra = 4, k.residual = true;
  Check(k, 7);
  k.sh = k.sw = 2, k.dh = k.dw = 2;
  Check(k, 8);
}

TEST_F(Conv2dGemmTest, ThreadSplitsByPixelsAndByPanels) {
  uint32_t i = 2000;
  for (size_t threads : {2, 3, 5}) {
    // Many pixels: split by tiles (some parts may be empty). Few pixels, many panels: by panels.
    for (int64_t hw : {3, 7, 60}) {
      Case k;
      k.h = k.w = hw, k.c = 8, k.m = hw == 60 ? 20 : 70, k.threads = threads, k.residual = hw != 7;
      k.lo = 0;
      Check(k, i++);
    }
  }
}

TEST_F(Conv2dGemmTest, RejectsBadParameters) {
  const std::vector<float> w(64, 0.5f);
  Conv2dParams p;
  p.h = 4, p.w = 4, p.c = 2, p.m = 2, p.kernel_h = 2, p.kernel_w = 2, p.weights = w.data();
  ASSERT_TRUE(Conv2d::Create(p).ok());
  Conv2dParams bad = p;
  bad.stride_w = 0;
  auto r = Conv2d::Create(bad);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("stride_w"), std::string::npos) << r.status().message();
  bad = p, bad.pad_top = -1;
  EXPECT_FALSE(Conv2d::Create(bad).ok());
  bad = p, bad.weights = nullptr;
  EXPECT_FALSE(Conv2d::Create(bad).ok());
  bad = p, bad.kernel_h = 6;  // taller than the input
  r = Conv2d::Create(bad);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("empty"), std::string::npos) << r.status().message();
}

}  // namespace
}  // namespace edgerun::xnn::conv2d
