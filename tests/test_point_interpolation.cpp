// Sources and receivers at their true positions (Hicks 2002 windowed sinc, solver/point_interpolation):
// a point between grid samples matches the analytic trace at its true position as well as an
// on-sample one does, and gradients through interpolated points stay exact.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "io/npy.hpp"
#include "problem/problem.hpp"
#include "solver/point_interpolation.hpp"
#include "solver/wavelet.hpp"
#include "support/analytic.hpp"
#include "support/case_writer.hpp"
#include "support/simulation.hpp"

namespace seiswg {
namespace {

TEST(PointInterpolation, WeightsKeepSamplesAndSpreadBetweenThem) {
  // On a sample: that sample alone (nearest-node results kept exactly).
  const auto on = solver::sinc_weights(10, 7, 40, 30, nullptr);
  ASSERT_EQ(on.size(), 1u);
  EXPECT_EQ(on[0].i, 10);
  EXPECT_EQ(on[0].j, 7);
  EXPECT_EQ(on[0].weight, 1.0);
  // Between samples: 8 x 8 weights that reproduce constants and linear functions (to the window's
  // accuracy, Hicks' table: ~1e-3).
  const auto between = solver::sinc_weights(10.3, 7.6, 40, 30, nullptr);
  EXPECT_EQ(between.size(), 64u);
  double sum = 0, first_moment = 0;
  for (const auto& w : between) sum += w.weight, first_moment += w.weight * (w.i - 10.3);
  EXPECT_NEAR(sum, 1.0, 2e-3);
  EXPECT_NEAR(first_moment, 0.0, 2e-3);
  // Above a free surface the weights fold onto the mirror rows with the field's parity: they
  // interpolate from rows >= 0 alone a smooth field odd (or even) about z = 0 as if its image
  // were there, at node depths and half a cell lower.
  for (const auto& fold : {solver::SurfaceFold{-1, false}, solver::SurfaceFold{1, false},
                           solver::SurfaceFold{-1, true}, solver::SurfaceFold{1, true}}) {
    const double shift = fold.staggered ? 0.5 : 0.0;  // the plane's samples sit at (j + shift) dz
    auto field = [&](double z) { return fold.parity < 0 ? std::sin(0.4 * z) : std::cos(0.4 * z); };
    for (double z : {0.0, 0.3, 1.7}) {
      const auto weights = solver::sinc_weights(10, z - shift, 40, 30, &fold);
      double value = 0;
      for (const auto& w : weights) {
        EXPECT_GE(w.j, 0);
        value += w.weight * field(w.j + shift);
      }
      EXPECT_NEAR(value, field(z), 3e-3)
          << "parity " << fold.parity << ", staggered " << fold.staggered << ", z = " << z << " cells";
    }
  }
}

// SH line force and receivers in a whole space, on and between samples.
TEST(PointInterpolation, PointsBetweenSamplesMatchTheAnalyticTraceAsWellAsOnSamples) {
  const int n = 201, nt = 1000;
  const double h = 5, vs = 1000, rho = 2000, mu = rho * vs * vs, dt = 0.0006, f0 = 8, t0 = 0.18, amp = 1e8;
  const auto model = test::uniform_model(n, n, h, h, {{"vs", vs}, {"rho", rho}});
  const auto physics = physics::make_sh();
  const auto stf = solver::ricker(nt, dt, f0, t0, amp);
  // Receivers at these offsets (in samples) from the source, on samples and between them.
  const std::vector<std::pair<double, double>> offsets = {{20, 0},     {25, 25},     {-30, 10},
                                                          {20.5, 0.3}, {25.4, 24.7}, {-30.25, 10.5}};
  for (const auto& source : {std::pair{100.0, 100.0}, std::pair{100.4, 99.7}}) {
    problem::Shot shot;
    for (const auto& w : solver::sinc_weights(source.first, source.second, n, n, nullptr)) {
      solver::PointForce f{0, 0, w.i, w.j, {}};
      for (double v : stf) f.values.push_back(float(w.weight * v));
      shot.forces.push_back(std::move(f));
    }
    for (auto [di, dj] : offsets) {
      problem::TraceSum out;
      for (const auto& w : solver::sinc_weights(source.first + di, source.second + dj, n, n, nullptr)) {
        out.terms.push_back({shot.receivers.size(), w.weight});
        shot.receivers.push_back({0, w.i, w.j});
      }
      shot.outputs.push_back(out);
    }
    problem::Setup setup;
    setup.physics = physics.get();
    setup.nt = nt;
    setup.dt = dt;
    setup.taper = {true, true, true, true, 30, 0.015};
    setup.shots = {shot};
    problem::Problem p(test::test_device(), setup, model);
    const auto traces = p.forward(model).at(0);
    double worst_on = 0, worst_between = 0;
    for (std::size_t r = 0; r < offsets.size(); ++r) {
      const double dist = h * std::hypot(offsets[r].first, offsets[r].second);
      const auto exact = test::sh_ricker_time_domain(dist, test::Ricker{f0, t0, amp}, h * h, mu, rho, dt, dt,
                                                     std::size_t(nt));
      const std::vector<double> trace(traces.begin() + std::ptrdiff_t(r * nt),
                                      traces.begin() + std::ptrdiff_t((r + 1) * nt));
      const double err = test::relative_l2(trace, exact);
      const bool on_samples = source.first == 100.0 && r < 3;
      (on_samples ? worst_on : worst_between) = std::max(on_samples ? worst_on : worst_between, err);
      std::printf("SH, source at (%.1f, %.1f), receiver offset (%.2f, %.2f) samples: relative L2 %.4f\n",
                  source.first, source.second, offsets[r].first, offsets[r].second, err);
      EXPECT_LT(err, 0.02);
    }
    if (source.first == 100.0) {
      EXPECT_LT(worst_between, std::max(2 * worst_on, 0.005));
    }
  }
}

// d J / d vs through interpolated sources and receivers against central differences of J.
TEST(PointInterpolation, GradientThroughInterpolatedPointsMatchesFiniteDifferences) {
  const int nx = 40, nz = 34, nt = 260;
  const double h = 10, dt = 0.004;
  const auto physics = physics::make_sh();
  auto start = test::uniform_model(nx, nz, h, h, {{"vs", 1000}, {"rho", 2000}});
  auto truth = start;
  for (int i = 0; i < nx; ++i)
    for (int j = 0; j < nz; ++j) {
      const double x = (i - 22) / 5.0, z = (j - 16) / 5.0;
      truth.fields["vs"][std::size_t(i * nz + j)] *= float(1 + 0.1 * std::exp(-x * x - z * z));
    }
  problem::Shot shot;
  const auto stf = solver::ricker(nt, dt, 8, 0.15, 1e9);
  for (const auto& w : solver::sinc_weights(12.3, 9.6, nx, nz, nullptr)) {
    solver::PointForce f{0, 0, w.i, w.j, {}};
    for (double v : stf) f.values.push_back(float(w.weight * v));
    shot.forces.push_back(std::move(f));
  }
  for (double x : {6.5, 17.2, 28.75}) {
    problem::TraceSum out;
    for (const auto& w : solver::sinc_weights(x, 25.4, nx, nz, nullptr)) {
      out.terms.push_back({shot.receivers.size(), w.weight});
      shot.receivers.push_back({0, w.i, w.j});
    }
    shot.outputs.push_back(out);
  }
  problem::Setup setup;
  setup.physics = physics.get();
  setup.nt = nt;
  setup.dt = dt;
  setup.taper = {true, true, false, true, 8, 0.03};
  setup.shots = {shot};
  setup.adjoint = true;
  problem::Problem p(test::test_device(), setup, start);
  const auto observed = p.forward(truth);
  const problem::WaveformMisfit misfit;
  const auto e = p.misfit_and_gradient(start, observed, misfit);
  const auto& g = e.gradient.at("vs");
  std::vector<double> dm(start.grid.npt());
  for (int i = 0; i < nx; ++i)
    for (int j = 0; j < nz; ++j) {
      const double x = (i - 18) / 6.0, z = (j - 14) / 6.0;
      dm[std::size_t(i * nz + j)] = 20 * std::exp(-x * x - z * z);
    }
  double directional = 0;
  for (std::size_t k = 0; k < dm.size(); ++k) directional += g[k] * dm[k];
  auto misfit_at = [&](double step) {
    auto m = start;
    for (std::size_t k = 0; k < dm.size(); ++k)
      m.fields["vs"][k] = float(double(m.fields["vs"][k]) + step * dm[k]);
    return p.misfit_and_gradient(m, observed, misfit).misfit;
  };
  const double central = (misfit_at(0.1) - misfit_at(-0.1)) / 0.2;
  std::printf("SH gradient through interpolated points: <g, dm> = %.6e, central difference %.6e (%.2e)\n",
              directional, central, std::abs(central - directional) / std::abs(central));
  EXPECT_LT(std::abs(central - directional), 0.01 * std::abs(central));
}

// [solver] point_interpolation through the command line: stations on nodes of SH's (unshifted) grid
// record what nearest-node stations record; between nodes they differ; a bad value is named.
TEST(PointInterpolation, ConfigKeyThroughTheCommandLine) {
  const auto root = test::fresh_dir("seiswg_point_interpolation");
  test::CaseSpec spec;
  spec.config = test::default_config(true, false, 100, 0.005);
  test::write_case(root / "nearest", spec);
  auto sinc = spec;
  sinc.config = test::replace(spec.config, "sh = yes", "sh = yes\npoint_interpolation = sinc");
  test::write_case(root / "sinc", sinc);
  auto between = sinc;
  between.stations = "237.5 160.0\n375.0 150.0\n";
  test::write_case(root / "between", between);
  for (const char* name : {"nearest", "sinc", "between"}) {
    const auto r = test::run_cli({"run", (root / name).string()});
    ASSERT_EQ(r.exit_code, 0) << name << ": " << r.output;
  }
  const auto a = io::read_npy(root / "nearest/output/uy_000000.npy");
  const auto b = io::read_npy(root / "sinc/output/uy_000000.npy");
  const auto c = io::read_npy(root / "between/output/uy_000000.npy");
  ASSERT_EQ(a.data.size(), b.data.size());
  EXPECT_EQ(a.data, b.data);
  // The second station of `between` is on a node (the second of the others); the first is not.
  const std::size_t nt = 100;
  EXPECT_TRUE(std::equal(c.data.begin() + nt, c.data.begin() + 2 * nt, a.data.begin() + nt));
  EXPECT_FALSE(std::equal(c.data.begin(), c.data.begin() + nt, a.data.begin()));
  auto bad = spec;
  bad.config = test::replace(spec.config, "sh = yes", "sh = yes\npoint_interpolation = cubic");
  test::write_case(root / "bad", bad);
  const auto r = test::run_cli({"run", (root / "bad").string()});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_TRUE(test::contains(r.output,
                             "point_interpolation = cubic: expected nearest (Seispie's: the nearest "
                             "node) or sinc (the true position, Hicks 2002)"))
      << r.output;
  std::filesystem::remove_all(root);
}

}  // namespace
}  // namespace seiswg
