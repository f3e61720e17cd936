// TfIdfVectorizer reference kernel (opset 9), for int32/int64 inputs (pool_int64s) and string
// inputs (pool_strings). The pool of n-grams is stored in a trie built at session creation; for
// every row, start position and skip distance (0..max_skip_count) the kernel walks the trie over
// x[start], x[start + skip + 1], ... and counts each pooled n-gram with min_gram_length <= n <=
// max_gram_length. Unigrams are counted once per position (skip distance does not apply).
// Output: TF = counts; IDF = weight where count > 0; TFIDF = count * weight.
#include <algorithm>
#include <map>
#include <memory>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "kernels/reference/dispatch.h"
#include "kernels/reference/signal_kernels.h"

namespace edgerun {
namespace {

template <typename Key>
struct Trie {
  struct Node {
    std::map<Key, int32_t> children;
    int64_t ngram = -1;  // index into ngram_indexes, or -1
  };
  std::vector<Node> nodes{Node{}};

  // Returns the child of `node` for `k`, or -1.
  int32_t Child(int32_t node, const Key& k) const {
    auto it = nodes[node].children.find(k);
    return it == nodes[node].children.end() ? -1 : it->second;
  }
  void Insert(const Key* gram, int64_t n, int64_t id) {
    int32_t cur = 0;
    for (int64_t i = 0; i < n; ++i) {
      int32_t next = Child(cur, gram[i]);
      if (next < 0) {
        next = static_cast<int32_t>(nodes.size());
        nodes.push_back(Node{});
        nodes[cur].children.emplace(gram[i], next);
      }
      cur = next;
    }
    nodes[cur].ngram = id;
  }
};

enum class Mode { kTf, kIdf, kTfIdf };

template <typename Key>
class TfIdfKernel final : public Kernel {
 public:
  TfIdfKernel(std::string where, Mode mode, int64_t min_n, int64_t max_n, int64_t max_skip, Trie<Key> trie,
              Dims ngram_indexes, std::vector<float> weights, int64_t out_size)
      : where_(std::move(where)), mode_(mode), min_n_(min_n), max_n_(max_n), max_skip_(max_skip),
        trie_(std::move(trie)), ngram_indexes_(std::move(ngram_indexes)), weights_(std::move(weights)),
        out_size_(out_size) {}

  Status Run(KernelContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    if (x.rank() != 1 && x.rank() != 2) {
      return InvalidArgument(where_ + ": input must be [C] or [N, C], got " + ShapeToString(x.shape()));
    }
    const int64_t rows = x.rank() == 2 ? x.dim(0) : 1;
    const int64_t cols = x.rank() == 2 ? x.dim(1) : x.dim(0);
    Shape out_shape = x.rank() == 2 ? Shape{rows, out_size_} : Shape{out_size_};
    Tensor* y;
    EDGERUN_ASSIGN_OR_RETURN(y, ctx.AllocateOutput(0, DataType::kFloat, out_shape));
    if constexpr (std::is_same_v<Key, std::string>) {
      if (x.dtype() != DataType::kString) return InvalidArgument(where_ + ": pool_strings needs a string input");
      Count(x.strings(), rows, cols, y->data<float>());
      return Status::Ok();
    } else {
      if (x.dtype() == DataType::kInt64) {
        Count(x.data<int64_t>(), rows, cols, y->data<float>());
      } else if (x.dtype() == DataType::kInt32) {
        Count(x.data<int32_t>(), rows, cols, y->data<float>());
      } else {
        return InvalidArgument(where_ + ": pool_int64s needs an int32 or int64 input, got " +
                               DataTypeName(x.dtype()));
      }
      return Status::Ok();
    }
  }

 private:
  template <typename T>
  void Count(const T* x, int64_t rows, int64_t cols, float* out) const {
    for (int64_t r = 0; r < rows; ++r) {
      const T* row = x + r * cols;
      float* o = out + r * out_size_;
      for (int64_t start = 0; start < cols; ++start) {
        for (int64_t skip = 0; skip <= max_skip_; ++skip) {
          int32_t node = 0;
          for (int64_t n = 1; n <= max_n_; ++n) {
            const int64_t pos = start + (n - 1) * (skip + 1);
            if (pos >= cols) break;
            if constexpr (std::is_same_v<T, Key>) {
              node = trie_.Child(node, row[pos]);
            } else {
              node = trie_.Child(node, static_cast<Key>(row[pos]));
            }
            if (node < 0) break;
            if (n == 1 && skip > 0) continue;  // a unigram was already counted at skip 0
            int64_t id = trie_.nodes[node].ngram;
            if (n >= min_n_ && id >= 0) o[ngram_indexes_[id]] += 1.f;
          }
        }
      }
      if (mode_ == Mode::kTf) continue;
      for (size_t id = 0; id < ngram_indexes_.size(); ++id) {
        float& v = o[ngram_indexes_[id]];
        float w = weights_.empty() ? 1.f : weights_[id];
        v = mode_ == Mode::kIdf ? (v > 0.f ? w : 0.f) : v * w;
      }
    }
  }

  std::string where_;
  Mode mode_;
  int64_t min_n_, max_n_, max_skip_;
  Trie<Key> trie_;
  Dims ngram_indexes_;
  std::vector<float> weights_;
  int64_t out_size_;
};

template <typename Key>
Result<std::unique_ptr<Kernel>> BuildTfIdf(const ir::Node& node, const std::vector<Key>& pool, Mode mode) {
  const std::string where = node.Describe();
  const int64_t min_n = node.GetInt("min_gram_length", 0), max_n = node.GetInt("max_gram_length", 0);
  const int64_t max_skip = node.GetInt("max_skip_count", 0);
  if (min_n < 1 || max_n < min_n) return InvalidArgument(where + ": need 1 <= min_gram_length <= max_gram_length");
  if (max_skip < 0) return InvalidArgument(where + ": max_skip_count must be >= 0");
  const Dims counts = node.GetInts("ngram_counts");
  const Dims indexes = node.GetInts("ngram_indexes");
  std::vector<float> weights = node.GetFloats("weights");
  const int64_t pool_size = static_cast<int64_t>(pool.size());
  Trie<Key> trie;
  int64_t id = 0;
  for (size_t g = 0; g < counts.size(); ++g) {
    const int64_t n = static_cast<int64_t>(g) + 1;
    const int64_t begin = counts[g], end = g + 1 < counts.size() ? counts[g + 1] : pool_size;
    if (begin < 0 || end < begin || end > pool_size || (end - begin) % n != 0) {
      return InvalidArgument(where + ": ngram_counts do not split the pool into whole " + std::to_string(n) + "-grams");
    }
    for (int64_t p = begin; p < end; p += n, ++id) {
      if (id >= static_cast<int64_t>(indexes.size())) {
        return InvalidArgument(where + ": ngram_indexes has fewer entries than the pool has n-grams");
      }
      trie.Insert(pool.data() + p, n, id);
    }
  }
  if (id != static_cast<int64_t>(indexes.size())) {
    return InvalidArgument(where + ": ngram_indexes has " + std::to_string(indexes.size()) + " entries, the pool has " +
                           std::to_string(id) + " n-grams");
  }
  if (!weights.empty() && weights.size() != indexes.size()) {
    return InvalidArgument(where + ": weights must have one value per n-gram");
  }
  int64_t out_size = 0;
  for (int64_t v : indexes) {
    if (v < 0) return InvalidArgument(where + ": ngram_indexes must be >= 0");
    out_size = std::max(out_size, v + 1);
  }
  return std::unique_ptr<Kernel>(std::make_unique<TfIdfKernel<Key>>(where, mode, min_n, max_n, max_skip,
                                                                    std::move(trie), indexes, std::move(weights),
                                                                    out_size));
}

}  // namespace

Result<std::unique_ptr<Kernel>> CreateTfIdfVectorizer(const KernelCreateContext& c) {
  const std::string where = c.node.Describe();
  const std::string mode_s = c.node.GetString("mode", "");
  Mode mode;
  if (mode_s == "TF") {
    mode = Mode::kTf;
  } else if (mode_s == "IDF") {
    mode = Mode::kIdf;
  } else if (mode_s == "TFIDF") {
    mode = Mode::kTfIdf;
  } else {
    return InvalidArgument(where + ": mode must be TF, IDF or TFIDF, got '" + mode_s + "'");
  }
  if (c.node.HasAttribute("pool_strings")) {
    if (c.node.HasAttribute("pool_int64s")) {
      return InvalidArgument(where + ": only one of pool_strings and pool_int64s may be given");
    }
    return BuildTfIdf<std::string>(c.node, c.node.GetStrings("pool_strings"), mode);
  }
  return BuildTfIdf<int64_t>(c.node, c.node.GetInts("pool_int64s"), mode);
}

}  // namespace edgerun
