// Cosserat (micropolar) medium: P-SV plus micro-rotation (see cosserat.wgsl for the equations and
// the grid placement). Reads Seispie's spin model files lambda, mu, nu, j, lambda_c, mu_c, nu_c, rho
// (lambda_c does not enter the 2-D in-plane equations). Averaging as in P-SV: densities (rho, j)
// arithmetic, moduli (mu, nu, mu_c + nu_c) harmonic over the nodes around a staggered position.
#include <algorithm>
#include <array>
#include <cmath>
#include <map>
#include <tuple>

#include "io/error.hpp"
#include "physics/common/material.hpp"
#include "physics/common/parallel_rows.hpp"
#include "physics/psv/psv.hpp"
#include "wgsl/embedded.hpp"

namespace seiswg::physics {
namespace {

// Largest eigenvalue of a symmetric 3x3 matrix (cyclic Jacobi rotations).
double largest_eigenvalue(std::array<std::array<double, 3>, 3> a) {
  for (int sweep = 0; sweep < 50; ++sweep) {
    double off = std::abs(a[0][1]) + std::abs(a[0][2]) + std::abs(a[1][2]);
    if (off <= 1e-15 * (std::abs(a[0][0]) + std::abs(a[1][1]) + std::abs(a[2][2]))) break;
    for (int p = 0; p < 2; ++p)
      for (int q = p + 1; q < 3; ++q) {
        if (a[p][q] == 0) continue;
        const double theta = (a[q][q] - a[p][p]) / (2 * a[p][q]);
        const double t = (theta >= 0 ? 1 : -1) / (std::abs(theta) + std::sqrt(theta * theta + 1));
        const double c = 1 / std::sqrt(t * t + 1), s = t * c;
        for (int r = 0; r < 3; ++r) {
          const double arp = a[r][p], arq = a[r][q];
          a[r][p] = c * arp - s * arq;
          a[r][q] = s * arp + c * arq;
        }
        for (int r = 0; r < 3; ++r) {
          const double apr = a[p][r], aqr = a[q][r];
          a[p][r] = c * apr - s * aqr;
          a[q][r] = s * apr + c * aqr;
        }
      }
  }
  return std::max({a[0][0], a[1][1], a[2][2]});
}

// The Cosserat model fields in double, with c = mu_c + nu_c (only their sum enters in 2-D).
struct RotationalFields {
  std::vector<double> j, nu, c;
  explicit RotationalFields(const io::Model& m)
      : j(field_as_double(m, "j")), nu(field_as_double(m, "nu")), c(field_as_double(m, "mu_c")) {
    const auto nu_c = field_as_double(m, "nu_c");
    for (std::size_t k = 0; k < c.size(); ++k) c[k] += nu_c[k];
  }
};

class Cosserat final : public StaggeredElastic {
 public:
  using StaggeredElastic::StaggeredElastic;
  std::string name() const override { return "Cosserat"; }
  std::vector<std::string> model_names() const override {
    return {"lambda", "mu", "nu", "j", "lambda_c", "mu_c", "nu_c", "rho"};
  }
  void validate(const io::Model& m) const override {
    const auto& f = m.fields;
    const auto &rho = f.at("rho"), &j = f.at("j"), &mu = f.at("mu"), &lambda = f.at("lambda"),
               &nu = f.at("nu"), &mu_c = f.at("mu_c"), &nu_c = f.at("nu_c");
    require_each(m, "rho", "must be > 0 (density)", [&](std::size_t k) { return rho[k] > 0; });
    require_each(m, "j", "must be > 0 (micro-inertia)", [&](std::size_t k) { return j[k] > 0; });
    require_each(m, "mu", "must be >= 0 (shear modulus)", [&](std::size_t k) { return mu[k] >= 0; });
    require_each(m, "lambda", "must satisfy lambda + mu > 0 (positive 2-D bulk modulus)",
                 [&](std::size_t k) { return double(lambda[k]) + double(mu[k]) > 0; });
    require_each(m, "nu", "must be >= 0 (Cosserat coupling modulus)",
                 [&](std::size_t k) { return nu[k] >= 0; });
    require_each(m, "mu_c", "must satisfy mu_c + nu_c >= 0 (couple-stress modulus)",
                 [&](std::size_t k) { return double(mu_c[k]) + double(nu_c[k]) >= 0; });
  }
  // The leapfrog is stable while dt^2 * (largest eigenvalue of M^-1 A) <= 4, where A is the
  // stiffness symbol at the highest wavenumber of the 4th-order operators and M = diag(rho, rho, J).
  double max_stable_dt(const io::Model& m) const override {
    const auto& f = m.fields;
    const auto &rho = f.at("rho"), &jj = f.at("j"), &mu = f.at("mu"), &lambda = f.at("lambda"),
               &nu = f.at("nu"), &mu_c = f.at("mu_c"), &nu_c = f.at("nu_c");
    const double a = max_symbol(m.grid.dx), b = max_symbol(m.grid.dz);
    double worst = 0;
    for (std::size_t k = 0; k < rho.size(); ++k) {
      const double l = lambda[k], u = mu[k], n = nu[k], c = double(mu_c[k]) + double(nu_c[k]);
      const double sr = 1 / std::sqrt(double(rho[k])), sj = 1 / std::sqrt(double(jj[k]));
      const double axx = (l + 2 * u) * a * a + (u + n) * b * b;
      const double azz = (l + 2 * u) * b * b + (u + n) * a * a;
      const double axz = (l + u - n) * a * b;
      const double axw = -2 * n * b, azw = 2 * n * a;
      const double aww = 4 * n + c * (a * a + b * b);
      std::array<std::array<double, 3>, 3> s = {{{axx * sr * sr, axz * sr * sr, axw * sr * sj},
                                                 {axz * sr * sr, azz * sr * sr, azw * sr * sj},
                                                 {axw * sr * sj, azw * sr * sj, aww * sj * sj}}};
      worst = std::max(worst, largest_eigenvalue(s));
    }
    return worst > 0 ? 2 / std::sqrt(worst) : INFINITY;
  }
  std::uint32_t velocity_planes() const override { return 3; }
  // P-SV's, w and sa at sxz's position, mx at (i+1, j+1/2), mz at (i+1/2, j+1) (cosserat.wgsl).
  std::vector<std::array<double, 2>> plane_positions() const override {
    return {{0.5, 0.0}, {0.0, 0.5}, {0.5, 0.5}, {0.0, 0.0}, {0.0, 0.0},
            {0.5, 0.5}, {0.5, 0.5}, {1.0, 0.5}, {0.5, 1.0}};
  }
  std::uint32_t stress_planes() const override { return 6; }
  std::uint32_t material_plane_count() const override { return 9; }
  std::vector<float> material_planes(const io::Model& m, double dt) const override {
    std::vector<float> planes = StaggeredElastic::material_planes(m, dt);
    const int nx = m.grid.nx, nz = m.grid.nz;
    const std::size_t n = m.grid.npt();
    const RotationalFields r(m);
    const auto &jj = r.j, &nu = r.nu, &c = r.c;
    planes.resize(9 * n);
    parallel_rows(nx, [&](int first, int end) {
      for (int i = first; i < end; ++i)
        for (int j = 0; j < nz; ++j) {
          const std::size_t k = std::size_t(i) * std::size_t(nz) + std::size_t(j);
          auto at = [&](const std::vector<double>& f, int di, int dj) {
            return clamped_at(f, nx, nz, i + di, j + dj);
          };
          const double j_avg = 0.25 * (at(jj, 0, 0) + at(jj, 1, 0) + at(jj, 0, 1) + at(jj, 1, 1));
          planes[5 * n + k] = float(dt / j_avg);
          planes[6 * n + k] =
              float(dt * 2 * harmonic_mean({at(nu, 0, 0), at(nu, 1, 0), at(nu, 0, 1), at(nu, 1, 1)}));
          planes[7 * n + k] = float(dt * harmonic_mean({at(c, 1, 0), at(c, 1, 1)}));
          planes[8 * n + k] = float(dt * harmonic_mean({at(c, 0, 1), at(c, 1, 1)}));
        }
    });
    return planes;
  }
  // Traction-free at z = 0 as P-SV (szz, sxz odd; the velocities, w included, without image), plus the
  // rest of the traction: the shear traction on vx is sxz + sa (sa, at sxz's position, odd too) and
  // the couple stress mz (a whole cell below its row, so its row -1 lies on the surface) odd, zero there.
  std::vector<SurfaceImage> surface_images() const override {
    return {{1, 1, -1.0, false}, {1, 2, -1.0, true}, {1, 3, -1.0, true}, {1, 5, -1.0, false, true}};
  }
  std::string wgsl() const override {
    return std::string(wgsl::source("physics/cosserat/cosserat.wgsl")) +
           std::string(wgsl::source("physics/psv/psv.wgsl"));
  }
  std::string adjoint_wgsl() const override {
    return wgsl() + std::string(wgsl::source("physics/cosserat/cosserat_adjoint.wgsl")) +
           std::string(wgsl::source("physics/psv/psv_adjoint.wgsl"));
  }
  // Planes 0-4 through the P-SV averaging (lambda, mu, rho); 5: dt / mean of 4 j; 6: dt 2 H(4 nu);
  // 7, 8: dt H(2 of mu_c + nu_c) (H: harmonic mean). lambda_c does not enter: its kernel is zero.
  std::map<std::string, std::vector<double>> model_gradient(const io::Model& m, double dt,
                                                            std::span<const double> g) const override {
    const Lame k = lame_gradient(m, dt, g);
    const int nx = m.grid.nx, nz = m.grid.nz;
    const std::size_t n = m.grid.npt();
    const RotationalFields r(m);
    const auto &jj = r.j, &nu = r.nu, &c = r.c;
    std::vector<double> kj(n, 0.0), knu(n, 0.0), kc(n, 0.0);
    auto index = [&](int i, int j) { return clamped_index(nx, nz, i, j); };
    // Cell (i, j) adds to nodes of rows i and i + 1.
    parallel_rows_adding_to_next(nx, [&](int first, int end) {
      for (int i = first; i < end; ++i)
        for (int j = 0; j < nz; ++j) {
          const std::size_t p = index(i, j);
          const std::size_t four[4] = {p, index(i + 1, j), index(i, j + 1), index(i + 1, j + 1)};
          const double j_mean = 0.25 * (jj[four[0]] + jj[four[1]] + jj[four[2]] + jj[four[3]]);
          for (std::size_t q : four) kj[q] += -g[5 * n + p] * dt / (j_mean * j_mean) * 0.25;
          const double h = harmonic_mean({nu[four[0]], nu[four[1]], nu[four[2]], nu[four[3]]});
          if (h > 0)
            for (std::size_t q : four) knu[q] += g[6 * n + p] * 2 * dt * h * h / (4 * nu[q] * nu[q]);
          for (auto [plane, a, b] : {std::tuple{7, index(i + 1, j), index(i + 1, j + 1)},
                                     std::tuple{8, index(i, j + 1), index(i + 1, j + 1)}}) {
            const double hc = harmonic_mean({c[a], c[b]});
            if (hc <= 0) continue;
            kc[a] += g[std::size_t(plane) * n + p] * dt * hc * hc / (2 * c[a] * c[a]);
            kc[b] += g[std::size_t(plane) * n + p] * dt * hc * hc / (2 * c[b] * c[b]);
          }
        }
    });
    return {{"lambda", k.lambda}, {"mu", k.mu}, {"rho", k.rho}, {"j", kj},
            {"nu", knu},          {"mu_c", kc}, {"nu_c", kc},   {"lambda_c", std::vector<double>(n, 0.0)}};
  }
  std::vector<Component> components() const override {
    auto c = StaggeredElastic::components();
    c.push_back({"ry", "ry", 2, 0.5, 0.5});
    return c;
  }

 protected:
  Lame lame(const io::Model& m) const override {
    const auto &rho = m.fields.at("rho"), &mu = m.fields.at("mu"), &lambda = m.fields.at("lambda");
    return {std::vector<double>(lambda.begin(), lambda.end()), std::vector<double>(mu.begin(), mu.end()),
            std::vector<double>(rho.begin(), rho.end())};
  }
};

}  // namespace

std::unique_ptr<WaveEquation> make_cosserat(bool source_types) {
  return std::make_unique<Cosserat>(source_types);
}

}  // namespace seiswg::physics
