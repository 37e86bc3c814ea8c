// Adjoint: dot-product tests of the transposed time loop, Taylor tests of the gradient for every
// parameter, and agreement of the storage modes.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <random>

#include "io/error.hpp"
#include "solver/adjoint.hpp"
#include "solver/wavelet.hpp"
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

struct Medium {
  const char* name;
  std::unique_ptr<physics::WaveEquation> (*make)();
  std::map<std::string, double> base;
  double h, dt;
};

const Medium kSh{"SH", physics::make_sh, {{"vs", 1000}, {"rho", 2000}}, 10, 0.004};
const Medium kPsv{"P-SV", physics::make_psv, {{"vp", 2000}, {"vs", 1100}, {"rho", 2000}}, 10, 0.002};

std::vector<float> random_series(std::mt19937& rng, int n) {
  std::normal_distribution<float> normal;
  std::vector<float> v(static_cast<std::size_t>(n));
  for (auto& x : v) x = normal(rng);
  return v;
}

// <L f, d> = <f, L^T d> for the source-to-receiver map L (fixed model), with random source time
// functions and random data; taper, several sources and receivers (two on one node).
void dot_product_test(const Medium& medium) {
  const int nx = 44, nz = 38, nt = 300;
  const auto model = smooth_model(nx, nz, medium.h, medium.base);
  const auto physics = medium.make();
  solver::Propagator p(test::test_device(), *physics, model, nt, medium.dt,
                       {true, true, false, true, 8, 0.03});
  std::mt19937 rng(7);
  std::vector<solver::PointForce> forces;
  for (auto [i, j] : {std::pair{12, 10}, std::pair{30, 20}})
    for (const auto& f : physics->forcing(45))
      forces.push_back({f.velocity_plane, f.buoyancy_plane, i, j, random_series(rng, nt)});
  std::vector<solver::PointReceiver> receivers;
  for (const auto& c : physics->components())
    for (auto [i, j] :
         {std::pair{5, 30}, std::pair{20, 3}, std::pair{38, 33}, std::pair{38, 33}, std::pair{1, 1}})
      receivers.push_back({c.velocity_plane, i, j});
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
  // Source rows come back in the order of their velocity sample (plane * npt + node).
  auto sorted = forces;
  std::sort(sorted.begin(), sorted.end(), [&](const auto& a, const auto& b) {
    return a.velocity_plane * model.grid.npt() + std::size_t(a.i * nz + a.j) <
           b.velocity_plane * model.grid.npt() + std::size_t(b.i * nz + b.j);
  });
  for (std::size_t s = 0; s < sorted.size(); ++s)
    for (int n = 0; n < nt; ++n)
      rhs += double(sorted[s].values[std::size_t(n)]) *
             double(source_adjoint[s * std::size_t(nt) + std::size_t(n)]);
  const double mismatch = std::abs(lhs - rhs) / std::max(std::abs(lhs), std::abs(rhs));
  std::printf("%s dot-product test: <Lf,d> = %.9e, <f,L'd> = %.9e, relative mismatch %.2e\n", medium.name,
              lhs, rhs, mismatch);
  EXPECT_LT(mismatch, 1e-4);
}

TEST(AdjointDotProduct, Sh) { dot_product_test(kSh); }
TEST(AdjointDotProduct, Psv) { dot_product_test(kPsv); }

// A case for gradient checks: a few sources and receivers, observed data from `smooth_model`.
struct GradientCase {
  const Medium& medium;
  int nx = 40, nz = 34, nt = 260;
  std::unique_ptr<physics::WaveEquation> physics = medium.make();
  solver::Taper taper{true, true, false, true, 8, 0.03};
  std::vector<solver::PointForce> forces;
  std::vector<solver::PointReceiver> receivers;
  std::vector<float> observed;

  explicit GradientCase(const Medium& m) : medium(m) {
    const double f0 = 8, t0 = 0.15;
    for (auto [i, j] : {std::pair{10, 6}, std::pair{28, 7}}) {
      const auto stf = solver::ricker(nt, medium.dt, f0, t0, 1e9);
      for (const auto& f : physics->forcing(30))
        forces.push_back(
            {f.velocity_plane, f.buoyancy_plane, i, j, std::vector<float>(stf.begin(), stf.end())});
      for (auto& v : forces.back().values) v *= float(f0);
    }
    for (const auto& c : physics->components())
      for (int r = 0; r < 6; ++r) receivers.push_back({c.velocity_plane, 4 + 6 * r, 4 + (r % 3) * 9});
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
    const auto d = traces(model);
    double j = 0;
    for (std::size_t k = 0; k < d.size(); ++k)
      j += 0.5 * (double(d[k]) - observed[k]) * (double(d[k]) - observed[k]);
    return j * medium.dt;
  }
  // d J / d model parameter, by the adjoint, with the given storage plan.
  std::map<std::string, std::vector<double>> gradient(const io::Model& model, const std::string& storage,
                                                      int segment = 0) const {
    solver::Propagator p(test::test_device(), *physics, model, nt, medium.dt, taper);
    p.set_sources(forces);
    p.set_receivers(receivers);
    solver::Adjoint adjoint(
        p, solver::plan_storage(test::test_device(), p.state_bytes(), nt, storage, 0, segment));
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

void taylor_test(const Medium& medium, const std::string& name, double scale) {
  GradientCase c(medium);
  const auto model = test::uniform_model(c.nx, c.nz, medium.h, medium.h, medium.base);
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
  EXPECT_GT(remainders[0] / remainders[4], std::pow(10.0, 3.4));
  for (std::size_t i = 0; i + 1 < hs.size(); ++i)
    EXPECT_GT(remainders[i] / remainders[i + 1], i + 2 < hs.size() ? 6.0 : 3.0) << "h = " << hs[i];
}

// Every exact storage mode gives the same kernels: all states on the GPU, and checkpointing with
// segment lengths that do and do not divide nt.
void storage_modes_agree(const Medium& medium) {
  GradientCase c(medium);
  const auto model = test::uniform_model(c.nx, c.nz, medium.h, medium.h, medium.base);
  const auto reference = c.gradient(model, "gpu");
  for (int segment : {0, 37, 65, 1}) {
    const auto other = c.gradient(model, "checkpoint", segment);
    for (const auto& [name, g] : reference) {
      double num = 0, den = 0;
      for (std::size_t k = 0; k < g.size(); ++k)
        num += (other.at(name)[k] - g[k]) * (other.at(name)[k] - g[k]), den += g[k] * g[k];
      EXPECT_LT(std::sqrt(num / den), 1e-5) << medium.name << " kernel " << name << ", segment " << segment;
    }
  }
}

TEST(AdjointStorage, CheckpointingMatchesGpuStorageSh) { storage_modes_agree(kSh); }
TEST(AdjointStorage, CheckpointingMatchesGpuStoragePsv) { storage_modes_agree(kPsv); }

TEST(AdjointStorage, PlanFollowsTheBudget) {
  auto& device = test::test_device();
  const std::uint64_t state = 1 << 20;
  const std::uint64_t budget = 100ull << 20;  // below every adapter's binding limit
  auto all = solver::plan_storage(device, state, 50, "auto", budget, 0);
  EXPECT_EQ(all.mode, solver::StoragePlan::Mode::gpu);
  EXPECT_EQ(all.gpu_bytes, 51ull << 20);
  auto some = solver::plan_storage(device, state, 1000, "auto", budget, 0);
  EXPECT_EQ(some.mode, solver::StoragePlan::Mode::checkpoint);
  EXPECT_EQ(some.segment_steps, 99);
  EXPECT_LE(some.gpu_bytes, budget);
  EXPECT_EQ(some.host_bytes, 10ull << 20);  // 11 segments: 10 checkpoints
  auto sqrt_plan = solver::plan_storage(device, state, 1000, "checkpoint", budget, 0);
  EXPECT_EQ(sqrt_plan.segment_steps, 32);
  EXPECT_THROW(solver::plan_storage(device, state, 1000, "gpu", budget, 0), InputError);
  EXPECT_THROW(solver::plan_storage(device, state, 1000, "disk", 0, 0), InputError);
}

TEST(AdjointTaylor, ShMu) { taylor_test(kSh, "mu", 0.05 * 2000 * 1000 * 1000); }
TEST(AdjointTaylor, ShRho) { taylor_test(kSh, "rho", 0.05 * 2000); }
TEST(AdjointTaylor, ShVs) { taylor_test(kSh, "vs", 0.05 * 1000); }
TEST(AdjointTaylor, PsvLambda) { taylor_test(kPsv, "lambda", 0.2 * 2000 * (2000 * 2000 - 2 * 1100 * 1100)); }
TEST(AdjointTaylor, PsvMu) { taylor_test(kPsv, "mu", 0.2 * 2000 * 1100 * 1100); }
TEST(AdjointTaylor, PsvRho) { taylor_test(kPsv, "rho", 0.2 * 2000); }
TEST(AdjointTaylor, PsvVp) { taylor_test(kPsv, "vp", 0.1 * 2000); }
TEST(AdjointTaylor, PsvVs) { taylor_test(kPsv, "vs", 0.1 * 1100); }

}  // namespace
}  // namespace seiswg
