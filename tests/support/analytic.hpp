// Analytic reference solutions for the 2-D homogeneous whole space (test support).
//
// Formulas and conventions follow shared/reference/ANALYTIC.md:
//  * a line force F(t) in N/m; a solver's force per unit volume f(t) added at one node of a dx × dz grid
//    is the line force F = f · dx · dz (pass that product as `scale`);
//  * offsets are receiver − source in metres, x to the right, z pointing DOWN;
//  * displacement in metres, time in seconds, SI units throughout.
//
// Two independent evaluations are provided and cross-checked in tests/test_analytic.cpp:
//  * time domain: the causal Cagniard-type integrals, with F switched on at t = 0, i.e. only the part of
//    the θ-integral where the argument of F, t − (r/c) cosh θ, is ≥ 0 (upper limit arccosh(c t / r));
//  * frequency domain: Kausel's Green's functions (e^{−iωt} convention) times the Ricker spectrum,
//    inverted numerically (the Ricker is taken over all t there, so the two agree while F(t ≤ 0) ≈ 0).
#pragma once

#include <complex>
#include <cstddef>
#include <functional>
#include <span>
#include <vector>

namespace seiswg::test {

// Seispie's Ricker wavelet: stf(t) = −amp (1 − 2a(t−t0)²) exp(−a(t−t0)²), a = (π f0)².
struct Ricker {
  double f0, t0, amp;

  double operator()(double t) const;
  // Fourier transform F̂(ω) = ∫ F(t) e^{iωt} dt (the convention matching Kausel's e^{−iωt} fields).
  std::complex<double> spectrum(double omega) const;
  // Half width of the time interval around t0 outside which |F| < 1e-16 · |amp|.
  double support_half_width() const;
};

using TimeFunction = std::function<double(double)>;

// ---------------------------------------------------------------------------------------------------
// Time domain.
//
// The TimeFunction overloads work for any F that is smooth for t ≥ 0 (nothing is assumed about F(t < 0),
// which is never evaluated): globally adaptive Gauss–Kronrod (10/21) quadrature in θ, relative tolerance
// ~1e-11 of ∫|integrand|. The Ricker overloads are a faster path (fixed Gauss–Legendre panels, restricted to
// where the wavelet is non-negligible, substitution τ = r/c + s²); both agree to ~1e-12.

// SH (antiplane) displacement u_y at distance r from a line force F(t) along y:
// u_y(r,t) = 1/(2π μ) ∫_0^{arccosh(β t / r)} F(t − (r/β) cosh s) ds, β = √(μ/ρ); 0 if β t ≤ r.
double sh_line_force(double r, double t, double mu, double rho, const TimeFunction& F);
double sh_line_force(double r, double t, double mu, double rho, const Ricker& F);

// P-SV displacement component i (0 = x, 1 = z, z down) at offset (ox, oz) = receiver − source from a line
// force F(t) in direction j (0 = x, 1 = z):
// u_i = 1/(2π ρ α²) ∫_0^{Θ_P} [γ_i γ_j cosh 2θ − δ_ij sinh²θ] F(t − (r/α) cosh θ) dθ
//     + 1/(2π ρ β²) ∫_0^{Θ_S} [δ_ij cosh²θ − γ_i γ_j cosh 2θ] F(t − (r/β) cosh θ) dθ,
// Θ_c = arccosh(c t / r) (each term 0 while c t ≤ r), α = vp, β = vs, γ = (ox, oz) / r.
// Throws std::invalid_argument for r = 0, i or j outside {0, 1}, or non-physical media (need vp > vs > 0).
double psv_line_force(int i, int j, double ox, double oz, double t, double vp, double vs, double rho,
                      const TimeFunction& F);
double psv_line_force(int i, int j, double ox, double oz, double t, double vp, double vs, double rho,
                      const Ricker& F);

// Time series at t_k = t_first + k·dt_s (k < n) for the line force F = scale · w (fast Ricker path).
std::vector<double> sh_ricker_time_domain(double r, const Ricker& w, double scale, double mu, double rho,
                                          double t_first, double dt_s, std::size_t n);
std::vector<double> psv_ricker_time_domain(int i, int j, double ox, double oz, const Ricker& w, double scale,
                                           double vp, double vs, double rho, double t_first, double dt_s,
                                           std::size_t n);

// ---------------------------------------------------------------------------------------------------
// Frequency domain (Kausel 2006, 2-D full space, e^{−iωt}), H = H^(1) = J + iY; ω > 0.
// G_ij(ω) = i/(4ρ) { δ_ij H0(k_S r)/β² − γ_i γ_j [H0(k_S r)/β² − H0(k_P r)/α²]
//                    + (2 γ_i γ_j − δ_ij) [H1(k_S r)/(ω r β) − H1(k_P r)/(ω r α)] }.
std::complex<double> psv_green_frequency(int i, int j, double ox, double oz, double omega, double vp,
                                         double vs, double rho);
// SH: G(ω) = i/(4μ) H0^(1)(ω r / β).
std::complex<double> sh_green_frequency(double r, double omega, double mu, double rho);

// u(t_k) = (1/π) Re ∫_0^∞ G(ω) · scale · F̂(ω) e^{−iωt_k} dω at t_k = t_first + k·dt_s (k < n), by
// Gauss–Legendre panels up to where the Ricker spectrum is below 1e-16 of its peak.
std::vector<double> psv_ricker_frequency_domain(int i, int j, double ox, double oz, const Ricker& w,
                                                double scale, double vp, double vs, double rho,
                                                double t_first, double dt_s, std::size_t n);
std::vector<double> sh_ricker_frequency_domain(double r, const Ricker& w, double scale, double mu, double rho,
                                               double t_first, double dt_s, std::size_t n);

// Relative L2 misfit ||a − b|| / ||b||; 0 if both are zero, +inf if only b is. Throws on a size mismatch.
double relative_l2(std::span<const double> a, std::span<const double> b);

}  // namespace seiswg::test
