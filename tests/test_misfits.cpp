// Misfit functionals: each gradient is the exact derivative of its discrete J (finite differences on
// the host, Taylor tests through the solver), the FFT against a direct DFT, the Hilbert transform's
// antisymmetry (the adjoint the envelope misfit relies on), and what each misfit measures.
#include <gtest/gtest.h>

#include <cmath>
#include <complex>
#include <functional>
#include <numbers>
#include <random>

#include "io/error.hpp"
#include "problem/misfit.hpp"
#include "signal/fft.hpp"

namespace seiswg {
namespace {

constexpr double kDt = 0.004;

double ricker_at(double t, double f0) {
  const double a = std::numbers::pi * f0 * t;
  return (1 - 2 * a * a) * std::exp(-a * a);
}

// Trace values on a grid of 2^-20 (|value| < 4): adding or removing kStep = 2^-16 is then exact in
// float, so a central difference sees exactly the step it divides by; the step is small enough for
// the envelope's curvature where it nearly vanishes (the error falls as its square).
float on_grid(double v) { return float(std::round(v * 1048576.0) / 1048576.0); }
constexpr double kStep = 1.0 / 65536;

// `receivers` traces of nt samples: a Ricker of frequency f0 at time t0 (shifted a little per
// receiver), times `amplitude`, plus noise.
std::vector<float> traces(std::size_t receivers, std::size_t nt, double t0, double f0, double amplitude,
                          double noise, unsigned seed) {
  std::mt19937 rng(seed);
  std::normal_distribution<double> normal;
  std::vector<float> out;
  for (std::size_t r = 0; r < receivers; ++r)
    for (std::size_t it = 0; it < nt; ++it)
      out.push_back(
          on_grid(amplitude * ricker_at(double(it) * kDt - t0 - 0.01 * double(r), f0) + noise * normal(rng)));
  return out;
}

// Central differences of J in every synthetic sample against dj_dd: relative L2 error.
double gradient_error(const problem::Misfit& misfit, std::vector<float> synthetic,
                      const std::vector<float>& observed, std::size_t nt) {
  std::vector<double> g, unused;
  misfit.evaluate(synthetic, observed, nt, kDt, g);
  double num = 0, den = 0;
  for (std::size_t k = 0; k < synthetic.size(); ++k) {
    const float d = synthetic[k];
    synthetic[k] = float(d + kStep);
    const double plus = misfit.evaluate(synthetic, observed, nt, kDt, unused);
    synthetic[k] = float(d - kStep);
    const double minus = misfit.evaluate(synthetic, observed, nt, kDt, unused);
    synthetic[k] = d;
    const double fd = (plus - minus) / (2 * kStep);
    num += (fd - g[k]) * (fd - g[k]), den += g[k] * g[k];
  }
  EXPECT_GT(den, 0) << "a zero gradient proves nothing";
  return std::sqrt(num / den);
}

void expect_exact_gradient(const problem::Misfit& misfit, const char* name) {
  const std::size_t nt = 96;
  const auto synthetic = traces(3, nt, 0.17, 12, 1.3, 0.05, 1);
  const auto observed = traces(3, nt, 0.19, 10, 0.9, 0.05, 2);
  const double e = gradient_error(misfit, synthetic, observed, nt);
  std::printf("%s: dj_dd against central differences: relative error %.2e\n", name, e);
  EXPECT_LE(e, 1e-6) << name;
}

TEST(Misfits, WaveformGradientIsExact) {
  expect_exact_gradient(problem::WaveformMisfit(), "waveform");
  expect_exact_gradient(problem::WaveformMisfit(0.1), "waveform, taper 0.1");
}
TEST(Misfits, TraveltimeGradientIsExact) {
  expect_exact_gradient(problem::TraveltimeMisfit(), "traveltime");
  expect_exact_gradient(problem::TraveltimeMisfit(0.1), "traveltime, maximum lag 0.1 s");
}
TEST(Misfits, CorrelationGradientIsExact) {
  expect_exact_gradient(problem::CorrelationMisfit(), "correlation");
}
TEST(Misfits, EnvelopeGradientIsExact) {
  expect_exact_gradient(problem::EnvelopeMisfit(), "envelope");
  expect_exact_gradient(problem::EnvelopeMisfit(0), "envelope, eps = 0");
}

// A synthetic that is the observed trace delayed by s gives dT = s, also for s between samples and
// negative s, whether the lag scan is direct (short range) or by FFT (whole trace).
TEST(Misfits, TraveltimeFindsAKnownShift) {
  const std::size_t nt = 400;
  const problem::TraveltimeMisfit whole, short_range(0.05);
  for (double shift_steps : {0.0, 2.37, -5.5, 9.81}) {
    std::vector<float> observed(nt), synthetic(nt);
    const double shift = shift_steps * kDt;
    for (std::size_t it = 0; it < nt; ++it) {
      observed[it] = float(ricker_at(double(it) * kDt - 0.6, 15));
      synthetic[it] = float(ricker_at(double(it) * kDt - 0.6 - shift, 15));
    }
    for (const auto* misfit : {&whole, &short_range}) {
      const double found = misfit->traveltime_shift(synthetic, observed, kDt);
      std::printf("shift %.2f dt found as %.4f dt\n", shift_steps, found / kDt);
      // The parabola through three samples of a correlation peak ~8 samples wide is biased by a few
      // hundredths of a step at most.
      EXPECT_NEAR(found, shift, 0.03 * kDt) << "shift " << shift_steps << " steps";
      std::vector<double> g;
      EXPECT_NEAR(misfit->evaluate(synthetic, observed, nt, kDt, g), 0.5 * found * found, 1e-15);
    }
  }
  // A shift past the maximum lag stops at the end of the range (12 steps for 0.05 s).
  std::vector<float> observed(nt), synthetic(nt);
  for (std::size_t it = 0; it < nt; ++it) {
    observed[it] = float(ricker_at(double(it) * kDt - 0.6, 15));
    synthetic[it] = float(ricker_at(double(it) * kDt - 0.6 - 30 * kDt, 15));
  }
  EXPECT_NEAR(short_range.traveltime_shift(synthetic, observed, kDt), 12 * kDt, 1e-12);
  EXPECT_THROW(problem::TraveltimeMisfit(0), InputError);
  EXPECT_THROW(problem::TraveltimeMisfit(-1), InputError);
}

TEST(Misfits, CorrelationIsBlindToAmplitude) {
  const std::size_t nt = 120;
  const auto observed = traces(2, nt, 0.2, 10, 1.0, 0.1, 3);
  std::vector<float> scaled;
  for (float v : observed) scaled.push_back(3.5f * v);
  std::vector<double> g;
  EXPECT_NEAR(problem::CorrelationMisfit().evaluate(scaled, observed, nt, kDt, g), 0, 1e-12);
  for (double v : g) EXPECT_NEAR(v, 0, 1e-12);
  // Opposite sign: the largest misfit, 2 per receiver.
  for (auto& v : scaled) v = -v;
  EXPECT_NEAR(problem::CorrelationMisfit().evaluate(scaled, observed, nt, kDt, g), 4, 1e-12);
}

// All-zero traces: no traveltime and no correlation (0, no gradient); the envelope misfit still
// measures a synthetic against a zero observed trace.
TEST(Misfits, ZeroTraces) {
  const std::size_t nt = 64;
  const auto signal = traces(2, nt, 0.1, 12, 1.0, 0.0, 4);
  const std::vector<float> zero(signal.size(), 0.0f);
  std::vector<double> g;
  const problem::TraveltimeMisfit traveltime;
  const problem::CorrelationMisfit correlation;
  for (const problem::Misfit* m : {static_cast<const problem::Misfit*>(&traveltime),
                                   static_cast<const problem::Misfit*>(&correlation)}) {
    for (const auto& [d, o] :
         {std::pair{&signal, &zero}, std::pair{&zero, &signal}, std::pair{&zero, &zero}}) {
      EXPECT_EQ(m->evaluate(*d, *o, nt, kDt, g), 0.0);
      ASSERT_EQ(g.size(), signal.size());
      for (double v : g) EXPECT_EQ(v, 0.0);
    }
  }
  const problem::EnvelopeMisfit envelope;
  EXPECT_EQ(envelope.evaluate(zero, zero, nt, kDt, g), 0.0);
  for (double v : g) EXPECT_EQ(v, 0.0);
  EXPECT_GT(envelope.evaluate(signal, zero, nt, kDt, g), 0.0);
  EXPECT_LE(gradient_error(envelope, signal, zero, nt), 1e-6);
  EXPECT_EQ(envelope.evaluate(signal, signal, nt, kDt, g), 0.0);
  EXPECT_THROW(problem::EnvelopeMisfit(-1e-3), InputError);
}

std::vector<std::complex<double>> direct_dft(const std::vector<std::complex<double>>& x) {
  const std::size_t n = x.size();
  std::vector<std::complex<double>> out(n);
  for (std::size_t k = 0; k < n; ++k)
    for (std::size_t j = 0; j < n; ++j)
      out[k] += x[j] * std::polar(1.0, -2 * std::numbers::pi * double((j * k) % n) / double(n));
  return out;
}

TEST(Misfits, FftMatchesDirectDft) {
  std::mt19937 rng(7);
  std::normal_distribution<double> normal;
  for (std::size_t n : {1u, 2u, 4u, 8u, 64u, 512u}) {
    std::vector<std::complex<double>> x(n);
    for (auto& v : x) v = {normal(rng), normal(rng)};
    auto fx = x;
    signal::fft(fx);
    const auto reference = direct_dft(x);
    double err = 0, scale = 0;
    for (std::size_t k = 0; k < n; ++k) err = std::max(err, std::abs(fx[k] - reference[k]));
    for (const auto& v : reference) scale = std::max(scale, std::abs(v));
    EXPECT_LE(err, 1e-12 * scale) << "n = " << n;
    signal::fft(fx, true);
    for (std::size_t k = 0; k < n; ++k) EXPECT_NEAR(std::abs(fx[k] - x[k]), 0, 1e-12) << "n = " << n;
  }
  std::vector<std::complex<double>> odd(12);
  EXPECT_THROW(signal::fft(odd), InputError);
  EXPECT_EQ(signal::next_power_of_two(0), 1u);
  EXPECT_EQ(signal::next_power_of_two(513), 1024u);
  EXPECT_EQ(signal::hilbert_length(300), 1024u);
}

// <H x, y> = -<x, H y> at lengths that are and are not powers of two: the adjoint of the Hilbert
// transform is exactly minus itself. And it is a Hilbert transform: H cos = sin away from the ends.
TEST(Misfits, HilbertIsAntisymmetric) {
  std::mt19937 rng(9);
  std::normal_distribution<double> normal;
  for (std::size_t n : {1u, 2u, 7u, 100u, 128u, 301u}) {
    std::vector<double> x(n), y(n);
    for (auto& v : x) v = normal(rng);
    for (auto& v : y) v = normal(rng);
    const auto hx = signal::hilbert(x), hy = signal::hilbert(y);
    double hx_y = 0, x_hy = 0, scale = 0;
    for (std::size_t t = 0; t < n; ++t)
      hx_y += hx[t] * y[t], x_hy += x[t] * hy[t], scale += std::abs(hx[t] * y[t]);
    EXPECT_LE(std::abs(hx_y + x_hy), 1e-13 * std::max(scale, 1.0)) << "n = " << n;
    std::printf("n = %zu: <Hx, y> = %.15e, -<x, Hy> = %.15e\n", n, hx_y, -x_hy);
  }
  const std::size_t n = 400;
  std::vector<double> c(n);
  for (std::size_t t = 0; t < n; ++t) c[t] = std::cos(2 * std::numbers::pi * 0.05 * double(t));
  const auto hc = signal::hilbert(c);
  for (std::size_t t = 100; t < 300; ++t)
    EXPECT_NEAR(hc[t], std::sin(2 * std::numbers::pi * 0.05 * double(t)), 0.05) << "t = " << t;
}

TEST(Misfits, FactoryKnowsEveryName) {
  const auto names = problem::misfit_names();
  EXPECT_EQ(names.size(), 6u);
  for (const auto& name : names) EXPECT_NE(problem::make_misfit(name, 0), nullptr) << name;
  EXPECT_NE(dynamic_cast<problem::WaveformMisfit*>(problem::make_misfit("waveform", 0.1).get()), nullptr);
  EXPECT_NE(dynamic_cast<problem::TraveltimeMisfit*>(problem::make_misfit("cc_traveltime", 0).get()),
            nullptr);
  EXPECT_NE(dynamic_cast<problem::CorrelationMisfit*>(problem::make_misfit("zero_lag_correlation", 0).get()),
            nullptr);
  EXPECT_NE(dynamic_cast<problem::EnvelopeMisfit*>(problem::make_misfit("envelope", 0).get()), nullptr);
  try {
    problem::make_misfit("l1", 0);
    ADD_FAILURE() << "an unknown misfit was accepted";
  } catch (const InputError& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("'l1'"), std::string::npos) << what;
    for (const auto& name : names) EXPECT_NE(what.find(name), std::string::npos) << what;
  }
  EXPECT_THROW(problem::make_misfit("waveform", 0.5), InputError);
  EXPECT_THROW(problem::make_misfit("waveform", -0.1), InputError);
  EXPECT_THROW(problem::make_misfit("envelope", 0.1), InputError);
}

}  // namespace
}  // namespace seiswg
