#pragma once
// The one entry point of every workflow (forward runs, sensitivity kernels, inversion, the browser,
// MPI ranks): a wave equation on a grid with a time axis, a boundary and an acquisition of shots,
// built once; then forward, misfit-and-gradient and linearized (Born) runs for any model of that
// grid. Kernels are compiled and GPU buffers allocated when the Problem is made: a new model uploads
// its material planes and nothing else. Shots are advanced in batches (a leading dimension of
// every field), as many at a time as the GPU's memory allows.
//
// Nothing here touches files or prints: observers see progress and snapshots.
#include <cstddef>
#include <functional>
#include <limits>
#include <map>
#include <memory>
#include <span>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "gpu/device.hpp"
#include "io/seispie_files.hpp"
#include "physics/wave_equation.hpp"
#include "problem/misfit.hpp"
#include "solver/adjoint.hpp"
#include "solver/propagator.hpp"

namespace seiswg::problem {

// An output trace as a weighted sum of receiver traces (a point between grid samples interpolated
// from the samples around it: solver/point_interpolation.hpp).
struct TraceSum {
  std::vector<std::pair<std::size_t, double>> terms;  // (receiver of the shot, weight)
};

// One shot: the forces that drive it and the receivers that record it (their `shot` fields are
// ignored: the Problem places shots in its batches). With `outputs`, the shot's traces (in and out
// of every call) are those sums of its receivers' traces, one per output; else one per receiver.
struct Shot {
  std::vector<solver::PointForce> forces;
  std::vector<solver::PointReceiver> receivers;
  std::vector<TraceSum> outputs = {};
  std::size_t traces() const { return outputs.empty() ? receivers.size() : outputs.size(); }
};

// Shots [first, first + count) of the acquisition (count past the end: up to the last shot).
struct ShotRange {
  std::size_t first = 0;
  std::size_t count = std::numeric_limits<std::size_t>::max();
};

// Traces of each shot of a range: [receiver][nt] float32, in the order of the shot's receivers.
using Data = std::vector<std::vector<float>>;

struct Setup {
  const physics::WaveEquation* physics = nullptr;
  int nt = 0;
  double dt = 0;
  solver::Taper taper;
  solver::Cpml cpml;          // CPML layers instead of the taper: see solver::Edges
  bool free_surface = false;  // at z = 0 (row j = 0): see solver::Edges
  std::vector<Shot> shots;
  // Gradients and Born runs: whether the Problem makes the adjoint (kernels and stored states),
  // and how it stores the forward states.
  bool adjoint = false;
  solver::StorageOptions storage;
  // Shots advanced together (0: chosen from the grid size and the GPU's memory).
  std::size_t batch = 0;
  // The largest buffer binding of a field group (0: the adapter's): lower, the fields are split
  // over several buffers sooner (see solver::Propagator; tests).
  std::uint64_t max_binding_bytes = 0;
};

struct Evaluation {
  double misfit = 0;
  std::vector<double> plane_gradient;                   // d J / d material plane value (plane-major)
  std::map<std::string, std::vector<double>> gradient;  // d J / d model value: WaveEquation::model_gradient
};

// A run that went unstable: the first non-finite value's step, shot and node.
struct InstabilityError : std::runtime_error {
  InstabilityError(const std::string& what, std::uint32_t step_, std::size_t shot_, int i_, int j_)
      : std::runtime_error(what), step(step_), shot(shot_), i(i_), j(j_) {}
  std::uint32_t step;
  std::size_t shot;
  int i, j;
};

// What forward() lets its caller see while it runs.
struct ForwardWatch {
  // Between batches of about a quarter of a second: steps done of the batch of shots
  // [first, first + count).
  std::function<void(std::size_t first, std::size_t count, int done)> progress;
  // After every step s with s > 0 and s % snapshot_every == 0 (Seispie's save_snapshot):
  // Problem::velocity_plane reads the fields there.
  int snapshot_every = 0;
  std::function<void(int step, std::size_t first, std::size_t count)> snapshot;
};

class Problem {
 public:
  // Compiles every kernel and allocates every GPU buffer for `setup`; `model` is the first model
  // (its grid is the Problem's). Throws InputError / GpuError with the sizes at fault.
  Problem(gpu::Device& device, Setup setup, const io::Model& model);
  ~Problem();
  Problem(const Problem&) = delete;
  Problem& operator=(const Problem&) = delete;

  // Traces of the shots in `range` for `model`.
  Data forward(const io::Model& model, ShotRange range = {}, const ForwardWatch* watch = nullptr);
  // J = sum over shots of misfit(synthetic, observed) and its gradient for `model`; `observed`
  // holds one entry per shot of the range.
  Evaluation misfit_and_gradient(const io::Model& model, const Data& observed, const Misfit& misfit,
                                 ShotRange range = {});
  // The linearized problem: F dm for a perturbation of the material planes (plane-major, the layout
  // of WaveEquation::material_planes), and its adjoint F^T d (d J / d material plane for
  // J = <F dm, d>).
  Data born(const io::Model& model, std::span<const float> material_perturbation, ShotRange range = {});
  std::vector<double> born_adjoint(const io::Model& model, const Data& data, ShotRange range = {});

  // Inside ForwardWatch::snapshot: velocity plane `plane` of shot `shot` (of the whole acquisition).
  std::vector<float> velocity_plane(std::uint32_t plane, std::size_t shot);
  // The same for stress plane `plane` (the acoustic pressure).
  std::vector<float> stress_plane(std::uint32_t plane, std::size_t shot);

  // New sources for the shots (one list of forces per shot of the acquisition: e.g. the wavelets of
  // another frequency band); the receivers stay. Every GPU object is reused, stored-state buffers
  // included: the next run uploads the forces.
  void set_sources(std::vector<std::vector<solver::PointForce>> forces_per_shot);

  // Progress of gradient and Born runs: steps done and the total of the current call.
  void on_steps(std::function<void(long done, long total)> progress);

  std::size_t shot_count() const;
  std::size_t batch() const;                   // shots advanced together
  const solver::StoragePlan& storage() const;  // adjoint runs only
  std::string describe() const;                // batches and storage, one line
  const physics::WaveEquation& physics() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Shots advanced together for `setup` on `device` (see Setup::batch), and the storage plan of that
// batch (adjoint setups).
std::size_t choose_batch(const gpu::Device& device, const Setup& setup, const io::Grid& grid,
                         solver::StoragePlan* plan);

// GPU bytes of a Problem of `npt` nodes with `shots` shots besides traces and stored states: forward
// (and adjoint) fields, material, the per-shot gradient planes. Needs only the grid's size, so that a
// grid can be checked against the adapter before its model values are read.
std::uint64_t field_bytes(const physics::WaveEquation& eq, std::uint64_t npt, std::uint64_t shots,
                          bool adjoint);

// GPU bytes of a Problem advancing `batch` shots of `setup` at a time: fields, material, the gradient
// planes and the states of `plan` (adjoint setups), traces and source time functions. An estimate
// for plans (`seiswg check`): the GPU's own overheads are not counted.
std::uint64_t gpu_bytes(const Setup& setup, const io::Grid& grid, std::size_t batch,
                        const solver::StoragePlan* plan);

}  // namespace seiswg::problem
