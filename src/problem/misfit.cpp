#include "problem/misfit.hpp"

#include <cmath>
#include <numbers>

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

}  // namespace seiswg::problem
