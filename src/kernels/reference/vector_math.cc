// Vectorized float sigmoid and tanh (see vector_math.h).
#include "kernels/reference/vector_math.h"

#include <immintrin.h>

#include <cmath>

#define VMATH_AVX2 __attribute__((target("avx2,fma")))

namespace edgerun {
namespace {

bool HasAvx2Fma() {
  static const bool has = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
  return has;
}

// exp(x) for x in [-87.3, 88] (clamped there; NaN stays NaN): 2^n * e^r with r = x - n ln 2 in
// [-ln2/2, ln2/2] (ln 2 in two parts, Cody-Waite) and Cephes' expf polynomial for e^r.
VMATH_AVX2 inline __m256 Exp(__m256 x) {
  x = _mm256_min_ps(_mm256_set1_ps(88.0f), _mm256_max_ps(_mm256_set1_ps(-87.3f), x));  // NaN passes
  const __m256 n = _mm256_floor_ps(_mm256_fmadd_ps(x, _mm256_set1_ps(1.44269504088896341f), _mm256_set1_ps(0.5f)));
  __m256 r = _mm256_fnmadd_ps(n, _mm256_set1_ps(0.693359375f), x);
  r = _mm256_fnmadd_ps(n, _mm256_set1_ps(-2.12194440e-4f), r);
  __m256 p = _mm256_set1_ps(1.9875691500e-4f);
  p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.3981999507e-3f));
  p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(8.3334519073e-3f));
  p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(4.1665795894e-2f));
  p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.6666665459e-1f));
  p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(5.0000001201e-1f));
  p = _mm256_fmadd_ps(p, _mm256_mul_ps(r, r), _mm256_add_ps(r, _mm256_set1_ps(1.0f)));
  const __m256i e = _mm256_slli_epi32(_mm256_add_epi32(_mm256_cvtps_epi32(n), _mm256_set1_epi32(127)), 23);
  return _mm256_mul_ps(p, _mm256_castsi256_ps(e));
}

VMATH_AVX2 int64_t ExpAvx2(float* v, int64_t n) {
  const __m256 lo = _mm256_set1_ps(-87.3f), hi = _mm256_set1_ps(88.7f);
  const __m256 inf = _mm256_set1_ps(INFINITY);
  int64_t i = 0;
  for (; i + 8 <= n; i += 8) {
    const __m256 x = _mm256_loadu_ps(v + i);
    __m256 e = Exp(x);
    e = _mm256_andnot_ps(_mm256_cmp_ps(x, lo, _CMP_LT_OQ), e);  // underflow: 0
    e = _mm256_blendv_ps(e, inf, _mm256_cmp_ps(x, hi, _CMP_GT_OQ));  // overflow: inf
    _mm256_storeu_ps(v + i, e);
  }
  return i;
}

VMATH_AVX2 int64_t ErfAvx2(float* v, int64_t n) {
  const __m256 one = _mm256_set1_ps(1.0f), half = _mm256_set1_ps(0.5f);
  const __m256 sign_bit = _mm256_set1_ps(-0.0f);
  int64_t i = 0;
  for (; i + 8 <= n; i += 8) {
    const __m256 x = _mm256_loadu_ps(v + i);
    const __m256 ax = _mm256_andnot_ps(sign_bit, x);
    // |x| < 0.5: 2/sqrt(pi) (x - x^3/3 + x^5/10 - x^7/42 + x^9/216 - x^11/1320).
    const __m256 s = _mm256_mul_ps(x, x);
    __m256 p = _mm256_set1_ps(-8.5483270e-4f);
    p = _mm256_fmadd_ps(p, s, _mm256_set1_ps(5.2239776e-3f));
    p = _mm256_fmadd_ps(p, s, _mm256_set1_ps(-2.6866170e-2f));
    p = _mm256_fmadd_ps(p, s, _mm256_set1_ps(1.1283792e-1f));
    p = _mm256_fmadd_ps(p, s, _mm256_set1_ps(-3.7612638e-1f));
    p = _mm256_fmadd_ps(p, s, _mm256_set1_ps(1.1283792f));
    const __m256 small = _mm256_mul_ps(p, x);
    // |x| >= 0.5: 1 - t exp(-x^2 + P(t)), with x's sign.
    const __m256 t = _mm256_div_ps(one, _mm256_fmadd_ps(half, ax, one));
    __m256 q = _mm256_set1_ps(0.17087277f);
    q = _mm256_fmadd_ps(q, t, _mm256_set1_ps(-0.82215223f));
    q = _mm256_fmadd_ps(q, t, _mm256_set1_ps(1.48851587f));
    q = _mm256_fmadd_ps(q, t, _mm256_set1_ps(-1.13520398f));
    q = _mm256_fmadd_ps(q, t, _mm256_set1_ps(0.27886807f));
    q = _mm256_fmadd_ps(q, t, _mm256_set1_ps(-0.18628806f));
    q = _mm256_fmadd_ps(q, t, _mm256_set1_ps(0.09678418f));
    q = _mm256_fmadd_ps(q, t, _mm256_set1_ps(0.37409196f));
    q = _mm256_fmadd_ps(q, t, _mm256_set1_ps(1.00002368f));
    q = _mm256_fmadd_ps(q, t, _mm256_set1_ps(-1.26551223f));
    const __m256 erfc = _mm256_mul_ps(t, Exp(_mm256_fnmadd_ps(ax, ax, q)));
    __m256 big = _mm256_sub_ps(one, erfc);
    big = _mm256_or_ps(big, _mm256_and_ps(sign_bit, x));
    const __m256 is_small = _mm256_cmp_ps(ax, half, _CMP_LT_OQ);  // false for NaN
    _mm256_storeu_ps(v + i, _mm256_blendv_ps(big, small, is_small));
  }
  return i;
}

VMATH_AVX2 int64_t SigmoidAvx2(float* v, int64_t n) {
  const __m256 one = _mm256_set1_ps(1.0f);
  int64_t i = 0;
  for (; i + 8 <= n; i += 8) {
    const __m256 x = _mm256_loadu_ps(v + i);
    const __m256 e = Exp(_mm256_sub_ps(_mm256_setzero_ps(), x));
    _mm256_storeu_ps(v + i, _mm256_div_ps(one, _mm256_add_ps(one, e)));
  }
  return i;
}

VMATH_AVX2 int64_t TanhAvx2(float* v, int64_t n) {
  const __m256 one = _mm256_set1_ps(1.0f), two = _mm256_set1_ps(2.0f);
  const __m256 sign_bit = _mm256_set1_ps(-0.0f);
  int64_t i = 0;
  for (; i + 8 <= n; i += 8) {
    const __m256 x = _mm256_loadu_ps(v + i);
    const __m256 ax = _mm256_andnot_ps(sign_bit, x);
    // |x| >= 0.625: 1 - 2 / (e^(2|x|) + 1), with x's sign.
    const __m256 e = Exp(_mm256_mul_ps(two, ax));
    __m256 big = _mm256_sub_ps(one, _mm256_div_ps(two, _mm256_add_ps(e, one)));
    big = _mm256_or_ps(big, _mm256_and_ps(sign_bit, x));
    // |x| < 0.625: Cephes' odd polynomial, x + x^3 P(x^2).
    const __m256 s = _mm256_mul_ps(x, x);
    __m256 p = _mm256_set1_ps(-5.70498872745e-3f);
    p = _mm256_fmadd_ps(p, s, _mm256_set1_ps(2.06390887954e-2f));
    p = _mm256_fmadd_ps(p, s, _mm256_set1_ps(-5.37397155531e-2f));
    p = _mm256_fmadd_ps(p, s, _mm256_set1_ps(1.33314422036e-1f));
    p = _mm256_fmadd_ps(p, s, _mm256_set1_ps(-3.33332819422e-1f));
    const __m256 small = _mm256_fmadd_ps(_mm256_mul_ps(p, s), x, x);
    const __m256 is_small = _mm256_cmp_ps(ax, _mm256_set1_ps(0.625f), _CMP_LT_OQ);  // false for NaN
    _mm256_storeu_ps(v + i, _mm256_blendv_ps(big, small, is_small));
  }
  return i;
}

// The scalar forms: the non-AVX2 path and the AVX2 loops' tails.
float ExpScalar(float x) { return x < -87.3f ? 0.0f : std::exp(x); }
float ErfScalar(float x) { return std::erf(x); }
float SigmoidScalar(float x) { return 1.0f / (1.0f + std::exp(-x)); }
float TanhScalar(float x) { return std::tanh(x); }

// v[i] = scalar(v[i]), the leading multiple of 8 through `vec` where the CPU has AVX2+FMA.
template <int64_t (*vec)(float*, int64_t), float (*scalar)(float)>
void Apply(float* v, int64_t n) {
  for (int64_t i = HasAvx2Fma() ? vec(v, n) : 0; i < n; ++i) v[i] = scalar(v[i]);
}

}  // namespace

void ExpInPlace(float* v, int64_t n) { Apply<ExpAvx2, ExpScalar>(v, n); }
void ErfInPlace(float* v, int64_t n) { Apply<ErfAvx2, ErfScalar>(v, n); }
void SigmoidInPlace(float* v, int64_t n) { Apply<SigmoidAvx2, SigmoidScalar>(v, n); }
void TanhInPlace(float* v, int64_t n) { Apply<TanhAvx2, TanhScalar>(v, n); }

}  // namespace edgerun
