#pragma once
// Exact discrete adjoint of the forward time loop (the same kernels transposed and run backwards),
// with the forward states it needs kept on the GPU, in host memory, on disk, compressed on the GPU,
// or recomputed from checkpoints.
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "gpu/device.hpp"
#include "solver/propagator.hpp"

namespace seiswg::solver {

// Where the disk storage mode keeps the forward states: a file that the caller opens (the solver
// touches no files; io::TemporaryFile is the usual one) and that is gone when the object is.
class StateFile {
 public:
  virtual ~StateFile() = default;
  virtual void write(std::uint64_t offset, const void* data, std::size_t bytes) = 0;
  virtual void read(std::uint64_t offset, void* data, std::size_t bytes) = 0;
  virtual std::filesystem::path path() const = 0;  // for messages and tests
};
using StateFileFactory = std::function<std::unique_ptr<StateFile>()>;

// One forward state: `planes` planes (velocity, then stress) of `plane_values` float32 values.
struct StateLayout {
  std::uint64_t plane_values = 0;
  std::uint32_t planes = 0;
  std::uint64_t bytes() const { return plane_values * planes * 4; }
};

// How the forward states reach the reverse loop. The reverse step n reads the states after steps
// n - 1 and n, so all nt + 1 states (state 0 = rest) are needed, last first.
//  gpu:          every state stays on the GPU in float32 (one forward run);
//  host, disk:   the forward run fills a GPU buffer of `segment_steps` states, which is then copied
//                to host memory (host) or to a temporary file (disk); the reverse loop copies each
//                segment back (one forward run, two transfers of every state);
//  checkpoint:   the state every `segment_steps` steps is kept in host memory and each segment is
//                recomputed into a GPU buffer of `segment_steps` states during the reverse loop
//                (one extra forward run in total);
//  compressed16, compressed8: every state stays on the GPU, compressed after the forward run has
//                put `segment_steps` of them in a float32 staging buffer (lossy, see
//                solver/forward_store.wgsl): blocks of kCompressionBlock values of one plane with a
//                float32 scale each, values as 16-bit floats (relative to a power-of-two scale, so
//                stresses in Pa never leave float16's range) or as 8-bit fractions of the block's
//                largest magnitude.
// Exact modes give the same kernels to round-off; the lossy ones do not (their measured error is in
// tests/test_adjoint.cpp and README.md).
struct StoragePlan {
  enum class Mode { gpu, host, disk, checkpoint, compressed16, compressed8 } mode = Mode::gpu;
  int segment_steps = 0;
  std::uint64_t gpu_bytes = 0, host_bytes = 0, disk_bytes = 0;
  std::filesystem::path disk_folder;  // disk: where the temporary file goes
  StateFileFactory state_file;        // disk: opens it
  bool checkpoints_on_gpu = false;    // checkpoint: the checkpoints stay on the GPU (else host memory)
  std::string reason;                 // why `auto` chose this mode (empty when it was asked for)
  bool exact() const { return mode != Mode::compressed16 && mode != Mode::compressed8; }
  std::string describe(int nt, std::uint32_t fields) const;
};

// The config names of the modes ("gpu", ...), and all accepted values of [solver] adjoint_storage.
std::string storage_mode_name(StoragePlan::Mode mode);
bool is_storage_mode(const std::string& requested);  // a mode name or "auto"
inline constexpr const char* kStorageModes = "auto, gpu, host, disk, checkpoint, compressed16 or compressed8";

inline constexpr std::uint32_t kCompressionBlock = 256;  // values per block (one scale each)
// Bytes of one stored state in `mode` (float32 for the exact modes).
std::uint64_t stored_state_bytes(const StateLayout& state, StoragePlan::Mode mode);

struct StorageOptions {
  std::string mode = "auto";  // [solver] adjoint_storage
  // GPU memory for stored states (0: 90% of gpu_memory less gpu_reserved when the card's memory is
  // known, else one buffer binding).
  std::uint64_t gpu_budget = 0;
  std::uint64_t gpu_memory = 0;    // the card's memory (0: unknown)
  std::uint64_t gpu_reserved = 0;  // GPU memory the rest of the problem takes (fields, material, traces)
  // How many gradients the stored states serve (an inversion: many): auto keeps every state on a
  // discrete GPU only when allocating them costs less than recomputing them that often.
  double evaluations = 1;
  int segment_steps = 0;                        // 0: automatic
  std::filesystem::path disk_folder;            // disk: the folder of the temporary file (for messages)
  StateFileFactory state_file;                  // disk: opens a temporary file there
  std::optional<std::uint64_t> disk_available;  // disk: free bytes there (unset: unknown)
  // Host memory the plan may use (the app reads it from the system); unset: unknown, no host mode.
  std::optional<std::uint64_t> host_available;
};

// Chooses the storage for `nt` steps of states of shape `state` on `adapter`. `auto` takes the first
// exact mode that fits: gpu (every state within the GPU budget); then, on CPU and integrated
// adapters (GPU buffers in host memory, where recomputing costs more than copying), host when the
// states take at most half of the host memory available; else checkpoint (recomputation on a
// discrete GPU is faster than moving every state over the bus). It never picks disk (slower than
// recomputing) nor a lossy mode (it changes the kernels). Throws InputError naming [solver]
// adjoint_storage (or the key at fault) when the requested mode cannot fit.
StoragePlan plan_storage(const gpu::AdapterInfo& adapter, const StateLayout& state, int nt,
                         const StorageOptions& options);
// The plan for `forward`'s states and steps on its device.
StoragePlan plan_storage(Propagator& forward, const StorageOptions& options);
// Shorthand: the state as one plane of state_bytes / 4 values, host memory unknown.
StoragePlan plan_storage(const gpu::Device& device, std::uint64_t state_bytes, int nt,
                         const std::string& requested, std::uint64_t gpu_budget, int segment_steps);

class Adjoint {
 public:
  Adjoint(Propagator& forward, const StoragePlan& plan);
  ~Adjoint();  // deletes the disk mode's temporary file
  Adjoint(const Adjoint&) = delete;
  Adjoint& operator=(const Adjoint&) = delete;

  // Runs the forward problem from rest with the propagator's current sources (they may change
  // between runs), keeping what the reverse loop needs; returns the traces [receiver][nt].
  std::vector<float> forward();
  // Runs the adjoint loop for d J / d trace sample (same layout as the traces, in double) and adds
  // this run's d J / d material plane to the gradient. Returns d J / d source value [source][nt]
  // (the adjoint field at the merged source points).
  std::vector<float> reverse(const std::vector<double>& dj_dtraces);
  // d J / d material plane value (plane-major), summed over every reverse() since the last clear.
  std::vector<double> gradient();
  void clear_gradient();
  // Called between segments of forward() and reverse(), at most every 0.25 s, with the steps of
  // that pass the GPU has done (long runs' progress).
  void on_steps(std::function<void(int steps)> progress);
  // The disk mode's temporary file while it exists (empty otherwise), for tests.
  std::filesystem::path temporary_file() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace seiswg::solver
