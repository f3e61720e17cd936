// Cache-blocked float GEMM for reference kernels.
#include "kernels/reference/gemm_ref.h"

#include <algorithm>
#include <vector>

namespace edgerun {
namespace {

constexpr int64_t kBlockK = 128;  // rows of the packed B panel
constexpr int64_t kBlockN = 512;  // columns of the packed B panel (kBlockK * kBlockN floats = 256 KiB)

}  // namespace

void GemmF32(bool trans_a, bool trans_b, int64_t m, int64_t n, int64_t k, float alpha, const float* a,
             int64_t lda, const float* b, int64_t ldb, float beta, float* c, int64_t ldc) {
  for (int64_t i = 0; i < m; ++i) {
    float* crow = c + i * ldc;
    if (beta == 0.0f) {
      std::fill(crow, crow + n, 0.0f);
    } else if (beta != 1.0f) {
      for (int64_t j = 0; j < n; ++j) crow[j] *= beta;
    }
  }
  if (k <= 0 || alpha == 0.0f) return;
  // op(B) rows are contiguous when B is not transposed: the inner loop reads them in place.
  // Transposed B is packed into a per-thread panel that is kept between calls (no allocation once
  // it has reached its size).
  thread_local std::vector<float> panel;
  if (trans_b) panel.resize(std::max(panel.size(), static_cast<size_t>(std::min(k, kBlockK) * std::min(n, kBlockN))));
  for (int64_t j0 = 0; j0 < n; j0 += kBlockN) {
    const int64_t nb = std::min(kBlockN, n - j0);
    for (int64_t p0 = 0; p0 < k; p0 += kBlockK) {
      const int64_t kb = std::min(kBlockK, k - p0);
      const float* rows = b + p0 * ldb + j0;  // op(B)[p0, j0], row stride prs
      int64_t prs = ldb;
      if (trans_b) {  // pack op(B)[p0:p0+kb, j0:j0+nb] row-major so the inner loop is contiguous
        for (int64_t p = 0; p < kb; ++p) {
          float* dst = panel.data() + p * nb;
          for (int64_t j = 0; j < nb; ++j) dst[j] = b[(j0 + j) * ldb + p0 + p];
        }
        rows = panel.data();
        prs = nb;
      }
      for (int64_t i = 0; i < m; ++i) {
        float* crow = c + i * ldc + j0;
        for (int64_t p = 0; p < kb; ++p) {
          const float av = alpha * (trans_a ? a[(p0 + p) * lda + i] : a[i * lda + p0 + p]);
          const float* prow = rows + p * prs;
          for (int64_t j = 0; j < nb; ++j) crow[j] += av * prow[j];
        }
      }
    }
  }
}

}  // namespace edgerun
