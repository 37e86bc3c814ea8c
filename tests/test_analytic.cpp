// Self-tests of the analytic reference solutions in tests/support/analytic.hpp.
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <limits>
#include <numbers>
#include <stdexcept>
#include <vector>

#include "support/analytic.hpp"

namespace seiswg::test {
namespace {

constexpr double kPi = std::numbers::pi;

struct Medium {
  double vp, vs, rho;
  double mu() const { return rho * vs * vs; }
  double lambda() const { return rho * vp * vp - 2.0 * mu(); }
};
constexpr std::array<Medium, 2> kMedia = {{{1732.0, 1000.0, 2000.0}, {3000.0, 1700.0, 2000.0}}};

struct Offset {
  double ox, oz;
  double r() const { return std::hypot(ox, oz); }
};
// Along both axes and diagonals, both signs, 100–300 m.
constexpr std::array<Offset, 8> kOffsets = {{{150.0, 0.0},
                                             {-200.0, 0.0},
                                             {0.0, 120.0},
                                             {0.0, -250.0},
                                             {120.0, -160.0},
                                             {-212.0, 212.0},
                                             {100.0, 100.0},
                                             {-90.0, -240.0}}};

constexpr double kDt = 5e-4;
// A force per unit volume on a 4 m × 4 m grid: F = f · dx · dz.
constexpr double kScale = 16.0;

// Samples 0, dt, ... covering the P and S arrivals of a receiver at distance r.
std::size_t window_samples(double r, double vs, const Ricker& w) {
  return static_cast<std::size_t>(std::ceil((r / vs + w.t0 + 0.3) / kDt));
}

double max_abs(const std::vector<double>& v) {
  double m = 0.0;
  for (double x : v) m = std::max(m, std::abs(x));
  return m;
}

// Kelvin's plane-strain static solution u_i = [−(λ+3μ) δ_ij ln r + (λ+μ) γ_i γ_j] / (4πμ(λ+2μ)) + const δ_ij.
double kelvin_gamma_coefficient(const Medium& m) {
  return (m.lambda() + m.mu()) / (4.0 * kPi * m.mu() * (m.lambda() + 2.0 * m.mu()));
}
double kelvin_log_coefficient(const Medium& m) {
  return (m.lambda() + 3.0 * m.mu()) / (4.0 * kPi * m.mu() * (m.lambda() + 2.0 * m.mu()));
}

// ---------------------------------------------------------------------------------------------------------
TEST(AnalyticRicker, MatchesSeispieFormula) {
  const Ricker w{10.0, 0.15, 2.5};
  EXPECT_DOUBLE_EQ(w(0.15), -2.5);
  const double a = (kPi * 10.0) * (kPi * 10.0);
  EXPECT_NEAR(w(0.15 + 1.0 / std::sqrt(2.0 * a)), 0.0, 1e-15);  // zero crossing of 1 − 2a(t−t0)²
  const double s = 0.03;
  EXPECT_NEAR(w(0.15 - s), -2.5 * (1.0 - 2.0 * a * s * s) * std::exp(-a * s * s), 1e-15);
  EXPECT_LT(std::abs(w(w.t0 + w.support_half_width())), 1e-16 * 2.5);
}

TEST(AnalyticRicker, SpectrumIsTheFourierTransform) {
  const Ricker w{10.0, 0.15, 1.0};
  // F̂(ω) = ∫ F(t) e^{iωt} dt by the trapezoidal rule (spectrally accurate for this rapidly decaying F).
  const double h = 1e-4;
  double worst = 0.0;
  for (double omega : {5.0, 30.0, 62.8, 150.0, 300.0}) {
    std::complex<double> sum = 0.0;
    for (int k = -6000; k <= 6000; ++k) {
      const double t = w.t0 + h * k;
      sum += w(t) * std::polar(1.0, omega * t);
    }
    sum *= h;
    worst = std::max(worst, std::abs(sum - w.spectrum(omega)));
  }
  const double peak = std::abs(w.spectrum(2.0 * kPi * 10.0));
  EXPECT_LT(worst / peak, 1e-12);
  std::printf("[ analytic ] Ricker spectrum vs numerical transform: %.2e of peak\n", worst / peak);
}

// ---------------------------------------------------------------------------------------------------------
// Time domain (causal Cagniard integrals) vs frequency domain (Kausel's Green's functions, numerical inverse
// transform). With t0 = 0.2 s the Ricker is < 1e-15 for t ≤ 0, so the two forms must agree to rounding; with
// Seispie's usual t0 = 0.15 s, F(0) ≈ 1e-8 and the time domain (source switched on at t = 0, as in the
// solver) differs from the untruncated frequency-domain signal by ~2e-9.
struct TimeFrequencyCase {
  double t0;
  double tolerance;
};
constexpr std::array<TimeFrequencyCase, 2> kTimeFrequencyCases = {{{0.2, 1e-11}, {0.15, 1e-8}}};

TEST(AnalyticTimeVsFrequency, SH) {
  for (const TimeFrequencyCase& c : kTimeFrequencyCases) {
    double worst = 0.0;
    for (const Medium& m : kMedia) {
      for (double r : {100.0, 173.0, 250.0, 300.0}) {
        const Ricker w{10.0, c.t0, 1.0};
        const std::size_t n = window_samples(r, m.vs, w);
        const auto td = sh_ricker_time_domain(r, w, kScale, m.mu(), m.rho, 0.0, kDt, n);
        const auto fd = sh_ricker_frequency_domain(r, w, kScale, m.mu(), m.rho, 0.0, kDt, n);
        const double misfit = relative_l2(td, fd);
        EXPECT_LT(misfit, c.tolerance) << "r = " << r << ", vs = " << m.vs << ", t0 = " << c.t0;
        worst = std::max(worst, misfit);
      }
    }
    std::printf("[ analytic ] SH time vs frequency domain, t0 = %.2f: worst relative L2 %.2e\n", c.t0, worst);
  }
}

TEST(AnalyticTimeVsFrequency, PSV) {
  for (const TimeFrequencyCase& c : kTimeFrequencyCases) {
    std::array<double, 4> worst{};
    for (const Medium& m : kMedia) {
      for (const Offset& o : kOffsets) {
        const Ricker w{10.0, c.t0, 1.0};
        const std::size_t n = window_samples(o.r(), m.vs, w);
        for (int i = 0; i < 2; ++i) {
          for (int j = 0; j < 2; ++j) {
            SCOPED_TRACE(testing::Message() << "i = " << i << ", j = " << j << ", offset (" << o.ox << ", "
                                            << o.oz << "), vp = " << m.vp << ", t0 = " << c.t0);
            const auto td =
                psv_ricker_time_domain(i, j, o.ox, o.oz, w, kScale, m.vp, m.vs, m.rho, 0.0, kDt, n);
            const auto fd =
                psv_ricker_frequency_domain(i, j, o.ox, o.oz, w, kScale, m.vp, m.vs, m.rho, 0.0, kDt, n);
            if (i != j && (o.ox == 0.0 || o.oz == 0.0)) {
              // γ_x γ_z = 0 on the axes: no coupling at all, in both forms.
              EXPECT_EQ(max_abs(td), 0.0);
              EXPECT_EQ(max_abs(fd), 0.0);
              continue;
            }
            ASSERT_GT(max_abs(fd), 0.0);
            const double misfit = relative_l2(td, fd);
            EXPECT_LT(misfit, c.tolerance);
            worst[2 * i + j] = std::max(worst[2 * i + j], misfit);
          }
        }
      }
    }
    std::printf(
        "[ analytic ] P-SV time vs frequency domain, t0 = %.2f: worst relative L2 xx %.2e xz %.2e zx %.2e zz "
        "%.2e\n",
        c.t0, worst[0], worst[1], worst[2], worst[3]);
  }
}

// The generic TimeFunction path (adaptive Gauss–Kronrod in θ) and the Ricker path (fixed Gauss–Legendre in
// s = √(τ − r/c), support-restricted) are independent quadratures of the same integrals.
TEST(AnalyticTimeDomain, GenericPathMatchesRickerPath) {
  const Medium& m = kMedia[0];
  const Ricker w{10.0, 0.15, 1.0};
  const TimeFunction F = [&w](double t) { return w(t); };
  double worst = 0.0;
  for (const Offset& o : kOffsets) {
    const std::size_t n = window_samples(o.r(), m.vs, w);
    std::vector<double> fast(n), generic(n), fast_sh(n), generic_sh(n);
    for (int i = 0; i < 2; ++i) {
      for (int j = 0; j < 2; ++j) {
        for (std::size_t k = 0; k < n; ++k) {
          const double t = kDt * static_cast<double>(k);
          fast[k] = psv_line_force(i, j, o.ox, o.oz, t, m.vp, m.vs, m.rho, w);
          generic[k] = psv_line_force(i, j, o.ox, o.oz, t, m.vp, m.vs, m.rho, F);
        }
        if (max_abs(fast) == 0.0) {
          EXPECT_EQ(max_abs(generic), 0.0);
          continue;
        }
        const double misfit = relative_l2(generic, fast);
        EXPECT_LT(misfit, 1e-12) << "i = " << i << ", j = " << j << ", offset (" << o.ox << ", " << o.oz
                                 << ")";
        worst = std::max(worst, misfit);
      }
    }
    for (std::size_t k = 0; k < n; ++k) {
      const double t = kDt * static_cast<double>(k);
      fast_sh[k] = sh_line_force(o.r(), t, m.mu(), m.rho, w);
      generic_sh[k] = sh_line_force(o.r(), t, m.mu(), m.rho, F);
    }
    const double misfit = relative_l2(generic_sh, fast_sh);
    EXPECT_LT(misfit, 1e-12);
    worst = std::max(worst, misfit);
  }
  std::printf("[ analytic ] generic (adaptive) vs Ricker (fixed panel) time-domain paths: worst %.2e\n",
              worst);
}

// ---------------------------------------------------------------------------------------------------------
// Closed forms for a Heaviside force (F = 1 for t ≥ 0).

TEST(AnalyticTimeDomain, SHHeavisideClosedForm) {
  // F is never evaluated at a negative argument: make that loud.
  const TimeFunction heaviside = [](double t) {
    return t >= 0.0 ? 1.0 : std::numeric_limits<double>::quiet_NaN();
  };
  const Medium& m = kMedia[1];
  double worst = 0.0;
  for (double r : {50.0, 200.0}) {
    EXPECT_EQ(sh_line_force(r, r / m.vs, m.mu(), m.rho, heaviside), 0.0);
    EXPECT_EQ(sh_line_force(r, 0.999 * r / m.vs, m.mu(), m.rho, heaviside), 0.0);
    for (double x : {1.0001, 1.01, 1.5, 3.0, 20.0, 500.0}) {  // x = βt/r
      const double exact = std::acosh(x) / (2.0 * kPi * m.mu());
      const double u = sh_line_force(r, x * r / m.vs, m.mu(), m.rho, heaviside);
      worst = std::max(worst, std::abs(u / exact - 1.0));
    }
  }
  EXPECT_LT(worst, 1e-12);
  std::printf("[ analytic ] SH Heaviside vs arccosh(beta t/r)/(2 pi mu): worst relative error %.2e\n", worst);
}

TEST(AnalyticTimeDomain, PSVHeavisideClosedForm) {
  // ∫_0^Θ dθ = Θ and ∫_0^Θ sinh²θ dθ = (sinhΘ coshΘ − Θ)/2, coshΘ = c t / r; the bracket coefficients
  // are γγ cosh2θ − δ sinh²θ = γγ + (2γγ − δ) sinh²θ and δ cosh²θ − γγ cosh2θ = (δ − γγ) + (δ − 2γγ) sinh²θ.
  const TimeFunction heaviside = [](double t) {
    return t >= 0.0 ? 1.0 : std::numeric_limits<double>::quiet_NaN();
  };
  const auto wave = [](double c, double r, double t, double A, double B) {
    if (c * t <= r) return 0.0;
    const double ch = c * t / r;
    const double theta = std::acosh(ch);
    // sinhΘ coshΘ − Θ = (sinh 2Θ − 2Θ)/2, by its series while 2Θ < 1 (the direct form cancels).
    double excess = std::sinh(2.0 * theta) - 2.0 * theta;
    if (2.0 * theta < 1.0) {
      excess = 0.0;
      double term = 2.0 * theta;
      for (int k = 1; k < 12; ++k) {
        term *= (2.0 * theta) * (2.0 * theta) / ((2.0 * k) * (2.0 * k + 1.0));
        excess += term;
      }
    }
    return A * theta + B * 0.25 * excess;
  };
  const Medium& m = kMedia[0];
  double worst = 0.0;
  for (const Offset& o : kOffsets) {
    const double r = o.r();
    const double g[2] = {o.ox / r, o.oz / r};
    for (int i = 0; i < 2; ++i) {
      for (int j = 0; j < 2; ++j) {
        const double gg = g[i] * g[j];
        const double d = i == j ? 1.0 : 0.0;
        EXPECT_EQ(psv_line_force(i, j, o.ox, o.oz, 0.999 * r / m.vp, m.vp, m.vs, m.rho, heaviside), 0.0);
        for (double t : {1.0001 * r / m.vp, 0.5 * (r / m.vp + r / m.vs), 1.001 * r / m.vs, 3.0 * r / m.vs}) {
          const double exact = (wave(m.vp, r, t, gg, 2.0 * gg - d) / (m.vp * m.vp) +
                                wave(m.vs, r, t, d - gg, d - 2.0 * gg) / (m.vs * m.vs)) /
                               (2.0 * kPi * m.rho);
          const double u = psv_line_force(i, j, o.ox, o.oz, t, m.vp, m.vs, m.rho, heaviside);
          if (exact == 0.0) {
            EXPECT_EQ(u, 0.0);
            continue;
          }
          worst = std::max(worst, std::abs(u / exact - 1.0));
        }
      }
    }
  }
  EXPECT_LT(worst, 1e-11);
  std::printf("[ analytic ] P-SV Heaviside vs closed form: worst relative error %.2e\n", worst);
}

// Long after a smooth step force, the displacement approaches Kelvin's plane-strain solution (up to the
// ln t growth of the δ_ij term, removed by differencing): an independent check of signs, the γγ term and the
// P/S weights. Corrections are O((r / c t)²) ≈ 1e-6 at t = 100 s.
TEST(AnalyticTimeDomain, PSVStaticLimitIsKelvin) {
  const TimeFunction step = [](double t) { return 0.5 * std::erfc(-(t - 0.1) / 0.02); };
  const double t = 100.0;
  double worst = 0.0;
  for (const Medium& m : kMedia) {
    const auto u = [&](int i, int j, double ox, double oz) {
      return psv_line_force(i, j, ox, oz, t, m.vp, m.vs, m.rho, step);
    };
    const double K = kelvin_gamma_coefficient(m);
    const double L = kelvin_log_coefficient(m);
    const std::array<double, 6> ratios = {
        u(0, 1, 120.0, 120.0) / (0.5 * K),                                  // γxγz = 1/2
        u(1, 0, -90.0, 120.0) / (-0.6 * 0.8 * K),                           // γxγz = −0.48
        (u(0, 0, 150.0, 0.0) - u(0, 0, 0.0, 150.0)) / K,                    // same r, γxγx = 1 vs 0
        (u(1, 1, 0.0, -150.0) - u(1, 1, -150.0, 0.0)) / K,                  // same for z
        (u(0, 0, 100.0, 0.0) - u(0, 0, 300.0, 0.0)) / (L * std::log(3.0)),  // −L δ ln r
        (u(1, 1, 60.0, 80.0) - u(1, 1, 180.0, 240.0)) / (L * std::log(3.0)),
    };
    for (double ratio : ratios) {
      EXPECT_NEAR(ratio, 1.0, 1e-5);
      worst = std::max(worst, std::abs(ratio - 1.0));
    }
    // SH analogue: u(r1) − u(r2) → ln(r2/r1) / (2πμ).
    const double sh =
        (sh_line_force(100.0, t, m.mu(), m.rho, step) - sh_line_force(300.0, t, m.mu(), m.rho, step)) /
        (std::log(3.0) / (2.0 * kPi * m.mu()));
    EXPECT_NEAR(sh, 1.0, 1e-5);
    worst = std::max(worst, std::abs(sh - 1.0));
  }
  std::printf("[ analytic ] time domain at t = 100 s vs static Kelvin / SH solution: worst %.2e\n", worst);
}

// The same limit in the frequency domain, ω → 0 (Kausel's form).
TEST(AnalyticFrequencyDomain, LowFrequencyLimitIsKelvin) {
  const double omega = 1e-6;
  double worst = 0.0;
  for (const Medium& m : kMedia) {
    const auto G = [&](int i, int j, double ox, double oz) {
      return psv_green_frequency(i, j, ox, oz, omega, m.vp, m.vs, m.rho);
    };
    const double K = kelvin_gamma_coefficient(m);
    const double L = kelvin_log_coefficient(m);
    const std::array<std::complex<double>, 4> ratios = {
        G(0, 1, 120.0, 120.0) / (0.5 * K),
        (G(0, 0, 150.0, 0.0) - G(0, 0, 0.0, 150.0)) / K,
        (G(0, 0, 100.0, 0.0) - G(0, 0, 300.0, 0.0)) / (L * std::log(3.0)),
        (G(1, 1, 60.0, 80.0) - G(1, 1, 180.0, 240.0)) / (L * std::log(3.0)),
    };
    for (const std::complex<double>& ratio : ratios) worst = std::max(worst, std::abs(ratio - 1.0));
    const std::complex<double> sh =
        (sh_green_frequency(100.0, omega, m.mu(), m.rho) - sh_green_frequency(300.0, omega, m.mu(), m.rho)) /
        (std::log(3.0) / (2.0 * kPi * m.mu()));
    worst = std::max(worst, std::abs(sh - 1.0));
  }
  EXPECT_LT(worst, 1e-9);
  std::printf("[ analytic ] frequency domain at omega = 1e-6 vs static Kelvin / SH solution: worst %.2e\n",
              worst);
}

// ---------------------------------------------------------------------------------------------------------
// Symmetries of the isotropic Green's tensor (time domain, Ricker path), at times spanning P and S.

std::array<double, 4> psv_tensor(double ox, double oz, double t, const Medium& m, const Ricker& w) {
  std::array<double, 4> g{};
  for (int i = 0; i < 2; ++i)
    for (int j = 0; j < 2; ++j) g[2 * i + j] = psv_line_force(i, j, ox, oz, t, m.vp, m.vs, m.rho, w);
  return g;
}

TEST(AnalyticSymmetry, ReciprocityReflectionsAndAxes) {
  const Medium& m = kMedia[1];
  const Ricker w{10.0, 0.15, 1.0};
  for (const Offset& o : {Offset{150.0, 40.0}, Offset{-70.0, 210.0}, Offset{130.0, -130.0}}) {
    const double r = o.r();
    double scale = 0.0;
    for (double t = r / m.vp; t < r / m.vs + 0.4; t += 0.01)
      for (double v : psv_tensor(o.ox, o.oz, t, m, w)) scale = std::max(scale, std::abs(v));
    ASSERT_GT(scale, 0.0);
    const double tol = 1e-13 * scale;
    for (double t = r / m.vp; t < r / m.vs + 0.4; t += 0.01) {
      SCOPED_TRACE(testing::Message() << "offset (" << o.ox << ", " << o.oz << "), t = " << t);
      const auto g = psv_tensor(o.ox, o.oz, t, m, w);
      const auto gx = psv_tensor(-o.ox, o.oz, t, m, w);  // mirror x
      const auto gz = psv_tensor(o.ox, -o.oz, t, m, w);  // mirror z
      const auto gs = psv_tensor(o.oz, o.ox, t, m, w);   // swap the axes
      EXPECT_NEAR(g[1], g[2], tol);                      // G_xz = G_zx
      EXPECT_NEAR(gx[0], g[0], tol);                     // u_x(F_x), u_z(F_z) even in ox and oz
      EXPECT_NEAR(gx[3], g[3], tol);
      EXPECT_NEAR(gz[0], g[0], tol);
      EXPECT_NEAR(gz[3], g[3], tol);
      EXPECT_NEAR(gx[1], -g[1], tol);  // coupling odd in ox and in oz
      EXPECT_NEAR(gz[1], -g[1], tol);
      EXPECT_NEAR(gx[2], -g[2], tol);
      EXPECT_NEAR(gs[0], g[3], tol);  // x ↔ z swaps the roles of the components
      EXPECT_NEAR(gs[3], g[0], tol);
      EXPECT_NEAR(gs[1], g[1], tol);
    }
  }
  // On the x axis a force along x moves nothing along z (and vice versa), at every time.
  for (double t = 0.05; t < 0.6; t += 0.01) {
    EXPECT_EQ(psv_line_force(1, 0, 180.0, 0.0, t, m.vp, m.vs, m.rho, w), 0.0);
    EXPECT_EQ(psv_line_force(0, 1, 0.0, -180.0, t, m.vp, m.vs, m.rho, w), 0.0);
  }
}

TEST(AnalyticSymmetry, RotationCovariance) {
  // G(R o) = R G(o) Rᵀ for any rotation R of the (x, z) plane.
  const Medium& m = kMedia[0];
  const Ricker w{10.0, 0.15, 1.0};
  const double phi = 0.7;
  const double c = std::cos(phi);
  const double s = std::sin(phi);
  const double R[2][2] = {{c, -s}, {s, c}};
  const Offset o{170.0, -60.0};
  const Offset ro{c * o.ox - s * o.oz, s * o.ox + c * o.oz};
  double worst = 0.0;
  double scale = 0.0;
  for (double t = 0.1; t < 0.6; t += 0.01) {
    const auto g = psv_tensor(o.ox, o.oz, t, m, w);
    const auto gr = psv_tensor(ro.ox, ro.oz, t, m, w);
    for (int i = 0; i < 2; ++i) {
      for (int j = 0; j < 2; ++j) {
        double expected = 0.0;
        for (int k = 0; k < 2; ++k)
          for (int l = 0; l < 2; ++l) expected += R[i][k] * R[j][l] * g[2 * k + l];
        worst = std::max(worst, std::abs(gr[2 * i + j] - expected));
        scale = std::max(scale, std::abs(expected));
      }
    }
    // Same identity for the frequency-domain Green's function (ω = 2π t · 100 sweeps 60–380 rad/s).
    const double omega = 2.0 * kPi * t * 100.0;
    std::complex<double> fd[4], fdr[4];
    for (int i = 0; i < 2; ++i) {
      for (int j = 0; j < 2; ++j) {
        fd[2 * i + j] = psv_green_frequency(i, j, o.ox, o.oz, omega, m.vp, m.vs, m.rho);
        fdr[2 * i + j] = psv_green_frequency(i, j, ro.ox, ro.oz, omega, m.vp, m.vs, m.rho);
      }
    }
    for (int i = 0; i < 2; ++i) {
      for (int j = 0; j < 2; ++j) {
        std::complex<double> expected = 0.0;
        for (int k = 0; k < 2; ++k)
          for (int l = 0; l < 2; ++l) expected += R[i][k] * R[j][l] * fd[2 * k + l];
        EXPECT_LT(std::abs(fdr[2 * i + j] - expected), 1e-12 * std::abs(fd[0]));
      }
    }
  }
  EXPECT_LT(worst, 1e-13 * scale);
}

// Far from the source, the P wave is polarised along γ and the S wave across it: projected on γ, the S-wave
// time window holds only the (small) near-field terms, and vice versa. Catches a P/S or γγ/δ mix-up.
TEST(AnalyticSymmetry, FarFieldPolarisation) {
  const Medium& m = kMedia[0];
  const Ricker w{10.0, 0.15, 1.0};
  const double r = 3000.0;
  const double gx = 0.6, gz = 0.8;
  const double ox = r * gx, oz = r * gz;
  // Force along x: longitudinal (γ·u) and transverse (γ⊥·u) displacement in the P and S windows.
  double long_p = 0.0, trans_p = 0.0, long_s = 0.0, trans_s = 0.0;
  for (double t = 0.0; t < 0.4; t += 0.002) {
    const double tp = r / m.vp + t;
    const double ts = r / m.vs + t;
    const double uxp = psv_line_force(0, 0, ox, oz, tp, m.vp, m.vs, m.rho, w);
    const double uzp = psv_line_force(1, 0, ox, oz, tp, m.vp, m.vs, m.rho, w);
    const double uxs = psv_line_force(0, 0, ox, oz, ts, m.vp, m.vs, m.rho, w);
    const double uzs = psv_line_force(1, 0, ox, oz, ts, m.vp, m.vs, m.rho, w);
    long_p = std::max(long_p, std::abs(gx * uxp + gz * uzp));
    trans_p = std::max(trans_p, std::abs(-gz * uxp + gx * uzp));
    long_s = std::max(long_s, std::abs(gx * uxs + gz * uzs));
    trans_s = std::max(trans_s, std::abs(-gz * uxs + gx * uzs));
  }
  std::printf(
      "[ analytic ] far field r = %.0f m: P window transverse/longitudinal %.3f, S window longitudinal/"
      "transverse %.3f, S/P amplitude %.4f (far-field estimate %.4f)\n",
      r, trans_p / long_p, long_s / trans_s, trans_s / long_p, (gz / gx) * std::pow(m.vp / m.vs, 1.5));
  EXPECT_LT(trans_p, 0.03 * long_p);
  EXPECT_LT(long_s, 0.02 * trans_s);
  // Far-field amplitude ratio S/P ≈ (γ⊥_x / γ_x) (α/β)^{3/2}: 2-D spreading √(λ / r) and 1/c² weights.
  const double expected = (gz / gx) * std::pow(m.vp / m.vs, 1.5);
  EXPECT_NEAR(trans_s / long_p, expected, 0.01 * expected);
}

// ---------------------------------------------------------------------------------------------------------
TEST(AnalyticMisc, RelativeL2) {
  const std::vector<double> a = {1.0, 2.0, 3.0};
  const std::vector<double> b = {1.0, 2.0, 4.0};
  EXPECT_DOUBLE_EQ(relative_l2(a, b), 1.0 / std::sqrt(21.0));
  EXPECT_EQ(relative_l2(b, b), 0.0);
  const std::vector<double> zero(3, 0.0);
  EXPECT_EQ(relative_l2(zero, zero), 0.0);
  EXPECT_TRUE(std::isinf(relative_l2(a, zero)));
  EXPECT_THROW(relative_l2(a, std::vector<double>(2, 1.0)), std::invalid_argument);
}

TEST(AnalyticMisc, RejectsInvalidArguments) {
  const Ricker w{10.0, 0.15, 1.0};
  EXPECT_THROW(psv_line_force(0, 0, 0.0, 0.0, 0.3, 3000.0, 1700.0, 2000.0, w), std::invalid_argument);
  EXPECT_THROW(psv_line_force(2, 0, 10.0, 0.0, 0.3, 3000.0, 1700.0, 2000.0, w), std::invalid_argument);
  EXPECT_THROW(psv_line_force(0, 0, 10.0, 0.0, 0.3, 1000.0, 1700.0, 2000.0, w), std::invalid_argument);
  EXPECT_THROW(sh_line_force(0.0, 0.3, 2e9, 2000.0, w), std::invalid_argument);
  EXPECT_THROW(sh_green_frequency(10.0, 0.0, 2e9, 2000.0), std::invalid_argument);
}

// Sample linearity: the series helpers scale F by `scale`, and F = scale · Ricker(amp) = Ricker(scale · amp).
TEST(AnalyticMisc, ScaleIsLinear) {
  const Medium& m = kMedia[0];
  const Ricker w{10.0, 0.15, 1.0};
  const Ricker w3{10.0, 0.15, 3.0};
  const auto a = psv_ricker_time_domain(0, 1, 100.0, 80.0, w, 3.0, m.vp, m.vs, m.rho, 0.0, kDt, 600);
  const auto b = psv_ricker_time_domain(0, 1, 100.0, 80.0, w3, 1.0, m.vp, m.vs, m.rho, 0.0, kDt, 600);
  EXPECT_LT(relative_l2(a, b), 1e-15);
  for (std::size_t k = 0; k < a.size(); k += 37)
    EXPECT_NEAR(a[k], psv_line_force(0, 1, 100.0, 80.0, kDt * static_cast<double>(k), m.vp, m.vs, m.rho, w3),
                1e-15 * max_abs(a));
}

// 10 receivers × 1000 samples; the fast (Ricker) path must be far below a second.

}  // namespace
}  // namespace seiswg::test
