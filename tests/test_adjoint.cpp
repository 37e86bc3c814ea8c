// Adjoint: dot-product tests of the transposed time loop, Taylor tests of the gradient for every
// parameter, agreement of the storage modes (exact ones to round-off, lossy ones within their
// stated error), storage plans and their config checks.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <random>
#include <thread>

#include "app/case.hpp"
#include "app/state_file.hpp"
#include "io/error.hpp"
#include "solver/adjoint.hpp"
#include "solver/wavelet.hpp"
#include "support/case_writer.hpp"
#include "support/media.hpp"
#include "support/simulation.hpp"

namespace seiswg {
namespace {

// A smooth heterogeneous model: a Gaussian anomaly and a gradient on top of constant values.
io::Model smooth_model(int nx, int nz, double h, const std::map<std::string, double>& base) {
  auto m = test::uniform_model(nx, nz, h, h, base);
  for (auto& [name, values] : m.fields)
    for (int i = 0; i < nx; ++i)
      for (int j = 0; j < nz; ++j) {
        const double x = (i - 0.6 * nx) / (0.2 * nx), z = (j - 0.4 * nz) / (0.25 * nz);
        const double factor = 1 + 0.15 * std::exp(-x * x - z * z) + 0.1 * double(j) / nz;
        values[std::size_t(i) * std::size_t(nz) + std::size_t(j)] *= float(factor);
      }
  return m;
}

using test::kCosserat;
using test::kPsv;
using test::kSh;
using test::Medium;

std::vector<float> random_series(std::mt19937& rng, int n) {
  std::normal_distribution<float> normal;
  std::vector<float> v(static_cast<std::size_t>(n));
  for (auto& x : v) x = normal(rng);
  return v;
}

// <L f, d> = <f, L^T d> for the source-to-receiver map L (fixed model), with random source time
// functions and random data; taper, several sources and receivers (two on one node).
void dot_product_test(const Medium& medium, bool free_surface = false) {
  const int nx = 44, nz = 38, nt = 300;
  const auto model = smooth_model(nx, nz, medium.h, medium.base);
  const auto physics = medium.make();
  solver::Propagator p(test::test_device(), *physics, model, nt, medium.dt,
                       solver::Edges{{true, true, false, true, 8, 0.03}, free_surface});
  std::mt19937 rng(7);
  std::vector<solver::PointForce> forces;
  for (auto [i, j] : {std::pair{12, 10}, std::pair{30, 20}})
    for (const auto& f : physics->forcing(45))
      forces.push_back({f.velocity_plane, f.buoyancy_plane, i, j, random_series(rng, nt)});
  // Media that read the source type: every other type too (the acoustic volume injection), one of
  // them at a node of a force.
  if (!physics->source_types().empty())
    for (auto [i, j] : {std::pair{30, 20}, std::pair{22, 28}})
      for (const auto& f : physics->source_forcing(1, 0))
        forces.push_back(
            {f.velocity_plane, f.buoyancy_plane, i, j, random_series(rng, nt), 0, f.into_stress});
  // And a moment tensor's sxz where the medium takes them, beside a force and on row 1.
  for (auto [i, j] : {std::pair{12, 10}, std::pair{25, 1}})
    for (const auto& f : physics->moment_forcing(0, 0, 1))
      if (f.weight != 0)
        forces.push_back(
            {f.velocity_plane, f.buoyancy_plane, i, j, random_series(rng, nt), 0, f.into_stress});
  std::vector<solver::PointReceiver> receivers;
  for (const auto& c : physics->components())
    for (auto [i, j] :
         {std::pair{5, 30}, std::pair{20, 3}, std::pair{38, 33}, std::pair{38, 33}, std::pair{1, 1}})
      receivers.push_back({c.velocity_plane, i, j, 0, c.from_stress});
  p.set_sources(forces);
  p.set_receivers(receivers);
  solver::Adjoint adjoint(p, solver::plan_storage(test::test_device(), p.state_bytes(), nt, "gpu", 0, 0));
  const auto traces = adjoint.forward();
  std::vector<double> data(traces.size());
  std::normal_distribution<double> normal;
  for (auto& d : data) d = normal(rng);
  const auto source_adjoint = adjoint.reverse(data);
  double lhs = 0, rhs = 0, scale = 0;
  for (std::size_t k = 0; k < traces.size(); ++k)
    lhs += double(traces[k]) * data[k], scale += std::abs(double(traces[k]) * data[k]);
  rhs += test::forces_dot_source_adjoint(*physics, model.grid, forces, source_adjoint, nt);
  const double mismatch = std::abs(lhs - rhs) / std::max(std::abs(lhs), std::abs(rhs));
  std::printf("%s dot-product test: <Lf,d> = %.9e, <f,L'd> = %.9e, relative mismatch %.2e\n", medium.name,
              lhs, rhs, mismatch);
  EXPECT_LT(mismatch, 1e-4);
}

TEST(AdjointDotProduct, Sh) { dot_product_test(kSh); }
TEST(AdjointDotProduct, Psv) { dot_product_test(kPsv); }
TEST(AdjointDotProduct, Cosserat) { dot_product_test(kCosserat); }
TEST(AdjointDotProduct, Acoustic) { dot_product_test(test::kAcoustic); }
TEST(AdjointDotProduct, PsvMomentSources) { dot_product_test(test::kPsvMoments); }
// Sources and receivers on rows 0-3 meet the free surface's mirror (receivers at (20, 3), (1, 1)).
TEST(AdjointDotProduct, AcousticFreeSurface) { dot_product_test(test::kAcoustic, true); }
TEST(AdjointDotProduct, ShFreeSurface) { dot_product_test(kSh, true); }
TEST(AdjointDotProduct, PsvFreeSurface) { dot_product_test(kPsv, true); }
TEST(AdjointDotProduct, CosseratFreeSurface) { dot_product_test(kCosserat, true); }
TEST(AdjointDotProduct, PsvMomentSourcesFreeSurface) { dot_product_test(test::kPsvMoments, true); }

// A case for gradient checks: a few sources and receivers, observed data from `smooth_model`.
struct GradientCase {
  const Medium& medium;
  int nx = 40, nz = 34, nt = 260;
  std::unique_ptr<physics::WaveEquation> physics = medium.make();
  solver::Edges taper{{true, true, false, true, 8, 0.03}, false};
  std::vector<solver::PointForce> forces;
  std::vector<solver::PointReceiver> receivers;
  std::vector<float> observed;

  explicit GradientCase(const Medium& m, bool free_surface = false, int nz_ = 34, int source_row = 6)
      : medium(m), nz(nz_) {
    taper.free_surface = free_surface;
    const double f0 = 8, t0 = 0.15;
    for (auto [i, j] : {std::pair{10, source_row}, std::pair{28, source_row + 1}}) {
      const auto stf = solver::ricker(nt, medium.dt, f0, t0, 1e9);
      for (const auto& f : physics->forcing(30))
        forces.push_back(
            {f.velocity_plane, f.buoyancy_plane, i, j, std::vector<float>(stf.begin(), stf.end())});
      for (auto& v : forces.back().values) v *= float(f0);
    }
    if (!physics->source_types().empty()) {  // the acoustic volume injection too
      const auto stf = solver::ricker(nt, medium.dt, f0, t0, 1e5);
      for (const auto& f : physics->source_forcing(1, 0))
        forces.push_back({f.velocity_plane, f.buoyancy_plane, 20, source_row + 6,
                          std::vector<float>(stf.begin(), stf.end()), 0, f.into_stress});
      for (const auto& f : physics->moment_forcing(0.5, -1, 1))  // a moment tensor's stress increments
        forces.push_back({f.velocity_plane, f.buoyancy_plane, 14, 20,
                          std::vector<float>(stf.begin(), stf.end()), 0, f.into_stress});
    }
    for (const auto& c : physics->components())
      for (int r = 0; r < 6; ++r)
        receivers.push_back({c.velocity_plane, 4 + 6 * r, 4 + (r % 3) * 9, 0, c.from_stress});
    observed = traces(smooth_model(nx, nz, medium.h, medium.base));
  }
  std::vector<float> traces(const io::Model& model) const {
    solver::Propagator p(test::test_device(), *physics, model, nt, medium.dt, taper);
    p.set_sources(forces);
    p.set_receivers(receivers);
    p.reset();
    p.advance(nt);
    return p.traces();
  }
  // J = 1/2 sum (d - d_obs)^2 dt, in double.
  double misfit(const io::Model& model) const {
    return test::waveform_misfit(traces(model), observed, medium.dt);
  }
  // d J / d model parameter, by the adjoint, with the given storage.
  std::map<std::string, std::vector<double>> gradient(const io::Model& model, const std::string& storage,
                                                      int segment = 0) const {
    solver::StorageOptions options;
    options.mode = storage;
    options.segment_steps = segment;
    return gradient(model, options);
  }
  // `segment_steps` > 0 overrides the plan's segment: with `gpu` storage, states in buffers of
  // that many steps each (as when one binding cannot hold them all).
  std::map<std::string, std::vector<double>> gradient(const io::Model& model,
                                                      const solver::StorageOptions& options,
                                                      int segment_steps = 0) const {
    solver::Propagator p(test::test_device(), *physics, model, nt, medium.dt, taper);
    p.set_sources(forces);
    p.set_receivers(receivers);
    auto plan = solver::plan_storage(p, options);
    if (segment_steps > 0) plan.segment_steps = segment_steps;
    solver::Adjoint adjoint(p, plan);
    const auto d = adjoint.forward();
    std::vector<double> residual(d.size());
    for (std::size_t k = 0; k < d.size(); ++k) residual[k] = (double(d[k]) - observed[k]) * medium.dt;
    adjoint.reverse(residual);
    const auto g = adjoint.gradient();
    return physics->model_gradient(model, medium.dt, g);
  }
};

// Model with parameter `name` perturbed by h * dm (per node), the other parameters of its
// parametrization held fixed.
io::Model perturbed(const io::Model& m, const std::string& name, const std::vector<double>& dm, double h) {
  io::Model out = m;
  auto& f = out.fields;
  const bool psv = f.count("vp") > 0;
  if (!f.count("vs") && psv) {  // acoustic: vp and rho, kappa = rho vp^2
    for (std::size_t k = 0; k < m.grid.npt(); ++k) {
      double rho = f["rho"][k], vp = f["vp"][k], kappa = rho * vp * vp;
      const double d = h * dm[k];
      if (name == "vp") vp += d;
      if (name == "rho_velocity") rho += d;
      if (name == "kappa" || name == "rho") {
        if (name == "kappa") kappa += d;
        if (name == "rho") rho += d;
        vp = std::sqrt(kappa / rho);
      }
      f["rho"][k] = float(rho), f["vp"][k] = float(vp);
    }
    return out;
  }
  if (!f.count("vs")) {  // Cosserat: the kernels are with respect to the model fields themselves
    for (std::size_t k = 0; k < m.grid.npt(); ++k) f[name][k] = float(double(f[name][k]) + h * dm[k]);
    return out;
  }
  for (std::size_t k = 0; k < m.grid.npt(); ++k) {
    double rho = f["rho"][k], vs = f["vs"][k], vp = psv ? double(f["vp"][k]) : 0.0;
    double mu = rho * vs * vs, lambda = rho * vp * vp - 2 * mu;
    const double d = h * dm[k];
    if (name == "vs")
      vs += d;
    else if (name == "vp")
      vp += d;
    else if (name == "rho_velocity")
      rho += d;
    else {
      if (name == "mu") mu += d;
      if (name == "lambda") lambda += d;
      if (name == "rho") rho += d;
      vs = std::sqrt(mu / rho);
      vp = std::sqrt((lambda + 2 * mu) / rho);
    }
    f["rho"][k] = float(rho), f["vs"][k] = float(vs);
    if (psv) f["vp"][k] = float(vp);
  }
  return out;
}

// A smooth random perturbation of typical size `scale` inside the grid.
std::vector<double> smooth_perturbation(const io::Grid& g, double scale, unsigned seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<double> u(0.15, 0.85), sign(-1, 1);
  std::vector<double> dm(g.npt(), 0.0);
  for (int blob = 0; blob < 4; ++blob) {
    const double ci = u(rng) * g.nx, cj = u(rng) * g.nz, a = sign(rng);
    for (int i = 0; i < g.nx; ++i)
      for (int j = 0; j < g.nz; ++j) {
        const double x = (i - ci) / 5.0, z = (j - cj) / 5.0;
        dm[std::size_t(i) * std::size_t(g.nz) + std::size_t(j)] += scale * a * std::exp(-x * x - z * z);
      }
  }
  return dm;
}

// `decades` of h over which the remainder must fall as h^2 (2, or 1 where the parameter's second-order
// effect is too small to stay above float32 round-off in J for longer).
void taylor_test(const Medium& medium, const std::string& name, double scale, int decades = 2,
                 bool free_surface = false) {
  GradientCase c(medium, free_surface);
  const auto model = test::uniform_model(c.nx, c.nz, medium.h, medium.h, medium.base);
  ASSERT_LT(medium.dt, c.physics->max_stable_dt(model));
  const auto kernels = c.gradient(model, "gpu");
  const auto& g = kernels.at(name);
  const auto dm = smooth_perturbation(model.grid, scale, 11);
  double directional = 0;
  for (std::size_t k = 0; k < dm.size(); ++k) directional += g[k] * dm[k];
  const double j0 = c.misfit(model);
  std::vector<double> hs = {1.0, 0.3, 0.1, 0.03, 0.01}, remainders;
  for (double h : hs)
    remainders.push_back(std::abs(c.misfit(perturbed(model, name, dm, h)) - j0 - h * directional));
  const double h = 0.1;
  const double central =
      (c.misfit(perturbed(model, name, dm, h)) - c.misfit(perturbed(model, name, dm, -h))) / (2 * h);
  std::printf(
      "%s Taylor test for %s: J = %.6e, <g, dm> = %.6e, central FD %.6e (%.2e)\n  remainders:", medium.name,
      name.c_str(), j0, directional, central, std::abs(central - directional) / std::abs(central));
  for (std::size_t i = 0; i < hs.size(); ++i) std::printf(" h=%g: %.3e", hs[i], remainders[i]);
  std::printf("\n");
  EXPECT_LT(std::abs(central - directional), 0.01 * std::abs(central));
  // Second order over two decades: the remainder falls by ~10^4 from h = 1 to 0.01 (allow 10^3.4),
  // by ~9 per step of h down to 0.03, and at least 3x in the last step, where float32 round-off in
  // J (~1e-7 J) starts to show.
  const std::size_t last = decades == 2 ? 4 : 2;  // index of h = 0.01 or h = 0.1
  EXPECT_GT(remainders[0] / remainders[last], std::pow(10.0, 1.7 * decades));
  for (std::size_t i = 0; i < last; ++i)
    EXPECT_GT(remainders[i] / remainders[i + 1], i + 1 < 4 ? 6.0 : 3.0) << "h = " << hs[i];
}

// Relative L2 difference of kernel `name` of `other` from `reference`.
double kernel_error(const std::map<std::string, std::vector<double>>& reference,
                    const std::map<std::string, std::vector<double>>& other, const std::string& name) {
  const auto& g = reference.at(name);
  const auto& h = other.at(name);
  double num = 0, den = 0;
  for (std::size_t k = 0; k < g.size(); ++k) num += (h[k] - g[k]) * (h[k] - g[k]), den += g[k] * g[k];
  return std::sqrt(num / den);
}

solver::StorageOptions storage(const std::string& mode, int segment = 0,
                               const std::filesystem::path& disk = {}) {
  solver::StorageOptions o;
  o.mode = mode;
  o.segment_steps = segment;
  o.disk_folder = disk;
  if (!disk.empty()) o.state_file = app::temporary_state_files(disk);
  return o;
}

// Every exact storage mode gives the same kernels: all states on the GPU; states copied to host
// memory or to disk and back, one segment or several; checkpointing with segment lengths that do and
// do not divide nt.
void storage_modes_agree(const Medium& medium) {
  GradientCase c(medium);
  const auto model = test::uniform_model(c.nx, c.nz, medium.h, medium.h, medium.base);
  const auto reference = c.gradient(model, "gpu");
  const auto folder = test::fresh_dir("seiswg_adjoint_disk");
  // Checkpoints on the GPU (they fit), and in host memory (a GPU budget of the segment alone).
  auto host_checkpoints = storage("checkpoint", 37);
  host_checkpoints.gpu_budget =
      38ull * std::uint64_t(c.nx * c.nz) * 4 * (c.physics->velocity_planes() + c.physics->stress_planes());
  const std::vector<solver::StorageOptions> modes = {storage("checkpoint", 0),  storage("checkpoint", 37),
                                                     storage("checkpoint", 65), storage("checkpoint", 1),
                                                     host_checkpoints,          storage("host", 0),
                                                     storage("host", 37),       storage("disk", 65, folder)};
  for (const auto& mode : modes) {
    const auto plan = solver::plan_storage(
        test::test_device().adapter(),
        {std::uint64_t(c.nx * c.nz), c.physics->velocity_planes() + c.physics->stress_planes()}, c.nt, mode);
    if (mode.mode == "checkpoint") {
      EXPECT_EQ(plan.checkpoints_on_gpu, mode.gpu_budget == 0) << plan.describe(c.nt, 1);
    }
    const auto other = c.gradient(model, mode);
    for (const auto& [name, g] : reference)
      EXPECT_LT(kernel_error(reference, other, name), 1e-5)
          << medium.name << " kernel " << name << ", " << mode.mode << " segment " << mode.segment_steps;
  }
  EXPECT_TRUE(test::files_under(folder).empty());
  std::filesystem::remove_all(folder);
}

// Every state on the GPU in several buffers (a segment of steps each, the state before it repeated
// as its first slot) gives the kernels of one buffer, for segments that do and do not divide nt.
TEST(AdjointStorage, GpuStatesOverSeveralBuffersMatchOneBuffer) {
  for (const Medium* medium : {&kSh, &kPsv}) {
    GradientCase c(*medium);
    const auto model = test::uniform_model(c.nx, c.nz, medium->h, medium->h, medium->base);
    const auto one = c.gradient(model, storage("gpu"));
    for (int segment : {37, 65, 1}) {
      const auto several = c.gradient(model, storage("gpu"), segment);
      for (const auto& [name, g] : one)
        EXPECT_LT(kernel_error(one, several, name), 1e-6)
            << medium->name << " " << name << ", segment " << segment;
    }
  }
}

TEST(AdjointStorage, ExactModesMatchGpuStorageSh) { storage_modes_agree(kSh); }
TEST(AdjointStorage, ExactModesMatchGpuStoragePsv) { storage_modes_agree(kPsv); }

// Lossy storage: the kernels' relative L2 error against all states in float32 on the GPU, for every
// kernel of the medium, within the bound README.md states for the mode.
void lossy_modes_within_bounds(const Medium& medium) {
  GradientCase c(medium);
  const auto model = test::uniform_model(c.nx, c.nz, medium.h, medium.h, medium.base);
  {
    // The stresses (Pa) leave float16's range: storing them needs the block scales.
    solver::Propagator p(test::test_device(), *c.physics, model, c.nt, medium.dt, c.taper);
    p.set_sources(c.forces);
    p.reset();
    double vmax = 0, smax = 0;
    for (int step = 0; step < c.nt; step += 20) {
      p.advance(20);
      for (float v : p.velocities()) vmax = std::max(vmax, double(std::abs(v)));
      for (float v : p.stresses()) smax = std::max(smax, double(std::abs(v)));
    }
    std::printf("%s: largest |velocity| %.3g m/s, |stress| %.3g Pa\n", medium.name, vmax, smax);
    EXPECT_GT(smax, 65504.0);
  }
  const auto reference = c.gradient(model, "gpu");
  for (const auto& [mode, bound] : {std::pair{"compressed16", 1e-3}, std::pair{"compressed8", 3e-2}}) {
    const auto other = c.gradient(model, storage(mode, 50));
    double worst = 0;
    for (const auto& [name, g] : reference) {
      const double e = kernel_error(reference, other, name);
      std::printf("%s %s: kernel %s relative L2 error %.2e\n", medium.name, mode, name.c_str(), e);
      EXPECT_LT(e, bound) << medium.name << " " << mode << " kernel " << name;
      worst = std::max(worst, e);
    }
    EXPECT_GT(worst, 1e-7) << mode << " is lossy: its kernels cannot match to float32 round-off";
  }
}

TEST(AdjointStorage, LossyModesWithinTheirStatedErrorSh) { lossy_modes_within_bounds(kSh); }
TEST(AdjointStorage, LossyModesWithinTheirStatedErrorPsv) { lossy_modes_within_bounds(kPsv); }

gpu::AdapterInfo adapter(gpu::AdapterKind kind, std::uint64_t binding_limit) {
  gpu::AdapterInfo a;
  a.kind = kind;
  a.limits.max_buffer_size = a.limits.max_storage_binding_size = binding_limit;
  return a;
}

TEST(AdjointStorage, PlanFollowsTheBudget) {
  auto& device = test::test_device();
  const std::uint64_t state = 1 << 20;
  const std::uint64_t budget = 100ull << 20;  // below every adapter's binding limit
  auto all = solver::plan_storage(device, state, 50, "auto", budget, 0);
  EXPECT_EQ(all.mode, solver::StoragePlan::Mode::gpu);
  EXPECT_EQ(all.gpu_bytes, 51ull << 20);
  // On a discrete GPU, states beyond the budget are recomputed from checkpoints.
  solver::StorageOptions options;
  options.gpu_budget = budget;
  options.host_available = 1ull << 40;
  const auto discrete = adapter(gpu::AdapterKind::discrete, 1ull << 31);
  auto some = solver::plan_storage(discrete, {1 << 18, 1}, 1000, options);
  EXPECT_EQ(some.mode, solver::StoragePlan::Mode::checkpoint);
  EXPECT_EQ(some.segment_steps, 99);
  EXPECT_LE(some.gpu_bytes, budget);
  EXPECT_EQ(some.host_bytes, 10ull << 20);  // 11 segments: 10 checkpoints
  // Checkpoints that fit neither the GPU nor the host memory left are refused before any run.
  options.host_available = 5ull << 20;
  try {
    (void)solver::plan_storage(discrete, {1 << 18, 1}, 1000, options);
    ADD_FAILURE() << "no error";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("of checkpoints in host memory"), std::string::npos) << e.what();
  }
  auto sqrt_plan = solver::plan_storage(device, state, 1000, "checkpoint", budget, 0);
  EXPECT_EQ(sqrt_plan.segment_steps, 32);
  EXPECT_THROW(solver::plan_storage(device, state, 1000, "gpu", budget, 0), InputError);
  EXPECT_THROW(solver::plan_storage(device, state, 1000, "disk", 0, 0), InputError);
}

// The automatic choice among the exact modes, and plans for the explicit ones.
TEST(AdjointStorage, PlanSelection) {
  using Mode = solver::StoragePlan::Mode;
  const solver::StateLayout state{1 << 16, 4};  // 1 MiB
  const std::uint64_t mib = 1 << 20, all = 1001 * mib;
  const auto discrete = adapter(gpu::AdapterKind::discrete, 100 * mib);
  const auto cpu = adapter(gpu::AdapterKind::cpu, 100 * mib);
  solver::StorageOptions o;
  o.host_available = 4096 * mib;
  // Discrete GPU: recompute (checkpoint); CPU adapter: host memory when it holds the states twice.
  EXPECT_EQ(solver::plan_storage(discrete, state, 1000, o).mode, Mode::checkpoint);
  auto host = solver::plan_storage(cpu, state, 1000, o);
  EXPECT_EQ(host.mode, Mode::host);
  EXPECT_EQ(host.host_bytes, all);
  EXPECT_EQ(host.segment_steps, 99);     // the segment buffer within the largest binding,
  EXPECT_EQ(host.gpu_bytes, 200 * mib);  // and a transfer buffer as large
  o.gpu_budget = 100 * mib;
  host = solver::plan_storage(cpu, state, 1000, o);
  EXPECT_EQ(host.segment_steps, 49);  // both within the budget
  EXPECT_EQ(host.gpu_bytes, 100 * mib);
  o.gpu_budget = 0;
  EXPECT_NE(host.describe(1000, 4).find("host memory"), std::string::npos) << host.describe(1000, 4);
  EXPECT_NE(host.describe(1000, 4).find("[auto: "), std::string::npos);
  o.host_available = 1500 * mib;
  EXPECT_EQ(solver::plan_storage(cpu, state, 1000, o).mode, Mode::checkpoint);
  // Everything that fits stays on the GPU; lossy modes only when asked for.
  EXPECT_EQ(solver::plan_storage(cpu, state, 90, o).mode, Mode::gpu);
  o.mode = "compressed8";
  const auto c8 = solver::plan_storage(discrete, state, 300, o);
  EXPECT_EQ(c8.mode, Mode::compressed8);
  EXPECT_EQ(solver::stored_state_bytes(state, Mode::compressed8), 4 * 256 * (1 + 64) * 4);
  EXPECT_EQ(c8.gpu_bytes, 301 * solver::stored_state_bytes(state, Mode::compressed8) + 32 * mib);
  EXPECT_FALSE(c8.exact());
  o.mode = "compressed16";
  EXPECT_EQ(solver::stored_state_bytes(state, Mode::compressed16), 4 * 256 * (1 + 128) * 4);
  EXPECT_THROW(solver::plan_storage(discrete, state, 300, o), InputError);  // 151 MiB > 100 MiB
  o.segment_steps = 10;
  EXPECT_EQ(solver::plan_storage(discrete, state, 150, o).segment_steps, 10);
  // Host memory that cannot hold the states, a disk mode without a folder, an unknown mode.
  o = {};
  o.host_available = 500 * mib;
  o.mode = "host";
  try {
    solver::plan_storage(cpu, state, 1000, o);
    ADD_FAILURE() << "host storage beyond the host memory was accepted";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("[solver] adjoint_storage = host"), std::string::npos) << e.what();
  }
  o.mode = "disk";
  EXPECT_THROW(solver::plan_storage(cpu, state, 1000, o), InputError);
  const auto folder = test::fresh_dir("seiswg_adjoint_plan");
  o.disk_folder = folder;
  o.state_file = app::temporary_state_files(folder);
  o.segment_steps = 64;
  const auto disk = solver::plan_storage(discrete, state, 1000, o);
  EXPECT_EQ(disk.mode, Mode::disk);
  EXPECT_EQ(disk.disk_bytes, all);
  EXPECT_EQ(disk.gpu_bytes, 2 * 65 * mib);
  EXPECT_NE(disk.describe(1000, 4).find(folder.string()), std::string::npos) << disk.describe(1000, 4);
  EXPECT_TRUE(test::files_under(folder).empty());
  std::filesystem::remove_all(folder);
  o.mode = "fast";
  try {
    solver::plan_storage(discrete, state, 1000, o);
    ADD_FAILURE() << "an unknown mode was accepted";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("[solver] adjoint_storage = fast: expected auto, gpu, host, disk"),
              std::string::npos)
        << e.what();
  }
}

// The disk mode's temporary file is unlinked as soon as it is made (the open descriptor keeps the
// states until the Adjoint goes): nothing is ever left in the folder, also when the run fails or is
// killed.
TEST(AdjointStorage, DiskFileIsNeverLeftInTheFolder) {
  GradientCase c(kSh);
  const auto model = test::uniform_model(c.nx, c.nz, kSh.h, kSh.h, kSh.base);
  const auto folder = test::fresh_dir("seiswg_adjoint_disk");
  solver::Propagator p(test::test_device(), *c.physics, model, c.nt, kSh.dt, c.taper);
  p.set_sources(c.forces);
  p.set_receivers(c.receivers);
  const auto plan = solver::plan_storage(p, storage("disk", 100, folder));
  {
    solver::Adjoint adjoint(p, plan);
    const auto traces = adjoint.forward();
    const auto file = adjoint.temporary_file();
    EXPECT_EQ(file.parent_path(), folder);
    EXPECT_TRUE(test::files_under(folder).empty());
    adjoint.reverse(std::vector<double>(traces.size(), 1.0));
  }
  EXPECT_TRUE(test::files_under(folder).empty());
  try {
    solver::Adjoint adjoint(p, plan);
    adjoint.forward();
    adjoint.reverse({});  // wrong size: throws
  } catch (const std::logic_error&) {
  }
  EXPECT_TRUE(test::files_under(folder).empty());
  std::filesystem::remove_all(folder);
}

// A small SH adjoint case with extra [solver] lines: model_true (folder model) has a faster
// corner, model_init is homogeneous.
std::filesystem::path adjoint_case(const std::string& solver_lines) {
  const auto root = test::fresh_dir("seiswg_adjoint_keys");
  test::CaseSpec spec;
  std::string config = test::default_config(true, false, 120, 0.004);
  config.replace(config.find("mode = forward"), 14, "mode = adjoint");
  config.replace(config.find("[solver]\n"), 9, "[solver]\n" + solver_lines);
  spec.config = config + "model_init = model_init\n";
  test::write_case(root, spec);
  std::filesystem::copy(root / "model", root / "model_init");
  std::vector<float> vs(std::size_t(spec.nx * spec.nz), float(spec.vs));
  for (int i = 0; i < spec.nx / 2; ++i)
    for (int j = 0; j < spec.nz / 2; ++j) vs[std::size_t(i * spec.nz + j)] *= 1.1f;
  test::write_model_file(root / "model/proc000000_vs.bin", vs);
  return root;
}

std::string load_error(const std::filesystem::path& root) {
  try {
    app::load_case(root);
  } catch (const InputError& e) {
    return e.what();
  }
  return "(no error)";
}

// Bad storage keys are reported, naming the key, when the config is read (before any GPU work).
TEST(AdjointStorage, BadStorageKeysAreNamedWhenTheConfigIsRead) {
  auto root = adjoint_case("adjoint_storage = fast\n");
  auto e = load_error(root);
  EXPECT_NE(
      e.find("[solver] adjoint_storage = fast: expected auto, gpu, host, disk, checkpoint, compressed16"),
      std::string::npos)
      << e;
  std::filesystem::remove_all(root);

  root = adjoint_case("adjoint_storage = disk\nadjoint_disk_path = no_such_folder\n");
  e = load_error(root);
  EXPECT_NE(e.find("[solver] adjoint_disk_path = no_such_folder"), std::string::npos) << e;
  EXPECT_NE(e.find("does not exist"), std::string::npos) << e;
  std::filesystem::remove_all(root);

  root = adjoint_case("adjoint_storage = disk\nadjoint_disk_path = sources.dat\n");
  e = load_error(root);
  EXPECT_NE(e.find("[solver] adjoint_disk_path = sources.dat"), std::string::npos) << e;
  EXPECT_NE(e.find("is not a folder"), std::string::npos) << e;
  std::filesystem::remove_all(root);

  if (::geteuid() != 0) {  // root writes anywhere
    root = adjoint_case("adjoint_storage = disk\nadjoint_disk_path = locked\n");
    std::filesystem::create_directory(root / "locked");
    std::filesystem::permissions(root / "locked",
                                 std::filesystem::perms::owner_read | std::filesystem::perms::owner_exec);
    e = load_error(root);
    EXPECT_NE(e.find("[solver] adjoint_disk_path = locked"), std::string::npos) << e;
    EXPECT_NE(e.find("cannot write"), std::string::npos) << e;
    std::filesystem::permissions(root / "locked", std::filesystem::perms::owner_all);
    std::filesystem::remove_all(root);
  }

  // A good disk folder (relative to the config file), and the output folder by default.
  root = adjoint_case("adjoint_storage = disk\nadjoint_disk_path = scratch\n");
  std::filesystem::create_directory(root / "scratch");
  EXPECT_EQ(app::load_case(root).adjoint_disk_path, root / "scratch");
  EXPECT_TRUE(test::files_under(root / "scratch").empty());
  std::filesystem::remove_all(root);
  root = adjoint_case("adjoint_storage = disk\n");
  EXPECT_EQ(app::load_case(root).adjoint_disk_path, root / "output");
  std::filesystem::remove_all(root);
}

// Through the command line: the plan is printed, the kernels match gpu storage, and the temporary
// file is gone afterwards.
TEST(AdjointStorage, DiskStorageThroughTheCommandLine) {
  std::map<std::string, std::vector<double>> kernels;
  for (const std::string mode : {"gpu", "disk"}) {
    const auto root =
        adjoint_case("adjoint_storage = " + mode + "\nadjoint_segment = 7\nadjoint_disk_path = scratch\n");
    std::filesystem::create_directory(root / "scratch");
    const auto r = test::run_cli({"run", root.string()});
    ASSERT_EQ(r.exit_code, 0) << r.output;
    EXPECT_NE(
        r.output.find(mode == "gpu" ? "on the GPU" : "in a temporary file in " + (root / "scratch").string()),
        std::string::npos)
        << r.output;
    EXPECT_TRUE(test::files_under(root / "scratch").empty());
    const auto k = io::read_field_bin(root / "output/kernels/proc000000_kmu.bin");
    kernels[mode] = std::vector<double>(k.begin(), k.end());
    std::filesystem::remove_all(root);
  }
  double norm = 0;
  for (double v : kernels["gpu"]) norm += v * v;
  EXPECT_GT(norm, 0);
  EXPECT_LT(kernel_error({{"mu", kernels["gpu"]}}, {{"mu", kernels["disk"]}}, "mu"), 1e-5);
}

// A blow-up is found where a progress report waits for the GPU (every 0.25 s, and at the first
// segment's end), not after the pass's last step: the error says where the pass stopped. The model
// is made unstable after the propagator was built (P-SV vp 1000x at a source's node: the field
// overflows within a few steps).
TEST(AdjointBlowUp, ForwardPassStopsAtTheFirstReportAfterIt) {
  const GradientCase c(kPsv);
  const auto stable = test::uniform_model(c.nx, c.nz, kPsv.h, kPsv.h, kPsv.base);
  auto unstable = stable;
  unstable.fields.at("vp")[std::size_t(10) * std::size_t(c.nz) + 6] *= 1000.0f;
  solver::Propagator p(test::test_device(), *c.physics, stable, c.nt, kPsv.dt, c.taper);
  p.set_model(unstable);
  p.set_sources(c.forces);
  p.set_receivers(c.receivers);
  solver::StorageOptions options;
  options.mode = "gpu";
  auto plan = solver::plan_storage(p, options);
  plan.segment_steps = 20;  // states in buffers of 20 steps: a report after the first 20
  solver::Adjoint adjoint(p, plan);
  int reported = 0;
  adjoint.on_steps([&](int steps) { reported = std::max(reported, steps); });
  try {
    (void)adjoint.forward();
    FAIL() << "no blow-up";
  } catch (const solver::BlowUpError& e) {
    const std::string what = e.what();
    EXPECT_EQ(e.blow_up.found_after, 20u) << what;
    EXPECT_LE(e.blow_up.step, 20u) << what;
    EXPECT_NE(what.find("the forward run became unstable (NaN or Inf) at step"), std::string::npos) << what;
    EXPECT_NE(what.find("stopped after 20 of " + std::to_string(c.nt) + " steps"), std::string::npos) << what;
    EXPECT_EQ(reported, 0);  // the report that found it did not count the steps as done
  }
}

// A blow-up of the reverse pass alone (a stable forward run, then a residual of 1e60 at one receiver,
// beyond float32: an infinite adjoint source in the reverse pass's first step) is found as promptly
// as a forward one: at the first report after it (the first reverse segment of 20 steps), with the
// step and the node where it started, not after all 260 reverse steps.
TEST(AdjointBlowUp, ReversePassStopsAtTheFirstReportAfterIt) {
  const GradientCase c(kPsv);
  const auto model = test::uniform_model(c.nx, c.nz, kPsv.h, kPsv.h, kPsv.base);
  solver::Propagator p(test::test_device(), *c.physics, model, c.nt, kPsv.dt, c.taper);
  p.set_sources(c.forces);
  p.set_receivers(c.receivers);
  solver::StorageOptions options;
  options.mode = "gpu";
  auto plan = solver::plan_storage(p, options);
  plan.segment_steps = 20;  // the reverse pass runs segments of 20 steps, last first
  solver::Adjoint adjoint(p, plan);
  adjoint.on_steps([](int) {});
  const std::vector<float> traces = adjoint.forward();  // stable: must not throw
  // Reports come at most every 0.25 s: the forward pass's last one must not hold back the first
  // reverse one.
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  std::vector<double> dj(traces.size(), 0.0);
  const std::size_t nt = std::size_t(c.nt);
  for (std::size_t m = nt - 5; m < nt; ++m) dj[m] = 1e60;  // receiver 0, at node (4, 4)
  try {
    (void)adjoint.reverse(dj);
    FAIL() << "no blow-up";
  } catch (const solver::BlowUpError& e) {
    const std::string what = e.what();
    EXPECT_EQ(e.blow_up.found_after, 20u) << what;
    EXPECT_GE(e.blow_up.step, std::uint32_t(c.nt - 20)) << what;
    EXPECT_LT(e.blow_up.step, std::uint32_t(c.nt)) << what;
    const std::uint32_t i = e.blow_up.node / std::uint32_t(c.nz), j = e.blow_up.node % std::uint32_t(c.nz);
    EXPECT_NEAR(double(i), 4, 2) << what;
    EXPECT_NEAR(double(j), 4, 2) << what;
    EXPECT_NE(what.find("the adjoint run became unstable (NaN or Inf) at step"), std::string::npos) << what;
    EXPECT_NE(what.find("stopped after 20 of " + std::to_string(c.nt) + " steps"), std::string::npos) << what;
  }
}

// The adjoint kernels in two passes (the interior box without edge tests, then the frame's
// workgroups only: stencil.wgsl's SPLIT_PASS) against one pass, on a grid tall enough (160 rows,
// three 64-row workgroup tiles along z) that the box holds whole tiles and the frame is enumerated
// around them: every node must be updated exactly once, so the gradients agree to round-off.
void split_passes_test(const Medium& medium, bool free_surface = false) {
  // Sources at mid-depth: the waves reach every row within the run.
  const GradientCase c(medium, free_surface, 160, 80);  // observed data from smooth_model
  const auto model = test::uniform_model(c.nx, c.nz, medium.h, medium.h, medium.base);
  const auto with = [&](const char* passes) {
    setenv("SEISWG_ADJOINT_PASSES", passes, 1);
    auto g = c.gradient(model, "gpu");
    unsetenv("SEISWG_ADJOINT_PASSES");
    return g;
  };
  const auto one = with("single"), two = with("split");
  for (const auto& [name, g1] : one) {
    const auto& g2 = two.at(name);
    double largest = 0;
    for (double v : g1) largest = std::max(largest, std::abs(v));
    // Node by node (a node the passes skipped would keep a zero gradient, however small it is
    // beside the largest); float32: the two pipelines may contract and order the same sums
    // differently.
    std::size_t wrong = 0, checked = 0;
    for (std::size_t k = 0; k < g1.size(); ++k) {
      if (std::abs(g1[k]) < 1e-5 * largest) continue;
      ++checked;
      if (std::abs(g1[k] - g2[k]) > 1e-3 * std::abs(g1[k]) + 1e-7 * largest) ++wrong;
    }
    EXPECT_EQ(wrong, 0u) << medium.name << " " << name << ": " << checked << " nodes checked";
    if (largest > 0) {
      EXPECT_GT(checked, g1.size() / 4) << medium.name << " " << name;
    }
  }
}
TEST(AdjointSplitPasses, ShEqualsOnePass) { split_passes_test(kSh); }
TEST(AdjointSplitPasses, ShFreeSurfaceEqualsOnePass) { split_passes_test(kSh, true); }
TEST(AdjointSplitPasses, PsvEqualsOnePass) { split_passes_test(kPsv); }
TEST(AdjointSplitPasses, CosseratEqualsOnePass) { split_passes_test(kCosserat); }
TEST(AdjointSplitPasses, AcousticEqualsOnePass) { split_passes_test(test::kAcoustic); }

TEST(AdjointTaylor, ShMu) { taylor_test(kSh, "mu", 0.05 * 2000 * 1000 * 1000); }
TEST(AdjointTaylor, ShRho) { taylor_test(kSh, "rho", 0.05 * 2000); }
TEST(AdjointTaylor, ShVs) { taylor_test(kSh, "vs", 0.05 * 1000); }
TEST(AdjointTaylor, PsvLambda) { taylor_test(kPsv, "lambda", 0.2 * 2000 * (2000 * 2000 - 2 * 1100 * 1100)); }
TEST(AdjointTaylor, PsvMu) { taylor_test(kPsv, "mu", 0.2 * 2000 * 1100 * 1100); }
TEST(AdjointTaylor, PsvRho) { taylor_test(kPsv, "rho", 0.2 * 2000); }
TEST(AdjointTaylor, PsvVp) { taylor_test(kPsv, "vp", 0.1 * 2000); }
TEST(AdjointTaylor, PsvVs) { taylor_test(kPsv, "vs", 0.1 * 1100); }
TEST(AdjointTaylor, PsvVpMomentSources) { taylor_test(test::kPsvMoments, "vp", 0.1 * 2000); }
TEST(AdjointTaylor, PsvRhoMomentSources) { taylor_test(test::kPsvMoments, "rho", 0.2 * 2000); }
TEST(AdjointTaylor, CosseratMu) { taylor_test(kCosserat, "mu", 0.2 * 8.1e9); }
// The rotational parameters change J by ~1e-3 of itself: their Taylor remainders reach float32
// round-off after one decade of h; the gradient still matches the central difference to < 1%.
TEST(AdjointTaylor, CosseratNu) { taylor_test(kCosserat, "nu", 0.3 * 1.0e9, 1); }
TEST(AdjointTaylor, CosseratJ) { taylor_test(kCosserat, "j", 0.3 * 1.0e6, 1); }
TEST(AdjointTaylor, CosseratMuC) { taylor_test(kCosserat, "mu_c", 0.5 * 2.0e12, 1); }
TEST(AdjointTaylor, AcousticVp) { taylor_test(test::kAcoustic, "vp", 0.1 * 2000); }
TEST(AdjointTaylor, AcousticRho) { taylor_test(test::kAcoustic, "rho", 0.2 * 2000); }
TEST(AdjointTaylor, AcousticRhoVelocity) { taylor_test(test::kAcoustic, "rho_velocity", 0.2 * 2000); }
TEST(AdjointTaylor, ShVsFreeSurface) { taylor_test(kSh, "vs", 0.05 * 1000, 2, true); }
TEST(AdjointTaylor, PsvVpFreeSurface) { taylor_test(kPsv, "vp", 0.1 * 2000, 2, true); }
TEST(AdjointTaylor, PsvVsFreeSurface) { taylor_test(kPsv, "vs", 0.1 * 1100, 2, true); }
TEST(AdjointTaylor, CosseratMuFreeSurface) { taylor_test(kCosserat, "mu", 0.2 * 8.1e9, 2, true); }
TEST(AdjointTaylor, CosseratNuFreeSurface) { taylor_test(kCosserat, "nu", 0.3 * 1.0e9, 1, true); }
TEST(AdjointTaylor, CosseratMuCFreeSurface) { taylor_test(kCosserat, "mu_c", 0.5 * 2.0e12, 1, true); }
TEST(AdjointTaylor, AcousticVpFreeSurface) { taylor_test(test::kAcoustic, "vp", 0.1 * 2000, 2, true); }
TEST(AdjointTaylor, AcousticKappa) { taylor_test(test::kAcoustic, "kappa", 0.2 * 2000 * 2000 * 2000); }
TEST(AdjointTaylor, CosseratRho) { taylor_test(kCosserat, "rho", 0.2 * 2700); }

}  // namespace
}  // namespace seiswg

namespace seiswg {
namespace {

// On a discrete GPU, auto keeps every state on the GPU only when allocating them costs less than
// recomputing them as often as the Problem will be evaluated; the checkpoints then stay on the GPU.
TEST(AdjointStorage, AutoWeighsAllocationAgainstRecomputation) {
  using Mode = solver::StoragePlan::Mode;
  gpu::AdapterInfo discrete;
  discrete.kind = gpu::AdapterKind::discrete;
  discrete.limits.max_storage_binding_size = 4ull << 30;
  discrete.limits.max_buffer_size = 1ull << 40;
  solver::StorageOptions o;
  o.gpu_memory = 140ull << 30;
  const solver::StateLayout state{12 * 40401, 3};  // Seispie's adjoint example: 12 shots of 201^2, SH
  const auto once = solver::plan_storage(discrete, state, 4800, o);
  EXPECT_EQ(once.mode, Mode::checkpoint) << once.describe(4800, 3);
  EXPECT_TRUE(once.checkpoints_on_gpu);
  EXPECT_NE(once.reason.find("costs more than recomputing"), std::string::npos) << once.reason;
  o.evaluations = 1000;  // an inversion's worth of gradients
  EXPECT_EQ(solver::plan_storage(discrete, state, 4800, o).mode, Mode::gpu);
  // Small states are kept whatever the count.
  o.evaluations = 1;
  EXPECT_EQ(solver::plan_storage(discrete, {40401, 3}, 200, o).mode, Mode::gpu);
}

}  // namespace
}  // namespace seiswg
