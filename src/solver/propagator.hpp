#pragma once
// The time loop of one wave equation on the GPU: fields, material, point sources and receivers.
// Steps are recorded many per command buffer; the host only looks at the GPU between batches
// (progress, blow-up check, snapshots) and reads traces once at the end.
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "gpu/device.hpp"
#include "io/seispie_files.hpp"
#include "physics/wave_equation.hpp"
#include "solver/boundary.hpp"
#include "solver/time_loop.hpp"

namespace seiswg::solver {

// A force applied at grid node (i, j) of a velocity plane: values[it] (force per unit volume) is
// added in step it.
struct PointForce {
  std::uint32_t velocity_plane = 0;
  std::uint32_t buoyancy_plane = 0;
  int i = 0, j = 0;
  std::vector<float> values;
  std::uint32_t shot = 0;  // which of the propagator's shots it drives
  // Drives stress plane `velocity_plane` instead (the acoustic volume injection: values[it] is
  // added to the pressure in step it, between the velocity and the stress update, untapered);
  // `buoyancy_plane` is then the material plane holding dt.
  bool stress = false;
  // `buoyancy_plane` of a point whose values are added as they are, with no material weight (a
  // moment tensor's stress increments): no share of the model gradient.
  static constexpr std::uint32_t kUnweighted = physics::Forcing::kUnweighted;
};

// A receiver samples the displacement of one velocity plane at node (i, j), or with `stress` the
// value of a stress plane after the step's stress update (the acoustic pressure).
struct PointReceiver {
  std::uint32_t velocity_plane = 0;
  int i = 0, j = 0;
  std::uint32_t shot = 0;
  bool stress = false;
};

class Propagator {
 public:
  // `shots` independent wavefields are advanced together (one dispatch updates them all), sharing
  // the model: small grids fill the GPU and pay the fixed cost of a step once for all shots.
  // Velocity, stress and material planes each take one buffer while they fit one storage binding,
  // else they are split over several buffers (solver/fields.hpp); `max_binding_bytes` (0: the
  // adapter's limit) lowers the binding size that decision uses, so tests reach the split kernels
  // with small grids.
  Propagator(gpu::Device& device, const physics::WaveEquation& physics, const io::Model& model, int nt,
             double dt, const Taper& taper, int shots = 1, std::uint64_t max_binding_bytes = 0);
  // The same with a free surface at z = 0 when `edges` asks for one (throws InputError for a medium
  // without one, or with the top tapered).
  Propagator(gpu::Device& device, const physics::WaveEquation& physics, const io::Model& model, int nt,
             double dt, const Edges& edges, int shots = 1, std::uint64_t max_binding_bytes = 0);
  ~Propagator();
  Propagator(const Propagator&) = delete;
  Propagator& operator=(const Propagator&) = delete;

  // A new model of the same grid: uploads its material planes; compiles and allocates nothing.
  void set_model(const io::Model& model);
  // Sets the sources and receivers for the next run (forces at the same node are summed). GPU
  // buffers grow when a set needs more room than any before and are reused otherwise.
  void set_sources(std::span<const PointForce> forces);
  void set_receivers(std::span<const PointReceiver> receivers);
  // Zeroes the wavefield, the receivers' displacement and the clock.
  void reset();
  // A buffer that advance() stores the state (velocity planes, then stress planes) into after each
  // step; made once per buffer (it holds the kernel's bindings), and the buffer must outlive it where
  // it is. The medium's stress update writes the state as it goes where the adapter has a binding
  // for the store (solver/stress_update_stores.wgsl), else a copy kernel runs after each step.
  class StateSink {
   public:
    StateSink() = default;

   private:
    friend class Propagator;
    const gpu::Buffer* buffer = nullptr;
    bool fused = false;  // the stress update stores; `bindings` are then that kernel's, receivers included
    mutable gpu::BindGroup bindings;
    mutable gpu::BindGroup interior_bindings;   // the fused store's interior pass (grids in two passes)
    mutable std::uint64_t bound_receivers = 0;  // receiver buffers' version that `bindings` hold
  };
  StateSink state_sink(const gpu::Buffer& buffer);
  // Records `steps` time steps into command buffers and submits them (does not wait). With a sink,
  // the state after the first step goes to slot `first_slot`, the next ones to consecutive slots.
  void advance(int steps, const StateSink* sink = nullptr, std::uint32_t first_slot = 0);
  // The whole state (velocity planes, then stress planes, then the CPML's memory variables when it
  // has layers), and setting it back (empty = zero) with the clock at `completed` steps: checkpoints
  // for the adjoint.
  std::vector<float> state();
  void restore(std::span<const float> state, std::uint32_t completed);
  // Waits for the GPU; returns the number of completed steps and whether the run blew up.
  std::uint32_t completed_steps(BlowUp* blow_up = nullptr);

  std::vector<float> velocity_plane(std::uint32_t plane, std::uint32_t shot = 0);
  std::vector<float> stress_plane(std::uint32_t plane, std::uint32_t shot = 0);
  // Receiver traces [receiver][nt] (displacement, sample it = after step it).
  std::vector<float> traces();
  // Whole-state access for tests (energy, adjoint checks): plane-major.
  std::vector<float> velocities();
  std::vector<float> stresses();
  void set_state(std::span<const float> velocities, std::span<const float> stresses);

  int shots() const;
  std::uint64_t gpu_bytes() const;
  // Bytes of one whole state (velocity and stress planes): the unit of adjoint storage.
  std::uint64_t state_bytes() const;

  struct Impl;
  Impl& internals() { return *impl_; }

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace seiswg::solver
