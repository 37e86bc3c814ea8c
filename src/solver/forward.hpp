#pragma once
// The forward workflow: a Seispie case folder in, traces / snapshots / pictures out.
#include <cstdint>
#include <filesystem>
#include <iosfwd>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "io/config.hpp"
#include "io/seispie_files.hpp"
#include "physics/wave_equation.hpp"
#include "solver/propagator.hpp"

namespace seiswg::solver {

// Everything a forward run needs, read and checked before any GPU work starts.
struct ForwardCase {
  io::Config config;
  std::string mode;
  bool sh = false, psv = false, spin = false;
  int nt = 0;
  double dt = 0;
  Taper taper;
  int save_snapshot = 0;
  bool combine_sources = true;
  bool save_coordinates = false;
  bool save_images = true;
  std::filesystem::path output, output_traces;
  io::Model model;
  std::vector<io::SourceSpec> sources;
  std::vector<io::StationSpec> stations;
  std::filesystem::path stations_file;

  // Adjoint mode: synthetics in `model` (model_init); observed traces from `model_true` or from
  // the .npy files in `observed_traces`.
  std::optional<io::Model> model_true;
  std::optional<std::filesystem::path> observed_traces;
  double misfit_taper = 0;                  // cosine taper width as a fraction of the trace length
  std::string adjoint_storage = "auto";     // solver::StorageOptions::mode
  std::uint64_t adjoint_gpu_bytes = 0;      // GPU budget for stored states (0: the adapter's limit)
  int adjoint_segment = 0;                  // segment length in steps (0: automatic)
  std::filesystem::path adjoint_disk_path;  // disk storage's folder (default: the output folder)
};

// The wave equations a case simulates, its runs (1 when sources are combined, else one per
// source), and the points of each run.
std::vector<std::unique_ptr<physics::WaveEquation>> wave_equations(const ForwardCase& c);
std::size_t run_count(const ForwardCase& c);
// How many runs one propagator advances together (its shots): all of them for small grids, one for
// large ones.
std::size_t shots_per_batch(const ForwardCase& c, const physics::WaveEquation& eq, const gpu::Limits& limits);
std::vector<PointReceiver> receivers_for(const ForwardCase& c, const physics::WaveEquation& eq);
std::vector<PointForce> forces_for(const ForwardCase& c, const physics::WaveEquation& eq, std::size_t run);
// The same for the shots of one propagator: receivers of `shots` shots, forces of runs
// [first, first + count) as shots 0..count-1.
std::vector<PointReceiver> receivers_for_shots(const ForwardCase& c, const physics::WaveEquation& eq,
                                               std::size_t shots);
std::vector<PointForce> forces_for_shots(const ForwardCase& c, const physics::WaveEquation& eq,
                                         std::size_t first, std::size_t count);
// Traces of every run of the case in `model` ([run][component][station][nt]), runs batched as shots.
std::vector<std::vector<float>> traces_of_runs(gpu::Device& device, const ForwardCase& c,
                                               const physics::WaveEquation& eq, const io::Model& model);
// Seispie's nearest node index, round(x / dx) with ties to even.
int nearest_index(double coordinate, double origin, double spacing);

// Reads config, model, sources and stations; every check that needs no GPU. Throws InputError.
ForwardCase load_forward_case(const std::filesystem::path& config_path);

struct RunOptions {
  std::string adapter;   // see gpu::DeviceOptions
  bool progress = true;  // live progress line (only on a terminal)
  bool quiet = false;    // no summary lines
};

struct RunSummary {
  std::string adapter;
  double wall_seconds = 0;
  double grid_point_steps = 0;  // points x steps over all runs
  std::vector<std::filesystem::path> files;
};

// Prints the config's warnings and opens the GPU device the options ask for (summary.adapter).
std::unique_ptr<gpu::Device> start_run(const ForwardCase& c, const RunOptions& options, std::ostream& log,
                                       RunSummary& summary);

// Runs the case on the GPU and writes its outputs (all or nothing). Throws InputError / GpuError /
// std::runtime_error (instability) with a complete message.
RunSummary run_forward(const ForwardCase& c, const RunOptions& options, std::ostream& log);

}  // namespace seiswg::solver
