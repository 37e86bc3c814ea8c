#include "solver/born.hpp"

#include "solver/propagator_impl.hpp"

namespace seiswg::solver {

struct Born::Impl {
  Propagator& background;
  Propagator::Impl& f;
  gpu::Buffer dvel, dstress, dmaterial, receiver_u, traces;
  detail::RunState state;
  gpu::Kernel velocity, stress, record;
  gpu::BindGroup velocity_bg, stress_bg, points_bg, record_bg;
  // The background's point buffers points_bg binds (rebound when they were reallocated).
  std::uint64_t bound_sources = ~0ull;
  const void* bound_receivers = nullptr;
  Impl(Propagator& b) : background(b), f(b.internals()) {}

  // The forward point kernel serves the perturbation too: injection with the perturbed dt/density
  // is the source's Born term, and recording is linear.
  void bind_points() {
    bool grew = f.ensure(receiver_u, f.receiver_u.size(), "born receiver displacement");
    grew |= f.ensure(traces, f.trace_buffer.size(), "born traces");
    if (!grew && bound_sources == f.source_buffers_version && bound_receivers == &f.receiver_points &&
        bound_receiver_size == f.receiver_points.size())
      return;
    bound_sources = f.source_buffers_version;
    bound_receivers = &f.receiver_points;
    bound_receiver_size = f.receiver_points.size();
    points_bg = f.device.bind(f.points, {{0, &dvel},
                                         {2, &dmaterial},
                                         {3, &state.status},
                                         {4, &f.source_points},
                                         {5, &f.source_time},
                                         {detail::kRunBinding, &state.run}});
    // The perturbation's kernels bind 7 buffers already: its receivers get a dispatch of their own.
    record_bg = f.device.bind(record, {{0, &dvel},
                                       {3, &state.status},
                                       {detail::kRunBinding, &state.run},
                                       {detail::kReceiverPointsBinding, &f.receiver_points},
                                       {detail::kDisplacementBinding, &receiver_u},
                                       {detail::kTracesBinding, &traces}});
  }
  std::uint64_t bound_receiver_size = 0;
};

Born::Born(Propagator& background) : impl_(std::make_unique<Impl>(background)) {
  auto& s = *impl_;
  auto& f = s.f;
  if (f.physics.born_wgsl().empty())
    throw InputError("linearized (Born) runs are not available for the " + f.physics.name() + " medium yet");
  s.dvel = f.storage(f.vel.size(), "velocity perturbation");
  s.dstress = f.storage(f.stress.size(), "stress perturbation");
  s.dmaterial = f.storage(f.material.size(), "material perturbation");
  s.state.create(f.device, "born");
  const std::string code = f.prelude("physics/common/fields_born.wgsl", false) + f.physics.born_wgsl();
  s.velocity = f.device.create_kernel(code, "velocity", f.constants, f.physics.name() + " born velocity");
  s.stress = f.device.create_kernel(code, "stress_update", f.constants, f.physics.name() + " born stress");
  const std::initializer_list<gpu::Device::Binding> grid = {
      {0, &s.dvel}, {1, &s.dstress}, {2, &f.material},  {3, &s.state.status},
      {4, &f.vel},  {5, &f.stress},  {6, &s.dmaterial}, {detail::kRunBinding, &s.state.run}};
  s.velocity_bg = f.device.bind(s.velocity, grid);
  s.stress_bg = f.device.bind(s.stress, grid);
  s.record = f.device.create_kernel(f.forward_prelude(false, true), "record", f.recording_constants(),
                                    f.physics.name() + " born receivers");
}

Born::~Born() = default;

std::vector<float> Born::run(std::span<const float> material_perturbation) {
  auto& s = *impl_;
  auto& f = s.f;
  s.bind_points();
  s.background.reset();
  f.device.write(s.dmaterial, material_perturbation);
  {
    auto commands = f.device.record();
    for (const gpu::Buffer* b : {&s.dvel, &s.dstress, &s.receiver_u, &s.traces}) commands.clear(*b);
    f.device.submit(std::move(commands));
    s.state.set(f.device, 0, 0, f.source_count, f.receiver_count);
  }
  const std::uint32_t gx = f.groups_x(), gy = f.groups_y(), record_rows = f.record_rows();
  record_steps(f.device, f.nt, [&](gpu::Commands& commands) {
    // The perturbation's velocity update reads the background stress before its update, its
    // stress update the background velocity after its update.
    commands.dispatch(f.velocity, f.velocity_bg, gx, gy, f.shots);
    commands.dispatch(f.points, f.points_bg, 1);
    commands.dispatch(s.velocity, s.velocity_bg, gx, gy, f.shots);
    commands.dispatch(f.points, s.points_bg, 1);
    if (f.receiver_count) commands.dispatch(s.record, s.record_bg, (f.receiver_count + 63) / 64);
    commands.dispatch(f.stress_update, f.stress_bg, gx, gy + record_rows, f.shots);
    commands.dispatch(s.stress, s.stress_bg, gx, gy, f.shots);
  });
  f.recorded_steps = std::uint32_t(f.nt);
  std::vector<float> out(std::size_t(f.receiver_count) * std::size_t(f.nt));
  f.device.read(s.traces, 0, out.size() * 4, out.data());
  return out;
}

}  // namespace seiswg::solver
