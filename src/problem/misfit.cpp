#include "problem/misfit.hpp"

#include <algorithm>
#include <cmath>
#include <complex>
#include <numbers>
#include <sstream>

#include "io/error.hpp"
#include "signal/fft.hpp"

namespace seiswg::problem {

double WaveformMisfit::evaluate(std::span<const float> synthetic, std::span<const float> observed,
                                std::size_t nt, double dt, std::vector<double>& dj_dd) const {
  std::vector<double> w(nt, 1.0);
  if (taper_fraction_ > 0) {
    // Seispie's taper: raised cosine over the first and last fraction of the trace.
    const double t_end = double(nt - 1) * dt, width = taper_fraction_ * t_end;
    for (std::size_t it = 0; it < nt; ++it) {
      const double t = double(it) * dt;
      if (t <= width)
        w[it] = 0.5 + 0.5 * std::cos(std::numbers::pi * (width - t) / width);
      else if (t >= t_end - width)
        w[it] = 0.5 + 0.5 * std::cos(std::numbers::pi * (t_end - width - t) / width);
    }
  }
  dj_dd.assign(synthetic.size(), 0.0);
  double j = 0;
  for (std::size_t k = 0; k < synthetic.size(); ++k) {
    const double wk = w[k % nt], r = double(synthetic[k]) - double(observed[k]);
    j += 0.5 * wk * wk * r * r * dt;
    dj_dd[k] = wk * wk * r * dt;
  }
  return j;
}

namespace {

// The new misfits walk the traces receiver by receiver: both must hold whole traces of nt samples.
void check_traces(const char* misfit, std::span<const float> synthetic, std::span<const float> observed,
                  std::size_t nt) {
  if (nt == 0 || synthetic.size() % nt != 0 || observed.size() != synthetic.size()) {
    std::ostringstream what;
    what << misfit << " misfit: " << synthetic.size() << " synthetic and " << observed.size()
         << " observed samples must be the same whole number of traces of nt = " << nt << " samples";
    throw InputError(what.str());
  }
}

bool all_zero(std::span<const float> trace) {
  return std::all_of(trace.begin(), trace.end(), [](float v) { return v == 0.0f; });
}

// C(lag) = sum_t d[t + lag] o[t] over the samples where both exist, summed in double.
double correlation_at(std::span<const float> d, std::span<const float> o, long lag) {
  const long n = long(d.size());
  double c = 0;
  for (long t = std::max(0L, -lag); t < std::min(n, n - lag); ++t) c += double(d[t + lag]) * double(o[t]);
  return c;
}

// The lag in [-max_lag, max_lag] where C is largest (the smallest such lag on ties). Long traces with
// a wide lag range scan C by FFT; only the argmax is taken from the scan, so its round-off does not
// reach J, which uses correlation_at.
long best_lag(std::span<const float> d, std::span<const float> o, long max_lag) {
  const std::size_t n = d.size();
  const std::size_t padded = signal::next_power_of_two(2 * n);
  long best = -max_lag;
  if (double(2 * max_lag + 1) * double(n) <= 8.0 * double(padded) * std::log2(double(padded))) {
    double best_c = correlation_at(d, o, best);
    for (long lag = -max_lag + 1; lag <= max_lag; ++lag)
      if (const double c = correlation_at(d, o, lag); c > best_c) best_c = c, best = lag;
    return best;
  }
  // Zero padding to >= 2 n makes the circular correlation the linear one for |lag| < n.
  std::vector<std::complex<double>> fd(padded), fo(padded);
  for (std::size_t t = 0; t < n; ++t) fd[t] = d[t], fo[t] = o[t];
  signal::fft(fd);
  signal::fft(fo);
  for (std::size_t k = 0; k < padded; ++k) fd[k] *= std::conj(fo[k]);
  signal::fft(fd, true);
  const auto c = [&](long lag) {
    return fd[lag >= 0 ? std::size_t(lag) : padded - std::size_t(-lag)].real();
  };
  double best_c = c(best);
  for (long lag = -max_lag + 1; lag <= max_lag; ++lag)
    if (c(lag) > best_c) best_c = c(lag), best = lag;
  return best;
}

}  // namespace

TraveltimeMisfit::TraveltimeMisfit(double max_lag_seconds) : max_lag_seconds_(max_lag_seconds) {
  if (!(max_lag_seconds > 0)) {
    std::ostringstream what;
    what << "traveltime misfit: maximum lag " << max_lag_seconds << " s must be > 0 (infinity: whole trace)";
    throw InputError(what.str());
  }
}

double TraveltimeMisfit::traveltime_shift(std::span<const float> synthetic, std::span<const float> observed,
                                          double dt, std::span<double> dshift_dd) const {
  if (observed.size() != synthetic.size() || (!dshift_dd.empty() && dshift_dd.size() != synthetic.size())) {
    std::ostringstream what;
    what << "traveltime shift: synthetic (" << synthetic.size() << "), observed (" << observed.size()
         << ") and gradient (" << dshift_dd.size() << ", or 0: none) must have the same number of samples";
    throw InputError(what.str());
  }
  std::fill(dshift_dd.begin(), dshift_dd.end(), 0.0);
  const long n = long(synthetic.size());
  if (n == 0 || all_zero(synthetic) || all_zero(observed)) return 0;
  // A little above the quotient so that a lag given as a whole number of steps is not lost to round-off.
  const double lag_steps = max_lag_seconds_ / dt * (1 + 1e-12);
  const long max_lag = lag_steps >= double(n - 1) ? n - 1 : long(lag_steps);
  const long k = best_lag(synthetic, observed, max_lag);
  if (k == -max_lag || k == max_lag) return double(k) * dt;  // no parabola at the end of the range
  const double before = correlation_at(synthetic, observed, k - 1),
               at = correlation_at(synthetic, observed, k),
               after = correlation_at(synthetic, observed, k + 1);
  // Vertex offset v = a / (2 b) of the parabola through the three values; b < 0 at a strict maximum,
  // b = 0 only if the three are equal (no curvature: the discrete lag stands).
  const double a = before - after, b = before - 2 * at + after;
  if (b == 0) return double(k) * dt;
  const double vertex = a / (2 * b);
  if (!dshift_dd.empty()) {
    // d v / d C(k - 1 + j) for j = 0, 1, 2, times d C(lag) / d d[t] = o[t - lag].
    const double weights[3] = {(b - a) / (2 * b * b), a / (b * b), (-b - a) / (2 * b * b)};
    for (int j = 0; j < 3; ++j) {
      const long lag = k - 1 + j;
      for (long t = std::max(0L, lag); t < std::min(n, n + lag); ++t)
        dshift_dd[std::size_t(t)] += dt * weights[j] * double(observed[std::size_t(t - lag)]);
    }
  }
  return (double(k) + vertex) * dt;
}

double TraveltimeMisfit::evaluate(std::span<const float> synthetic, std::span<const float> observed,
                                  std::size_t nt, double dt, std::vector<double>& dj_dd) const {
  check_traces("traveltime", synthetic, observed, nt);
  dj_dd.assign(synthetic.size(), 0.0);
  double j = 0;
  for (std::size_t at = 0; at + nt <= synthetic.size(); at += nt) {
    const std::span<double> gradient(dj_dd.data() + at, nt);
    const double shift = traveltime_shift(synthetic.subspan(at, nt), observed.subspan(at, nt), dt, gradient);
    j += 0.5 * shift * shift;
    for (auto& g : gradient) g *= shift;
  }
  return j;
}

double CorrelationMisfit::evaluate(std::span<const float> synthetic, std::span<const float> observed,
                                   std::size_t nt, double, std::vector<double>& dj_dd) const {
  check_traces("correlation", synthetic, observed, nt);
  dj_dd.assign(synthetic.size(), 0.0);
  double j = 0;
  for (std::size_t at = 0; at + nt <= synthetic.size(); at += nt) {
    double dd = 0, oo = 0, d_o = 0;
    for (std::size_t t = at; t < at + nt; ++t) {
      const double d = synthetic[t], o = observed[t];
      dd += d * d, oo += o * o, d_o += d * o;
    }
    if (dd == 0 || oo == 0) continue;
    const double norms = std::sqrt(dd * oo), correlation = d_o / norms;
    j += 1 - correlation;
    // d/d d of <d, o> / (|d| |o|) = o / (|d| |o|) - <d, o> d / (|d|^3 |o|).
    for (std::size_t t = at; t < at + nt; ++t)
      dj_dd[t] = -(double(observed[t]) / norms - correlation * double(synthetic[t]) / dd);
  }
  return j;
}

EnvelopeMisfit::EnvelopeMisfit(double epsilon_fraction) : epsilon_fraction_(epsilon_fraction) {
  if (!(epsilon_fraction >= 0) || !std::isfinite(epsilon_fraction)) {
    std::ostringstream what;
    what << "envelope misfit: epsilon fraction " << epsilon_fraction << " must be finite and >= 0";
    throw InputError(what.str());
  }
}

double EnvelopeMisfit::evaluate(std::span<const float> synthetic, std::span<const float> observed,
                                std::size_t nt, double dt, std::vector<double>& dj_dd) const {
  check_traces("envelope", synthetic, observed, nt);
  dj_dd.assign(synthetic.size(), 0.0);
  double j = 0;
  std::vector<double> d(nt), o(nt), weighted_d(nt), weighted_hd(nt);
  for (std::size_t at = 0; at + nt <= synthetic.size(); at += nt) {
    for (std::size_t t = 0; t < nt; ++t) d[t] = synthetic[at + t], o[t] = observed[at + t];
    const auto hd = signal::hilbert(d), ho = signal::hilbert(o);
    double peak = 0;
    for (std::size_t t = 0; t < nt; ++t) peak = std::max(peak, o[t] * o[t] + ho[t] * ho[t]);
    const double eps = epsilon_fraction_ * peak;
    for (std::size_t t = 0; t < nt; ++t) {
      const double ed = std::sqrt(d[t] * d[t] + hd[t] * hd[t] + eps),
                   eo = std::sqrt(o[t] * o[t] + ho[t] * ho[t] + eps);
      j += 0.5 * (ed - eo) * (ed - eo) * dt;
      // d J / d E(d)[t] over E(d)[t]: E(d) = 0 only where eps = 0 and d = H(d) = 0, where the
      // products with d and H(d) below vanish whatever it is.
      const double q = ed > 0 ? (ed - eo) * dt / ed : 0.0;
      weighted_d[t] = q * d[t];
      weighted_hd[t] = q * hd[t];
    }
    // d J / d d = q d + H^T (q H(d)), and H^T = -H.
    const auto adjoint = signal::hilbert(weighted_hd);
    for (std::size_t t = 0; t < nt; ++t) dj_dd[at + t] = weighted_d[t] - adjoint[t];
  }
  return j;
}

std::vector<std::string> misfit_names() {
  return {"waveform", "traveltime", "cc_traveltime", "correlation", "zero_lag_correlation", "envelope"};
}

std::unique_ptr<Misfit> make_misfit(const std::string& name, double taper_fraction) {
  const auto names = misfit_names();
  if (std::find(names.begin(), names.end(), name) == names.end()) {
    std::string known;
    for (const auto& n : names) known += (known.empty() ? "" : ", ") + n;
    throw InputError("misfit '" + name + "' is unknown; known misfits: " + known);
  }
  if (!(taper_fraction >= 0 && taper_fraction < 0.5)) {
    std::ostringstream what;
    what << "misfit taper " << taper_fraction << " must be in [0, 0.5) (a fraction of the trace at each end)";
    throw InputError(what.str());
  }
  if (name == "waveform") return std::make_unique<WaveformMisfit>(taper_fraction);
  if (taper_fraction > 0) {
    std::ostringstream what;
    what << "misfit taper " << taper_fraction << " is for the waveform misfit only, not '" << name
         << "' (set it to 0)";
    throw InputError(what.str());
  }
  if (name == "traveltime" || name == "cc_traveltime") return std::make_unique<TraveltimeMisfit>();
  if (name == "correlation" || name == "zero_lag_correlation") return std::make_unique<CorrelationMisfit>();
  return std::make_unique<EnvelopeMisfit>();
}

}  // namespace seiswg::problem
