// SH against the analytic 2-D Green's function of a line force in a homogeneous whole space.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>

#include "solver/wavelet.hpp"
#include "support/analytic.hpp"
#include "support/simulation.hpp"

namespace seiswg {
namespace {

TEST(ShAnalytic, LineForceMatchesGreenFunctionWithin2Percent) {
  // 10 points per shortest wavelength: vs / (2.5 f0) = 1000 / 20 = 50 m = 10 dx.
  const int n = 201;
  const double h = 5, vs = 1000, rho = 2000, mu = rho * vs * vs, dt = 0.0006, f0 = 8, t0 = 0.18, amp = 1e8;
  const int nt = 1000;  // 0.6 s: before the first echo from the tapered edges (>= 0.75 s)
  const auto model = test::uniform_model(n, n, h, h, {{"vs", vs}, {"rho", rho}});
  solver::Taper taper{true, true, true, true, 30, 0.015};
  const int is = n / 2, js = n / 2;
  const auto stf = solver::ricker(nt, dt, f0, t0, amp);
  solver::PointForce force{0, 0, is, js, std::vector<float>(stf.begin(), stf.end())};
  // Receivers 100-250 m away along the axes and diagonals.
  const std::vector<std::pair<int, int>> offsets = {{20, 0},  {0, -30},  {-50, 0},
                                                    {25, 25}, {-35, 35}, {0, 45}};
  std::vector<solver::PointReceiver> receivers;
  for (auto [di, dj] : offsets) receivers.push_back({0, is + di, js + dj});
  const auto physics = physics::make_sh();
  const auto traces = test::run_traces(*physics, model, nt, dt, taper, {force}, receivers);

  for (std::size_t r = 0; r < offsets.size(); ++r) {
    const double dist = h * std::hypot(offsets[r].first, offsets[r].second);
    // Sample it is the displacement at t = (it + 1) dt; F = f dx dz (force per volume at one node).
    const auto exact =
        test::sh_ricker_time_domain(dist, test::Ricker{f0, t0, amp}, h * h, mu, rho, dt, dt, std::size_t(nt));
    const double err = test::relative_l2(traces[r], exact);
    std::printf("SH r = %5.1f m: relative L2 %.4f\n", dist, err);
    EXPECT_LT(err, 0.02) << "receiver at " << dist << " m, offset (" << offsets[r].first << ", "
                         << offsets[r].second << ") nodes";
  }
}

// A traction-free surface at z = 0 (row 0): the field of a source at depth d is the whole-space
// field of the source plus that of its mirror image at -d (szy = 0 on the surface).
TEST(ShAnalytic, FreeSurfaceMatchesImageSourceWithin2Percent) {
  const int nx = 201, nz = 121, nt = 1000;
  const double h = 5, vs = 1000, rho = 2000, mu = rho * vs * vs, dt = 0.0006, f0 = 8, t0 = 0.18, amp = 1e8;
  const auto model = test::uniform_model(nx, nz, h, h, {{"vs", vs}, {"rho", rho}});
  const int is = nx / 2, js = 20;  // 100 m deep
  const auto stf = solver::ricker(nt, dt, f0, t0, amp);
  solver::PointForce force{0, 0, is, js, std::vector<float>(stf.begin(), stf.end())};
  // On the surface, just below it, at the source's depth and deeper.
  const std::vector<std::pair<int, int>> nodes = {
      {is + 20, 0}, {is - 30, 3}, {is, 10}, {is + 25, 20}, {is - 20, 45}};
  std::vector<solver::PointReceiver> receivers;
  for (auto [i, j] : nodes) receivers.push_back({0, i, j});
  const auto physics = physics::make_sh();
  solver::Propagator p(test::test_device(), *physics, model, nt, dt,
                       solver::Edges{{true, true, false, true, 30, 0.015}, true});
  p.set_sources(std::vector<solver::PointForce>{force});
  p.set_receivers(receivers);
  p.reset();
  p.advance(nt);
  const auto flat = p.traces();
  for (std::size_t r = 0; r < nodes.size(); ++r) {
    const double ox = h * (nodes[r].first - is), z = h * nodes[r].second, zs = h * js;
    const test::Ricker w{f0, t0, amp};
    // Sample it is the displacement at t = (it + 1) dt; F = f dx dz (force per volume at one node).
    const auto direct =
        test::sh_ricker_time_domain(std::hypot(ox, z - zs), w, h * h, mu, rho, dt, dt, std::size_t(nt));
    const auto image =
        test::sh_ricker_time_domain(std::hypot(ox, z + zs), w, h * h, mu, rho, dt, dt, std::size_t(nt));
    std::vector<double> exact(direct.size()), trace(direct.size());
    for (std::size_t it = 0; it < exact.size(); ++it)
      exact[it] = direct[it] + image[it], trace[it] = flat[r * std::size_t(nt) + it];
    const double err = test::relative_l2(trace, exact);
    std::printf("SH under a free surface at (%.0f, %.0f) m: relative L2 %.4f\n", ox, z, err);
    EXPECT_LT(err, 0.02) << "receiver at node (" << nodes[r].first << ", " << nodes[r].second << ")";
  }
}

}  // namespace
}  // namespace seiswg
