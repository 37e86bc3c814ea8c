#include "solver/adjoint.hpp"

#include <cmath>
#include <map>
#include <sstream>

#include "io/error.hpp"
#include "solver/propagator_impl.hpp"

namespace seiswg::solver {

std::string StoragePlan::describe(int nt, std::uint32_t fields) const {
  std::ostringstream s;
  s.precision(3);
  if (mode == Mode::gpu) {
    s << "storing " << nt << " steps x " << fields << " fields on the GPU: " << double(gpu_bytes) / 1e9
      << " GB";
  } else {
    const int segments = (nt + segment_steps - 1) / segment_steps;
    s << "checkpointing: " << segments - 1 << " checkpoints in host memory (" << double(host_bytes) / 1e9
      << " GB), recomputing segments of " << segment_steps << " steps x " << fields << " fields on the GPU ("
      << double(gpu_bytes) / 1e9 << " GB)";
  }
  return s.str();
}

StoragePlan plan_storage(const gpu::Device& device, std::uint64_t state_bytes, int nt,
                         const std::string& requested, std::uint64_t gpu_budget, int segment_steps) {
  const auto& lim = device.limits();
  std::uint64_t budget = std::min(lim.max_storage_binding_size, lim.max_buffer_size);
  if (gpu_budget > 0) budget = std::min(budget, gpu_budget);
  const std::uint64_t max_slots = budget / state_bytes;
  if (max_slots < 3)
    throw InputError("adjoint storage: one forward state needs " + detail::gib(state_bytes) +
                     "; the GPU budget (" + detail::gib(budget) + ") holds fewer than 3 of them");
  StoragePlan plan;
  const bool all_fit = std::uint64_t(nt) + 1 <= max_slots;
  if (requested == "gpu" || (requested == "auto" && all_fit)) {
    if (!all_fit)
      throw InputError("[solver] adjoint_storage = gpu: storing " + std::to_string(nt) + " steps needs " +
                       detail::gib((std::uint64_t(nt) + 1) * state_bytes) + " on the GPU, the budget is " +
                       detail::gib(budget) + " (use auto or checkpoint)");
    plan.mode = StoragePlan::Mode::gpu;
    plan.segment_steps = nt;
  } else if (requested == "checkpoint" || requested == "auto") {
    plan.mode = StoragePlan::Mode::checkpoint;
    int k = segment_steps > 0
                ? segment_steps
                : (requested == "auto" ? int(max_slots - 1) : int(std::ceil(std::sqrt(double(nt)))));
    k = std::max(1, std::min({k, nt, int(max_slots - 1)}));
    plan.segment_steps = k;
  } else {
    throw InputError("[solver] adjoint_storage = " + requested + ": expected auto, gpu or checkpoint");
  }
  plan.gpu_bytes = (std::uint64_t(plan.segment_steps) + 1) * state_bytes;
  const int segments = (nt + plan.segment_steps - 1) / plan.segment_steps;
  plan.host_bytes = std::uint64_t(segments - 1) * state_bytes;
  return plan;
}

struct Adjoint::Impl {
  Propagator& forward;
  Propagator::Impl& f;
  StoragePlan plan;
  gpu::Buffer store, adj_vel, adj_stress, status, grad;
  gpu::Buffer receivers, adjoint_source, source_adjoint;
  gpu::Kernel velocity, stress, record, inject, tick;
  gpu::BindGroup velocity_bg, stress_bg, record_bg, inject_bg, tick_bg;
  std::vector<std::uint32_t> unique_receivers;  // distinct plane * npt + node
  std::vector<std::size_t> receiver_slot;       // receiver -> index in unique_receivers
  std::vector<std::vector<float>> checkpoints;  // state when `segment start` steps are done
  bool have_forward = false;

  Impl(Propagator& p, const StoragePlan& pl) : forward(p), f(p.internals()), plan(pl) {}

  gpu::Buffer storage(std::uint64_t bytes, const char* label) { return f.storage(bytes, label); }

  int segments() const { return (f.nt + plan.segment_steps - 1) / plan.segment_steps; }

  void set_status(std::uint32_t clock, std::uint32_t segment_start) {
    const detail::StatusWords words(clock, segment_start, f.source_count,
                                    std::uint32_t(unique_receivers.size()));
    f.device.write(status, 0, words.words, sizeof words.words);
  }

  // Fills store slots 1..steps with the states after steps [start, start + steps); slot 0 holds
  // the state before `start`.
  void fill_store(int start, int steps, std::span<const float> state_before) {
    forward.restore(state_before, std::uint32_t(start));
    auto commands = f.device.record();
    commands.copy(f.vel, 0, store, 0, f.vel.size());
    commands.copy(f.stress, 0, store, f.vel.size(), f.stress.size());
    f.device.submit(std::move(commands));
    Propagator::StateStore sink{&store, 1};
    forward.advance(steps, &sink);
  }
};

Adjoint::Adjoint(Propagator& forward, const StoragePlan& plan)
    : impl_(std::make_unique<Impl>(forward, plan)) {
  auto& s = *impl_;
  auto& f = s.f;
  const std::string code = std::string(wgsl::source("physics/common/stencil.wgsl")) +
                           std::string(wgsl::source("physics/common/fields_adjoint.wgsl")) +
                           std::string(wgsl::source("physics/common/no_born.wgsl")) +
                           f.physics.adjoint_wgsl();
  if (f.physics.adjoint_wgsl().empty())
    throw InputError("adjoint runs are not available for the " + f.physics.name() + " medium yet");
  s.store = s.storage((std::uint64_t(plan.segment_steps) + 1) * f.state_floats() * 4, "forward states");
  s.adj_vel = s.storage(f.vel.size(), "adjoint velocity");
  s.adj_stress = s.storage(f.stress.size(), "adjoint stress");
  s.status = s.storage(detail::kStatusBytes, "adjoint status");
  s.grad = s.storage(f.material.size(), "gradient");

  // Receivers on the same sample share one adjoint source, so no two threads add to one value.
  std::map<std::uint32_t, std::size_t> slot_of;
  for (std::uint32_t index : f.receiver_index) {
    auto [it, fresh] = slot_of.try_emplace(index, s.unique_receivers.size());
    if (fresh) s.unique_receivers.push_back(index);
    s.receiver_slot.push_back(it->second);
  }
  s.receivers = s.storage(s.unique_receivers.size() * 4, "adjoint receivers");
  f.device.write(s.receivers, std::span<const std::uint32_t>(s.unique_receivers));
  s.adjoint_source = s.storage(s.unique_receivers.size() * std::uint64_t(f.nt) * 4, "adjoint sources");
  s.source_adjoint = s.storage(std::uint64_t(f.source_count) * std::uint64_t(f.nt) * 4, "source adjoint");

  auto c = f.constants;
  c.push_back({"VEL_PLANES", double(f.physics.velocity_planes())});
  c.push_back({"STRESS_PLANES", double(f.physics.stress_planes())});
  s.velocity = f.device.create_kernel(code, "adjoint_velocity", c, f.physics.name() + " adjoint velocity");
  s.stress = f.device.create_kernel(code, "adjoint_stress", c, f.physics.name() + " adjoint stress");
  const std::initializer_list<gpu::Device::Binding> grid_bindings = {
      {0, &s.adj_vel}, {1, &s.adj_stress}, {2, &f.material}, {3, &s.status}, {4, &s.store}, {5, &s.grad}};
  s.velocity_bg = f.device.bind(s.velocity, grid_bindings);
  s.stress_bg = f.device.bind(s.stress, grid_bindings);

  c.push_back({"NT", double(f.nt)});
  const std::string points = code + std::string(wgsl::source("solver/points.wgsl")) +
                             std::string(wgsl::source("solver/adjoint_points.wgsl"));
  s.record = f.device.create_kernel(points, "adjoint_record", c, "adjoint record");
  s.inject = f.device.create_kernel(points, "adjoint_inject", c, "adjoint inject");
  s.tick = f.device.create_kernel(points, "reverse_tick", c, "reverse tick");
  s.record_bg =
      f.device.bind(s.record, {{0, &s.adj_vel}, {3, &s.status}, {6, &s.receivers}, {7, &s.adjoint_source}});
  s.inject_bg = f.device.bind(s.inject, {{0, &s.adj_vel},
                                         {2, &f.material},
                                         {3, &s.status},
                                         {5, &s.grad},
                                         {8, &f.source_points},
                                         {9, &f.source_time},
                                         {10, &s.source_adjoint}});
  s.tick_bg = f.device.bind(s.tick, {{3, &s.status}});
  clear_gradient();
}

Adjoint::~Adjoint() = default;

std::vector<float> Adjoint::forward() {
  auto& s = *impl_;
  auto& f = s.f;
  s.forward.reset();
  s.checkpoints.clear();
  if (s.plan.mode == StoragePlan::Mode::gpu) {
    s.fill_store(0, f.nt, {});
  } else {
    // Keep the state at each segment start except the first (which is rest).
    for (int start = 0; start < f.nt; start += s.plan.segment_steps) {
      if (start > 0) s.checkpoints.push_back(s.forward.state());
      s.forward.advance(std::min(s.plan.segment_steps, f.nt - start));
    }
  }
  BlowUp blow_up;
  s.forward.completed_steps(&blow_up);
  if (blow_up.happened)
    throw std::runtime_error("the forward run became unstable (NaN or Inf) at step " +
                             std::to_string(blow_up.step));
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
  // velocity at step n receives dt * sum_{m >= n} dJ/d(sample m).
  std::vector<double> sums(s.unique_receivers.size() * nt, 0.0);
  for (std::size_t r = 0; r < s.receiver_slot.size(); ++r) {
    double running = 0;
    for (std::size_t m = nt; m-- > 0;) {
      running += dj_dtraces[r * nt + m];
      sums[s.receiver_slot[r] * nt + m] += f.dt * running;
    }
  }
  f.device.write(s.adjoint_source, std::span<const float>(std::vector<float>(sums.begin(), sums.end())));
  {
    auto commands = f.device.record();
    commands.clear(s.adj_vel);
    commands.clear(s.adj_stress);
    commands.clear(s.source_adjoint);
    f.device.submit(std::move(commands));
  }
  const std::uint32_t gx = f.groups_x(), gy = f.groups_y();
  const std::uint32_t gr = std::uint32_t((s.unique_receivers.size() + 63) / 64),
                      gs = (f.source_count + 63) / 64;
  for (int seg = s.segments() - 1; seg >= 0; --seg) {
    const int start = seg * s.plan.segment_steps;
    const int steps = std::min(s.plan.segment_steps, f.nt - start);
    if (s.plan.mode == StoragePlan::Mode::checkpoint)
      s.fill_store(
          start, steps,
          seg > 0 ? std::span<const float>(s.checkpoints[std::size_t(seg - 1)]) : std::span<const float>());
    s.set_status(std::uint32_t(start + steps - 1), std::uint32_t(start));
    constexpr int kStepsPerSubmit = 256;
    for (int done = 0; done < steps;) {
      const int n = std::min(kStepsPerSubmit, steps - done);
      auto commands = f.device.record();
      for (int step = 0; step < n; ++step) {
        commands.dispatch(s.velocity, s.velocity_bg, gx, gy);
        if (gr) commands.dispatch(s.record, s.record_bg, gr);
        if (gs) commands.dispatch(s.inject, s.inject_bg, gs);
        commands.dispatch(s.stress, s.stress_bg, gx, gy);
        commands.dispatch(s.tick, s.tick_bg, 1);
      }
      f.device.submit(std::move(commands));
      done += n;
    }
  }
  std::uint32_t words[4];
  f.device.read(s.status, 0, sizeof words, words);
  if (words[1] != detail::kNone)
    throw std::runtime_error("the adjoint run became unstable (NaN or Inf) at step " +
                             std::to_string(words[1]));
  std::vector<float> out(std::size_t(f.source_count) * nt);
  f.device.read(s.source_adjoint, 0, out.size() * 4, out.data());
  return out;
}

std::vector<double> Adjoint::gradient() {
  auto g = impl_->f.device.read<float>(impl_->grad);
  g.resize(impl_->f.material.size() / 4);
  return std::vector<double>(g.begin(), g.end());
}

void Adjoint::clear_gradient() {
  auto commands = impl_->f.device.record();
  commands.clear(impl_->grad);
  impl_->f.device.submit(std::move(commands));
}

}  // namespace seiswg::solver
