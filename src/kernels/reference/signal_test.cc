// Tests for the signal kernels beyond the conformance data: DFT opset 20 (axis input, onesided),
// dft_length truncation and padding, inverse round trip, STFT framing, integer window output,
// TfIdfVectorizer with strings and IDF/TFIDF weights, and input errors.
#include <gtest/gtest.h>

#include <cmath>

#include "kernels/reference/kernel_test_util.h"

namespace edgerun {
namespace {

using namespace kernel_test;

TEST(DftTest, Opset20OnesidedDefaultAxis) {
  auto out = RunOp("DFT", 20, {{"onesided", IntAttr(1)}}, {F32({1, 4, 1}, {1, 2, 3, 4})});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_EQ((*out)[0].shape(), (Shape{1, 3, 2}));
  ExpectNear(Values<float>((*out)[0]), {10, 0, -2, 2, -2, 0});
}

TEST(DftTest, DftLengthTruncatesAndPads) {
  auto trunc = RunOp("DFT", 17, {{"axis", IntAttr(1)}}, {F32({1, 4, 1}, {1, 2, 3, 4}), I64({}, {2})});
  ASSERT_TRUE(trunc.ok()) << trunc.status().ToString();
  ExpectNear(Values<float>((*trunc)[0]), {3, 0, -1, 0});
  auto pad = RunOp("DFT", 17, {{"axis", IntAttr(1)}}, {F32({1, 4, 1}, {1, 2, 3, 4}), I64({}, {6})});
  ASSERT_TRUE(pad.ok()) << pad.status().ToString();
  EXPECT_EQ((*pad)[0].shape(), (Shape{1, 6, 2}));
  EXPECT_NEAR((*pad)[0].data<float>()[0], 10.f, 1e-5);
}

TEST(DftTest, InverseRoundTrip) {
  auto fwd = RunOp("DFT", 20, {}, {F32({2, 4, 1}, {1, 2, 3, 4, -1, 0, 5, 2})});
  ASSERT_TRUE(fwd.ok()) << fwd.status().ToString();
  auto inv = RunOp("DFT", 20, {{"inverse", IntAttr(1)}}, {(*fwd)[0], Tensor(), I64({}, {1})});
  ASSERT_TRUE(inv.ok()) << inv.status().ToString();
  ExpectNear(Values<float>((*inv)[0]), {1, 0, 2, 0, 3, 0, 4, 0, -1, 0, 0, 0, 5, 0, 2, 0});
}

TEST(DftTest, RejectsBadAxisAndShape) {
  auto axis = RunOp("DFT", 20, {}, {F32({1, 4, 1}, {}), Tensor(), I64({}, {2})});
  EXPECT_EQ(axis.status().code(), StatusCode::kInvalidArgument);
  auto last = RunOp("DFT", 17, {}, {F32({1, 4, 3}, {})});
  EXPECT_EQ(last.status().code(), StatusCode::kInvalidArgument);
  auto len = RunOp("DFT", 17, {}, {F32({1, 4, 1}, {}), I64({}, {0})});
  EXPECT_EQ(len.status().code(), StatusCode::kInvalidArgument);
}

TEST(StftTest, FramesWithoutWindow) {
  auto out = RunOp("STFT", 17, {}, {F32({1, 4, 1}, {1, 2, 3, 4}), I64({}, {2}), Tensor(), I64({}, {2})});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_EQ((*out)[0].shape(), (Shape{1, 2, 2, 2}));
  ExpectNear(Values<float>((*out)[0]), {3, 0, -1, 0, 7, 0, -1, 0});
  auto too_long = RunOp("STFT", 17, {}, {F32({1, 4, 1}, {}), I64({}, {2}), Tensor(), I64({}, {8})});
  EXPECT_EQ(too_long.status().code(), StatusCode::kInvalidArgument);
  auto mismatch = RunOp("STFT", 17, {}, {F32({1, 4, 1}, {}), I64({}, {2}), F32({3}, {}), I64({}, {2})});
  EXPECT_EQ(mismatch.status().code(), StatusCode::kInvalidArgument);
}

TEST(WindowTest, IntegerOutputAndOnePointSymmetric) {
  auto out = RunOp("HannWindow", 17, {{"output_datatype", IntAttr(static_cast<int64_t>(DataType::kInt32))}},
                   {I64({}, {4})});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_EQ(Values<int32_t>((*out)[0]), (std::vector<int32_t>{0, 0, 1, 0}));
  auto one = RunOp("BlackmanWindow", 17, {{"periodic", IntAttr(0)}}, {I32({}, {1})});
  ASSERT_TRUE(one.ok()) << one.status().ToString();
  EXPECT_EQ(Values<float>((*one)[0]), (std::vector<float>{1.f}));
  auto neg = RunOp("HammingWindow", 17, {}, {I32({}, {-3})});
  EXPECT_EQ(neg.status().code(), StatusCode::kInvalidArgument);
}

TEST(TfIdfVectorizerTest, StringsWithWeights) {
  Tensor x = Tensor::Create(DataType::kString, {5}).value();
  const char* words[] = {"a", "b", "a", "b", "x"};
  for (int i = 0; i < 5; ++i) x.strings()[i] = words[i];
  std::vector<std::pair<std::string, ir::Attribute>> attrs = {
      {"min_gram_length", IntAttr(1)},          {"max_gram_length", IntAttr(2)},
      {"max_skip_count", IntAttr(0)},           {"ngram_counts", IntsAttr({0, 3})},
      {"ngram_indexes", IntsAttr({0, 1, 2, 3})}, {"weights", FloatsAttr({1, 2, 3, 4})},
      {"pool_strings", StringsAttr({"a", "b", "c", "a", "b"})}, {"mode", StringAttr("TFIDF")}};
  auto tfidf = RunOp("TfIdfVectorizer", 9, attrs, {x});
  ASSERT_TRUE(tfidf.ok()) << tfidf.status().ToString();
  EXPECT_EQ(Values<float>((*tfidf)[0]), (std::vector<float>{2, 4, 0, 8}));
  attrs.back().second = StringAttr("IDF");
  auto idf = RunOp("TfIdfVectorizer", 9, attrs, {x});
  ASSERT_TRUE(idf.ok()) << idf.status().ToString();
  EXPECT_EQ(Values<float>((*idf)[0]), (std::vector<float>{1, 2, 0, 4}));
}

TEST(TfIdfVectorizerTest, RejectsInconsistentPool) {
  std::vector<std::pair<std::string, ir::Attribute>> attrs = {
      {"min_gram_length", IntAttr(1)}, {"max_gram_length", IntAttr(2)}, {"max_skip_count", IntAttr(0)},
      {"ngram_counts", IntsAttr({0, 2})}, {"ngram_indexes", IntsAttr({0, 1, 2})},
      {"pool_int64s", IntsAttr({1, 2, 3})}, {"mode", StringAttr("TF")}};
  auto out = RunOp("TfIdfVectorizer", 9, attrs, {I64({3}, {1, 2, 3})});
  EXPECT_EQ(out.status().code(), StatusCode::kInvalidArgument);
  attrs.back().second = StringAttr("BM25");
  EXPECT_EQ(RunOp("TfIdfVectorizer", 9, attrs, {I64({3}, {})}).status().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace edgerun
