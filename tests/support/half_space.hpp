#pragma once
// Garvin's problem (Garvin 1956: a line explosion) and Lamb's (a vertical line force) at depth h under
// the traction-free surface z = 0 of a homogeneous elastic half-space (z down), by a wavenumber
// integration written for these tests (test support): the source's potentials as plane waves plus
// their reflected and converted P and S,
// each plane wave's amplitudes from sigma_zz = sigma_xz = 0 at z = 0, summed over the horizontal
// wavenumber and inverted over frequency with a complex frequency omega + i sigma (which moves the
// Rayleigh pole off the real wavenumber axis; the trace is multiplied back by exp(sigma t)).
#include <cstddef>
#include <vector>

namespace seiswg::test {

struct HalfSpace {
  double vp, vs, rho;
};

// The line source: an explosion of moment M(t) per metre (M_ij = M delta_ij), or a vertical line
// force F(t) in N/m along +z (down) (Lamb's problem).
enum class LineSource { explosion, vertical_force };

// Displacement component `component` (0: ux, 1: uz, z down) at (x, z) (x from the source, z >= 0 the
// depth) of a line source at depth `depth` whose M or F is Ricker(f0, t0, amp)(t), at
// t_k = t_first + k dt (k < n). With `whole_space` the surface is left out (the direct waves alone:
// for checking the integration against the closed forms).
std::vector<double> half_space_line_source(const HalfSpace& medium, LineSource source, double depth,
                                           int component, double x, double z, double f0, double t0,
                                           double amp, double t_first, double dt, std::size_t n,
                                           bool whole_space = false);

// The whole-space line explosion's P wave in closed form: u = grad phi with
// phi'' - vp^2 lap phi = -M delta / rho, so the radial displacement at distance r is
// u_r = 1/(2 pi rho vp^3) int_0^{arccosh(vp t / r)} M'(t - (r/vp) cosh s) cosh s ds
// (positive: away from the source for M > 0), M the Ricker(f0, t0, amp).
double line_explosion_radial(const HalfSpace& medium, double r, double t, double f0, double t0, double amp);

}  // namespace seiswg::test
