#include <algorithm>
#include <chrono>
#include <cstdio>
#include <exception>
#include <iomanip>
#include <ostream>
#include <sstream>

#include "app/duration.hpp"
#include "app/figures.hpp"
#include "app/interrupt.hpp"
#include "app/live_view.hpp"
#include "app/progress.hpp"
#include "app/run_files.hpp"
#include "app/runs.hpp"
#include "app/state_file.hpp"
#include "gpu/pci_bus.hpp"
#include "io/atomic_file.hpp"
#include "io/error.hpp"
#include "io/figure.hpp"
#include "io/npy.hpp"
#include "io/seismic_traces.hpp"

namespace seiswg::app {
namespace {

namespace fs = std::filesystem;

std::string fmt(double v, int precision = 4) {
  std::ostringstream s;
  s << std::setprecision(precision) << v;
  return s.str();
}

// The headers of run `run`'s trace files: its shot number and source, the stations, dt.
io::TraceGeometry trace_geometry(const Case& c, std::size_t run) {
  io::TraceGeometry g;
  const auto& source = run_source(c, run);
  g.field_record = int(run + 1);
  g.source_x = source.x;
  g.source_z = source.z;
  for (const auto& st : c.stations) g.receiver_x.push_back(st.x), g.receiver_z.push_back(st.z);
  g.dt = c.dt;
  return g;
}

// Every rank's files, or none of them, even when a rank is killed outright on the way: a shared
// commit (io::OutputSet::Shared) over the output folders, rank 0 coordinating. A rank that failed
// before this point has ended the job. Here every rank installs its files, keeping the ones they
// replace; when all have, rank 0 records the decision, and every rank keeps its files (rank 0 last).
// When a rank could not install, every rank puts its earlier files back and the rank that failed
// reports the error once all have. The waits stay interruptible: a rank that mpirun ends while it
// waits removes its temporary files; one ended after its install leaves the decision to the journals,
// which the next run in these folders settles as rank 0 decided (a rank killed outright does the same).
void commit_on_every_rank(const Ranks& ranks, io::OutputSet& outputs, const std::vector<fs::path>& folders) {
  const auto poll = [] { throw_if_interrupted("the forward run, while waiting for the other ranks"); };
  if (!ranks.distributed()) return outputs.commit();
  (void)ranks.first_failing_rank(true, poll);  // every rank has written its files
  const io::OutputSet::Shared shared{
      ranks.broadcast_from_root(ranks.is_root() ? outputs.coordinate(folders) : "", poll), folders};
  test_hook_kill(ranks, "coordinated");
  std::exception_ptr error;
  try {
    outputs.install(shared);
  } catch (const std::exception&) {
    error = std::current_exception();
  }
  test_hook_kill(ranks, "installed");
  // From here until every rank has kept, an interrupted rank leaves its outputs to be settled.
  const auto poll_then = [&](bool in_doubt) {
    return [&outputs, &folders, in_doubt] {
      try {
        throw_if_interrupted("the forward run, while waiting for the other ranks");
      } catch (Interrupted& e) {
        if (in_doubt) {
          outputs.abandon();
          e.outcome = "its new outputs may be in place: the next seiswg run with these output folders (" +
                      folders.front().string() +
                      ") first keeps every rank's, or puts every earlier file back, as rank 0 decided";
        } else {
          e.outcome = "its outputs are in place, as every rank's are (rank 0 had decided to keep them)";
        }
        throw;
      }
    };
  };
  const auto poll_in_doubt = poll_then(true);
  int failing = ranks.first_failing_rank(!error, poll_in_doubt);
  if (failing >= 0) {
    // Nothing was decided: every rank puts its earlier files back.
    outputs.restore();
    (void)ranks.first_failing_rank(true, poll);  // every rank has put its earlier files back
    if (!error) throw FailedOnAnotherRank(failing);
    try {
      std::rethrow_exception(error);
    } catch (const std::exception& e) {
      throw InputError(std::string(e.what()) +
                       "; no rank kept its outputs (the earlier files are as they were)");
    }
  }
  if (ranks.is_root()) {
    try {
      outputs.decide();
    } catch (const std::exception&) {
      error = std::current_exception();
    }
  }
  test_hook_kill(ranks, "decided");
  failing = ranks.first_failing_rank(!error, poll_in_doubt);
  if (failing >= 0) {
    // Rank 0 could not record its decision, perhaps only part of it: the journals settle it.
    outputs.abandon();
    if (!error) throw FailedOnAnotherRank(failing);
    try {
      std::rethrow_exception(error);
    } catch (const std::exception& e) {
      throw InputError(std::string(e.what()) +
                       "; every rank's new outputs may be in place: the next seiswg run with these output "
                       "folders first keeps all of them or puts every earlier file back");
    }
  }
  if (!ranks.is_root()) outputs.keep();
  (void)ranks.first_failing_rank(true, poll_then(ranks.is_root()));  // every other rank has kept
  if (ranks.is_root()) outputs.keep();
}

}  // namespace

std::unique_ptr<gpu::Device> start_run(const Case& c, const RunOptions& options, std::ostream& log,
                                       RunSummary& summary) {
  const Ranks& ranks = options.ranks;
  if (ranks.is_root()) {
    for (const auto& w : c.config.warnings) log << "warning: " << w << "\n";
    if (const auto problem = sampling_problem(sampling_of(c)); !problem.empty())
      log << "warning: " << problem << "\n";
  }
  // Seispie stores its forward wavefield every adjoint_interval steps and interpolates in between.
  if (c.adjoint_interval && c.mode != "forward" && !options.quiet && ranks.is_root())
    log << "seiswg: " << c.config.where("solver", "adjoint_interval")
        << " is not needed and ignored: seiswg's adjoint is exact at every step (see [solver] "
           "adjoint_storage)\n";
  auto device = gpu::Device::open({options.adapter});
  summary.adapter = device->adapter().summary();
  if (ranks.distributed()) {
    // One write for the whole line: the ranks share the terminal, and pieces written one by one
    // interleave ("[rank 1/2] [rank 0/2] seiswg: ...").
    std::string line =
        ranks.prefix() + "seiswg: " + summary.adapter + ", " + gpu::pci_bus_text(device->adapter());
    // The loader was asked for one GPU (select_gpu); say so when the adapter is not seen to be it.
    if (!ranks.gpu_pci().empty() && line.find(ranks.gpu_pci()) == std::string::npos)
      line += " (this rank asked the Vulkan loader for PCI " + ranks.gpu_pci() + ")";
    log << line + "\n" << std::flush;
  }
  return device;
}

RunSummary run_forward(const Case& c, const RunOptions& options, std::ostream& log) {
  using Clock = std::chrono::steady_clock;
  RunSummary summary;
  // Folders are made by the first file written into them (a failed run leaves none behind); whether
  // they can be is checked now, before any computation.
  check_output_folders(c);
  if (options.ranks.is_root()) finish_interrupted_commits(c, log);
  auto device = start_run(c, options, log, summary);
  const auto& grid = c.model.grid;

  // Every file goes to a temporary name first; all are renamed into place at the end.
  io::OutputSet outputs;
  outputs.protect(input_files(c));
  auto stage = [&](const fs::path& path) { return stage_output(outputs, path, "the forward run"); };
  auto write_bin = [&](const fs::path& path, std::span<const float> values) {
    io::write_field_bin(stage(path), values);
  };
  auto write_png = [&](const fs::path& path, const io::Figure& figure) {
    io::write_png(stage(path), figure.image);
  };

  // Shared outputs (coordinates, model pictures) are rank 0's; every rank writes its own shots' files.
  const Ranks& ranks = options.ranks;
  if (c.save_coordinates && ranks.is_root()) {
    std::vector<float> x(grid.npt()), z(grid.npt());
    for (int i = 0; i < grid.nx; ++i)
      for (int j = 0; j < grid.nz; ++j) {
        x[std::size_t(i) * std::size_t(grid.nz) + std::size_t(j)] = float(grid.x0 + i * grid.dx);
        z[std::size_t(i) * std::size_t(grid.nz) + std::size_t(j)] = float(grid.z0 + j * grid.dz);
      }
    write_bin(c.output / "proc000000_x.bin", x);
    write_bin(c.output / "proc000000_z.bin", z);
  }
  if (c.save_images && ranks.is_root())
    for (const auto& [name, values] : c.model.fields)
      write_png(
          c.output / ("model_" + name + ".png"),
          io::field_figure(values, grid,
                           figure_of_case(c, name + " model from " + c.model.dir.filename().string() + "/",
                                          name, io::model_unit(name), io::ColorScale::sequential)));

  const auto equations = wave_equations(c);
  const std::size_t nrec = c.stations.size(), runs = run_count(c);
  const problem::ShotRange mine = rank_shots(runs, ranks.rank(), ranks.size());
  if (ranks.distributed()) note_rank_work(runs_text(c, mine.first, mine.count));
  const auto start = Clock::now();
  double loop_seconds = 0;
  Progress progress(options.progress);

  for (const auto& eq : equations) {
    // One run with every source, or one run per source (Seispie's combine_sources); runs of small
    // grids are advanced together as the shots of one batch.
    problem::Setup setup;
    setup.physics = eq.get();
    setup.nt = c.nt;
    setup.dt = c.dt;
    setup.taper = c.taper;
    setup.cpml = c.cpml;
    setup.free_surface = c.free_surface;
    check_acquisition_fits(c, *eq, device->adapter());
    setup.shots = shots_of(c, *eq);
    problem::Problem problem(*device, std::move(setup), c.model);
    const auto components = eq->components();

    auto label = [&](std::size_t first, std::size_t count) {
      std::ostringstream s;
      s << "[" << eq->name();
      if (runs > 1) {
        s << " source " << first + 1;
        if (count > 1) s << "-" << first + count;
        s << "/" << runs;
      }
      s << "]";
      return s.str();
    };
    auto batch_start = Clock::now();
    std::size_t batch_first = ~std::size_t(0);
    problem::ForwardWatch watch;
    watch.progress = [&](std::size_t first, std::size_t count, int done) {
      throw_if_interrupted("the " + label(first, count) + " forward run, at step " + std::to_string(done) +
                           " of " + std::to_string(c.nt));
      if (first != batch_first) {
        batch_first = first, batch_start = Clock::now();
        // A failure from now on (a GPU lost) is one of this batch's sources.
        if (ranks.distributed()) note_rank_work(runs_text(c, first, count));
      }
      progress.show(label(first, count), done, c.nt,
                    std::chrono::duration<double>(Clock::now() - batch_start).count());
    };
    watch.snapshot_every = c.save_snapshot;
    watch.snapshot = [&](int step, std::size_t first, std::size_t count) {
      char tag[32];
      std::snprintf(tag, sizeof tag, "proc%06d_", step);
      for (std::size_t shot = first; shot < first + count; ++shot)
        for (const auto& comp : components) {
          const auto field = comp.from_stress ? problem.stress_plane(comp.velocity_plane, shot)
                                              : problem.velocity_plane(comp.velocity_plane, shot);
          std::string base = tag + comp.snapshot_name;
          if (runs > 1) base += "_src" + std::to_string(shot);
          write_bin(c.output / (base + ".bin"), field);
          if (const auto& watcher = live_view().field) watcher(base, step, field, grid);
          if (c.save_images) {
            const std::string shot_text =
                runs > 1 ? "shot " + std::to_string(shot + 1) + "/" + std::to_string(runs) : "all sources";
            write_png(
                c.output / (base + ".png"),
                io::field_figure(field, grid,
                                 figure_of_case(c,
                                                comp.snapshot_name + " snapshot, " + shot_text + ", step " +
                                                    std::to_string(step) + ", " + time_text(step, c.dt),
                                                comp.snapshot_name, component_unit(comp.snapshot_name),
                                                io::ColorScale::diverging, runs > 1 ? shot : all_sources)));
          }
        }
    };

    const auto loop_start = Clock::now();
    problem::Data traces;
    try {
      test_hook_fail(ranks, "in its forward run");
      if (mine.count > 0) traces = problem.forward(c.model, mine, &watch);
    } catch (const problem::InstabilityError& e) {
      progress.done();
      std::ostringstream s;
      s << eq->name() << " run";
      if (runs > 1) s << " of " << runs_text(c, e.shot, 1);
      s << " became unstable: a non-finite value (NaN or Inf) appeared in step " << e.step
        << " (t = " << fmt(e.step * c.dt) << " s) near node i = " << e.i << ", j = " << e.j
        << " (x = " << fmt(grid.x0 + double(e.i) * grid.dx)
        << " m, z = " << fmt(grid.z0 + double(e.j) * grid.dz)
        << " m). Check the model values there and dt (largest stable dt "
        << fmt(eq->max_stable_dt(c.model), 6) << " s). No output was kept.";
      throw std::runtime_error(s.str());
    }
    progress.done();
    loop_seconds += std::chrono::duration<double>(Clock::now() - loop_start).count();
    summary.grid_point_steps += double(grid.npt()) * double(c.nt) * double(mine.count);

    // Each shot's traces: component by component, station by station.
    const std::size_t block_size = nrec * std::size_t(c.nt);
    for (std::size_t k = 0; k < traces.size(); ++k) {
      const std::size_t shot = mine.first + k;
      char index[32];
      std::snprintf(index, sizeof index, "%06zu", c.combine_sources ? std::size_t(0) : shot);
      for (std::size_t ci = 0; ci < components.size(); ++ci) {
        std::span<const float> block(traces[k].data() + ci * block_size, block_size);
        const fs::path base = c.output_traces / (components[ci].trace_name + "_" + index);
        if (c.npy_traces) {
          io::write_npy(stage(base.string() + ".npy"), block, {nrec, std::size_t(c.nt)});
        }
        for (const auto format : c.trace_files) {
          io::write_trace_file(stage(base.string() + io::extension(format)), format, block, std::size_t(c.nt),
                               trace_geometry(c, shot));
        }
        if (c.save_images && nrec > 0) {
          const auto& name = components[ci].trace_name;
          io::GatherFigure spec;
          spec.title = name + " seismograms, " +
                       (c.combine_sources ? "all sources"
                                          : "shot " + std::to_string(shot + 1) + "/" + std::to_string(runs));
          spec.quantity = name;
          spec.unit = component_unit(name);
          spec.dt = c.dt;
          write_png(c.output_traces / (components[ci].trace_name + "_" + index + ".png"),
                    io::gather_figure(block, nrec, std::size_t(c.nt), spec));
        }
      }
    }
  }
  throw_if_interrupted("the forward run, while writing its outputs");
  std::vector<fs::path> folders;
  for (const fs::path& f : output_folders(c))
    if (std::none_of(folders.begin(), folders.end(), [&](const fs::path& g) { return io::same_file(f, g); }))
      folders.push_back(f);
  commit_on_every_rank(ranks, outputs, folders);
  summary.wall_seconds = std::chrono::duration<double>(Clock::now() - start).count();
  if (!options.quiet) {
    log << "seiswg: " << summary.adapter << ", grid " << grid.nx << " x " << grid.nz << ", " << c.nt
        << " steps";
    const std::size_t all_runs = runs * equations.size();
    if (all_runs > 1) log << " x " << all_runs << " runs";
    log << ", wall " << duration_text(summary.wall_seconds) << " (time loop " << duration_text(loop_seconds)
        << ", " << fmt(summary.grid_point_steps / loop_seconds / 1e9, 3) << " Gpts/s)\n";
  }
  return summary;
}

}  // namespace seiswg::app
