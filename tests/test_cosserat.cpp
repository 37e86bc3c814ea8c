// Cosserat (and P-SV, SH) energy in a closed box, and the Cosserat medium without couplings
// reducing to plain P-SV.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>

#include "solver/wavelet.hpp"
#include "support/simulation.hpp"

namespace seiswg {
namespace {

// Seispie's spin example medium (examples/spin/generate_model.py).
const std::map<std::string, double> kSpinMedium = {{"rho", 2700},   {"lambda", 8.1e9}, {"mu", 8.1e9},
                                                   {"nu", 1.005e9}, {"j", 2700},       {"lambda_c", 7.75e8},
                                                   {"mu_c", 1.5e8}, {"nu_c", 3.0e8}};

// The discrete energy the staggered leapfrog conserves exactly (up to round-off) in a closed box:
// E(n) = 1/2 v(n).M.v(n) + 1/2 s(n-1/2).S.s(n+1/2), M the densities, S the compliances. For a
// homogeneous medium M and S are the same at every position of a plane.
struct EnergyWeights {
  std::vector<double> mass;  // per velocity plane
  std::function<double(const std::vector<double>&, const std::vector<double>&)> potential;  // per node
};

double energy(const EnergyWeights& w, const std::vector<float>& v, const std::vector<float>& s_old,
              const std::vector<float>& s_new, std::size_t npt) {
  double e = 0;
  for (std::size_t p = 0; p < w.mass.size(); ++p)
    for (std::size_t k = 0; k < npt; ++k)
      e += 0.5 * w.mass[p] * double(v[p * npt + k]) * double(v[p * npt + k]);
  const std::size_t planes = s_old.size() / npt;
  std::vector<double> a(planes), b(planes);
  for (std::size_t k = 0; k < npt; ++k) {
    for (std::size_t p = 0; p < planes; ++p) a[p] = s_old[p * npt + k], b[p] = s_new[p * npt + k];
    e += 0.5 * w.potential(a, b);
  }
  return e;
}

// Runs `steps` steps from a smooth initial velocity field with no source and no taper; returns
// the largest relative change of the discrete energy.
double energy_drift(const physics::WaveEquation& physics, const io::Model& model, double dt, int steps,
                    const EnergyWeights& w) {
  solver::Propagator p(test::test_device(), physics, model, steps, dt, solver::Taper{});
  p.set_receivers({});
  p.reset();
  const auto& g = model.grid;
  const std::size_t npt = g.npt();
  std::vector<float> v(physics.velocity_planes() * npt), s(physics.stress_planes() * npt, 0.0f);
  for (std::size_t plane = 0; plane < physics.velocity_planes(); ++plane)
    for (int i = 0; i < g.nx; ++i)
      for (int j = 0; j < g.nz; ++j) {
        const double x = (i - 0.45 * g.nx) / 4.0, z = (j - 0.55 * g.nz) / 5.0;
        v[plane * npt + std::size_t(i) * std::size_t(g.nz) + std::size_t(j)] =
            float((1.0 + double(plane)) * std::exp(-x * x - z * z) * (1 + 0.3 * double(plane) * x));
      }
  p.set_state(v, s);
  std::vector<float> s_old = s;
  double e0 = -1, worst = 0;
  for (int n = 0; n < steps; ++n) {
    p.advance(1);
    const auto vel = p.velocities();
    const auto s_new = p.stresses();
    // After step n the state is v(n) and s(n+1/2); the velocity update used s_old = s(n-1/2).
    const double e = energy(w, vel, s_old, s_new, npt);
    if (e0 < 0) e0 = e;
    worst = std::max(worst, std::abs(e - e0) / e0);
    s_old = s_new;
  }
  return worst;
}

TEST(CosseratEnergy, ConservedInClosedBox) {
  const auto& m = kSpinMedium;
  const auto model = test::uniform_model(48, 40, 1.0, 1.0, m);
  const auto physics = physics::make_cosserat();
  const double dt = 0.9 * physics->max_stable_dt(model);
  const double l = m.at("lambda"), mu = m.at("mu"), nu = m.at("nu"), c = m.at("mu_c") + m.at("nu_c");
  const double det = (l + 2 * mu) * (l + 2 * mu) - l * l;
  EnergyWeights w{
      {m.at("rho"), m.at("rho"), m.at("j")}, [&](const std::vector<double>& a, const std::vector<double>& b) {
        // sxx, szz: inverse of [[l+2mu, l], [l, l+2mu]]; sxz: 1/mu; sa: 1/nu; mx, mz: 1/c
        return ((l + 2 * mu) * (a[0] * b[0] + a[1] * b[1]) - l * (a[0] * b[1] + a[1] * b[0])) / det +
               a[2] * b[2] / mu + a[3] * b[3] / nu + (a[4] * b[4] + a[5] * b[5]) / c;
      }};
  const double drift = energy_drift(*physics, model, dt, 300, w);
  std::printf("Cosserat closed-box energy drift over 300 steps: %.2e\n", drift);
  EXPECT_LT(drift, 1e-4);
}

TEST(CosseratEnergy, PsvAlsoConservesEnergy) {
  const double vp = 3000, vs = 1700, rho = 2200;
  const auto model = test::uniform_model(48, 40, 2.0, 2.0, {{"vp", vp}, {"vs", vs}, {"rho", rho}});
  const auto physics = physics::make_psv();
  const double mu = rho * vs * vs, l = rho * vp * vp - 2 * mu, det = (l + 2 * mu) * (l + 2 * mu) - l * l;
  EnergyWeights w{{rho, rho}, [&](const std::vector<double>& a, const std::vector<double>& b) {
                    return ((l + 2 * mu) * (a[0] * b[0] + a[1] * b[1]) - l * (a[0] * b[1] + a[1] * b[0])) /
                               det +
                           a[2] * b[2] / mu;
                  }};
  const double drift = energy_drift(*physics, model, 0.95 * physics->max_stable_dt(model), 300, w);
  std::printf("P-SV closed-box energy drift over 300 steps: %.2e\n", drift);
  EXPECT_LT(drift, 1e-4);
}

TEST(CosseratEnergy, GrowsWhenTheTimeStepExceedsTheStabilityLimit) {
  // The stability limit is sharp: 5% above it the same box blows up (so the limit is not vacuous).
  const auto model = test::uniform_model(48, 40, 1.0, 1.0, kSpinMedium);
  const auto physics = physics::make_cosserat();
  solver::Propagator p(test::test_device(), *physics, model, 2000, 1.05 * physics->max_stable_dt(model),
                       solver::Taper{});
  p.set_receivers({});
  p.reset();
  std::vector<float> v(3 * model.grid.npt(), 0.0f), s(6 * model.grid.npt(), 0.0f);
  v[model.grid.npt() / 2 + 7] = 1.0f;
  p.set_state(v, s);
  p.advance(2000);
  solver::BlowUp blow_up;
  p.completed_steps(&blow_up);
  double biggest = 0;
  for (float x : p.velocities()) biggest = std::max(biggest, std::isfinite(x) ? std::abs(double(x)) : 1e300);
  EXPECT_TRUE(blow_up.happened || biggest > 1e6);
}

// Cosserat without coupling (nu = mu_c = nu_c = 0) against P-SV: sources and receivers in the
// interior (tapered on every side), or near a free surface (rows 0-6), where the Cosserat kernels
// take P-SV's surface (its extra images, sa and mz, stay at rest without coupling).
void no_coupling_gives_plain_psv(bool free_surface) {
  const double vp = 3000, vs = 1732.051, rho = 2700;
  const double mu = rho * vs * vs, lambda = rho * vp * vp - 2 * mu;
  const int n = 81, nt = 300;
  const double h = 5, dt = 0.0005;
  const auto psv_model = test::uniform_model(n, n, h, h, {{"vp", vp}, {"vs", vs}, {"rho", rho}});
  const auto cos_model = test::uniform_model(n, n, h, h,
                                             {{"rho", rho},
                                              {"lambda", lambda},
                                              {"mu", mu},
                                              {"nu", 0},
                                              {"j", 1000},
                                              {"lambda_c", 0},
                                              {"mu_c", 0},
                                              {"nu_c", 0}});
  const auto stf = solver::ricker(nt, dt, 15, 0.08, 1e9);
  const int source_row = free_surface ? 4 : 40;
  std::vector<solver::PointForce> forces = {
      {0, 0, 40, source_row, std::vector<float>(stf.begin(), stf.end())},
      {1, 1, 40, source_row + (free_surface ? 2 : 0), std::vector<float>(stf.begin(), stf.end())}};
  std::vector<solver::PointReceiver> receivers;
  for (int c = 0; c < 2; ++c)
    for (int r = 0; r < 5; ++r)
      receivers.push_back({std::uint32_t(c), 10 + 12 * r, free_surface ? r % 3 : 20 + 5 * r});
  const solver::Edges edges{{true, true, !free_surface, true, 10, 0.015}, free_surface};
  const auto a = test::run_traces(*physics::make_psv(), psv_model, nt, dt, edges, forces, receivers);
  const auto b = test::run_traces(*physics::make_cosserat(), cos_model, nt, dt, edges, forces, receivers);
  for (std::size_t r = 0; r < receivers.size(); ++r) EXPECT_LT(test::relative_l2(b[r], a[r]), 1e-5) << r;
}
TEST(CosseratReduction, NoCouplingGivesPlainPsv) { no_coupling_gives_plain_psv(false); }
TEST(CosseratReduction, NoCouplingUnderAFreeSurfaceGivesPlainPsv) { no_coupling_gives_plain_psv(true); }

}  // namespace
}  // namespace seiswg
