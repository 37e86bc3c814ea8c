#include "solver/wavelet.hpp"

#include <cmath>
#include <numbers>

namespace seiswg::solver {

std::vector<double> ricker(int nt, double dt, double f0, double t0, double amp) {
  const double a = (std::numbers::pi * f0) * (std::numbers::pi * f0);
  std::vector<double> w(std::size_t(nt > 0 ? nt : 0));
  for (int it = 0; it < nt; ++it) {
    const double tau = double(it) * dt - t0;
    w[std::size_t(it)] = -amp * (1.0 - 2.0 * a * tau * tau) * std::exp(-a * tau * tau);
  }
  return w;
}

}  // namespace seiswg::solver
