#include "solver/adjoint.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <map>
#include <sstream>
#include <string_view>

#include "io/error.hpp"
#include "solver/propagator_impl.hpp"

namespace seiswg::solver {
namespace {

namespace fs = std::filesystem;
using Mode = StoragePlan::Mode;

constexpr std::pair<Mode, const char*> kModeNames[] = {{Mode::gpu, "gpu"},
                                                       {Mode::host, "host"},
                                                       {Mode::disk, "disk"},
                                                       {Mode::checkpoint, "checkpoint"},
                                                       {Mode::compressed16, "compressed16"},
                                                       {Mode::compressed8, "compressed8"}};

std::string gb(std::uint64_t bytes) {
  std::ostringstream s;
  s.precision(3);
  s << double(bytes) / 1e9 << " GB";
  return s.str();
}

}  // namespace

std::string storage_mode_name(Mode mode) {
  for (const auto& [m, name] : kModeNames)
    if (m == mode) return name;
  return "?";
}

bool is_storage_mode(const std::string& requested) {
  if (requested == "auto") return true;
  for (const auto& [m, name] : kModeNames)
    if (requested == name) return true;
  return false;
}

std::uint64_t stored_state_bytes(const StateLayout& state, Mode mode) {
  if (mode != Mode::compressed16 && mode != Mode::compressed8) return state.bytes();
  const std::uint64_t values_per_word = mode == Mode::compressed16 ? 2 : 4;
  const std::uint64_t blocks =
      state.planes * ((state.plane_values + kCompressionBlock - 1) / kCompressionBlock);
  return blocks * (1 + kCompressionBlock / values_per_word) * 4;
}

std::string StoragePlan::describe(int nt, std::uint32_t fields) const {
  std::ostringstream s;
  const std::string states = std::to_string(nt) + " steps x " + std::to_string(fields) + " fields";
  const std::string buffer = "a GPU buffer of " + std::to_string(segment_steps) + " steps (" + gb(gpu_bytes) +
                             " with its transfer copy)";
  switch (mode) {
    case Mode::gpu: {
      s << "storing " << states << " on the GPU: " << gb(gpu_bytes);
      const int buffers = (nt + segment_steps - 1) / segment_steps;
      if (buffers > 1) s << " in " << buffers << " buffers of " << segment_steps << " steps";
      break;
    }
    case Mode::host:
      s << "storing " << states << " in host memory (" << gb(host_bytes) << "), copied out of and back into "
        << buffer;
      break;
    case Mode::disk:
      s << "storing " << states << " in a temporary file in " << disk_folder.string() << " ("
        << gb(disk_bytes) << ", deleted afterwards), copied out of and back into " << buffer;
      break;
    case Mode::checkpoint: {
      const int segments = (nt + segment_steps - 1) / segment_steps;
      if (checkpoints_on_gpu)
        s << "checkpointing: " << segments - 1 << " checkpoints and segments of " << segment_steps
          << " steps x " << fields << " fields recomputed on the GPU (" << gb(gpu_bytes) << ")";
      else
        s << "checkpointing: " << segments - 1 << " checkpoints in host memory (" << gb(host_bytes)
          << "), recomputing segments of " << segment_steps << " steps x " << fields << " fields on the GPU ("
          << gb(gpu_bytes) << ")";
      break;
    }
    case Mode::compressed16:
    case Mode::compressed8:
      s << "storing " << states << " on the GPU compressed to " << (mode == Mode::compressed16 ? "16" : "8")
        << " bits (blocks of " << kCompressionBlock << " values with a scale each): " << gb(gpu_bytes)
        << " with a staging buffer of " << segment_steps << " steps; lossy: "
        << (mode == Mode::compressed16
                ? "kernels within ~1e-3 of exact storage"
                : "kernels within a few % of exact storage at 5-15 points per wavelength, "
                  "worse on finer grids");
      break;
  }
  if (!reason.empty()) s << " [auto: " << reason << "]";
  return s.str();
}

namespace {
// GPU memory the stored states of `gpu` mode may take.
std::uint64_t states_memory(const StorageOptions& options, std::uint64_t binding) {
  if (options.gpu_budget > 0) return options.gpu_budget;
  if (options.gpu_memory == 0) return binding;
  // A tenth of the card stays free for the driver and other programs.
  const std::uint64_t usable = options.gpu_memory / 10 * 9;
  return usable > options.gpu_reserved ? usable - options.gpu_reserved : 0;
}
}  // namespace

StoragePlan plan_storage(const gpu::AdapterInfo& adapter, const StateLayout& state, int nt,
                         const StorageOptions& options) {
  const std::string key = "[solver] adjoint_storage = " + options.mode;
  if (!is_storage_mode(options.mode)) throw InputError(key + ": expected " + kStorageModes);
  const auto& lim = adapter.limits;
  const std::uint64_t binding = std::min(lim.max_storage_binding_size, lim.max_buffer_size);
  const std::uint64_t budget =
      options.gpu_budget > 0 ? options.gpu_budget : std::numeric_limits<std::uint64_t>::max();
  const std::uint64_t state_bytes = state.bytes(), per_buffer = std::min(binding, budget);
  const std::uint64_t max_slots = per_buffer / state_bytes;
  if (max_slots < 3)
    throw InputError("adjoint storage: one forward state needs " + detail::gib(state_bytes) +
                     "; the GPU budget (" + detail::gib(per_buffer) + ") holds fewer than 3 of them");
  const std::uint64_t steps = std::uint64_t(nt), all = (steps + 1) * state_bytes;
  // gpu: the states go into buffers of at most one binding each (a segment of gpu_segment steps
  // and the state before it), within the memory the GPU has for them: the budget when one is set,
  // else (a share of) the card's memory when it is known, else one binding.
  const std::uint64_t slots_per_buffer = binding / state_bytes;
  const std::uint64_t gpu_segment = slots_per_buffer >= 2 ? std::min(steps, slots_per_buffer - 1) : 0;
  const std::uint64_t gpu_all = gpu_segment ? (steps + (steps + gpu_segment - 1) / gpu_segment) * state_bytes
                                            : std::numeric_limits<std::uint64_t>::max();
  const std::optional<std::uint64_t> host = options.host_available;
  const bool shared_memory =
      adapter.kind == gpu::AdapterKind::cpu || adapter.kind == gpu::AdapterKind::integrated;
  std::uint64_t gpu_memory = states_memory(options, binding);
  // A CPU or integrated adapter's memory is the host's: leave it half of what is available.
  if (shared_memory && host && options.gpu_budget == 0) gpu_memory = std::min(gpu_memory, *host / 2);
  const bool all_fit = gpu_segment > 0 && gpu_all <= gpu_memory;

  // On a discrete GPU, allocating (and at the end freeing) memory for the states costs more than
  // recomputing them: measured on an NVIDIA H200, 28 GB of states took 1.6-2.0 s to allocate and
  // free, the extra forward run of checkpointing 0.1 s (Seispie's adjoint example, 12 shots of
  // 201^2, 4800 steps). All states on the GPU pay when the allocation serves many gradients (an
  // inversion: StorageOptions::evaluations) or is small (up to 1 GiB).
  constexpr double kAllocationBytesPerSecond = 16e9, kStepBytesPerSecond = 3e12, kStepSeconds = 8e-6;
  const double allocation_seconds = double(gpu_all) / kAllocationBytesPerSecond;
  const double recompute_seconds =
      double(nt) * (4.0 * double(state_bytes) / kStepBytesPerSecond + kStepSeconds) * options.evaluations;
  // Up to 1 GiB the allocation takes well under 0.1 s: not worth a recomputation.
  const bool worth_storing =
      shared_memory || gpu_all <= (1ull << 30) || allocation_seconds <= recompute_seconds;

  StoragePlan plan;
  if (options.mode == "auto") {
    if (all_fit && worth_storing) {
      plan.mode = Mode::gpu;
      plan.reason = "every state fits on the GPU (" + gb(gpu_memory) + " for them)";
    } else if (all_fit && !worth_storing) {
      plan.mode = Mode::checkpoint;
      std::ostringstream why;
      why.precision(2);
      why << "every state would fit on the GPU, but allocating " << gb(gpu_all) << " (~" << allocation_seconds
          << " s) costs more than recomputing them (~" << recompute_seconds << " s for "
          << options.evaluations << (options.evaluations == 1 ? " gradient)" : " gradients)");
      plan.reason = why.str();
    } else if (shared_memory && host && all <= *host / 2) {
      plan.mode = Mode::host;
      plan.reason = "the states exceed the GPU budget (" + gb(per_buffer) + "); on a " + adapter.kind_name() +
                    " adapter copying them to host memory (" + gb(*host) + " available) beats recomputing";
    } else {
      plan.mode = Mode::checkpoint;
      plan.reason = "the states exceed the GPU budget (" + gb(per_buffer) + ")" +
                    (shared_memory ? std::string(" and half the host memory available")
                                   : "; on a discrete GPU recomputing beats copying them over the bus");
    }
  } else {
    for (const auto& [m, name] : kModeNames)
      if (options.mode == name) plan.mode = m;
  }

  switch (plan.mode) {
    case Mode::gpu:
      if (!all_fit)
        throw InputError(key + ": storing " + std::to_string(nt) + " steps needs " +
                         detail::gib(std::min(gpu_all, all * 2)) + " on the GPU, the budget is " +
                         detail::gib(gpu_memory) + " (use auto or checkpoint)");
      plan.segment_steps = int(gpu_segment);
      plan.gpu_bytes = gpu_all;
      break;
    case Mode::checkpoint: {
      // The segment length: given, else sqrt(nt), and for auto as long as 512 MiB of states allow
      // (fewer checkpoints to keep; the recomputation costs one forward run whatever the length).
      const std::uint64_t sqrt_nt = std::uint64_t(std::ceil(std::sqrt(double(nt))));
      const std::uint64_t roomy = std::max<std::uint64_t>(sqrt_nt, (512ull << 20) / state_bytes);
      int k = options.segment_steps > 0
                  ? options.segment_steps
                  : int(std::min<std::uint64_t>(options.mode == "auto" ? roomy : sqrt_nt, steps));
      k = std::max(1, int(std::min<std::uint64_t>({std::uint64_t(k), steps, max_slots - 1})));
      plan.segment_steps = k;
      plan.gpu_bytes = (std::uint64_t(k) + 1) * state_bytes;
      // The checkpoints stay on the GPU when they fit beside the segment (no host round trip, which
      // would wait for the GPU at every checkpoint), else in host memory.
      const std::uint64_t checkpoint_bytes = std::uint64_t((nt + k - 1) / k - 1) * state_bytes;
      if (plan.gpu_bytes + checkpoint_bytes <= gpu_memory &&
          checkpoint_bytes <= adapter.limits.max_buffer_size) {
        plan.checkpoints_on_gpu = true;
        plan.gpu_bytes += checkpoint_bytes;
      } else {
        plan.host_bytes = checkpoint_bytes;
        if (host && checkpoint_bytes > *host)
          throw InputError(key + ": checkpointing " + std::to_string(nt) + " steps keeps " +
                           detail::gib(checkpoint_bytes) + " of checkpoints in host memory, " +
                           detail::gib(*host) +
                           " is available (MemAvailable; use disk, or a longer adjoint_segment)");
      }
      break;
    }
    case Mode::host:
    case Mode::disk: {
      // A segment buffer of k + 1 states and, while it is copied, a transfer buffer as large.
      const std::uint64_t slots = std::min(binding / state_bytes, budget / 2 / state_bytes);
      if (slots < 2)
        throw InputError(key + ": a segment of one step and its transfer copy need " +
                         detail::gib(4 * state_bytes) + " on the GPU, the budget is " + detail::gib(budget));
      const std::uint64_t automatic = std::max<std::uint64_t>(1, (256ull << 20) / state_bytes);
      const std::uint64_t k = std::min<std::uint64_t>(
          {options.segment_steps > 0 ? std::uint64_t(options.segment_steps) : automatic, steps, slots - 1});
      plan.segment_steps = int(k);
      plan.gpu_bytes = 2 * (k + 1) * state_bytes;
      if (plan.mode == Mode::host) {
        plan.host_bytes = all;
        if (host && all > *host)
          throw InputError(key + ": storing " + std::to_string(nt) + " steps needs " + detail::gib(all) +
                           " of host memory, " + detail::gib(*host) +
                           " is available (MemAvailable; use checkpoint or disk)");
      } else {
        const std::string where = "[solver] adjoint_disk_path = " + options.disk_folder.string();
        if (options.disk_folder.empty() || !options.state_file)
          throw InputError(key + " needs a folder for its temporary file ([solver] adjoint_disk_path)");
        plan.disk_folder = options.disk_folder;
        plan.state_file = options.state_file;
        plan.disk_bytes = all;
        if (options.disk_available && *options.disk_available < all)
          throw InputError(where + ": storing " + std::to_string(nt) + " steps needs " + detail::gib(all) +
                           ", the disk has " + detail::gib(*options.disk_available) +
                           " free (use checkpoint)");
      }
      break;
    }
    case Mode::compressed16:
    case Mode::compressed8: {
      const std::uint64_t store = (steps + 1) * stored_state_bytes(state, plan.mode);
      if (store > binding || store + state_bytes > budget)
        throw InputError(
            key + ": storing " + std::to_string(nt) + " compressed steps needs " + detail::gib(store) +
            " in one GPU buffer plus a float32 state (" + detail::gib(state_bytes) + "), the budget is " +
            detail::gib(std::min(binding, budget)) +
            (plan.mode == Mode::compressed16 ? " (use compressed8 or checkpoint)" : " (use checkpoint)"));
      const std::uint64_t staging_slots = std::min(binding, budget - store) / state_bytes;
      const std::uint64_t k = std::min<std::uint64_t>(
          {options.segment_steps > 0 ? std::uint64_t(options.segment_steps) : 32, steps, staging_slots});
      plan.segment_steps = int(k);
      plan.gpu_bytes = store + k * state_bytes;
      break;
    }
  }
  return plan;
}

StoragePlan plan_storage(Propagator& forward, const StorageOptions& options) {
  auto& f = forward.internals();
  const StateLayout state{f.stride(), f.physics.velocity_planes() + f.physics.stress_planes()};
  return plan_storage(f.device.adapter(), state, f.nt, options);
}

StoragePlan plan_storage(const gpu::Device& device, std::uint64_t state_bytes, int nt,
                         const std::string& requested, std::uint64_t gpu_budget, int segment_steps) {
  StorageOptions options;
  options.mode = requested;
  options.gpu_budget = gpu_budget;
  options.segment_steps = segment_steps;
  return plan_storage(device.adapter(), StateLayout{state_bytes / 4, 1}, nt, options);
}

struct Adjoint::Impl {
  Propagator& forward;
  Propagator::Impl& f;
  StoragePlan plan;
  // The stored states: for `gpu`, one buffer per segment of plan.segment_steps steps (slot 0 = the
  // state before the segment, so that no reverse step reads across two buffers, and no buffer
  // exceeds one binding); for the other modes one buffer (a segment, or every compressed state).
  std::vector<gpu::Buffer> stores;
  std::vector<Propagator::StateSink> sinks;  // the forward run's copies into `stores`
  Propagator::StateSink staging_sink;        // compressed modes: into `staging`
  gpu::Buffer staging, pack_job;
  // The adjoint fields and d J / d material plane, one copy of each plane per shot (threads of
  // different shots never add to one value; the shots are summed on the host in double).
  std::unique_ptr<detail::FieldSet> fields;  // kVel, kStress, kGrad
  detail::FieldBindings adjoint_fields;      // vel, stress, grad and the forward's params
  detail::RunState state;
  gpu::Buffer receivers, adjoint_source, source_adjoint;
  // The point kernels of a reverse step: `points` (the receivers' residuals, the sources, the clock) in
  // one workgroup; or, for many receivers or too few bindings, `record` (a dispatch of its own) and
  // `sources` (the sources and the clock). adjoint_points.wgsl.
  gpu::Kernel record, record_stress, points, sources, pack;
  // The grid kernels, in one pass or (large grids) two (Propagator::Impl::grid_passes), and their
  // bindings, one per store.
  detail::GridPasses passes;
  detail::GridKernel velocity, stress;
  std::vector<detail::GridBindings> velocity_bgs, stress_bgs;
  gpu::BindGroup record_bg, record_stress_bg, points_bg, sources_bg, pack_bg;
  std::uint64_t bound_sources = ~0ull;  // the propagator's source buffers sources_bg binds
  bool record_bound = false;
  bool points_bound = false;  // points_bg binds the current source and receiver buffers
  // The points kernel fits the stage's bindings; it then records the residuals of up to this many
  // receivers (two rounds of its 256 lanes; more run wider in `record`).
  bool points_fit = false;
  static constexpr std::size_t kReceiversInPoints = 512;
  bool records_in_points() const { return points_fit && unique_receivers.size() <= kReceiversInPoints; }
  std::vector<std::uint32_t> unique_receivers;  // distinct plane * stride + shot * npt + node
  std::vector<std::size_t> receiver_slot;       // receiver -> index in unique_receivers
  std::vector<std::vector<float>> checkpoints;  // checkpoint: state when `segment start` steps are done
  gpu::Buffer gpu_checkpoints;                  // checkpoint: the same on the GPU (plan.checkpoints_on_gpu)
  // CPML: the adjoint's memory variables (the layout of the forward's, physics/boundary/cpml.wgsl),
  // and the forward's memory variables at each GPU checkpoint (part of the forward state).
  gpu::Buffer cpml_memory, gpu_cpml_checkpoints;
  std::unique_ptr<float[]> host_states;      // host: the nt + 1 states (state 0 = rest)
  std::unique_ptr<StateFile> disk;           // disk: the nt + 1 states
  std::vector<float> in_transit;             // disk: one segment on its way
  std::vector<float> adjoint_source_values;  // reused upload buffer
  bool have_forward = false;
  // Progress between segments: steps of the current pass the GPU has done, at most every 0.25 s.
  std::function<void(int)> progress;
  std::chrono::steady_clock::time_point last_report;
  void report(int steps_recorded, bool reverse = false) {
    if (!progress) return;
    const auto now = std::chrono::steady_clock::now();
    if (now - last_report < std::chrono::milliseconds(250)) return;
    f.device.wait_idle();  // so that the count is of steps done, not only recorded
    stop_if_unstable(reverse, steps_recorded);
    last_report = std::chrono::steady_clock::now();
    progress(steps_recorded);
  }

  Impl(Propagator& p, const StoragePlan& pl) : forward(p), f(p.internals()), plan(pl) {}

  // A pass looks for a blow-up at its end and wherever a progress report has waited for the GPU (one
  // status read): it stops there, naming the step, instead of running to its end first.
  void stop_if_unstable(bool reverse, int steps_done) {
    BlowUp blow_up;
    if (reverse)
      state.read(f.device, &blow_up);
    else
      forward.completed_steps(&blow_up);
    if (!blow_up.happened) return;
    std::string what = std::string("the ") + (reverse ? "adjoint" : "forward") +
                       " run became unstable (NaN or Inf) at step " + std::to_string(blow_up.step);
    if (steps_done < f.nt) {
      blow_up.found_after = std::uint32_t(steps_done);
      what += "; stopped after " + std::to_string(steps_done) + " of " + std::to_string(f.nt) + " steps";
    }
    throw BlowUpError(what, blow_up);
  }

  gpu::Buffer storage(std::uint64_t bytes, const char* label) { return f.storage(bytes, label); }
  std::uint64_t state_floats() const { return f.state_floats(); }
  std::uint64_t state_bytes() const { return f.state_floats() * 4; }
  bool compressed() const { return !plan.exact(); }
  bool segmented_gpu() const { return plan.mode == StoragePlan::Mode::gpu; }
  // Steps per segment of the reverse loop: the whole run where every state sits in one buffer.
  int reverse_segment() const { return compressed() ? f.nt : plan.segment_steps; }
  int segments() const { return (f.nt + reverse_segment() - 1) / reverse_segment(); }
  const gpu::Buffer& store_of(int segment) const {
    return stores[segmented_gpu() ? std::size_t(segment) : 0];
  }
  std::size_t store_index(int segment) const { return segmented_gpu() ? std::size_t(segment) : 0; }

  // The propagator's sources may change between runs (Propagator::set_sources): the injection binds
  // the current buffers; nothing is made again while they stay the same.
  void bind_sources() {
    const bool grew =
        f.ensure(source_adjoint, std::uint64_t(f.source_count) * std::uint64_t(f.nt) * 4, "source adjoint");
    if (!grew && bound_sources == f.source_buffers_version) return;
    bound_sources = f.source_buffers_version;
    sources_bg = f.device.bind(sources, inject_bindings());
    points_bound = false;
  }
  // Receivers on the same sample share one adjoint source, so that no two threads add to one value.
  void bind_receivers() {
    unique_receivers.clear();
    receiver_slot.clear();
    std::map<std::uint32_t, std::size_t> slot_of;
    for (std::uint32_t index : f.receiver_index) {
      auto [it, fresh] = slot_of.try_emplace(index, unique_receivers.size());
      if (fresh) unique_receivers.push_back(index);
      receiver_slot.push_back(it->second);
    }
    bool grew = f.ensure(receivers, unique_receivers.size() * 4, "adjoint receivers");
    grew |= f.ensure(adjoint_source, unique_receivers.size() * std::uint64_t(f.nt) * 4, "adjoint sources");
    f.device.write(receivers, std::span<const std::uint32_t>(unique_receivers));
    if (grew || !record_bound) {
      record_bg = f.device.bind(record, record_bindings("vel"));
      if (f.records_stress()) record_stress_bg = f.device.bind(record_stress, record_bindings("stress"));
      points_bound = false;
    }
    record_bound = true;
    if (points_fit && !points_bound) points_bg = f.device.bind(points, points_bindings());
    points_bound = true;
  }
  // The bindings of the point kernels (also counted before they are compiled).
  std::vector<gpu::Device::Binding> inject_bindings() const {
    auto b = f.physics.has_stress_sources() ? adjoint_fields.bindings({"vel", "stress", "grad"})
                                            : adjoint_fields.bindings({"vel", "grad"});
    b.insert(b.end(), {{3, &state.status},
                       {detail::kRunBinding, &state.run},
                       {8, &f.source_points},
                       {9, &f.source_time},
                       {10, &source_adjoint}});
    return b;
  }
  std::vector<gpu::Device::Binding> points_bindings() const {
    auto b = inject_bindings();
    b.insert(b.end(), {{6, &receivers}, {7, &adjoint_source}});
    return b;
  }
  // `group`: "vel" (adjoint_record) or "stress" (adjoint_record_stress).
  std::vector<gpu::Device::Binding> record_bindings(std::string_view group) const {
    auto b = adjoint_fields.bindings({group});
    b.insert(b.end(),
             {{3, &state.status}, {6, &receivers}, {7, &adjoint_source}, {detail::kRunBinding, &state.run}});
    return b;
  }
  void set_status(std::uint32_t clock, std::uint32_t segment_start) {
    state.set(f.device, clock, segment_start, f.source_count, std::uint32_t(unique_receivers.size()));
  }

  // Slot 0 of `store` = the propagator's current state (zero at rest). `slot_bytes`: the size of
  // a slot (compressed modes: its scales and packed values).
  void copy_state_into(const gpu::Buffer& store, bool at_rest, std::uint64_t slot_bytes = 0) {
    auto commands = f.device.record();
    if (at_rest) {
      commands.clear(store, 0, slot_bytes ? slot_bytes : state_bytes());
    } else {
      f.fields->copy_to(commands, detail::kVel, store, 0);
      f.fields->copy_to(commands, detail::kStress, store, f.fields->floats(detail::kVel) * 4);
    }
    f.device.submit(std::move(commands));
  }
  // Fills store slots 1..steps with the states after steps [start, start + steps); slot 0 holds
  // the state before `start` (checkpoint mode: recomputation from `state_before`).
  void fill_store(int start, int steps, std::span<const float> state_before) {
    forward.restore(state_before, std::uint32_t(start));
    copy_state_into(stores[0], state_before.empty());
    forward.advance(steps, &sinks[0], 1);
  }
  // Checkpoint `index` (the state after (index + 1) * segment steps) on the GPU: kept, and put back
  // as the propagator's state with its clock.
  void keep_checkpoint(std::size_t index) {
    const std::uint64_t at = index * state_bytes();
    auto commands = f.device.record();
    f.fields->copy_to(commands, detail::kVel, gpu_checkpoints, at);
    f.fields->copy_to(commands, detail::kStress, gpu_checkpoints, at + f.fields->floats(detail::kVel) * 4);
    if (f.cpml.on())
      commands.copy(f.cpml_memory, 0, gpu_cpml_checkpoints, index * f.cpml_memory.size(),
                    f.cpml_memory.size());
    f.device.submit(std::move(commands));
  }
  void fill_store_from_gpu_checkpoint(int start, int steps, std::size_t index) {
    const std::uint64_t at = index * state_bytes();
    auto commands = f.device.record();
    f.fields->copy_from(commands, detail::kVel, gpu_checkpoints, at);
    f.fields->copy_from(commands, detail::kStress, gpu_checkpoints, at + f.fields->floats(detail::kVel) * 4);
    if (f.cpml.on())
      commands.copy(gpu_cpml_checkpoints, index * f.cpml_memory.size(), f.cpml_memory, 0,
                    f.cpml_memory.size());
    f.device.submit(std::move(commands));
    f.recorded_steps = std::uint32_t(start);
    f.set_run(std::uint32_t(start));
    copy_state_into(stores[0], false);
    forward.advance(steps, &sinks[0], 1);
  }

  // host, disk: the states after steps [start, start + steps), in store slots 1..steps, leave the GPU.
  void move_out(int start, int steps) {
    const std::uint64_t bytes = std::uint64_t(steps) * state_bytes();
    if (plan.mode == StoragePlan::Mode::host) {
      f.device.read(stores[0], state_bytes(), bytes,
                    host_states.get() + std::uint64_t(start + 1) * state_floats());
    } else {
      in_transit.resize(std::uint64_t(steps) * state_floats());
      f.device.read(stores[0], state_bytes(), bytes, in_transit.data());
      disk->write(std::uint64_t(start + 1) * state_bytes(), in_transit.data(), bytes);
    }
  }
  // host, disk: the states start..start + steps come back into store slots 0..steps.
  void move_in(int start, int steps) {
    const std::uint64_t bytes = std::uint64_t(steps + 1) * state_bytes();
    if (plan.mode == StoragePlan::Mode::host) {
      f.device.write(stores[0], 0, host_states.get() + std::uint64_t(start) * state_floats(), bytes);
    } else {
      in_transit.resize(std::uint64_t(steps + 1) * state_floats());
      disk->read(std::uint64_t(start) * state_bytes(), in_transit.data(), bytes);
      f.device.write(stores[0], 0, in_transit.data(), bytes);
    }
  }
  // compressed: the states in staging slots 0..steps - 1 go to store slots first_slot...
  void compress(std::uint32_t first_slot, std::uint32_t steps) {
    const std::uint32_t job[4] = {0, first_slot, steps, 0};
    f.device.write(pack_job, 0, job, sizeof job);
    const std::uint64_t blocks = std::uint64_t(f.physics.velocity_planes() + f.physics.stress_planes()) *
                                 ((f.stride() + kCompressionBlock - 1) / kCompressionBlock);
    const std::uint64_t groups = blocks * steps;
    const std::uint64_t gx = std::min<std::uint64_t>(groups, f.device.limits().max_workgroups_per_dimension);
    auto commands = f.device.record();
    commands.dispatch(pack, pack_bg, std::uint32_t(gx), std::uint32_t((groups + gx - 1) / gx));
    f.device.submit(std::move(commands));
  }
};

Adjoint::Adjoint(Propagator& forward, const StoragePlan& plan)
    : impl_(std::make_unique<Impl>(forward, plan)) {
  auto& s = *impl_;
  auto& f = s.f;
  if (f.physics.adjoint_wgsl().empty())
    throw InputError("adjoint runs are not available for the " + f.physics.name() + " medium yet");
  if (plan.segment_steps < 1) throw std::logic_error("Adjoint: the storage plan has no segment length");
  s.fields = f.field_set("adjoint_fields", f.fields->floats(detail::kMaterial) * f.shots,
                         {"adjoint velocity", "adjoint stress", "gradient"});
  s.adjoint_fields = detail::FieldBindings({{"vel", 0, true, s.fields.get(), detail::kVel},
                                            {"stress", 1, true, s.fields.get(), detail::kStress},
                                            {"params", 2, false, f.fields.get(), detail::kMaterial},
                                            {"grad", 5, true, s.fields.get(), detail::kGrad}});
  const std::string store_format(wgsl::source("solver/forward_store.wgsl"));
  const std::string code = f.prelude("physics/common/fields_adjoint.wgsl", false, s.adjoint_fields) +
                           store_format + f.physics.adjoint_wgsl();
  const StateLayout layout{f.stride(), f.physics.velocity_planes() + f.physics.stress_planes()};
  if (s.segmented_gpu()) {
    for (int seg = 0; seg < s.segments(); ++seg) {
      const int steps = std::min(s.reverse_segment(), f.nt - seg * s.reverse_segment());
      s.stores.push_back(s.storage((std::uint64_t(steps) + 1) * layout.bytes(), "forward states"));
    }
  } else {
    const std::uint64_t slots = s.reverse_segment() + 1ull;
    s.stores.push_back(s.storage(slots * stored_state_bytes(layout, plan.mode), "forward states"));
  }
  if (plan.mode == StoragePlan::Mode::checkpoint && plan.checkpoints_on_gpu && s.segments() > 1) {
    s.gpu_checkpoints = f.device.create_buffer(std::uint64_t(s.segments() - 1) * s.state_bytes(),
                                               gpu::usage::copy_src | gpu::usage::copy_dst, "checkpoints");
    if (f.cpml.on())
      s.gpu_cpml_checkpoints =
          f.device.create_buffer(std::uint64_t(s.segments() - 1) * f.cpml_memory.size(),
                                 gpu::usage::copy_src | gpu::usage::copy_dst, "CPML checkpoints");
  }
  if (f.cpml.on()) {  // the forward's layout, coefficient table included
    s.cpml_memory = s.storage(f.cpml_memory.size(), "adjoint CPML memory variables");
    f.device.write(s.cpml_memory, std::span<const float>(f.cpml_table), f.cpml_memory_floats * 4);
  }
  s.state.create(f.device, "adjoint");

  auto c = f.constants;
  c.push_back({"VEL_PLANES", double(f.physics.velocity_planes())});
  c.push_back({"STRESS_PLANES", double(f.physics.stress_planes())});
  c.push_back({"FWD_FORMAT", plan.mode == StoragePlan::Mode::compressed16  ? 1.0
                             : plan.mode == StoragePlan::Mode::compressed8 ? 2.0
                                                                           : 0.0});
  c.push_back({"FWD_BLOCK", double(kCompressionBlock)});
  if (s.compressed()) {
    s.staging = s.storage(std::uint64_t(plan.segment_steps) * s.state_bytes(), "forward states to compress");
    s.staging_sink = forward.state_sink(s.staging);
    s.pack_job = s.storage(16, "compression job");
    s.pack = f.device.create_kernel(
        f.forward_prelude() + store_format + std::string(wgsl::source("solver/forward_pack.wgsl")), "pack", c,
        "compress forward states");
    s.pack_bg = f.device.bind(s.pack, {{4, &s.stores[0]}, {5, &s.staging}, {6, &s.pack_job}});
  } else {
    for (const auto& store : s.stores) s.sinks.push_back(forward.state_sink(store));
  }
  auto grid_fields = s.adjoint_fields.bindings({"vel", "stress", "params", "grad"});
  if (f.cpml.on()) grid_fields.push_back({Propagator::Impl::kCpmlBinding, &s.cpml_memory});
  auto counted = grid_fields;  // and the status, the stored states and the run state
  counted.insert(counted.end(), {{3, nullptr}, {4, nullptr}, {detail::kRunBinding, nullptr}});
  f.check_bindings(f.physics.name() + " adjoint", s.adjoint_fields.storage_bindings(counted, false));
  // Two passes where the interior's saving outweighs the edge pass's extra dispatches (the edge
  // pass launches the frame's workgroups only): grids of 2^20 points or more over all shots.
  // (Measured on an H200 when the edge pass still launched every workgroup of the grid: P-SV 2048^2
  // 272 us a reverse step against 288 in one pass, 1024^2 117 against 110.)
  s.passes = f.grid_passes("SEISWG_ADJOINT_PASSES", 1u << 20);
  // The transposed stress update runs after the point kernel has moved the reverse clock.
  s.velocity = f.grid_kernel(s.passes, code, "adjoint_velocity", c, f.physics.name() + " adjoint velocity");
  s.stress = f.grid_kernel(s.passes, code, "adjoint_stress", detail::with_constant(c, "STEP_SHIFT", 1.0),
                           f.physics.name() + " adjoint stress");
  for (const auto& store : s.stores) {
    auto grid_bindings = grid_fields;
    grid_bindings.insert(grid_bindings.end(),
                         {{3, &s.state.status}, {4, &store}, {detail::kRunBinding, &s.state.run}});
    s.velocity_bgs.push_back(f.bind_grid(s.passes, s.velocity, grid_bindings));
    s.stress_bgs.push_back(f.bind_grid(s.passes, s.stress, grid_bindings));
  }

  c.push_back({"NT", double(f.nt)});
  const std::string points =
      f.prelude("physics/common/fields_adjoint.wgsl", true, s.adjoint_fields) + store_format +
      f.physics.adjoint_wgsl() + std::string(wgsl::source("solver/points.wgsl")) +
      std::string(f.source_stress_wgsl()) + std::string(wgsl::source("solver/adjoint_points.wgsl"));
  f.check_bindings("adjoint sources", s.inject_bindings().size());
  s.points_fit = s.points_bindings().size() <= f.device.limits().max_storage_buffers_per_stage;
  f.check_bindings("adjoint receivers", s.record_bindings("vel").size());
  s.record = f.device.create_kernel(points, "adjoint_record", c, "adjoint record");
  if (f.records_stress()) {
    f.check_bindings("adjoint stress receivers", s.record_bindings("stress").size());
    s.record_stress = f.device.create_kernel(points, "adjoint_record_stress", c, "adjoint record stress");
  }
  s.sources = f.device.create_kernel(points, "adjoint_sources", c, "adjoint sources");
  if (s.points_fit) s.points = f.device.create_kernel(points, "adjoint_points", c, "adjoint points");
  clear_gradient();
}

Adjoint::~Adjoint() = default;

std::vector<float> Adjoint::forward() {
  auto& s = *impl_;
  auto& f = s.f;
  s.have_forward = false;
  s.bind_sources();
  s.bind_receivers();
  s.forward.reset();
  s.checkpoints.clear();
  s.host_states.reset();
  s.disk.reset();
  const int k = s.plan.segment_steps;
  switch (s.plan.mode) {
    case Mode::gpu:
      // Segment by segment, each into its own buffer; slot 0 repeats the state before the segment.
      for (int seg = 0, start = 0; start < f.nt; ++seg, start += k) {
        s.copy_state_into(s.stores[std::size_t(seg)], seg == 0);
        s.forward.advance(std::min(k, f.nt - start), &s.sinks[std::size_t(seg)], 1);
        s.report(std::min(f.nt, start + k));
      }
      break;
    case Mode::checkpoint:
      // Keep the state at each segment start except the first (which is rest).
      for (int start = 0; start < f.nt; start += k) {
        if (start > 0) {
          if (s.plan.checkpoints_on_gpu)
            s.keep_checkpoint(std::size_t(start / k - 1));
          else
            s.checkpoints.push_back(s.forward.state());
        }
        s.forward.advance(std::min(k, f.nt - start));
        s.report(std::min(f.nt, start + k));
      }
      break;
    case Mode::host:
    case Mode::disk: {
      if (s.plan.mode == Mode::host) {
        // Left uninitialized (the forward run writes every state but the first): no time goes
        // into zeroing gigabytes. (new float[n], not make_unique_for_overwrite, which Emscripten's
        // libc++ lacks.)
        s.host_states.reset(new float[(std::uint64_t(f.nt) + 1) * s.state_floats()]);
        std::fill_n(s.host_states.get(), s.state_floats(), 0.0f);
      } else {
        s.disk = s.plan.state_file();
        const std::vector<float> rest(s.state_floats(), 0.0f);
        s.disk->write(0, rest.data(), s.state_bytes());
      }
      for (int start = 0; start < f.nt; start += k) {
        const int steps = std::min(k, f.nt - start);
        s.forward.advance(steps, &s.sinks[0], 1);
        s.move_out(start, steps);
        s.report(start + steps);
      }
      break;
    }
    case Mode::compressed16:
    case Mode::compressed8: {
      // Slot 0: rest (zero scales).
      s.copy_state_into(
          s.stores[0], true,
          stored_state_bytes({f.stride(), f.physics.velocity_planes() + f.physics.stress_planes()},
                             s.plan.mode));
      for (int start = 0; start < f.nt; start += k) {
        const int steps = std::min(k, f.nt - start);
        s.forward.advance(steps, &s.staging_sink, 0);
        s.compress(std::uint32_t(start + 1), std::uint32_t(steps));
        s.report(start + steps);
      }
      break;
    }
  }
  s.stop_if_unstable(false, f.nt);
  s.have_forward = true;
  return s.forward.traces();
}

std::vector<float> Adjoint::reverse(const std::vector<double>& dj_dtraces) {
  auto& s = *impl_;
  auto& f = s.f;
  if (!s.have_forward) throw std::logic_error("Adjoint::reverse before Adjoint::forward");
  const std::size_t nt = std::size_t(f.nt);
  if (dj_dtraces.size() != s.receiver_slot.size() * nt)
    throw std::logic_error("dJ/dtraces has the wrong size");
  // Transposed recording: trace sample m = dt * sum of velocities up to step m, so the adjoint
  // velocity at step n receives dt * sum_{m >= n} dJ/d(sample m); a stress sample m is the stress
  // after step m, whose adjoint receives dJ/d(sample m) itself.
  std::vector<double> sums(s.unique_receivers.size() * nt, 0.0);
  for (std::size_t r = 0; r < s.receiver_slot.size(); ++r) {
    const bool stress = f.receiver_index[r] >= f.stress_index0();
    double running = 0;
    for (std::size_t m = nt; m-- > 0;) {
      running += dj_dtraces[r * nt + m];
      sums[s.receiver_slot[r] * nt + m] += stress ? dj_dtraces[r * nt + m] : f.dt * running;
    }
  }
  s.adjoint_source_values.assign(sums.begin(), sums.end());
  f.device.write(s.adjoint_source, std::span<const float>(s.adjoint_source_values));
  {
    auto commands = f.device.record();
    s.fields->clear(commands, detail::kVel);
    s.fields->clear(commands, detail::kStress);
    commands.clear(s.source_adjoint);
    if (f.cpml.on()) commands.clear(s.cpml_memory, 0, f.cpml_memory_floats * 4);
    f.device.submit(std::move(commands));
  }
  const std::uint32_t gr = std::uint32_t((s.unique_receivers.size() + 63) / 64);
  const bool records_in_points = s.records_in_points();
  const int k = s.reverse_segment();
  for (int seg = s.segments() - 1; seg >= 0; --seg) {
    const int start = seg * k;
    const int steps = std::min(k, f.nt - start);
    if (s.plan.mode == StoragePlan::Mode::checkpoint && s.plan.checkpoints_on_gpu && seg > 0)
      s.fill_store_from_gpu_checkpoint(start, steps, std::size_t(seg - 1));
    else if (s.plan.mode == StoragePlan::Mode::checkpoint)
      s.fill_store(
          start, steps,
          seg > 0 ? std::span<const float>(s.checkpoints[std::size_t(seg - 1)]) : std::span<const float>());
    else if (s.plan.mode == StoragePlan::Mode::host || s.plan.mode == StoragePlan::Mode::disk)
      s.move_in(start, steps);
    s.set_status(std::uint32_t(start + steps - 1), std::uint32_t(start));
    const std::size_t store = s.store_index(seg);
    record_steps(f.device, steps, [&](gpu::Commands& commands) {
      if (gr && f.stress_receiver_count) commands.dispatch(s.record_stress, s.record_stress_bg, gr);
      f.dispatch_grid(commands, s.passes, s.velocity, s.velocity_bgs[store]);
      if (records_in_points) {
        commands.dispatch(s.points, s.points_bg, 1);
      } else {
        if (gr) commands.dispatch(s.record, s.record_bg, gr);
        commands.dispatch(s.sources, s.sources_bg, 1);
      }
      f.dispatch_grid(commands, s.passes, s.stress, s.stress_bgs[store]);
    });
    s.report(f.nt - start, true);
  }
  s.stop_if_unstable(true, f.nt);
  std::vector<float> out(std::size_t(f.source_count) * nt);
  f.device.read(s.source_adjoint, 0, out.size() * 4, out.data());
  return out;
}

std::vector<double> Adjoint::gradient() {
  auto& s = *impl_;
  // The shots' copies of each plane, summed in double.
  std::vector<float> g(s.fields->floats(detail::kGrad));
  s.fields->read(detail::kGrad, 0, g.size(), g.data());
  const std::size_t planes = s.f.physics.material_plane_count(), npt = s.f.npt, shots = s.f.shots;
  std::vector<double> sum(planes * npt, 0.0);
  for (std::size_t p = 0; p < planes; ++p)
    for (std::size_t shot = 0; shot < shots; ++shot) {
      const float* from = g.data() + (p * shots + shot) * npt;
      double* to = sum.data() + p * npt;
      for (std::size_t k = 0; k < npt; ++k) to[k] += double(from[k]);
    }
  return sum;
}

void Adjoint::on_steps(std::function<void(int)> progress) { impl_->progress = std::move(progress); }

void Adjoint::clear_gradient() {
  auto commands = impl_->f.device.record();
  impl_->fields->clear(commands, detail::kGrad);
  impl_->f.device.submit(std::move(commands));
}

std::filesystem::path Adjoint::temporary_file() const {
  return impl_->disk ? impl_->disk->path() : fs::path();
}

}  // namespace seiswg::solver
