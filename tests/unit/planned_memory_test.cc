// Planned memory and in-place outputs: steady-state runs allocate nothing, results stay right
// across aliasing, re-planning on shape changes, and concurrent runs.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <random>
#include <thread>

#include "cli/alloc_counter.h"
#include "edgerun/session.h"
#include "model_builder.h"
#include "runtime/session_impl.h"

namespace edgerun {
namespace {

using testing::ModelBuilder;

Tensor RandomTensor(const Shape& shape, uint32_t seed) {
  Tensor t = Tensor::Create(DataType::kFloat, shape).value();
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> d(-2.f, 2.f);
  for (int64_t i = 0; i < t.numel(); ++i) t.data<float>()[i] = d(rng);
  return t;
}

// x -> Relu -> a -> Reshape -> b (alias of a) -> Sigmoid -> c; y = Add(c, a) -> Abs -> out.
// `a` must outlive its alias `b`; the planner must not hand a's memory to c.
std::string AliasingModel(int64_t batch_dim) {
  ModelBuilder b;
  b.Input("x", 1, {batch_dim, 6});
  b.Output("out", 1, {batch_dim, 6});
  auto& shape = *b.graph().add_initializer();
  shape.set_name("shape");
  shape.set_data_type(onnx::TensorProto::INT64);
  shape.add_dims(2);
  shape.add_int64_data(-1);
  shape.add_int64_data(6);
  b.Node("Relu", {"x"}, {"a"});
  b.Node("Reshape", {"a", "shape"}, {"r"});
  b.Node("Sigmoid", {"r"}, {"c"});
  b.Node("Neg", {"c"}, {"d"});
  b.Node("Add", {"d", "a"}, {"y"});
  b.Node("Abs", {"y"}, {"out"});
  return b.Bytes();
}

std::vector<float> Expected(const Tensor& x) {
  std::vector<float> out(static_cast<size_t>(x.numel()));
  for (int64_t i = 0; i < x.numel(); ++i) {
    float a = std::max(0.f, x.data<float>()[i]);
    float c = 1.f / (1.f + std::exp(-a));
    out[static_cast<size_t>(i)] = std::fabs(-c + a);
  }
  return out;
}

void ExpectNear(const Tensor& got, const std::vector<float>& want) {
  ASSERT_EQ(static_cast<size_t>(got.numel()), want.size());
  for (size_t i = 0; i < want.size(); ++i) EXPECT_NEAR(got.data<float>()[i], want[i], 1e-5f) << "at " << i;
}

TEST(PlannedMemoryTest, AliasesKeepTheirRootAlive) {
  SessionOptions opts;
  opts.graph_optimization = "none";
  auto s = Session::CreateFromBytes(AliasingModel(4), opts);
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  std::vector<NamedTensor> outs;
  for (uint32_t run = 0; run < 5; ++run) {  // run 0 records, later runs use the arena
    Tensor x = RandomTensor({4, 6}, run);
    ASSERT_TRUE((*s)->Run({{"x", x}}, &outs).ok());
    ASSERT_EQ(outs.size(), 1u);
    ExpectNear(outs[0].tensor, Expected(x));
  }
  EXPECT_GT((*s)->impl().arena_bytes(), 0u);
}

TEST(PlannedMemoryTest, OutputsAreWrittenInPlace) {
  SessionOptions opts;
  opts.graph_optimization = "none";
  auto s = Session::CreateFromBytes(AliasingModel(2), opts);
  ASSERT_TRUE(s.ok());
  std::vector<NamedTensor> outs;
  ASSERT_TRUE((*s)->Run({{"x", RandomTensor({2, 6}, 1)}}, &outs).ok());
  ASSERT_TRUE((*s)->Run({{"x", RandomTensor({2, 6}, 2)}}, &outs).ok());
  const void* buffer = outs[0].tensor.raw();
  Tensor x = RandomTensor({2, 6}, 3);
  ASSERT_TRUE((*s)->Run({{"x", x}}, &outs).ok());
  EXPECT_EQ(outs[0].tensor.raw(), buffer);
  ExpectNear(outs[0].tensor, Expected(x));
}

TEST(PlannedMemoryTest, ShapeChangeReplans) {
  SessionOptions opts;
  opts.graph_optimization = "none";
  auto s = Session::CreateFromBytes(AliasingModel(-1), opts);
  ASSERT_TRUE(s.ok());
  std::vector<NamedTensor> outs;
  const int64_t batches[] = {1, 1, 8, 8, 3, 1, 8};
  uint32_t seed = 10;
  for (int64_t n : batches) {
    Tensor x = RandomTensor({n, 6}, seed++);
    ASSERT_TRUE((*s)->Run({{"x", x}}, &outs).ok());
    ExpectNear(outs[0].tensor, Expected(x));
    // The allocating form must give the same result and not disturb the in-place one.
    auto fresh = (*s)->Run({{"x", x}});
    ASSERT_TRUE(fresh.ok());
    ExpectNear((*fresh)[0].tensor, Expected(x));
  }
}

TEST(PlannedMemoryTest, ConcurrentRunsUseSeparateArenas) {
  SessionOptions opts;
  opts.graph_optimization = "none";
  auto s = Session::CreateFromBytes(AliasingModel(16), opts);
  ASSERT_TRUE(s.ok());
  std::vector<std::thread> threads;
  std::vector<int> failures(4, 0);
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      std::vector<NamedTensor> outs;
      for (uint32_t i = 0; i < 200; ++i) {
        Tensor x = RandomTensor({16, 6}, static_cast<uint32_t>(t) * 1000 + i);
        if (!(*s)->Run({{"x", x}}, &outs).ok()) {
          failures[static_cast<size_t>(t)]++;
          continue;
        }
        auto want = Expected(x);
        for (size_t k = 0; k < want.size(); ++k) {
          if (std::fabs(outs[0].tensor.data<float>()[k] - want[k]) > 1e-5f) {
            failures[static_cast<size_t>(t)]++;
            break;
          }
        }
      }
    });
  }
  for (auto& th : threads) th.join();
  for (int f : failures) EXPECT_EQ(f, 0);
}

// Counts operator new calls made by this thread during `runs` steady-state runs.
uint64_t AllocationsPerRuns(const Session& s, const std::vector<NamedTensor>& feeds, int runs) {
  std::vector<NamedTensor> outs;
  for (int i = 0; i < 3; ++i) EXPECT_TRUE(s.Run(feeds, &outs).ok());  // record, plan, settle
  const uint64_t before = cli::CountedAllocations();
  cli::CountAllocationsOnThisThread(true);
  for (int i = 0; i < runs; ++i) {
    if (!s.Run(feeds, &outs).ok()) break;
  }
  cli::CountAllocationsOnThisThread(false);
  return cli::CountedAllocations() - before;
}

TEST(PlannedMemoryTest, SteadyStateRunAllocatesNothing) {
  SessionOptions opts;
  opts.graph_optimization = "none";
  auto s = Session::CreateFromBytes(AliasingModel(4), opts);
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(AllocationsPerRuns(**s, {{"x", RandomTensor({4, 6}, 5)}}, 100), 0u);
}

// x -> Relu -> a -> Reshape -> out: the graph output is a view of a planned buffer.
std::string OutputViewModel() {
  ModelBuilder b;
  b.Input("x", 1, {2, 6});
  b.Output("out", 1, {3, 4});
  auto& shape = *b.graph().add_initializer();
  shape.set_name("shape");
  shape.set_data_type(onnx::TensorProto::INT64);
  shape.add_dims(2);
  shape.add_int64_data(3);
  shape.add_int64_data(4);
  b.Node("Relu", {"x"}, {"a"});
  b.Node("Reshape", {"a", "shape"}, {"out"});
  return b.Bytes();
}

TEST(PlannedMemoryTest, OutputViewsOfPlannedMemorySurviveTheNextRun) {
  SessionOptions opts;
  opts.graph_optimization = "none";
  auto s = Session::CreateFromBytes(OutputViewModel(), opts);
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  std::vector<std::vector<NamedTensor>> kept;
  std::vector<Tensor> inputs;
  for (uint32_t run = 0; run < 4; ++run) {  // run 0 records; later runs plan `a` in the arena
    inputs.push_back(RandomTensor({2, 6}, 40 + run));
    auto outs = (*s)->Run({{"x", inputs.back()}});
    ASSERT_TRUE(outs.ok()) << outs.status().ToString();
    kept.push_back(std::move(*outs));
  }
  for (size_t run = 0; run < kept.size(); ++run) {  // each result still holds its own run's values
    const Tensor& got = kept[run][0].tensor;
    ASSERT_EQ(got.shape(), (Shape{3, 4}));
    for (int64_t i = 0; i < 12; ++i) {
      EXPECT_EQ(got.data<float>()[i], std::max(0.f, inputs[run].data<float>()[i])) << "run " << run << " at " << i;
    }
  }
  EXPECT_EQ(AllocationsPerRuns(**s, {{"x", inputs[0]}}, 50), 0u);
}

// Steady-state runs of the committed models, per provider list.
struct ModelCase {
  const char* model;  // under models/
  std::vector<std::string> providers;
  bool onednn = true;  // SessionOptions::onednn; oneDNN allocates inside its execute call
};

void PrintTo(const ModelCase& c, std::ostream* os) {
  *os << c.model << " on " << c.providers.size() << " provider(s)" << (c.onednn ? "" : ", oneDNN off");
}

class ModelAllocationTest : public ::testing::TestWithParam<ModelCase> {};

TEST_P(ModelAllocationTest, SteadyStateRunAllocatesNothing) {
  const ModelCase& c = GetParam();
  SessionOptions opts;
  opts.providers = c.providers;
  opts.onednn = c.onednn;
  auto s = Session::CreateFromFile(std::string(EDGERUN_SOURCE_DIR) + "/models/" + c.model, opts);
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  std::vector<NamedTensor> feeds;
  uint32_t seed = 9;
  for (const TensorInfo& in : (*s)->inputs()) {
    Shape shape;
    for (int64_t d : in.dims) shape.push_back(d < 0 ? 1 : d);
    feeds.push_back({in.name, RandomTensor(shape, seed++)});
  }
  EXPECT_EQ(AllocationsPerRuns(**s, feeds, 20), 0u);
}

const std::vector<std::string> kDefault = {"xnnpack", "cpu"};
const std::vector<std::string> kReference = {"cpu"};

INSTANTIATE_TEST_SUITE_P(
    Models, ModelAllocationTest,
    ::testing::Values(ModelCase{"demo/sensor_demo.onnx", kDefault}, ModelCase{"sensor_mlp/model.onnx", kDefault},
                      ModelCase{"sensor_lstm/model.onnx", kDefault}, ModelCase{"sensor_transformer/model.onnx", kDefault},
                      ModelCase{"vibration_cnn1d/model.onnx", kDefault},
                      ModelCase{"fashion_cnn/model.onnx", kDefault, false},
                      ModelCase{"fashion_mobilenet/model.onnx", kDefault, false},
                      ModelCase{"demo/sensor_demo.onnx", kReference}, ModelCase{"sensor_mlp/model.onnx", kReference},
                      ModelCase{"sensor_lstm/model.onnx", kReference}, ModelCase{"sensor_transformer/model.onnx", kReference},
                      ModelCase{"vibration_cnn1d/model.onnx", kReference}, ModelCase{"fashion_cnn/model.onnx", kReference},
                      ModelCase{"fashion_mobilenet/model.onnx", kReference}),
    [](const ::testing::TestParamInfo<ModelCase>& info) {
      std::string name = info.param.model;
      name = name.substr(0, name.find_first_of("/."));
      if (name == "demo") name = "sensor_demo";
      name += info.param.providers.size() == 1 ? "_reference" : "_default";
      if (!info.param.onednn) name += "_without_onednn";
      return name;
    });

}  // namespace
}  // namespace edgerun
