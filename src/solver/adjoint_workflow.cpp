#include "solver/adjoint_workflow.hpp"

#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <map>
#include <numbers>
#include <ostream>

#include "io/atomic_file.hpp"
#include "io/error.hpp"
#include "io/npy.hpp"
#include "io/png.hpp"
#include "solver/adjoint.hpp"
#include "solver/progress.hpp"

namespace seiswg::solver {
namespace {

namespace fs = std::filesystem;

std::string run_tag(const ForwardCase& c, std::size_t run) {
  char tag[32];
  std::snprintf(tag, sizeof tag, "%06zu", c.combine_sources ? std::size_t(0) : run);
  return tag;
}

// Observed traces of one run: from the .npy files in [path] traces, checked against the stations.
std::vector<float> read_observed(const ForwardCase& c, const physics::WaveEquation& eq, std::size_t run) {
  const std::size_t nrec = c.stations.size(), nt = std::size_t(c.nt);
  std::vector<float> all;
  for (const auto& comp : eq.components()) {
    const fs::path file = *c.observed_traces / (comp.trace_name + "_" + run_tag(c, run) + ".npy");
    if (!fs::exists(file))
      throw InputError("missing observed traces " + file.string() + " ([path] traces, " + eq.name() +
                       " component " + comp.trace_name + ")");
    const auto a = io::read_npy(file);
    if (a.shape.size() != 2 || a.shape[0] != nrec || a.shape[1] != nt)
      throw InputError(file.string() + ": observed traces have shape (" +
                       (a.shape.empty() ? std::string() : std::to_string(a.shape[0])) +
                       (a.shape.size() > 1 ? ", " + std::to_string(a.shape[1]) : std::string()) +
                       "), expected (" + std::to_string(nrec) + " stations in " +
                       c.stations_file.filename().string() + ", nt = " + std::to_string(nt) + ")");
    all.insert(all.end(), a.data.begin(), a.data.end());
  }
  return all;
}

}  // namespace

double waveform_misfit(std::span<const float> synthetic, std::span<const float> observed, std::size_t nt,
                       double dt, double taper_fraction, std::vector<double>& dj_dd) {
  std::vector<double> w(nt, 1.0);
  if (taper_fraction > 0) {
    // Seispie's taper: raised cosine over the first and last fraction of the trace.
    const double t_end = double(nt - 1) * dt, width = taper_fraction * t_end;
    for (std::size_t it = 0; it < nt; ++it) {
      const double t = double(it) * dt;
      if (t <= width)
        w[it] = 0.5 + 0.5 * std::cos(std::numbers::pi * (width - t) / width);
      else if (t >= t_end - width)
        w[it] = 0.5 + 0.5 * std::cos(std::numbers::pi * (t_end - width - t) / width);
    }
  }
  dj_dd.assign(synthetic.size(), 0.0);
  double j = 0;
  for (std::size_t k = 0; k < synthetic.size(); ++k) {
    const double wk = w[k % nt], r = double(synthetic[k]) - double(observed[k]);
    j += 0.5 * wk * wk * r * r * dt;
    dj_dd[k] = wk * wk * r * dt;
  }
  return j;
}

RunSummary run_adjoint(const ForwardCase& c, const RunOptions& options, std::ostream& log) {
  using Clock = std::chrono::steady_clock;
  RunSummary summary;
  auto device = start_run(c, options, log, summary);
  const auto& grid = c.model.grid;
  const auto start = Clock::now();
  double forward_seconds = 0, adjoint_seconds = 0, misfit = 0;
  std::map<std::string, std::vector<double>> kernels;

  // Observed traces from files are all checked before any computation.
  std::map<std::pair<std::string, std::size_t>, std::vector<float>> observed_files;
  if (!c.model_true)
    for (const auto& eq : wave_equations(c))
      for (std::size_t run = 0; run < run_count(c); ++run)
        observed_files[{eq->name(), run}] = read_observed(c, *eq, run);

  // Every medium's storage plan is made (and printed) before any computation.
  StorageOptions storage;
  storage.mode = c.adjoint_storage;
  storage.gpu_budget = c.adjoint_gpu_bytes;
  storage.segment_steps = c.adjoint_segment;
  storage.disk_folder = c.adjoint_disk_path;
  std::map<std::string, StoragePlan> plans;
  for (const auto& eq : wave_equations(c)) {
    const std::uint32_t fields = eq->velocity_planes() + eq->stress_planes();
    const auto plan = plan_storage(device->adapter(), StateLayout{grid.npt(), fields}, c.nt, storage);
    if (!options.quiet)
      log << "seiswg: " << eq->name() << " adjoint: " << plan.describe(c.nt, fields) << "\n";
    plans[eq->name()] = plan;
  }

  // Progress counts time steps: per run, the observed data (when computed), the forward run and
  // the reverse run.
  Progress progress(options.progress);
  const auto equations = wave_equations(c);
  const long steps_per_run = long(c.nt) * (c.model_true ? 3 : 2);
  const long total_steps = steps_per_run * long(run_count(c) * equations.size());
  long steps_done = 0;
  auto advance_progress = [&](const std::string& label, long steps) {
    steps_done += steps;
    progress.show(label, steps_done, total_steps,
                  std::chrono::duration<double>(Clock::now() - start).count());
  };

  for (const auto& eq : equations) {
    const auto receivers = receivers_for(c, *eq);
    Propagator synthetic(*device, *eq, c.model, c.nt, c.dt, c.taper);
    synthetic.set_receivers(receivers);
    const auto& plan = plans.at(eq->name());
    std::unique_ptr<Adjoint> adjoint;  // one for all runs: kernels and storage are made once
    std::vector<double> plane_sum;
    std::vector<std::vector<float>> observed_runs;  // data from model_true, every run at once
    if (c.model_true) {
      observed_runs = traces_of_runs(*device, c, *eq, *c.model_true);
      advance_progress("[" + eq->name() + " observed data]", long(c.nt) * long(run_count(c)));
    }
    for (std::size_t run = 0; run < run_count(c); ++run) {
      const std::string label = "[" + eq->name() + " adjoint, run " + std::to_string(run + 1) + "/" +
                                std::to_string(run_count(c)) + "]";
      const auto forces = forces_for(c, *eq, run);
      const auto& observed = c.model_true ? observed_runs[run] : observed_files.at({eq->name(), run});
      synthetic.set_sources(forces);
      if (!adjoint) adjoint = std::make_unique<Adjoint>(synthetic, plan);
      auto t0 = Clock::now();
      const auto traces = adjoint->forward();
      auto t1 = Clock::now();
      advance_progress(label, c.nt);
      std::vector<double> dj_dd;
      misfit += waveform_misfit(traces, observed, std::size_t(c.nt), c.dt, c.misfit_taper, dj_dd);
      adjoint->reverse(dj_dd);
      // Each run's d J / d material plane is summed on the host in double (float32 on the GPU only
      // within one run).
      const auto planes = adjoint->gradient();
      adjoint->clear_gradient();
      plane_sum.resize(planes.size(), 0.0);
      for (std::size_t k = 0; k < planes.size(); ++k) plane_sum[k] += planes[k];
      auto t2 = Clock::now();
      advance_progress(label, c.nt);
      forward_seconds += std::chrono::duration<double>(t1 - t0).count();
      adjoint_seconds += std::chrono::duration<double>(t2 - t1).count();
      summary.grid_point_steps += 2.0 * double(grid.npt()) * double(c.nt);
    }
    // J sums over runs and media: so do its derivatives with respect to shared model values.
    for (auto& [name, values] : eq->model_gradient(c.model, c.dt, plane_sum)) {
      auto& total = kernels[name];
      total.resize(values.size(), 0.0);
      for (std::size_t k = 0; k < values.size(); ++k) total[k] += values[k];
    }
  }

  progress.done();
  io::OutputSet outputs;
  std::error_code ec;
  fs::create_directories(c.output / "kernels", ec);
  if (ec)
    throw InputError("cannot create output folder " + (c.output / "kernels").string() + ": " + ec.message());
  char text[64];
  std::snprintf(text, sizeof text, "%.17g\n", misfit);
  const fs::path misfit_file = c.output / "misfit.txt";
  io::write_file_atomic(misfit_file, std::as_bytes(std::span<const char>(text, std::strlen(text))));
  outputs.add(misfit_file);
  for (const auto& [name, values] : kernels) {
    const std::vector<float> f(values.begin(), values.end());
    const fs::path file = c.output / "kernels" / ("proc000000_k" + name + ".bin");
    io::write_field_bin(file, f);
    outputs.add(file);
    if (c.save_images) {
      const fs::path png = c.output / "kernels" / ("k" + name + ".png");
      io::write_png(png, io::upscale(io::render_diverging(f, grid.nx, grid.nz)));
      outputs.add(png);
    }
  }
  outputs.commit();
  summary.wall_seconds = std::chrono::duration<double>(Clock::now() - start).count();
  if (!options.quiet) {
    std::snprintf(text, sizeof text, "%.9g", misfit);
    log << "seiswg: misfit J = " << text << " (" << misfit_file.string() << "); kernels in "
        << (c.output / "kernels").string() << "\n"
        << "seiswg: " << summary.adapter << ", grid " << grid.nx << " x " << grid.nz << ", " << c.nt
        << " steps, forward " << forward_seconds << " s, adjoint (incl. recomputation) " << adjoint_seconds
        << " s, wall " << summary.wall_seconds << " s\n";
  }
  return summary;
}

}  // namespace seiswg::solver
