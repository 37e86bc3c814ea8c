#include "app/case.hpp"

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iomanip>
#include <limits>
#include <memory>
#include <ostream>
#include <set>
#include <sstream>
#include <stdexcept>

#include "app/ranks.hpp"
#include "app/state_file.hpp"
#include "io/error.hpp"
#include "io/features.hpp"
#include "io/npy.hpp"
#include "physics/wave_equation.hpp"
#include "problem/misfit.hpp"
#include "signal/filter.hpp"
#include "solver/adjoint.hpp"
#include "solver/point_interpolation.hpp"
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
        "acoustic",
        "free_surface",
        "point_interpolation",
        "source_types",
        "nt",
        "dt",
        "abs_top",
        "abs_bottom",
        "abs_left",
        "abs_right",
        "abs_width",
        "abs_alpha",
        "boundary",
        "cpml_width",
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
        "adjoint_disk_path",
        "trace_format"}},
      {"path", {"output", "output_traces", "model_true", "model_init", "sources", "stations", "traces"}},
      {"optimize",
       {"niter", "method", "optimizer", "lbfgs_mem", "ls_step", "ls_step_init", "ls_step_max", "ls_thresh"}},
      {"preprocess", {"method", "freq_min", "freq_max"}},
      {"inversion",
       {"parameters", "vs_min", "vs_max", "vp_min", "vp_max", "rho_min", "rho_max", "mu_min", "mu_max",
        "vp_vs_min", "vp_vs_max", "smooth_m", "source_mask", "top_mute", "top_taper", "depth_weight"}},
  };
  return keys;
}
// Sections of Seispie's that belong to other tools (job submission, inversion) and are not checked.
const std::set<std::string> kForeignSections = {"slurm", "postprocess"};
const std::set<std::string> kStageKeys = {"freq_min", "freq_max", "niter", "misfit"};

}  // namespace

std::vector<std::unique_ptr<physics::WaveEquation>> wave_equations(const Case& c) {
  std::vector<std::unique_ptr<physics::WaveEquation>> list;
  if (c.sh) list.push_back(physics::make_sh());
  if (c.psv)
    list.push_back(c.spin ? physics::make_cosserat(c.source_types) : physics::make_psv(c.source_types));
  if (c.acoustic) list.push_back(physics::make_acoustic());
  return list;
}

// Seispie's int(np.round(x / dx)): round half to even (the default floating-point rounding mode).
// Far-away coordinates map to -1 (outside) rather than overflowing the int.
int nearest_index(double coordinate, double origin, double spacing) {
  const double index = std::nearbyint((coordinate - origin) / spacing);
  return std::abs(index) < 1e9 ? int(index) : -1;
}

std::size_t run_count(const Case& c) { return c.combine_sources ? 1 : c.sources.size(); }

namespace {

// The samples (and weights) a point at (x, z) of plane `plane` (of the stress group with `stress`)
// drives or reads: Seispie's nearest node, or with point_interpolation = sinc the windowed-sinc
// samples of the plane's own staggered grid around the true position, folded at a free surface.
std::vector<solver::SampleWeight> point_samples(const Case& c, const physics::WaveEquation& eq, double x,
                                                double z, std::uint32_t plane, bool stress) {
  const auto& g = c.model.grid;
  if (!c.sinc_points) return {{nearest_index(x, g.x0, g.dx), nearest_index(z, g.z0, g.dz), 1.0}};
  double x_shift = 0, z_shift = 0;
  for (const auto& comp : eq.components())
    if (comp.velocity_plane == plane && comp.from_stress == stress)
      x_shift = comp.x_shift, z_shift = comp.z_shift;
  std::optional<solver::SurfaceFold> fold;
  if (c.free_surface)
    for (const auto& image : eq.surface_images())
      if (image.group == (stress ? 1u : 0u) && image.plane == plane)
        fold = solver::SurfaceFold{image.parity, image.staggered};
  return solver::sinc_weights((x - g.x0) / g.dx - x_shift, (z - g.z0) / g.dz - z_shift, g.nx, g.nz,
                              fold ? &*fold : nullptr);
}

// The samples a moment-tensor component of plane `f.velocity_plane` (a stress plane) drives: with
// point_interpolation = sinc the windowed-sinc samples of the plane's own grid (f.x_shift, z_shift)
// around the true position; else spread from the nearest node onto the plane's samples around it
// (1/2 to each of the two along an axis where the plane sits half a cell off: sxz's four, 1/4 each).
// Samples above a free surface fold onto their image; an odd field's samples on the surface row
// (szz there is zero) and samples outside the grid are dropped.
std::vector<solver::SampleWeight> moment_samples(const Case& c, const physics::WaveEquation& eq, double x,
                                                 double z, const physics::Forcing& f) {
  const auto& g = c.model.grid;
  std::optional<physics::SurfaceImage> image;
  if (c.free_surface)
    for (const auto& im : eq.surface_images())
      if (im.group == 1u && im.plane == f.velocity_plane) image = im;
  std::optional<solver::SurfaceFold> fold;
  if (image) fold = solver::SurfaceFold{image->parity, image->staggered};
  std::vector<solver::SampleWeight> spread;
  if (c.sinc_points) {
    spread = solver::sinc_weights((x - g.x0) / g.dx - f.x_shift, (z - g.z0) / g.dz - f.z_shift, g.nx, g.nz,
                                  fold ? &*fold : nullptr);
  } else {
    const int i = nearest_index(x, g.x0, g.dx), j = nearest_index(z, g.z0, g.dz);
    const int ni = f.x_shift != 0 ? 2 : 1, nj = f.z_shift != 0 ? 2 : 1;
    for (int a = 0; a < ni; ++a)
      for (int b = 0; b < nj; ++b) {
        int row = j - (nj - 1) + b;
        double w = 1.0 / double(ni * nj);
        if (row < 0) {
          if (!fold) continue;
          row = fold->staggered ? -1 - row : -row;
          w *= fold->parity;
        }
        const int col = i - (ni - 1) + a;
        if (col < 0 || col >= g.nx || row >= g.nz) continue;
        auto same = std::find_if(spread.begin(), spread.end(),
                                 [&](const solver::SampleWeight& s) { return s.i == col && s.j == row; });
        if (same != spread.end())
          same->weight += w;
        else
          spread.push_back({col, row, w});
      }
  }
  std::erase_if(spread, [&](const solver::SampleWeight& s) {
    return s.weight == 0 || (image && image->parity < 0 && !image->staggered && s.j == 0);
  });
  return spread;
}

// The forcings of source `src` in medium `eq`: a moment tensor (type 2, columns mxx mzz mxz) where
// the medium takes them, else by the type column as the medium reads it (Seispie's: a force).
std::vector<physics::Forcing> source_forcings(const physics::WaveEquation& eq, const io::SourceSpec& src) {
  if (src.type == 2 && !eq.moment_forcing(1, 0, 0).empty()) {
    const auto m = moment_columns(src);
    return eq.moment_forcing(m[0], m[1], m[2]);
  }
  return eq.source_forcing(src.type, src.angle_deg);
}

}  // namespace

std::array<double, 3> moment_columns(const io::SourceSpec& src) {
  const std::string at = src.file.string() + ":" + std::to_string(src.line) + ": ";
  const char* names[3] = {"mxx", "mzz", "mxz"};
  if (src.more_columns.size() < 3)
    throw InputError(
        at +
        "type = 2 (moment tensor) needs three more columns \"mxx mzz mxz\" after \"x z type f0 t0 "
        "angle amp\", got \"" +
        src.text + "\" (" + std::to_string(src.more_columns.size()) + " more)");
  std::array<double, 3> m{};
  for (std::size_t k = 0; k < 3; ++k) {
    const std::string& text = src.more_columns[k];
    char* end = nullptr;
    const double v = std::strtod(text.c_str(), &end);
    if (text.empty() || end != text.c_str() + text.size() || !std::isfinite(v))
      throw InputError(at + names[k] + " = " + text + " is not a finite number in \"" + src.text +
                       "\" (type = 2: a moment tensor \"mxx mzz mxz\" after the 7 columns)");
    m[k] = v;
  }
  return m;
}

std::vector<PointReceiver> receivers_for(const Case& c, const physics::WaveEquation& eq) {
  const auto& grid = c.model.grid;
  std::vector<PointReceiver> receivers;
  for (const auto& comp : eq.components())
    for (const auto& st : c.stations)
      receivers.push_back({comp.velocity_plane, nearest_index(st.x, grid.x0, grid.dx),
                           nearest_index(st.z, grid.z0, grid.dz), 0, comp.from_stress});
  return receivers;
}

std::vector<PointForce> forces_for(const Case& c, const physics::WaveEquation& eq, std::size_t run) {
  const auto& grid = c.model.grid;
  std::vector<PointForce> forces;
  for (std::size_t s = 0; s < c.sources.size(); ++s) {
    if (!c.combine_sources && s != run) continue;
    const auto& src = c.sources[s];
    const auto stf = solver::ricker(c.nt, c.dt, src.f0, src.t0, src.amp);
    // A pressure rate is added between the velocity and the stress update of step it, whose
    // pressure difference is centred at (it + 1/2) dt: it takes the wavelet there, spread over the
    // node's cell (a volume injection of stf m^2/s per metre of line: stf / (dx dz) per node).
    const auto stf_half_step = solver::ricker(c.nt, c.dt, src.f0, src.t0 - 0.5 * c.dt, src.amp);
    for (const auto& f : source_forcings(eq, src)) {
      if (f.weight == 0) continue;
      if (f.moment) {
        // The stress update of step it takes the stress from t = it dt to (it + 1) dt: the stress
        // glut changes by the moment's increment M((it + 1) dt) - M(it dt), spread over the cell.
        const auto stf_next = solver::ricker(c.nt, c.dt, src.f0, src.t0 - c.dt, src.amp);
        for (const auto& sample : moment_samples(c, eq, src.x, src.z, f)) {
          PointForce force{f.velocity_plane, PointForce::kUnweighted, sample.i, sample.j, {}};
          force.stress = true;
          const double weight = f.weight / (grid.dx * grid.dz) * sample.weight;
          force.values.reserve(stf.size());
          for (std::size_t t = 0; t < stf.size(); ++t)
            force.values.push_back(float(weight * (stf_next[t] - stf[t])));
          forces.push_back(std::move(force));
        }
        continue;
      }
      for (const auto& sample : point_samples(c, eq, src.x, src.z, f.velocity_plane, f.into_stress)) {
        PointForce force{f.velocity_plane, f.buoyancy_plane, sample.i, sample.j, {}};
        force.stress = f.into_stress;
        const double weight = (f.into_stress ? f.weight / (grid.dx * grid.dz) : f.weight) * sample.weight;
        force.values.reserve(stf.size());
        for (double v : f.into_stress ? stf_half_step : stf) force.values.push_back(float(weight * v));
        forces.push_back(std::move(force));
      }
    }
  }
  return forces;
}

namespace {
// The GPU bytes a run of the case needs at the least: one shot's fields and material, in the medium
// that needs most.
std::uint64_t least_gpu_bytes(const Case& c, std::uint64_t npt) {
  std::uint64_t bytes = 0;
  for (const auto& eq : wave_equations(c))
    bytes = std::max(bytes, problem::field_bytes(*eq, npt, 1, c.mode != "forward"));
  return bytes;
}
}  // namespace

void check_grid_fits_adapter(const Case& c, const fs::path& model_dir, std::uint64_t npt,
                             const gpu::AdapterInfo& adapter) {
  auto gib = [](std::uint64_t bytes) {
    std::ostringstream s;
    s.precision(3);
    s << double(bytes) / double(1ull << 30) << " GiB";
    return s.str();
  };
  const std::string grid =
      model_dir.string() + ": the model's " + std::to_string(npt) + " nodes (npt in its file headers)";
  const std::uint64_t binding =
      std::min(adapter.limits.max_storage_binding_size, adapter.limits.max_buffer_size);
  // Each field plane lies whole in one buffer binding (solver::detail::FieldSet).
  if (npt * 4 > binding)
    throw GpuError(grid + " need " + gib(npt * 4) + " per grid plane in one buffer, but " +
                   adapter.summary() + " allows at most " + gib(binding) +
                   " per buffer binding (grids of at most " + std::to_string(binding / 4) +
                   " nodes); use a coarser grid or an adapter with larger " +
                   "buffers (seiswg info lists them)");
  const std::uint64_t need = least_gpu_bytes(c, npt);
  if (adapter.memory_bytes > 0 && need > adapter.memory_bytes)
    throw GpuError(grid + " need at least " + gib(need) + " of GPU memory for one shot's fields and " +
                   "material (" + c.mode + " run), but " + adapter.summary() + " has " +
                   gib(adapter.memory_bytes) + "; use a coarser grid or an adapter with more memory");
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
  // An interpolated point reads (or drives) up to 8 x 8 samples.
  const std::uint64_t samples = c.sinc_points ? 64 : 1;
  const std::uint64_t receivers = eq.components().size() * c.stations.size() * samples;
  check("the receiver traces (" + std::to_string(receivers) +
            " receiver components x [solver] nt = " + std::to_string(c.nt) + " steps)",
        receivers * std::uint64_t(c.nt) * 4);
  // A moment tensor drives 3 stress planes, sxz on up to 4 samples around the node.
  const std::uint64_t per_source = std::max<std::uint64_t>(
      eq.forcing(0).size() * samples, eq.moment_forcing(1, 1, 1).size() * (c.sinc_points ? 64 : 4));
  const std::uint64_t sources = (c.combine_sources ? c.sources.size() : 1) * per_source;
  check("the source time functions (" + std::to_string(sources) +
            " source points x [solver] nt = " + std::to_string(c.nt) + " steps)",
        sources * std::uint64_t(c.nt) * 4);
}

std::vector<problem::Shot> shots_of(const Case& c, const physics::WaveEquation& eq) {
  std::vector<problem::Shot> shots(run_count(c));
  for (std::size_t run = 0; run < shots.size(); ++run) {
    shots[run].forces = forces_for(c, eq, run);
    if (!c.sinc_points) {
      shots[run].receivers = receivers_for(c, eq);
      continue;
    }
    // Every component of every station: a trace summed from the samples around it.
    for (const auto& comp : eq.components())
      for (const auto& st : c.stations) {
        problem::TraceSum output;
        for (const auto& sample : point_samples(c, eq, st.x, st.z, comp.velocity_plane, comp.from_stress)) {
          output.terms.push_back({shots[run].receivers.size(), sample.weight});
          shots[run].receivers.push_back({comp.velocity_plane, sample.i, sample.j, 0, comp.from_stress});
        }
        shots[run].outputs.push_back(std::move(output));
      }
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

// v rounded down to 6 significant digits: a limit printed this way is itself accepted.
std::string fmt_at_most(double v) {
  const double unit = std::pow(10.0, std::floor(std::log10(v)) - 5);
  std::ostringstream s;
  s << std::setprecision(6) << std::floor(v / unit) * unit;
  return s.str();
}

std::string fmt(double v, int precision = 4) {
  std::ostringstream s;
  s << std::setprecision(precision) << v;
  return s.str();
}

}  // namespace

const io::SourceSpec& run_source(const Case& c, std::size_t run) {
  return c.sources.at(c.combine_sources ? 0 : run);
}

std::string runs_text(const Case& c, std::size_t first, std::size_t count) {
  const std::string all = std::to_string(c.sources.size());
  if (c.combine_sources) return "all " + all + " sources (combined)";
  if (count == 0) return "no source";
  const io::SourceSpec& begin = c.sources.at(first);
  if (count == 1)
    return "source " + std::to_string(first + 1) + " of " + all + " (" + begin.file.string() + ":" +
           std::to_string(begin.line) + ": " + begin.text + ")";
  const io::SourceSpec& end = c.sources.at(first + count - 1);
  return "sources " + std::to_string(first + 1) + "-" + std::to_string(first + count) + " of " + all + " (" +
         begin.file.string() + ":" + std::to_string(begin.line) + "-" + std::to_string(end.line) + ")";
}

problem::Data read_observed_runs(const Case& c, const physics::WaveEquation& eq, problem::ShotRange runs) {
  const std::string rank_range = rank_work();
  problem::Data out;
  for (std::size_t run = runs.first; run < runs.first + runs.count; ++run) {
    if (!rank_range.empty()) note_rank_work(runs_text(c, run, 1));
    out.push_back(read_observed(c, eq, run));
  }
  if (!rank_range.empty()) note_rank_work(rank_range);
  return out;
}

std::vector<float> read_observed(const Case& c, const physics::WaveEquation& eq, std::size_t run) {
  const std::size_t nrec = c.stations.size(), nt = std::size_t(c.nt);
  char tag[32];
  std::snprintf(tag, sizeof tag, "%06zu", c.combine_sources ? std::size_t(0) : run);
  const std::string expected = "(" + std::to_string(nrec) + " stations in " +
                               c.stations_file.filename().string() + ", nt = " + std::to_string(nt) + ")";
  // Every sample finite and of a size float32 products survive (the adjoint source is formed on the
  // GPU in float32): found now, not as an "unstable" adjoint run at the end.
  auto check_samples = [&](std::span<const float> values, const fs::path& file) {
    for (std::size_t k = 0; k < values.size(); ++k)
      if (!std::isfinite(values[k]) || std::abs(values[k]) > 1e30f) {
        const std::size_t r = k / nt, it = k % nt;
        throw InputError(file.string() + ": observed trace of station " + std::to_string(r + 1) + " (" +
                         c.stations_file.filename().string() + " line " +
                         std::to_string(r < c.stations.size() ? c.stations[r].line : 0) + "), sample " +
                         std::to_string(it) + " (t = " + fmt(double(it) * c.dt, 6) + " s) is " +
                         fmt(double(values[k]), 6) + ": observed data must be finite and below 1e30 in size");
      }
  };
  std::vector<float> all;
  for (const auto& comp : eq.components()) {
    // seiswg's own trace files (uy_...), else Seispie's observed-data names (vy_...); .npy first.
    fs::path file;
    std::string looked_for;
    for (const auto& name : {comp.trace_name, comp.snapshot_name})
      for (const char* ext : {".npy", ".su", ".sgy"}) {
        const fs::path candidate = *c.observed_traces / (name + "_" + tag + ext);
        if (file.empty() && fs::exists(candidate)) file = candidate;
        looked_for += (looked_for.empty() ? "" : ", ") + candidate.filename().string();
      }
    if (file.empty())
      throw InputError("missing observed traces for " + eq.name() + " component " + comp.trace_name +
                       " of run " + tag + " in " + c.observed_traces->string() +
                       " ([path] traces): none of " + looked_for + " exists");
    if (file.extension() != ".npy") {
      const auto format = file.extension() == ".su" ? io::TraceFileFormat::su : io::TraceFileFormat::segy;
      const auto t = io::read_trace_file(file, format);
      if (t.traces != nrec || t.samples != nt)
        throw InputError(file.string() + ": observed traces hold " + std::to_string(t.traces) +
                         " traces of " + std::to_string(t.samples) + " samples, expected " +
                         std::to_string(nrec) + " traces of " + std::to_string(nt) + " samples " + expected);
      // Headers keep whole microseconds: a difference of more than that is another sampling.
      if (t.dt > 0 && std::abs(t.dt - c.dt) > 0.5e-6 + 1e-9 * c.dt)
        throw InputError(file.string() + ": observed traces are sampled every " + fmt(t.dt * 1e6, 6) +
                         " us (trace headers), but " + c.config.where("solver", "dt") + " s is " +
                         fmt(c.dt * 1e6, 6) + " us; seiswg does not resample observed data");
      check_samples(t.values, file);
      all.insert(all.end(), t.values.begin(), t.values.end());
      continue;
    }
    std::ifstream in(file, std::ios::binary);
    char magic[6] = {};
    in.read(magic, 6);
    if (in.gcount() == 6 && std::memcmp(magic, "\x93NUMPY", 6) == 0) {
      const auto a = io::read_npy(file);
      if (a.shape.size() != 2 || a.shape[0] != nrec || a.shape[1] != nt)
        throw InputError(file.string() + ": observed traces have shape (" +
                         (a.shape.empty() ? std::string() : std::to_string(a.shape[0])) +
                         (a.shape.size() > 1 ? ", " + std::to_string(a.shape[1]) : std::string()) +
                         "), expected " + expected);
      check_samples(a.data, file);
      all.insert(all.end(), a.data.begin(), a.data.end());
    } else {
      // Seispie's observed traces: raw float32 samples, [receiver][nt], no header.
      const auto bytes = fs::file_size(file);
      if (bytes != nrec * nt * 4)
        throw InputError(file.string() + ": " + std::to_string(bytes) +
                         " bytes of raw float32 traces (no .npy header), expected " +
                         std::to_string(nrec * nt * 4) + " = " + std::to_string(nrec) + " x " +
                         std::to_string(nt) + " x 4 " + expected);
      std::vector<float> raw(nrec * nt);
      in.seekg(0);
      in.read(reinterpret_cast<char*>(raw.data()), std::streamsize(bytes));
      if (!in) throw InputError(file.string() + ": cannot read the observed traces");
      check_samples(raw, file);
      all.insert(all.end(), raw.begin(), raw.end());
    }
  }
  return all;
}

std::optional<signal::ZeroPhaseFilter> stage_filter(const Stage& stage, double dt) {
  const std::string where =
      stage.where + " freq_min = " + fmt(stage.freq_min) + ", freq_max = " + fmt(stage.freq_max);
  if (stage.freq_min > 0 && stage.freq_max > 0) {
    signal::Band{stage.freq_min, stage.freq_max}.validate(dt, where);
    return signal::ZeroPhaseFilter::band_pass({stage.freq_min, stage.freq_max}, dt);
  }
  if (stage.freq_max > 0) {
    signal::Band{0, stage.freq_max}.validate(dt, where);
    return signal::ZeroPhaseFilter::low_pass(stage.freq_max, dt);
  }
  if (stage.freq_min > 0) {
    if (stage.freq_min >= 0.5 / dt)
      throw InputError(where + ": freq_min must be below the Nyquist frequency " + fmt(0.5 / dt) + " Hz");
    return signal::ZeroPhaseFilter::high_pass(stage.freq_min, dt);
  }
  return std::nullopt;
}

namespace {

bool is_stage_section(const std::string& section) {
  return section.size() > 5 && section.rfind("stage", 0) == 0 &&
         std::all_of(section.begin() + 5, section.end(), [](char ch) { return ch >= '0' && ch <= '9'; });
}

// A frequency key that Seispie writes as "no" when unset: 0 Hz (no limit).
double frequency_or_none(const io::Config& cfg, const std::string& section, const std::string& key,
                         double fallback) {
  if (!cfg.has(section, key)) return fallback;
  const std::string v = cfg.get_string(section, key, "");
  if (v == "no" || v == "none" || v.empty()) return 0;
  // 0 or no: no limit; the Nyquist frequency is checked with the time step (stage_filter).
  return cfg.get_double(section, key, "a frequency in Hz", io::RealRange::at_least(0));
}

std::vector<std::string> split_list(const std::string& text) {
  std::vector<std::string> out;
  std::string item;
  for (char ch : text + ",") {
    if (ch == ',' || ch == ' ' || ch == '\t') {
      if (!item.empty()) out.push_back(item);
      item.clear();
    } else {
      item += char(std::tolower(static_cast<unsigned char>(ch)));
    }
  }
  return out;
}

}  // namespace

InversionSpec inversion_spec(const Case& c) {
  const auto& cfg = c.config;
  InversionSpec spec;
  auto& opt = spec.optimizer;
  const std::string method_key = cfg.has("optimize", "method") ? "method" : "optimizer";
  spec.method_name = cfg.get_string_or("optimize", method_key, "lbfgs");
  if (spec.method_name == "lbfgs" || spec.method_name == "l-bfgs")
    opt.method = inversion::Method::lbfgs;
  else if (spec.method_name == "cg" || spec.method_name == "nlcg")
    opt.method = inversion::Method::cg;
  else if (spec.method_name == "gd" || spec.method_name == "sgd")  // Seispie's sgd is its gd
    opt.method = inversion::Method::gd;
  else
    throw InputError(cfg.where("optimize", method_key) + ": unknown method '" + spec.method_name +
                     "' (expected lbfgs, cg, gd or sgd)");
  auto positive_int = [&](const std::string& key, long fallback, long least) {
    const long v = cfg.get_int_or("optimize", key, fallback);
    if (v < least)
      throw InputError(cfg.where("optimize", key) + ": must be >= " + std::to_string(least) + " (got " +
                       std::to_string(v) + ")");
    return int(v);
  };
  const int niter = positive_int("niter", 10, 0);
  opt.memory = positive_int("lbfgs_mem", 5, 1);
  opt.max_trials = positive_int("ls_step", 10, 1);
  // Model changes as fractions of max |m|: beyond 10 times the model a step is no line search.
  const io::RealRange fraction{0, 10, true, false};
  opt.first_step = cfg.get_double_or("optimize", "ls_step_init", 0.05, fraction);
  opt.max_step = cfg.get_double_or("optimize", "ls_step_max", 0.5, fraction);
  if (!(opt.max_step >= opt.first_step))
    throw InputError(cfg.where("optimize", "ls_step_max") + ": the largest model change (" +
                     fmt(opt.max_step) + ") must be >= ls_step_init (" + fmt(opt.first_step) + ")");

  // Parameters: [inversion] parameters, else SH vs; P-SV vp and vs; Cosserat mu and lambda.
  std::vector<std::string> names;
  if (cfg.has("inversion", "parameters"))
    names = split_list(cfg.get_string("inversion", "parameters", ""));
  else if (c.psv && c.spin)
    names = {"mu", "lambda"};
  else if (c.psv)
    names = {"vp", "vs"};
  else if (c.acoustic)
    names = {"vp"};
  else
    names = {"vs"};
  if (names.empty()) throw InputError(cfg.where("inversion", "parameters") + ": lists no parameter");
  // The largest wave speed the time step allows: an upper bound on the inverted velocities.
  const double fastest = physics::staggered_dt_limit(1.0, c.model.grid.dx, c.model.grid.dz) / c.dt * 0.999;
  for (const auto& name : names) {
    inversion::ParameterSpec p{name};
    p.min = cfg.get_double_or("inversion", name + "_min", 0.0);
    p.max = cfg.get_double_or("inversion", name + "_max", std::numeric_limits<double>::infinity());
    if (!(p.min < p.max))
      throw InputError(cfg.where("inversion", name + "_max") + ": the upper bound must be above " +
                       cfg.where("inversion", name + "_min") + " (got " + fmt(p.min) + " to " + fmt(p.max) +
                       ")");
    if ((name == "vp" || name == "vs") && p.max > fastest) p.max = fastest;
    spec.parameters.push_back(p);
  }
  for (const std::string key :
       {"vs_min", "vs_max", "vp_min", "vp_max", "rho_min", "rho_max", "mu_min", "mu_max"})
    if (cfg.has("inversion", key) &&
        std::find(names.begin(), names.end(), key.substr(0, key.find('_'))) == names.end())
      throw InputError(cfg.where("inversion", key) + ": " + key.substr(0, key.find('_')) +
                       " is not inverted ([inversion] parameters)");
  const bool velocity = std::find(names.begin(), names.end(), "vp") != names.end() ||
                        std::find(names.begin(), names.end(), "vs") != names.end();
  if (cfg.has("inversion", "vp_vs_min") || cfg.has("inversion", "vp_vs_max") ||
      (velocity && c.psv && !c.spin)) {
    inversion::RatioRange r;
    // lambda = rho (vp^2 - 2 vs^2) > 0 needs vp / vs > sqrt(2).
    r.min = cfg.get_double_or("inversion", "vp_vs_min", std::sqrt(2.0) * 1.001, io::RealRange::above(0));
    r.max = cfg.get_double_or("inversion", "vp_vs_max", std::numeric_limits<double>::infinity());
    if (!(r.min < r.max))
      throw InputError(cfg.where("inversion", "vp_vs_max") + ": the largest vp/vs must be above " +
                       cfg.where("inversion", "vp_vs_min") + " (got " + fmt(r.min) + " to " + fmt(r.max) +
                       ")");
    spec.vp_vs = r;
  }

  // Gradient conditioning: Seispie's [solver] smooth (sigma in grid points), or sigma in metres.
  spec.smooth_x = spec.smooth_z = c.smooth;
  const auto& grid = c.model.grid;
  if (cfg.has("inversion", "smooth_m")) {
    // As wide as the grid at most: a wider Gaussian is flat over it (and 4 sigma must fit an int).
    const double extent = std::max((grid.nx - 1) * grid.dx, (grid.nz - 1) * grid.dz);
    const double m = cfg.get_double("inversion", "smooth_m", "", io::RealRange{0, extent, false, false});
    spec.smooth_x = m / grid.dx;
    spec.smooth_z = m / grid.dz;
  }
  spec.source_mask_radius = cfg.get_double_or(
      "inversion", "source_mask", 0.0, io::RealRange{0, double(std::max(grid.nx, grid.nz)), false, false});
  const long mute = cfg.get_int_or("inversion", "top_mute", 0),
             taper = cfg.get_int_or("inversion", "top_taper", 0);
  if (mute < 0 || mute >= c.model.grid.nz)
    throw InputError(cfg.where("inversion", "top_mute") + ": rows must be in [0, nz)");
  if (taper < 0) throw InputError(cfg.where("inversion", "top_taper") + ": rows must be >= 0");
  spec.top_mute = int(mute), spec.top_taper = int(taper);
  // (z / z_max)^p: a negative power is infinite at the surface.
  spec.depth_power = cfg.get_double_or("inversion", "depth_weight", 0.0, io::RealRange::at_least(0));

  // Stages: [stage1], [stage2], ... in order; else one from [preprocess] and [optimize].
  const double fmin = frequency_or_none(cfg, "preprocess", "freq_min", 0),
               fmax = frequency_or_none(cfg, "preprocess", "freq_max", 0);
  const std::string misfit = cfg.get_string_or("solver", "misfit", "waveform");
  std::vector<std::pair<long, std::string>> sections;
  for (const auto& [section, keys] : cfg.sections)
    if (is_stage_section(section)) sections.push_back({std::stol(section.substr(5)), section});
  std::sort(sections.begin(), sections.end());
  if (sections.empty()) sections.push_back({0, ""});
  for (const auto& [number, section] : sections) {
    Stage st;
    st.where = section.empty() ? cfg.file.string() + ": [preprocess] / [optimize]"
                               : cfg.file.string() + ": [" + section + "]";
    st.freq_min = section.empty() ? fmin : frequency_or_none(cfg, section, "freq_min", fmin);
    st.freq_max = section.empty() ? fmax : frequency_or_none(cfg, section, "freq_max", fmax);
    const long n = section.empty() ? niter : cfg.get_int_or(section, "niter", niter);
    if (n < 0) throw InputError(cfg.where(section, "niter") + ": must be >= 0");
    st.iterations = int(n);
    st.misfit = section.empty() ? misfit : cfg.get_string_or(section, "misfit", misfit);
    try {
      (void)problem::make_misfit(st.misfit, c.misfit_taper);
    } catch (const InputError& e) {
      throw InputError(st.where + ": " + e.what());
    }
    (void)stage_filter(st, c.dt);  // throws for an empty band or one above Nyquist
    spec.stages.push_back(st);
  }
  return spec;
}

namespace {

// [solver] trace_format = npy | su | segy, several comma-separated; checks that SU / SEG-Y headers can
// hold nt and dt.
void read_trace_formats(Case& c) {
  auto& cfg = c.config;
  const std::string text = cfg.get_string_or("solver", "trace_format", "npy");
  const auto names = split_list(text);
  if (names.empty())
    throw InputError(cfg.where("solver", "trace_format") + ": names no format (expected npy, su or segy, " +
                     "comma-separated)");
  c.npy_traces = false;
  c.trace_files.clear();
  auto add = [&](io::TraceFileFormat f) {
    if (std::find(c.trace_files.begin(), c.trace_files.end(), f) == c.trace_files.end())
      c.trace_files.push_back(f);
  };
  for (const auto& name : names) {
    if (name == "npy")
      c.npy_traces = true;
    else if (name == "su")
      add(io::TraceFileFormat::su);
    else if (name == "segy" || name == "sgy")
      add(io::TraceFileFormat::segy);
    else
      throw InputError(cfg.where("solver", "trace_format") + ": unknown trace format '" + name +
                       "' (expected npy, su or segy, several comma-separated)");
  }
  if (c.trace_files.empty()) return;
  if (!io::kHasTraceFiles)
    throw InputError(cfg.where("solver", "trace_format") + ": " + io::trace_files_unavailable());
  if (std::size_t(c.nt) > io::kMaxTraceSamples)
    throw InputError(cfg.where("solver", "nt") + ": " + std::to_string(c.nt) +
                     " samples per trace do not fit SU/SEG-Y headers (at most " +
                     std::to_string(io::kMaxTraceSamples) + ", a 16-bit field; " +
                     cfg.where("solver", "trace_format") + "); use trace_format = npy");
  bool exact = true;
  const int us = io::sample_interval_us(
      c.dt, cfg.where("solver", "dt") + " (for " + cfg.where("solver", "trace_format") + ")", &exact);
  if (!exact)
    cfg.warnings.push_back(cfg.where("solver", "dt") + ": SU/SEG-Y headers hold whole microseconds: their " +
                           "sample interval says " + std::to_string(us) + " us");
}

}  // namespace

namespace {

// WebGPU guarantees every adapter a storage buffer binding of 128 MiB (maxStorageBufferBindingSize).
constexpr std::uint64_t kGuaranteedBindingBytes = 128ull << 20;

void read_case(Case& c, const AdapterLookup& adapter) {
  auto& cfg = c.config;
  std::map<std::string, std::set<std::string>> known = known_keys();
  for (const auto& [section, keys] : cfg.sections)
    if (kForeignSections.count(section))
      for (const auto& [key, value] : keys) known[section].insert(key);
  for (const auto& [section, keys] : cfg.sections)
    if (is_stage_section(section)) known[section] = kStageKeys;
  io::warn_unknown_keys(cfg, known);

  c.mode = cfg.get_string_or("workflow", "mode", "forward");
  if (c.mode != "forward" && c.mode != "adjoint" && c.mode != "inversion")
    throw InputError(cfg.where("workflow", "mode") + ": mode '" + c.mode +
                     "' is not available in this version of seiswg (supported: forward, adjoint, inversion)");
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
  c.acoustic = cfg.get_bool_or("solver", "acoustic", false);
  if (!c.sh && !c.psv && !c.acoustic)
    throw InputError(cfg.file.string() +
                     ": nothing to simulate: set [solver] sh = yes, psv = yes and/or acoustic = yes");
  if (c.acoustic && c.psv)
    throw InputError(cfg.where("solver", "acoustic") +
                     ": acoustic = yes and psv = yes cannot run together (both record ux and uz): "
                     "choose one");
  if (c.spin && !c.psv)
    throw InputError(cfg.where("solver", "spin") + ": spin = yes (Cosserat) needs psv = yes");

  // The range is checked below, with its own messages.
  const long nt = cfg.get_int("solver", "nt", "the number of time steps", std::numeric_limits<long>::min(),
                              std::numeric_limits<long>::max());
  if (nt <= 0) throw InputError(cfg.where("solver", "nt") + ": the number of time steps must be > 0");
  if (nt > 2000000000L)
    throw InputError(cfg.where("solver", "nt") + ": the number of time steps must be at most 2000000000");
  c.nt = int(nt);
  c.dt = cfg.get_double("solver", "dt", "the time step in seconds");
  if (!(c.dt > 0)) throw InputError(cfg.where("solver", "dt") + ": the time step must be > 0");
  if (!std::isnormal(c.dt) || c.dt < 1e-12)
    throw InputError(cfg.where("solver", "dt") + ": a time step of " + fmt(c.dt) +
                     " s is too small to be one (at least 1e-12 s)");

  c.taper.left = cfg.get_bool_or("solver", "abs_left", false);
  c.taper.right = cfg.get_bool_or("solver", "abs_right", false);
  c.taper.top = cfg.get_bool_or("solver", "abs_top", false);
  c.taper.bottom = cfg.get_bool_or("solver", "abs_bottom", false);
  // The absorbing sides (abs_*) get Seispie's taper, or with boundary = cpml a CPML of cpml_width
  // nodes (its f0 and speed come from the sources and the model below).
  const std::string boundary = cfg.get_string_or("solver", "boundary", "taper");
  if (boundary != "taper" && boundary != "cpml")
    throw InputError(cfg.where("solver", "boundary") + ": boundary = " + boundary +
                     ": expected taper (Seispie's Gaussian taper on the abs_* sides) or cpml (convolutional "
                     "PML layers of cpml_width nodes on the abs_* sides)");
  const long cpml_width = cfg.get_int_or("solver", "cpml_width", 20, 1, 100000);
  if (boundary == "cpml") {
    c.cpml.left = c.taper.left, c.cpml.right = c.taper.right, c.cpml.top = c.taper.top,
    c.cpml.bottom = c.taper.bottom;
    c.cpml.width = int(cpml_width);
    c.taper.left = c.taper.right = c.taper.top = c.taper.bottom = false;
  }
  const bool any_taper = c.taper.left || c.taper.right || c.taper.top || c.taper.bottom;
  const long width = any_taper ? cfg.get_int("solver", "abs_width", "the absorbing layer's width in nodes", 0)
                               : cfg.get_int_or("solver", "abs_width", 0, 0);
  if (width < 0) throw InputError(cfg.where("solver", "abs_width") + ": must be >= 0");
  c.taper.width = int(width);
  c.taper.alpha = any_taper ? cfg.get_double("solver", "abs_alpha", "the absorbing layer's decay rate",
                                             io::RealRange::at_least(0))
                            : cfg.get_double_or("solver", "abs_alpha", 0.0, io::RealRange::at_least(0));
  c.free_surface = cfg.get_bool_or("solver", "free_surface", false);
  c.source_types = cfg.get_bool_or("solver", "source_types", false);
  if (c.source_types && !c.psv && !c.acoustic)
    throw InputError(cfg.where("solver", "source_types") +
                     ": source_types = yes reads the sources.dat type column for the elastic media (P-SV, "
                     "Cosserat: psv = yes); SH takes forces only");
  const std::string interpolation = cfg.get_string_or("solver", "point_interpolation", "nearest");
  if (interpolation != "nearest" && interpolation != "sinc")
    throw InputError(
        cfg.where("solver", "point_interpolation") + ": point_interpolation = " + interpolation +
        ": expected nearest (Seispie's: the nearest node) or sinc (the true position, Hicks 2002)");
  c.sinc_points = interpolation == "sinc";
  if (c.free_surface && (c.taper.top || c.cpml.top))
    throw InputError(
        cfg.where("solver", "free_surface") +
        ": free_surface = yes makes the top (z = 0, row j = 0) a free surface: it cannot also be "
        "absorbing (set abs_top = no)");
  for (const auto& eq : wave_equations(c))
    if (c.free_surface && eq->surface_images().empty())
      throw InputError(cfg.where("solver", "free_surface") +
                       ": free_surface = yes is not available for the " + eq->name() +
                       " medium yet (available: acoustic, SH, P-SV, Cosserat)");

  const long snapshot = cfg.get_int_or("solver", "save_snapshot", 0, 0);
  if (snapshot > nt)
    throw InputError(cfg.where("solver", "save_snapshot") + ": a snapshot every " + std::to_string(snapshot) +
                     " steps comes after the last of nt = " + std::to_string(nt) +
                     " steps: expected 0 (no snapshots) to " + std::to_string(nt));
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
  read_trace_formats(c);
  // Seispie's keys of its adjoint runs: smooth (the kernel copies Seispie writes; the inversion's
  // conditioning reads it too) and adjoint_interval (Seispie's checkpoint spacing).
  // Its upper bound, the grid's larger side, is checked with the model.
  c.smooth = cfg.get_double_or("solver", "smooth", 0.0, io::RealRange::at_least(0));
  if (cfg.has("solver", "adjoint_interval"))
    c.adjoint_interval = cfg.get_string("solver", "adjoint_interval", "");

  std::vector<std::string> names;
  for (const auto& eq : wave_equations(c))
    for (const auto& n : eq->model_names())
      if (std::find(names.begin(), names.end(), n) == names.end()) names.push_back(n);
  std::optional<gpu::AdapterInfo> adapter_info;  // looked up once, by the first model that needs it
  auto load_model = [&](const std::string& key, const std::string& what) {
    auto dir = cfg.get_path(key);
    if (!dir) throw InputError(cfg.file.string() + ": missing [path] " + key + " (" + what + ")");
    if (!fs::is_directory(*dir))
      throw InputError(cfg.where("path", key) + ": model folder " + dir->string() + " does not exist");
    // The grid is checked against the adapter from the file headers alone, before gigabytes of
    // values are read. Grids within what WebGPU guarantees every adapter need no lookup (which opens
    // the adapter: a tenth of a second).
    const std::uint64_t header_points = io::model_points(*dir, names);
    if (adapter && least_gpu_bytes(c, header_points) > kGuaranteedBindingBytes) {
      if (!adapter_info) adapter_info = adapter();
      check_grid_fits_adapter(c, *dir, header_points, *adapter_info);
    }
    io::Model m = io::read_model(*dir, names);
    {
      // Where Seispie's own grid inference would size this grid differently (elongated grids, dx != dz).
      const auto& g = m.grid;
      const double lx = (g.nx - 1) * g.dx, lz = (g.nz - 1) * g.dz, npt = double(g.npt());
      const long snx = std::lrint(std::sqrt(npt * lx / lz)), snz = std::lrint(std::sqrt(npt * lz / lx));
      if (snx != g.nx || snz != g.nz)
        cfg.warnings.push_back(dir->string() +
                               ": Seispie's grid inference (nx = rint(sqrt(npt lx / lz))) would size "
                               "this model as " +
                               std::to_string(snx) + " x " + std::to_string(snz) + " nodes; seiswg takes " +
                               std::to_string(g.nx) + " x " + std::to_string(g.nz) +
                               " from the node order, so Seispie would not run it as it is");
    }
    for (const auto& eq : wave_equations(c)) {
      eq->validate(m);
      const double limit = eq->max_stable_dt(m);
      if (c.dt > limit)
        throw InputError(cfg.where("solver", "dt") + ": dt = " + fmt(c.dt) +
                         " s exceeds the stability limit of the " + eq->name() + " scheme for the model in " +
                         dir->string() + " (dx = " + fmt(m.grid.dx) + " m, dz = " + fmt(m.grid.dz) +
                         " m): the largest stable dt is " + fmt_at_most(limit) + " s");
    }
    return m;
  };
  auto check_same_grid = [&](const std::string& key, const io::Model& m) {
    const auto &a = c.model.grid, &b = m.grid;
    if (a.nx != b.nx || a.nz != b.nz || std::abs(a.dx - b.dx) > 1e-6 * a.dx ||
        std::abs(a.dz - b.dz) > 1e-6 * a.dz)
      throw InputError(cfg.where("path", key) + ": the model's grid (" + std::to_string(b.nx) + " x " +
                       std::to_string(b.nz) + ") differs from model_init's (" + std::to_string(a.nx) + " x " +
                       std::to_string(a.nz) + ")");
  };
  // An absorbing layer as wide as half the grid damps every wave (traces exactly 0, exit 0).
  auto check_taper_fits = [&](const io::Model& m) {
    if (c.cpml.on() && 2L * c.cpml.width >= std::min(m.grid.nx, m.grid.nz))
      throw InputError(cfg.where("solver", "cpml_width") + ": cpml_width = " + std::to_string(c.cpml.width) +
                       ": the CPML layers would cover the " + std::to_string(m.grid.nx) + " x " +
                       std::to_string(m.grid.nz) + " grid of " + m.dir.string() + ": expected 1 to " +
                       std::to_string((std::min(m.grid.nx, m.grid.nz) - 1) / 2) +
                       " nodes (less than half the grid's smaller side)");
    if (!any_taper) return;
    const int smaller = std::min(m.grid.nx, m.grid.nz);
    if (2L * c.taper.width >= smaller)
      throw InputError(cfg.where("solver", "abs_width") + ": the absorbing layers would cover the " +
                       std::to_string(m.grid.nx) + " x " + std::to_string(m.grid.nz) + " grid of " +
                       m.dir.string() + ": expected 0 to " + std::to_string((smaller - 1) / 2) +
                       " nodes (less than half the grid's smaller side)");
  };
  if (c.mode == "forward") {
    // Forward runs use the true model when there is one (Seispie), else the initial model.
    c.model = load_model(cfg.get_path("model_true") ? "model_true" : "model_init", "the model folder");
    check_taper_fits(c.model);
  } else {
    c.model = load_model("model_init", "the starting model of an adjoint run");
    check_taper_fits(c.model);
    c.observed_traces = cfg.get_path("traces");
    if (c.observed_traces) {
      if (!fs::is_directory(*c.observed_traces))
        throw InputError(cfg.where("path", "traces") + ": folder of observed traces " +
                         c.observed_traces->string() + " does not exist");
    } else {
      c.model_true =
          load_model("model_true", "the true model, to compute observed traces; or give [path] traces");
      check_same_grid("model_true", *c.model_true);
    }
    if (c.mode == "inversion" && cfg.get_path("model_true")) {
      if (c.model_true)
        c.reference_model = c.model_true;
      else
        c.reference_model = load_model("model_true", "the true model");
      check_same_grid("model_true", *c.reference_model);
    }
    // The cosine taper's width at each end, a fraction of the trace length.
    c.misfit_taper = cfg.get_double_or("solver", "misfit_taper", 0.0, io::RealRange{0, 0.5, false, true});
    c.adjoint_storage = cfg.get_string_or("solver", "adjoint_storage", "auto");
    if (!solver::is_storage_mode(c.adjoint_storage))
      throw InputError(cfg.where("solver", "adjoint_storage") + ": expected " + solver::kStorageModes);
    // GB (0: the card's memory); up to a petabyte, which the byte count holds.
    const double gb =
        cfg.get_double_or("solver", "adjoint_gpu_memory", 0.0, io::RealRange{0, 1e6, false, false});
    c.adjoint_gpu_bytes = std::uint64_t(gb * 1e9);
    const long segment = cfg.get_int_or("solver", "adjoint_segment", 0, 0);
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
      // The output folder is made when the run starts (adjoint_setup), not by a check.
      if (disk.empty())
        check_output_folder(c.output);
      else
        check_disk_folder(c.adjoint_disk_path, cfg.where("solver", "adjoint_disk_path"));
    }
  }

  // A Gaussian wider than the grid is flat over it (and its reach of 4 sigma must fit an int).
  if (const int widest = std::max(c.model.grid.nx, c.model.grid.nz); c.smooth > widest)
    throw InputError(cfg.where("solver", "smooth") + ": a Gaussian sigma of " + fmt(c.smooth) +
                     " grid points is wider than the " + std::to_string(c.model.grid.nx) + " x " +
                     std::to_string(c.model.grid.nz) + " grid: expected 0 to " + std::to_string(widest) +
                     " grid points");

  auto sources = cfg.get_path("sources");
  if (!sources) throw InputError(cfg.file.string() + ": missing [path] sources (the sources.dat file)");
  auto stations = cfg.get_path("stations");
  if (!stations) throw InputError(cfg.file.string() + ": missing [path] stations (the stations.dat file)");
  c.stations_file = *stations;
  c.sources = io::read_sources(*sources);
  c.stations = io::read_stations(*stations);
  for (const auto& s : c.sources) check_inside(c.model.grid, s, *sources, "source");
  for (const auto& s : c.stations) check_inside(c.model.grid, s, *stations, "station");
  for (const auto& eq : wave_equations(c)) {
    if (eq->source_types().empty()) continue;  // Seispie's media: the type column is not read
    for (const auto& s : c.sources) {
      try {
        (void)source_forcings(*eq, s);
      } catch (const std::invalid_argument&) {
        throw InputError(sources->string() + ":" + std::to_string(s.line) +
                         ": type = " + std::to_string(s.type) + ": the " + eq->name() +
                         " medium takes source types " + eq->source_types());
      }
    }
  }
  if (c.sh && c.source_types)
    for (const auto& s : c.sources)
      if (s.type != 0)
        throw InputError(sources->string() + ":" + std::to_string(s.line) +
                         ": type = " + std::to_string(s.type) +
                         ": with [solver] source_types = yes the SH medium takes forces only (type 0); run "
                         "explosions and moment tensors with psv = yes alone");
  if (c.sh) {
    // Seispie's SH stencil never updates the two outermost rows and columns: they stay at rest.
    const auto& g = c.model.grid;
    for (const auto& s : c.stations) {
      const int i = nearest_index(s.x, g.x0, g.dx), j = nearest_index(s.z, g.z0, g.dz);
      if (i < 2 || (j < 2 && !c.free_surface) || i >= g.nx - 2 || j >= g.nz - 2)
        cfg.warnings.push_back(c.stations_file.string() + ":" + std::to_string(s.line) +
                               ": station within 2 nodes of the grid edge, where Seispie's SH scheme (which "
                               "seiswg reproduces) keeps the wavefield at rest: its uy trace will be zero");
    }
  }
  if (c.cpml.on()) {
    // alpha_max = pi f0 at the sources' highest f0; d0 from the starting model's fastest wave, kept
    // for the whole run (a profile that moved with the model would change the discrete problem
    // between iterations and its gradient would not be exact).
    for (const auto& s : c.sources) c.cpml.f0 = std::max(c.cpml.f0, s.f0);
    const auto& g = c.model.grid;
    for (const auto& eq : wave_equations(c))
      c.cpml.speed =
          std::max(c.cpml.speed, physics::staggered_dt_limit(1.0, g.dx, g.dz) / eq->max_stable_dt(c.model));
  }
  if (c.mode == "inversion") c.inversion = inversion_spec(c);
  const Sampling sampling = sampling_of(c);
  if (sampling.points < 1)
    throw InputError(sources->string() + " and the model in " + c.model.dir.string() + ": " +
                     sampling_problem(sampling));
}

}  // namespace

Case load_case(const fs::path& config_path, const AdapterLookup& adapter) {
  Case c;
  c.config = io::load_config(config_path);
  try {
    read_case(c, adapter);
  } catch (const InputError& e) {
    // A typo in a key often causes the error ("missing [solver] abs_width" after "abs_widht"): the
    // warnings go with it, since no run starts to print them.
    if (c.config.warnings.empty()) throw;
    std::string text = e.what();
    for (const auto& w : c.config.warnings) text += "\nwarning: " + w;
    throw InputError(text);
  }
  return c;
}

}  // namespace seiswg::app
