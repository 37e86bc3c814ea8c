// The forward grid kernels in two passes (the interior box without edge tests or boundary hooks,
// then the frame's workgroups only: Propagator::Impl::grid_passes, stencil.wgsl's SPLIT_PASS)
// against one pass. Large grids run split by default; SEISWG_FORWARD_PASSES forces either here, on
// a grid tall enough (160 rows: three 64-row workgroup tiles along z) that the box holds whole tiles
// and the frame is enumerated around them. Every node must be updated exactly once per step by the
// same arithmetic, so wavefields and traces agree node by node to round-off; a node the passes
// skipped or updated twice would differ by the size of the wavefield.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include "solver/wavelet.hpp"
#include "support/media.hpp"
#include "support/simulation.hpp"

namespace seiswg {
namespace {

using test::Medium;

constexpr int kNx = 48, kNz = 160, kSteps = 260;

// Sources of two shots (one near the middle, one in the frame near the bottom-left corner) and
// receivers in the interior, in the frame, in a CPML layer and on the top row; one step more than
// the run so that a last step can start from a given state.
std::unique_ptr<solver::Propagator> propagator(const physics::WaveEquation& eq, const Medium& medium,
                                               const solver::Edges& edges, const char* passes) {
  const auto model = test::uniform_model(kNx, kNz, medium.h, medium.h, medium.base);
  setenv("SEISWG_FORWARD_PASSES", passes, 1);
  auto p =
      std::make_unique<solver::Propagator>(test::test_device(), eq, model, kSteps + 1, medium.dt, edges, 2);
  unsetenv("SEISWG_FORWARD_PASSES");
  const auto stf = solver::ricker(kSteps + 1, medium.dt, 8.0, 0.15, 1.0);
  std::vector<solver::PointForce> forces;
  const int at[2][2] = {{24, 80}, {6, 150}};
  for (std::uint32_t shot = 0; shot < 2; ++shot)
    for (const auto& f : eq.forcing(30)) {
      forces.push_back(
          {f.velocity_plane, f.buoyancy_plane, at[shot][0], at[shot][1], {}, shot, f.into_stress});
      for (double v : stf) forces.back().values.push_back(float(v * f.weight));
    }
  std::vector<solver::PointReceiver> receivers;
  for (std::uint32_t shot = 0; shot < 2; ++shot)
    for (auto [i, j] : {std::pair{24, 60}, std::pair{2, 100}, std::pair{45, 155}, std::pair{30, 0}})
      for (const auto& c : eq.components())
        receivers.push_back({c.velocity_plane, i, j, shot, c.from_stress});
  p->set_sources(forces);
  p->set_receivers(receivers);
  return p;
}

// Every velocity and stress plane of every shot.
std::vector<std::vector<float>> planes(solver::Propagator& p, const physics::WaveEquation& eq) {
  std::vector<std::vector<float>> out;
  for (std::uint32_t shot = 0; shot < 2; ++shot) {
    for (std::uint32_t plane = 0; plane < eq.velocity_planes(); ++plane)
      out.push_back(p.velocity_plane(plane, shot));
    for (std::uint32_t plane = 0; plane < eq.stress_planes(); ++plane)
      out.push_back(p.stress_plane(plane, shot));
  }
  return out;
}

// a and b value by value: |a - b| <= rel |a| + abs max |a|, counting the values above 1e-6 of the
// largest (at least `carrying` of them: the wave has reached most nodes; traces are silent before
// the first arrival).
void expect_close(const std::vector<float>& a, const std::vector<float>& b, double rel, double abs,
                  const std::string& what, double carrying = 0.25) {
  ASSERT_EQ(a.size(), b.size()) << what;
  double largest = 0;
  for (float v : a) largest = std::max(largest, double(std::abs(v)));
  ASSERT_GT(largest, 0.0) << what;
  std::size_t wrong = 0, checked = 0, first = a.size();
  for (std::size_t k = 0; k < a.size(); ++k) {
    if (std::abs(double(b[k]) - double(a[k])) > rel * std::abs(a[k]) + abs * largest) {
      ++wrong;
      first = std::min(first, k);
    }
    if (std::abs(a[k]) > 1e-6 * largest) ++checked;
  }
  EXPECT_EQ(wrong, 0u) << what << ": first at index " << first << " of " << a.size() << ": "
                       << (first < a.size() ? a[first] : 0) << " against "
                       << (first < a.size() ? b[first] : 0) << ", largest " << largest;
  EXPECT_GT(double(checked), carrying * double(a.size())) << what;
}

void split_equals_single(const Medium& medium, const solver::Edges& edges) {
  const auto eq = medium.make();
  auto one = propagator(*eq, medium, edges, "single"), two = propagator(*eq, medium, edges, "split");
  // The whole run: traces (recorded by the frame pass's extra rows) and wavefields. Float32 round-off
  // differs between the two pipelines (contraction, order) and grows over the steps; in a CPML layer,
  // where a derivative and its memory variable nearly cancel, it reached 3e-6 of the largest value
  // (lavapipe) and reflected back into the interior; at a force's node, 4e-5 of the largest.
  for (auto* p : {one.get(), two.get()}) p->advance(kSteps);
  // Traces by component, each on its own scale (pressure beside displacement; a component may be
  // silent where the edge rule holds it).
  const auto traces = one->traces(), split_traces = two->traces();
  const std::size_t components = eq->components().size(), samples = kSteps + 1;
  for (std::size_t c = 0; c < components; ++c) {
    std::vector<float> trace, split_trace;
    for (std::size_t r = c; r < traces.size() / samples; r += components) {
      const auto from = std::ptrdiff_t(r * samples), to = std::ptrdiff_t((r + 1) * samples);
      trace.insert(trace.end(), traces.begin() + from, traces.begin() + to);
      split_trace.insert(split_trace.end(), split_traces.begin() + from, split_traces.begin() + to);
    }
    expect_close(trace, split_trace, 1e-3, 1e-4,
                 std::string(medium.name) + " traces of component " + std::to_string(c), 0.1);
  }
  const auto before = planes(*one, *eq), split_before = planes(*two, *eq);
  for (std::size_t p = 0; p < before.size(); ++p)
    expect_close(before[p], split_before[p], 1e-3, 1e-4,
                 std::string(medium.name) + " plane " + std::to_string(p));
  // One more step from the same state (the single pass's, CPML memory included): each node's change
  // must agree to the round-off of one step, far below the change of a node skipped (0) or updated
  // twice (2x).
  two->restore(one->state(), kSteps);
  for (auto* p : {one.get(), two.get()}) p->advance(1);
  const auto after = planes(*one, *eq), split_after = planes(*two, *eq);
  for (std::size_t p = 0; p < after.size(); ++p) {
    std::vector<float> change(after[p].size()), split_change(after[p].size());
    for (std::size_t k = 0; k < change.size(); ++k) {
      change[k] = after[p][k] - before[p][k];
      split_change[k] = split_after[p][k] - before[p][k];
    }
    expect_close(change, split_change, 1e-3, 1e-5,
                 std::string(medium.name) + " last step, plane " + std::to_string(p));
  }
  solver::BlowUp blow_up;
  EXPECT_EQ(two->completed_steps(&blow_up), std::uint32_t(kSteps + 1));
  EXPECT_FALSE(blow_up.happened);
}

solver::Edges tapered() {
  solver::Taper t;
  t.left = t.right = t.bottom = true;
  t.width = 10;
  t.alpha = 0.015;
  return solver::Edges{t, false};
}
// CPML layers of 8 nodes on the left, right and bottom beside a free surface.
solver::Edges cpml_free_surface() {
  solver::Cpml c;
  c.left = c.right = c.bottom = true;
  c.width = 8;
  c.f0 = 8;
  return solver::Edges{solver::Taper{}, true, c};
}

TEST(ForwardSplitPasses, ShTaper) { split_equals_single(test::kSh, tapered()); }
TEST(ForwardSplitPasses, ShCpmlFreeSurface) { split_equals_single(test::kSh, cpml_free_surface()); }
TEST(ForwardSplitPasses, PsvTaper) { split_equals_single(test::kPsv, tapered()); }
TEST(ForwardSplitPasses, PsvCpmlFreeSurface) { split_equals_single(test::kPsv, cpml_free_surface()); }
TEST(ForwardSplitPasses, CosseratCpmlFreeSurface) {
  split_equals_single(test::kCosserat, cpml_free_surface());
}
TEST(ForwardSplitPasses, AcousticTaper) { split_equals_single(test::kAcoustic, tapered()); }
TEST(ForwardSplitPasses, AcousticCpmlFreeSurface) {
  split_equals_single(test::kAcoustic, cpml_free_surface());
}

}  // namespace
}  // namespace seiswg
