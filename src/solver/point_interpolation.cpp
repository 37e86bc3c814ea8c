#include "solver/point_interpolation.hpp"

#include <cmath>
#include <map>
#include <numbers>
#include <utility>

namespace seiswg::solver {
namespace {

constexpr int kHalfWidth = 4;
constexpr double kKaiserB = 6.31;  // Hicks (2002), table 2, for a half-width of 4 samples

// The modified Bessel function I0 by its power series, sum of ((x/2)^k / k!)^2: std::cyl_bessel_i
// is missing from libc++ (the web build's library). For the Kaiser window's x <= 6.31 the terms
// fall below 1e-17 of the sum by k = 30.
double bessel_i0(double x) {
  double term = 1, sum = 1;
  for (int k = 1; k < 60 && term > 1e-17 * sum; ++k) {
    term *= (x / (2 * k)) * (x / (2 * k));
    sum += term;
  }
  return sum;
}

}  // namespace

double windowed_sinc(double d) {
  const double r = double(kHalfWidth);
  if (std::abs(d) >= r) return 0;
  const double sinc = d == 0 ? 1.0 : std::sin(std::numbers::pi * d) / (std::numbers::pi * d);
  const double window = bessel_i0(kKaiserB * std::sqrt(1 - (d / r) * (d / r))) / bessel_i0(kKaiserB);
  return sinc * window;
}

std::vector<SampleWeight> sinc_weights(double fi, double fj, int nx, int nz, const SurfaceFold* fold) {
  // On a sample along an axis: that sample alone (the other weights are sinc's zeros, computed
  // exactly as zero here rather than as round-off).
  auto axis = [](double f) {
    std::vector<std::pair<int, double>> w;
    const double nearest = std::nearbyint(f);
    if (std::abs(f - nearest) < 1e-9) return std::vector<std::pair<int, double>>{{int(nearest), 1.0}};
    const int first = int(std::floor(f)) - kHalfWidth + 1;
    for (int k = first; k < first + 2 * kHalfWidth; ++k) w.push_back({k, windowed_sinc(double(k) - f)});
    return w;
  };
  std::map<std::pair<int, int>, double> merged;
  for (auto [i, wi] : axis(fi)) {
    if (i < 0 || i >= nx) continue;
    for (auto [j, wj] : axis(fj)) {
      double w = wi * wj;
      int row = j;
      if (row < 0) {
        if (!fold) continue;
        row = fold->staggered ? -1 - j : -j;
        w *= fold->parity;
      }
      if (row >= nz) continue;
      merged[{i, row}] += w;
    }
  }
  std::vector<SampleWeight> out;
  for (const auto& [node, w] : merged)
    if (w != 0) out.push_back({node.first, node.second, w});
  return out;
}

}  // namespace seiswg::solver
