#include "solver/born.hpp"

#include "solver/propagator_impl.hpp"

namespace seiswg::solver {

struct Born::Impl {
  Propagator& background;
  Propagator::Impl& f;
  gpu::Buffer dvel, dstress, dmaterial, receiver_u, traces;
  detail::RunState state;
  gpu::Kernel velocity, stress;
  gpu::BindGroup velocity_bg, stress_bg, points_bg;
  Impl(Propagator& b) : background(b), f(b.internals()) {}
};

Born::Born(Propagator& background) : impl_(std::make_unique<Impl>(background)) {
  auto& s = *impl_;
  auto& f = s.f;
  if (f.shots != 1) throw std::logic_error("adjoint and Born runs take a propagator of one shot");
  if (f.physics.born_wgsl().empty())
    throw InputError("linearized (Born) runs are not available for the " + f.physics.name() + " medium yet");
  s.dvel = f.storage(f.vel.size(), "velocity perturbation");
  s.dstress = f.storage(f.stress.size(), "stress perturbation");
  s.dmaterial = f.storage(f.material.size(), "material perturbation");
  s.state.create(f.device, "born");
  s.receiver_u = f.storage(f.receiver_u.size(), "born receiver displacement");
  s.traces = f.storage(f.trace_buffer.size(), "born traces");
  const std::string code = detail::prelude("physics/common/fields_born.wgsl", false) + f.physics.born_wgsl();
  s.velocity = f.device.create_kernel(code, "velocity", f.constants, f.physics.name() + " born velocity");
  s.stress = f.device.create_kernel(code, "stress_update", f.constants, f.physics.name() + " born stress");
  const std::initializer_list<gpu::Device::Binding> grid = {
      {0, &s.dvel}, {1, &s.dstress}, {2, &f.material},  {3, &s.state.status},
      {4, &f.vel},  {5, &f.stress},  {6, &s.dmaterial}, {detail::kRunBinding, &s.state.run}};
  s.velocity_bg = f.device.bind(s.velocity, grid);
  s.stress_bg = f.device.bind(s.stress, grid);
  // The forward point kernel serves the perturbation too: injection with the perturbed dt/density
  // is the source's Born term, and recording is linear.
  s.points_bg = f.device.bind(f.points, {{0, &s.dvel},
                                         {2, &s.dmaterial},
                                         {3, &s.state.status},
                                         {4, &f.source_points},
                                         {5, &f.source_time},
                                         {6, &f.receiver_points},
                                         {7, &s.receiver_u},
                                         {8, &s.traces},
                                         {detail::kRunBinding, &s.state.run}});
}

Born::~Born() = default;

std::vector<float> Born::run(std::span<const float> material_perturbation) {
  auto& s = *impl_;
  auto& f = s.f;
  s.background.reset();
  f.device.write(s.dmaterial, material_perturbation);
  {
    auto commands = f.device.record();
    for (const gpu::Buffer* b : {&s.dvel, &s.dstress, &s.receiver_u, &s.traces}) commands.clear(*b);
    f.device.submit(std::move(commands));
    s.state.set(f.device, 0, 0, f.source_count, f.receiver_count);
  }
  const std::uint32_t gx = f.groups_x(), gy = f.groups_y();
  constexpr int kStepsPerSubmit = 256;
  for (int done = 0; done < f.nt;) {
    const int n = std::min(kStepsPerSubmit, f.nt - done);
    auto commands = f.device.record();
    for (int step = 0; step < n; ++step) {
      // The perturbation's velocity update reads the background stress before its update, its
      // stress update the background velocity after its update.
      commands.dispatch(f.velocity, f.velocity_bg, gx, gy);
      commands.dispatch(f.points, f.points_bg, 1);
      commands.dispatch(s.velocity, s.velocity_bg, gx, gy);
      commands.dispatch(f.points, s.points_bg, 1);
      commands.dispatch(f.stress_update, f.stress_bg, gx, gy);
      commands.dispatch(s.stress, s.stress_bg, gx, gy);
    }
    f.device.submit(std::move(commands));
    done += n;
  }
  std::vector<float> out(std::size_t(f.receiver_count) * std::size_t(f.nt));
  f.device.read(s.traces, 0, out.size() * 4, out.data());
  return out;
}

}  // namespace seiswg::solver
