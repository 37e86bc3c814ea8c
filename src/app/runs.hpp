#pragma once
// The CLI's workflows: a Case in, files out (all or nothing), through a problem::Problem.
#include <filesystem>
#include <iosfwd>
#include <memory>
#include <string>
#include <vector>

#include "app/case.hpp"
#include "app/ranks.hpp"
#include "gpu/device.hpp"

namespace seiswg::app {

struct RunOptions {
  std::string adapter;   // see gpu::DeviceOptions
  bool progress = true;  // live progress line (only on a terminal)
  bool quiet = false;    // no summary lines
  bool verbose = false;  // the plan of `seiswg check` first
  bool restart = false;  // inversion: start over instead of continuing a saved run
  // The ranks the run's shots are spread over (this process alone unless main started MPI): each
  // computes its share; rank 0 writes the shared outputs.
  Ranks ranks = {};
};

struct RunSummary {
  std::string adapter;
  double wall_seconds = 0;
  double grid_point_steps = 0;  // points x steps over all runs
  std::vector<std::filesystem::path> files;
};

// Prints the config's warnings and opens the GPU device the options ask for (summary.adapter).
std::unique_ptr<gpu::Device> start_run(const Case& c, const RunOptions& options, std::ostream& log,
                                       RunSummary& summary);

// Seispie's `mode = forward`: traces, snapshots and pictures. Throws InputError / GpuError /
// std::runtime_error (instability) with a complete message.
RunSummary run_forward(const Case& c, const RunOptions& options, std::ostream& log);

// Seispie's `mode = adjoint`: the misfit between synthetics (model_init) and observed traces in
// <output>/misfit.txt and the exact sensitivity kernels d J / d model in
// <output>/kernels/proc000000_k<name>.bin (+ PNG). Throws like run_forward.
RunSummary run_adjoint(const Case& c, const RunOptions& options, std::ostream& log);

// Seispie's `mode = inversion`: frequency stages of L-BFGS / CG / steepest-descent iterations on
// misfit_and_gradient, with bounds and gradient conditioning. Writes <output>/iter_NNNN/ (every model
// file, a model_init folder as it is, plus PNGs) and <output>/misfit.csv; saves its whole state in
// <output>/inversion_state.bin after every evaluation, so that running it again continues exactly
// where it stopped (options.restart: start over). Throws like run_forward.
RunSummary run_inversion(const Case& c, const RunOptions& options, std::ostream& log);

// `seiswg check-gradient`: Taylor test of the case's misfit gradient (the inverted parameters of an
// inversion case; the default ones of an adjoint case) and the dot-product test of its linearized
// (Born) operator, printed as tables. Returns false when a check fails.
bool run_check_gradient(const Case& c, const RunOptions& options, std::ostream& out);

// `seiswg check`: the plan of the case (medium, grid, time step and its stability limit, points per
// wavelength, shots, batches, GPU memory, adjoint storage, a rough run time), printed after every check
// a run makes before its first time step (observed traces included). Runs nothing, writes nothing.
// Returns the number of warnings.
int run_check(const Case& c, const RunOptions& options, std::ostream& out);
// The rough speed (grid-point steps per second, in billions) `check` assumes for an adapter kind, and
// the time each step's dispatches take at least (what bounds small grids).
double rough_speed_gpts(gpu::AdapterKind kind);
double rough_step_latency(gpu::AdapterKind kind);

// The Problem setup of an adjoint run of medium `eq` (storage from the case, `evaluations` gradients
// served by the stored states).
problem::Setup adjoint_setup(const Case& c, const physics::WaveEquation& eq, const gpu::Device& device,
                             double evaluations = 1);

}  // namespace seiswg::app
