#pragma once
// A small radix-2 FFT and the discrete Hilbert transform built on it, in double precision. Written
// here rather than taken from FFTW because the same code compiles with Emscripten for the browser.
#include <complex>
#include <cstddef>
#include <span>
#include <vector>

namespace seiswg::signal {

// The smallest power of two >= n (1 for n = 0).
std::size_t next_power_of_two(std::size_t n);

// In place: X[k] = sum_j x[j] exp(-2 pi i j k / N) (forward), or x[j] = 1/N sum_k X[k]
// exp(+2 pi i j k / N) (inverse, so that inverse(forward(x)) = x). N = x.size() must be a power of
// two (InputError otherwise).
void fft(std::vector<std::complex<double>>& x, bool inverse = false);

// The length of the periodic transform behind hilbert() for traces of n samples: the power of two
// >= 2 n. With that much zero padding every lag between two samples of the trace (|lag| < n) is a
// distinct lag of the circular kernel, so the transform is a Toeplitz operator on the trace: no
// sample sees the other end of the trace through the wrap-around.
std::size_t hilbert_length(std::size_t n);

// The discrete Hilbert transform of x: x zero-padded to N = hilbert_length(x.size()), multiplied in
// the frequency domain by -i sign(k) (0 at k = 0 and at the Nyquist bin N / 2), transformed back and
// cut to x.size() samples. That operator is P^T C P with P the zero padding and C a real circulant
// whose kernel is odd (c[-j] = -c[j]), so it is exactly antisymmetric: H^T = -H, and the adjoint
// of hilbert() is -hilbert().
std::vector<double> hilbert(std::span<const double> x);

}  // namespace seiswg::signal
