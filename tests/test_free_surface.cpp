// Free surface ([solver] free_surface): long runs beside the absorbing taper stay stable. (Its
// accuracy: the image-source tests in test_acoustic.cpp and test_sh_analytic.cpp; its adjoint: the
// FreeSurface dot-product and Taylor tests in test_adjoint.cpp and test_born.cpp.)
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "solver/wavelet.hpp"
#include "support/media.hpp"
#include "support/simulation.hpp"

namespace seiswg {
namespace {

// A free surface with the taper on the other sides: 20,000 steps on a tiny grid stay finite and the
// wavefield dies away instead of growing (a known failure of free surfaces beside absorbing layers).
void free_surface_stays_stable(const physics::WaveEquation& eq, const io::Model& model, double dt,
                               const solver::PointForce& source, const solver::PointReceiver& receiver) {
  const int nt = 20000;
  solver::Propagator p(test::test_device(), eq, model, nt, dt,
                       solver::Edges{{true, true, false, true, 8, 0.03}, true});
  p.set_sources(std::vector<solver::PointForce>{source});
  p.set_receivers(std::vector<solver::PointReceiver>{receiver});
  const auto peak = test::long_run_peaks(p, nt);
  std::printf(
      "%s free surface, 20000 steps: largest |sample| in steps 0-1999 %.3e, 2000-10999 %.3e, "
      "11000-19999 %.3e\n",
      eq.name().c_str(), peak[0], peak[1], peak[2]);
  EXPECT_GT(peak[0], 0);
  EXPECT_LT(peak[1], 0.2 * peak[0]);   // the waves have left through the taper
  EXPECT_LT(peak[2], 0.01 * peak[0]);  // and nothing grows back (float32 round-off stays)
}

TEST(FreeSurface, AcousticStaysStableFor20000Steps) {
  const auto model = test::uniform_model(24, 24, 10, 10, {{"vp", 2000}, {"rho", 2000}});
  const auto eq = physics::make_acoustic();
  const double dt = 0.9 * eq->max_stable_dt(model);
  const auto stf = solver::ricker(20000, dt, 10, 0.1, 1e3);
  const auto f = eq->source_forcing(1, 0).front();
  free_surface_stays_stable(
      *eq, model, dt,
      {f.velocity_plane, f.buoyancy_plane, 12, 3, std::vector<float>(stf.begin(), stf.end()), 0, true},
      {0, 10, 2, 0, true});  // the pressure 20 m below the surface
}

TEST(FreeSurface, ShStaysStableFor20000Steps) {
  const auto model = test::uniform_model(24, 24, 10, 10, {{"vs", 1000}, {"rho", 2000}});
  const auto eq = physics::make_sh();
  const double dt = 0.9 * eq->max_stable_dt(model);
  const auto stf = solver::ricker(20000, dt, 10, 0.1, 1e8);
  free_surface_stays_stable(*eq, model, dt, {0, 0, 12, 3, std::vector<float>(stf.begin(), stf.end())},
                            {0, 10, 0});  // on the surface
}

TEST(FreeSurface, PsvStaysStableFor20000Steps) {
  const auto model = test::uniform_model(24, 24, 10, 10, {{"vp", 2000}, {"vs", 1100}, {"rho", 2000}});
  const auto eq = physics::make_psv();
  const double dt = 0.9 * eq->max_stable_dt(model);
  const auto stf = solver::ricker(20000, dt, 10, 0.1, 1e8);
  free_surface_stays_stable(*eq, model, dt, {1, 1, 12, 3, std::vector<float>(stf.begin(), stf.end())},
                            {1, 10, 0});  // uz half a cell below the surface
}

TEST(FreeSurface, CosseratStaysStableFor20000Steps) {
  const auto model = test::uniform_model(24, 24, 10, 10, test::kCosserat.base);  // Seispie's spin medium
  const auto eq = physics::make_cosserat();
  const double dt = 0.9 * eq->max_stable_dt(model);
  const auto stf = solver::ricker(20000, dt, 10, 0.1, 1e8);
  free_surface_stays_stable(*eq, model, dt, {1, 1, 12, 3, std::vector<float>(stf.begin(), stf.end())},
                            {1, 10, 0});  // uz half a cell below the surface
}

}  // namespace
}  // namespace seiswg
