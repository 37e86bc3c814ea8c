#pragma once
// The media of the adjoint and Problem tests: one homogeneous background per wave equation, with a
// grid spacing and time step that resolve an 8 Hz Ricker and stay stable.
#include <map>
#include <memory>
#include <string>

#include "physics/wave_equation.hpp"

namespace seiswg::test {

struct Medium {
  const char* name;
  std::unique_ptr<physics::WaveEquation> (*make)();
  std::map<std::string, double> base;
  double h, dt;
};

inline const Medium kSh{"SH", physics::make_sh, {{"vs", 1000}, {"rho", 2000}}, 10, 0.004};
inline const Medium kAcoustic{"acoustic", physics::make_acoustic, {{"vp", 2000}, {"rho", 2000}}, 10, 0.0015};
inline const Medium kPsv{
    "P-SV", [] { return physics::make_psv(); }, {{"vp", 2000}, {"vs", 1100}, {"rho", 2000}}, 10, 0.002};
// P-SV reading the source types: explosion and moment-tensor sources beside the forces.
inline const Medium kPsvMoments{"P-SV (moment sources)",
                                [] { return physics::make_psv(true); },
                                {{"vp", 2000}, {"vs", 1100}, {"rho", 2000}},
                                10,
                                0.002};
// Seispie's spin medium, with micro-inertia and couple moduli scaled so that, on a 10 m grid at 8 Hz,
// the rotation resonates near the source frequency (sqrt(4 nu / J) ~ 10 Hz) and the couple stress
// matters (c k^2 ~ 4 nu): every Cosserat parameter then changes the traces measurably.
inline const Medium kCosserat{"Cosserat",
                              [] { return physics::make_cosserat(); },
                              {{"rho", 2700},
                               {"lambda", 8.1e9},
                               {"mu", 8.1e9},
                               {"nu", 1.0e9},
                               {"j", 1.0e6},
                               {"lambda_c", 7.75e8},
                               {"mu_c", 2.0e12},
                               {"nu_c", 3.0e12}},
                              10,
                              0.0012};

}  // namespace seiswg::test
