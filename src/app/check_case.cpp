// `seiswg check CONFIG`: everything a run would read and check, and the plan it would follow, without
// running a time step or writing a file.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <ostream>
#include <sstream>
#include <tuple>

#include "app/duration.hpp"
#include "app/run_files.hpp"
#include "app/runs.hpp"
#include "app/state_file.hpp"
#include "io/error.hpp"
#include "problem/problem.hpp"

namespace seiswg::app {
namespace {

std::string number(double v, const char* format = "%.4g") {
  char text[64];
  std::snprintf(text, sizeof text, format, v);
  return text;
}

std::string mib(std::uint64_t bytes) {
  return bytes >= (1ull << 30) ? number(double(bytes) / double(1ull << 30), "%.3g GiB")
                               : number(double(bytes) / double(1ull << 20), "%.3g MiB");
}

// The slowest wave of the model: shear waves where vs > 0 (from vs, or sqrt(mu / rho) for models
// given by moduli), else the P wave; and the parameter it was read from.
std::pair<double, std::string> slowest_wave(const io::Model& m) {
  const auto field = [&](const char* name) -> const std::vector<float>* {
    const auto it = m.fields.find(name);
    return it == m.fields.end() ? nullptr : &it->second;
  };
  const auto *vs = field("vs"), *vp = field("vp"), *mu = field("mu"), *rho = field("rho"),
             *lambda = field("lambda");
  double slowest = std::numeric_limits<double>::infinity();
  std::string from;
  auto take = [&](double v, const char* name) {
    if (v > 0 && v < slowest) slowest = v, from = name;
  };
  for (std::size_t k = 0; k < m.grid.npt(); ++k) {
    if (vs && (*vs)[k] > 0)
      take((*vs)[k], "vs");
    else if (mu && rho && (*mu)[k] > 0 && (*rho)[k] > 0)
      take(std::sqrt(double((*mu)[k]) / (*rho)[k]), "sqrt(mu / rho)");
    else if (vp)
      take((*vp)[k], "vp");
    else if (lambda && rho && (*rho)[k] > 0)
      take(std::sqrt(double((*lambda)[k]) / (*rho)[k]), "sqrt(lambda / rho)");
  }
  return {slowest, from};
}

}  // namespace

Sampling sampling_of(const Case& c) {
  Sampling s;
  for (const auto& source : c.sources) s.f0 = std::max(s.f0, source.f0);
  s.f_max = 2.5 * s.f0;
  std::tie(s.slowest, s.from) = slowest_wave(c.model);
  s.h = std::max(c.model.grid.dx, c.model.grid.dz);
  if (s.f_max > 0 && std::isfinite(s.slowest)) s.points = s.slowest / s.f_max / s.h;
  return s;
}

std::string sampling_problem(const Sampling& s) {
  if (!(s.points < 5)) return "";
  return number(s.points, "%.3g") + " points per wavelength at " + number(s.f_max) + " Hz" +
         (s.points < 1
              ? ": below 1, the grid cannot represent the sources' waves at all (aliasing)"
              : ": below 5, this 4th-order scheme shows numerical dispersion (late, ringing arrivals)") +
         "; refine the grid to dx, dz <= " + number(s.slowest / s.f_max / 5) +
         " m or lower the sources' f0 to <= " + number(s.slowest / s.h / 5 / 2.5) + " Hz";
}

double rough_step_latency(gpu::AdapterKind kind) {
  switch (kind) {
    case gpu::AdapterKind::discrete:
      return 20e-6;
    case gpu::AdapterKind::integrated:
      return 50e-6;
    case gpu::AdapterKind::cpu:
      return 5e-3;
    default:
      return 1e-3;
  }
}

double rough_speed_gpts(gpu::AdapterKind kind) {
  switch (kind) {
    case gpu::AdapterKind::discrete:
      return 20;
    case gpu::AdapterKind::integrated:
      return 2;
    case gpu::AdapterKind::cpu:
      return 0.05;
    default:
      return 1;
  }
}

int run_check(const Case& c, const RunOptions& options, std::ostream& out) {
  int warnings = 0;
  auto warn = [&](const std::string& text) {
    out << "warning: " << text << "\n";
    ++warnings;
  };
  for (const auto& w : c.config.warnings) warn(w);
  const auto& g = c.model.grid;
  const auto equations = wave_equations(c);
  const std::size_t runs = run_count(c);

  out << "case: " << c.config.file.string() << " (mode " << c.mode << ")\n";
  out << "medium:";
  for (std::size_t k = 0; k < equations.size(); ++k) out << (k ? ", " : " ") << equations[k]->name();
  out << "; model " << c.model.dir.string() << "\n";
  out << "grid: " << g.nx << " x " << g.nz << " nodes, dx = " << number(g.dx) << " m, dz = " << number(g.dz)
      << " m, extent " << number((g.nx - 1) * g.dx) << " m x " << number((g.nz - 1) * g.dz) << " m (x from "
      << number(g.x0) << " to " << number(g.x0 + (g.nx - 1) * g.dx) << " m, z from " << number(g.z0) << " to "
      << number(g.z0 + (g.nz - 1) * g.dz) << " m)\n";
  out << "time: nt = " << c.nt << " steps, dt = " << number(c.dt, "%.6g") << " s, duration "
      << number(c.nt * c.dt, "%.6g") << " s\n";
  for (const auto& eq : equations) {
    const double limit = eq->max_stable_dt(c.model);
    out << "stability: " << eq->name() << " scheme stable for dt <= " << number(limit, "%.6g") << " s (dt is "
        << number(100 * c.dt / limit, "%.3g") << "% of it)\n";
  }

  // Numerical dispersion of the 4th-order scheme grows quickly below about 5 points per wavelength.
  const Sampling sampling = sampling_of(c);
  out << "sources: " << c.sources.size() << " Ricker, highest f0 = " << number(sampling.f0)
      << " Hz (highest frequency "
      << "taken as 2.5 f0 = " << number(sampling.f_max) << " Hz)\n";
  if (std::isfinite(sampling.points)) {
    out << "sampling: slowest wave " << number(sampling.slowest) << " m/s (" << sampling.from
        << "), shortest wavelength " << number(sampling.slowest / sampling.f_max)
        << " m = " << number(sampling.points, "%.3g")
        << " points per wavelength (max(dx, dz) = " << number(sampling.h) << " m)\n";
    if (const auto problem = sampling_problem(sampling); !problem.empty()) warn(problem);
  }
  check_output_folders(c);
  out << "output: " << c.output.string();
  if (c.output_traces != c.output) out << ", traces in " << c.output_traces.string();
  if (c.mode == "forward") {
    out << " (traces as";
    if (c.npy_traces) out << " .npy";
    for (const auto f : c.trace_files) out << " " << io::extension(f);
    out << ")";
  }
  out << "\n";
  out << "stations: " << c.stations.size() << " (" << c.stations_file.string() << ")\n";
  out << "shots: " << runs << (c.combine_sources ? " run (sources combined)" : " runs (one per source)")
      << "\n";

  // Observed traces are read and checked as the run would.
  if (c.mode != "forward") {
    if (c.observed_traces) {
      for (const auto& eq : equations)
        for (std::size_t run = 0; run < runs; ++run) (void)read_observed(c, *eq, run);
      out << "observed data: " << c.observed_traces->string() << " (" << runs * equations.size()
          << " shots read and checked)\n";
    } else {
      out << "observed data: computed in model_true " << c.model_true->dir.string() << "\n";
    }
  }

  auto device = gpu::Device::open({options.adapter});
  const auto& adapter = device->adapter();
  out << "adapter: " << adapter.summary();
  if (adapter.memory_bytes > 0) out << ", " << mib(adapter.memory_bytes);
  out << "\n";
  double point_steps = 0, batch_steps = 0;
  for (const auto& eq : equations) {
    problem::Setup setup;
    solver::StoragePlan plan;
    if (c.mode == "forward") {
      setup.physics = eq.get();
      setup.nt = c.nt;
      setup.dt = c.dt;
      setup.taper = c.taper;
      setup.cpml = c.cpml;
      setup.free_surface = c.free_surface;
      check_acquisition_fits(c, *eq, adapter);
      setup.shots = shots_of(c, *eq);
    } else {
      setup = adjoint_setup(c, *eq, *device, c.mode == "inversion" ? 10 : 1);
    }
    const std::size_t batch = problem::choose_batch(*device, setup, g, c.mode == "forward" ? nullptr : &plan);
    const auto bytes = problem::gpu_bytes(setup, g, batch, c.mode == "forward" ? nullptr : &plan);
    out << eq->name() << ": " << batch << " shot" << (batch > 1 ? "s" : "") << " at a time of " << runs
        << ", GPU memory about " << mib(bytes) << "\n";
    if (c.mode != "forward")
      out << eq->name() << " storage: " << plan.describe(c.nt, eq->velocity_planes() + eq->stress_planes())
          << "\n";
    // Forward runs; gradients: forward and reverse (about twice), plus the observed data when computed.
    double passes = 1;
    if (c.mode == "adjoint") passes = c.model_true ? 3 : 2;
    if (c.mode == "inversion") {
      int iterations = 0;
      for (const auto& st : c.inversion->stages) iterations += st.iterations;
      // Each iteration: a gradient and about one more forward run for the line search.
      passes = (c.model_true ? 1 : 0) + 3.0 * std::max(iterations, 1);
    }
    point_steps += passes * double(g.npt()) * double(c.nt) * double(runs);
    batch_steps += passes * double(c.nt) * double((runs + batch - 1) / batch);
  }
  // Small grids are bound by the cost of each step's dispatches, large ones by the grid points.
  const double speed = rough_speed_gpts(adapter.kind), latency = rough_step_latency(adapter.kind);
  out << "estimated run time: " << duration_text(point_steps / (speed * 1e9) + batch_steps * latency) << " ("
      << number(point_steps, "%.3g") << " grid-point steps at a rough " << number(speed) << " Gpts/s and "
      << number(batch_steps, "%.3g") << " time steps at " << number(latency * 1e3, "%.2g") << " ms for a "
      << adapter.kind_name() << " adapter; real speeds differ by up to 10x with grid size and card)\n";
  out << "check: " << (warnings ? std::to_string(warnings) + " warning" + (warnings > 1 ? "s" : "") : "ok")
      << ", nothing was run or written\n";
  return warnings;
}

}  // namespace seiswg::app
