// Dot-product test of the linearized forward operator F (solver::Born) and its adjoint F^T
// (solver::Adjoint's gradient): <F dm, dd> = <dm, F^T dd> for random dm and dd.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <random>

#include "solver/adjoint.hpp"
#include "solver/born.hpp"
#include "solver/wavelet.hpp"
#include "support/simulation.hpp"

namespace seiswg {
namespace {

void born_dot_product(std::unique_ptr<physics::WaveEquation> physics, std::map<std::string, double> medium,
                      double dt, const char* name, bool free_surface = false) {
  const int nx = 42, nz = 36, nt = 250;
  const double h = 10;
  auto model = test::uniform_model(nx, nz, h, h, medium);
  for (auto& [field, values] : model.fields)  // a smooth anomaly, so the background is not uniform
    for (int i = 0; i < nx; ++i)
      for (int j = 0; j < nz; ++j) {
        const double x = (i - 25) / 6.0, z = (j - 15) / 6.0;
        values[std::size_t(i * nz + j)] *= float(1 + 0.1 * std::exp(-x * x - z * z));
      }
  solver::Propagator p(test::test_device(), *physics, model, nt, dt,
                       solver::Edges{{true, true, false, true, 8, 0.03}, free_surface});
  std::vector<solver::PointForce> forces;
  const auto stf = solver::ricker(nt, dt, 10, 0.12, 1e9);
  for (const auto& f : physics->forcing(35))
    forces.push_back({f.velocity_plane, f.buoyancy_plane, 14, 8, std::vector<float>(stf.begin(), stf.end())});
  if (!physics->source_types().empty())  // the acoustic volume injection too
    for (const auto& f : physics->source_forcing(1, 0))
      forces.push_back({f.velocity_plane, f.buoyancy_plane, 30, 20,
                        std::vector<float>(stf.begin(), stf.end()), 0, f.into_stress});
  std::vector<solver::PointReceiver> receivers;
  for (const auto& c : physics->components())
    for (int r = 0; r < 5; ++r)
      receivers.push_back({c.velocity_plane, 5 + 8 * r, 4 + 6 * (r % 4), 0, c.from_stress});
  p.set_sources(forces);
  p.set_receivers(receivers);

  // dm: a random smooth perturbation of every material plane, 1% of the plane's values.
  const auto planes = physics->material_planes(model, dt);
  const std::size_t npt = model.grid.npt();
  std::mt19937 rng(3);
  std::uniform_real_distribution<double> u(-1, 1);
  std::vector<float> dm(planes.size());
  for (std::size_t plane = 0; plane < planes.size() / npt; ++plane) {
    const double ci = 8 + 26 * (u(rng) + 1) / 2, cj = 6 + 24 * (u(rng) + 1) / 2, a = u(rng);
    for (int i = 0; i < nx; ++i)
      for (int j = 0; j < nz; ++j) {
        const std::size_t k = plane * npt + std::size_t(i * nz + j);
        const double x = (i - ci) / 5.0, z = (j - cj) / 5.0;
        dm[k] = float(0.01 * planes[k] * (a * std::exp(-x * x - z * z) + 0.3 * u(rng)));
      }
  }
  const auto [lhs, rhs] = test::born_dot_products(p, dm, nt, rng);
  const double mismatch = std::abs(lhs - rhs) / std::max(std::abs(lhs), std::abs(rhs));
  std::printf("%s Born dot-product test: <F dm, dd> = %.9e, <dm, F'dd> = %.9e, relative mismatch %.2e\n",
              name, lhs, rhs, mismatch);
  EXPECT_LT(mismatch, 1e-4);
}

TEST(BornDotProduct, Sh) { born_dot_product(physics::make_sh(), {{"vs", 1000}, {"rho", 2000}}, 0.004, "SH"); }
TEST(BornDotProduct, Acoustic) {
  born_dot_product(physics::make_acoustic(), {{"vp", 2000}, {"rho", 2000}}, 0.0015, "acoustic");
}
TEST(BornDotProduct, ShFreeSurface) {
  born_dot_product(physics::make_sh(), {{"vs", 1000}, {"rho", 2000}}, 0.004, "SH, free surface", true);
}
TEST(BornDotProduct, AcousticFreeSurface) {
  born_dot_product(physics::make_acoustic(), {{"vp", 2000}, {"rho", 2000}}, 0.0015, "acoustic, free surface",
                   true);
}
TEST(BornDotProduct, Psv) {
  born_dot_product(physics::make_psv(), {{"vp", 2000}, {"vs", 1100}, {"rho", 2000}}, 0.002, "P-SV");
}
TEST(BornDotProduct, PsvFreeSurface) {
  born_dot_product(physics::make_psv(), {{"vp", 2000}, {"vs", 1100}, {"rho", 2000}}, 0.002,
                   "P-SV, free surface", true);
}

}  // namespace
}  // namespace seiswg
