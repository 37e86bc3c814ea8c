#include "solver/propagator.hpp"

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <map>
#include <sstream>

#include "io/error.hpp"
#include "solver/cpml.hpp"
#include "solver/propagator_impl.hpp"
#include "wgsl/embedded.hpp"

namespace seiswg::solver {

// The forward grid kernels run in two passes (the interior box without edge tests or boundary hooks,
// then the frame: Propagator::Impl::grid_passes) on grids of this many points or more over all shots.
// Measured on an H200 (docs/performance.md, "Two passes for the forward"): at 4096^2 two passes
// are 10-23 % faster than one with the taper, and with CPML layers as fast as the taper, whose
// hooks the interior then skips too; at 2048^2 even with the taper; the frame's launch costs more than
// it saves below.
constexpr std::uint64_t kForwardSplitPoints = 1u << 22;

Propagator::Propagator(gpu::Device& device, const physics::WaveEquation& physics, const io::Model& model,
                       int nt, double dt, const Taper& taper, int shots, std::uint64_t max_binding_bytes)
    : Propagator(device, physics, model, nt, dt, Edges{taper, false}, shots, max_binding_bytes) {}

Propagator::Propagator(gpu::Device& device, const physics::WaveEquation& physics, const io::Model& model,
                       int nt, double dt, const Edges& edges, int shots, std::uint64_t max_binding_bytes)
    : impl_(std::make_unique<Impl>(device, physics)) {
  const Taper& taper = edges.taper;
  const auto images = physics.surface_images();
  if (edges.free_surface && images.empty())
    throw InputError("[solver] free_surface = yes: the " + physics.name() +
                     " medium has no free surface yet");
  if (edges.free_surface && taper.top)
    throw InputError(
        "[solver] free_surface = yes: the free surface is the top: it cannot be tapered too "
        "(abs_top = no)");
  if (edges.cpml.on() && (taper.left || taper.right || taper.top || taper.bottom))
    throw InputError("[solver] boundary = cpml replaces the taper: no side may have both");
  if (edges.cpml.on() && edges.free_surface && edges.cpml.top)
    throw InputError(
        "[solver] free_surface = yes: the free surface is the top: it cannot be absorbing too (abs_top = "
        "no)");
  auto& s = *impl_;
  s.nx = model.grid.nx;
  s.nz = model.grid.nz;
  s.nt = nt;
  s.dt = dt;
  s.npt = model.grid.npt();
  if (shots < 1 || shots > 65535) throw std::logic_error("Propagator: shots must be in 1..65535");
  s.shots = std::uint32_t(shots);
  const auto& lim = device.limits();
  // Workgroups of 256 along z (consecutive addresses) then x: narrower along z when the grid's
  // columns would leave many invocations idle (201 nodes: 64 wide fills 79%, 32 wide 90%).
  // SEISWG_WORKGROUP_X (a benchmarking knob) forces the width.
  const char* forced = std::getenv("SEISWG_WORKGROUP_X");
  if (forced && std::atoi(forced) >= 1 && std::atoi(forced) <= 256) {
    s.wg_x = std::uint32_t(std::atoi(forced));
  } else {
    auto filled = [&](std::uint32_t w) {
      return double(s.nz) / double((std::uint32_t(s.nz) + w - 1) / w * w);
    };
    if (filled(64) < 0.85 && filled(32) > filled(64)) s.wg_x = 32;
  }
  s.wg_y = std::max<std::uint32_t>(1, 256 / s.wg_x);
  while (s.wg_x * s.wg_y > lim.max_invocations_per_workgroup && s.wg_y > 1) s.wg_y /= 2;
  const std::uint64_t gx = (std::uint64_t(s.nz) + s.wg_x - 1) / s.wg_x,
                      gy = (std::uint64_t(s.nx) + s.wg_y - 1) / s.wg_y;
  if (gx > lim.max_workgroups_per_dimension || gy > lim.max_workgroups_per_dimension)
    throw GpuError("the " + std::to_string(s.nx) + " x " + std::to_string(s.nz) + " grid needs more than " +
                   std::to_string(lim.max_workgroups_per_dimension) + " workgroups along one dimension on " +
                   device.adapter().summary());

  s.binding_bytes = std::min(lim.max_storage_binding_size, lim.max_buffer_size);
  if (max_binding_bytes > 0) s.binding_bytes = std::min(s.binding_bytes, max_binding_bytes);
  s.fields =
      s.field_set("fields", s.npt * physics.material_plane_count(), {"velocity", "stress", "material"});
  s.forward_fields = detail::FieldBindings({{"vel", 0, true, s.fields.get(), detail::kVel},
                                            {"stress", 1, true, s.fields.get(), detail::kStress},
                                            {"params", 2, false, s.fields.get(), detail::kMaterial}});
  s.state.create(device, "forward");
  set_model(model);

  s.constants = {{"NX", double(s.nx)},
                 {"SHOTS", double(s.shots)},
                 {"NZ", double(s.nz)},
                 {"INV_DX", 1.0 / model.grid.dx},
                 {"INV_DZ", 1.0 / model.grid.dz},
                 {"WG_X", double(s.wg_x)},
                 {"WG_Y", double(s.wg_y)},
                 {"STRESS_INDEX0", double(s.stress_index0())}};
  auto boundary = make_boundary(taper, physics.seispie_edges(), edges.free_surface ? &images : nullptr,
                                edges.cpml.on() ? cpml_wgsl(physics) : std::string());
  if (edges.cpml.on()) {
    const auto planes = physics.velocity_planes() + physics.stress_planes();
    check_cpml(edges.cpml, physics, s.nx, s.nz, s.shots);
    s.cpml = edges.cpml;
    // The fastest wave: the speed whose staggered limit is the medium's (Cosserat's included).
    const double speed =
        physics::staggered_dt_limit(1.0, model.grid.dx, model.grid.dz) / physics.max_stable_dt(model);
    const auto c = cpml_constants(edges.cpml, s.nx, s.nz, planes, s.shots);
    boundary.constants.insert(boundary.constants.end(), c.begin(), c.end());
    s.cpml_table = cpml_table(edges.cpml, s.nx, s.nz, model.grid.dx, model.grid.dz, dt, speed);
    s.cpml_memory_floats = cpml_floats(edges.cpml, s.nx, s.nz, planes, s.shots);
    // Hooks act on derivatives within the layer, whose stencils reach 2 nodes further.
    const bool sides[4] = {edges.cpml.left, edges.cpml.right, edges.cpml.top, edges.cpml.bottom};
    for (int side = 0; side < 4; ++side)
      if (sides[side])
        boundary.interior_margins[std::size_t(side)] =
            std::max(boundary.interior_margins[std::size_t(side)], edges.cpml.width + 2);
    s.cpml_memory = s.storage((s.cpml_memory_floats + s.cpml_table.size()) * 4, "CPML memory variables");
    device.write(s.cpml_memory, std::span<const float>(s.cpml_table), s.cpml_memory_floats * 4);
  }
  s.boundary_wgsl = boundary.wgsl;
  s.interior_margins = boundary.interior_margins;
  s.forward_passes = s.grid_passes("SEISWG_FORWARD_PASSES", kForwardSplitPoints);
  s.constants.insert(s.constants.end(), boundary.constants.begin(), boundary.constants.end());
  // The grid kernels record the receivers while the adapter has bindings for them (3 more).
  const std::size_t grid_bindings = s.forward_fields.storage_bindings(s.grid_bindings(), false);
  s.check_bindings(physics.name() + " forward", grid_bindings);
  s.grid_records = grid_bindings + 3 <= lim.max_storage_buffers_per_stage;
  const std::string code = s.forward_prelude(false, s.grid_records) + physics.wgsl();
  const auto recording = s.grid_records ? s.recording_constants() : s.constants;
  s.velocity = s.grid_kernel(s.forward_passes, code, "velocity", recording, physics.name() + " velocity");
  s.stress_update =
      s.grid_kernel(s.forward_passes, code, "stress_update", recording, physics.name() + " stress");
  if (!s.grid_records) {
    s.check_bindings("receivers", s.forward_fields.bindings({"vel"}).size() + 5);
    s.record = device.create_kernel(s.forward_prelude(false, true), "record", s.recording_constants(),
                                    physics.name() + " receivers");
  }
  if (s.records_stress()) {
    s.check_bindings("stress receivers", s.forward_fields.bindings({"stress"}).size() + 4);
    s.record_stress = device.create_kernel(s.forward_prelude(false, true), "record_stress",
                                           s.recording_constants(), physics.name() + " stress receivers");
  }
  s.build_point_kernels();
  set_sources({});
  set_receivers({});
  reset();
}

Propagator::~Propagator() = default;

void Propagator::set_model(const io::Model& model) {
  auto& s = *impl_;
  if (model.grid.nx != s.nx || model.grid.nz != s.nz)
    throw std::logic_error("Propagator::set_model: the model's grid differs from the propagator's");
  const auto planes = s.physics.material_planes(model, s.dt);
  s.fields->write(detail::kMaterial, 0, planes);
  s.gather_weights(*s.fields, detail::kMaterial, s.source_points);
}

int Propagator::shots() const { return int(impl_->shots); }

void Propagator::set_sources(std::span<const PointForce> forces) {
  auto& s = *impl_;
  // Merge forces on the same velocity sample so that no two threads add to one value.
  std::map<std::uint64_t, std::pair<detail::SourceRecord, std::vector<float>>> merged;
  for (const auto& f : forces) {
    if (f.values.size() != std::size_t(s.nt)) throw std::logic_error("source time function length != nt");
    const std::uint64_t node = std::uint64_t(f.i) * std::uint64_t(s.nz) + std::uint64_t(f.j);
    if (f.shot >= s.shots) throw std::logic_error("source for a shot the propagator does not have");
    const std::uint64_t field_index =
        (f.stress ? s.stress_index0() : 0) + f.velocity_plane * s.stride() + f.shot * s.npt + node;
    if (field_index >= detail::kNone) throw std::logic_error("source index past the kernels' 32-bit range");
    auto [it, fresh] = merged.try_emplace(field_index);
    if (fresh) {
      const bool unweighted = f.buoyancy_plane == PointForce::kUnweighted;
      it->second.first = {std::uint32_t(field_index),
                          unweighted ? detail::kNone : std::uint32_t(f.buoyancy_plane * s.npt + node), f.i,
                          f.j, unweighted ? 1.0f : 0.0f};
      it->second.second.assign(std::size_t(s.nt), 0.0f);
    }
    for (int t = 0; t < s.nt; ++t) it->second.second[std::size_t(t)] += f.values[std::size_t(t)];
  }
  std::vector<detail::SourceRecord> points;
  std::vector<float> time;
  for (auto& [key, value] : merged) {
    points.push_back(value.first);
    time.insert(time.end(), value.second.begin(), value.second.end());
  }
  s.source_count = std::uint32_t(points.size());
  s.check_binding("the source time functions (" + std::to_string(points.size()) +
                      " source points x [solver] nt = " + std::to_string(s.nt) + " steps)",
                  time.size() * 4);
  // At least one record: the kernel's binding holds one SourcePoint (20 bytes) even when empty.
  bool fresh =
      s.ensure(s.source_points, std::max<std::size_t>(points.size(), 1) * sizeof(detail::SourceRecord),
               "source points");
  fresh |= s.ensure(s.source_time, time.size() * 4, "source time functions");
  s.device.write(s.source_points, std::span<const detail::SourceRecord>(points));
  s.device.write(s.source_time, std::span<const float>(time));
  s.source_records = std::move(points);
  s.gather_weights(*s.fields, detail::kMaterial, s.source_points);
  if (fresh) ++s.source_buffers_version;
  if (fresh) s.bind_point_kernels();
  s.set_run(s.recorded_steps);
}

void Propagator::set_receivers(std::span<const PointReceiver> receivers) {
  auto& s = *impl_;
  std::vector<std::uint32_t> index;
  s.stress_receiver_count = 0;
  for (const auto& r : receivers) {
    const std::uint64_t at = (r.stress ? s.stress_index0() : 0) + r.velocity_plane * s.stride() +
                             r.shot * s.npt + std::uint64_t(r.i) * std::uint64_t(s.nz) + std::uint64_t(r.j);
    if (at >= detail::kNone) throw std::logic_error("receiver index past the kernels' 32-bit range");
    if (r.stress && !s.records_stress())
      throw std::logic_error("a stress receiver for a medium that records no stress plane");
    s.stress_receiver_count += r.stress ? 1 : 0;
    index.push_back(std::uint32_t(at));
  }
  s.receiver_count = std::uint32_t(index.size());
  s.receiver_index = index;
  const std::uint64_t trace_bytes = std::uint64_t(s.receiver_count) * std::uint64_t(s.nt) * 4;
  s.check_binding("the receiver traces (" + std::to_string(s.receiver_count) +
                      " receiver components x [solver] nt = " + std::to_string(s.nt) + " steps)",
                  trace_bytes);
  bool fresh = s.ensure(s.receiver_points, index.size() * 4, "receiver points");
  fresh |= s.ensure(s.receiver_u, index.size() * 4, "receiver displacement");
  fresh |= s.ensure(s.trace_buffer, trace_bytes, "traces");
  s.device.write(s.receiver_points, std::span<const std::uint32_t>(index));
  if (fresh) s.bind_grid_kernels(), s.bind_record_stress();
  s.set_run(s.recorded_steps);
}

void Propagator::reset() {
  auto& s = *impl_;
  auto commands = s.device.record();
  s.fields->clear(commands, detail::kVel);
  s.fields->clear(commands, detail::kStress);
  commands.clear(s.receiver_u);
  commands.clear(s.trace_buffer);
  if (s.cpml.on()) commands.clear(s.cpml_memory, 0, s.cpml_memory_floats * 4);
  s.device.submit(std::move(commands));
  s.recorded_steps = 0;
  s.set_run(0);
}

Propagator::StateSink Propagator::state_sink(const gpu::Buffer& buffer) {
  auto& s = *impl_;
  StateSink sink;
  sink.buffer = &buffer;
  if (s.fused_store) {
    s.build_fused_store_kernel();
    sink.fused = true;
    auto b = s.bind_fused_store(buffer);
    sink.bindings = std::move(b.whole);
    sink.interior_bindings = std::move(b.interior);
    sink.bound_receivers = s.receiver_buffers_version;
    return sink;
  }
  auto b = s.forward_fields.bindings({"vel", "stress"});
  b.insert(b.end(), {{9, &buffer}, {detail::kRunBinding, &s.state.run}});
  sink.bindings = s.device.bind(s.store_state, b);
  return sink;
}

void Propagator::advance(int steps, const StateSink* sink, std::uint32_t first_slot) {
  auto& s = *impl_;
  const std::uint32_t record_rows = s.record_rows();
  std::uint32_t store_gx = 0, store_gy = 0;
  const bool fused = sink && sink->fused;
  if (fused && sink->bound_receivers != s.receiver_buffers_version) {
    auto b = s.bind_fused_store(*sink->buffer);  // the receivers' buffers were reallocated
    sink->bindings = std::move(b.whole);
    sink->interior_bindings = std::move(b.interior);
    sink->bound_receivers = s.receiver_buffers_version;
  }
  if (sink) {
    // Slot of step `it` = it + 1 - start, with the clock at it + 1 when the copy runs.
    s.state.set_segment_start(s.device, s.recorded_steps + 1 - first_slot);
    const std::uint64_t groups = (s.state_floats() + 255) / 256;
    store_gx = std::uint32_t(std::min<std::uint64_t>(groups, 32768));
    store_gy = std::uint32_t((groups + store_gx - 1) / store_gx);
  }
  record_steps(s.device, steps, [&](gpu::Commands& commands) {
    s.dispatch_grid(commands, s.forward_passes, s.velocity, s.velocity_bg);
    commands.dispatch(s.points, s.points_bg, 1);
    if (!s.grid_records && s.receiver_count)
      commands.dispatch(s.record, s.record_bg, (s.receiver_count + 63) / 64);
    if (fused)
      s.dispatch_grid(commands, s.forward_passes, s.stress_and_store, sink->bindings, sink->interior_bindings,
                      record_rows);
    else
      s.dispatch_grid(commands, s.forward_passes, s.stress_update, s.stress_bg, record_rows);
    if (s.stress_receiver_count)
      commands.dispatch(s.record_stress, s.record_stress_bg, (s.receiver_count + 63) / 64);
    if (sink && !fused) commands.dispatch(s.store_state, sink->bindings, store_gx, store_gy);
  });
  s.recorded_steps += std::uint32_t(steps);
}

std::vector<float> Propagator::state() {
  auto& s = *impl_;
  const std::uint64_t memory = s.cpml_memory_floats;
  std::vector<float> v(s.state_floats() + memory);
  const std::uint64_t vel = s.fields->floats(detail::kVel);
  s.fields->read(detail::kVel, 0, vel, v.data());
  s.fields->read(detail::kStress, 0, s.fields->floats(detail::kStress), v.data() + vel);
  if (memory) s.device.read(s.cpml_memory, 0, memory * 4, v.data() + s.state_floats());
  return v;
}

void Propagator::restore(std::span<const float> state, std::uint32_t completed) {
  auto& s = *impl_;
  const std::uint64_t memory = s.cpml_memory_floats;
  if (state.empty()) {
    auto commands = s.device.record();
    s.fields->clear(commands, detail::kVel);
    s.fields->clear(commands, detail::kStress);
    if (memory) commands.clear(s.cpml_memory, 0, memory * 4);
    s.device.submit(std::move(commands));
  } else {
    const std::uint64_t vel = s.fields->floats(detail::kVel);
    if (state.size() != s.state_floats() + memory)
      throw std::logic_error("Propagator::restore: state of the wrong size");
    s.fields->write(detail::kVel, 0, state.first(vel));
    s.fields->write(detail::kStress, 0, state.subspan(vel, s.state_floats() - vel));
    if (memory) s.device.write(s.cpml_memory, 0, state.data() + s.state_floats(), memory * 4);
  }
  s.recorded_steps = completed;
  s.set_run(completed);
}

std::uint32_t Propagator::completed_steps(BlowUp* blow_up) {
  auto& s = *impl_;
  return s.state.read(s.device, blow_up);
}

std::vector<float> Propagator::velocity_plane(std::uint32_t plane, std::uint32_t shot) {
  auto& s = *impl_;
  std::vector<float> v(s.npt);
  s.fields->read(detail::kVel, plane * s.stride() + shot * s.npt, s.npt, v.data());
  return v;
}

std::vector<float> Propagator::stress_plane(std::uint32_t plane, std::uint32_t shot) {
  auto& s = *impl_;
  std::vector<float> v(s.npt);
  s.fields->read(detail::kStress, plane * s.stride() + shot * s.npt, s.npt, v.data());
  return v;
}

std::vector<float> Propagator::traces() {
  auto& s = *impl_;
  std::vector<float> v(std::size_t(s.receiver_count) * std::size_t(s.nt));
  s.device.read(s.trace_buffer, 0, v.size() * 4, v.data());
  return v;
}

std::vector<float> Propagator::velocities() {
  auto& s = *impl_;
  std::vector<float> v(s.fields->floats(detail::kVel));
  s.fields->read(detail::kVel, 0, v.size(), v.data());
  return v;
}
std::vector<float> Propagator::stresses() {
  auto& s = *impl_;
  std::vector<float> v(s.fields->floats(detail::kStress));
  s.fields->read(detail::kStress, 0, v.size(), v.data());
  return v;
}
void Propagator::set_state(std::span<const float> velocities, std::span<const float> stresses) {
  auto& s = *impl_;
  s.fields->write(detail::kVel, 0, velocities);
  s.fields->write(detail::kStress, 0, stresses);
}

std::uint64_t Propagator::state_bytes() const { return impl_->state_floats() * 4; }

std::uint64_t Propagator::gpu_bytes() const {
  const auto& s = *impl_;
  return s.fields->bytes() + s.trace_buffer.size() + s.source_time.size() +
         (s.cpml.on() ? s.cpml_memory.size() : 0);
}

}  // namespace seiswg::solver
