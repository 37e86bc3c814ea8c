// Acoustic medium: the pressure of a volume injection against the analytic 2-D Green's function,
// the config keys and source types through the command line, and batched shots against single
// shots. (Its adjoint: tests/test_adjoint.cpp and tests/test_born.cpp.)
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <numbers>

#include "io/npy.hpp"
#include "solver/wavelet.hpp"
#include "support/analytic.hpp"
#include "support/case_writer.hpp"
#include "support/simulation.hpp"

namespace seiswg {
namespace {

namespace fs = std::filesystem;

// dp/dt = -kappa div v + q(t) delta(x), rho dv/dt = -grad p give d2p/dt2 - c^2 lap p = q'(t) delta(x),
// whose solution is p = G * q' with the 2-D Green's function G = H(ct - r) / (2 pi c sqrt(c^2 t^2 - r^2)):
//   p(r, t) = 1 / (2 pi c^2) int_0^{arccosh(c t / r)} q'(t - (r / c) cosh s) ds,
// the SH line-force integral (tests/support/analytic.hpp) with mu = c^2, rho = 1 and F = q'.
double acoustic_pressure(double r, double t, double c, const test::Ricker& w) {
  const double a = (std::numbers::pi * w.f0) * (std::numbers::pi * w.f0);
  // d/dt of -amp (1 - 2 a tau^2) exp(-a tau^2) = amp * 2 a tau (3 - 2 a tau^2) exp(-a tau^2).
  auto derivative = [&](double time) {
    const double tau = time - w.t0;
    return w.amp * 2 * a * tau * (3 - 2 * a * tau * tau) * std::exp(-a * tau * tau);
  };
  return test::sh_line_force(r, t, c * c, 1.0, derivative);
}

TEST(AcousticAnalytic, VolumeInjectionMatchesGreenFunctionWithin2Percent) {
  // 15 points per shortest wavelength (vp / (2.5 f0) = 75 m, h = 5 m); the window (0.48 s) ends
  // before the first echo from the tapered edges (>= 0.53 s).
  const int n = 201, nt = 800;
  const double h = 5, vp = 1500, rho = 1000, dt = 0.0006, f0 = 8, t0 = 0.18, amp = 1e3;
  const auto model = test::uniform_model(n, n, h, h, {{"vp", vp}, {"rho", rho}});
  const auto physics = physics::make_acoustic();
  ASSERT_LT(dt, physics->max_stable_dt(model));
  const int is = n / 2, js = n / 2;
  // As the case reader makes it (app/case.cpp, forces_for): the wavelet at (it + 1/2) dt, over the cell.
  const auto forcing = physics->source_forcing(1, 0);
  ASSERT_EQ(forcing.size(), 1u);
  const auto stf = solver::ricker(nt, dt, f0, t0 - 0.5 * dt, amp / (h * h));
  solver::PointForce source{forcing[0].velocity_plane,
                            forcing[0].buoyancy_plane,
                            is,
                            js,
                            std::vector<float>(stf.begin(), stf.end()),
                            0,
                            true};
  const std::vector<std::pair<int, int>> offsets = {{20, 0}, {0, -30}, {25, 25}, {-28, 14}, {0, 40}};
  std::vector<solver::PointReceiver> receivers;
  for (auto [di, dj] : offsets) receivers.push_back({0, is + di, js + dj, 0, true});
  const auto traces =
      test::run_traces(*physics, model, nt, dt, {true, true, true, true, 30, 0.015}, {source}, receivers);
  for (std::size_t r = 0; r < offsets.size(); ++r) {
    const double dist = h * std::hypot(offsets[r].first, offsets[r].second);
    // Sample it is the pressure after step it, at t = (it + 1) dt.
    std::vector<double> exact(static_cast<std::size_t>(nt));
    for (int it = 0; it < nt; ++it)
      exact[std::size_t(it)] = acoustic_pressure(dist, (it + 1) * dt, vp, test::Ricker{f0, t0, amp});
    const double err = test::relative_l2(traces[r], exact);
    std::printf("acoustic p at r = %5.1f m: relative L2 %.4f\n", dist, err);
    EXPECT_LT(err, 0.02) << "receiver at " << dist << " m";
  }
}

// The Green's function above, checked against a second, independent evaluation: the frequency
// domain p^(w) = (i / (4 c^2)) H0(w r / c) (-i w) q^(w) (tests/support/analytic: the SH Green's
// function with mu = c^2, rho = 1, whose Ricker path takes the spectrum of q itself).
TEST(AcousticAnalytic, GreenFunctionAgreesWithTheFrequencyDomain) {
  const double c = 1500, r = 130, dt = 0.001;
  const test::Ricker w{8, 0.18, 1e3};
  const std::size_t n = 500;
  // u_SH = (1/(2 pi mu)) int q(t - (r/c) cosh s) ds with mu = c^2; its time derivative is p.
  const auto u = test::sh_ricker_frequency_domain(r, w, 1.0, c * c, 1.0, 0.0, dt, n + 1);
  double num = 0, den = 0;
  for (std::size_t k = 1; k + 1 < n; ++k) {
    const double from_frequency = (u[k + 1] - u[k - 1]) / (2 * dt);
    const double direct = acoustic_pressure(r, double(k) * dt, c, w);
    num += (from_frequency - direct) * (from_frequency - direct);
    den += direct * direct;
  }
  std::printf("acoustic Green's function, time vs frequency domain: relative L2 %.2e\n",
              std::sqrt(num / den));
  EXPECT_LT(std::sqrt(num / den), 2e-3);  // the central difference's O(dt^2) error
}

// A pressure-release surface at z = 0 (row 0): the field of a source at depth d is the whole-space
// field of the source minus that of its mirror image at -d (p = 0 on the surface).
TEST(AcousticAnalytic, FreeSurfaceMatchesImageSourceWithin2Percent) {
  const int nx = 201, nz = 121, nt = 800;
  const double h = 5, vp = 1500, rho = 1000, dt = 0.0006, f0 = 8, t0 = 0.18, amp = 1e3;
  const auto model = test::uniform_model(nx, nz, h, h, {{"vp", vp}, {"rho", rho}});
  const auto physics = physics::make_acoustic();
  const int is = nx / 2, js = 20;  // 100 m deep
  const auto forcing = physics->source_forcing(1, 0);
  const auto stf = solver::ricker(nt, dt, f0, t0 - 0.5 * dt, amp / (h * h));
  solver::PointForce source{forcing[0].velocity_plane,
                            forcing[0].buoyancy_plane,
                            is,
                            js,
                            std::vector<float>(stf.begin(), stf.end()),
                            0,
                            true};
  // Just below the surface, at the source's depth, and deeper; on the axis and 100-150 m off.
  const std::vector<std::pair<int, int>> nodes = {
      {is + 20, 1}, {is - 30, 4}, {is, 10}, {is + 25, 20}, {is - 20, 45}};
  std::vector<solver::PointReceiver> receivers;
  for (auto [i, j] : nodes) receivers.push_back({0, i, j, 0, true});
  const solver::Edges edges{{true, true, false, true, 30, 0.015}, true};
  solver::Propagator p(test::test_device(), *physics, model, nt, dt, edges);
  p.set_sources(std::vector<solver::PointForce>{source});
  p.set_receivers(receivers);
  p.reset();
  p.advance(nt);
  const auto flat = p.traces();
  for (std::size_t r = 0; r < nodes.size(); ++r) {
    const double ox = h * (nodes[r].first - is), z = h * nodes[r].second, zs = h * js;
    const double direct = std::hypot(ox, z - zs), image = std::hypot(ox, z + zs);
    std::vector<double> exact(static_cast<std::size_t>(nt)), trace(exact.size());
    for (int it = 0; it < nt; ++it) {
      const double t = (it + 1) * dt;
      const test::Ricker w{f0, t0, amp};
      exact[std::size_t(it)] =
          (direct > 0 ? acoustic_pressure(direct, t, vp, w) : 0) - acoustic_pressure(image, t, vp, w);
      trace[std::size_t(it)] = flat[r * std::size_t(nt) + std::size_t(it)];
    }
    const double err = test::relative_l2(trace, exact);
    std::printf("acoustic p under a free surface at (%.0f, %.0f) m: relative L2 %.4f\n", ox, z, err);
    EXPECT_LT(err, 0.02) << "receiver at node (" << nodes[r].first << ", " << nodes[r].second << ")";
  }
}

test::CaseSpec acoustic_case(const std::string& sources) {
  test::CaseSpec spec;
  spec.vp = 1500;
  spec.rho = 1000;
  spec.field_names = {"vp", "rho", "vs"};  // a vs file beside them is not read
  spec.sources = sources;
  spec.config = test::replace(test::replace(test::default_config(false, false, 120, 0.004, 60), "psv = no",
                                            "psv = no\nacoustic = yes"),
                              "combine_sources = yes", "combine_sources = no");
  return spec;
}

double relative_l2(const std::vector<float>& a, const std::vector<float>& b) {
  double num = 0, den = 0;
  for (std::size_t k = 0; k < a.size(); ++k)
    num += (double(a[k]) - b[k]) * (double(a[k]) - b[k]), den += double(b[k]) * b[k];
  return std::sqrt(num / den);
}

TEST(AcousticCase, BatchedShotsEqualSingleShots) {
  const std::vector<std::string> sources = {"300.0 200.0 1 4.0 0.25 0.0 1.0e3\n",
                                            "450.0 300.0 0 5.0 0.2 30.0 1.0e6\n"};
  const fs::path root = test::fresh_dir("seiswg_acoustic_shots");
  auto spec = acoustic_case(sources[0] + sources[1]);
  test::write_case(root / "batched", spec);
  auto r = test::run_cli({"run", (root / "batched").string()});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  for (std::size_t s = 0; s < sources.size(); ++s) {
    auto single = acoustic_case(sources[s]);
    const fs::path dir = root / ("single" + std::to_string(s));
    test::write_case(dir, single);
    r = test::run_cli({"run", dir.string()});
    ASSERT_EQ(r.exit_code, 0) << r.output;
    for (const char* component : {"p", "ux", "uz"}) {
      const auto batched = io::read_npy(root / "batched/output" /
                                        (std::string(component) + "_00000" + std::to_string(s) + ".npy"));
      const auto alone = io::read_npy(dir / "output" / (std::string(component) + "_000000.npy"));
      ASSERT_EQ(batched.shape, alone.shape);
      double peak = 0;
      for (float v : alone.data) peak = std::max(peak, double(std::abs(v)));
      EXPECT_GT(peak, 0) << component << " of source " << s << " is zero";
      EXPECT_LT(relative_l2(batched.data, alone.data), 1e-6) << component << " of source " << s;
    }
    const auto batched =
        io::read_field_bin(root / "batched/output" / ("proc000060_p_src" + std::to_string(s) + ".bin"));
    const auto alone = io::read_field_bin(dir / "output" / "proc000060_p.bin");
    EXPECT_LT(relative_l2(batched, alone), 1e-6) << "pressure snapshot of source " << s;
  }
  fs::remove_all(root);
}

TEST(AcousticCase, BadKeysAndSourceTypesAreNamed) {
  const fs::path root = test::fresh_dir("seiswg_acoustic_errors");
  auto spec = acoustic_case("300.0 200.0 2 4.0 0.25 0.0 1.0e3\n");
  test::write_case(root / "type", spec);
  auto r = test::run_cli({"run", (root / "type").string()});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_TRUE(test::contains(r.output,
                             "sources.dat:1: type = 2: the acoustic medium takes source types 0 "
                             "(force) or 1 (volume injection)"))
      << r.output;
  spec = acoustic_case("300.0 200.0 1 4.0 0.25 0.0 1.0e3\n");
  spec.config = test::replace(spec.config, "psv = no", "psv = yes");
  test::write_case(root / "both", spec);
  r = test::run_cli({"run", (root / "both").string()});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_TRUE(test::contains(r.output, "acoustic = yes and psv = yes cannot run together")) << r.output;
  spec = acoustic_case("300.0 200.0 1 4.0 0.25 0.0 1.0e3\n");
  spec.config = test::replace(spec.config, "acoustic = yes", "acoustic = maybe");
  test::write_case(root / "value", spec);
  r = test::run_cli({"run", (root / "value").string()});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_TRUE(test::contains(r.output, "acoustic")) << r.output;
  // A free surface is the top: it cannot be tapered too; the key is a yes/no.
  spec = acoustic_case("300.0 200.0 1 4.0 0.25 0.0 1.0e3\n");
  spec.config = test::replace(test::replace(spec.config, "abs_top = no", "abs_top = yes"), "acoustic = yes",
                              "acoustic = yes\nfree_surface = yes");
  test::write_case(root / "top", spec);
  r = test::run_cli({"run", (root / "top").string()});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_TRUE(test::contains(r.output,
                             "free_surface = yes makes the top (z = 0, row j = 0) a free surface: it "
                             "cannot also be absorbing (set abs_top = no)"))
      << r.output;
  spec = acoustic_case("300.0 200.0 1 4.0 0.25 0.0 1.0e3\n");
  spec.config = test::replace(test::replace(spec.config, "acoustic = yes", "free_surface = yes"), "psv = no",
                              "psv = yes");
  spec.config = test::replace(spec.config, "free_surface = yes", "free_surface = sometimes");
  test::write_case(root / "bool", spec);
  r = test::run_cli({"run", (root / "bool").string()});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_TRUE(test::contains(r.output, "free_surface")) << r.output;
  fs::remove_all(root);
}

}  // namespace
}  // namespace seiswg
