// Adjoint: dot-product tests of the transposed time loop, Taylor tests of the gradient for every
// parameter, and agreement of the storage modes.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <random>

#include "solver/adjoint.hpp"
#include "solver/wavelet.hpp"
#include "support/simulation.hpp"

namespace seiswg {
namespace {

// A smooth heterogeneous model: a Gaussian anomaly and a gradient on top of constant values.
io::Model smooth_model(int nx, int nz, double h, const std::map<std::string, double>& base) {
  auto m = test::uniform_model(nx, nz, h, h, base);
  for (auto& [name, values] : m.fields)
    for (int i = 0; i < nx; ++i)
      for (int j = 0; j < nz; ++j) {
        const double x = (i - 0.6 * nx) / (0.2 * nx), z = (j - 0.4 * nz) / (0.25 * nz);
        const double factor = 1 + 0.15 * std::exp(-x * x - z * z) + 0.1 * double(j) / nz;
        values[std::size_t(i) * std::size_t(nz) + std::size_t(j)] *= float(factor);
      }
  return m;
}

struct Medium {
  const char* name;
  std::unique_ptr<physics::WaveEquation> (*make)();
  std::map<std::string, double> base;
  double h, dt;
};

const Medium kSh{"SH", physics::make_sh, {{"vs", 1000}, {"rho", 2000}}, 10, 0.004};
const Medium kPsv{"P-SV", physics::make_psv, {{"vp", 2000}, {"vs", 1100}, {"rho", 2000}}, 10, 0.002};

std::vector<float> random_series(std::mt19937& rng, int n) {
  std::normal_distribution<float> normal;
  std::vector<float> v(static_cast<std::size_t>(n));
  for (auto& x : v) x = normal(rng);
  return v;
}

// <L f, d> = <f, L^T d> for the source-to-receiver map L (fixed model), with random source time
// functions and random data; taper, several sources and receivers (two on one node).
void dot_product_test(const Medium& medium) {
  const int nx = 44, nz = 38, nt = 300;
  const auto model = smooth_model(nx, nz, medium.h, medium.base);
  const auto physics = medium.make();
  solver::Propagator p(test::test_device(), *physics, model, nt, medium.dt, {true, true, false, true, 8, 0.03});
  std::mt19937 rng(7);
  std::vector<solver::PointForce> forces;
  for (auto [i, j] : {std::pair{12, 10}, std::pair{30, 20}})
    for (const auto& f : physics->forcing(45))
      forces.push_back({f.velocity_plane, f.buoyancy_plane, i, j, random_series(rng, nt)});
  std::vector<solver::PointReceiver> receivers;
  for (const auto& c : physics->components())
    for (auto [i, j] : {std::pair{5, 30}, std::pair{20, 3}, std::pair{38, 33}, std::pair{38, 33}, std::pair{1, 1}})
      receivers.push_back({c.velocity_plane, i, j});
  p.set_sources(forces);
  p.set_receivers(receivers);
  solver::Adjoint adjoint(p, solver::plan_storage(test::test_device(), p.state_bytes(), nt, "gpu", 0, 0));
  const auto traces = adjoint.forward();
  std::vector<double> data(traces.size());
  std::normal_distribution<double> normal;
  for (auto& d : data) d = normal(rng);
  const auto source_adjoint = adjoint.reverse(data);
  double lhs = 0, rhs = 0, scale = 0;
  for (std::size_t k = 0; k < traces.size(); ++k) lhs += double(traces[k]) * data[k], scale += std::abs(double(traces[k]) * data[k]);
  // Source rows come back in the order of their velocity sample (plane * npt + node).
  auto sorted = forces;
  std::sort(sorted.begin(), sorted.end(), [&](const auto& a, const auto& b) {
    return a.velocity_plane * model.grid.npt() + std::size_t(a.i * nz + a.j) <
           b.velocity_plane * model.grid.npt() + std::size_t(b.i * nz + b.j);
  });
  for (std::size_t s = 0; s < sorted.size(); ++s)
    for (int n = 0; n < nt; ++n)
      rhs += double(sorted[s].values[std::size_t(n)]) * double(source_adjoint[s * std::size_t(nt) + std::size_t(n)]);
  const double mismatch = std::abs(lhs - rhs) / std::max(std::abs(lhs), std::abs(rhs));
  std::printf("%s dot-product test: <Lf,d> = %.9e, <f,L'd> = %.9e, relative mismatch %.2e\n", medium.name, lhs,
              rhs, mismatch);
  EXPECT_LT(mismatch, 1e-4);
}

TEST(AdjointDotProduct, Sh) { dot_product_test(kSh); }
TEST(AdjointDotProduct, Psv) { dot_product_test(kPsv); }

}  // namespace
}  // namespace seiswg
