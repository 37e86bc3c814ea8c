// The Problem (one solver object for forward, gradient and Born runs): batched shots give what single
// shots give, a second model through the same object gives what a fresh object gives, and a new
// model creates no GPU object.
#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "problem/problem.hpp"
#include "solver/wavelet.hpp"
#include "support/media.hpp"
#include "support/simulation.hpp"

namespace seiswg {
namespace {

using test::kCosserat;
using test::kPsv;
using test::kSh;
using test::Medium;

// A model with a Gaussian anomaly of relative size `anomaly` at (0.6 nx, 0.4 nz).
io::Model anomaly_model(const Medium& m, int nx, int nz, double anomaly) {
  auto model = test::uniform_model(nx, nz, m.h, m.h, m.base);
  for (auto& [name, values] : model.fields)
    for (int i = 0; i < nx; ++i)
      for (int j = 0; j < nz; ++j) {
        const double x = (i - 0.6 * nx) / (0.2 * nx), z = (j - 0.4 * nz) / (0.25 * nz);
        values[std::size_t(i) * std::size_t(nz) + std::size_t(j)] *=
            float(1 + anomaly * std::exp(-x * x - z * z));
      }
  return model;
}

constexpr int kNx = 40, kNz = 34, kNt = 220;

// Three shots at different places, each with its own receivers (a shared node included).
problem::Setup setup_for(const physics::WaveEquation& eq, const Medium& m, std::size_t batch) {
  problem::Setup s;
  s.physics = &eq;
  s.nt = kNt;
  s.dt = m.dt;
  s.taper = {true, true, false, true, 8, 0.03};
  s.adjoint = true;
  s.storage.mode = "gpu";
  s.batch = batch;
  const std::pair<int, int> places[] = {{10, 6}, {28, 7}, {19, 12}};
  for (int shot = 0; shot < 3; ++shot) {
    problem::Shot sh;
    const double f0 = 8 + shot;
    const auto stf = solver::ricker(kNt, m.dt, f0, 0.15, 1e9 * f0);
    for (const auto& f : eq.forcing(20.0 + 30.0 * shot)) {
      sh.forces.push_back({f.velocity_plane, f.buoyancy_plane, places[shot].first, places[shot].second, {}});
      for (double v : stf) sh.forces.back().values.push_back(float(f.weight * v));
    }
    for (const auto& c : eq.components())
      for (int r = 0; r < 5 + shot; ++r)
        sh.receivers.push_back({c.velocity_plane, 3 + 5 * r, 4 + (r % 3) * 9});
    s.shots.push_back(std::move(sh));
  }
  return s;
}

double relative_l2(const std::vector<double>& a, const std::vector<double>& b) {
  double num = 0, den = 0;
  for (std::size_t k = 0; k < a.size(); ++k) num += (a[k] - b[k]) * (a[k] - b[k]), den += b[k] * b[k];
  return den > 0 ? std::sqrt(num / den) : std::sqrt(num);  // lambda_c's kernel is identically zero
}

void batched_equals_single(const Medium& m) {
  const auto eq = m.make();
  const auto truth = anomaly_model(m, kNx, kNz, 0.15), start = anomaly_model(m, kNx, kNz, 0.0);
  problem::Problem batched(test::test_device(), setup_for(*eq, m, 3), start);
  problem::Problem single(test::test_device(), setup_for(*eq, m, 1), start);
  ASSERT_EQ(batched.batch(), 3u);
  ASSERT_EQ(single.batch(), 1u);
  const auto observed = single.forward(truth);
  const auto observed_batched = batched.forward(truth);
  ASSERT_EQ(observed.size(), 3u);
  for (std::size_t s = 0; s < 3; ++s) {
    ASSERT_EQ(observed_batched[s].size(), observed[s].size());
    EXPECT_EQ(observed_batched[s], observed[s]) << "traces of shot " << s;
  }
  const problem::WaveformMisfit misfit;
  const auto a = batched.misfit_and_gradient(start, observed, misfit);
  const auto b = single.misfit_and_gradient(start, observed, misfit);
  EXPECT_GT(a.misfit, 0);
  EXPECT_LT(std::abs(a.misfit - b.misfit), 1e-5 * b.misfit);
  for (const auto& [name, g] : b.gradient) {
    const double e = relative_l2(a.gradient.at(name), g);
    std::printf("%s: batched vs single-shot gradient %s: %.2e\n", m.name, name.c_str(), e);
    EXPECT_LT(e, 1e-5) << name;
  }
  // One shot on its own (a shot range) equals that shot of the batched run.
  const auto one = batched.forward(truth, {1, 1});
  ASSERT_EQ(one.size(), 1u);
  EXPECT_EQ(one[0], observed[1]);
}

TEST(Problem, BatchedGradientEqualsSingleShotsSh) { batched_equals_single(kSh); }
TEST(Problem, BatchedGradientEqualsSingleShotsPsv) { batched_equals_single(kPsv); }
TEST(Problem, BatchedGradientEqualsSingleShotsCosserat) { batched_equals_single(kCosserat); }

// Two evaluations on different models through one Problem equal two fresh Problems, and the second
// creates no GPU buffer, kernel or binding.
TEST(Problem, NewModelReusesEverything) {
  const auto eq = kPsv.make();
  const auto truth = anomaly_model(kPsv, kNx, kNz, 0.15);
  const auto m1 = anomaly_model(kPsv, kNx, kNz, 0.0), m2 = anomaly_model(kPsv, kNx, kNz, 0.07);
  auto& device = test::test_device();
  problem::Problem p(device, setup_for(*eq, kPsv, 2), m1);  // batches of 2 and 1 shots
  const auto observed = p.forward(truth);
  const problem::WaveformMisfit misfit;
  const auto e1 = p.misfit_and_gradient(m1, observed, misfit);
  const auto before = device.counters();
  const auto e2 = p.misfit_and_gradient(m2, observed, misfit);
  const auto traces2 = p.forward(m2);
  const auto after = device.counters();
  EXPECT_EQ(after.buffers, before.buffers);
  EXPECT_EQ(after.kernels, before.kernels);
  EXPECT_EQ(after.bind_groups, before.bind_groups);

  for (const auto* m : {&m1, &m2}) {
    problem::Problem fresh(device, setup_for(*eq, kPsv, 2), *m);
    const auto e = fresh.misfit_and_gradient(*m, observed, misfit);
    const auto& mine = m == &m1 ? e1 : e2;
    EXPECT_EQ(mine.misfit, e.misfit);
    for (const auto& [name, g] : e.gradient) {
      EXPECT_LT(relative_l2(mine.gradient.at(name), g), 1e-6) << name;
    }
    if (m == &m2) {
      EXPECT_EQ(fresh.forward(m2), traces2);
    }
  }
  EXPECT_NE(e1.misfit, e2.misfit);
}

// New source wavelets (an inversion's next frequency stage) through the same Problem: the traces and
// gradient of a fresh Problem built with them, and no new GPU object.
TEST(Problem, NewSourcesReuseEverything) {
  const auto eq = kPsv.make();
  const auto truth = anomaly_model(kPsv, kNx, kNz, 0.15), start = anomaly_model(kPsv, kNx, kNz, 0.0);
  auto& device = test::test_device();
  problem::Problem p(device, setup_for(*eq, kPsv, 2), start);
  const problem::WaveformMisfit misfit;
  (void)p.misfit_and_gradient(start, p.forward(truth), misfit);
  // Other wavelets: every source time function scaled and delayed by a few samples.
  auto changed = setup_for(*eq, kPsv, 2);
  std::vector<std::vector<solver::PointForce>> forces;
  for (auto& shot : changed.shots) {
    for (auto& f : shot.forces) {
      std::vector<float> v(f.values.size(), 0.0f);
      for (std::size_t k = 5; k < v.size(); ++k) v[k] = 0.5f * f.values[k - 5];
      f.values = v;
    }
    forces.push_back(shot.forces);
  }
  const auto before = device.counters();
  p.set_sources(forces);
  const auto observed = p.forward(truth);
  const auto e = p.misfit_and_gradient(start, observed, misfit);
  const auto after = device.counters();
  EXPECT_EQ(after.buffers, before.buffers);
  EXPECT_EQ(after.kernels, before.kernels);
  EXPECT_EQ(after.bind_groups, before.bind_groups);
  problem::Problem fresh(device, changed, start);
  EXPECT_EQ(fresh.forward(truth), observed);
  const auto ef = fresh.misfit_and_gradient(start, observed, misfit);
  EXPECT_EQ(ef.misfit, e.misfit);
  for (const auto& [name, g] : ef.gradient) EXPECT_LT(relative_l2(e.gradient.at(name), g), 1e-6) << name;
}

// A gradient whose forward pass blows up names the pass, the shot and the node (not a bare step).
TEST(Problem, UnstableGradientNamesShotAndNode) {
  const auto eq = kPsv.make();
  const auto start = anomaly_model(kPsv, kNx, kNz, 0.0);
  problem::Problem p(test::test_device(), setup_for(*eq, kPsv, 3), start);
  const auto observed = p.forward(start);
  auto fast = start;  // vp 4x the model's at one node: far beyond what dt keeps stable
  const std::size_t node = std::size_t(20) * kNz + 17;
  for (const char* name : {"vp", "vs"}) fast.fields.at(name)[node] *= 4.0f;
  try {
    (void)p.misfit_and_gradient(fast, observed, problem::WaveformMisfit());
    FAIL() << "no instability";
  } catch (const problem::InstabilityError& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("P-SV forward run of shot " + std::to_string(e.shot) +
                        " became unstable (NaN or Inf) at step"),
              std::string::npos)
        << what;
    EXPECT_LT(e.shot, 3u);  // every shot blows up there; the first the GPU saw is named
    EXPECT_LE(std::abs(e.i - 20) + std::abs(e.j - 17), 6) << what;
  }
}

// <F dm, d> = <dm, F^T d> over batched shots.
TEST(Problem, BornDotProductOverBatchedShots) {
  const auto eq = kPsv.make();
  const auto model = anomaly_model(kPsv, kNx, kNz, 0.1);
  problem::Problem p(test::test_device(), setup_for(*eq, kPsv, 3), model);
  std::mt19937 rng(5);
  std::normal_distribution<float> normal;
  std::vector<float> dm(model.grid.npt() * eq->material_plane_count());
  for (auto& v : dm) v = normal(rng) * 1e-3f;
  // Material planes carry dt and moduli: scale each plane's perturbation to its values.
  const auto planes = eq->material_planes(model, kPsv.dt);
  for (std::size_t k = 0; k < dm.size(); ++k) dm[k] *= planes[k];
  const auto fdm = p.born(model, dm);
  problem::Data d;
  for (const auto& shot : fdm) {
    d.emplace_back(shot.size());
    for (auto& v : d.back()) v = normal(rng);
  }
  const auto ftd = p.born_adjoint(model, d);
  double lhs = 0, rhs = 0;
  for (std::size_t s = 0; s < fdm.size(); ++s)
    for (std::size_t k = 0; k < fdm[s].size(); ++k) lhs += double(fdm[s][k]) * d[s][k];
  for (std::size_t k = 0; k < dm.size(); ++k) rhs += double(dm[k]) * ftd[k];
  std::printf("Born dot product over 3 batched shots: %.9e vs %.9e\n", lhs, rhs);
  EXPECT_LT(std::abs(lhs - rhs), 1e-4 * std::abs(lhs));
}

}  // namespace
}  // namespace seiswg

namespace seiswg {
namespace {

// Progress of a gradient: counts only grow, stay within the total and end at it (forward and reverse
// steps of every batch); with segments it also reports inside a pass.
TEST(Problem, GradientProgressGrowsToTheTotal) {
  const auto eq = kPsv.make();
  const auto truth = anomaly_model(kPsv, kNx, kNz, 0.15), start = anomaly_model(kPsv, kNx, kNz, 0.0);
  auto setup = setup_for(*eq, kPsv, 2);  // batches of 2 and 1 shots
  setup.storage.mode = "checkpoint";
  setup.storage.segment_steps = 10;
  problem::Problem p(test::test_device(), std::move(setup), start);
  const auto observed = p.forward(truth);
  std::vector<std::pair<long, long>> seen;
  p.on_steps([&](long done, long total) { seen.push_back({done, total}); });
  p.misfit_and_gradient(start, observed, problem::WaveformMisfit());
  ASSERT_GE(seen.size(), 4u);
  const long total = 2L * kNt * 2;  // two batches, forward + reverse each
  long inside = 0;
  for (std::size_t k = 0; k < seen.size(); ++k) {
    EXPECT_EQ(seen[k].second, total);
    if (k > 0) {
      EXPECT_GE(seen[k].first, seen[k - 1].first);
    }
    EXPECT_LE(seen[k].first, total);
    inside += seen[k].first % kNt != 0 ? 1 : 0;
  }
  EXPECT_EQ(seen.back().first, total);
  std::printf("gradient progress: %zu reports, %ld inside a pass\n", seen.size(), inside);
}

}  // namespace
}  // namespace seiswg
