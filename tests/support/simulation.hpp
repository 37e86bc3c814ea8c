#pragma once
// In-process access to the solver for physics tests: one GPU device for the whole test binary,
// in-memory models, and a single-run helper.
#include <array>
#include <map>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "gpu/device.hpp"
#include "io/seispie_files.hpp"
#include "physics/wave_equation.hpp"
#include "solver/propagator.hpp"

namespace seiswg::test {

gpu::Device& test_device();

// A homogeneous model: every field in `values` constant over an nx x nz grid of spacing dx, dz.
io::Model uniform_model(int nx, int nz, double dx, double dz, const std::map<std::string, double>& values);

// Runs nt steps with the given forces and receivers; returns traces [receiver][nt] in double.
std::vector<std::vector<double>> run_traces(const physics::WaveEquation& physics, const io::Model& model,
                                            int nt, double dt, const solver::Taper& taper,
                                            const std::vector<solver::PointForce>& forces,
                                            const std::vector<solver::PointReceiver>& receivers);
// <f, L^T d> of a dot-product test: the source functions against the adjoint wavefield at the
// sources (Adjoint::reverse's rows, in the order of their sample: plane * npt + node, the stress
// planes after the velocity planes), in double.
double forces_dot_source_adjoint(const physics::WaveEquation& physics, const io::Grid& grid,
                                 const std::vector<solver::PointForce>& forces,
                                 const std::vector<float>& source_adjoint, int nt);
// A long-run stability check: advances `p` (sources, receivers set) nt steps, checks that it stayed
// finite, and returns the largest |sample| of every trace in steps [0, 2000), [2000, 11000) and
// [11000, nt) (gtest failures where it blew up).
std::array<double, 3> long_run_peaks(solver::Propagator& p, int nt);
// J = 1/2 sum (d - d_obs)^2 dt, in double: the least-squares misfit of the gradient tests.
double waveform_misfit(const std::vector<float>& traces, const std::vector<float>& observed, double dt);
// <F dm, dd> and <dm, F^T dd> of a Born dot-product test on propagator `p` (sources and receivers
// set): dm given, dd standard normal from `rng`; F^T dd is the adjoint's gradient of <F dm, dd>.
std::pair<double, double> born_dot_products(solver::Propagator& p, const std::vector<float>& dm, int nt,
                                            std::mt19937& rng);
// The same with the grid's edges (taper, free surface, CPML).
std::vector<std::vector<double>> run_traces(const physics::WaveEquation& physics, const io::Model& model,
                                            int nt, double dt, const solver::Edges& edges,
                                            const std::vector<solver::PointForce>& forces,
                                            const std::vector<solver::PointReceiver>& receivers);

double relative_l2(const std::vector<double>& a, const std::vector<double>& b);

}  // namespace seiswg::test
