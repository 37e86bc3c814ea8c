#include "app/case.hpp"

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

#include "app/state_file.hpp"
#include "io/error.hpp"
#include "physics/wave_equation.hpp"
#include "solver/adjoint.hpp"
#include "solver/wavelet.hpp"

namespace seiswg::app {

using solver::PointForce;
using solver::PointReceiver;
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

std::vector<std::unique_ptr<physics::WaveEquation>> wave_equations(const Case& c) {
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

std::size_t run_count(const Case& c) { return c.combine_sources ? 1 : c.sources.size(); }

std::vector<PointReceiver> receivers_for(const Case& c, const physics::WaveEquation& eq) {
  const auto& grid = c.model.grid;
  std::vector<PointReceiver> receivers;
  for (const auto& comp : eq.components())
    for (const auto& st : c.stations)
      receivers.push_back({comp.velocity_plane, nearest_index(st.x, grid.x0, grid.dx),
                           nearest_index(st.z, grid.z0, grid.dz)});
  return receivers;
}

std::vector<PointForce> forces_for(const Case& c, const physics::WaveEquation& eq, std::size_t run) {
  const auto& grid = c.model.grid;
  std::vector<PointForce> forces;
  for (std::size_t s = 0; s < c.sources.size(); ++s) {
    if (!c.combine_sources && s != run) continue;
    const auto& src = c.sources[s];
    const auto stf = solver::ricker(c.nt, c.dt, src.f0, src.t0, src.amp);
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

void check_acquisition_fits(const Case& c, const physics::WaveEquation& eq, const gpu::AdapterInfo& adapter) {
  const std::uint64_t binding =
      std::min(adapter.limits.max_storage_binding_size, adapter.limits.max_buffer_size);
  auto check = [&](const std::string& what, std::uint64_t bytes) {
    if (bytes <= binding) return;
    std::ostringstream s;
    s.precision(3);
    s << what << " need " << double(bytes) / double(1ull << 30) << " GiB in one buffer, but "
      << adapter.summary() << " allows at most " << double(binding) / double(1ull << 30) << " GiB";
    throw GpuError(s.str());
  };
  const std::uint64_t receivers = eq.components().size() * c.stations.size();
  check("the receiver traces (" + std::to_string(receivers) +
            " receiver components x [solver] nt = " + std::to_string(c.nt) + " steps)",
        receivers * std::uint64_t(c.nt) * 4);
  const std::uint64_t sources = (c.combine_sources ? c.sources.size() : 1) * eq.forcing(0).size();
  check("the source time functions (" + std::to_string(sources) +
            " source points x [solver] nt = " + std::to_string(c.nt) + " steps)",
        sources * std::uint64_t(c.nt) * 4);
}

std::vector<problem::Shot> shots_of(const Case& c, const physics::WaveEquation& eq) {
  std::vector<problem::Shot> shots(run_count(c));
  for (std::size_t run = 0; run < shots.size(); ++run) {
    shots[run].forces = forces_for(c, eq, run);
    shots[run].receivers = receivers_for(c, eq);
  }
  return shots;
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

}  // namespace

Case load_case(const fs::path& config_path) {
  Case c;
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
    if (!solver::is_storage_mode(c.adjoint_storage))
      throw InputError(cfg.where("solver", "adjoint_storage") + ": expected " + solver::kStorageModes);
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

}  // namespace seiswg::app
