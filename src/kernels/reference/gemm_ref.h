// Small shared matrix-multiply routines for reference kernels (Gemm, MatMul, Einsum, and later
// others such as Conv via im2col). Row-major, optional transposes, no allocation beyond a packed
// panel. Thread-safety: pure functions; safe to call concurrently on disjoint outputs.
#pragma once

#include <cstdint>
#include <type_traits>

#include "edgerun/tensor.h"

namespace edgerun {

// C[m x n] = alpha * op(A) * op(B) + beta * C, float accumulation, cache-blocked.
// op(A) is m x k: A is stored m x k (lda >= k) or, when trans_a, k x m (lda >= m); likewise
// op(B) is k x n: B is stored k x n (ldb >= n) or, when trans_b, n x k (ldb >= k).
// When beta == 0, C is overwritten without being read (NaNs in C do not propagate).
void GemmF32(bool trans_a, bool trans_b, int64_t m, int64_t n, int64_t k, float alpha, const float* a,
             int64_t lda, const float* b, int64_t ldb, float beta, float* c, int64_t ldc);

// Accumulator type used by the generic routine: float for float/Half/BFloat16, double for
// double, uint64_t for every integer type (modular arithmetic gives the wrapped result of the
// narrow type once cast back, with no signed-overflow UB).
template <typename T>
using GemmAccOf = std::conditional_t<std::is_integral_v<T>, uint64_t,
                                     std::conditional_t<std::is_same_v<T, double>, double, float>>;

template <typename Acc, typename T>
inline Acc GemmToAcc(T v) {
  if constexpr (std::is_integral_v<T>) {
    // Signed values sign-extend to 64 bits, then wrap into the unsigned accumulator.
    using Wide = std::conditional_t<std::is_signed_v<T>, int64_t, uint64_t>;
    return static_cast<Acc>(static_cast<Wide>(v));
  } else {
    return static_cast<Acc>(static_cast<float>(v));
  }
}

// C[m x n] += op(A) * op(B), accumulating in Acc (see GemmAccOf). Same layout conventions as
// GemmF32; c has leading dimension ldc.
template <typename Acc, typename T>
void GemmAccumulate(bool trans_a, bool trans_b, int64_t m, int64_t n, int64_t k, const T* a, int64_t lda,
                    const T* b, int64_t ldb, Acc* c, int64_t ldc) {
  for (int64_t i = 0; i < m; ++i) {
    Acc* crow = c + i * ldc;
    if (trans_b) {
      for (int64_t j = 0; j < n; ++j) {
        const T* brow = b + j * ldb;
        Acc s{};
        for (int64_t p = 0; p < k; ++p) {
          const T av = trans_a ? a[p * lda + i] : a[i * lda + p];
          s += GemmToAcc<Acc>(av) * GemmToAcc<Acc>(brow[p]);
        }
        crow[j] += s;
      }
    } else {
      for (int64_t p = 0; p < k; ++p) {
        const Acc av = GemmToAcc<Acc>(trans_a ? a[p * lda + i] : a[i * lda + p]);
        const T* brow = b + p * ldb;
        for (int64_t j = 0; j < n; ++j) crow[j] += av * GemmToAcc<Acc>(brow[j]);
      }
    }
  }
}

}  // namespace edgerun
