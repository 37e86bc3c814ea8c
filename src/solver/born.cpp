#include "solver/born.hpp"

#include "solver/propagator_impl.hpp"

namespace seiswg::solver {

struct Born::Impl {
  Propagator& background;
  Propagator::Impl& f;
  // The wavefield perturbation and the material perturbation, in the layout of the background's
  // fields (so that the forward point and receiver kernels bind them where they bind the
  // background's).
  std::unique_ptr<detail::FieldSet> fields;  // kVel, kStress, kMaterial
  detail::FieldBindings born_fields;         // grid kernels: the perturbation's groups and the background's
  detail::FieldBindings point_fields;        // the forward point kernel's groups, over the perturbation
  gpu::Buffer receiver_u, traces, sources;   // sources: the background's, weighted by the perturbation
  detail::RunState state;
  gpu::Kernel velocity, stress, record, record_stress;
  gpu::BindGroup velocity_bg, stress_bg, points_bg, record_bg, record_stress_bg;
  // The background's point buffers points_bg and record_bg bind (rebound when they grew: buffers
  // only ever grow, so their version and size say whether they are the bound ones).
  std::uint64_t bound_sources = ~0ull, bound_receiver_size = 0;
  Impl(Propagator& b) : background(b), f(b.internals()) {}

  // The forward point kernel serves the perturbation too: injection with the perturbed dt/density
  // (the weights of `sources`) is the source's Born term, and recording is linear.
  void bind_points() {
    bool grew = f.ensure(receiver_u, f.receiver_u.size(), "born receiver displacement");
    grew |= f.ensure(traces, f.trace_buffer.size(), "born traces");
    grew |= f.ensure(sources, f.source_points.size(), "born source points");
    if (!grew && bound_sources == f.source_buffers_version && bound_receiver_size == f.receiver_points.size())
      return;
    bound_sources = f.source_buffers_version;
    bound_receiver_size = f.receiver_points.size();
    auto b = f.source_group_bindings(point_fields);
    b.insert(b.end(),
             {{3, &state.status}, {4, &sources}, {5, &f.source_time}, {detail::kRunBinding, &state.run}});
    points_bg = f.device.bind(f.points, b);
    // The perturbation's kernels bind 7 buffers already: its receivers get a dispatch of their own.
    auto r = point_fields.bindings({"vel"});
    r.insert(r.end(), {{3, &state.status},
                       {detail::kRunBinding, &state.run},
                       {detail::kReceiverPointsBinding, &f.receiver_points},
                       {detail::kDisplacementBinding, &receiver_u},
                       {detail::kTracesBinding, &traces}});
    record_bg = f.device.bind(record, r);
    if (!f.records_stress()) return;
    auto rs = point_fields.bindings({"stress"});
    rs.insert(rs.end(), {{3, &state.status},
                         {detail::kRunBinding, &state.run},
                         {detail::kReceiverPointsBinding, &f.receiver_points},
                         {detail::kTracesBinding, &traces}});
    record_stress_bg = f.device.bind(record_stress, rs);
  }
};

Born::Born(Propagator& background) : impl_(std::make_unique<Impl>(background)) {
  auto& s = *impl_;
  auto& f = s.f;
  if (f.physics.born_wgsl().empty())
    throw InputError("linearized (Born) runs are not available for the " + f.physics.name() + " medium yet");
  s.fields = f.field_set("born_fields", f.fields->floats(detail::kMaterial),
                         {"velocity perturbation", "stress perturbation", "material perturbation"});
  s.point_fields = detail::FieldBindings({{"vel", 0, true, s.fields.get(), detail::kVel},
                                          {"stress", 1, true, s.fields.get(), detail::kStress},
                                          {"params", 2, false, s.fields.get(), detail::kMaterial}});
  s.born_fields = detail::FieldBindings({{"vel", 0, true, s.fields.get(), detail::kVel},
                                         {"stress", 1, true, s.fields.get(), detail::kStress},
                                         {"params", 2, false, f.fields.get(), detail::kMaterial},
                                         {"bg_vel", 4, false, f.fields.get(), detail::kVel},
                                         {"bg_stress", 5, false, f.fields.get(), detail::kStress},
                                         {"dmaterial", 6, false, s.fields.get(), detail::kMaterial}});
  s.state.create(f.device, "born");
  const std::string code =
      f.prelude("physics/common/fields_born.wgsl", false, s.born_fields) + f.physics.born_wgsl();
  auto grid = s.born_fields.bindings({"vel", "stress", "params", "bg_vel", "bg_stress", "dmaterial"});
  grid.insert(grid.end(), {{3, &s.state.status}, {detail::kRunBinding, &s.state.run}});
  // CPML: the perturbation's memory variables are set 1 of the background's buffer, beside the
  // background's own (set 0), which the linearized terms read (physics/boundary/cpml.wgsl).
  auto constants = f.constants;
  if (f.cpml.on()) {
    grid.push_back({Propagator::Impl::kCpmlBinding, &f.cpml_memory});
    constants.push_back({"CPML_SET", 1.0});
  }
  f.check_bindings(f.physics.name() + " Born", s.born_fields.storage_bindings(grid, false));
  s.velocity = f.device.create_kernel(code, "velocity", constants, f.physics.name() + " born velocity");
  s.stress = f.device.create_kernel(code, "stress_update", constants, f.physics.name() + " born stress");
  s.velocity_bg = f.device.bind(s.velocity, grid);
  s.stress_bg = f.device.bind(s.stress, grid);
  s.record = f.device.create_kernel(f.forward_prelude(false, true), "record", f.recording_constants(),
                                    f.physics.name() + " born receivers");
  if (f.records_stress())
    s.record_stress =
        f.device.create_kernel(f.forward_prelude(false, true), "record_stress", f.recording_constants(),
                               f.physics.name() + " born stress receivers");
}

Born::~Born() = default;

std::vector<float> Born::run(std::span<const float> material_perturbation) {
  auto& s = *impl_;
  auto& f = s.f;
  s.bind_points();
  s.background.reset();
  s.fields->write(detail::kMaterial, 0, material_perturbation);
  {
    auto commands = f.device.record();
    s.fields->clear(commands, detail::kVel);
    s.fields->clear(commands, detail::kStress);
    for (const gpu::Buffer* b : {&s.receiver_u, &s.traces}) commands.clear(*b);
    const std::uint64_t records = f.source_records.size() * sizeof(detail::SourceRecord);
    if (records > 0) commands.copy(f.source_points, 0, s.sources, 0, records);
    f.device.submit(std::move(commands));
    f.gather_weights(*s.fields, detail::kMaterial, s.sources);
    s.state.set(f.device, 0, 0, f.source_count, f.receiver_count);
  }
  const std::uint32_t gx = f.groups_x(), gy = f.groups_y(), record_rows = f.record_rows();
  // The background's kernels run as the forward's do (one pass or two), the perturbation's in one.
  record_steps(f.device, f.nt, [&](gpu::Commands& commands) {
    // The perturbation's velocity update reads the background stress before its update (and
    // before the background's sources of the step, which may drive a stress plane), its stress
    // update the background velocity after its update and sources.
    f.dispatch_grid(commands, f.forward_passes, f.velocity, f.velocity_bg);
    commands.dispatch(s.velocity, s.velocity_bg, gx, gy, f.shots);
    commands.dispatch(f.points, f.points_bg, 1);
    if (!f.grid_records && f.receiver_count)
      commands.dispatch(f.record, f.record_bg, (f.receiver_count + 63) / 64);
    commands.dispatch(f.points, s.points_bg, 1);
    if (f.receiver_count) commands.dispatch(s.record, s.record_bg, (f.receiver_count + 63) / 64);
    f.dispatch_grid(commands, f.forward_passes, f.stress_update, f.stress_bg, record_rows);
    commands.dispatch(s.stress, s.stress_bg, gx, gy, f.shots);
    if (f.stress_receiver_count)
      commands.dispatch(s.record_stress, s.record_stress_bg, (f.receiver_count + 63) / 64);
  });
  f.recorded_steps = std::uint32_t(f.nt);
  std::vector<float> out(std::size_t(f.receiver_count) * std::size_t(f.nt));
  f.device.read(s.traces, 0, out.size() * 4, out.data());
  return out;
}

}  // namespace seiswg::solver
