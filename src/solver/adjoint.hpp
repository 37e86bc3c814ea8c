#pragma once
// Exact discrete adjoint of the forward time loop (the same kernels transposed and run backwards),
// with the forward states it needs kept on the GPU or recomputed from checkpoints.
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "gpu/device.hpp"
#include "solver/propagator.hpp"

namespace seiswg::solver {

// How the forward states reach the reverse loop.
//  gpu:        every step's state stays on the GPU (one forward run);
//  checkpoint: the state every `segment_steps` steps is kept in host memory and each segment is
//              recomputed into a GPU buffer of `segment_steps` states during the reverse loop
//              (one extra forward run in total).
struct StoragePlan {
  enum class Mode { gpu, checkpoint } mode = Mode::gpu;
  int segment_steps = 0;
  std::uint64_t gpu_bytes = 0, host_bytes = 0;
  std::string describe(int nt, std::uint32_t fields) const;
};

// Chooses the storage for `nt` steps of states of `state_bytes` each. `requested` is "auto", "gpu"
// or "checkpoint"; `gpu_budget` bounds the GPU store (0: the adapter's largest binding).
// Throws InputError when the requested mode cannot fit.
StoragePlan plan_storage(const gpu::Device& device, std::uint64_t state_bytes, int nt,
                         const std::string& requested, std::uint64_t gpu_budget, int segment_steps);

class Adjoint {
 public:
  Adjoint(Propagator& forward, const StoragePlan& plan);
  ~Adjoint();
  Adjoint(const Adjoint&) = delete;
  Adjoint& operator=(const Adjoint&) = delete;

  // Runs the forward problem from rest with the propagator's sources, keeping what the reverse
  // loop needs; returns the traces [receiver][nt].
  std::vector<float> forward();
  // Runs the adjoint loop for d J / d trace sample (same layout as the traces, in double) and adds
  // this run's d J / d material plane to the gradient. Returns d J / d source value [source][nt]
  // (the adjoint field at the merged source points).
  std::vector<float> reverse(const std::vector<double>& dj_dtraces);
  // d J / d material plane value (plane-major), summed over every reverse() since the last clear.
  std::vector<double> gradient();
  void clear_gradient();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace seiswg::solver
