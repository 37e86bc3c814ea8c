// Garvin's and Lamb's problems: a line explosion and a vertical line force 100 m under the free surface
// of an elastic half-space (P-SV, [solver] free_surface = yes, source_types = yes), recorded on the
// surface and below the source,
// against the wavenumber integration of tests/support/half_space.cpp (direct P, reflected P,
// converted S, the Rayleigh wave along the surface).
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>

#include "app/case.hpp"
#include "support/analytic.hpp"
#include "support/half_space.hpp"
#include "support/simulation.hpp"

namespace seiswg {
namespace {

constexpr test::HalfSpace kMedium{2000, 1000, 2000};
constexpr double kF0 = 6, kT0 = 0.2, kAmp = 1e8, kDepth = 100;

TEST(GarvinReference, DirectWaveMatchesTheClosedFormExplosion) {
  // The integration without the surface against the closed-form whole-space P wave.
  const double dt = 0.0006;
  const std::size_t n = 1100;
  for (auto [x, z] : {std::pair{150.0, 0.0}, std::pair{50.0, 220.0}}) {
    const double r = std::hypot(x, z - kDepth);
    for (int c = 0; c < 2; ++c) {
      const auto u = test::half_space_line_source(kMedium, test::LineSource::explosion, kDepth, c, x, z, kF0,
                                                  kT0, kAmp, dt, dt, n, true);
      std::vector<double> closed(n);
      for (std::size_t k = 0; k < n; ++k)
        closed[k] = test::line_explosion_radial(kMedium, r, dt * double(k + 1), kF0, kT0, kAmp) *
                    (c == 0 ? x : z - kDepth) / r;
      const double e = test::relative_l2(u, closed);
      std::printf("whole-space u%c at (%.0f, %.0f) m: wavenumber integration vs closed form %.2e\n",
                  c ? 'z' : 'x', x, z, e);
      EXPECT_LT(e, 1e-3);
      // The vertical force against the analytic line-force Green's function (support/analytic.hpp).
      const auto f = test::half_space_line_source(kMedium, test::LineSource::vertical_force, kDepth, c, x, z,
                                                  kF0, kT0, kAmp, dt, dt, n, true);
      const auto g = test::psv_ricker_time_domain(c, 1, x, z - kDepth, test::Ricker{kF0, kT0, kAmp}, 1.0,
                                                  kMedium.vp, kMedium.vs, kMedium.rho, dt, dt, n);
      const double ef = test::relative_l2(f, g);
      std::printf("whole-space u%c at (%.0f, %.0f) m from a vertical force: vs the Green's function %.2e\n",
                  c ? 'z' : 'x', x, z, ef);
      EXPECT_LT(ef, 1e-3);
    }
  }
}

struct GarvinRun {
  std::vector<std::vector<double>> traces, reference;
  std::vector<std::string> labels;
};

// A 321 x 161 grid, h = 5 m (12 points per wavelength of the Rayleigh wave at 2.5 f0), the
// explosion at (800, 100) m, the taper on the other sides; the window ends before their echoes.
GarvinRun run_garvin(test::LineSource source, bool free_surface) {
  app::Case c;
  c.psv = true;
  c.source_types = true;
  c.free_surface = free_surface;
  c.nt = 1100;
  c.dt = 0.0006;
  const int nx = 321, nz = 161;
  const double h = 5;
  c.model = test::uniform_model(nx, nz, h, h, {{"vp", kMedium.vp}, {"vs", kMedium.vs}, {"rho", kMedium.rho}});
  const int is = nx / 2;
  // The explosion (type 1) at the node 100 m deep; the force (type 0, angle 180: +z, down) drives vz,
  // half a cell lower, with F = stf dx dz per metre.
  const bool explosion = source == test::LineSource::explosion;
  const double depth = explosion ? kDepth : kDepth + 0.5 * h;
  const double reference_amp = explosion ? kAmp : kAmp * h * h;
  c.sources = {io::SourceSpec{
      is * h, kDepth, explosion ? 1 : 0, kF0, kT0, explosion ? 0.0 : 180.0, kAmp, 1, {}, "", "sources.dat"}};
  const auto eq = physics::make_psv(true);
  const auto forces = app::forces_for(c, *eq, 0);
  // Surface receivers (row 0: ux on the surface, uz half a cell below) and two 100 m under the source.
  const std::vector<std::pair<int, int>> nodes = {{10, 0}, {30, 0}, {50, 0}, {0, 40}, {20, 40}};
  std::vector<solver::PointReceiver> receivers;
  GarvinRun out;
  for (int comp = 0; comp < 2; ++comp)
    for (auto [di, j] : nodes) {
      if (comp == 0 && di == 0) continue;  // ux vanishes under the source (by symmetry, up to half a cell)
      receivers.push_back({std::uint32_t(comp), is + di, j});
      const double x = h * (di + (comp == 0 ? 0.5 : 0.0)), z = h * (j + (comp == 1 ? 0.5 : 0.0));
      out.reference.push_back(test::half_space_line_source(kMedium, source, depth, comp, x, z, kF0, kT0,
                                                           reference_amp, c.dt, c.dt, std::size_t(c.nt)));
      char label[64];
      std::snprintf(label, sizeof label, "u%c at (%5.1f, %5.1f) m", comp ? 'z' : 'x', x, z);
      out.labels.push_back(label);
    }
  solver::Propagator p(test::test_device(), *eq, c.model, c.nt, c.dt,
                       solver::Edges{{true, true, !free_surface, true, 20, 0.015}, free_surface});
  p.set_sources(forces);
  p.set_receivers(receivers);
  p.reset();
  p.advance(c.nt);
  const auto flat = p.traces();
  for (std::size_t r = 0; r < receivers.size(); ++r)
    out.traces.emplace_back(flat.begin() + std::ptrdiff_t(r * std::size_t(c.nt)),
                            flat.begin() + std::ptrdiff_t((r + 1) * std::size_t(c.nt)));
  return out;
}

void expect_within_5_percent(const GarvinRun& run, const char* what) {
  for (std::size_t r = 0; r < run.traces.size(); ++r) {
    const double e = test::relative_l2(run.traces[r], run.reference[r]);
    std::printf("%s %s: relative L2 %.4f\n", what, run.labels[r].c_str(), e);
    EXPECT_LT(e, 0.05) << what << " " << run.labels[r];
  }
}

TEST(Garvin, BuriedExplosionUnderTheFreeSurfaceMatchesWithin5Percent) {
  expect_within_5_percent(run_garvin(test::LineSource::explosion, true), "Garvin");
}

TEST(Lamb, BuriedVerticalForceUnderTheFreeSurfaceMatchesWithin5Percent) {
  expect_within_5_percent(run_garvin(test::LineSource::vertical_force, true), "Lamb");
}

}  // namespace
}  // namespace seiswg
