// Vectorized float exp, erf, sigmoid and tanh over arrays, for the fast paths of the reference
// kernels (LSTM, Softmax, Erf).
//
// AVX2+FMA where the CPU has it (a degree-6 polynomial for exp on a range-reduced argument, as in
// Cephes' expf: within 2 ulp of std::exp over [-87, 88]); std::exp / std::tanh otherwise. Both
// keep NaN as NaN. tanh uses a rational approximation for |x| < 0.625, where 1 - 2/(e^2x + 1)
// would lose relative precision, and the exp form elsewhere.
// Thread-safety: pure functions.
#pragma once

#include <cstdint>

namespace edgerun {

// v[i] = exp(v[i]) for i < n; 0 below -87.3 (where exp leaves float's normal range), +inf above
// 88.7.
void ExpInPlace(float* v, int64_t n);

// v[i] = erf(v[i]) for i < n: an odd Taylor polynomial below |x| = 0.5, else 1 - erfc with
// erfc(|x|) = t exp(-x^2 + P(t)), t = 1 / (1 + |x| / 2) (Numerical Recipes' erfcc, fractional
// error under 1.2e-7); within 3e-7 of std::erf.
void ErfInPlace(float* v, int64_t n);

// v[i] = 1 / (1 + exp(-v[i])) for i < n.
void SigmoidInPlace(float* v, int64_t n);

// v[i] = tanh(v[i]) for i < n.
void TanhInPlace(float* v, int64_t n);

}  // namespace edgerun
