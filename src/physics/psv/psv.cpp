// P-SV on a standard staggered grid. Parameter placement and averaging (documented in
// docs/physics.md): lambda and mu at the nodes (where sxx, szz live) are used as given; density
// at vx (i+1/2, j) and vz (i, j+1/2) is the arithmetic mean of the two nodes around; mu at sxz
// (i+1/2, j+1/2) is the harmonic mean of the four nodes around (zero if any is fluid).
#include "physics/psv/psv.hpp"

#include <algorithm>
#include <cmath>
#include <numbers>
#include <stdexcept>
#include <string>

#include "io/error.hpp"
#include "physics/common/material.hpp"
#include "physics/common/parallel_rows.hpp"
#include "wgsl/embedded.hpp"

namespace seiswg::physics {

std::vector<float> StaggeredElastic::material_planes(const io::Model& m, double dt) const {
  const Lame p = lame(m);
  const int nx = m.grid.nx, nz = m.grid.nz;
  const std::size_t n = m.grid.npt();
  auto at = [&](const std::vector<double>& f, int i, int j) { return clamped_at(f, nx, nz, i, j); };
  std::vector<float> planes(5 * n);
  parallel_rows(nx, [&](int first, int end) {
    for (int i = first; i < end; ++i)
      for (int j = 0; j < nz; ++j) {
        const std::size_t k = std::size_t(i) * std::size_t(nz) + std::size_t(j);
        planes[0 * n + k] = float(dt / (0.5 * (at(p.rho, i, j) + at(p.rho, i + 1, j))));
        planes[1 * n + k] = float(dt / (0.5 * (at(p.rho, i, j) + at(p.rho, i, j + 1))));
        planes[2 * n + k] = float(dt * (p.lambda[k] + 2 * p.mu[k]));
        planes[3 * n + k] = float(dt * p.lambda[k]);
        planes[4 * n + k] = float(dt * harmonic_mean({at(p.mu, i, j), at(p.mu, i + 1, j), at(p.mu, i, j + 1),
                                                      at(p.mu, i + 1, j + 1)}));
      }
  });
  return planes;
}

Lame StaggeredElastic::lame_gradient(const io::Model& m, double dt, std::span<const double> g) const {
  const Lame p = lame(m);
  const int nx = m.grid.nx, nz = m.grid.nz;
  const std::size_t n = m.grid.npt();
  Lame k{std::vector<double>(n), std::vector<double>(n), std::vector<double>(n)};
  auto index = [&](int i, int j) { return clamped_index(nx, nz, i, j); };
  // Cell (i, j) adds to nodes of rows i and i + 1.
  parallel_rows_adding_to_next(nx, [&](int first, int end) {
    for (int i = first; i < end; ++i)
      for (int j = 0; j < nz; ++j) {
        const std::size_t c = index(i, j);
        // b = dt / mean(rho of two nodes): d b / d rho_q = -dt / mean^2 / 2 for each of the two.
        for (auto [plane, q] : {std::pair{0, index(i + 1, j)}, std::pair{1, index(i, j + 1)}}) {
          const double mean = 0.5 * (p.rho[c] + p.rho[q]);
          const double d = -g[std::size_t(plane) * n + c] * dt / (mean * mean) * 0.5;
          k.rho[c] += d;
          k.rho[q] += d;
        }
        k.lambda[c] += dt * (g[2 * n + c] + g[3 * n + c]);
        k.mu[c] += 2 * dt * g[2 * n + c];
        // dt * harmonic mean H of four mu: d H / d mu_q = H^2 / (4 mu_q^2).
        const std::size_t q4[4] = {c, index(i + 1, j), index(i, j + 1), index(i + 1, j + 1)};
        const double h = harmonic_mean({p.mu[q4[0]], p.mu[q4[1]], p.mu[q4[2]], p.mu[q4[3]]});
        if (h > 0)
          for (std::size_t q : q4) k.mu[q] += g[4 * n + c] * dt * h * h / (4 * p.mu[q] * p.mu[q]);
      }
  });
  return k;
}

std::vector<Component> StaggeredElastic::components() const {
  return {{"ux", "vx", 0, 0.5, 0.0}, {"uz", "vz", 1, 0.0, 0.5}};
}

// Seispie: fx = stf sin(angle), fz = -stf cos(angle) (z down: angle 0 pushes upward).
std::vector<Forcing> StaggeredElastic::forcing(double angle_deg) const {
  const double a = angle_deg * std::numbers::pi / 180.0;
  return {{0, 0, std::sin(a)}, {1, 1, -std::cos(a)}};
}

std::vector<Forcing> StaggeredElastic::source_forcing(int type, double angle_deg) const {
  if (!source_types_ || type == 0) return forcing(angle_deg);
  if (type == 1) return moment_forcing(1, 1, 0);
  throw std::invalid_argument("elastic source type " + std::to_string(type));
}

std::string StaggeredElastic::source_types() const {
  return source_types_ ? "0 (force), 1 (explosion) or 2 (moment tensor, three more columns mxx mzz mxz)" : "";
}

// The stress glut s = sigma - M delta: sxx, szz at the nodes; sxz (M's xz = zx) half a cell right and
// down. Without source types the medium takes no moment tensors.
std::vector<Forcing> StaggeredElastic::moment_forcing(double mxx, double mzz, double mxz) const {
  if (!source_types_) return {};
  constexpr std::uint32_t kSxx = 0, kSzz = 1, kSxz = 2;
  constexpr std::uint32_t none = Forcing::kUnweighted;
  return {{kSxx, none, -mxx, true, true, 0.0, 0.0},
          {kSzz, none, -mzz, true, true, 0.0, 0.0},
          {kSxz, none, -mxz, true, true, 0.5, 0.5}};
}

namespace {

class Psv final : public StaggeredElastic {
 public:
  using StaggeredElastic::StaggeredElastic;
  std::string name() const override { return "P-SV"; }
  std::vector<std::string> model_names() const override { return {"vp", "vs", "rho"}; }
  void validate(const io::Model& m) const override {
    const auto& rho = m.fields.at("rho");
    const auto& vs = m.fields.at("vs");
    const auto& vp = m.fields.at("vp");
    require_each(m, "rho", "must be > 0 (density)", [&](std::size_t k) { return rho[k] > 0; });
    require_each(m, "vs", "must be >= 0 (S velocity)", [&](std::size_t k) { return vs[k] >= 0; });
    require_each(m, "vp",
                 "must be > 0 and > sqrt(2) * vs (lambda = rho (vp^2 - 2 vs^2) > 0, vs = " +
                     std::string("the value in proc000000_vs.bin at this node)"),
                 [&](std::size_t k) { return vp[k] > 0 && double(vp[k]) > std::sqrt(2.0) * double(vs[k]); });
  }
  double max_stable_dt(const io::Model& m) const override {
    const auto& vp = m.fields.at("vp");
    return staggered_dt_limit(*std::max_element(vp.begin(), vp.end()), m.grid.dx, m.grid.dz);
  }
  // Traction-free at z = 0 (Levander's stress imaging): szz odd about it (zero on row 0), sxz (half
  // a cell down) odd, so that the velocity update near the top sees the image stresses. The
  // velocities have no image: their z differences reaching above the surface are reduced to 2nd
  // order (physics/boundary/free_surface.wgsl), and sxx on row 0 takes ezz from szz = 0
  // (normal_moduli in psv.wgsl).
  std::vector<SurfaceImage> surface_images() const override {
    return {{1, 1, -1.0, false}, {1, 2, -1.0, true}};
  }
  std::string wgsl() const override {
    return std::string(wgsl::source("physics/psv/elastic_hooks.wgsl")) +
           std::string(wgsl::source("physics/psv/psv.wgsl"));
  }
  std::string born_wgsl() const override {
    return wgsl() + std::string(wgsl::source("physics/psv/psv_born.wgsl"));
  }
  std::string adjoint_wgsl() const override {
    return wgsl() + std::string(wgsl::source("physics/psv/elastic_adjoint_hooks.wgsl")) +
           std::string(wgsl::source("physics/psv/psv_adjoint.wgsl"));
  }
  // lambda = rho (vp^2 - 2 vs^2), mu = rho vs^2.
  std::map<std::string, std::vector<double>> model_gradient(const io::Model& m, double dt,
                                                            std::span<const double> g) const override {
    Lame k = lame_gradient(m, dt, g);
    const auto &rho = m.fields.at("rho"), &vp = m.fields.at("vp"), &vs = m.fields.at("vs");
    const std::size_t n = m.grid.npt();
    std::map<std::string, std::vector<double>> out{
        {"lambda", std::move(k.lambda)}, {"mu", std::move(k.mu)}, {"rho", std::move(k.rho)}};
    const auto &klambda = out["lambda"], &kmu = out["mu"], &krho = out["rho"];
    auto &kvp = out["vp"], &kvs = out["vs"], &krho_v = out["rho_velocity"];
    kvp.resize(n), kvs.resize(n), krho_v.resize(n);
    for (std::size_t i = 0; i < n; ++i) {
      const double r = rho[i], a = vp[i], b = vs[i];
      kvp[i] = klambda[i] * 2 * r * a;
      kvs[i] = kmu[i] * 2 * r * b - klambda[i] * 4 * r * b;
      krho_v[i] = krho[i] + klambda[i] * (a * a - 2 * b * b) + kmu[i] * b * b;
    }
    return out;
  }

 protected:
  Lame lame(const io::Model& m) const override {
    const auto& rho = m.fields.at("rho");
    const auto& vs = m.fields.at("vs");
    const auto& vp = m.fields.at("vp");
    Lame p;
    p.rho.reserve(rho.size()), p.mu.reserve(rho.size()), p.lambda.reserve(rho.size());
    for (std::size_t k = 0; k < rho.size(); ++k) {
      const double r = rho[k], a = vp[k], b = vs[k];
      p.rho.push_back(r);
      p.mu.push_back(r * b * b);
      p.lambda.push_back(r * (a * a - 2 * b * b));
    }
    return p;
  }
};

}  // namespace

std::unique_ptr<WaveEquation> make_psv(bool source_types) { return std::make_unique<Psv>(source_types); }

}  // namespace seiswg::physics
