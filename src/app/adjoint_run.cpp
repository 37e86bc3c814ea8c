#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <map>
#include <ostream>

#include "app/duration.hpp"
#include "app/figures.hpp"
#include "app/interrupt.hpp"
#include "app/live_view.hpp"
#include "app/progress.hpp"
#include "app/run_files.hpp"
#include "app/runs.hpp"
#include "app/state_file.hpp"
#include "inversion/conditioning.hpp"
#include "io/atomic_file.hpp"
#include "io/error.hpp"
#include "io/figure.hpp"
#include "io/npy.hpp"
#include "problem/misfit.hpp"
#include "problem/problem.hpp"

namespace seiswg::app {
namespace {

namespace fs = std::filesystem;

// MemAvailable of /proc/meminfo in bytes (none where there is no such file).
std::optional<std::uint64_t> host_memory_available() {
  std::ifstream in("/proc/meminfo");
  std::string key, unit;
  std::uint64_t value = 0;
  while (in >> key >> value) {
    std::getline(in, unit);
    if (key == "MemAvailable:") return value * 1024;
  }
  return std::nullopt;
}

}  // namespace

problem::Setup adjoint_setup(const Case& c, const physics::WaveEquation& eq, const gpu::Device& device,
                             double evaluations) {
  problem::Setup setup;
  setup.physics = &eq;
  setup.nt = c.nt;
  setup.dt = c.dt;
  setup.taper = c.taper;
  setup.cpml = c.cpml;
  setup.free_surface = c.free_surface;
  check_acquisition_fits(c, eq, device.adapter());
  setup.shots = shots_of(c, eq);
  setup.adjoint = true;
  setup.storage.mode = c.adjoint_storage;
  setup.storage.gpu_budget = c.adjoint_gpu_bytes;
  setup.storage.gpu_memory = device.adapter().memory_bytes;
  setup.storage.segment_steps = c.adjoint_segment;
  setup.storage.disk_folder = c.adjoint_disk_path;
  if (c.adjoint_storage == "disk") {
    setup.storage.state_file = temporary_state_files(c.adjoint_disk_path);
    // A folder not made yet (the output folder) lies on the file system of the nearest one above.
    fs::path existing = c.adjoint_disk_path;
    while (!fs::exists(existing) && existing.has_parent_path() && existing != existing.parent_path())
      existing = existing.parent_path();
    setup.storage.disk_available = disk_available(existing);
  }
  setup.storage.host_available = host_memory_available();
  setup.storage.evaluations = evaluations;
  return setup;
}

RunSummary run_adjoint(const Case& c, const RunOptions& options, std::ostream& log) {
  using Clock = std::chrono::steady_clock;
  RunSummary summary;
  // The outputs are written after hours, perhaps: whether their folders can be is checked first.
  check_output_folders(c);
  if (options.ranks.is_root()) finish_interrupted_commits(c, log);
  auto device = start_run(c, options, log, summary);
  const auto& grid = c.model.grid;
  const auto start = Clock::now();
  double misfit = 0, setup_seconds = 0, observed_seconds = 0, gradient_seconds = 0;
  std::map<std::string, std::vector<double>> kernels;
  const auto equations = wave_equations(c);
  const std::size_t runs = run_count(c);
  // This rank's sources; misfit and kernels are summed over the ranks in memory, and rank 0 writes them.
  const Ranks& ranks = options.ranks;
  const problem::ShotRange mine = rank_shots(runs, ranks.rank(), ranks.size());
  if (ranks.distributed()) note_rank_work(runs_text(c, mine.first, mine.count));

  // Observed traces from files (this rank's) are all checked before any computation.
  std::map<std::string, problem::Data> observed_files;
  if (!c.model_true)
    for (const auto& eq : equations) observed_files[eq->name()] = read_observed_runs(c, *eq, mine);

  // Every medium's batches and storage plan are made (and printed) before any computation.
  for (const auto& eq : equations) {
    const auto setup = adjoint_setup(c, *eq, *device);
    solver::StoragePlan plan;
    const std::size_t batch = problem::choose_batch(*device, setup, grid, &plan);
    if (!options.quiet) {
      log << "seiswg: " << eq->name() << " adjoint: ";
      if (runs > 1) log << runs << " sources, " << batch << " at a time; ";
      log << plan.describe(c.nt, eq->velocity_planes() + eq->stress_planes()) << "\n";
    }
  }

  // Progress counts time steps: the observed data (when computed), the forward runs and the
  // reverse runs of every medium.
  Progress progress(options.progress);
  const long per_medium = long(c.nt) * long(runs) * (c.model_true ? 3 : 2);
  long finished = 0;
  for (const auto& eq : equations) {
    const auto made = Clock::now();
    problem::Problem problem(*device, adjoint_setup(c, *eq, *device), c.model);
    setup_seconds += std::chrono::duration<double>(Clock::now() - made).count();
    problem::Data observed;
    auto t0 = Clock::now();
    const std::string label = "[" + eq->name() + " adjoint]";
    test_hook_fail(ranks, "in its adjoint run");
    if (c.model_true) {
      problem::ForwardWatch watch;
      watch.progress = [&](std::size_t, std::size_t, int done) {
        throw_if_interrupted("the " + label + " run, computing the observed data from model_true at step " +
                             std::to_string(done) + " of " + std::to_string(c.nt));
      };
      if (mine.count > 0) observed = problem.forward(*c.model_true, mine, &watch);
      finished += long(c.nt) * long(runs);
    } else {
      observed = std::move(observed_files.at(eq->name()));
    }
    auto t1 = Clock::now();
    // The Problem counts batches of forward + reverse steps; the progress line counts runs.
    problem.on_steps([&](long done, long total) {
      throw_if_interrupted("the " + label + " run (forward and reverse passes, " +
                           std::to_string(done * 100 / std::max(total, 1L)) + " % done)");
      const long steps = finished + done * 2L * c.nt * long(runs) / total;
      progress.show(label, steps, per_medium * long(equations.size()),
                    std::chrono::duration<double>(Clock::now() - start).count());
    });
    problem::Evaluation e;
    if (mine.count > 0) {
      e = problem.misfit_and_gradient(c.model, observed, problem::WaveformMisfit(c.misfit_taper), mine);
    } else {  // a rank without sources adds zeros to the sums
      const std::vector<double> zeros(std::size_t(eq->material_plane_count()) * grid.npt(), 0.0);
      e.gradient = eq->model_gradient(c.model, c.dt, zeros);
    }
    auto t2 = Clock::now();
    finished += 2L * c.nt * long(runs);
    misfit += e.misfit;
    observed_seconds += std::chrono::duration<double>(t1 - t0).count();
    gradient_seconds += std::chrono::duration<double>(t2 - t1).count();
    summary.grid_point_steps += 2.0 * double(grid.npt()) * double(c.nt) * double(mine.count);
    // J sums over runs and media: so do its derivatives with respect to shared model values.
    for (const auto& [name, values] : e.gradient) {
      auto& total = kernels[name];
      total.resize(values.size(), 0.0);
      for (std::size_t k = 0; k < values.size(); ++k) total[k] += values[k];
    }
  }

  progress.done();
  // Over the ranks, in double and in the map's (fixed) order of the kernels.
  ranks.allreduce_sum(std::span<double>(&misfit, 1));
  for (auto& [name, values] : kernels) ranks.allreduce_sum(values);
  if (!ranks.is_root()) {
    summary.wall_seconds = std::chrono::duration<double>(Clock::now() - start).count();
    return summary;
  }
  // Every file goes to a temporary name first; all are renamed into place at the end.
  io::OutputSet outputs;
  outputs.protect(input_files(c));
  auto stage = [&](const fs::path& path) { return stage_output(outputs, path, "the adjoint run"); };
  char text[64];
  std::snprintf(text, sizeof text, "%.17g\n", misfit);
  const fs::path misfit_file = c.output / "misfit.txt";
  io::write_file_atomic(stage(misfit_file), std::as_bytes(std::span<const char>(text, std::strlen(text))));
  for (const auto& [name, values] : kernels) {
    const std::vector<float> f(values.begin(), values.end());
    const fs::path file = c.output / "kernels" / ("proc000000_k" + name + ".bin");
    io::write_field_bin(stage(file), f);
    if (const auto& watcher = live_view().field) watcher("k" + name, c.nt, f, grid);
    if (c.save_images) {
      const fs::path png = c.output / "kernels" / ("k" + name + ".png");
      // J's unit depends on the sources' and traces' units, so the kernel is stated per unit of the
      // parameter.
      const std::string unit = io::model_unit(name);
      io::write_png(
          stage(png),
          io::field_figure(f, grid,
                           figure_of_case(c, "sensitivity kernel K_" + name + " (d J / d " + name + ")",
                                          "K_" + name, unit.empty() ? "per unit of " + name : "J per " + unit,
                                          io::ColorScale::diverging))
              .image);
    }
  }
  // Seispie's own kernel files, where Seispie writes them: SH its mu kernel, P-SV its lambda, mu and rho
  // kernels, smoothed by [solver] smooth as Seispie does. The exact ones stay in kernels/.
  std::vector<std::string> seispie_names = {"mu"};
  if (c.psv) seispie_names = {"lambda", "mu", "rho"};
  std::string written;
  for (const auto& name : seispie_names) {
    const auto it = kernels.find(name);
    if (it == kernels.end()) continue;
    std::vector<float> f(it->second.begin(), it->second.end());
    if (c.smooth > 0) inversion::smooth_gaussian(f, grid.nx, grid.nz, c.smooth, c.smooth);
    const fs::path file = c.output / ("proc000000_k" + name + ".bin");
    io::write_field_bin(stage(file), f);
    written += (written.empty() ? "" : ", ") + file.filename().string();
  }
  throw_if_interrupted("the adjoint run, while writing its outputs");
  outputs.commit();
  summary.wall_seconds = std::chrono::duration<double>(Clock::now() - start).count();
  if (!options.quiet && !written.empty()) {
    log << "seiswg: Seispie's kernels " << written << " in " << c.output.string();
    if (c.smooth > 0)
      log << " are smoothed with a Gaussian of sigma = " << c.smooth << " grid points ([solver] smooth)";
    else
      log << " are unsmoothed ([solver] smooth = 0)";
    log << "; the exact kernels are in " << (c.output / "kernels").string() << "\n";
  }
  if (!options.quiet) {
    std::snprintf(text, sizeof text, "%.9g", misfit);
    log << "seiswg: misfit J = " << text << " (" << misfit_file.string() << "); kernels in "
        << (c.output / "kernels").string() << "\n"
        << "seiswg: " << summary.adapter << ", grid " << grid.nx << " x " << grid.nz << ", " << c.nt
        << " steps";
    if (runs > 1) log << " x " << runs << " sources";
    log << ", setup (kernels, GPU memory) " << duration_text(setup_seconds) << ", observed data "
        << duration_text(observed_seconds) << ", gradient (forward + adjoint) "
        << duration_text(gradient_seconds) << ", wall " << duration_text(summary.wall_seconds) << "\n";
  }
  return summary;
}

}  // namespace seiswg::app
