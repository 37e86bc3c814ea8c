#include "support/half_space.hpp"

#include <cmath>
#include <complex>
#include <numbers>

namespace seiswg::test {

using cplx = std::complex<double>;

namespace {

// Fourier transform int M(t) e^{i W t} dt of Seispie's Ricker -amp (1 - 2 a tau^2) exp(-a tau^2),
// tau = t - t0, a = (pi f0)^2, for a complex frequency W (the Gaussian's transform is entire):
// -amp W^2 / (2 a) sqrt(pi / a) exp(-W^2 / (4 a)) exp(i W t0).
cplx ricker_spectrum(cplx w, double f0, double t0, double amp) {
  const double a = std::pow(std::numbers::pi * f0, 2);
  return -amp * w * w / (2 * a) * std::sqrt(std::numbers::pi / a) * std::exp(-w * w / (4 * a)) *
         std::exp(cplx(0, 1) * w * t0);
}

// sqrt(k^2 - W^2 / c^2) with a positive real part (waves that decay away from where they start).
cplx vertical_decay(double k, cplx w, double c) {
  cplx v = std::sqrt(k * k - w * w / (c * c));
  return v.real() < 0 ? -v : v;
}

}  // namespace

// Potentials (u = grad phi + curl(psi y), so ux = d_x phi - d_z psi, uz = d_z phi + d_x psi), time
// factor e^{-i W t}, plane-wave expansion (del^2 + W^2/c^2)^-1 delta = -(1/4 pi) int e^{ikx} e^{-nu |z - h|}
// / nu dk. Explosion: lap phi + W^2/vp^2 phi = M delta / (rho vp^2), phi = A e^{-nu_p |z - h|} / nu_p with A
// = -M / (4 pi rho vp^2). Vertical force F (the Helmholtz parts of F z delta, whose static parts cancel away
// from the source): phi = P d_z G_p, psi = P d_x G_s with P = F / (rho W^2), that is phi = P0 sign(z - h)
// e^{-nu_p |z - h|}, psi = -i k P0 e^{-nu_s |z - h|} / nu_s, P0 = F / (4 pi rho W^2). At the surface the
// upgoing a e^{nu_p z} and d e^{nu_s z} reflect as B e^{-nu_p z} and C e^{-nu_s z}; with g = 2k^2 - W^2/vs^2
// and the Rayleigh function R = g^2 - 4 k^2 nu_p nu_s, sigma_zz = sigma_xz = 0 (g (a + B) + 2 i k nu_s (d -
// C) = 0, 2 i k nu_p (a - B) - g (d + C) = 0) give B = -((g^2 + 4 k^2 nu_p nu_s) a + 4 i k nu_s g d) / R, C =
// (4 i k nu_p g a - (g^2 + 4 k^2 nu_p nu_s) d) / R.
std::vector<double> half_space_line_source(const HalfSpace& m, LineSource source, double depth, int component,
                                           double x, double z, double f0, double t0, double amp,
                                           double t_first, double dt, std::size_t n, bool whole_space) {
  const cplx i(0, 1);
  const double f_top = 5.0 * f0;  // the Ricker spectrum is below 1e-10 of its peak beyond
  const double w_top = 2 * std::numbers::pi * f_top;
  const double dw = 0.25;    // its transform's period in time (25 s) far exceeds the trace
  const double sigma = 4.0;  // the damping: the Rayleigh pole lies sigma / c_R off the k axis
  const double dk = 2e-4;    // resolves that pole (~4e-3 / m wide) and e^{ikx} for |x| < 1 km
  const double path = std::abs(z - depth) < z + depth ? std::abs(z - depth) : z + depth;
  const double side = z > depth ? 1.0 : -1.0;  // sign(z - h)
  const double four_pi = 4 * std::numbers::pi;
  const int nw = int(std::ceil(w_top / dw));
  std::vector<cplx> spectrum(std::size_t(nw) + 1);
  for (int iw = 0; iw <= nw; ++iw) {
    const cplx w(iw * dw, sigma);
    // Wavenumbers up to the propagating S range plus where e^{-k path} falls below 1e-9.
    const double k_top = w.real() / m.vs + 21.0 / std::max(path, 1.0);
    const int nk = 2 * int(std::ceil(k_top / dk / 2));  // even, for Simpson's rule
    const double h = k_top / nk;
    cplx sum = 0;
    for (int ik = 0; ik <= nk; ++ik) {
      const double k = ik * h;
      const cplx np = vertical_decay(k, w, m.vp), ns = vertical_decay(k, w, m.vs);
      const cplx ep_direct = std::exp(-np * std::abs(z - depth)),
                 es_direct = std::exp(-ns * std::abs(z - depth));
      cplx ux, uz, a, d;
      if (source == LineSource::explosion) {
        const cplx amplitude = -1.0 / (m.rho * m.vp * m.vp * four_pi);
        const cplx phi = amplitude * ep_direct / np;
        ux = i * k * phi;
        uz = -side * np * phi;
        a = amplitude * std::exp(-np * depth) / np;
        d = 0;
      } else {
        const cplx p0 = 1.0 / (m.rho * w * w * four_pi);
        const cplx phi = p0 * side * ep_direct, psi = -i * k * p0 * es_direct / ns;
        // d_z phi = -nu_p P0 e^{-nu_p |z - h|}; d_z psi = i k P0 sign(z - h) e^{-nu_s |z - h|}.
        ux = i * k * phi - i * k * p0 * side * es_direct;
        uz = -np * p0 * ep_direct + i * k * psi;
        a = -p0 * std::exp(-np * depth);
        d = -i * k * p0 * std::exp(-ns * depth) / ns;
      }
      if (!whole_space) {
        const cplx g = 2 * k * k - w * w / (m.vs * m.vs);
        const cplx rayleigh = g * g - 4 * k * k * np * ns;
        const cplx both = g * g + 4 * k * k * np * ns;
        const cplx b = -(both * a + 4.0 * i * k * ns * g * d) / rayleigh;
        const cplx c = (4.0 * i * k * np * g * a - both * d) / rayleigh;
        const cplx ep = std::exp(-np * z), es = std::exp(-ns * z);
        ux += i * k * b * ep + ns * c * es;
        uz += -np * b * ep + i * k * c * es;
      }
      // ux is odd in k, uz even: int e^{ikx} f dk = 2i int_0 sin(kx) f (odd), 2 int_0 cos(kx) f (even).
      const cplx term = component == 0 ? 2.0 * i * std::sin(k * x) * ux : 2.0 * std::cos(k * x) * uz;
      const double weight = (ik == 0 || ik == nk) ? 1 : (ik % 2 ? 4 : 2);
      sum += weight * term;
    }
    spectrum[std::size_t(iw)] = sum * h / 3.0 * ricker_spectrum(w, f0, t0, amp);
  }
  // u(t) = e^{sigma t} (1/pi) Re int_0 U(w + i sigma) e^{-i w t} dw (trapezoid, half weight at 0).
  std::vector<double> u(n);
  for (std::size_t k = 0; k < n; ++k) {
    const double t = t_first + double(k) * dt;
    double s = 0;
    for (int iw = 0; iw <= nw; ++iw) {
      const double weight = iw == 0 ? 0.5 : 1.0;
      s += weight * (spectrum[std::size_t(iw)] * std::exp(-i * (iw * dw) * t)).real();
    }
    u[k] = std::exp(sigma * t) * s * dw / std::numbers::pi;
  }
  return u;
}

double line_explosion_radial(const HalfSpace& m, double r, double t, double f0, double t0, double amp) {
  const double a = std::pow(std::numbers::pi * f0, 2);
  auto dm = [&](double tau) {  // d/dt of Seispie's Ricker -amp (1 - 2 a tau^2) exp(-a tau^2)
    const double s = tau - t0;
    return amp * 2 * a * s * (3 - 2 * a * s * s) * std::exp(-a * s * s);
  };
  if (m.vp * t <= r) return 0;
  const double top = std::acosh(m.vp * t / r);
  const int n = 4000;  // Simpson's rule; the integrand is smooth (M' ~ 0 near t = 0)
  double sum = 0;
  for (int k = 0; k <= n; ++k) {
    const double s = top * k / n;
    const double f = dm(t - r / m.vp * std::cosh(s)) * std::cosh(s);
    sum += f * (k == 0 || k == n ? 1 : (k % 2 ? 4 : 2));
  }
  return sum * top / n / 3 / (2 * std::numbers::pi * m.rho * m.vp * m.vp * m.vp);
}

}  // namespace seiswg::test
