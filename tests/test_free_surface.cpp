// Free surface ([solver] free_surface): long runs beside the absorbing taper stay stable. (Its
// accuracy: the image-source tests in test_acoustic.cpp and test_sh_analytic.cpp; its adjoint: the
// FreeSurface dot-product and Taylor tests in test_adjoint.cpp and test_born.cpp.)
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "solver/wavelet.hpp"
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
  p.reset();
  p.advance(nt);
  solver::BlowUp blow_up;
  ASSERT_EQ(p.completed_steps(&blow_up), std::uint32_t(nt));
  ASSERT_FALSE(blow_up.happened) << "blew up at step " << blow_up.step;
  const auto trace = p.traces();
  // The largest |sample| in the first 2000 steps, in steps 2000-10999 and in 11000-19999.
  double peak[3] = {0, 0, 0};
  for (int it = 0; it < nt; ++it) {
    const int window = it < 2000 ? 0 : (it < 11000 ? 1 : 2);
    peak[window] = std::max(peak[window], double(std::abs(trace[std::size_t(it)])));
  }
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
  const auto model = test::uniform_model(24, 24, 10, 10,
                                         {{"rho", 2700},
                                          {"lambda", 8.1e9},
                                          {"mu", 8.1e9},
                                          {"nu", 1.0e9},
                                          {"j", 1.0e6},
                                          {"lambda_c", 7.75e8},
                                          {"mu_c", 2.0e12},
                                          {"nu_c", 3.0e12}});
  const auto eq = physics::make_cosserat();
  const double dt = 0.9 * eq->max_stable_dt(model);
  const auto stf = solver::ricker(20000, dt, 10, 0.1, 1e8);
  free_surface_stays_stable(*eq, model, dt, {1, 1, 12, 3, std::vector<float>(stf.begin(), stf.end())},
                            {1, 10, 0});  // uz half a cell below the surface
}

}  // namespace
}  // namespace seiswg
