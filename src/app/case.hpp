#pragma once
// A Seispie case folder read into typed pieces: everything a forward or adjoint run needs, read and
// checked completely before any GPU work starts. The known config keys live here.
#include <array>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "gpu/device.hpp"
#include "inversion/optimizer.hpp"
#include "inversion/parametrization.hpp"
#include "io/config.hpp"
#include "io/seismic_traces.hpp"
#include "io/seispie_files.hpp"
#include "physics/wave_equation.hpp"
#include "problem/problem.hpp"
#include "signal/filter.hpp"
#include "solver/propagator.hpp"

namespace seiswg::app {

// One frequency stage of an inversion: observed data and source wavelets pass the zero-phase band
// [freq_min, freq_max] Hz (0: no limit on that side), for `iterations` iterations of `misfit`.
struct Stage {
  double freq_min = 0, freq_max = 0;
  int iterations = 0;
  std::string misfit = "waveform";
  std::string where;  // the config section, for messages
};

// Seispie's `mode = inversion`: [optimize] and [inversion] keys, and [stageN] sections.
struct InversionSpec {
  inversion::OptimizerOptions optimizer;  // method, memory, trials, steps (bounds come from parameters)
  std::string method_name;                // as written (gd, sgd, cg, lbfgs)
  std::vector<inversion::ParameterSpec> parameters;
  std::optional<inversion::RatioRange> vp_vs;
  double smooth_x = 0, smooth_z = 0;  // Gaussian sigma of the gradient in grid points
  double source_mask_radius = 0;      // grid points around each source where the gradient fades out
  int top_mute = 0, top_taper = 0;    // rows of the top muted, and the rows of the taper below them
  double depth_power = 0;             // gradient x (z / z_max)^power
  std::vector<Stage> stages;
};

struct Case {
  io::Config config;
  std::string mode;
  bool sh = false, psv = false, spin = false, acoustic = false;
  int nt = 0;
  double dt = 0;
  solver::Taper taper;
  solver::Cpml cpml;          // [solver] boundary = cpml: on the abs_* sides (then no side is tapered)
  bool free_surface = false;  // [solver] free_surface: at z = 0 (row j = 0)
  bool sinc_points = false;   // [solver] point_interpolation = sinc (else nearest, Seispie's)
  bool source_types = false;  // [solver] source_types: P-SV / Cosserat read the type column
  int save_snapshot = 0;
  bool combine_sources = true;
  bool save_coordinates = false;
  bool save_images = true;
  std::filesystem::path output, output_traces;
  // [solver] trace_format: whether traces are written as .npy, and the SU / SEG-Y files written too.
  bool npy_traces = true;
  std::vector<io::TraceFileFormat> trace_files;
  // Seispie's [solver] smooth (Gaussian sigma in grid points; 0: none) and adjoint_interval (as written).
  double smooth = 0;
  std::optional<std::string> adjoint_interval;
  io::Model model;
  std::vector<io::SourceSpec> sources;
  std::vector<io::StationSpec> stations;
  std::filesystem::path stations_file;

  // Adjoint mode: synthetics in `model` (model_init); observed traces from `model_true` or from
  // the .npy files in `observed_traces`.
  std::optional<io::Model> model_true;
  std::optional<std::filesystem::path> observed_traces;
  // Inversion mode: the true model (when known) for the model error; the settings.
  std::optional<io::Model> reference_model;
  std::optional<InversionSpec> inversion;
  double misfit_taper = 0;                  // cosine taper width as a fraction of the trace length
  std::string adjoint_storage = "auto";     // solver::StorageOptions::mode
  std::uint64_t adjoint_gpu_bytes = 0;      // GPU budget for stored states (0: the card's memory)
  int adjoint_segment = 0;                  // segment length in steps (0: automatic)
  std::filesystem::path adjoint_disk_path;  // disk storage's folder (default: the output folder)
};

// The zero-phase filter of a stage (none when it has no corner). Throws InputError for an empty band
// or a corner at or above Nyquist.
std::optional<signal::ZeroPhaseFilter> stage_filter(const Stage& stage, double dt);

// The inversion settings of a case ([optimize], [inversion], [stageN]; defaults where absent).
// Throws InputError naming the key.
InversionSpec inversion_spec(const Case& c);

// Points per wavelength at the sources' highest significant frequency (2.5 x the highest Ricker f0),
// for the slowest wave of the model and the coarser grid spacing.
struct Sampling {
  double f0 = 0, f_max = 0, slowest = 0, h = 0;
  double points = std::numeric_limits<double>::infinity();  // infinite when unknown (no sources)
  std::string from;                                         // the parameter the slowest wave comes from
};
Sampling sampling_of(const Case& c);
// What is wrong with it, as a sentence with the remedy: below 5 points dispersion (a warning), below 1
// aliasing (an error of load_case); empty when fine.
std::string sampling_problem(const Sampling& s);

// The adapter a run would use, looked up only when load_case needs its limits.
using AdapterLookup = std::function<gpu::AdapterInfo()>;

// Reads config, model, sources and stations; every check that needs no GPU. Throws InputError. With
// `adapter`, a grid larger than WebGPU guarantees every adapter is checked against that adapter
// (check_grid_fits_adapter, a GpuError) from the model files' headers, before their values are read.
Case load_case(const std::filesystem::path& config_path, const AdapterLookup& adapter = {});

// The wave equations a case simulates, its runs (1 when sources are combined, else one per
// source), and the points of each run.
std::vector<std::unique_ptr<physics::WaveEquation>> wave_equations(const Case& c);
std::size_t run_count(const Case& c);
// The moment tensor "mxx mzz mxz" of a type-2 source (the three columns after Seispie's seven);
// throws InputError naming file, line and value.
std::array<double, 3> moment_columns(const io::SourceSpec& src);
std::vector<solver::PointReceiver> receivers_for(const Case& c, const physics::WaveEquation& eq);
std::vector<solver::PointForce> forces_for(const Case& c, const physics::WaveEquation& eq, std::size_t run);
// The runs of the case as the shots of a Problem (receivers: every component, then every station).
std::vector<problem::Shot> shots_of(const Case& c, const physics::WaveEquation& eq);
// Throws GpuError when one run's receiver traces or source time functions cannot fit in one buffer
// binding of `limits` (checked before the shots are made: their wavelets have nt samples each).
void check_acquisition_fits(const Case& c, const physics::WaveEquation& eq, const gpu::AdapterInfo& adapter);
// Throws GpuError when a grid of `npt` nodes cannot run on `adapter`: a field plane larger than one
// buffer binding, or one shot's fields and material (problem::field_bytes) above its memory.
void check_grid_fits_adapter(const Case& c, const std::filesystem::path& model_dir, std::uint64_t npt,
                             const gpu::AdapterInfo& adapter);
// Seispie's nearest node index, round(x / dx) with ties to even.
int nearest_index(double coordinate, double origin, double spacing);
// The source whose position the trace headers of run `run` give (with combined sources: the first).
const io::SourceSpec& run_source(const Case& c, std::size_t run);
// Runs first .. first + count - 1, for messages: one run is its source with its line of the sources
// file ("source 5 of 5 (path/sources.dat:5: 500 500 0 4 0.3 0 1e10)"), several their range
// ("sources 4-5 of 5 (path/sources.dat:4-5)"), combined sources "all 5 sources (combined)".
std::string runs_text(const Case& c, std::size_t first, std::size_t count);
// Observed traces of run `run` of medium `eq` from [path] traces, [receivers][nt], every component in
// turn: the first of <name>_NNNNNN.npy (or Seispie's raw float32 without a header), .su and .sgy that
// exists, for seiswg's names (uy_...) and then Seispie's (vy_...). The shape (a trace per station, nt
// samples) and the sample interval are checked; InputError names the file, what it holds and what
// was expected.
std::vector<float> read_observed(const Case& c, const physics::WaveEquation& eq, std::size_t run);
// read_observed of each run of `runs` (a rank's share), naming the source being read as the rank's
// work (note_rank_work), so that a file missing for one source on one rank is reported with it.
problem::Data read_observed_runs(const Case& c, const physics::WaveEquation& eq, problem::ShotRange runs);

}  // namespace seiswg::app
