#include "signal/fft.hpp"

#include <cmath>
#include <numbers>
#include <string>
#include <utility>

#include "io/error.hpp"

namespace seiswg::signal {

std::size_t next_power_of_two(std::size_t n) {
  std::size_t p = 1;
  while (p < n) p <<= 1;
  return p;
}

void fft(std::vector<std::complex<double>>& x, bool inverse) {
  const std::size_t n = x.size();
  if (n == 0 || (n & (n - 1)) != 0)
    throw InputError("fft: length " + std::to_string(n) + " is not a power of two (radix-2 transform)");
  // Bit-reversal permutation, then iterative butterflies over spans of 2, 4, ..., n.
  for (std::size_t i = 1, j = 0; i < n; ++i) {
    std::size_t bit = n >> 1;
    for (; j & bit; bit >>= 1) j ^= bit;
    j ^= bit;
    if (i < j) std::swap(x[i], x[j]);
  }
  const double sign = inverse ? 1.0 : -1.0;
  for (std::size_t span = 2; span <= n; span <<= 1) {
    const std::size_t half = span / 2;
    // Twiddles from the angle directly (not by repeated multiplication) to keep round-off at the
    // level of one sin/cos per factor, whatever the length.
    for (std::size_t k = 0; k < half; ++k) {
      const double angle = sign * 2 * std::numbers::pi * double(k) / double(span);
      const std::complex<double> w(std::cos(angle), std::sin(angle));
      for (std::size_t start = 0; start < n; start += span) {
        const std::complex<double> a = x[start + k], b = w * x[start + k + half];
        x[start + k] = a + b;
        x[start + k + half] = a - b;
      }
    }
  }
  if (inverse)
    for (auto& v : x) v /= double(n);
}

std::size_t hilbert_length(std::size_t n) { return next_power_of_two(2 * n); }

std::vector<double> hilbert(std::span<const double> x) {
  const std::size_t n = x.size();
  if (n == 0) return {};
  const std::size_t padded = hilbert_length(n);
  std::vector<std::complex<double>> spectrum(padded);
  for (std::size_t t = 0; t < n; ++t) spectrum[t] = x[t];
  fft(spectrum);
  // -i sign(k): positive frequencies k in (0, N/2), negative ones in (N/2, N). DC and Nyquist get 0,
  // which keeps the multiplier odd (m[N - k] = -m[k]) and so the operator real and antisymmetric.
  const std::complex<double> minus_i(0, -1);
  spectrum[0] = 0;
  spectrum[padded / 2] = 0;
  for (std::size_t k = 1; k < padded / 2; ++k) spectrum[k] *= minus_i;
  for (std::size_t k = padded / 2 + 1; k < padded; ++k) spectrum[k] *= -minus_i;
  fft(spectrum, true);
  std::vector<double> out(n);
  for (std::size_t t = 0; t < n; ++t) out[t] = spectrum[t].real();
  return out;
}

}  // namespace seiswg::signal
