#include "problem/problem.hpp"

#include <algorithm>
#include <sstream>

#include "io/error.hpp"
#include "solver/born.hpp"

namespace seiswg::problem {
namespace {

// Batching pays while one shot leaves the GPU idle: up to ~4M grid points in all.
constexpr std::uint64_t kBatchPoints = 1ull << 22;

std::uint64_t binding_limit(const gpu::Limits& limits) {
  return std::min(limits.max_storage_binding_size, limits.max_buffer_size);
}

}  // namespace

std::uint64_t field_bytes(const physics::WaveEquation& eq, std::uint64_t npt, std::uint64_t shots,
                          bool adjoint) {
  const std::uint64_t fields = npt * 4 * shots * (eq.velocity_planes() + eq.stress_planes());
  const std::uint64_t material = npt * 4 * eq.material_plane_count();
  return adjoint ? 2 * fields + material * (1 + shots) : fields + material;
}

std::size_t choose_batch(const gpu::Device& device, const Setup& setup, const io::Grid& grid,
                         solver::StoragePlan* plan) {
  const auto& eq = *setup.physics;
  const std::uint64_t npt = grid.npt(), n = std::max<std::size_t>(setup.shots.size(), 1);
  // Every field plane holds all shots of a batch, and so does each gradient plane: batches are kept
  // within one binding per plane group (larger groups would be split over several buffers, which
  // costs bindings; a single shot's groups may still be split).
  const std::uint64_t widest =
      std::max({eq.velocity_planes(), eq.stress_planes(), setup.adjoint ? eq.material_plane_count() : 0u});
  const std::uint64_t by_binding =
      std::max<std::uint64_t>(1, binding_limit(device.limits()) / (npt * 4 * widest));
  std::uint64_t most =
      setup.batch > 0 ? setup.batch
                      : std::min<std::uint64_t>(std::max<std::uint64_t>(1, kBatchPoints / npt), by_binding);
  // Traces and source time functions of a batch share one binding each.
  std::uint64_t receivers = 1, forces = 1;
  for (const auto& shot : setup.shots)
    receivers = std::max<std::uint64_t>(receivers, shot.receivers.size()),
    forces = std::max<std::uint64_t>(forces, shot.forces.size());
  const std::uint64_t per_shot_points = std::max(receivers, forces) * std::uint64_t(setup.nt) * 4;
  most = std::min<std::uint64_t>(
      {most, n, 65535, std::max<std::uint64_t>(1, binding_limit(device.limits()) / per_shot_points)});
  // Equal batches: 13 shots at most 12 a batch run as 7 + 6, not 12 + 1.
  auto balanced = [n](std::uint64_t b) {
    const std::uint64_t batches = (n + b - 1) / b;
    return (n + batches - 1) / batches;
  };
  most = balanced(most);
  if (!setup.adjoint) return std::size_t(most);
  const solver::StateLayout one{npt, eq.velocity_planes() + eq.stress_planes()};
  for (std::uint64_t b = most;; b = balanced(b - 1)) {
    auto options = setup.storage;
    options.gpu_reserved = field_bytes(eq, npt, b, true);
    try {
      const auto candidate =
          solver::plan_storage(device.adapter(), {one.plane_values * b, one.planes}, setup.nt, options);
      // Fewer shots at a time are worth it only while more would push states off the GPU (to host
      // memory or disk): a batch that recomputes from checkpoints on the GPU, because that is
      // cheaper than allocating every state, is still far faster than one shot at a time.
      const bool on_gpu =
          candidate.mode == solver::StoragePlan::Mode::gpu ||
          (candidate.mode == solver::StoragePlan::Mode::checkpoint && candidate.checkpoints_on_gpu);
      if (b == 1 || setup.batch > 0 || on_gpu || options.mode != "auto") {
        if (plan) *plan = candidate;
        return std::size_t(b);
      }
    } catch (const InputError&) {
      if (b == 1 || setup.batch > 0) throw;
    }
  }
}

std::uint64_t gpu_bytes(const Setup& setup, const io::Grid& grid, std::size_t batch,
                        const solver::StoragePlan* plan) {
  std::uint64_t receivers = 0, forces = 0;
  for (const auto& shot : setup.shots)
    receivers = std::max<std::uint64_t>(receivers, shot.receivers.size()),
    forces = std::max<std::uint64_t>(forces, shot.forces.size());
  // Adjoint runs hold the residuals (adjoint sources) beside the traces.
  const std::uint64_t traces = (setup.adjoint ? 2 : 1) * receivers + forces;
  return field_bytes(*setup.physics, grid.npt(), batch, setup.adjoint) +
         traces * std::uint64_t(setup.nt) * 4 * batch + (setup.adjoint && plan ? plan->gpu_bytes : 0);
}

struct Problem::Impl {
  gpu::Device& device;
  Setup setup;
  io::Grid grid;
  std::size_t batch = 1;
  solver::StoragePlan plan;
  std::unique_ptr<solver::Propagator> propagator;
  std::unique_ptr<solver::Adjoint> adjoint;
  std::unique_ptr<solver::Born> born;
  std::function<void(long, long)> progress;
  // The shots whose sources and receivers the propagator holds, and where each one's traces start.
  std::size_t loaded_first = std::numeric_limits<std::size_t>::max(), loaded_count = 0;
  std::vector<std::size_t> trace_offsets;  // per loaded shot, in samples; one more at the end

  Impl(gpu::Device& d, Setup s) : device(d), setup(std::move(s)) {}

  std::size_t nt() const { return std::size_t(setup.nt); }
  ShotRange resolve(ShotRange range) const {
    const std::size_t n = setup.shots.size();
    if (range.first > n) throw std::logic_error("Problem: shot range starts past the last shot");
    range.count = std::min(range.count, n - range.first);
    return range;
  }
  template <class F>
  void for_batches(ShotRange range, F&& f) {
    for (std::size_t first = range.first; first < range.first + range.count; first += batch)
      f(first, std::min(batch, range.first + range.count - first));
  }
  // Puts shots [first, first + count) into the propagator's batch (shot indices 0..count-1).
  void load(std::size_t first, std::size_t count) {
    if (first == loaded_first && count == loaded_count) return;
    std::vector<solver::PointForce> forces;
    std::vector<solver::PointReceiver> receivers;
    trace_offsets.assign(1, 0);
    for (std::size_t s = 0; s < count; ++s) {
      const auto& shot = setup.shots[first + s];
      for (auto f : shot.forces) {
        f.shot = std::uint32_t(s);
        forces.push_back(std::move(f));
      }
      for (auto r : shot.receivers) {
        r.shot = std::uint32_t(s);
        receivers.push_back(r);
      }
      trace_offsets.push_back(receivers.size() * nt());
    }
    propagator->set_sources(forces);
    propagator->set_receivers(receivers);
    loaded_first = first;
    loaded_count = count;
  }
  // The loaded shot s's traces from its receivers' traces (`receiver_traces`, [receiver][nt]).
  std::vector<float> outputs_of(std::size_t s, std::span<const float> per_receiver) const {
    const auto& shot = setup.shots[loaded_first + s];
    if (shot.outputs.empty()) return {per_receiver.begin(), per_receiver.end()};
    std::vector<double> sum(shot.outputs.size() * nt(), 0.0);
    for (std::size_t o = 0; o < shot.outputs.size(); ++o)
      for (auto [r, w] : shot.outputs[o].terms)
        for (std::size_t t = 0; t < nt(); ++t) sum[o * nt() + t] += w * double(per_receiver[r * nt() + t]);
    return {sum.begin(), sum.end()};
  }
  // The transpose: d J / d receiver trace of loaded shot s from d J / d output trace, added to `to`.
  void add_to_receivers(std::size_t s, std::span<const double> per_output, std::span<double> to) const {
    const auto& shot = setup.shots[loaded_first + s];
    if (shot.outputs.empty()) {
      for (std::size_t k = 0; k < per_output.size(); ++k) to[k] += per_output[k];
      return;
    }
    for (std::size_t o = 0; o < shot.outputs.size(); ++o)
      for (auto [r, w] : shot.outputs[o].terms)
        for (std::size_t t = 0; t < nt(); ++t) to[r * nt() + t] += w * per_output[o * nt() + t];
  }
  std::span<const float> receiver_traces(const std::vector<float>& traces, std::size_t s) const {
    return std::span<const float>(traces).subspan(trace_offsets[s], trace_offsets[s + 1] - trace_offsets[s]);
  }
  void split(const std::vector<float>& traces, Data& out) const {
    for (std::size_t s = 0; s < loaded_count; ++s) out.push_back(outputs_of(s, receiver_traces(traces, s)));
  }
  void check_data(const Data& data, ShotRange range, const char* what) const {
    if (data.size() != range.count)
      throw std::logic_error(std::string("Problem: ") + what + " for " + std::to_string(data.size()) +
                             " shots, the range has " + std::to_string(range.count));
    for (std::size_t s = 0; s < range.count; ++s)
      if (data[s].size() != setup.shots[range.first + s].traces() * nt())
        throw std::logic_error(std::string("Problem: ") + what + " of shot " +
                               std::to_string(range.first + s) + " has the wrong number of samples");
  }
  // `pass`: "" (a forward run), "forward" or "adjoint" (the passes of a gradient).
  [[noreturn]] void unstable(const solver::BlowUp& blow_up, std::size_t first, const char* pass = "") const {
    const std::size_t npt = grid.npt(), k = blow_up.node % npt;
    const std::size_t shot = first + blow_up.node / npt;
    std::ostringstream s;
    s << setup.physics->name() << (*pass ? " " : "") << pass << " run of shot " << shot
      << " became unstable (NaN or Inf) at step " << blow_up.step << " near node ("
      << k / std::size_t(grid.nz) << ", " << k % std::size_t(grid.nz) << ")";
    if (blow_up.found_after)
      s << "; the pass stopped there, after " << blow_up.found_after << " of " << setup.nt << " steps";
    throw InstabilityError(s.str(), blow_up.step, shot, int(k / std::size_t(grid.nz)),
                           int(k % std::size_t(grid.nz)));
  }
  void need_adjoint(const char* what) const {
    if (!adjoint)
      throw std::logic_error(std::string("Problem::") + what + " needs a Setup with adjoint = true");
  }
};

Problem::Problem(gpu::Device& device, Setup setup, const io::Model& model)
    : impl_(std::make_unique<Impl>(device, std::move(setup))) {
  auto& s = *impl_;
  if (!s.setup.physics) throw std::logic_error("Problem: no wave equation");
  if (s.setup.shots.empty()) throw std::logic_error("Problem: no shots");
  s.grid = model.grid;
  auto check = [&](int i, int j, std::size_t shot, const char* what) {
    if (i < 0 || j < 0 || i >= s.grid.nx || j >= s.grid.nz)
      throw InputError("shot " + std::to_string(shot) + ": " + what + " at node (" + std::to_string(i) +
                       ", " + std::to_string(j) + ") is outside the " + std::to_string(s.grid.nx) + " x " +
                       std::to_string(s.grid.nz) + " grid");
  };
  for (std::size_t shot = 0; shot < s.setup.shots.size(); ++shot) {
    for (const auto& f : s.setup.shots[shot].forces) check(f.i, f.j, shot, "a source");
    for (const auto& r : s.setup.shots[shot].receivers) check(r.i, r.j, shot, "a receiver");
  }
  s.batch = choose_batch(device, s.setup, s.grid, &s.plan);
  s.propagator =
      std::make_unique<solver::Propagator>(device, *s.setup.physics, model, s.setup.nt, s.setup.dt,
                                           solver::Edges{s.setup.taper, s.setup.free_surface, s.setup.cpml},
                                           int(s.batch), s.setup.max_binding_bytes);
  s.load(0, std::min(s.batch, s.setup.shots.size()));
  if (s.setup.adjoint) s.adjoint = std::make_unique<solver::Adjoint>(*s.propagator, s.plan);
}

Problem::~Problem() = default;

void Problem::set_sources(std::vector<std::vector<solver::PointForce>> forces_per_shot) {
  auto& s = *impl_;
  if (forces_per_shot.size() != s.setup.shots.size())
    throw std::logic_error("Problem::set_sources: " + std::to_string(forces_per_shot.size()) +
                           " lists of forces for " + std::to_string(s.setup.shots.size()) + " shots");
  for (std::size_t k = 0; k < forces_per_shot.size(); ++k)
    s.setup.shots[k].forces = std::move(forces_per_shot[k]);
  s.loaded_first = std::numeric_limits<std::size_t>::max();  // the next run loads its batch again
}

Data Problem::forward(const io::Model& model, ShotRange range, const ForwardWatch* watch) {
  auto& s = *impl_;
  range = s.resolve(range);
  s.propagator->set_model(model);
  Data out;
  s.for_batches(range, [&](std::size_t first, std::size_t count) {
    s.load(first, count);
    s.propagator->reset();
    solver::BlowUp blow_up;
    auto poll = [&](solver::BlowUp* b) { return s.propagator->completed_steps(b); };
    if (!watch) {
      s.propagator->advance(s.setup.nt);
      poll(&blow_up);
    } else {
      solver::LoopWatch loop;
      if (watch->progress) loop.progress = [&](int done) { watch->progress(first, count, done); };
      loop.stop_every = watch->snapshot ? watch->snapshot_every : 0;
      if (watch->snapshot) loop.stop = [&](int step) { watch->snapshot(step, first, count); };
      blow_up = solver::watched_loop(
          s.setup.nt, loop, [&](int n) { s.propagator->advance(n); }, poll);
    }
    if (blow_up.happened) s.unstable(blow_up, first);
    s.split(s.propagator->traces(), out);
  });
  return out;
}

std::vector<float> Problem::velocity_plane(std::uint32_t plane, std::size_t shot) {
  auto& s = *impl_;
  if (shot < s.loaded_first || shot >= s.loaded_first + s.loaded_count)
    throw std::logic_error("Problem::velocity_plane: shot not in the running batch");
  return s.propagator->velocity_plane(plane, std::uint32_t(shot - s.loaded_first));
}

std::vector<float> Problem::stress_plane(std::uint32_t plane, std::size_t shot) {
  auto& s = *impl_;
  if (shot < s.loaded_first || shot >= s.loaded_first + s.loaded_count)
    throw std::logic_error("Problem::stress_plane: shot not in the running batch");
  return s.propagator->stress_plane(plane, std::uint32_t(shot - s.loaded_first));
}

Evaluation Problem::misfit_and_gradient(const io::Model& model, const Data& observed, const Misfit& misfit,
                                        ShotRange range) {
  auto& s = *impl_;
  s.need_adjoint("misfit_and_gradient");
  range = s.resolve(range);
  s.check_data(observed, range, "observed data");
  s.propagator->set_model(model);
  Evaluation e;
  const long total = 2L * s.setup.nt * long((range.count + s.batch - 1) / s.batch);
  long done = 0;
  std::vector<double> dj, dj_shot;
  s.for_batches(range, [&](std::size_t first, std::size_t count) {
    s.load(first, count);
    if (s.progress) s.adjoint->on_steps([&](int steps) { s.progress(done + steps, total); });
    std::vector<float> traces;
    try {
      traces = s.adjoint->forward();
    } catch (const solver::BlowUpError& b) {
      s.unstable(b.blow_up, first, "forward");
    }
    if (s.progress) s.progress(done += s.setup.nt, total);
    dj.assign(traces.size(), 0.0);
    for (std::size_t shot = 0; shot < count; ++shot) {
      const std::size_t at = s.trace_offsets[shot], size = s.trace_offsets[shot + 1] - at;
      const auto synthetic = s.outputs_of(shot, s.receiver_traces(traces, shot));
      e.misfit +=
          misfit.evaluate(synthetic, observed[first + shot - range.first], s.nt(), s.setup.dt, dj_shot);
      s.add_to_receivers(shot, dj_shot, std::span<double>(dj).subspan(at, size));
    }
    try {
      s.adjoint->reverse(dj);
    } catch (const solver::BlowUpError& b) {
      s.unstable(b.blow_up, first, "adjoint");
    }
    s.adjoint->on_steps({});
    // Each batch's d J / d material plane (its shots already summed in double) is summed in double.
    const auto planes = s.adjoint->gradient();
    s.adjoint->clear_gradient();
    e.plane_gradient.resize(planes.size(), 0.0);
    for (std::size_t k = 0; k < planes.size(); ++k) e.plane_gradient[k] += planes[k];
    if (s.progress) s.progress(done += s.setup.nt, total);
  });
  e.gradient = s.setup.physics->model_gradient(model, s.setup.dt, e.plane_gradient);
  return e;
}

Data Problem::born(const io::Model& model, std::span<const float> material_perturbation, ShotRange range) {
  auto& s = *impl_;
  range = s.resolve(range);
  s.propagator->set_model(model);
  if (!s.born) s.born = std::make_unique<solver::Born>(*s.propagator);
  Data out;
  s.for_batches(range, [&](std::size_t first, std::size_t count) {
    s.load(first, count);
    s.split(s.born->run(material_perturbation), out);
  });
  return out;
}

std::vector<double> Problem::born_adjoint(const io::Model& model, const Data& data, ShotRange range) {
  auto& s = *impl_;
  s.need_adjoint("born_adjoint");
  range = s.resolve(range);
  s.check_data(data, range, "data");
  s.propagator->set_model(model);
  std::vector<double> sum;
  s.for_batches(range, [&](std::size_t first, std::size_t count) {
    s.load(first, count);
    s.adjoint->forward();
    std::vector<double> d(s.trace_offsets.back(), 0.0);
    for (std::size_t shot = 0; shot < count; ++shot) {
      const auto& given = data[first + shot - range.first];
      const std::vector<double> per_output(given.begin(), given.end());
      const std::size_t at = s.trace_offsets[shot];
      s.add_to_receivers(shot, per_output, std::span<double>(d).subspan(at, s.trace_offsets[shot + 1] - at));
    }
    s.adjoint->reverse(d);
    const auto planes = s.adjoint->gradient();
    s.adjoint->clear_gradient();
    sum.resize(planes.size(), 0.0);
    for (std::size_t k = 0; k < planes.size(); ++k) sum[k] += planes[k];
  });
  return sum;
}

void Problem::on_steps(std::function<void(long, long)> progress) { impl_->progress = std::move(progress); }
std::size_t Problem::shot_count() const { return impl_->setup.shots.size(); }
std::size_t Problem::batch() const { return impl_->batch; }
const solver::StoragePlan& Problem::storage() const { return impl_->plan; }
const physics::WaveEquation& Problem::physics() const { return *impl_->setup.physics; }

std::string Problem::describe() const {
  const auto& s = *impl_;
  const std::size_t n = s.setup.shots.size(), batches = (n + s.batch - 1) / s.batch;
  std::ostringstream o;
  o << n << (n == 1 ? " shot" : " shots");
  if (n > 1) o << ", " << s.batch << " at a time (" << batches << (batches == 1 ? " batch)" : " batches)");
  if (s.adjoint)
    o << "; "
      << s.plan.describe(s.setup.nt, s.setup.physics->velocity_planes() + s.setup.physics->stress_planes());
  return o.str();
}

}  // namespace seiswg::problem
