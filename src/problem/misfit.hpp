#pragma once
// Misfit functionals between synthetic and observed traces: J and d J / d synthetic sample, in
// double precision on the host. Every gradient is the exact derivative of the discrete J computed
// here (not of a continuous J it approximates), so that a Taylor test through the solver shows a
// remainder of second order.
#include <cstddef>
#include <limits>
#include <memory>
#include <span>
#include <string>
#include <vector>

namespace seiswg::problem {

class Misfit {
 public:
  virtual ~Misfit() = default;
  // J of one shot's traces ([receiver][nt], the same layout for both) and d J / d synthetic sample
  // (written into dj_dd, resized to synthetic.size()).
  virtual double evaluate(std::span<const float> synthetic, std::span<const float> observed, std::size_t nt,
                          double dt, std::vector<double>& dj_dd) const = 0;
};

// J = 1/2 sum over receivers and samples of (w(t) (d - d_obs))^2 dt, with Seispie's cosine taper w
// of width `taper_fraction` x trace length at both ends (w = 1 when 0).
class WaveformMisfit : public Misfit {
 public:
  explicit WaveformMisfit(double taper_fraction = 0) : taper_fraction_(taper_fraction) {}
  double evaluate(std::span<const float> synthetic, std::span<const float> observed, std::size_t nt,
                  double dt, std::vector<double>& dj_dd) const override;

 private:
  double taper_fraction_;
};

// Cross-correlation traveltime: J = 1/2 sum over receivers of dT^2, dT the lag of the synthetic
// behind the observed trace (positive: the synthetic arrives later). The discrete lag k maximising
// C(k) = sum_t d[t + k] o[t] over |k| <= max_lag is refined by the vertex of the parabola through
// C(k - 1), C(k), C(k + 1): dT = (k + (C(k-1) - C(k+1)) / (2 (C(k-1) - 2 C(k) + C(k+1)))) dt.
// The gradient is the derivative of that dT: the discrete argmax is locally constant, the vertex
// depends on the three correlation values. A maximum at the end of the lag range (no parabola) gives
// dT = k dt and no gradient. Traces that are all zero (synthetic or observed) have no traveltime:
// they contribute 0 and no gradient.
class TraveltimeMisfit : public Misfit {
 public:
  // max_lag_seconds > 0 (InputError otherwise); infinity: the whole trace.
  explicit TraveltimeMisfit(double max_lag_seconds = std::numeric_limits<double>::infinity());
  double evaluate(std::span<const float> synthetic, std::span<const float> observed, std::size_t nt,
                  double dt, std::vector<double>& dj_dd) const override;

  // dT of one trace pair (seconds, as above; 0 for a zero trace) and, when wanted, d dT / d synthetic.
  double traveltime_shift(std::span<const float> synthetic, std::span<const float> observed, double dt,
                          std::span<double> dshift_dd = {}) const;

 private:
  double max_lag_seconds_;
};

// Normalised zero-lag correlation, blind to amplitude: J = sum over receivers of
// 1 - <d, o> / (|d| |o|). Traces that are all zero (synthetic or observed) contribute 0 and no
// gradient.
class CorrelationMisfit : public Misfit {
 public:
  double evaluate(std::span<const float> synthetic, std::span<const float> observed, std::size_t nt,
                  double dt, std::vector<double>& dj_dd) const override;
};

// Envelope difference: J = 1/2 sum over receivers and samples of (E(d) - E(o))^2 dt, with
// E(x) = sqrt(x^2 + H(x)^2 + eps), H the discrete Hilbert transform of signal::hilbert and, per
// receiver, eps = epsilon_fraction x the largest x^2 + H(x)^2 of the observed trace. eps keeps the
// square root differentiable where the synthetic envelope vanishes; it depends on the observed trace
// only, so it adds nothing to the gradient. An all-zero observed trace gives eps = 0 and the smooth
// J = 1/2 sum (d^2 + H(d)^2) dt.
class EnvelopeMisfit : public Misfit {
 public:
  // epsilon_fraction >= 0 (InputError otherwise).
  explicit EnvelopeMisfit(double epsilon_fraction = 1e-4);
  double evaluate(std::span<const float> synthetic, std::span<const float> observed, std::size_t nt,
                  double dt, std::vector<double>& dj_dd) const override;

 private:
  double epsilon_fraction_;
};

// The misfit called `name` (one of misfit_names()): `waveform` (Seispie's), `traveltime` or
// `cc_traveltime`, `correlation` or `zero_lag_correlation`, `envelope`. taper_fraction, in [0, 0.5),
// is the waveform misfit's taper (Seispie's misfit_taper); the other misfits have none and refuse
// one > 0 rather than ignore it. An unknown name or a taper out of range throws InputError.
std::unique_ptr<Misfit> make_misfit(const std::string& name, double taper_fraction = 0);
std::vector<std::string> misfit_names();

}  // namespace seiswg::problem
