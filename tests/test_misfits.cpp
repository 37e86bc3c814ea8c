// Misfit functionals: each gradient is the exact derivative of its discrete J (finite differences on
// the host, Taylor tests through the solver), the FFT against a direct DFT, the Hilbert transform's
// antisymmetry (the adjoint the envelope misfit relies on), and what each misfit measures.
#include <gtest/gtest.h>

#include <cmath>
#include <complex>
#include <numbers>
#include <random>

#include "io/error.hpp"
#include "problem/misfit.hpp"
#include "problem/problem.hpp"
#include "signal/fft.hpp"
#include "solver/wavelet.hpp"
#include "support/media.hpp"
#include "support/simulation.hpp"

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
  EXPECT_THROW(short_range.traveltime_shift(synthetic, std::span(observed).first(nt - 1), kDt), InputError);
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
  // Traces that are not whole traces of nt samples, or not as many as observed.
  std::vector<float> five(5), six(6);
  std::vector<double> g;
  for (const char* name : {"traveltime", "correlation", "envelope"}) {
    const auto m = problem::make_misfit(name, 0);
    EXPECT_THROW(m->evaluate(five, five, 2, kDt, g), InputError) << name;
    EXPECT_THROW(m->evaluate(six, five, 3, kDt, g), InputError) << name;
    EXPECT_THROW(m->evaluate(six, six, 0, kDt, g), InputError) << name;
  }
}

// Taylor tests through the whole solver: J(m + h dm) - J(m) - h <g, dm> falls as h^2, with g from
// Problem::misfit_and_gradient (the misfit's dj_dd sent back through the adjoint) and observed data
// computed by Problem::forward in a different true model.

constexpr int kGrid = 60;

// Multiplies field `name` by 1 + amplitude x a Gaussian centred at node (ci, cj), of radius `radius`
// nodes.
void add_bump(io::Model& model, const std::string& name, double amplitude, double ci, double cj,
              double radius) {
  auto& values = model.fields.at(name);
  const int nz = model.grid.nz;
  for (int i = 0; i < model.grid.nx; ++i)
    for (int j = 0; j < nz; ++j) {
      const double x = (i - ci) / radius, z = (j - cj) / radius;
      auto& v = values[std::size_t(i) * std::size_t(nz) + std::size_t(j)];
      v = float(double(v) * (1 + amplitude * std::exp(-x * x - z * z)));
    }
}

// Two shots near the top, receivers along a line below them and along one side.
problem::Setup taylor_setup(const physics::WaveEquation& eq, const test::Medium& medium, int nt) {
  problem::Setup s;
  s.physics = &eq;
  s.nt = nt;
  s.dt = medium.dt;
  s.taper = {true, true, true, true, 10, 0.03};
  s.adjoint = true;
  s.storage.mode = "gpu";
  const std::pair<int, int> places[] = {{18, 14}, {42, 12}};
  for (int shot = 0; shot < 2; ++shot) {
    problem::Shot sh;
    const double f0 = 10;
    const auto stf = solver::ricker(nt, medium.dt, f0, 0.12, 1e9 * f0);
    for (const auto& f : eq.forcing(30.0 + 60.0 * shot)) {
      sh.forces.push_back({f.velocity_plane, f.buoyancy_plane, places[shot].first, places[shot].second, {}});
      for (double v : stf) sh.forces.back().values.push_back(float(f.weight * v));
    }
    for (const auto& c : eq.components()) {
      for (int r = 0; r < 6; ++r) sh.receivers.push_back({c.velocity_plane, 14 + 6 * r, 46});
      sh.receivers.push_back({c.velocity_plane, 46, 30});
    }
    s.shots.push_back(std::move(sh));
  }
  return s;
}

// The remainder at h = 1/4, 1/8, 1/16, 1/32 of a direction of a few percent in vs (rho, and vp in
// P-SV, held fixed). Over that range the second-order term stays far above float32 round-off in J
// (which shows below h = 1/64 on this grid), and at the smallest h the first-order term is 4 to 20
// times the remainder, so a gradient wrong by a few percent would move the last ratio out of range.
void solver_taylor_test(const test::Medium& medium, const std::string& misfit_name, int nt) {
  const auto eq = medium.make();
  const auto misfit = problem::make_misfit(misfit_name, 0);
  const auto start = test::uniform_model(kGrid, kGrid, medium.h, medium.h, medium.base);
  auto truth = start;
  add_bump(truth, "vs", 0.06, 30, 32, 8);
  if (truth.fields.count("vp")) add_bump(truth, "vp", -0.04, 26, 30, 9);
  problem::Problem p(test::test_device(), taylor_setup(*eq, medium, nt), start);
  const auto observed = p.forward(truth);
  const auto e = p.misfit_and_gradient(start, observed, *misfit);
  const auto& g = e.gradient.at("vs");
  std::vector<double> dm(start.grid.npt());
  {
    auto bumps = test::uniform_model(kGrid, kGrid, medium.h, medium.h, {{"vs", 1.0}});
    add_bump(bumps, "vs", 0.03, 24, 36, 6);
    add_bump(bumps, "vs", -0.02, 38, 28, 7);
    for (std::size_t k = 0; k < dm.size(); ++k)
      dm[k] = (double(bumps.fields.at("vs")[k]) - 1.0) * medium.base.at("vs");
  }
  const std::vector<double> hs = {0.25, 0.125, 0.0625, 0.03125};
  std::vector<double> remainders, first_order;
  for (double h : hs) {
    auto model = start;
    // The step float32 vs takes (not h dm exactly) is the one whose first-order change to expect.
    double step = 0;
    for (std::size_t k = 0; k < dm.size(); ++k) {
      auto& v = model.fields.at("vs")[k];
      v = float(double(v) + h * dm[k]);
      step += g[k] * (double(v) - double(start.fields.at("vs")[k]));
    }
    const double j = p.misfit_and_gradient(model, observed, *misfit).misfit;
    remainders.push_back(std::abs(j - e.misfit - step));
    first_order.push_back(std::abs(step));
  }
  std::printf("%s Taylor test, %s misfit: J = %.9e\n  h, |h <g, dm>|, remainder:", medium.name,
              misfit_name.c_str(), e.misfit);
  for (std::size_t i = 0; i < hs.size(); ++i)
    std::printf(" (%g, %.3e, %.3e)", hs[i], first_order[i], remainders[i]);
  std::printf("\n  ratios of successive remainders:");
  for (std::size_t i = 0; i + 1 < hs.size(); ++i) std::printf(" %.3f", remainders[i] / remainders[i + 1]);
  std::printf("\n");
  EXPECT_GT(e.misfit, 0);
  EXPECT_LT(remainders.back(), 0.5 * first_order.back()) << "the test would not see a wrong gradient";
  for (std::size_t i = 0; i + 1 < hs.size(); ++i) {
    const double ratio = remainders[i] / remainders[i + 1];
    EXPECT_GT(ratio, 3.5) << "h = " << hs[i + 1];
    EXPECT_LT(ratio, 4.5) << "h = " << hs[i + 1];
  }
}

TEST(Misfits, SolverTaylorShWaveform) { solver_taylor_test(test::kSh, "waveform", 300); }
TEST(Misfits, SolverTaylorShTraveltime) { solver_taylor_test(test::kSh, "traveltime", 300); }
TEST(Misfits, SolverTaylorShCorrelation) { solver_taylor_test(test::kSh, "correlation", 300); }
TEST(Misfits, SolverTaylorShEnvelope) { solver_taylor_test(test::kSh, "envelope", 300); }
TEST(Misfits, SolverTaylorPsvWaveform) { solver_taylor_test(test::kPsv, "waveform", 400); }
TEST(Misfits, SolverTaylorPsvTraveltime) { solver_taylor_test(test::kPsv, "traveltime", 400); }
TEST(Misfits, SolverTaylorPsvEnvelope) { solver_taylor_test(test::kPsv, "envelope", 400); }

}  // namespace
}  // namespace seiswg
