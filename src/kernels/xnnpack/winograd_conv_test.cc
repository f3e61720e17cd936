// Winograd F(4x4, 3x3) convolution vs a direct NHWC convolution in double.
#include "kernels/xnnpack/winograd_conv.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <memory>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "cli/alloc_counter.h"

namespace edgerun::xnn::winograd {
namespace {

constexpr float kInf = std::numeric_limits<float>::infinity();
constexpr float kSentinel = 1234.5f;

struct Case {
  int64_t n = 1, h = 5, w = 5, c = 3, m = 5;
  int64_t pt = 1, pl = 1, pb = 1, pr = 1;
  bool bias = true, residual = false;
  float lo = -kInf, hi = kInf;
  int64_t x_extra = 0, y_extra = 0, y_offset = 0, z_extra = 0;  // pixel stride slack, y channel offset
  bool threads2 = false;
  int64_t tile_block = 0;

  std::string Name() const {
    std::ostringstream o;
    o << "n" << n << " h" << h << " w" << w << " c" << c << " m" << m << " pads(t,l,b,r)=" << pt << pl << pb << pr
      << (bias ? " bias" : "") << (residual ? " z" : "") << " clamp[" << lo << "," << hi << "] xs+" << x_extra
      << " ys+" << y_extra << "@" << y_offset << " zs+" << z_extra << (threads2 ? " 2 threads" : " no pool")
      << " block " << tile_block;
    return o.str();
  }
};

std::vector<float> Random(size_t count, std::mt19937& rng) {
  std::uniform_real_distribution<float> dist(-1.0f, 1.0f);
  std::vector<float> v(count);
  for (float& f : v) f = dist(rng);
  return v;
}

struct PoolDeleter {
  void operator()(pthreadpool_t p) const { pthreadpool_destroy(p); }
};
using Pool = std::unique_ptr<std::remove_pointer_t<pthreadpool_t>, PoolDeleter>;

pthreadpool_t TwoThreads() {
  static Pool pool(pthreadpool_create(2));
  return pool.get();
}

void Check(const Case& k, uint32_t seed) {
  SCOPED_TRACE(k.Name());
  std::mt19937 rng(seed);
  const int64_t oh = k.h + k.pt + k.pb - 2, ow = k.w + k.pl + k.pr - 2;
  const int64_t xs = k.c + k.x_extra, ys = k.y_offset + k.m + k.y_extra, zs = k.m + k.z_extra;
  const std::vector<float> x = Random(static_cast<size_t>(k.n * k.h * k.w * xs), rng);
  const std::vector<float> wts = Random(static_cast<size_t>(k.m * k.c * 9), rng);
  const std::vector<float> bias = Random(static_cast<size_t>(k.m), rng);
  const std::vector<float> z = Random(static_cast<size_t>(k.n * oh * ow * zs), rng);

  Conv3x3Params p;
  p.n = k.n, p.h = k.h, p.w = k.w, p.c = k.c, p.m = k.m;
  p.pad_top = k.pt, p.pad_left = k.pl, p.pad_bottom = k.pb, p.pad_right = k.pr;
  p.weights = wts.data();
  p.bias = k.bias ? bias.data() : nullptr;
  p.tile_block = k.tile_block;
  auto conv = Conv3x3::Create(p);
  ASSERT_TRUE(conv.ok()) << conv.status().message();
  ASSERT_EQ((*conv)->out_h(), oh);
  ASSERT_EQ((*conv)->out_w(), ow);

  pthreadpool_t pool = k.threads2 ? TwoThreads() : nullptr;
  const size_t threads = pool ? pthreadpool_get_threads_count(pool) : 1;
  std::vector<uint8_t> scratch((*conv)->ScratchBytes(threads));
  std::vector<float> y(static_cast<size_t>(k.n * oh * ow * ys), kSentinel);
  (*conv)->Run(x.data(), xs, y.data() + k.y_offset, ys, k.residual ? z.data() : nullptr, zs, k.lo, k.hi,
               scratch.data(), pool);

  // Direct convolution in double.
  std::vector<double> ref(static_cast<size_t>(k.n * oh * ow * k.m));
  double scale = 0;
  for (int64_t b = 0; b < k.n; ++b) {
    for (int64_t oy = 0; oy < oh; ++oy) {
      for (int64_t ox = 0; ox < ow; ++ox) {
        const int64_t pix = (b * oh + oy) * ow + ox;
        for (int64_t o = 0; o < k.m; ++o) {
          double acc = k.bias ? bias[o] : 0.0;
          for (int64_t ky = 0; ky < 3; ++ky) {
            const int64_t iy = oy + ky - k.pt;
            if (iy < 0 || iy >= k.h) continue;
            for (int64_t kx = 0; kx < 3; ++kx) {
              const int64_t ix = ox + kx - k.pl;
              if (ix < 0 || ix >= k.w) continue;
              const float* xp = x.data() + ((b * k.h + iy) * k.w + ix) * xs;
              const float* wp = wts.data() + o * k.c * 9 + ky * 3 + kx;
              for (int64_t ci = 0; ci < k.c; ++ci) acc += static_cast<double>(xp[ci]) * wp[ci * 9];
            }
          }
          if (k.residual) acc += z[pix * zs + o];
          scale = std::max(scale, std::abs(acc));
          ref[pix * k.m + o] = acc;
        }
      }
    }
  }
  const double tol = 1e-4 * std::max(scale, 1.0);
  int64_t bad = 0;
  for (int64_t pix = 0; pix < k.n * oh * ow; ++pix) {
    for (int64_t ch = 0; ch < ys; ++ch) {
      const float got = y[pix * ys + ch];
      const int64_t o = ch - k.y_offset;
      if (o < 0 || o >= k.m) {
        if (got != kSentinel && bad++ < 5) ADD_FAILURE() << "wrote outside y at pixel " << pix << " channel " << ch;
        continue;
      }
      const double want = std::clamp(ref[pix * k.m + o], static_cast<double>(k.lo), static_cast<double>(k.hi));
      if (!(std::abs(got - want) <= tol) && bad++ < 5) {
        ADD_FAILURE() << "pixel " << pix << " channel " << o << ": got " << got << " want " << want;
      }
    }
  }
  EXPECT_EQ(bad, 0);
}

class WinogradConvTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!Available()) GTEST_SKIP() << "no AVX2+FMA";
  }
};

TEST_F(WinogradConvTest, SweepShapes) {
  const int64_t hw[] = {1, 2, 3, 4, 5, 7, 8, 13, 14, 28};
  const int64_t cs[] = {1, 3, 8, 17, 64};
  const int64_t ms[] = {1, 5, 16, 24, 64};
  const int64_t pads[][4] = {{1, 1, 1, 1}, {0, 0, 0, 0}, {2, 2, 2, 2}, {0, 1, 2, 1}, {2, 0, 1, 2}, {1, 2, 0, 0}};
  uint32_t i = 0;
  for (int64_t h : hw) {
    for (int64_t w : hw) {
      Case k;
      k.h = h, k.w = w;
      k.n = 1 + (i / 3) % 2;
      k.c = cs[i % 5];
      k.m = ms[(i / 5 + i) % 5];
      if (h * w >= 196 && k.c * k.m > 1024) k.m = 5;  // keep the reference fast
      const int64_t* pd = pads[i % 6];
      k.pt = pd[0], k.pl = pd[1], k.pb = pd[2], k.pr = pd[3];
      if (h + k.pt + k.pb < 3) k.pb = 3 - h - k.pt;
      if (w + k.pl + k.pr < 3) k.pr = 3 - w - k.pl;
      k.bias = i % 2 == 0;
      k.residual = i % 3 != 1;
      if (i % 4 == 1) k.lo = 0;
      if (i % 4 == 3) k.lo = -0.5f, k.hi = 0.5f;
      if (i % 5 == 2) k.x_extra = 3, k.y_extra = 5, k.y_offset = 7, k.z_extra = 2;
      k.threads2 = i % 2 == 1;
      if (i % 7 == 3) k.tile_block = 1 + i % 13;
      Check(k, i++);
    }
  }
}

TEST_F(WinogradConvTest, AllChannelCounts) {
  uint32_t i = 1000;
  for (int64_t c : {1, 3, 8, 17, 64}) {
    for (int64_t m : {1, 5, 16, 24, 64}) {
      Case k;
      k.h = 9, k.w = 10, k.c = c, k.m = m;
      k.residual = (c + m) % 2 == 0;
      k.threads2 = m % 2 == 0;
      Check(k, i++);
    }
  }
}

TEST_F(WinogradConvTest, AllPadCombinations) {
  uint32_t i = 2000;
  for (int64_t pt = 0; pt <= 2; ++pt) {
    for (int64_t pl = 0; pl <= 2; ++pl) {
      for (int64_t pb = 0; pb <= 2; ++pb) {
        for (int64_t pr = 0; pr <= 2; ++pr) {
          for (int64_t hw : {1, 6, 11}) {
            Case k;
            k.h = hw, k.w = 17 - hw, k.c = 9, k.m = 13;
            k.pt = pt, k.pl = pl, k.pb = pb, k.pr = pr;
            if (k.h + pt + pb < 3 || k.w + pl + pr < 3) continue;
            k.n = 2;
            k.residual = true;
            k.x_extra = 1, k.y_offset = 3, k.y_extra = 2, k.z_extra = 4;
            Check(k, i++);
          }
        }
      }
    }
  }
}

TEST_F(WinogradConvTest, BlocksAndThreads) {
  // Several blocks per thread, partial microkernel row groups, the phased (few tiles) schedule.
  uint32_t i = 3000;
  for (int64_t block : {0, 1, 5, 6, 7, 12, 40}) {
    for (bool threads2 : {false, true}) {
      Case k;
      k.n = 2, k.h = 28, k.w = 27, k.c = 20, k.m = 24;
      k.tile_block = block, k.threads2 = threads2;
      k.residual = true, k.lo = 0;
      k.x_extra = 4, k.y_offset = 8, k.y_extra = 8, k.z_extra = 8;
      Check(k, i++);
    }
  }
  for (bool threads2 : {false, true}) {
    Case k;
    k.h = 14, k.w = 14, k.c = 64, k.m = 64, k.threads2 = threads2;
    Check(k, i++);
  }
  // Few tiles, 2 threads: the output channels split into groups (with the m % 8 tail in the last).
  for (int64_t m : {37, 123}) {
    Case k;
    k.h = 9, k.w = 6, k.c = 19, k.m = m, k.threads2 = true, k.residual = true;
    k.x_extra = 1, k.y_offset = 5, k.y_extra = 3, k.z_extra = 1;
    Check(k, i++);
  }
}

TEST_F(WinogradConvTest, ManyInputChannelsStayAccurate) {
  Case k;
  k.h = 7, k.w = 7, k.c = 512, k.m = 40, k.residual = true, k.threads2 = true;
  Check(k, 4000);
}

TEST_F(WinogradConvTest, RunDoesNotAllocate) {
  std::mt19937 rng(5);
  const std::vector<float> wts = Random(32 * 16 * 9, rng), x = Random(2 * 20 * 20 * 16, rng);
  Conv3x3Params p;
  p.n = 2, p.h = 20, p.w = 20, p.c = 16, p.m = 32, p.weights = wts.data();
  auto conv = Conv3x3::Create(p);
  ASSERT_TRUE(conv.ok());
  for (pthreadpool_t pool : {pthreadpool_t{nullptr}, TwoThreads()}) {
    const size_t threads = pool ? pthreadpool_get_threads_count(pool) : 1;
    std::vector<uint8_t> scratch((*conv)->ScratchBytes(threads));
    std::vector<float> y(2 * 20 * 20 * 32);
    const uint64_t before = cli::CountedAllocations();
    cli::CountAllocationsOnThisThread(true);
    (*conv)->Run(x.data(), 16, y.data(), 32, nullptr, 0, -kInf, kInf, scratch.data(), pool);
    cli::CountAllocationsOnThisThread(false);
    EXPECT_EQ(cli::CountedAllocations(), before);
  }
}

TEST(WinogradConvCreateTest, RejectsBadParams) {
  const std::vector<float> wts(4 * 3 * 9, 0.5f);
  auto expect_error = [&](Conv3x3Params p, const std::string& field) {
    auto r = Conv3x3::Create(p);
    ASSERT_FALSE(r.ok()) << field;
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
    EXPECT_NE(r.status().message().find(field), std::string::npos) << r.status().message();
  };
  Conv3x3Params good;
  good.h = 4, good.w = 4, good.c = 3, good.m = 4, good.weights = wts.data();
  {
    Conv3x3Params p = good;
    p.c = 0;
    expect_error(p, "c must be");
  }
  {
    Conv3x3Params p = good;
    p.m = -2;
    expect_error(p, "m must be");
  }
  {
    Conv3x3Params p = good;
    p.weights = nullptr;
    expect_error(p, "weights");
  }
  {
    Conv3x3Params p = good;
    p.pad_left = -1;
    expect_error(p, "pad_left");
  }
  {
    Conv3x3Params p = good;
    p.pad_bottom = -1;
    expect_error(p, "pad_bottom");
  }
  {
    Conv3x3Params p = good;
    p.h = 0;
    expect_error(p, "h must be");
  }
  {
    Conv3x3Params p = good;
    p.h = 1, p.pad_top = 0, p.pad_bottom = 1;
    expect_error(p, "out_h");
  }
  EXPECT_TRUE(Conv3x3::Create(good).ok());
}

}  // namespace
}  // namespace edgerun::xnn::winograd
