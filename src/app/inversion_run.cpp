// Seispie's `mode = inversion`: stages of optimizer iterations on problem::Problem's
// misfit_and_gradient, resumable after every evaluation.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iterator>
#include <map>
#include <ostream>
#include <sstream>

#include "app/duration.hpp"
#include "app/figures.hpp"
#include "app/interrupt.hpp"
#include "app/live_view.hpp"
#include "app/progress.hpp"
#include "app/run_files.hpp"
#include "app/runs.hpp"
#include "app/stage_media.hpp"
#include "inversion/conditioning.hpp"
#include "inversion/optimizer.hpp"
#include "inversion/parametrization.hpp"
#include "io/atomic_file.hpp"
#include "io/error.hpp"
#include "io/figure.hpp"
#include "problem/misfit.hpp"
#include "problem/problem.hpp"

namespace seiswg::app {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

// One row of misfit.csv.
struct Row {
  int iteration = 0, stage = 0;
  double misfit = 0, relative = 0, step = 0;
  long forward_runs = 0, adjoint_runs = 0;
  double seconds = 0, model_error = -1;  // -1: no true model
};

// Everything a resumed run needs, saved after every evaluation.
struct SavedState {
  std::uint64_t fingerprint = 0;
  bool finished = false;
  int stage = 0;
  int iteration = 0;                    // accepted iterations so far, all stages
  std::vector<double> stage_start;      // x at which the current stage starts
  std::vector<std::uint8_t> optimizer;  // the current stage's optimizer (empty: not started)
  double stage_first_misfit = 0;
  long forward_runs = 0, adjoint_runs = 0;
  double seconds = 0;
  std::vector<std::uint8_t> region;  // nodes inside the illuminated region (model error)
  std::vector<Row> rows;
};

// Little-endian bytes, doubles bit-exact.
struct Writer {
  std::vector<std::uint8_t> bytes;
  void raw(const void* p, std::size_t n) {
    const auto* b = static_cast<const std::uint8_t*>(p);
    bytes.insert(bytes.end(), b, b + n);
  }
  template <class T>
  void put(T v) {
    raw(&v, sizeof v);
  }
  template <class T>
  void vec(const std::vector<T>& v) {
    put<std::uint64_t>(v.size());
    raw(v.data(), v.size() * sizeof(T));
  }
};
struct Reader {
  std::span<const std::uint8_t> bytes;
  std::size_t at = 0;
  std::string file;
  void raw(void* p, std::size_t n) {
    if (at + n > bytes.size())
      throw InputError(file + ": the saved inversion state is cut short (use --restart)");
    std::memcpy(p, bytes.data() + at, n);
    at += n;
  }
  template <class T>
  T get() {
    T v;
    raw(&v, sizeof v);
    return v;
  }
  template <class T>
  std::vector<T> vec() {
    const auto n = get<std::uint64_t>();
    if (n > bytes.size()) throw InputError(file + ": the saved inversion state is corrupt (use --restart)");
    std::vector<T> v(n);
    raw(v.data(), n * sizeof(T));
    return v;
  }
};

constexpr char kMagic[8] = {'S', 'W', 'G', 'I', 'N', 'V', '0', '1'};

std::vector<std::uint8_t> encode(const SavedState& s) {
  Writer w;
  w.raw(kMagic, 8);
  w.put(s.fingerprint);
  w.put<std::uint8_t>(s.finished);
  w.put<std::int32_t>(s.stage);
  w.put<std::int32_t>(s.iteration);
  w.vec(s.stage_start);
  w.vec(s.optimizer);
  w.put(s.stage_first_misfit);
  w.put<std::int64_t>(s.forward_runs);
  w.put<std::int64_t>(s.adjoint_runs);
  w.put(s.seconds);
  w.vec(s.region);
  w.put<std::uint64_t>(s.rows.size());
  for (const Row& r : s.rows) {
    w.put<std::int32_t>(r.iteration), w.put<std::int32_t>(r.stage);
    w.put(r.misfit), w.put(r.relative), w.put(r.step);
    w.put<std::int64_t>(r.forward_runs), w.put<std::int64_t>(r.adjoint_runs);
    w.put(r.seconds), w.put(r.model_error);
  }
  return w.bytes;
}

SavedState decode(std::span<const std::uint8_t> bytes, const std::string& file) {
  Reader r{bytes, 0, file};
  char magic[8];
  r.raw(magic, 8);
  if (std::memcmp(magic, kMagic, 8) != 0)
    throw InputError(file + ": not a seiswg inversion state (use --restart to start over)");
  SavedState s;
  s.fingerprint = r.get<std::uint64_t>();
  s.finished = r.get<std::uint8_t>() != 0;
  s.stage = r.get<std::int32_t>();
  s.iteration = r.get<std::int32_t>();
  s.stage_start = r.vec<double>();
  s.optimizer = r.vec<std::uint8_t>();
  s.stage_first_misfit = r.get<double>();
  s.forward_runs = r.get<std::int64_t>();
  s.adjoint_runs = r.get<std::int64_t>();
  s.seconds = r.get<double>();
  s.region = r.vec<std::uint8_t>();
  const auto rows = r.get<std::uint64_t>();
  if (rows > bytes.size()) throw InputError(file + ": the saved inversion state is corrupt (use --restart)");
  for (std::uint64_t k = 0; k < rows; ++k) {
    Row row;
    row.iteration = r.get<std::int32_t>(), row.stage = r.get<std::int32_t>();
    row.misfit = r.get<double>(), row.relative = r.get<double>(), row.step = r.get<double>();
    row.forward_runs = r.get<std::int64_t>(), row.adjoint_runs = r.get<std::int64_t>();
    row.seconds = r.get<double>(), row.model_error = r.get<double>();
    s.rows.push_back(row);
  }
  if (r.at != bytes.size()) throw InputError(file + ": the saved inversion state is corrupt (use --restart)");
  return s;
}

std::uint64_t fnv1a(std::uint64_t h, const void* data, std::size_t n) {
  const auto* b = static_cast<const std::uint8_t*>(data);
  for (std::size_t k = 0; k < n; ++k) h = (h ^ b[k]) * 1099511628211ull;
  return h;
}

// What the saved state belongs to: the settings that change the sequence of evaluations, and the
// starting model's values. A run with other settings does not continue a saved one.
std::uint64_t fingerprint(const Case& c, const InversionSpec& spec) {
  std::ostringstream s;
  s.precision(17);
  s << c.nt << " " << c.dt << " " << c.sources.size() << " " << c.stations.size() << " " << c.sh << c.psv
    << c.spin << c.acoustic << " " << spec.method_name << " " << spec.optimizer.memory << " "
    << spec.optimizer.max_trials << " " << spec.optimizer.first_step << " " << spec.optimizer.max_step << " "
    << spec.smooth_x << " " << spec.smooth_z << " " << spec.source_mask_radius << " " << spec.top_mute << " "
    << spec.top_taper << " " << spec.depth_power << " " << c.misfit_taper << " "
    << c.observed_traces.value_or("").string();
  for (const auto& p : spec.parameters) s << " " << p.name << " " << p.min << " " << p.max;
  if (spec.vp_vs) s << " vpvs " << spec.vp_vs->min << " " << spec.vp_vs->max;
  for (const auto& st : spec.stages) s << " stage " << st.freq_min << " " << st.freq_max << " " << st.misfit;
  const std::string text = s.str();
  std::uint64_t h = fnv1a(1469598103934665603ull, text.data(), text.size());
  for (const auto& [name, values] : c.model.fields) {
    h = fnv1a(h, name.data(), name.size());
    h = fnv1a(h, values.data(), values.size() * sizeof(float));
  }
  return h;
}

std::string number(double v, const char* format = "%.6g") {
  char text[64];
  std::snprintf(text, sizeof text, format, v);
  return text;
}

void write_csv(const fs::path& file, const std::vector<Row>& rows, bool with_error) {
  std::string text = "iteration,stage,misfit,relative_misfit,step,forward_runs,adjoint_runs,seconds";
  text += with_error ? ",model_error\n" : "\n";
  for (const Row& r : rows) {
    text += std::to_string(r.iteration) + "," + std::to_string(r.stage) + "," + number(r.misfit, "%.10g") +
            "," + number(r.relative, "%.8g") + "," + number(r.step, "%.6g") + "," +
            std::to_string(r.forward_runs) + "," + std::to_string(r.adjoint_runs) + "," +
            number(r.seconds, "%.3f");
    text += with_error ? "," + number(r.model_error, "%.8g") + "\n" : "\n";
  }
  io::write_file_atomic(file, std::as_bytes(std::span<const char>(text.data(), text.size())));
}

// misfit.png: the relative misfit of every row, one curve per stage (each stage starts again at 1).
void write_misfit_figure(const fs::path& file, const std::vector<Row>& rows) {
  std::vector<io::CurvePoint> points;
  for (const Row& r : rows) points.push_back({double(r.iteration), r.relative, r.stage});
  io::LineFigure spec;
  spec.title = "inversion misfit";
  spec.x_label = "iteration";
  spec.y_label = "relative misfit (J / J at the stage's start)";
  spec.series_name = "stage";
  io::write_png(file, io::line_figure(points, spec).image);
}

// Every model file of the media plus x and z in Seispie's layout (a model_init folder as it is), and
// a picture of each inverted parameter. Written beside the target and renamed into place, so that a
// folder iter_NNNN is always whole.
// One colour range per inverted parameter for every picture of the run: the starting model's and
// the true model's (when known) extremes, so that true, start and iterations compare by eye.
using ColorRanges = std::vector<std::pair<double, double>>;
ColorRanges color_ranges(const Case& c, const inversion::Parametrization& param) {
  ColorRanges ranges;
  for (std::size_t p = 0; p < param.parameters().size(); ++p) {
    auto values = param.values(param.start_point(), p);
    if (c.reference_model) {
      const auto t = param.values_in(*c.reference_model, p);
      values.insert(values.end(), t.begin(), t.end());
    }
    const auto [lo, hi] = std::minmax_element(values.begin(), values.end());
    ranges.push_back({*lo, *hi});
  }
  return ranges;
}

void write_parameter_picture(const fs::path& file, std::span<const double> v, const std::string& name,
                             const std::string& title, const Case& c,
                             const std::pair<double, double>& range) {
  const std::vector<float> f(v.begin(), v.end());
  auto spec = figure_of_case(c, title, name, io::model_unit(name), io::ColorScale::sequential);
  spec.range = range;
  io::write_png(file, io::field_figure(f, c.model.grid, spec).image);
}

void write_model_folder(const fs::path& folder, const io::Model& m, const inversion::Parametrization& param,
                        std::span<const double> x, const Case& c, int iteration, const ColorRanges& ranges) {
  fs::path staging = folder;
  staging += ".partial";
  std::error_code ec;
  fs::remove_all(staging, ec);
  fs::create_directories(staging, ec);
  if (ec) throw InputError("cannot create " + staging.string() + ": " + ec.message());
  const auto& g = m.grid;
  std::vector<float> xs(g.npt()), zs(g.npt());
  for (std::size_t k = 0; k < g.npt(); ++k) {
    xs[k] = float(g.x0 + double(k / std::size_t(g.nz)) * g.dx);
    zs[k] = float(g.z0 + double(k % std::size_t(g.nz)) * g.dz);
  }
  io::write_field_bin(staging / "proc000000_x.bin", xs);
  io::write_field_bin(staging / "proc000000_z.bin", zs);
  for (const auto& [name, values] : m.fields)
    io::write_field_bin(staging / ("proc000000_" + name + ".bin"), values);
  if (c.save_images)
    for (std::size_t p = 0; p < param.parameters().size(); ++p) {
      const std::string& name = param.parameters()[p].name;
      write_parameter_picture(staging / (name + ".png"), param.values(x, p), name,
                              name + ", iteration " + std::to_string(iteration), c, ranges[p]);
    }
  fs::remove_all(folder, ec);
  fs::rename(staging, folder, ec);
  if (ec)
    throw InputError("cannot rename " + staging.string() + " to " + folder.string() + ": " + ec.message());
}

std::string iteration_folder(int iteration) {
  char name[32];
  std::snprintf(name, sizeof name, "iter_%04d", iteration);
  return name;
}

// The gradient conditioning as one operator per parameter block: weights W (source mask, top mute,
// depth weights), then Gaussian smoothing S, then W again: P = W S W, symmetric positive semi-definite
// where the smoothing is (see inversion::smooth_gaussian).
std::function<void(std::vector<double>&)> conditioning(const Case& c, const InversionSpec& spec,
                                                       std::size_t blocks) {
  const auto& g = c.model.grid;
  std::vector<double> w;
  auto combine = [&](const std::vector<double>& more) {
    if (w.empty()) w.assign(g.npt(), 1.0);
    for (std::size_t k = 0; k < w.size(); ++k) w[k] *= more[k];
  };
  if (spec.source_mask_radius > 0) {
    std::vector<inversion::GridPoint> points;
    for (const auto& s : c.sources) points.push_back({(s.x - g.x0) / g.dx, (s.z - g.z0) / g.dz});
    combine(inversion::source_mask(g.nx, g.nz, points, spec.source_mask_radius));
  }
  if (spec.top_mute > 0 || spec.top_taper > 0)
    combine(inversion::top_mute(g.nx, g.nz, spec.top_mute, spec.top_taper));
  if (spec.depth_power != 0) {
    const double z_max = g.z0 + double(g.nz - 1) * g.dz;
    combine(inversion::depth_weights(g.nx, g.nz, g.z0, g.dz, z_max, spec.depth_power));
  }
  const double sx = spec.smooth_x, sz = spec.smooth_z;
  if (w.empty() && sx == 0 && sz == 0) return {};
  const int nx = g.nx, nz = g.nz;
  const std::size_t npt = g.npt();
  return [w, sx, sz, nx, nz, npt, blocks](std::vector<double>& v) {
    for (std::size_t b = 0; b < blocks; ++b) {
      std::span<double> block(v.data() + b * npt, npt);
      if (!w.empty()) inversion::apply_weights(block, w);
      if (sx > 0 || sz > 0) inversion::smooth_gaussian(block, nx, nz, sx, sz);
      if (!w.empty()) inversion::apply_weights(block, w);
    }
  };
}

// The illuminated region: nodes where the first gradient (summed over parameters, smoothed over 3
// nodes) reaches 1% of its largest value, away from the absorbing layers.
std::vector<std::uint8_t> illuminated_region(const Case& c, std::span<const double> g, std::size_t blocks) {
  const auto& grid = c.model.grid;
  const std::size_t npt = grid.npt();
  std::vector<double> a(npt, 0.0);
  for (std::size_t b = 0; b < blocks; ++b)
    for (std::size_t k = 0; k < npt; ++k) a[k] += std::abs(g[b * npt + k]);
  inversion::smooth_gaussian(a, grid.nx, grid.nz, 3, 3);
  double peak = 0;
  for (double v : a) peak = std::max(peak, v);
  std::vector<std::uint8_t> region(npt, 0);
  const int w = c.taper.width;
  for (std::size_t k = 0; k < npt; ++k) {
    const int i = int(k / std::size_t(grid.nz)), j = int(k % std::size_t(grid.nz));
    const bool absorbing = (c.taper.left && i < w) || (c.taper.right && i >= grid.nx - w) ||
                           (c.taper.top && j < w) || (c.taper.bottom && j >= grid.nz - w);
    region[k] = !absorbing && peak > 0 && a[k] >= 0.01 * peak;
  }
  return region;
}

// Relative L2 distance of the inverted parameters to the true model's inside the region.
double model_error(const inversion::Parametrization& param, std::span<const double> x, const io::Model& truth,
                   const std::vector<std::uint8_t>& region) {
  double diff = 0, norm = 0;
  for (std::size_t p = 0; p < param.parameters().size(); ++p) {
    const auto m = param.values(x, p), t = param.values_in(truth, p);
    double d = 0, n = 0;
    for (std::size_t k = 0; k < m.size(); ++k)
      if (region[k]) d += (m[k] - t[k]) * (m[k] - t[k]), n += t[k] * t[k];
    if (n > 0) diff += d / n, norm += 1;
  }
  return norm > 0 ? std::sqrt(diff / norm) : 0;
}

}  // namespace

RunSummary run_inversion(const Case& c, const RunOptions& options, std::ostream& log) {
  const auto started = Clock::now();
  const InversionSpec& spec = *c.inversion;
  RunSummary summary;
  const fs::path state_file = c.output / "inversion_state.bin", csv = c.output / "misfit.csv";
  // The state is saved after the first evaluation: whether the folder can take it is checked first.
  check_output_folders(c);
  if (options.ranks.is_root()) finish_interrupted_commits(c, log);

  // Every rank holds the same model and optimizer state and takes the same (deterministic) steps;
  // only the evaluation is spread: each rank's sources, then sums over the ranks. Rank 0 alone writes.
  const Ranks& ranks = options.ranks;
  const problem::ShotRange mine = rank_shots(run_count(c), ranks.rank(), ranks.size());
  // Parameters, bounds and conditioning, all checked before any GPU work.
  StageMedia stage_media_of_case = stage_media(c, mine);
  auto& media = stage_media_of_case.media;
  const inversion::Parametrization param(c.model, spec.parameters, stage_media_of_case.model_files,
                                         stage_media_of_case.gradient_keys, spec.vp_vs,
                                         c.config.file.string() + ": [inversion] parameters");
  auto optimizer_options = spec.optimizer;
  optimizer_options.lower = param.lower();
  optimizer_options.upper = param.upper();
  optimizer_options.project = param.projection();
  optimizer_options.precondition = conditioning(c, spec, param.parameters().size());
  const ColorRanges ranges = color_ranges(c, param);
  if (ranks.distributed()) note_rank_work(runs_text(c, mine.first, mine.count));
  std::map<std::string, problem::Data> observed_files;
  if (c.observed_traces)
    for (const auto& m : media) observed_files[m.eq->name()] = read_observed_runs(c, *m.eq, mine);

  // The saved state: continue it, unless it belongs to other settings or --restart says otherwise.
  SavedState state;
  const std::uint64_t print = fingerprint(c, spec);
  std::error_code ec;
  if (!options.restart && fs::exists(state_file)) {
    std::ifstream in(state_file, std::ios::binary);
    std::vector<std::uint8_t> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    state = decode(bytes, state_file.string());
    if (state.fingerprint != print)
      throw InputError(state_file.string() +
                       ": a saved inversion of other settings or another starting model is there; run with "
                       "--restart to start over (its iter_NNNN folders and misfit.csv will be replaced)");
    if (state.finished) {
      if (!options.quiet)
        log << "seiswg: the inversion in " << c.output.string() << " is complete (" << state.iteration
            << " iterations, " << csv.string() << "); run with --restart to start over\n";
      return summary;
    }
    if (!options.quiet)
      log << "seiswg: continuing the saved inversion (stage " << state.stage + 1 << ", iteration "
          << state.iteration << ", " << state.rows.size() << " rows in misfit.csv)\n";
  } else {
    state.fingerprint = print;
    state.stage_start = param.start_point();
  }
  if (ranks.is_root()) fs::create_directories(c.output, ec);
  if (ec) throw InputError("cannot create output folder " + c.output.string() + ": " + ec.message());

  auto device = start_run(c, options, log, summary);
  const double session_start_seconds = state.seconds;
  auto elapsed = [&] {
    return session_start_seconds + std::chrono::duration<double>(Clock::now() - started).count();
  };
  auto save = [&] {
    if (!ranks.is_root()) return;
    state.seconds = elapsed();
    const auto bytes = encode(state);
    io::write_file_atomic(state_file, std::as_bytes(std::span<const std::uint8_t>(bytes)));
  };
  const std::size_t runs = run_count(c);
  std::string stop_reason;
  double evaluation_seconds = 0;  // this session's misfit-and-gradient calls
  int evaluations = 0;

  while (state.stage < int(spec.stages.size())) {
    const Stage& stage = spec.stages[std::size_t(state.stage)];
    const auto filter = stage_filter(stage, c.dt);
    const auto misfit = problem::make_misfit(stage.misfit, c.misfit_taper);
    // This stage's Problems: source wavelets and observed data through the stage's filter.
    // The Problems are made once, for the gradients of every stage still to run (so that `auto`
    // storage weighs one allocation against all of their recomputations).
    int iterations_left = 0;
    for (std::size_t k = std::size_t(state.stage); k < spec.stages.size(); ++k)
      iterations_left += spec.stages[k].iterations;
    start_stage(stage_media_of_case, c, *device, filter, 2.0 * std::max(iterations_left, 1), observed_files);
    if (!options.quiet) {
      log << "seiswg: stage " << state.stage + 1 << " of " << spec.stages.size() << ": " << stage.misfit
          << " misfit";
      if (stage.freq_min > 0 || stage.freq_max > 0)
        log << ", " << number(stage.freq_min) << " to " << (stage.freq_max > 0 ? number(stage.freq_max) : "-")
            << " Hz";
      log << ", " << stage.iterations << " iterations of " << spec.method_name << "; "
          << media.front().problem->describe() << "\n";
    }
    if (stage.iterations == 0) {
      state.optimizer.clear();
      ++state.stage;
      continue;
    }
    inversion::Optimizer opt =
        state.optimizer.empty()
            ? inversion::Optimizer(optimizer_options, state.stage_start)
            : inversion::Optimizer::restore(optimizer_options, state.optimizer, param.size());
    int stage_iterations = opt.iterations();
    // The live line: the steps of the current evaluation (forward and reverse runs of every medium).
    Progress progress(options.progress && !options.quiet);
    auto evaluation_start = Clock::now();
    for (std::size_t k = 0; k < media.size(); ++k)
      media[k].problem->on_steps([&, k](long done, long total) {
        throw_if_interrupted("the inversion (stage " + std::to_string(state.stage + 1) + ", iteration " +
                             std::to_string(state.iteration + 1) + ")");
        progress.show("[inversion: stage " + std::to_string(state.stage + 1) + ", iteration " +
                          std::to_string(state.iteration + 1) + ", evaluation " +
                          std::to_string(opt.evaluations() + 1) +
                          (media.size() > 1 ? ", " + media[k].eq->name() : "") + "]",
                      done, total, std::chrono::duration<double>(Clock::now() - evaluation_start).count());
      });

    while (true) {
      const std::vector<double> x = opt.point();
      const io::Model model = param.model_at(x);
      evaluation_start = Clock::now();
      double J = 0;
      std::map<std::string, std::vector<double>> total;
      double unstable = 0;  // max over the ranks: every rank stops together
      try {
        test_hook_fail(ranks, "in an evaluation");
        J = misfit_and_gradient(stage_media_of_case, c, model, *misfit, total);
      } catch (const problem::InstabilityError& e) {
        unstable = 1;
        stop_reason = std::string("a trial model went unstable (") + e.what() +
                      "); the last good iteration is kept. Lower ls_step_max, or bound the velocities.";
      }
      ranks.allreduce_max(std::span<double>(&unstable, 1));
      if (unstable > 0) {
        if (stop_reason.empty())
          stop_reason =
              "a trial model went unstable on another rank; the last good iteration is kept. Lower "
              "ls_step_max, or bound the velocities.";
        break;
      }
      // J and each gradient array summed over the ranks in a fixed order (J, then the map's names),
      // so that every rank gets bit-identical values and takes the same optimizer step.
      ranks.allreduce_sum(std::span<double>(&J, 1));
      for (auto& [name, values] : total) ranks.allreduce_sum(values);
      progress.done();
      evaluation_seconds += std::chrono::duration<double>(Clock::now() - evaluation_start).count();
      ++evaluations;
      state.forward_runs += long(runs * media.size());
      state.adjoint_runs += long(runs * media.size());
      const std::vector<double> g = param.gradient(total);
      const bool first_ever = state.rows.empty();
      const auto step = opt.tell(J, g);
      if (first_ever && c.reference_model) state.region = illuminated_region(c, g, param.parameters().size());
      if (opt.evaluations() == 1) state.stage_first_misfit = J;

      if (step.kind == inversion::OptimizerStep::accepted ||
          (step.kind == inversion::OptimizerStep::finished && opt.iterations() > stage_iterations)) {
        const bool start_row = opt.iterations() == 0;
        if (!start_row) ++state.iteration;
        stage_iterations = opt.iterations();
        if (!start_row || state.rows.empty()) {
          Row row;
          row.iteration = state.iteration;
          row.stage = state.stage + 1;
          row.misfit = opt.current_value();
          row.relative = state.stage_first_misfit > 0 ? opt.current_value() / state.stage_first_misfit : 0;
          row.step = opt.last_step();
          row.forward_runs = state.forward_runs, row.adjoint_runs = state.adjoint_runs;
          row.seconds = elapsed();
          if (c.reference_model)
            row.model_error = model_error(param, opt.current_point(), *c.reference_model, state.region);
          state.rows.push_back(row);
          const auto current = param.model_at(opt.current_point());
          if (ranks.is_root())
            write_model_folder(c.output / iteration_folder(state.iteration), current, param,
                               opt.current_point(), c, state.iteration, ranges);
          if (const auto& watcher = live_view().misfit) watcher(row.iteration, row.misfit);
          if (const auto& watcher = live_view().field)
            for (const auto& [name, values] : current.fields)
              watcher(iteration_folder(state.iteration) + "/" + name, state.iteration, values, current.grid);
          if (start_row && c.reference_model && c.save_images && ranks.is_root())
            for (std::size_t p = 0; p < param.parameters().size(); ++p) {
              const std::string& name = param.parameters()[p].name;
              write_parameter_picture(c.output / ("true_" + name + ".png"),
                                      param.values_in(*c.reference_model, p), name, name + ", true model", c,
                                      ranges[p]);
            }
          if (ranks.is_root()) {
            write_csv(csv, state.rows, bool(c.reference_model));
            if (c.save_images) write_misfit_figure(c.output / "misfit.png", state.rows);
          }
          if (!options.quiet) {
            log << "seiswg: iteration " << row.iteration << " (stage " << row.stage << "): misfit "
                << number(row.misfit) << " (" << number(row.relative, "%.4f") << " of the stage's start)";
            if (!start_row) log << ", model change " << number(100 * row.step, "%.3g") << "%";
            if (c.reference_model) log << ", model error " << number(row.model_error, "%.4f");
            log << ", " << opt.evaluations() << " evaluations, " << duration_text(row.seconds) << "\n";
          }
        }
        if (!step.message.empty() && !start_row && step.message.find("lowest") != std::string::npos &&
            !options.quiet)
          log << "seiswg: " << step.message << "\n";
      }
      if (step.kind == inversion::OptimizerStep::finished) {
        stop_reason = step.message + (opt.iterations() == 0 ? "\n" + opt.trials_report() : "");
        if (!options.quiet)
          log << "seiswg: stage " << state.stage + 1 << " stopped: " << step.message << "\n";
        state.optimizer = opt.save();
        break;
      }
      state.optimizer = opt.save();
      if (opt.iterations() >= stage.iterations) break;
      save();
    }
    state.stage_start = opt.current_point();
    state.optimizer.clear();
    if (!stop_reason.empty() && stop_reason.find("unstable") != std::string::npos) break;
    // The next stage starts here: saved with its number, so that a run killed now resumes there.
    ++state.stage;
    if (state.stage < int(spec.stages.size())) save();
    stop_reason.clear();
  }
  state.finished = true;
  save();
  summary.wall_seconds = std::chrono::duration<double>(Clock::now() - started).count();
  if (!options.quiet)
    log << "seiswg: " << state.iteration << " iterations; models in " << (c.output / "iter_NNNN").string()
        << ", misfits in " << csv.string() << "; " << summary.adapter << ", " << evaluations
        << " evaluations (misfit and gradient of " << runs * media.size() << " shots) of "
        << number(evaluations > 0 ? evaluation_seconds / evaluations : 0, "%.3f") << " s each, wall "
        << duration_text(summary.wall_seconds) << "\n";
  if (!stop_reason.empty() && ranks.is_root()) log << "seiswg: " << stop_reason << "\n";
  return summary;
}

}  // namespace seiswg::app
