#include <gtest/gtest.h>

#include <cmath>
#include <numbers>
#include <random>
#include <string>
#include <vector>

#include "io/error.hpp"
#include "signal/filter.hpp"

namespace {

using seiswg::InputError;
using seiswg::signal::Band;
using seiswg::signal::ZeroPhaseFilter;

constexpr double dt = 0.002;  // Nyquist 250 Hz
constexpr double pi = std::numbers::pi;

// The amplitude of frequency f in the middle half of a filtered long sinusoid (least squares on
// sin and cos over whole periods), away from the edges' transients.
double filtered_amplitude(const ZeroPhaseFilter& filter, double f) {
  const std::size_t nt = 20000;
  std::vector<double> trace(nt);
  for (std::size_t it = 0; it < nt; ++it) trace[it] = std::sin(2 * pi * f * double(it) * dt);
  filter.apply(trace);
  double s = 0, c = 0, ss = 0, cc = 0;
  for (std::size_t it = nt / 4; it < 3 * nt / 4; ++it) {
    const double phase = 2 * pi * f * double(it) * dt;
    s += trace[it] * std::sin(phase), c += trace[it] * std::cos(phase);
    ss += std::sin(phase) * std::sin(phase), cc += std::cos(phase) * std::cos(phase);
  }
  const double in_phase = s / ss, quadrature = c / cc;
  EXPECT_LT(std::abs(quadrature), 1e-6 + 1e-4 * std::abs(in_phase)) << "a phase shift at " << f << " Hz";
  return std::hypot(in_phase, quadrature);
}

TEST(Filter, LowPassResponse) {
  const auto filter = ZeroPhaseFilter::low_pass(10, dt);
  EXPECT_NEAR(filter.gain(10), 0.5, 1e-12);
  EXPECT_NEAR(filtered_amplitude(filter, 10), 0.5, 1e-3);
  EXPECT_NEAR(filtered_amplitude(filter, 2), 1.0, 1e-3);
  // The analog Butterworth's zero-phase gain 1 / (1 + (f/fc)^2N) = 1.5e-4 at 3 fc; the bilinear
  // transform's frequency compression attenuates a little more.
  EXPECT_LT(filtered_amplitude(filter, 30), 1.53e-4);
  EXPECT_GT(filtered_amplitude(filter, 30), 1e-4);
  EXPECT_NEAR(filter.gain(0), 1.0, 1e-12);
  EXPECT_LT(filter.gain(100), 1e-7);
}

TEST(Filter, HighPassAndBandPassResponse) {
  const auto high = ZeroPhaseFilter::high_pass(5, dt);
  EXPECT_NEAR(high.gain(5), 0.5, 1e-12);
  EXPECT_NEAR(filtered_amplitude(high, 5), 0.5, 1e-3);
  EXPECT_NEAR(filtered_amplitude(high, 40), 1.0, 1e-3);
  EXPECT_NEAR(high.gain(1), 1 / (1 + std::pow(5.0, 8)), 1e-8);

  const auto band = ZeroPhaseFilter::band_pass({2, 40}, dt, 4);
  EXPECT_NEAR(band.gain(40), 0.5, 1e-4);  // the other corner's section is ~1 there
  EXPECT_NEAR(band.gain(2), 0.5, 1e-4);
  EXPECT_NEAR(filtered_amplitude(band, 9), 1.0, 1e-3);
  EXPECT_NEAR(filtered_amplitude(band, 40), 0.5, 1e-3);
  EXPECT_LT(filtered_amplitude(band, 0.4), 1e-3);
  EXPECT_LT(filtered_amplitude(band, 150), 1 / (1 + std::pow(150.0 / 40, 8)));
  // low_hz = 0: the band is a low-pass.
  const auto low = ZeroPhaseFilter::band_pass({0, 40}, dt);
  EXPECT_EQ(low.sections().size(), 2u);
  EXPECT_NEAR(low.gain(0), 1.0, 1e-12);
  // Odd orders have a first-order section.
  EXPECT_NEAR(ZeroPhaseFilter::low_pass(10, dt, 3).gain(10), 0.5, 1e-12);
  EXPECT_NEAR(ZeroPhaseFilter::high_pass(10, dt, 5).gain(10), 0.5, 1e-12);
}

TEST(Filter, ZeroPhaseKeepsSymmetricPulseCentred) {
  const std::size_t nt = 1001, centre = 500;
  std::vector<double> trace(nt);
  for (std::size_t it = 0; it < nt; ++it) {
    const double t = (double(it) - double(centre)) * dt;
    trace[it] = (1 - 2 * pi * pi * 20 * 20 * t * t) * std::exp(-pi * pi * 20 * 20 * t * t);  // Ricker
  }
  seiswg::signal::band_pass(trace, {5, 15}, dt);
  std::size_t peak = 0;
  for (std::size_t it = 0; it < nt; ++it)
    if (std::abs(trace[it]) > std::abs(trace[peak])) peak = it;
  EXPECT_EQ(peak, centre);
  for (std::size_t k = 1; k < 400; ++k)
    EXPECT_NEAR(trace[centre + k], trace[centre - k], 1e-9 * std::abs(trace[centre])) << k;
}

// <F a, b> = <a, F b>: a misfit of filtered traces has the filtered residual as its exact adjoint.
TEST(Filter, IsSelfAdjoint) {
  std::mt19937_64 random(7);
  std::normal_distribution<double> normal;
  const std::size_t nt = 1500;
  for (const auto& filter : {ZeroPhaseFilter::low_pass(20, dt), ZeroPhaseFilter::high_pass(3, dt, 3),
                             ZeroPhaseFilter::band_pass({1, 60}, dt, 6)}) {
    std::vector<double> a(3 * nt), b(3 * nt);
    for (double& v : a) v = normal(random);
    for (double& v : b) v = normal(random);
    std::vector<double> fa = a, fb = b;
    filter.apply_to_traces(fa, nt);
    filter.apply_to_traces(fb, nt);
    double fa_b = 0, a_fb = 0, scale = 0;
    for (std::size_t k = 0; k < a.size(); ++k) {
      fa_b += fa[k] * b[k], a_fb += a[k] * fb[k];
      scale += std::abs(fa[k] * b[k]);
    }
    EXPECT_NEAR(fa_b, a_fb, 1e-12 * scale);
  }
}

TEST(Filter, FloatTracesMatchDouble) {
  const std::size_t nt = 300;
  std::vector<float> single(2 * nt);
  std::vector<double> twice(2 * nt);
  for (std::size_t k = 0; k < single.size(); ++k) single[k] = float(std::sin(0.05 * double(k * k % 97)));
  for (std::size_t k = 0; k < single.size(); ++k) twice[k] = single[k];
  const auto filter = ZeroPhaseFilter::band_pass({4, 30}, dt);
  filter.apply_to_traces(std::span<float>(single), nt);
  filter.apply_to_traces(std::span<double>(twice), nt);
  for (std::size_t k = 0; k < single.size(); ++k) EXPECT_EQ(single[k], float(twice[k]));
}

std::string band_error(Band band, double sample_interval) {
  try {
    band.validate(sample_interval, "stage 2");
  } catch (const InputError& e) {
    return e.what();
  }
  return "no error";
}

TEST(Filter, BadBandsThrow) {
  EXPECT_EQ(band_error({2, 10}, dt), "no error");
  EXPECT_EQ(band_error({10, 5}, dt), "stage 2: the band [10, 5] Hz is empty: low_hz must be below high_hz");
  EXPECT_EQ(band_error({5, 5}, dt), "stage 2: the band [5, 5] Hz is empty: low_hz must be below high_hz");
  EXPECT_EQ(band_error({-1, 5}, dt),
            "stage 2: the band's low corner low_hz = -1 Hz must be a finite frequency >= 0");
  EXPECT_EQ(
      band_error({1, 250}, dt),
      "stage 2: the band's high corner high_hz = 250 Hz must be below the Nyquist frequency 250 Hz (1 / "
      "(2 dt), dt = 0.002 s)");
  EXPECT_EQ(band_error({1, 5}, 0), "stage 2: the sample interval dt = 0 s must be positive and finite");
  EXPECT_THROW(ZeroPhaseFilter::low_pass(10, dt, 0), InputError);
  EXPECT_THROW(ZeroPhaseFilter::high_pass(0, dt), InputError);
  EXPECT_THROW(ZeroPhaseFilter::high_pass(300, dt), InputError);
}

}  // namespace
