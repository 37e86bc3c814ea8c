#pragma once
// Internals of solver::Propagator, shared with the adjoint (solver/adjoint.cpp). Not an API.
#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdlib>
#include <memory>
#include <span>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "gpu/device.hpp"
#include "io/error.hpp"
#include "physics/wave_equation.hpp"
#include "solver/fields.hpp"
#include "solver/propagator.hpp"
#include "wgsl/embedded.hpp"

namespace seiswg::solver {
namespace detail {

constexpr std::uint32_t kNone = 0xffffffffu;

inline std::string gib(std::uint64_t bytes) {
  std::ostringstream s;
  s.precision(3);
  s << double(bytes) / double(1ull << 30) << " GiB";
  return s.str();
}

// Field groups of a FieldSet made by Propagator::Impl::field_set: velocity planes, stress planes,
// then material planes (the adjoint: gradient planes; Born: the material perturbation).
constexpr std::size_t kVel = 0, kStress = 1, kMaterial = 2, kGrad = 2;

// The WGSL every kernel starts with: grid, differences, the boundary's hooks, the run state
// (writable only for the single-invocation point kernels that advance the clock; a uniform buffer
// in the other kernels when field groups are split), the declarations and accessors of the
// module's field groups and the field access of `fields` (physics/common/fields_*.wgsl).
// `records`: the grid kernels' dispatch records the receivers (solver/receivers.wgsl).
// `stores_state`: the stress update stores each step's state (solver/stress_update_stores.wgsl).
inline std::string prelude(const std::string& boundary, std::string_view fields, bool writes_run,
                           const FieldBindings& groups, bool records = false, bool stores_state = false) {
  std::string code(wgsl::source("physics/common/stencil.wgsl"));
  code += boundary;
  code += wgsl::source(writes_run       ? "physics/common/run_write.wgsl"
                       : groups.split() ? "physics/common/run_uniform.wgsl"
                                        : "physics/common/run_read.wgsl");
  code += groups.wgsl();
  code += wgsl::source(fields);
  if (fields != "physics/common/fields_born.wgsl") code += wgsl::source("physics/common/no_born.wgsl");
  code += wgsl::source(records ? "solver/receivers.wgsl" : "solver/no_receivers.wgsl");
  code += wgsl::source(stores_state ? "solver/stress_update_stores.wgsl" : "solver/no_state_store.wgsl");
  return code;
}
// Bindings of the receivers that grid kernels record (solver/receivers.wgsl).
constexpr std::uint32_t kReceiverPointsBinding = 12, kDisplacementBinding = 13, kTracesBinding = 14;

// The run state on the GPU: `status` (WGSL Status: first bad step and node, halted; written with
// atomics by any kernel when a value blows up) and `run` (WGSL RunInfo: step, segment start,
// source and receiver counts; read-only in grid kernels so that all threads read it freely, as a
// uniform buffer where field groups are split; writable storage in the point kernels).
constexpr std::uint32_t kRunBinding = 11;
struct RunState {
  gpu::Buffer status, run, both;  // `both`: status and run side by side, read in one go
  void create(gpu::Device& device, const std::string& label) {
    const auto usage = gpu::usage::storage | gpu::usage::copy_dst | gpu::usage::copy_src;
    status = device.create_buffer(16, usage, label + " status");
    run = device.create_buffer(16, usage | gpu::usage::uniform, label + " run");
    both = device.create_buffer(32, usage, label + " status and run");
  }
  void set(gpu::Device& device, std::uint32_t step, std::uint32_t segment_start, std::uint32_t sources,
           std::uint32_t receivers) const {
    const std::uint32_t status_words[4] = {kNone, kNone, 0, 0};
    const std::uint32_t run_words[4] = {step, segment_start, sources, receivers};
    device.write(status, 0, status_words, sizeof status_words);
    device.write(run, 0, run_words, sizeof run_words);
  }
  void set_segment_start(gpu::Device& device, std::uint32_t segment_start) const {
    device.write(run, 4, &segment_start, 4);
  }
  // Waits for the GPU; the step counter and the blow-up record.
  std::uint32_t read(gpu::Device& device, BlowUp* blow_up) const {
    auto commands = device.record();
    commands.copy(status, 0, both, 0, 16);
    commands.copy(run, 0, both, 16, 16);
    device.submit(std::move(commands));
    std::uint32_t words[8];
    device.read(both, 0, sizeof words, words);
    if (blow_up) *blow_up = {words[0] != kNone, words[0], words[1]};
    return words[4];
  }
};

struct SourceRecord {                      // matches WGSL struct SourcePoint
  std::uint32_t field_index, param_index;  // field_index from stress_index0() on: the stress group
  std::int32_t i, j;
  float weight;  // the material at param_index, copied there on the GPU (Propagator::Impl::gather_weights);
                 // 1 for an unweighted point (param_index kNone)
};
static_assert(sizeof(SourceRecord) == 20);

using Constants = std::vector<std::pair<std::string, double>>;

// `constants` with `name` set to `value` (replaced where present, else added).
inline Constants with_constant(Constants constants, const std::string& name, double value) {
  for (auto& c : constants)
    if (c.first == name) {
      c.second = value;
      return constants;
    }
  constants.push_back({name, value});
  return constants;
}

// How a grid kernel covers the grid: in one pass, or (split) in two (stencil.wgsl's SPLIT_PASS): the
// interior box, compiled without edge tests or boundary hooks, then the frame's workgroups only.
// On large grids the tests and hooks cost more than the second launch: the CPML's hooks cost a
// one-pass forward ~8% at 4096^2 on an H200, nothing in the interior pass (docs/performance.md).
struct GridPasses {
  bool split = false;
  Constants box;  // INTERIOR_* (both passes) and FRAME_DISPATCH_X (the frame pass)
  std::uint32_t interior_gx = 0, interior_gy = 0;  // the box's workgroups along z and x
  std::uint32_t frame_gx = 0, frame_gy = 0;        // the frame's, frame_gx a row
};
// A grid kernel's compiled passes (`interior` only when split) and their bindings.
struct GridKernel {
  gpu::Kernel whole, interior;
};
struct GridBindings {
  gpu::BindGroup whole, interior;
};

}  // namespace detail

struct Propagator::Impl {
  using SourceRecord = detail::SourceRecord;
  gpu::Device& device;
  const physics::WaveEquation& physics;
  int nx, nz, nt;
  double dt;
  std::uint64_t npt;
  std::uint32_t shots = 1;
  std::uint64_t stride() const { return npt * shots; }  // one field plane: every shot's copy
  std::uint32_t wg_x = 64, wg_y = 4;

  // The largest buffer binding a field group's buffer may take (the adapter's, or less for tests).
  std::uint64_t binding_bytes = 0;
  std::unique_ptr<detail::FieldSet> fields;  // kVel, kStress, kMaterial
  detail::FieldBindings forward_fields;      // vel, stress, params as the forward kernels see them
  detail::RunState state;
  gpu::Buffer source_points, source_time, receiver_points, receiver_u, trace_buffer;
  std::uint32_t source_count = 0, receiver_count = 0;
  // Whether the grid kernels record the receivers (solver/receivers.wgsl); else, where split field
  // groups leave them no bindings to spare, the receivers get a dispatch of their own (`record`).
  bool grid_records = true;
  detail::GridKernel velocity, stress_update;
  gpu::Kernel points, store_state, record;
  // The stress update that also stores the state (adjoint forward runs; compiled at the first sink)
  // and whether this medium and adapter allow it.
  detail::GridKernel stress_and_store;
  bool fused_store = false, stress_and_store_built = false;
  std::uint64_t receiver_buffers_version = 1;  // changes when the grid kernels are rebound
  detail::GridBindings velocity_bg, stress_bg;
  gpu::BindGroup points_bg, record_bg;
  // Receivers of stress planes (the acoustic pressure), sampled after the stress update by a
  // dispatch of their own; made only for media that record a stress plane.
  gpu::Kernel record_stress;
  gpu::BindGroup record_stress_bg;
  std::uint32_t stress_receiver_count = 0;
  // Point indices from here on address the stress group (WGSL STRESS_INDEX0).
  std::uint64_t stress_index0() const { return stride() * physics.velocity_planes(); }
  // The groups the point kernels of sources bind, and the WGSL that gives them the stress group.
  std::vector<gpu::Device::Binding> source_group_bindings(const detail::FieldBindings& groups) const {
    return physics.has_stress_sources() ? groups.bindings({"vel", "stress"}) : groups.bindings({"vel"});
  }
  std::string_view source_stress_wgsl() const {
    return wgsl::source(physics.has_stress_sources() ? "solver/stress_sources.wgsl"
                                                     : "solver/no_stress_sources.wgsl");
  }
  bool records_stress() const {
    for (const auto& c : physics.components())
      if (c.from_stress) return true;
    return false;
  }
  std::vector<std::pair<std::string, double>> constants;  // grid and boundary: every kernel's
  std::string boundary_wgsl;
  std::array<int, 4> interior_margins = {2, 2, 2, 2};  // left, right, top, bottom (solver/boundary.hpp)
  // CPML layers (physics/boundary/cpml.wgsl): their memory variables' strips, binding 15 of the
  // grid kernels (sets: the forward's, a Born perturbation's; see solver/cpml.hpp).
  Cpml cpml;
  gpu::Buffer cpml_memory;
  std::uint64_t cpml_memory_floats = 0;  // the memory variables; the coefficient table follows them
  std::vector<float> cpml_table;         // (a, b) per half-node position (solver/cpml.hpp)
  static constexpr std::uint32_t kCpmlBinding = 15;
  std::string prelude(std::string_view field_access, bool writes_run, const detail::FieldBindings& groups,
                      bool records = false, bool stores_state = false) const {
    return detail::prelude(boundary_wgsl, field_access, writes_run, groups, records, stores_state);
  }
  std::string forward_prelude(bool writes_run = false, bool records = false,
                              bool stores_state = false) const {
    return prelude("physics/common/fields_forward.wgsl", writes_run, forward_fields, records, stores_state);
  }
  std::vector<std::uint32_t> receiver_index;  // plane * npt + node per receiver, as uploaded
  std::vector<SourceRecord> source_records;   // as uploaded (their weights are copied on the GPU)
  std::uint32_t recorded_steps = 0;
  std::uint64_t source_buffers_version = 0;  // changes when the source buffers are reallocated           //
                                             // the clock once the GPU has run what was submitted

  std::uint32_t groups_x() const { return (std::uint32_t(nz) + wg_x - 1) / wg_x; }
  std::uint32_t groups_y() const { return (std::uint32_t(nx) + wg_y - 1) / wg_y; }
  // The forward grid kernels' passes (grid_passes).
  detail::GridPasses forward_passes;
  // Whether and how grid kernels run in two passes: on grids of at least `min_points` points over
  // all shots, where the box holds whole workgroups; the environment variable `choice` = split |
  // single forces it (tests run the split passes on small grids; benchmarks compare).
  detail::GridPasses grid_passes(const char* choice, std::uint64_t min_points) const {
    detail::GridPasses p;
    const auto& margin = interior_margins;
    const int interior_nx = nx - margin[0] - margin[1], interior_nz = nz - margin[2] - margin[3];
    const char* forced = std::getenv(choice);
    const bool forced_split = forced && std::string(forced) == "split";
    const bool forced_single = forced && std::string(forced) == "single";
    // The box's top on a workgroup tile's edge (a multiple of WG_X rows): measured on an H200 at
    // 4096^2, the interior pass of P-SV took 172 + 199 us a step so aligned and 222 + 285 us with the
    // top on row 20 (its margin) (docs/performance.md, "Two passes for the forward"). Only where the tiles
    // leave no box, on the small grids on which tests force two passes, is it on a multiple of 4.
    const auto round_up = [](int a, int b) { return (a + b - 1) / b * b; };
    const bool tiles_leave_box = interior_nz > round_up(margin[2], int(wg_x)) - margin[2];
    const int top = round_up(margin[2], tiles_leave_box || !forced_split ? int(wg_x) : 4);
    p.split = interior_nx > 0 && interior_nz > top - margin[2] && !forced_single &&
              (forced_split || stride() >= min_points);
    if (!p.split) return p;
    p.box = {{"INTERIOR_LEFT", double(margin[0])},
             {"INTERIOR_RIGHT", double(margin[1])},
             {"INTERIOR_TOP", double(top)},
             {"INTERIOR_BOTTOM", double(margin[3])}};
    p.interior_gx = (std::uint32_t(interior_nz - (top - margin[2])) + wg_x - 1) / wg_x;
    p.interior_gy = (std::uint32_t(interior_nx) + wg_y - 1) / wg_y;
    // The frame's tiles, as stencil.wgsl's frame_tiles() counts them, in rows of at most 65535.
    const auto up = [](int a, std::uint32_t b) { return (std::uint32_t(a) + b - 1) / b; };
    const std::uint32_t z0 = up(top, wg_x), x0 = up(margin[0], wg_y);
    const std::uint32_t z1 = std::max(z0, std::uint32_t(nz - margin[3]) / wg_x);
    const std::uint32_t x1 = std::max(x0, std::uint32_t(nx - margin[1]) / wg_y);
    const std::uint32_t frame = groups_x() * groups_y() - (z1 - z0) * (x1 - x0);
    p.frame_gx = std::min<std::uint32_t>(frame, 65535);
    p.frame_gy = (frame + p.frame_gx - 1) / p.frame_gx;
    p.box.push_back({"FRAME_DISPATCH_X", double(p.frame_gx)});
    return p;
  }
  // Compiles `entry` of `code` as `passes` says: the whole grid, or the frame pass (`whole`) and the
  // interior pass (which records no receivers: its rows would not be the receivers').
  detail::GridKernel grid_kernel(const detail::GridPasses& passes, const std::string& code, const char* entry,
                                 const detail::Constants& c, const std::string& label) const {
    if (!passes.split) return {device.create_kernel(code, entry, c, label), {}};
    auto frame = c;
    frame.insert(frame.end(), passes.box.begin(), passes.box.end());
    auto interior = detail::with_constant(frame, "SPLIT_PASS", 1.0);
    interior = detail::with_constant(interior, "RECORD_ROW0", double(detail::kNone));
    frame = detail::with_constant(frame, "SPLIT_PASS", 2.0);
    return {device.create_kernel(code, entry, frame, label),
            device.create_kernel(code, entry, interior, label + " interior")};
  }
  detail::GridBindings bind_grid(const detail::GridPasses& passes, const detail::GridKernel& kernel,
                                 std::span<const gpu::Device::Binding> b) const {
    return {device.bind(kernel.whole, b), passes.split ? device.bind(kernel.interior, b) : gpu::BindGroup()};
  }
  // Dispatches a grid kernel over every shot, `extra_rows` rows of workgroups after the grid's (or
  // the frame's) for the receivers. The two passes write different nodes and read nothing the other
  // writes.
  void dispatch_grid(gpu::Commands& commands, const detail::GridPasses& passes,
                     const detail::GridKernel& kernel, const gpu::BindGroup& whole,
                     const gpu::BindGroup& interior, std::uint32_t extra_rows = 0) const {
    if (!passes.split)
      return commands.dispatch(kernel.whole, whole, groups_x(), groups_y() + extra_rows, shots);
    commands.dispatch(kernel.interior, interior, passes.interior_gx, passes.interior_gy, shots);
    commands.dispatch(kernel.whole, whole, passes.frame_gx, passes.frame_gy + extra_rows, shots);
  }
  void dispatch_grid(gpu::Commands& commands, const detail::GridPasses& passes,
                     const detail::GridKernel& kernel, const detail::GridBindings& b,
                     std::uint32_t extra_rows = 0) const {
    dispatch_grid(commands, passes, kernel, b.whole, b.interior, extra_rows);
  }
  // The forward grid kernels' dispatch, as wide as the receivers' rows are: the grid's, or the frame's.
  std::uint32_t forward_dispatch_x() const {
    return forward_passes.split ? forward_passes.frame_gx : groups_x();
  }
  std::uint32_t forward_dispatch_y() const {
    return forward_passes.split ? forward_passes.frame_gy : groups_y();
  }
  // Rows of workgroups the stress update's dispatch adds to record the receivers (one invocation
  // each, up to kMaxRecordRows rows; more receivers loop).
  static constexpr std::uint32_t kMaxRecordRows = 64;
  std::uint32_t record_rows() const {
    if (!grid_records) return 0;
    const std::uint64_t per_row = std::uint64_t(forward_dispatch_x()) * wg_x * wg_y;
    return std::uint32_t(std::min<std::uint64_t>(kMaxRecordRows, (receiver_count + per_row - 1) / per_row));
  }
  // Constants of grid kernels that record receivers.
  std::vector<std::pair<std::string, double>> recording_constants() const {
    auto c = constants;
    c.push_back({"REC_NT", double(nt)});
    c.push_back({"REC_DT", dt});
    c.push_back({"RECORD_WIDTH", double(forward_dispatch_x() * wg_x)});
    c.push_back({"RECORD_ROW0", double(forward_dispatch_y() * wg_y)});
    c.push_back({"RECORD_ROWS", double(kMaxRecordRows)});
    return c;
  }
  // The forward grid kernels' bindings, without the receivers'.
  std::vector<gpu::Device::Binding> grid_bindings() const {
    auto b = forward_fields.bindings({"vel", "stress", "params"});
    b.insert(b.end(), {{3, &state.status}, {detail::kRunBinding, &state.run}});
    if (cpml.on()) b.push_back({kCpmlBinding, &cpml_memory});
    return b;
  }
  std::vector<gpu::Device::Binding> receiver_bindings() const {
    return {{detail::kReceiverPointsBinding, &receiver_points},
            {detail::kDisplacementBinding, &receiver_u},
            {detail::kTracesBinding, &trace_buffer}};
  }
  // The forward grid kernels' bindings (rebound when the receiver buffers are reallocated), and
  // those of the receivers' own dispatch when they have one.
  void bind_grid_kernels() {
    ++receiver_buffers_version;
    auto grid = grid_bindings();
    const auto receivers = receiver_bindings();
    if (grid_records) grid.insert(grid.end(), receivers.begin(), receivers.end());
    velocity_bg = bind_grid(forward_passes, velocity, grid);
    stress_bg = bind_grid(forward_passes, stress_update, grid);
    if (grid_records) return;
    auto b = forward_fields.bindings({"vel"});
    b.insert(b.end(), {{3, &state.status}, {detail::kRunBinding, &state.run}});
    b.insert(b.end(), receivers.begin(), receivers.end());
    record_bg = device.bind(record, b);
  }
  void bind_record_stress() {
    if (!records_stress()) return;
    auto b = forward_fields.bindings({"stress"});
    b.insert(b.end(), {{3, &state.status},
                       {detail::kRunBinding, &state.run},
                       {detail::kReceiverPointsBinding, &receiver_points},
                       {detail::kTracesBinding, &trace_buffer}});
    record_stress_bg = device.bind(record_stress, b);
  }
  // One whole state of every shot: the velocity planes, then the stress planes.
  std::uint64_t state_floats() const {
    return stride() * (physics.velocity_planes() + physics.stress_planes());
  }

  Impl(gpu::Device& d, const physics::WaveEquation& p) : device(d), physics(p) {}

  // Velocity planes, stress planes and `third` more values (whole grid planes), as the kernels of
  // this propagator index them; `name` names its split buffers in WGSL and errors.
  std::unique_ptr<detail::FieldSet> field_set(const std::string& name, std::uint64_t third,
                                              const std::array<std::string, 3>& labels) const {
    const std::uint64_t floats[3] = {stride() * physics.velocity_planes(), stride() * physics.stress_planes(),
                                     third};
    return std::make_unique<detail::FieldSet>(device, grid_text() + name, name, floats, npt, binding_bytes,
                                              labels);
  }
  // Refuses a kernel whose entry point needs more storage buffer bindings than the adapter has.
  void check_bindings(const std::string& kernel, std::size_t storage_bindings) const {
    const std::uint32_t allowed = device.limits().max_storage_buffers_per_stage;
    if (storage_bindings <= allowed) return;
    std::ostringstream s;
    s << grid_text() << kernel << " kernel needs " << storage_bindings
      << " storage buffer bindings (field planes split over buffers of at most " << detail::gib(binding_bytes)
      << " each), but " << device.adapter().summary() << " allows " << allowed << " per shader stage";
    throw GpuError(s.str());
  }
  // Copies the material at each source (SourcePoint.weight of `records`) from group `group` of `set`.
  void gather_weights(const detail::FieldSet& set, std::size_t group, const gpu::Buffer& records) const {
    if (source_records.empty()) return;
    auto commands = device.record();
    for (std::size_t k = 0; k < source_records.size(); ++k)
      if (source_records[k].param_index != detail::kNone)  // else unweighted: its weight stays 1
        set.copy_value(commands, group, source_records[k].param_index, records,
                       k * sizeof(SourceRecord) + offsetof(SourceRecord, weight));
    device.submit(std::move(commands));
  }

  // `what` completes "<what> need N GiB in one buffer", naming the sizes that caused it.
  void check_binding(const std::string& what, std::uint64_t bytes) const {
    const auto& lim = device.limits();
    if (bytes > lim.max_storage_binding_size || bytes > lim.max_buffer_size) {
      std::ostringstream s;
      s << what << " need " << detail::gib(bytes) << " in one buffer, but " << device.adapter().summary()
        << " allows at most " << detail::gib(std::min(lim.max_storage_binding_size, lim.max_buffer_size));
      throw GpuError(s.str());
    }
  }
  std::string grid_text() const {
    return "the " + std::to_string(nx) + " x " + std::to_string(nz) + " grid's ";
  }

  gpu::Buffer storage(std::uint64_t bytes, const char* label) {
    return device.create_buffer(std::max<std::uint64_t>(bytes, 16),
                                gpu::usage::storage | gpu::usage::copy_dst | gpu::usage::copy_src, label);
  }
  // Makes `buffer` hold at least `bytes`, reusing it when it does; true when it was (re)allocated.
  bool ensure(gpu::Buffer& buffer, std::uint64_t bytes, const char* label) {
    if (buffer && buffer.size() >= bytes) return false;
    buffer = storage(bytes, label);
    return true;
  }

  void set_run(std::uint32_t step) const { state.set(device, step, 0, source_count, receiver_count); }

  // Point kernels are compiled once; a new set of sources or receivers only rebinds buffers.
  void build_point_kernels() {
    std::vector<std::pair<std::string, double>> c = constants;
    c.push_back({"NT", double(nt)});
    const std::string code = forward_prelude(true) + std::string(wgsl::source("solver/points.wgsl")) +
                             std::string(source_stress_wgsl()) +
                             std::string(wgsl::source("solver/point_sources.wgsl"));
    // Besides the velocity group (and the stress group where sources drive it): status, 2 source
    // buffers and the run state (writable storage).
    check_bindings("sources", source_group_bindings(forward_fields).size() + 4);
    points = device.create_kernel(code, "points", c, "sources");
    auto store_constants = constants;
    store_constants.push_back({"VEL_FLOATS", double(stride() * physics.velocity_planes())});
    store_constants.push_back({"STATE_FLOATS", double(state_floats())});
    // Besides the groups: the store and the run state.
    auto store_bindings = forward_fields.bindings({"vel", "stress"});
    store_bindings.insert(store_bindings.end(), {{9, nullptr}, {detail::kRunBinding, nullptr}});
    check_bindings("store state", forward_fields.storage_bindings(store_bindings, false));
    store_state =
        device.create_kernel(forward_prelude() + std::string(wgsl::source("solver/store_state.wgsl")),
                             "store_state", store_constants, "store state");
    // The fused store needs the medium's stress kernel to call the hook last (a medium that does not
    // would store nothing) and one binding more than the stress update.
    const bool calls_hook = physics.wgsl().find("stress_update_done(k);") != std::string::npos;
    const std::size_t fused_bindings =
        forward_fields.storage_bindings(grid_bindings(), false) + (grid_records ? 3 : 0) + 1;
    fused_store = calls_hook && fused_bindings <= device.limits().max_storage_buffers_per_stage;
  }
  void build_fused_store_kernel() {
    if (stress_and_store_built) return;
    auto c = grid_records ? recording_constants() : constants;
    c.push_back({"VEL_PLANES_STORED", double(physics.velocity_planes())});
    c.push_back({"STRESS_PLANES_STORED", double(physics.stress_planes())});
    stress_and_store =
        grid_kernel(forward_passes, forward_prelude(false, grid_records, true) + physics.wgsl(),
                    "stress_update", c, physics.name() + " stress and store");
    stress_and_store_built = true;
  }
  // The fused kernel's bindings: the stress update's, and the store.
  detail::GridBindings bind_fused_store(const gpu::Buffer& store) const {
    auto b = grid_bindings();
    if (grid_records) {
      const auto receivers = receiver_bindings();
      b.insert(b.end(), receivers.begin(), receivers.end());
    }
    b.push_back({9, &store});
    return bind_grid(forward_passes, stress_and_store, b);
  }
  void bind_point_kernels() {
    auto b = source_group_bindings(forward_fields);
    b.insert(b.end(),
             {{3, &state.status}, {4, &source_points}, {5, &source_time}, {detail::kRunBinding, &state.run}});
    points_bg = device.bind(points, b);
  }
};

}  // namespace seiswg::solver
