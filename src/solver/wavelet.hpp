#pragma once
#include <vector>

namespace seiswg::solver {

// Seispie's Ricker wavelet: stf(t) = -amp (1 - 2 a (t - t0)^2) exp(-a (t - t0)^2), a = (pi f0)^2,
// sampled at t = it * dt for it = 0..nt-1 (the value used in step it).
std::vector<double> ricker(int nt, double dt, double f0, double t0, double amp);

}  // namespace seiswg::solver
