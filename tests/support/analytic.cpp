#include "support/analytic.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <numbers>
#include <stdexcept>
#include <string>

namespace seiswg::test {
namespace {

constexpr double kPi = std::numbers::pi;

// |Ricker(t)| < 1e-16 |amp| for a (t − t0)² > kRickerTail (2·42·e^{-42} ≈ 4.8e-17).
constexpr double kRickerTail = 42.0;
// The Ricker spectrum ω² e^{−ω²/(4a)} is below 1e-16 of its peak for ω²/(4a) > kSpectrumTail.
constexpr double kSpectrumTail = 42.0;

// ----------------------------------------------------------------------------------------------------
// Quadrature rules.

// Gauss–Legendre nodes and weights on [−1, 1], computed by Newton iteration on P_n.
template <int N>
struct GaussLegendre {
  std::array<double, N> x{};
  std::array<double, N> w{};

  GaussLegendre() {
    for (int k = 0; k < (N + 1) / 2; ++k) {
      double z = std::cos(kPi * (k + 0.75) / (N + 0.5));
      double dp = 1.0;
      for (int iter = 0; iter < 100; ++iter) {
        double p0 = 1.0;
        double p1 = 0.0;
        for (int m = 1; m <= N; ++m) {
          const double pm2 = p1;
          p1 = p0;
          p0 = ((2.0 * m - 1.0) * z * p1 - (m - 1.0) * pm2) / m;
        }
        dp = N * (z * p0 - p1) / (z * z - 1.0);
        const double dz = p0 / dp;
        z -= dz;
        if (std::abs(dz) < 1e-16) break;
      }
      x[k] = -z;
      x[N - 1 - k] = z;
      w[k] = w[N - 1 - k] = 2.0 / ((1.0 - z * z) * dp * dp);
    }
  }
};

const GaussLegendre<16>& gl16() {
  static const GaussLegendre<16> rule;
  return rule;
}

// ∫_a^b g by n-point Gauss–Legendre.
template <int N, class G>
double gauss_legendre(const GaussLegendre<N>& rule, const G& g, double a, double b) {
  const double c = 0.5 * (a + b);
  const double h = 0.5 * (b - a);
  double sum = 0.0;
  for (int k = 0; k < N; ++k) sum += rule.w[k] * g(c + h * rule.x[k]);
  return sum * h;
}

// Gauss–Kronrod 10/21 (QUADPACK qk21): abscissae (descending, last = 0) and weights; the 10-point Gauss
// nodes are the odd-indexed abscissae.
constexpr std::array<double, 11> kKronrodX = {0.995657163025808080735527280689003,
                                              0.973906528517171720077964012084452,
                                              0.930157491355708226001207180059508,
                                              0.865063366688984510732096688423493,
                                              0.780817726586416897063717578345042,
                                              0.679409568299024406234327365114874,
                                              0.562757134668604683339000099272694,
                                              0.433395394129247190799265943165784,
                                              0.294392862701460198131126603103866,
                                              0.148874338981631210884826001129720,
                                              0.0};
constexpr std::array<double, 11> kKronrodW = {
    0.011694638867371874278064396062192, 0.032558162307964727478818972459390,
    0.054755896574351996031381300244580, 0.075039674810919952767043140916190,
    0.093125454583697605535065465083366, 0.109387158802297641899210590325805,
    0.123491976262065851077208980373350, 0.134709217311473325928054001771707,
    0.142775938577060080797094273138717, 0.147739104901338491374841515972068,
    0.149445554002916905664936468389821};
constexpr std::array<double, 5> kGaussW = {
    0.066671344308688137593568809893332, 0.149451349150580593145776339657697,
    0.219086362515982043995534934228163, 0.269266719309996355091226921569469,
    0.295524224714752870173892994651338};

struct Panel {
  double a = 0.0, b = 0.0;
  double value = 0.0;      // Kronrod estimate
  double error = 0.0;      // |Kronrod − Gauss|
  double abs_value = 0.0;  // Kronrod estimate of ∫|g|
};

template <class G>
Panel kronrod21(const G& g, double a, double b) {
  const double c = 0.5 * (a + b);
  const double h = 0.5 * (b - a);
  const double fc = g(c);
  double kron = kKronrodW[10] * fc;
  double gauss = 0.0;
  double abs_sum = kKronrodW[10] * std::abs(fc);
  for (int m = 0; m < 10; ++m) {
    const double dx = h * kKronrodX[m];
    const double f1 = g(c - dx);
    const double f2 = g(c + dx);
    kron += kKronrodW[m] * (f1 + f2);
    abs_sum += kKronrodW[m] * (std::abs(f1) + std::abs(f2));
    if (m % 2 == 1) gauss += kGaussW[m / 2] * (f1 + f2);
  }
  return {a, b, kron * h, std::abs((kron - gauss) * h), abs_sum * std::abs(h)};
}

// Globally adaptive Gauss–Kronrod over the panels [breaks[k], breaks[k+1]]: bisects the panel with the
// largest error estimate until the summed estimate is below rel_tol · ∫|g|.
template <class G>
double integrate_adaptive(const G& g, std::span<const double> breaks, double rel_tol) {
  constexpr std::size_t kMaxPanels = 512;
  std::array<Panel, kMaxPanels> panels;
  std::size_t count = 0;
  for (std::size_t k = 0; k + 1 < breaks.size(); ++k)
    panels[count++] = kronrod21(g, breaks[k], breaks[k + 1]);
  while (count < kMaxPanels) {
    double error = 0.0;
    double abs_value = 0.0;
    std::size_t worst = 0;
    for (std::size_t k = 0; k < count; ++k) {
      error += panels[k].error;
      abs_value += panels[k].abs_value;
      if (panels[k].error > panels[worst].error) worst = k;
    }
    if (error <= rel_tol * abs_value) break;
    const Panel old = panels[worst];
    const double mid = 0.5 * (old.a + old.b);
    panels[worst] = kronrod21(g, old.a, mid);
    panels[count++] = kronrod21(g, mid, old.b);
  }
  double sum = 0.0;
  for (std::size_t k = 0; k < count; ++k) sum += panels[k].value;
  return sum;
}

// ----------------------------------------------------------------------------------------------------
// The two wave integrals.
//   W(t) = ∫_0^{Θ} (A + B sinh²θ) F(t − τ0 cosh θ) dθ,  Θ = arccosh(t / τ0),  τ0 = r / c.

constexpr double kAdaptiveRelTol = 1e-11;
constexpr int kInitialPanels = 8;

double wave_integral(double tau0, double t, double A, double B, const TimeFunction& F) {
  if (t <= tau0 || (A == 0.0 && B == 0.0)) return 0.0;
  const double ratio = t / tau0;
  // Initial panels of equal length in τ = τ0 cosh θ, so that features of F are sampled uniformly.
  std::array<double, kInitialPanels + 1> breaks{};
  for (int k = 1; k < kInitialPanels; ++k)
    breaks[k] = std::acosh(1.0 + (ratio - 1.0) * k / static_cast<double>(kInitialPanels));
  breaks[kInitialPanels] = std::acosh(ratio);
  const auto integrand = [&](double theta) {
    const double sh = std::sinh(theta);
    const double ch = std::sqrt(1.0 + sh * sh);
    // Causal: F is never evaluated at a negative argument (rounding at the upper limit is clamped).
    const double arg = std::max(0.0, t - tau0 * ch);
    return (A + B * sh * sh) * F(arg);
  };
  return integrate_adaptive(integrand, breaks, kAdaptiveRelTol);
}

// Ricker path: τ = τ0 + s² (so sinh(θ/2) = s / √(2τ0)), dθ = 2 ds / q, q = √(s² + 2τ0), sinh²θ = s²q²/τ0².
// Only τ with t − τ inside the wavelet's support (and τ ≤ t: causal) contributes. Panels span at most
// kRickerPanel / f0 in τ and at most √(2τ0) in s (the distance to the kernel's complex singularity).
constexpr double kRickerPanel = 0.5;

double wave_integral(double tau0, double t, double A, double B, const Ricker& w) {
  if (t <= tau0 || (A == 0.0 && B == 0.0) || w.amp == 0.0) return 0.0;
  const double half = w.support_half_width();
  const double ta = std::max(tau0, t - w.t0 - half);
  const double tb = std::min(t, t - w.t0 + half);
  if (tb <= ta) return 0.0;
  const double two_tau0 = 2.0 * tau0;
  const double inv_tau0_sq = 1.0 / (tau0 * tau0);
  const double s_cap = std::sqrt(two_tau0);
  const auto integrand = [&](double s) {
    const double s2 = s * s;
    const double q2 = s2 + two_tau0;
    const double q = std::sqrt(q2);
    return (A + B * s2 * q2 * inv_tau0_sq) * (2.0 / q) * w(t - tau0 - s2);
  };
  const int n_tau = std::max(1, static_cast<int>(std::ceil((tb - ta) * std::abs(w.f0) / kRickerPanel)));
  double sum = 0.0;
  double s_lo = std::sqrt(ta - tau0);
  for (int k = 1; k <= n_tau; ++k) {
    const double tau_k = (k == n_tau) ? tb : ta + (tb - ta) * k / static_cast<double>(n_tau);
    const double s_hi = std::sqrt(tau_k - tau0);
    const int m = std::max(1, static_cast<int>(std::ceil((s_hi - s_lo) / s_cap)));
    for (int p = 0; p < m; ++p) {
      const double a = s_lo + (s_hi - s_lo) * p / static_cast<double>(m);
      const double b = (p + 1 == m) ? s_hi : s_lo + (s_hi - s_lo) * (p + 1) / static_cast<double>(m);
      sum += gauss_legendre(gl16(), integrand, a, b);
    }
    s_lo = s_hi;
  }
  return sum;
}

// ----------------------------------------------------------------------------------------------------
// Argument checks and the P-SV coefficient assembly.

void require(bool ok, const char* what) {
  if (!ok) throw std::invalid_argument(std::string("seiswg::test analytic: ") + what);
}

void check_sh(double r, double mu, double rho) {
  require(r > 0.0 && std::isfinite(r), "distance r must be positive");
  require(mu > 0.0 && rho > 0.0, "mu and rho must be positive");
}

struct PsvGeometry {
  double r;
  double gg;     // γ_i γ_j
  double delta;  // δ_ij
};

PsvGeometry check_psv(int i, int j, double ox, double oz, double vp, double vs, double rho) {
  require((i == 0 || i == 1) && (j == 0 || j == 1), "component indices must be 0 (x) or 1 (z)");
  require(vs > 0.0 && vp > vs && rho > 0.0, "need vp > vs > 0 and rho > 0");
  const double r = std::hypot(ox, oz);
  require(r > 0.0 && std::isfinite(r), "receiver must not coincide with the source");
  const double g[2] = {ox / r, oz / r};
  return {r, g[i] * g[j], i == j ? 1.0 : 0.0};
}

template <class Source>
double psv_impl(int i, int j, double ox, double oz, double t, double vp, double vs, double rho,
                const Source& F) {
  const PsvGeometry geo = check_psv(i, j, ox, oz, vp, vs, rho);
  // γγ cosh2θ − δ sinh²θ = γγ + (2γγ − δ) sinh²θ;  δ cosh²θ − γγ cosh2θ = (δ − γγ) + (δ − 2γγ) sinh²θ.
  const double p = wave_integral(geo.r / vp, t, geo.gg, 2.0 * geo.gg - geo.delta, F);
  const double s = wave_integral(geo.r / vs, t, geo.delta - geo.gg, geo.delta - 2.0 * geo.gg, F);
  return (p / (vp * vp) + s / (vs * vs)) / (2.0 * kPi * rho);
}

template <class Source>
double sh_impl(double r, double t, double mu, double rho, const Source& F) {
  check_sh(r, mu, rho);
  const double beta = std::sqrt(mu / rho);
  return wave_integral(r / beta, t, 1.0, 0.0, F) / (2.0 * kPi * mu);
}

// ----------------------------------------------------------------------------------------------------
// Frequency domain.

std::complex<double> hankel0(double x) { return {std::cyl_bessel_j(0.0, x), std::cyl_neumann(0.0, x)}; }

// H1^(1)(x) + 2i/(πx): the first-order Hankel function without its 1/x pole. The pole terms of the S and
// P waves in Kausel's (2γγ − δ)[H1(k_S r)/(ωrβ) − H1(k_P r)/(ωrα)] are both −2i/(πω²r²) and cancel exactly;
// dropping them analytically avoids a cancellation of relative size (c/ωr)² at low frequency.
std::complex<double> hankel1_regular(double x) {
  constexpr double kEulerGamma = std::numbers::egamma;
  double y_regular = 0.0;  // Y1(x) + 2/(πx)
  if (x < 2.0) {
    // Y1(x) = (2/π) J1(x) ln(x/2) − 2/(πx) − (1/π) Σ_k [ψ(k+1) + ψ(k+2)] (−x²/4)^k (x/2) / (k! (k+1)!)
    const double q = -0.25 * x * x;
    double term = 0.5 * x;      // (−x²/4)^k (x/2) / (k! (k+1)!)
    double psi = -kEulerGamma;  // ψ(k+1)
    double sum = 0.0;
    for (int k = 0; k < 30; ++k) {
      const double psi_next = psi + 1.0 / (k + 1.0);  // ψ(k+2)
      sum += (psi + psi_next) * term;
      term *= q / ((k + 1.0) * (k + 2.0));
      psi = psi_next;
    }
    y_regular = (2.0 / kPi) * std::cyl_bessel_j(1.0, x) * std::log(0.5 * x) - sum / kPi;
  } else {
    y_regular = std::cyl_neumann(1.0, x) + 2.0 / (kPi * x);
  }
  return {std::cyl_bessel_j(1.0, x), y_regular};
}

// u(t_k) = (1/π) Re ∫_0^∞ G(ω) scale F̂(ω) e^{−iωt_k} dω. `max_delay` bounds the travel time r / vs so that
// the panels resolve the oscillation e^{iω(t0 + r/c − t)}.
template <class Green>
std::vector<double> invert_ricker(const Green& green, const Ricker& w, double scale, double max_delay,
                                  double t_first, double dt_s, std::size_t n) {
  std::vector<double> u(n, 0.0);
  if (n == 0 || w.amp == 0.0 || scale == 0.0) return u;
  require(w.f0 > 0.0, "Ricker f0 must be positive");
  const double a = (kPi * w.f0) * (kPi * w.f0);
  const double omega_max = std::sqrt(4.0 * a * kSpectrumTail);
  const double t_last = t_first + dt_s * static_cast<double>(n - 1);
  const double rate = std::max(std::abs(t_first - w.t0), std::abs(t_last - w.t0)) + max_delay;
  double h = omega_max / 32.0;  // resolves the spectrum's Gaussian envelope
  if (rate > 0.0) h = std::min(h, 6.0 / rate);
  const int panels = static_cast<int>(std::ceil(omega_max / h));
  h = omega_max / panels;

  // Panel breaks; the first panel is graded towards ω = 0, where G ~ log ω.
  std::vector<double> breaks = {0.0};
  for (int g = 5; g >= 1; --g) breaks.push_back(h * std::pow(0.25, g));
  for (int k = 1; k <= panels; ++k) breaks.push_back(h * k);

  const auto& rule = gl16();
  for (std::size_t p = 0; p + 1 < breaks.size(); ++p) {
    const double c = 0.5 * (breaks[p] + breaks[p + 1]);
    const double hw = 0.5 * (breaks[p + 1] - breaks[p]);
    for (int k = 0; k < 16; ++k) {
      const double omega = c + hw * rule.x[k];
      std::complex<double> term = (rule.w[k] * hw * scale / kPi) * green(omega) * w.spectrum(omega);
      term *= std::polar(1.0, -omega * t_first);
      const std::complex<double> step = std::polar(1.0, -omega * dt_s);
      for (std::size_t m = 0; m < n; ++m) {
        u[m] += term.real();
        term *= step;
      }
    }
  }
  return u;
}

}  // namespace

// ------------------------------------------------------------------------------------------------------

double Ricker::operator()(double t) const {
  const double a = (kPi * f0) * (kPi * f0);
  const double x = a * (t - t0) * (t - t0);
  return -amp * (1.0 - 2.0 * x) * std::exp(-x);
}

std::complex<double> Ricker::spectrum(double omega) const {
  // (1 − 2as²) e^{−as²} = −(1/2a) d²/ds² e^{−as²}, whose transform is (ω²/2a) √(π/a) e^{−ω²/4a}.
  const double a = (kPi * f0) * (kPi * f0);
  const double mag =
      -amp * omega * omega / (2.0 * a) * std::sqrt(kPi / a) * std::exp(-omega * omega / (4.0 * a));
  return std::polar(1.0, omega * t0) * mag;
}

double Ricker::support_half_width() const { return std::sqrt(kRickerTail) / (kPi * std::abs(f0)); }

double sh_line_force(double r, double t, double mu, double rho, const TimeFunction& F) {
  return sh_impl(r, t, mu, rho, F);
}

double sh_line_force(double r, double t, double mu, double rho, const Ricker& F) {
  return sh_impl(r, t, mu, rho, F);
}

double psv_line_force(int i, int j, double ox, double oz, double t, double vp, double vs, double rho,
                      const TimeFunction& F) {
  return psv_impl(i, j, ox, oz, t, vp, vs, rho, F);
}

double psv_line_force(int i, int j, double ox, double oz, double t, double vp, double vs, double rho,
                      const Ricker& F) {
  return psv_impl(i, j, ox, oz, t, vp, vs, rho, F);
}

std::vector<double> sh_ricker_time_domain(double r, const Ricker& w, double scale, double mu, double rho,
                                          double t_first, double dt_s, std::size_t n) {
  const Ricker scaled{w.f0, w.t0, w.amp * scale};
  std::vector<double> u(n);
  for (std::size_t k = 0; k < n; ++k)
    u[k] = sh_impl(r, t_first + dt_s * static_cast<double>(k), mu, rho, scaled);
  return u;
}

std::vector<double> psv_ricker_time_domain(int i, int j, double ox, double oz, const Ricker& w, double scale,
                                           double vp, double vs, double rho, double t_first, double dt_s,
                                           std::size_t n) {
  const Ricker scaled{w.f0, w.t0, w.amp * scale};
  std::vector<double> u(n);
  for (std::size_t k = 0; k < n; ++k)
    u[k] = psv_impl(i, j, ox, oz, t_first + dt_s * static_cast<double>(k), vp, vs, rho, scaled);
  return u;
}

std::complex<double> psv_green_frequency(int i, int j, double ox, double oz, double omega, double vp,
                                         double vs, double rho) {
  const PsvGeometry geo = check_psv(i, j, ox, oz, vp, vs, rho);
  require(omega > 0.0, "omega must be positive");
  const double r = geo.r;
  const std::complex<double> h0s = hankel0(omega * r / vs);
  const std::complex<double> h0p = hankel0(omega * r / vp);
  const std::complex<double> h1s = hankel1_regular(omega * r / vs);
  const std::complex<double> h1p = hankel1_regular(omega * r / vp);
  const std::complex<double> braces =
      geo.delta * h0s / (vs * vs) - geo.gg * (h0s / (vs * vs) - h0p / (vp * vp)) +
      (2.0 * geo.gg - geo.delta) * (h1s / (omega * r * vs) - h1p / (omega * r * vp));
  return std::complex<double>(0.0, 1.0 / (4.0 * rho)) * braces;
}

std::complex<double> sh_green_frequency(double r, double omega, double mu, double rho) {
  check_sh(r, mu, rho);
  require(omega > 0.0, "omega must be positive");
  return std::complex<double>(0.0, 1.0 / (4.0 * mu)) * hankel0(omega * r / std::sqrt(mu / rho));
}

std::vector<double> psv_ricker_frequency_domain(int i, int j, double ox, double oz, const Ricker& w,
                                                double scale, double vp, double vs, double rho,
                                                double t_first, double dt_s, std::size_t n) {
  const PsvGeometry geo = check_psv(i, j, ox, oz, vp, vs, rho);
  const auto green = [&](double omega) { return psv_green_frequency(i, j, ox, oz, omega, vp, vs, rho); };
  return invert_ricker(green, w, scale, geo.r / vs, t_first, dt_s, n);
}

std::vector<double> sh_ricker_frequency_domain(double r, const Ricker& w, double scale, double mu, double rho,
                                               double t_first, double dt_s, std::size_t n) {
  check_sh(r, mu, rho);
  const auto green = [&](double omega) { return sh_green_frequency(r, omega, mu, rho); };
  return invert_ricker(green, w, scale, r / std::sqrt(mu / rho), t_first, dt_s, n);
}

double relative_l2(std::span<const double> a, std::span<const double> b) {
  require(a.size() == b.size(), "relative_l2: sizes differ");
  double diff = 0.0;
  double ref = 0.0;
  for (std::size_t k = 0; k < a.size(); ++k) {
    diff += (a[k] - b[k]) * (a[k] - b[k]);
    ref += b[k] * b[k];
  }
  if (ref == 0.0) return diff == 0.0 ? 0.0 : std::numeric_limits<double>::infinity();
  return std::sqrt(diff / ref);
}

}  // namespace seiswg::test
