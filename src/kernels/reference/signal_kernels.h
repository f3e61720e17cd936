// Factories of the signal-family reference kernels (registered in register_signal.cc), and the
// direct DFT they share. Each factory validates the node's attributes and returns a kernel, or
// InvalidArgument naming the node.
// Thread-safety: the returned kernels are immutable; Run may be called concurrently.
#pragma once

#include <complex>
#include <memory>
#include <vector>

#include "kernels/kernel.h"

namespace edgerun {

// Twiddle factors exp(-+2*pi*i*t/n) for t in [0, n) (sign + when inverse).
std::vector<std::complex<double>> DftTwiddles(int64_t n, bool inverse);

// out[k] = sum_{j < min(in_len, n)} in[j] * tw[j*k mod n] for k in [0, out_len): a length-n DFT
// of `in` zero-padded or truncated to n. `tw` comes from DftTwiddles(n, ...).
void DirectDft(const std::complex<double>* in, int64_t in_len, int64_t n, const std::vector<std::complex<double>>& tw,
               int64_t out_len, std::complex<double>* out);

// signal_dft.cc
Result<std::unique_ptr<Kernel>> CreateDft(const KernelCreateContext& c);
Result<std::unique_ptr<Kernel>> CreateStft(const KernelCreateContext& c);

// signal_windows.cc
Result<std::unique_ptr<Kernel>> CreateHannWindow(const KernelCreateContext& c);
Result<std::unique_ptr<Kernel>> CreateHammingWindow(const KernelCreateContext& c);
Result<std::unique_ptr<Kernel>> CreateBlackmanWindow(const KernelCreateContext& c);
Result<std::unique_ptr<Kernel>> CreateMelWeightMatrix(const KernelCreateContext& c);

// signal_tfidf.cc
Result<std::unique_ptr<Kernel>> CreateTfIdfVectorizer(const KernelCreateContext& c);

}  // namespace edgerun
