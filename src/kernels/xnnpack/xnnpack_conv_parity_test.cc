// Parity of the XNNPACK provider's convolutions and pooling against the reference kernels:
// sweeps over channel and size tails, strides, pads, dilations, groups, depthwise, auto_pad,
// 1D convolutions, FusedConv activations and residuals, and the pooling operators.
#include <cstdlib>

#include "kernels/xnnpack/xnnpack_banded_conv.h"
#include "kernels/xnnpack/xnnpack_channel_ops.h"
#include "kernels/xnnpack/xnnpack_conv1d_step.h"
#include "kernels/xnnpack/xnnpack_conv2d_step.h"
#include "kernels/xnnpack/xnnpack_onednn_conv.h"
#include "kernels/xnnpack/xnnpack_winograd_step.h"
#include "kernels/xnnpack/xnnpack_test_util.h"

namespace edgerun::xnn_test {
namespace {

struct ConvCase {
  int64_t n = 1, c = 3, m = 4, h = 5, w = 5, kh = 3, kw = 3, stride = 1, pad = 1, dilation = 1, group = 1;
  bool bias = true;
  std::string auto_pad;
};

std::string ConvModel(const ConvCase& k) {
  ModelBuilder mb;
  mb.Input("x", kFloat, {k.n, k.c, k.h, k.w}).Output("y", kFloat, {-1, -1, -1, -1});
  Weights(mb, "w", {k.m, k.c / k.group, k.kh, k.kw}, 7);
  std::vector<std::string> ins = {"x", "w"};
  if (k.bias) {
    Weights(mb, "b", {k.m}, 8);
    ins.push_back("b");
  }
  auto& node = mb.Node("Conv", ins, {"y"});
  AttrInts(node, "kernel_shape", {k.kh, k.kw});
  AttrInts(node, "strides", {k.stride, k.stride});
  AttrInts(node, "dilations", {k.dilation, k.dilation});
  AttrInt(node, "group", k.group);
  if (k.auto_pad.empty()) {
    AttrInts(node, "pads", {k.pad, k.pad, k.pad + (k.h % 2), k.pad});
  } else {
    AttrString(node, "auto_pad", k.auto_pad);
  }
  return mb.Bytes();
}

void ExpectConvParity(const ConvCase& k) {
  SCOPED_TRACE("conv c=" + std::to_string(k.c) + " m=" + std::to_string(k.m) + " h=" + std::to_string(k.h) +
               " w=" + std::to_string(k.w) + " k=" + std::to_string(k.kh) + "x" + std::to_string(k.kw) +
               " s=" + std::to_string(k.stride) + " p=" + std::to_string(k.pad) + " d=" + std::to_string(k.dilation) +
               " g=" + std::to_string(k.group) + " auto_pad=" + k.auto_pad);
  ParityOptions o;
  if (k.auto_pad.empty() && k.kh == 3 && k.kw == 3 && k.stride == 1 && k.dilation == 1 && k.group == 1) {
    o.scale_tolerance = xnn::WinogradApplies(k.c, k.m, k.h + 2 * k.pad + k.h % 2 - 2, k.w + 2 * k.pad - 2);
  }
  ExpectParity(ConvModel(k), {RandomInput("x", {k.n, k.c, k.h, k.w}, 3)}, o);
}

TEST(XnnpackConvParityTest, ConvSweepTailsStridesPadsDilations) {
  for (int64_t c : {1, 3, 8}) {
    for (int64_t m : {1, 5, 16}) {
      for (int64_t hw : {1, 2, 3, 4, 5, 6, 7}) {
        for (int64_t kk : {1, 3}) {
          for (int64_t s : {1, 2}) {
            ConvCase k;
            k.c = c, k.m = m, k.h = hw, k.w = hw + 1, k.kh = kk, k.kw = kk, k.stride = s, k.pad = kk / 2;
            k.bias = (hw % 2) == 0;
            ExpectConvParity(k);
          }
        }
      }
    }
  }
}

TEST(XnnpackConvParityTest, ConvDilationAndLargePads) {
  for (int64_t d : {1, 2, 3}) {
    for (int64_t p : {0, 1, 2, 3}) {
      ConvCase k;
      k.c = 5, k.m = 7, k.h = 9, k.w = 8, k.kh = 3, k.kw = 2, k.dilation = d, k.pad = p, k.stride = 1 + (p % 2);
      ExpectConvParity(k);
    }
  }
}

TEST(XnnpackConvParityTest, GroupedAndDepthwiseConv) {
  for (int64_t g : {2, 3}) {
    ConvCase k;
    k.c = 6, k.m = 12, k.group = g, k.h = 7, k.w = 6;
    ExpectConvParity(k);
  }
  for (int64_t c : {1, 3, 8, 17, 32}) {
    for (int64_t mult : {1, 2}) {
      for (int64_t s : {1, 2}) {
        for (int64_t kk : {3, 5}) {
          ConvCase k;
          k.c = c, k.m = c * mult, k.group = c, k.h = 7, k.w = 5, k.kh = kk, k.kw = kk, k.stride = s, k.pad = kk / 2;
          ExpectConvParity(k);
        }
      }
    }
  }
}

TEST(XnnpackConvParityTest, ConvAutoPadAndBatch) {
  for (const char* ap : {"SAME_UPPER", "SAME_LOWER", "VALID"}) {
    for (int64_t s : {1, 2, 3}) {
      ConvCase k;
      k.auto_pad = ap, k.stride = s, k.h = 7, k.w = 6, k.kh = 3, k.kw = 2, k.n = 2;
      ExpectConvParity(k);
    }
  }
}

TEST(XnnpackConvParityTest, Conv1D) {
  for (int64_t s : {1, 2}) {
    ModelBuilder mb;
    mb.Input("x", kFloat, {2, 3, 11}).Output("y", kFloat, {-1, -1, -1});
    Weights(mb, "w", {5, 3, 3}, 4);
    Weights(mb, "b", {5}, 5);
    auto& node = mb.Node("Conv", {"x", "w", "b"}, {"y"});
    AttrInts(node, "pads", {1, 2});
    AttrInts(node, "strides", {s});
    ExpectParity(mb.Bytes(), {RandomInput("x", {2, 3, 11}, 1)});
  }
}

// Convolutions with the channel counts and sizes of real networks, which oneDNN (1x1, the stem),
// Winograd (3x3 stride 1) and the conv2d GEMM (3x3 stride 2) run on the plan's NHWC buffers.
TEST(XnnpackConvParityTest, OneDnnConvSweep) {
  auto planned = [] { return xnn::OneDnnConvSteps() + xnn::WinogradConvSteps() + xnn::Conv2dSteps(); };
  const int64_t before = planned();
  int cases = 0;
  for (int64_t kk : {1, 3}) {
    for (int64_t s : {1, 2}) {
      for (int64_t c : {32, 40, 67}) {
        for (int64_t m : {8, 32, 43}) {
          ConvCase k;
          k.c = c, k.m = m, k.h = 14, k.w = 13, k.kh = kk, k.kw = kk, k.stride = s, k.pad = kk / 2;
          k.bias = (c + m) % 2 == 0;
          ExpectConvParity(k);
          ++cases;
        }
      }
    }
  }
  for (int64_t g : {2, 4}) {  // grouped
    ConvCase k;
    k.c = 32, k.m = 48, k.group = g, k.h = 12, k.w = 11;
    ExpectConvParity(k);
    ++cases;
  }
  for (int64_t s : {1, 2}) {  // depthwise, as in mobilenet: stays on XNNPACK (not counted)
    ConvCase k;
    k.c = 48, k.m = 48, k.group = 48, k.h = 15, k.w = 14, k.stride = s;
    ExpectConvParity(k);
  }
  ConvCase stem;  // 7x7 stride 2 on 3 channels, as in resnet
  stem.c = 3, stem.m = 16, stem.h = 31, stem.w = 30, stem.kh = 7, stem.kw = 7, stem.stride = 2, stem.pad = 3;
  ExpectConvParity(stem);
  ++cases;
  if (std::getenv("EDGERUN_XNNPACK_ONEDNN") == nullptr) {  // every case planned on one of the three
    EXPECT_GE(planned() - before, cases);
  }
}

// The XNNPACK convolution path, which runs when oneDNN is switched off or cannot run a convolution.
TEST(XnnpackConvParityTest, XnnpackConvPathWithoutOneDnn) {
  const char* old = std::getenv("EDGERUN_XNNPACK_ONEDNN");
  const std::string saved = old ? old : "";
  setenv("EDGERUN_XNNPACK_ONEDNN", "0", 1);
  const int64_t before = xnn::OneDnnConvSteps();
  for (int64_t kk : {1, 3}) {
    for (int64_t g : {1, 2, 16}) {
      ConvCase k;
      k.c = 16, k.m = 32, k.h = 9, k.w = 8, k.kh = kk, k.kw = kk, k.pad = kk / 2, k.group = g, k.stride = kk;
      ExpectConvParity(k);
    }
  }
  EXPECT_EQ(xnn::OneDnnConvSteps(), before);
  if (old) setenv("EDGERUN_XNNPACK_ONEDNN", saved.c_str(), 1);
  else unsetenv("EDGERUN_XNNPACK_ONEDNN");
}

// Two threads: oneDNN runs with a 2-thread OpenMP team (and XNNPACK's steps on the caller);
// EDGERUN_XNNPACK_ONEDNN=0 keeps everything on XNNPACK's pool.
TEST(XnnpackConvParityTest, OneDnnThreads) {
  const char* old = std::getenv("EDGERUN_XNNPACK_ONEDNN");
  const std::string saved = old ? old : "";
  ParityOptions two;
  two.threads = 2;
  ConvCase k;  // 1x1 stride 2: oneDNN's (3x3 would go to the conv2d GEMM)
  k.c = 32, k.m = 40, k.h = 17, k.w = 15, k.kh = k.kw = 1, k.pad = 0, k.stride = 2;
  for (const char* mode : {"", "0"}) {
    if (*mode) setenv("EDGERUN_XNNPACK_ONEDNN", mode, 1);
    else unsetenv("EDGERUN_XNNPACK_ONEDNN");
    const int64_t before = xnn::OneDnnConvSteps();
    ExpectParity(ConvModel(k), {RandomInput("x", {k.n, k.c, k.h, k.w}, 3)}, two);
    if (*mode) EXPECT_EQ(xnn::OneDnnConvSteps(), before);
    else EXPECT_GT(xnn::OneDnnConvSteps(), before);
  }
  if (old) setenv("EDGERUN_XNNPACK_ONEDNN", saved.c_str(), 1);
  else unsetenv("EDGERUN_XNNPACK_ONEDNN");
}

std::string FusedConvModel(const std::string& act, const std::vector<float>& params, bool with_z, int64_t c = 4,
                           int64_t m = 6, int64_t hw = 6, int64_t kk = 3) {
  ModelBuilder mb;
  auto* op = mb.proto().add_opset_import();
  op->set_domain("com.edgerun");
  op->set_version(1);
  mb.Input("x", kFloat, {1, c, hw, hw}).Output("y", kFloat, {-1, -1, -1, -1});
  Weights(mb, "w", {m, c, kk, kk}, 4);
  Weights(mb, "b", {m}, 5);
  std::vector<std::string> ins = {"x", "w", "b"};
  if (with_z) {
    mb.Input("z", kFloat, {1, m, hw, hw});
    ins.push_back("z");
  }
  auto& node = mb.Node("FusedConv", ins, {"y"});
  node.set_domain("com.edgerun");
  AttrInts(node, "pads", {kk / 2, kk / 2, kk / 2, kk / 2});
  AttrString(node, "activation", act);
  if (!params.empty()) AttrFloats(node, "activation_params", params);
  return mb.Bytes();
}

TEST(XnnpackConvParityTest, FusedConvActivationsAndResidual) {
  SessionOptions probe;
  probe.providers = {"cpu"};
  if (!Session::CreateFromBytes(FusedConvModel("Relu", {}, false), probe).ok()) {
    GTEST_SKIP() << "FusedConv has no reference kernel in this build";
  }
  const std::vector<std::pair<std::string, std::vector<float>>> acts = {
      {"", {}}, {"Relu", {}}, {"Clip", {-0.5f, 0.5f}}, {"Sigmoid", {}}, {"HardSwish", {}}, {"LeakyRelu", {0.2f}}};
  for (const auto& [act, params] : acts) {
    for (bool z : {false, true}) {
      SCOPED_TRACE("activation '" + act + "' z=" + std::to_string(z));
      std::vector<NamedTensor> feeds = {RandomInput("x", {1, 4, 6, 6}, 1)};
      if (z) feeds.push_back(RandomInput("z", {1, 6, 6, 6}, 2));
      ExpectParity(FusedConvModel(act, params, z), feeds);
    }
  }
  // Network-sized: residual add and activation as oneDNN post-ops (1x1 and 3x3 kernels).
  for (int64_t kk : {1, 3}) {
    for (const auto& [act, params] : acts) {
      for (bool z : {false, true}) {
        SCOPED_TRACE("k=" + std::to_string(kk) + " activation '" + act + "' z=" + std::to_string(z));
        std::vector<NamedTensor> feeds = {RandomInput("x", {1, 32, 10, 10}, 1)};
        if (z) feeds.push_back(RandomInput("z", {1, 40, 10, 10}, 2));
        ExpectParity(FusedConvModel(act, params, z, 32, 40, 10, kk), feeds);
      }
    }
  }
}

// A Relu after a Conv folds into the oneDNN step's last post-op; a Concat of oneDNN outputs copies.
TEST(XnnpackConvParityTest, OneDnnConvReluAndConcat) {
  ModelBuilder mb;
  mb.Input("x", kFloat, {1, 32, 13, 13}).Output("y", kFloat, {-1, -1, -1, -1});
  Weights(mb, "w1", {24, 32, 1, 1}, 1);
  Weights(mb, "w3", {24, 32, 3, 3}, 2);
  Weights(mb, "b", {24}, 3);
  mb.FloatInitializer("lo", {}, {-0.5f});
  mb.FloatInitializer("hi", {}, {0.75f});
  mb.Node("Conv", {"x", "w1", "b"}, {"a"});
  auto& c3 = mb.Node("Conv", {"x", "w3", "b"}, {"c"});
  AttrInts(c3, "pads", {1, 1, 1, 1});
  mb.Node("Relu", {"a"}, {"ra"});
  mb.Node("Clip", {"c", "lo", "hi"}, {"rc"});
  auto& cat = mb.Node("Concat", {"ra", "rc"}, {"y"});
  AttrInt(cat, "axis", 1);
  const int64_t before = xnn::OneDnnConvSteps() + xnn::WinogradConvSteps();
  ParityOptions o;
  o.scale_tolerance = true;  // the 3x3 one runs on Winograd
  ExpectParity(mb.Bytes(), {RandomInput("x", {1, 32, 13, 13}, 4)}, o);
  if (std::getenv("EDGERUN_XNNPACK_ONEDNN") == nullptr) {
    EXPECT_GE(xnn::OneDnnConvSteps() + xnn::WinogradConvSteps() - before, 2);
  }
}

// Winograd steps in networks: residual Z and Relu fused (FusedConv after the fusion passes),
// outputs written as concat slices in place (squeezenet's fire modules), on the pthreadpool
// (oneDNN off) and on oneDNN's OpenMP team, 1 and 2 threads.
TEST(XnnpackConvParityTest, WinogradResidualAndConcatSlices) {
  if (!xnn::WinogradApplies(16, 16, 8, 8)) GTEST_SKIP() << "Winograd not available here (no AVX2/FMA or EDGERUN_WINOGRAD=0)";
  ModelBuilder mb;
  mb.Input("x", kFloat, {1, 16, 15, 13}).Output("y", kFloat, {-1, -1, -1, -1});
  Weights(mb, "w1", {16, 16, 3, 3}, 1);
  Weights(mb, "w2", {16, 16, 3, 3}, 2);
  Weights(mb, "we1", {24, 16, 1, 1}, 3);
  Weights(mb, "we3", {40, 16, 3, 3}, 4);
  Weights(mb, "b", {16}, 5);
  auto& c1 = mb.Node("Conv", {"x", "w1", "b"}, {"c1"});
  AttrInts(c1, "pads", {1, 1, 1, 1});
  mb.Node("Relu", {"c1"}, {"r1"});
  auto& c2 = mb.Node("Conv", {"r1", "w2"}, {"c2"});
  AttrInts(c2, "pads", {1, 1, 1, 1});
  mb.Node("Add", {"c2", "x"}, {"s"});
  mb.Node("Relu", {"s"}, {"r2"});
  mb.Node("Conv", {"r2", "we1"}, {"e1"});
  auto& e3 = mb.Node("Conv", {"r2", "we3"}, {"e3"});
  AttrInts(e3, "pads", {0, 1, 2, 1});  // asymmetric, same 15 x 13 outputs
  mb.Node("Relu", {"e1"}, {"re1"});
  mb.Node("Relu", {"e3"}, {"re3"});
  auto& cat = mb.Node("Concat", {"re3", "re1"}, {"y"});  // Winograd output first, at channel 0
  AttrInt(cat, "axis", 1);
  const std::string model = mb.Bytes();
  const char* old = std::getenv("EDGERUN_XNNPACK_ONEDNN");
  const std::string saved = old ? old : "";
  for (const char* onednn : {"", "0"}) {
    if (*onednn) setenv("EDGERUN_XNNPACK_ONEDNN", onednn, 1);
    else unsetenv("EDGERUN_XNNPACK_ONEDNN");
    for (int threads : {1, 2}) {
      for (const char* level : {"none", "all"}) {
        SCOPED_TRACE(std::string("oneDNN '") + onednn + "' threads " + std::to_string(threads) + " level " + level);
        ParityOptions o;
        o.threads = threads;
        o.optimization = level;
        o.scale_tolerance = true;
        o.expect_partitions = 1;
        const int64_t before = xnn::WinogradConvSteps();
        ExpectParity(model, {RandomInput("x", {1, 16, 15, 13}, 6)}, o);
        EXPECT_EQ(xnn::WinogradConvSteps() - before, 3);
      }
    }
  }
  if (old) setenv("EDGERUN_XNNPACK_ONEDNN", saved.c_str(), 1);
  else unsetenv("EDGERUN_XNNPACK_ONEDNN");
}

// The conv2d GEMM in a network: strided 3x3 and 5x5 convolutions, FusedConv's residual Z and Relu
// (after the fusion passes), outputs written as concat slices (a 1x1 convolution among them, which
// takes the GEMM only because of that); 1 and 2 threads (split by pixels and by output channels),
// with oneDNN's OpenMP team and without oneDNN.
TEST(XnnpackConvParityTest, Conv2dGemmResidualSlicesAndThreads) {
  if (!xnn::Conv2dApplies(16, 16, 3, 3)) GTEST_SKIP() << "conv2d GEMM not available here (no AVX2/FMA or EDGERUN_CONV2D=0)";
  ModelBuilder mb;
  mb.Input("x", kFloat, {1, 24, 29, 27}).Output("y", kFloat, {-1, -1, -1, -1});
  Weights(mb, "w1", {40, 24, 3, 3}, 1);
  Weights(mb, "w2", {40, 40, 5, 5}, 2);
  Weights(mb, "wd", {40, 24, 1, 1}, 3);
  Weights(mb, "w3", {100, 40, 3, 3}, 4);
  Weights(mb, "b", {40}, 5);
  auto& c1 = mb.Node("Conv", {"x", "w1", "b"}, {"c1"});  // 29x27 -> 15x14
  AttrInts(c1, "pads", {1, 1, 1, 1});
  AttrInts(c1, "strides", {2, 2});
  mb.Node("Relu", {"c1"}, {"r1"});
  auto& c2 = mb.Node("Conv", {"r1", "w2"}, {"c2"});  // 5x5, same size
  AttrInts(c2, "pads", {2, 2, 2, 2});
  auto& d = mb.Node("Conv", {"x", "wd"}, {"d"});  // 1x1 stride 2 shortcut (oneDNN)
  AttrInts(d, "strides", {2, 2});
  mb.Node("Add", {"c2", "d"}, {"s"});
  mb.Node("Relu", {"s"}, {"r2"});
  auto& c3 = mb.Node("Conv", {"r2", "w3"}, {"c3"});  // 3x3 stride 2, dilation 2: 15x14 -> 6x6, 7 panels
  AttrInts(c3, "pads", {1, 2, 1, 0});
  AttrInts(c3, "strides", {2, 2});
  AttrInts(c3, "dilations", {2, 2});
  auto& c4 = mb.Node("Conv", {"r2", "w3"}, {"c4"});
  AttrInts(c4, "pads", {1, 2, 1, 0});
  AttrInts(c4, "strides", {2, 2});
  AttrInts(c4, "dilations", {2, 2});
  mb.Node("Relu", {"c4"}, {"r4"});
  Weights(mb, "w6", {16, 100, 1, 1}, 7);
  mb.Node("Conv", {"c3", "w6"}, {"c6"});  // 1x1 into the concat: the GEMM
  mb.Node("Relu", {"c6"}, {"r6"});
  auto& cat = mb.Node("Concat", {"c3", "r4", "r6"}, {"y"});
  AttrInt(cat, "axis", 1);
  const std::string model = mb.Bytes();
  const char* old = std::getenv("EDGERUN_XNNPACK_ONEDNN");
  const std::string saved = old ? old : "";
  for (const char* onednn : {"", "0"}) {
    if (*onednn) setenv("EDGERUN_XNNPACK_ONEDNN", onednn, 1);
    else unsetenv("EDGERUN_XNNPACK_ONEDNN");
    for (int threads : {1, 2}) {
      for (const char* level : {"none", "all"}) {
        SCOPED_TRACE(std::string("oneDNN '") + onednn + "' threads " + std::to_string(threads) + " level " + level);
        ParityOptions o;
        o.threads = threads;
        o.optimization = level;
        o.scale_tolerance = true;  // 5x5x40 then 3x3x40 sums: oneDNN differs from the reference as much
        o.expect_partitions = 1;
        const int64_t before = xnn::Conv2dSteps();
        ExpectParity(model, {RandomInput("x", {1, 24, 29, 27}, 6)}, o);
        // With oneDNN on, the 1x1 convolution takes the GEMM only when it reaches the concat
        // directly, once its Relu is fused ("all"); with oneDNN off, stride-1 1x1s always do.
        EXPECT_EQ(xnn::Conv2dSteps() - before, std::string(level) == "all" || *onednn ? 5 : 4);
      }
    }
  }
  if (old) setenv("EDGERUN_XNNPACK_ONEDNN", saved.c_str(), 1);
  else unsetenv("EDGERUN_XNNPACK_ONEDNN");
}

std::string PoolModel(const std::string& op, int64_t c, int64_t h, int64_t w, int64_t k, int64_t s, int64_t p, bool ceil,
                      bool include_pad) {
  ModelBuilder mb;
  mb.Input("x", kFloat, {1, c, h, w}).Output("y", kFloat, {-1, -1, -1, -1});
  auto& node = mb.Node(op, {"x"}, {"y"});
  if (op != "GlobalAveragePool") {
    AttrInts(node, "kernel_shape", {k, k});
    AttrInts(node, "strides", {s, s});
    AttrInts(node, "pads", {p, p, p, p});
    AttrInt(node, "ceil_mode", ceil ? 1 : 0);
    if (op == "AveragePool") AttrInt(node, "count_include_pad", include_pad ? 1 : 0);
  }
  return mb.Bytes();
}

TEST(XnnpackConvParityTest, PoolingSweep) {
  for (const char* op : {"MaxPool", "AveragePool"}) {
    for (int64_t c : {1, 3, 17}) {
      for (int64_t hw : {3, 4, 5, 6, 7}) {
        for (int64_t k : {2, 3}) {
          for (int64_t s : {1, 2}) {
            for (int64_t p : {0, 1}) {
              for (bool ceil : {false, true}) {
                SCOPED_TRACE(std::string(op) + " c=" + std::to_string(c) + " hw=" + std::to_string(hw) + " k=" +
                             std::to_string(k) + " s=" + std::to_string(s) + " p=" + std::to_string(p) +
                             " ceil=" + std::to_string(ceil));
                ExpectParity(PoolModel(op, c, hw, hw + 1, k, s, p, ceil, false), {RandomInput("x", {1, c, hw, hw + 1}, 9)});
              }
            }
          }
        }
      }
    }
  }
  // count_include_pad without padding maps; with padding the node stays on the reference kernels.
  ExpectParity(PoolModel("AveragePool", 5, 6, 6, 3, 1, 0, false, true), {RandomInput("x", {1, 5, 6, 6}, 9)});
  for (int64_t c : {1, 7, 64}) {
    for (int64_t hw : {1, 3, 7}) {
      ExpectParity(PoolModel("GlobalAveragePool", c, hw, hw, 0, 0, 0, false, false), {RandomInput("x", {1, c, hw, hw}, 9)});
    }
  }
}


std::string Pool1dModel(const std::string& op, int64_t c, int64_t l, int64_t k, int64_t s, int64_t p, bool ceil) {
  ModelBuilder mb;
  mb.Input("x", kFloat, {1, c, l}).Output("y", kFloat, {-1, -1, -1});
  auto& node = mb.Node(op, {"x"}, {"y"});
  if (op != "GlobalAveragePool") {
    AttrInts(node, "kernel_shape", {k});
    AttrInts(node, "strides", {s});
    AttrInts(node, "pads", {p, p});
    AttrInt(node, "ceil_mode", ceil ? 1 : 0);
  }
  return mb.Bytes();
}

// 1-D pooling (rank-3 [N, C, L] values, NHWC with H = 1 inside the plan).
TEST(XnnpackConvParityTest, Pooling1dSweep) {
  for (const char* op : {"MaxPool", "AveragePool"}) {
    for (int64_t c : {1, 5, 32}) {
      for (int64_t l : {2, 7, 16}) {
        for (int64_t k : {2, 3}) {
          for (int64_t s : {1, 2}) {
            for (bool ceil : {false, true}) {
              SCOPED_TRACE(std::string(op) + " c=" + std::to_string(c) + " l=" + std::to_string(l) + " k=" +
                           std::to_string(k) + " s=" + std::to_string(s) + " ceil=" + std::to_string(ceil));
              ParityOptions one;
              one.expect_partitions = 1;
              ExpectParity(Pool1dModel(op, c, l, k, s, k / 2, ceil), {RandomInput("x", {1, c, l}, 9)}, one);
            }
          }
        }
      }
    }
  }
  for (int64_t c : {1, 7, 64}) {
    for (int64_t l : {1, 3, 31}) {
      ExpectParity(Pool1dModel("GlobalAveragePool", c, l, 0, 0, 0, false), {RandomInput("x", {1, c, l}, 9)});
    }
  }
}

// A 1-D sensor network (as vibration_cnn1d): every node in one partition, on 1 and 2 threads.
TEST(XnnpackConvParityTest, Conv1dNetworkIsOnePartition) {
  ModelBuilder mb;
  mb.Input("x", kFloat, {1, 3, 64}).Output("y", kFloat, {-1, -1});
  Weights(mb, "w1", {16, 3, 7}, 1);
  Weights(mb, "b1", {16}, 2);
  Weights(mb, "w2", {32, 16, 5}, 3);
  Weights(mb, "wf", {32, 4}, 4);
  auto& c1 = mb.Node("Conv", {"x", "w1", "b1"}, {"c1"});
  AttrInts(c1, "pads", {3, 3});
  mb.Node("Relu", {"c1"}, {"r1"});
  auto& p1 = mb.Node("MaxPool", {"r1"}, {"p1"});
  AttrInts(p1, "kernel_shape", {2});
  AttrInts(p1, "strides", {2});
  auto& c2 = mb.Node("Conv", {"p1", "w2"}, {"c2"});
  AttrInts(c2, "pads", {2, 2});
  mb.Node("Relu", {"c2"}, {"r2"});
  mb.Node("GlobalAveragePool", {"r2"}, {"g"});
  mb.Node("Flatten", {"g"}, {"f"});
  mb.Node("MatMul", {"f", "wf"}, {"y"});
  const std::string model = mb.Bytes();
  for (int threads : {1, 2}) {
    ParityOptions o;
    o.threads = threads;
    o.expect_partitions = 1;
    ExpectParity(model, {RandomInput("x", {1, 3, 64}, 9)}, o);
  }
}


// At 2 threads with oneDNN on, max pools after a oneDNN convolution split their output rows over
// the OpenMP team: each split must reproduce the windows, padding and ceil mode exactly.
TEST(XnnpackConvParityTest, MaxPoolRowsOnTheTeamAtTwoThreads) {
  if (std::getenv("EDGERUN_XNNPACK_ONEDNN") != nullptr) GTEST_SKIP() << "oneDNN switched off";
  const int64_t before = xnn::TeamMaxPoolSteps();
  int cases = 0;
  for (int64_t h : {5, 12, 13}) {
    for (int64_t k : {2, 3}) {
      for (int64_t s : {1, 2}) {
        for (int64_t p : {0, 1}) {
          for (bool ceil : {false, true}) {
            if (p >= k) continue;
            ModelBuilder mb;
            mb.Input("x", kFloat, {1, 3, h, h + 2}).Output("y", kFloat, {-1, -1, -1, -1});
            Weights(mb, "w", {16, 3, 3, 3}, 7);
            auto& conv = mb.Node("Conv", {"x", "w"}, {"c"});  // 3 input channels: oneDNN's
            AttrInts(conv, "pads", {1, 1, 1, 1});
            auto& pool = mb.Node("MaxPool", {"c"}, {"y"});
            AttrInts(pool, "kernel_shape", {k, k});
            AttrInts(pool, "strides", {s, s});
            AttrInts(pool, "pads", {p, p, p, p});
            AttrInt(pool, "ceil_mode", ceil ? 1 : 0);
            SCOPED_TRACE("h=" + std::to_string(h) + " k=" + std::to_string(k) + " s=" + std::to_string(s) +
                         " p=" + std::to_string(p) + " ceil=" + std::to_string(ceil));
            ParityOptions two;
            two.threads = 2;
            two.expect_partitions = 1;
            ExpectParity(mb.Bytes(), {RandomInput("x", {1, 3, h, h + 2}, 5)}, two);
            ++cases;
          }
        }
      }
    }
  }
  EXPECT_EQ(xnn::TeamMaxPoolSteps() - before, cases);
}

// At 2 threads with oneDNN on, XNNPACK convolutions (depthwise) run as bands of output rows on
// the OpenMP team: every band boundary must reproduce the padding and strides exactly.
TEST(XnnpackConvParityTest, BandedDepthwiseOnTwoThreads) {
  if (std::getenv("EDGERUN_XNNPACK_ONEDNN") != nullptr) GTEST_SKIP() << "oneDNN switched off";
  const int64_t before = xnn::BandedConvSteps();
  int cases = 0;
  for (int64_t h : {4, 5, 9, 16}) {
    for (int64_t s : {1, 2}) {
      for (int64_t kk : {3, 5}) {
        for (int64_t d : {1, 2}) {
          ConvCase k;
          k.c = 24, k.m = 24, k.group = 24, k.h = h, k.w = 7, k.kh = kk, k.kw = kk, k.stride = s, k.pad = kk / 2 * d,
          k.dilation = d;
          SCOPED_TRACE("h=" + std::to_string(h) + " s=" + std::to_string(s) + " k=" + std::to_string(kk) +
                       " d=" + std::to_string(d));
          ParityOptions two;
          two.threads = 2;
          ExpectParity(ConvModel(k), {RandomInput("x", {k.n, k.c, k.h, k.w}, 3)}, two);
          ++cases;
        }
      }
    }
  }
  EXPECT_GT(xnn::BandedConvSteps() - before, cases / 2);  // all but outputs too short to split
}

// 1-D convolutions on the in-place GEMM kernel (xnnpack_conv1d_step.h): channel tails around its
// 16-wide panels, strides, dilations, pads, FusedConv's residual, and a following MaxPool(2, 2)
// folded into the store (floor and ceil mode) or left as its own step when the convolution's
// output has another reader.
TEST(XnnpackConvParityTest, Conv1dGemmSweepAndFusedPool) {
  const int64_t before = xnn::Conv1dSteps();
  int planned = 0;
  uint32_t seed = 100;
  for (int64_t c : {3, 16, 20}) {
    for (int64_t m : {8, 17, 32}) {
      for (int64_t k : {1, 3, 5}) {
        const int64_t s = 1 + (c + m + k) % 2, d = 1 + (c * k) % 2, l = 23 + c % 5;
        for (int pool : {0, 1, 2}) {  // none, floor, ceil
          SCOPED_TRACE("c=" + std::to_string(c) + " m=" + std::to_string(m) + " k=" + std::to_string(k) +
                       " s=" + std::to_string(s) + " d=" + std::to_string(d) + " pool=" + std::to_string(pool));
          ModelBuilder mb;
          mb.Input("x", kFloat, {1, c, l}).Output("y", kFloat, {-1, -1, -1});
          Weights(mb, "w", {m, c, k}, seed);
          Weights(mb, "b", {m}, seed + 1);
          auto& conv = mb.Node("Conv", {"x", "w", "b"}, {"c1"});
          AttrInts(conv, "pads", {k / 2, (k + 1) / 2});
          AttrInts(conv, "strides", {s});
          AttrInts(conv, "dilations", {d});
          mb.Node("Relu", {"c1"}, {pool == 0 ? "y" : "r1"});
          if (pool != 0) {
            auto& p = mb.Node("MaxPool", {"r1"}, {"y"});
            AttrInts(p, "kernel_shape", {2});
            AttrInts(p, "strides", {2});
            AttrInt(p, "ceil_mode", pool == 2 ? 1 : 0);
          }
          ParityOptions o;
          o.expect_partitions = 1;
          ExpectParity(mb.Bytes(), {RandomInput("x", {1, c, l}, seed + 2)}, o);
          ++planned;
          seed += 3;
        }
      }
    }
  }
  {  // The convolution's output is also a graph output: the pool is not folded in.
    ModelBuilder mb;
    mb.Input("x", kFloat, {2, 8, 30}).Output("y", kFloat, {-1, -1, -1}).Output("c1", kFloat, {-1, -1, -1});
    Weights(mb, "w", {16, 8, 3}, 7);
    auto& conv = mb.Node("Conv", {"x", "w"}, {"c1"});
    AttrInts(conv, "pads", {1, 1});
    auto& p = mb.Node("MaxPool", {"c1"}, {"y"});
    AttrInts(p, "kernel_shape", {2});
    AttrInts(p, "strides", {2});
    ExpectParity(mb.Bytes(), {RandomInput("x", {2, 8, 30}, 8)});
    ++planned;
  }
  if (std::getenv("EDGERUN_CONV1D") == nullptr) {
    EXPECT_GE(xnn::Conv1dSteps() - before, planned);
  }
  // Large enough to be split over the 2-thread team (xnnpack_conv1d_step.cc), with the pool.
  for (int64_t l : {128, 127}) {
    ModelBuilder mb;
    mb.Input("x", kFloat, {1, 16, l}).Output("y", kFloat, {-1, -1, -1});
    Weights(mb, "w", {32, 16, 5}, 21);
    Weights(mb, "b", {32}, 22);
    auto& conv = mb.Node("Conv", {"x", "w", "b"}, {"c1"});
    AttrInts(conv, "pads", {2, 2});
    mb.Node("Relu", {"c1"}, {"r1"});
    auto& p = mb.Node("MaxPool", {"r1"}, {"y"});
    AttrInts(p, "kernel_shape", {2});
    AttrInts(p, "strides", {2});
    AttrInt(p, "ceil_mode", l % 2);
    for (int threads : {1, 2}) {
      SCOPED_TRACE("l=" + std::to_string(l) + " threads=" + std::to_string(threads));
      ParityOptions o;
      o.threads = threads;
      o.expect_partitions = 1;
      ExpectParity(mb.Bytes(), {RandomInput("x", {1, 16, l}, 23)}, o);
    }
  }
}

// (x - mean) * inv_std / k + bias per channel, as CNNs normalize raw inputs in the graph: one
// channel-op step for the whole chain (xnnpack_channel_ops.h), in the graph's order. The 1x1
// convolution at the end makes the graph's plans channels-last (PlainLayoutGraph).
TEST(XnnpackConvParityTest, ChannelOpChains) {
  const int64_t before = xnn::ChannelOpSteps();
  for (const Shape& x : {Shape{1, 3, 256}, Shape{2, 5, 4, 3}, Shape{4, 7}}) {
    const int64_t c = x[1];
    const size_t rank = x.size();
    Shape per_channel(rank - 1, 1);
    per_channel[0] = c;  // [c, 1, ...]: broadcast over the spatial axes
    if (rank == 2) per_channel = {c};
    for (bool k_first : {false, true}) {
      ModelBuilder mb;
      mb.Input("x", kFloat, x).Output("y", kFloat, std::vector<int64_t>(rank, -1));
      Weights(mb, "mean", per_channel, 1);
      Weights(mb, "scale", per_channel, 2);
      mb.FloatInitializer("two", {}, {2.0f});
      Weights(mb, "shift", per_channel, 3);
      mb.Node("Sub", {"x", "mean"}, {"a"});
      mb.Node("Mul", {"a", "scale"}, {"b"});
      if (k_first) {
        mb.Node("Div", {"two", "b"}, {"d"});
        mb.Node("Sub", {"shift", "d"}, {"e"});
      } else {
        mb.Node("Div", {"b", "two"}, {"d"});
        mb.Node("Add", {"d", "shift"}, {"e"});
      }
      if (rank >= 3) {
        std::vector<int64_t> wshape(rank, 1);
        wshape[0] = wshape[1] = c;
        Weights(mb, "w", wshape, 8);
        mb.Node("Relu", {"e"}, {"r"});
        mb.Node("Conv", {"r", "w"}, {"y"});
      } else {
        mb.Node("Relu", {"e"}, {"y"});
      }
      SCOPED_TRACE("rank " + std::to_string(rank) + (k_first ? " constant first" : ""));
      ParityOptions o;
      o.expect_partitions = 1;
      ExpectParity(mb.Bytes(), {RandomInput("x", x, 4)}, o);
    }
  }
  EXPECT_EQ(xnn::ChannelOpSteps() - before, 6);  // one step per model
  {  // An intermediate with a second reader ends the chain: two steps.
    ModelBuilder mb;
    mb.Input("x", kFloat, {1, 4, 9}).Output("y", kFloat, {-1, -1, -1}).Output("a", kFloat, {-1, -1, -1});
    Weights(mb, "mean", {4, 1}, 5);
    Weights(mb, "scale", {4, 1}, 6);
    Weights(mb, "w", {4, 4, 1}, 7);
    mb.Node("Sub", {"x", "mean"}, {"a"});
    mb.Node("Mul", {"a", "scale"}, {"m"});
    mb.Node("Conv", {"m", "w"}, {"y"});
    const int64_t mid = xnn::ChannelOpSteps();
    ExpectParity(mb.Bytes(), {RandomInput("x", {1, 4, 9}, 7)});
    EXPECT_EQ(xnn::ChannelOpSteps() - mid, 2);
  }
  {  // Plain layout (no feature maps in the graph): constants along the last axis of [N, T, D]
     // (a transformer's affine after a normalization) chain the same way.
    ModelBuilder mb;
    mb.Input("x", kFloat, {1, 6, 8}).Output("y", kFloat, {-1, -1, -1});
    Weights(mb, "gamma", {8}, 9);
    Weights(mb, "beta", {1, 1, 8}, 10);
    mb.Node("Mul", {"x", "gamma"}, {"a"});
    mb.Node("Add", {"a", "beta"}, {"y"});
    const int64_t mid = xnn::ChannelOpSteps();
    ExpectParity(mb.Bytes(), {RandomInput("x", {1, 6, 8}, 8)}, {.expect_partitions = 1});
    EXPECT_EQ(xnn::ChannelOpSteps() - mid, 1);
  }
}

}  // namespace
}  // namespace edgerun::xnn_test
