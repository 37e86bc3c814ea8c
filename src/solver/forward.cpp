#include "solver/forward.hpp"

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <iomanip>
#include <memory>
#include <ostream>
#include <set>
#include <sstream>

#include "io/atomic_file.hpp"
#include "io/error.hpp"
#include "io/npy.hpp"
#include "io/png.hpp"
#include "physics/wave_equation.hpp"
#include "solver/adjoint.hpp"
#include "solver/progress.hpp"
#include "solver/wavelet.hpp"

namespace seiswg::solver {
namespace {

namespace fs = std::filesystem;

// Keys seiswg reads, and keys Seispie / seiswg-Rust configs carry that a forward run ignores
// (listed in docs/config.md). Anything else gets a warning.
const std::map<std::string, std::set<std::string>>& known_keys() {
  static const std::map<std::string, std::set<std::string>> keys = {
      {"workflow", {"mode", "mpi", "inherit"}},
      {"solver",
       {"method",
        "source",
        "sh",
        "psv",
        "spin",
        "nt",
        "dt",
        "abs_top",
        "abs_bottom",
        "abs_left",
        "abs_right",
        "abs_width",
        "abs_alpha",
        "save_coordinates",
        "save_velocity",
        "save_displacement",
        "save_snapshot",
        "threads_per_block",
        "combine_sources",
        "interpolate_model",
        "misfit",
        "save_gradient",
        "save_misfit",
        "adjoint_interval",
        "smooth",
        "save_images",
        "misfit_taper",
        "adjoint_storage",
        "adjoint_gpu_memory",
        "adjoint_segment",
        "adjoint_disk_path"}},
      {"path", {"output", "output_traces", "model_true", "model_init", "sources", "stations", "traces"}},
  };
  return keys;
}
// Sections of Seispie's that belong to other tools (job submission, inversion) and are not checked.
const std::set<std::string> kForeignSections = {"slurm", "preprocess", "postprocess", "optimize"};

}  // namespace

std::vector<std::unique_ptr<physics::WaveEquation>> wave_equations(const ForwardCase& c) {
  std::vector<std::unique_ptr<physics::WaveEquation>> list;
  if (c.sh) list.push_back(physics::make_sh());
  if (c.psv) list.push_back(c.spin ? physics::make_cosserat() : physics::make_psv());
  return list;
}

// Seispie's int(np.round(x / dx)): round half to even (the default floating-point rounding mode).
// Far-away coordinates map to -1 (outside) rather than overflowing the int.
int nearest_index(double coordinate, double origin, double spacing) {
  const double index = std::nearbyint((coordinate - origin) / spacing);
  return std::abs(index) < 1e9 ? int(index) : -1;
}

std::size_t run_count(const ForwardCase& c) { return c.combine_sources ? 1 : c.sources.size(); }

std::vector<PointReceiver> receivers_for_shots(const ForwardCase& c, const physics::WaveEquation& eq,
                                               std::size_t shots) {
  const auto receivers = receivers_for(c, eq);
  std::vector<PointReceiver> all;
  for (std::uint32_t shot = 0; shot < shots; ++shot)
    for (auto r : receivers) {
      r.shot = shot;
      all.push_back(r);
    }
  return all;
}

std::vector<PointForce> forces_for_shots(const ForwardCase& c, const physics::WaveEquation& eq,
                                         std::size_t first, std::size_t count) {
  std::vector<PointForce> forces;
  for (std::size_t shot = 0; shot < count; ++shot)
    for (auto& f : forces_for(c, eq, first + shot)) {
      f.shot = std::uint32_t(shot);
      forces.push_back(std::move(f));
    }
  return forces;
}

std::vector<std::vector<float>> traces_of_runs(gpu::Device& device, const ForwardCase& c,
                                               const physics::WaveEquation& eq, const io::Model& model) {
  const std::size_t runs = run_count(c), shots = shots_per_batch(c, eq, device.limits());
  Propagator p(device, eq, model, c.nt, c.dt, c.taper, int(shots));
  p.set_receivers(receivers_for_shots(c, eq, shots));
  const std::size_t per_shot = eq.components().size() * c.stations.size() * std::size_t(c.nt);
  std::vector<std::vector<float>> out;
  for (std::size_t first = 0; first < runs; first += shots) {
    const std::size_t count = std::min(shots, runs - first);
    p.set_sources(forces_for_shots(c, eq, first, count));
    p.reset();
    p.advance(c.nt);
    BlowUp blow_up;
    p.completed_steps(&blow_up);
    if (blow_up.happened)
      throw std::runtime_error(eq.name() + " run in " + model.dir.string() +
                               " became unstable (NaN or Inf) at step " + std::to_string(blow_up.step));
    const auto traces = p.traces();
    for (std::size_t shot = 0; shot < count; ++shot)
      out.emplace_back(traces.begin() + std::ptrdiff_t(shot * per_shot),
                       traces.begin() + std::ptrdiff_t((shot + 1) * per_shot));
  }
  return out;
}

std::size_t shots_per_batch(const ForwardCase& c, const physics::WaveEquation& eq,
                            const gpu::Limits& limits) {
  // Batching pays while one shot leaves the GPU idle: up to ~4M grid points in all. The fields of
  // all shots share each binding.
  const std::size_t npt = c.model.grid.npt();
  const std::uint64_t bytes_per_shot =
      std::uint64_t(npt) * 4 * std::max(eq.velocity_planes(), eq.stress_planes());
  const std::uint64_t binding = std::min(limits.max_storage_binding_size, limits.max_buffer_size);
  std::size_t shots = std::max<std::size_t>(1, (std::size_t(1) << 22) / std::max<std::size_t>(npt, 1));
  shots = std::min<std::size_t>(shots, std::max<std::uint64_t>(1, binding / bytes_per_shot));
  return std::min({shots, run_count(c), std::size_t(65535)});
}

std::vector<PointReceiver> receivers_for(const ForwardCase& c, const physics::WaveEquation& eq) {
  const auto& grid = c.model.grid;
  std::vector<PointReceiver> receivers;
  for (const auto& comp : eq.components())
    for (const auto& st : c.stations)
      receivers.push_back({comp.velocity_plane, nearest_index(st.x, grid.x0, grid.dx),
                           nearest_index(st.z, grid.z0, grid.dz)});
  return receivers;
}

std::vector<PointForce> forces_for(const ForwardCase& c, const physics::WaveEquation& eq, std::size_t run) {
  const auto& grid = c.model.grid;
  std::vector<PointForce> forces;
  for (std::size_t s = 0; s < c.sources.size(); ++s) {
    if (!c.combine_sources && s != run) continue;
    const auto& src = c.sources[s];
    const auto stf = ricker(c.nt, c.dt, src.f0, src.t0, src.amp);
    for (const auto& f : eq.forcing(src.angle_deg)) {
      if (f.weight == 0) continue;
      PointForce force{f.velocity_plane,
                       f.buoyancy_plane,
                       nearest_index(src.x, grid.x0, grid.dx),
                       nearest_index(src.z, grid.z0, grid.dz),
                       {}};
      force.values.reserve(stf.size());
      for (double v : stf) force.values.push_back(float(f.weight * v));
      forces.push_back(std::move(force));
    }
  }
  return forces;
}

namespace {

template <class Point>
void check_inside(const io::Grid& g, const Point& p, const fs::path& file, const char* what) {
  const int i = nearest_index(p.x, g.x0, g.dx), j = nearest_index(p.z, g.z0, g.dz);
  if (i < 0 || i >= g.nx || j < 0 || j >= g.nz) {
    std::ostringstream s;
    s << file.string() << ":" << p.line << ": " << what << " at x = " << p.x << " m, z = " << p.z
      << " m is outside the model grid (x from " << g.x0 << " to " << g.x0 + (g.nx - 1) * g.dx
      << " m, z from " << g.z0 << " to " << g.z0 + (g.nz - 1) * g.dz << " m)";
    throw InputError(s.str());
  }
}

std::string fmt(double v, int precision = 4) {
  std::ostringstream s;
  s << std::setprecision(precision) << v;
  return s.str();
}

std::string seconds_text(double s) {
  std::ostringstream o;
  o << std::fixed << std::setprecision(s < 10 ? 2 : 1) << s << " s";
  return o.str();
}

}  // namespace

ForwardCase load_forward_case(const fs::path& config_path) {
  ForwardCase c;
  c.config = io::load_config(config_path);
  auto& cfg = c.config;
  std::map<std::string, std::set<std::string>> known = known_keys();
  for (const auto& [section, keys] : cfg.sections)
    if (kForeignSections.count(section))
      for (const auto& [key, value] : keys) known[section].insert(key);
  io::warn_unknown_keys(cfg, known);

  c.mode = cfg.get_string_or("workflow", "mode", "forward");
  if (c.mode != "forward" && c.mode != "adjoint")
    throw InputError(cfg.where("workflow", "mode") + ": mode '" + c.mode +
                     "' is not available in this version of seiswg (supported: forward, adjoint)");
  const std::string method = cfg.get_string_or("solver", "method", "fd2d");
  if (method != "fd2d")
    throw InputError(cfg.where("solver", "method") + ": only the fd2d method exists (got '" + method + "')");
  const std::string source = cfg.get_string_or("solver", "source", "ricker");
  if (source != "ricker")
    throw InputError(cfg.where("solver", "source") + ": only Ricker sources are supported (got '" + source +
                     "')");

  c.sh = cfg.get_bool_or("solver", "sh", false);
  c.psv = cfg.get_bool_or("solver", "psv", false);
  c.spin = cfg.get_bool_or("solver", "spin", false);
  if (!c.sh && !c.psv)
    throw InputError(cfg.file.string() + ": nothing to simulate: set [solver] sh = yes and/or psv = yes");
  if (c.spin && !c.psv)
    throw InputError(cfg.where("solver", "spin") + ": spin = yes (Cosserat) needs psv = yes");

  const long nt = cfg.get_int("solver", "nt", "the number of time steps");
  if (nt <= 0) throw InputError(cfg.where("solver", "nt") + ": the number of time steps must be > 0");
  if (nt > 2000000000L)
    throw InputError(cfg.where("solver", "nt") + ": the number of time steps must be at most 2000000000");
  c.nt = int(nt);
  c.dt = cfg.get_double("solver", "dt", "the time step in seconds");
  if (!(c.dt > 0)) throw InputError(cfg.where("solver", "dt") + ": the time step must be > 0");

  c.taper.left = cfg.get_bool_or("solver", "abs_left", false);
  c.taper.right = cfg.get_bool_or("solver", "abs_right", false);
  c.taper.top = cfg.get_bool_or("solver", "abs_top", false);
  c.taper.bottom = cfg.get_bool_or("solver", "abs_bottom", false);
  const bool any_taper = c.taper.left || c.taper.right || c.taper.top || c.taper.bottom;
  const long width = any_taper ? cfg.get_int("solver", "abs_width", "the absorbing layer's width in nodes")
                               : cfg.get_int_or("solver", "abs_width", 0);
  if (width < 0) throw InputError(cfg.where("solver", "abs_width") + ": must be >= 0");
  c.taper.width = int(width);
  c.taper.alpha = any_taper ? cfg.get_double("solver", "abs_alpha", "the absorbing layer's decay rate")
                            : cfg.get_double_or("solver", "abs_alpha", 0.0);
  if (c.taper.alpha < 0) throw InputError(cfg.where("solver", "abs_alpha") + ": must be >= 0");

  const long snapshot = cfg.get_int_or("solver", "save_snapshot", 0);
  if (snapshot < 0)
    throw InputError(cfg.where("solver", "save_snapshot") + ": must be >= 0 (0: no snapshots)");
  c.save_snapshot = int(snapshot);
  c.combine_sources = cfg.get_bool_or("solver", "combine_sources", true);
  c.save_coordinates = cfg.get_bool_or("solver", "save_coordinates", false);
  c.save_images = cfg.get_bool_or("solver", "save_images", true);

  auto output = cfg.get_path("output");
  c.output = output ? *output : cfg.dir / "output";
  auto traces = cfg.get_path("output_traces");
  c.output_traces = traces ? *traces : c.output;

  std::vector<std::string> names;
  for (const auto& eq : wave_equations(c))
    for (const auto& n : eq->model_names())
      if (std::find(names.begin(), names.end(), n) == names.end()) names.push_back(n);
  auto load_model = [&](const std::string& key, const std::string& what) {
    auto dir = cfg.get_path(key);
    if (!dir) throw InputError(cfg.file.string() + ": missing [path] " + key + " (" + what + ")");
    if (!fs::is_directory(*dir))
      throw InputError(cfg.where("path", key) + ": model folder " + dir->string() + " does not exist");
    io::Model m = io::read_model(*dir, names);
    for (const auto& eq : wave_equations(c)) {
      eq->validate(m);
      const double limit = eq->max_stable_dt(m);
      if (c.dt > limit)
        throw InputError(cfg.where("solver", "dt") + ": dt = " + fmt(c.dt) +
                         " s exceeds the stability limit of the " + eq->name() + " scheme for the model in " +
                         dir->string() + " (dx = " + fmt(m.grid.dx) + " m, dz = " + fmt(m.grid.dz) +
                         " m): the largest stable dt is " + fmt(limit, 6) + " s");
    }
    return m;
  };
  if (c.mode == "forward") {
    // Forward runs use the true model when there is one (Seispie), else the initial model.
    c.model = load_model(cfg.get_path("model_true") ? "model_true" : "model_init", "the model folder");
  } else {
    c.model = load_model("model_init", "the starting model of an adjoint run");
    c.observed_traces = cfg.get_path("traces");
    if (c.observed_traces) {
      if (!fs::is_directory(*c.observed_traces))
        throw InputError(cfg.where("path", "traces") + ": folder of observed traces " +
                         c.observed_traces->string() + " does not exist");
    } else {
      c.model_true =
          load_model("model_true", "the true model, to compute observed traces; or give [path] traces");
      const auto &a = c.model.grid, &b = c.model_true->grid;
      if (a.nx != b.nx || a.nz != b.nz || std::abs(a.dx - b.dx) > 1e-6 * a.dx ||
          std::abs(a.dz - b.dz) > 1e-6 * a.dz)
        throw InputError(cfg.where("path", "model_true") + ": the true model's grid (" +
                         std::to_string(b.nx) + " x " + std::to_string(b.nz) +
                         ") differs from model_init's (" + std::to_string(a.nx) + " x " +
                         std::to_string(a.nz) + ")");
    }
    c.misfit_taper = cfg.get_double_or("solver", "misfit_taper", 0.0);
    if (c.misfit_taper < 0 || c.misfit_taper >= 0.5)
      throw InputError(cfg.where("solver", "misfit_taper") +
                       ": the cosine taper's width is a fraction of the trace length in [0, 0.5)");
    c.adjoint_storage = cfg.get_string_or("solver", "adjoint_storage", "auto");
    if (!is_storage_mode(c.adjoint_storage))
      throw InputError(cfg.where("solver", "adjoint_storage") + ": expected " + kStorageModes);
    const double gb = cfg.get_double_or("solver", "adjoint_gpu_memory", 0.0);
    if (gb < 0)
      throw InputError(cfg.where("solver", "adjoint_gpu_memory") + ": must be >= 0 (GB; 0 = no limit)");
    c.adjoint_gpu_bytes = std::uint64_t(gb * 1e9);
    const long segment = cfg.get_int_or("solver", "adjoint_segment", 0);
    if (segment < 0)
      throw InputError(cfg.where("solver", "adjoint_segment") + ": must be >= 0 (0 = automatic)");
    c.adjoint_segment = int(segment);
    // The disk mode's temporary file: in [solver] adjoint_disk_path (relative to the config file that
    // sets it), else in the output folder. Checked now, before any computation.
    const std::string disk = cfg.get_string_or("solver", "adjoint_disk_path", "");
    if (!disk.empty()) {
      fs::path folder(disk);
      if (folder.is_relative())
        folder = cfg.sections.at("solver").at("adjoint_disk_path").file.parent_path() / folder;
      c.adjoint_disk_path = folder.lexically_normal();
    } else {
      c.adjoint_disk_path = c.output;
    }
    if (c.adjoint_storage == "disk") {
      std::error_code ec;
      if (disk.empty()) fs::create_directories(c.output, ec);
      check_disk_folder(c.adjoint_disk_path,
                        disk.empty()
                            ? cfg.file.string() + ": [solver] adjoint_disk_path (default: the output folder)"
                            : cfg.where("solver", "adjoint_disk_path"));
    }
  }

  auto sources = cfg.get_path("sources");
  if (!sources) throw InputError(cfg.file.string() + ": missing [path] sources (the sources.dat file)");
  auto stations = cfg.get_path("stations");
  if (!stations) throw InputError(cfg.file.string() + ": missing [path] stations (the stations.dat file)");
  c.stations_file = *stations;
  c.sources = io::read_sources(*sources);
  c.stations = io::read_stations(*stations);
  for (const auto& s : c.sources) check_inside(c.model.grid, s, *sources, "source");
  for (const auto& s : c.stations) check_inside(c.model.grid, s, *stations, "station");
  if (c.sh) {
    // Seispie's SH stencil never updates the two outermost rows and columns: they stay at rest.
    const auto& g = c.model.grid;
    for (const auto& s : c.stations) {
      const int i = nearest_index(s.x, g.x0, g.dx), j = nearest_index(s.z, g.z0, g.dz);
      if (i < 2 || j < 2 || i >= g.nx - 2 || j >= g.nz - 2)
        cfg.warnings.push_back(c.stations_file.string() + ":" + std::to_string(s.line) +
                               ": station within 2 nodes of the grid edge, where Seispie's SH scheme (which "
                               "seiswg reproduces) keeps the wavefield at rest: its uy trace will be zero");
    }
  }
  return c;
}

std::unique_ptr<gpu::Device> start_run(const ForwardCase& c, const RunOptions& options, std::ostream& log,
                                       RunSummary& summary) {
  for (const auto& w : c.config.warnings) log << "warning: " << w << "\n";
  auto device = gpu::Device::open({options.adapter});
  summary.adapter = device->adapter().summary();
  return device;
}

RunSummary run_forward(const ForwardCase& c, const RunOptions& options, std::ostream& log) {
  using Clock = std::chrono::steady_clock;
  RunSummary summary;
  auto device = start_run(c, options, log, summary);
  const auto& grid = c.model.grid;

  io::OutputSet outputs;
  auto write_bin = [&](const fs::path& path, std::span<const float> values) {
    io::write_field_bin(path, values);
    outputs.add(path);
  };
  auto write_png = [&](const fs::path& path, const io::Image& image) {
    io::write_png(path, io::upscale(image));
    outputs.add(path);
  };
  for (const auto& dir : {c.output, c.output_traces}) {
    std::error_code ec;
    fs::create_directories(dir, ec);
    if (ec) throw InputError("cannot create output folder " + dir.string() + ": " + ec.message());
  }

  if (c.save_coordinates) {
    std::vector<float> x(grid.npt()), z(grid.npt());
    for (int i = 0; i < grid.nx; ++i)
      for (int j = 0; j < grid.nz; ++j) {
        x[std::size_t(i) * std::size_t(grid.nz) + std::size_t(j)] = float(grid.x0 + i * grid.dx);
        z[std::size_t(i) * std::size_t(grid.nz) + std::size_t(j)] = float(grid.z0 + j * grid.dz);
      }
    write_bin(c.output / "proc000000_x.bin", x);
    write_bin(c.output / "proc000000_z.bin", z);
  }
  if (c.save_images)
    for (const auto& [name, values] : c.model.fields)
      write_png(c.output / ("model_" + name + ".png"), io::render_sequential(values, grid.nx, grid.nz));

  const auto equations = wave_equations(c);
  const std::size_t nrec = c.stations.size();
  const auto start = Clock::now();
  double loop_seconds = 0;
  Progress progress(options.progress);

  for (const auto& eq : equations) {
    // One run with every source, or one run per source (Seispie's combine_sources); runs of small
    // grids are advanced together as the shots of one propagator.
    const std::size_t runs = run_count(c);
    const std::size_t shots = shots_per_batch(c, *eq, device->limits());
    Propagator propagator(*device, *eq, c.model, c.nt, c.dt, c.taper, int(shots));
    const auto components = eq->components();
    propagator.set_receivers(receivers_for_shots(c, *eq, shots));

    for (std::size_t first = 0; first < runs; first += shots) {
      const std::size_t count = std::min(shots, runs - first);
      propagator.set_sources(forces_for_shots(c, *eq, first, count));
      propagator.reset();

      std::ostringstream label;
      label << "[" << eq->name();
      if (runs > 1) {
        label << " source " << first + 1;
        if (count > 1) label << "-" << first + count;
        label << "/" << runs;
      }
      label << "]";
      const auto run_start = Clock::now();
      int done = 0;
      // The GPU halts by itself in the step that blows up; the host looks between batches of
      // about a quarter of a second (for the progress line), and after every snapshot step.
      int batch = 100;
      while (done < c.nt) {
        int stop = std::min(c.nt, done + batch);
        if (c.save_snapshot > 0) {
          // Seispie saves after step `it` (0-based) for it > 0 and it % save_snapshot == 0.
          int next = (done + c.save_snapshot - 1) / c.save_snapshot * c.save_snapshot;
          if (next == 0) next = c.save_snapshot;
          if (next + 1 < stop) stop = next + 1;
        }
        propagator.advance(stop - done);
        BlowUp blow_up;
        done = int(propagator.completed_steps(&blow_up));
        if (blow_up.happened) {
          progress.done();
          const std::size_t k = blow_up.node % grid.npt(), run = first + blow_up.node / grid.npt();
          const std::size_t i = k / std::size_t(grid.nz), j = k % std::size_t(grid.nz);
          std::ostringstream s;
          s << eq->name() << " run";
          if (runs > 1) s << " of source " << run + 1;
          s << " became unstable: a non-finite value (NaN or Inf) appeared in step " << blow_up.step
            << " (t = " << fmt(blow_up.step * c.dt) << " s) near node i = " << i << ", j = " << j
            << " (x = " << fmt(grid.x0 + double(i) * grid.dx)
            << " m, z = " << fmt(grid.z0 + double(j) * grid.dz)
            << " m). Check the model values there and dt (largest stable dt "
            << fmt(eq->max_stable_dt(c.model), 6) << " s). No output was kept.";
          throw std::runtime_error(s.str());
        }
        const int last_step = done - 1;
        if (c.save_snapshot > 0 && last_step > 0 && last_step % c.save_snapshot == 0) {
          char tag[32];
          std::snprintf(tag, sizeof tag, "proc%06d_", last_step);
          for (std::size_t shot = 0; shot < count; ++shot)
            for (const auto& comp : components) {
              const auto field = propagator.velocity_plane(comp.velocity_plane, std::uint32_t(shot));
              std::string base = tag + comp.snapshot_name;
              if (runs > 1) base += "_src" + std::to_string(first + shot);
              write_bin(c.output / (base + ".bin"), field);
              if (c.save_images)
                write_png(c.output / (base + ".png"), io::render_diverging(field, grid.nx, grid.nz));
            }
        }
        const double elapsed = std::chrono::duration<double>(Clock::now() - run_start).count();
        progress.show(label.str(), done, c.nt, elapsed);
        if (elapsed > 0) batch = std::clamp(int(0.25 * double(done) / elapsed), 100, 10000);
      }
      progress.done();
      loop_seconds += std::chrono::duration<double>(Clock::now() - run_start).count();
      summary.grid_point_steps += double(grid.npt()) * double(c.nt) * double(count);

      // Traces come back shot by shot, component by component, station by station.
      const auto traces = propagator.traces();
      const std::size_t block_size = nrec * std::size_t(c.nt);
      for (std::size_t shot = 0; shot < count; ++shot) {
        char index[32];
        std::snprintf(index, sizeof index, "%06zu", c.combine_sources ? std::size_t(0) : first + shot);
        for (std::size_t ci = 0; ci < components.size(); ++ci) {
          std::span<const float> block(traces.data() + (shot * components.size() + ci) * block_size,
                                       block_size);
          const auto path = c.output_traces / (components[ci].trace_name + "_" + index + ".npy");
          io::write_npy(path, block, {nrec, std::size_t(c.nt)});
          outputs.add(path);
          if (c.save_images && nrec > 0)
            write_png(c.output_traces / (components[ci].trace_name + "_" + index + ".png"),
                      io::render_gather(block, nrec, std::size_t(c.nt)));
        }
      }
    }
  }
  outputs.commit();
  summary.wall_seconds = std::chrono::duration<double>(Clock::now() - start).count();
  if (!options.quiet) {
    log << "seiswg: " << summary.adapter << ", grid " << grid.nx << " x " << grid.nz << ", " << c.nt
        << " steps";
    std::size_t runs = 0;
    for (std::size_t e = 0; e < equations.size(); ++e) runs += c.combine_sources ? 1 : c.sources.size();
    if (runs > 1) log << " x " << runs << " runs";
    log << ", wall " << seconds_text(summary.wall_seconds) << " (time loop " << seconds_text(loop_seconds)
        << ", " << fmt(summary.grid_point_steps / loop_seconds / 1e9, 3) << " Gpts/s)\n";
  }
  return summary;
}

}  // namespace seiswg::solver
