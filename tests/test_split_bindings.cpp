// Field groups split over several buffers (solver/fields.hpp): with a small binding cap
// (Propagator's max_binding_bytes) small grids take the split kernels on any adapter, and every run
// gives what the same run with one buffer per group gives: forward traces and fields bitwise, adjoint
// gradients and Born traces to 1e-5 (measured: at most 5.9e-7; the adjoint fields are bitwise equal,
// and only the gradient's products a.b + c.d round differently where the compiler fuses them). Also the
// refusals: a grid plane larger than one binding, and an entry point needing more storage bindings than the
// adapter allows.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <random>

#include "io/error.hpp"
#include "problem/problem.hpp"
#include "solver/adjoint.hpp"
#include "solver/born.hpp"
#include "solver/propagator_impl.hpp"
#include "solver/wavelet.hpp"
#include "support/media.hpp"
#include "support/simulation.hpp"

namespace seiswg {
namespace {

using test::kCosserat;
using test::kPsv;
using test::kSh;
using test::Medium;

constexpr int kNx = 36, kNz = 30, kNt = 200;
constexpr std::uint64_t kPlaneBytes = std::uint64_t(kNx) * kNz * 4;  // one grid plane of one shot

// A smooth heterogeneous model, so that every material plane varies.
io::Model model_of(const Medium& m, double anomaly = 0.15) {
  auto model = test::uniform_model(kNx, kNz, m.h, m.h, m.base);
  for (auto& [name, values] : model.fields)
    for (int i = 0; i < kNx; ++i)
      for (int j = 0; j < kNz; ++j) {
        const double x = (i - 0.6 * kNx) / (0.2 * kNx), z = (j - 0.4 * kNz) / (0.25 * kNz);
        values[std::size_t(i) * kNz + std::size_t(j)] *=
            float(1 + anomaly * std::exp(-x * x - z * z) + 0.1 * j / kNz);
      }
  return model;
}

// Sources and receivers of `shots` shots at different places (forces of every forcing plane).
struct Acquisition {
  std::vector<solver::PointForce> forces;
  std::vector<solver::PointReceiver> receivers;
};
Acquisition acquisition(const physics::WaveEquation& eq, const Medium& m, int shots) {
  Acquisition a;
  const std::pair<int, int> places[] = {{9, 6}, {25, 8}, {17, 14}};
  for (int shot = 0; shot < shots; ++shot) {
    const double f0 = 9 + shot;
    const auto stf = solver::ricker(kNt, m.dt, f0, 0.12, 1e9 * f0);
    for (const auto& f : eq.forcing(25.0 + 30.0 * shot))
      a.forces.push_back({f.velocity_plane, f.buoyancy_plane, places[shot].first, places[shot].second,
                          std::vector<float>(stf.begin(), stf.end()), std::uint32_t(shot)});
    if (!eq.source_types().empty())  // the acoustic volume injection too
      for (const auto& f : eq.source_forcing(1, 0))
        a.forces.push_back({f.velocity_plane, f.buoyancy_plane, places[shot].second, places[shot].first,
                            std::vector<float>(stf.begin(), stf.end()), std::uint32_t(shot), f.into_stress});
    for (const auto& c : eq.components())
      for (int r = 0; r < 5; ++r)
        a.receivers.push_back(
            {c.velocity_plane, 3 + 7 * r, 3 + (r % 3) * 9, std::uint32_t(shot), c.from_stress});
  }
  return a;
}

struct ForwardResult {
  std::vector<float> traces, velocities, stresses;
  bool split = false, grid_records = true;
  std::size_t buffers = 0;
};
ForwardResult forward(const Medium& m, int shots, std::uint64_t cap) {
  const auto eq = m.make();
  const auto model = model_of(m);
  solver::Propagator p(test::test_device(), *eq, model, kNt, m.dt, {true, true, false, true, 8, 0.03}, shots,
                       cap);
  const auto a = acquisition(*eq, m, shots);
  p.set_sources(a.forces);
  p.set_receivers(a.receivers);
  p.reset();
  p.advance(kNt);
  solver::BlowUp blow_up;
  EXPECT_EQ(p.completed_steps(&blow_up), std::uint32_t(kNt));
  EXPECT_FALSE(blow_up.happened);
  const auto& fields = *p.internals().fields;
  return {p.traces(),           p.velocities(), p.stresses(), fields.split(), p.internals().grid_records,
          fields.buffer_count()};
}

// Split runs with buffers of `planes` grid planes (groups of a set then share buffers and start
// inside them) equal the run with one buffer per group, bitwise.
void forward_split_equals_whole(const Medium& m, int shots, std::initializer_list<int> caps) {
  const auto whole = forward(m, shots, 0);
  ASSERT_FALSE(whole.split);
  ASSERT_EQ(whole.buffers, 3u);
  double largest = 0;
  for (float v : whole.traces) largest = std::max(largest, double(std::abs(v)));
  ASSERT_GT(largest, 0);
  for (int planes : caps) {
    const auto split = forward(m, shots, std::uint64_t(planes) * kPlaneBytes);
    EXPECT_TRUE(split.split);
    std::printf("%s, %d shot(s), buffers of %d planes: %zu buffers, receivers recorded %s\n", m.name, shots,
                planes, split.buffers,
                split.grid_records ? "by the stress update" : "by a dispatch of their own");
    EXPECT_EQ(split.traces, whole.traces) << planes << " planes per buffer";
    EXPECT_EQ(split.velocities, whole.velocities) << planes << " planes per buffer";
    EXPECT_EQ(split.stresses, whole.stresses) << planes << " planes per buffer";
  }
}

// SH: 5 planes (1 velocity, 2 stress, 2 material); P-SV: 10; Cosserat: 18 (in buffers of 2 planes its
// grid kernels bind 10 buffers: the receivers get a dispatch of their own).
TEST(SplitBindings, ShForwardEqualsOneBufferPerGroup) { forward_split_equals_whole(kSh, 1, {1}); }
TEST(SplitBindings, PsvForwardEqualsOneBufferPerGroup) { forward_split_equals_whole(kPsv, 1, {2, 3}); }
TEST(SplitBindings, CosseratForwardEqualsOneBufferPerGroup) {
  forward_split_equals_whole(kCosserat, 1, {2, 4});
}
// Acoustic: 7 planes (2 velocity, 1 stress, 4 material); in buffers of 1 plane its receivers get
// dispatches of their own, the pressure's after the stress update.
TEST(SplitBindings, AcousticForwardEqualsOneBufferPerGroup) {
  forward_split_equals_whole(test::kAcoustic, 1, {1, 2});
  forward_split_equals_whole(test::kAcoustic, 2, {3});
}
// With shots, a field plane holds every shot's copy: buffers of 3 grid planes cut planes between shots.
TEST(SplitBindings, ShotsForwardEqualsOneBufferPerGroup) {
  forward_split_equals_whole(kSh, 2, {3});
  forward_split_equals_whole(kPsv, 3, {4});
}

// The host's view of split fields: state(), restore(), set_state(), velocity_plane().
TEST(SplitBindings, StateAccessAcrossBuffers) {
  const auto eq = kPsv.make();
  const auto model = model_of(kPsv);
  solver::Propagator p(test::test_device(), *eq, model, kNt, kPsv.dt, {}, 2, 3 * kPlaneBytes);
  ASSERT_TRUE(p.internals().fields->split());
  const std::size_t npt = model.grid.npt();
  std::vector<float> v(2 * 2 * npt), s(3 * 2 * npt);
  std::mt19937 rng(5);
  std::normal_distribution<float> normal;
  for (auto& x : v) x = normal(rng);
  for (auto& x : s) x = normal(rng);
  p.set_state(v, s);
  EXPECT_EQ(p.velocities(), v);
  EXPECT_EQ(p.stresses(), s);
  auto state = p.state();
  ASSERT_EQ(state.size(), v.size() + s.size());
  EXPECT_TRUE(std::equal(v.begin(), v.end(), state.begin()));
  EXPECT_TRUE(std::equal(s.begin(), s.end(), state.begin() + std::ptrdiff_t(v.size())));
  for (std::uint32_t plane = 0; plane < 2; ++plane)
    for (std::uint32_t shot = 0; shot < 2; ++shot) {
      const auto got = p.velocity_plane(plane, shot);
      EXPECT_TRUE(std::equal(got.begin(), got.end(), v.begin() + std::ptrdiff_t((plane * 2 + shot) * npt)));
    }
  p.restore({}, 0);
  EXPECT_EQ(p.velocities(), std::vector<float>(v.size(), 0.0f));
  std::reverse(state.begin(), state.end());
  p.restore(state, 7);
  EXPECT_EQ(p.state(), state);
}

// Differences plane by plane of `plane` values (material planes differ in scale by many orders of
// magnitude): the worst plane's relative L2 difference, and its largest difference relative to its
// largest value. Not bitwise: the driver's compiler may contract a*b + c*d into a fused multiply-add
// on either product depending on the code around it (the adjoint fields themselves come out bitwise
// equal; only such sums in the gradient differ, by rounding).
struct Difference {
  double l2 = 0, max = 0;
};
Difference difference(const std::vector<double>& a, const std::vector<double>& b, std::size_t plane) {
  Difference worst;
  for (std::size_t first = 0; first < b.size(); first += plane) {
    double diff = 0, scale = 0, num = 0, den = 0;
    for (std::size_t k = first; k < std::min(first + plane, b.size()); ++k) {
      diff = std::max(diff, std::abs(a[k] - b[k])), scale = std::max(scale, std::abs(b[k]));
      num += (a[k] - b[k]) * (a[k] - b[k]), den += b[k] * b[k];
    }
    worst.l2 = std::max(worst.l2, den > 0 ? std::sqrt(num / den) : std::sqrt(num));
    worst.max = std::max(worst.max, scale > 0 ? diff / scale : diff);
  }
  return worst;
}
constexpr std::size_t kNpt = std::size_t(kNx) * kNz;

// d J / d material plane through solver::Adjoint for a waveform misfit against another model's data.
std::vector<double> plane_gradient(const Medium& m, std::uint64_t cap, const std::string& storage,
                                   bool* split) {
  const auto eq = m.make();
  const auto truth = model_of(m), start = model_of(m, 0.0);
  const auto a = acquisition(*eq, m, 1);
  std::vector<float> observed;
  {
    solver::Propagator p(test::test_device(), *eq, truth, kNt, m.dt, {true, true, false, true, 8, 0.03});
    p.set_sources(a.forces);
    p.set_receivers(a.receivers);
    p.reset();
    p.advance(kNt);
    observed = p.traces();
  }
  solver::Propagator p(test::test_device(), *eq, start, kNt, m.dt, {true, true, false, true, 8, 0.03}, 1,
                       cap);
  *split = p.internals().fields->split();
  p.set_sources(a.forces);
  p.set_receivers(a.receivers);
  solver::StorageOptions options;
  options.mode = storage;
  options.segment_steps = storage == "gpu" ? 0 : 40;
  solver::Adjoint adjoint(p, solver::plan_storage(p, options));
  const auto d = adjoint.forward();
  std::vector<double> residual(d.size());
  for (std::size_t k = 0; k < d.size(); ++k) residual[k] = (double(d[k]) - observed[k]) * m.dt;
  adjoint.reverse(residual);
  return adjoint.gradient();
}

void adjoint_split_equals_whole(const Medium& m, int planes, const std::string& storage) {
  bool split = false;
  const auto whole = plane_gradient(m, 0, storage, &split);
  ASSERT_FALSE(split);
  const auto parts = plane_gradient(m, std::uint64_t(planes) * kPlaneBytes, storage, &split);
  ASSERT_TRUE(split);
  ASSERT_EQ(parts.size(), whole.size());
  const auto e = difference(parts, whole, kNpt);
  std::printf(
      "%s adjoint (%s storage), buffers of %d planes: gradient differs by %.2e (relative L2, worst plane), "
      "largest difference %.2e of the plane's largest value%s\n",
      m.name, storage.c_str(), planes, e.l2, e.max, parts == whole ? " (bitwise equal)" : "");
  EXPECT_LT(e.l2, 1e-5);
}

TEST(SplitBindings, ShAdjointGradientEqualsOneBufferPerGroup) { adjoint_split_equals_whole(kSh, 1, "gpu"); }
TEST(SplitBindings, PsvAdjointGradientEqualsOneBufferPerGroup) { adjoint_split_equals_whole(kPsv, 3, "gpu"); }
TEST(SplitBindings, CosseratAdjointGradientEqualsOneBufferPerGroup) {
  adjoint_split_equals_whole(kCosserat, 5, "gpu");
}
// Checkpointing reads and restores the split state (Propagator::state, restore) and copies it into
// the stored states.
TEST(SplitBindings, CheckpointedAdjointEqualsOneBufferPerGroup) {
  adjoint_split_equals_whole(kPsv, 3, "checkpoint");
}

// Three shots through the Problem, advanced together: gradient, Born traces and the Born adjoint
// with split groups (the per-shot gradient planes among them) equal those with one buffer per group.
void problem_split_equals_whole(const Medium& m, int planes) {
  const auto eq = m.make();
  const auto truth = model_of(m), start = model_of(m, 0.0);
  auto setup_with = [&](std::uint64_t cap) {
    problem::Setup s;
    s.physics = eq.get();
    s.nt = kNt;
    s.dt = m.dt;
    s.taper = {true, true, false, true, 8, 0.03};
    s.adjoint = true;
    s.storage.mode = "gpu";
    s.batch = 3;
    s.max_binding_bytes = cap;
    const auto a = acquisition(*eq, m, 3);
    s.shots.resize(3);
    for (const auto& f : a.forces) s.shots[f.shot].forces.push_back(f);
    for (const auto& r : a.receivers) s.shots[r.shot].receivers.push_back(r);
    return s;
  };
  problem::Problem whole(test::test_device(), setup_with(0), start);
  problem::Problem split(test::test_device(), setup_with(std::uint64_t(planes) * kPlaneBytes), start);
  ASSERT_EQ(split.batch(), 3u);
  const auto observed = whole.forward(truth);
  EXPECT_EQ(split.forward(truth), observed);
  const problem::WaveformMisfit misfit;
  const auto a = split.misfit_and_gradient(start, observed, misfit);
  const auto b = whole.misfit_and_gradient(start, observed, misfit);
  EXPECT_EQ(a.misfit, b.misfit);
  const auto e = difference(a.plane_gradient, b.plane_gradient, kNpt);
  std::printf(
      "%s, 3 shots together, buffers of %d planes: gradient differs by %.2e (relative L2, worst plane), "
      "largest difference %.2e%s\n",
      m.name, planes, e.l2, e.max, a.plane_gradient == b.plane_gradient ? " (bitwise equal)" : "");
  EXPECT_LT(e.l2, 1e-5);
  if (eq->born_wgsl().empty()) return;
  const auto planes_of = eq->material_planes(start, m.dt);
  std::vector<float> dm(planes_of.size());
  for (std::size_t k = 0; k < dm.size(); ++k) dm[k] = float(0.01 * planes_of[k] * std::sin(0.37 * double(k)));
  const auto born_whole = whole.born(start, dm), born_split = split.born(start, dm);
  ASSERT_EQ(born_split.size(), born_whole.size());
  for (std::size_t s = 0; s < born_whole.size(); ++s) {
    std::vector<double> x(born_split[s].begin(), born_split[s].end()),
        y(born_whole[s].begin(), born_whole[s].end());
    EXPECT_LT(difference(x, y, kNt).l2, 1e-5) << "Born traces of shot " << s;
  }
  const auto adjoint_whole = whole.born_adjoint(start, born_whole),
             adjoint_split = split.born_adjoint(start, born_whole);
  const auto born_adjoint = difference(adjoint_split, adjoint_whole, kNpt);
  std::printf("%s Born adjoint: differs by %.2e (relative L2, worst plane)\n", m.name, born_adjoint.l2);
  EXPECT_LT(born_adjoint.l2, 1e-5);
}

TEST(SplitBindings, ProblemShEqualsOneBufferPerGroup) { problem_split_equals_whole(kSh, 4); }
TEST(SplitBindings, ProblemPsvEqualsOneBufferPerGroup) { problem_split_equals_whole(kPsv, 7); }
TEST(SplitBindings, ProblemCosseratEqualsOneBufferPerGroup) { problem_split_equals_whole(kCosserat, 10); }

// A grid plane that does not fit one binding is refused, naming the sizes.
TEST(SplitBindings, PlaneLargerThanOneBindingIsRefused) {
  const auto eq = kSh.make();
  try {
    solver::Propagator p(test::test_device(), *eq, model_of(kSh), kNt, kSh.dt, {}, 1, kPlaneBytes / 2);
    FAIL() << "expected a GpuError";
  } catch (const GpuError& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("the 36 x 30 grid's fields need"), std::string::npos) << what;
    EXPECT_NE(what.find("per grid plane in one buffer"), std::string::npos) << what;
  }
}

// Cosserat with buffers of one plane: 18 buffers for the forward kernels, more than any Dawn adapter
// allows per shader stage.
TEST(SplitBindings, TooManyBindingsAreRefused) {
  const auto allowed = test::test_device().limits().max_storage_buffers_per_stage;
  if (allowed >= 19) GTEST_SKIP() << "the adapter allows " << allowed << " storage buffers per stage";
  const auto eq = kCosserat.make();
  try {
    solver::Propagator p(test::test_device(), *eq, model_of(kCosserat), kNt, kCosserat.dt, {}, 1,
                         kPlaneBytes);
    FAIL() << "expected a GpuError";
  } catch (const GpuError& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("Cosserat forward kernel needs 19 storage buffer bindings"), std::string::npos)
        << what;
    EXPECT_NE(what.find("allows " + std::to_string(allowed) + " per shader stage"), std::string::npos)
        << what;
  }
}

}  // namespace
}  // namespace seiswg
