// P-SV on a standard staggered grid. Parameter placement and averaging (documented in
// docs/physics.md): lambda and mu at the nodes (where sxx, szz live) are used as given; density
// at vx (i+1/2, j) and vz (i, j+1/2) is the arithmetic mean of the two nodes around; mu at sxz
// (i+1/2, j+1/2) is the harmonic mean of the four nodes around (zero if any is fluid).
#include "physics/psv/psv.hpp"

#include <algorithm>
#include <cmath>
#include <numbers>

#include "io/error.hpp"
#include "physics/common/material.hpp"
#include "wgsl/embedded.hpp"

namespace seiswg::physics {

std::vector<float> StaggeredElastic::material_planes(const io::Model& m, double dt) const {
  const Lame p = lame(m);
  const int nx = m.grid.nx, nz = m.grid.nz;
  const std::size_t n = m.grid.npt();
  auto at = [&](const std::vector<double>& f, int i, int j) { return clamped_at(f, nx, nz, i, j); };
  std::vector<float> planes(5 * n);
  for (int i = 0; i < nx; ++i)
    for (int j = 0; j < nz; ++j) {
      const std::size_t k = std::size_t(i) * std::size_t(nz) + std::size_t(j);
      planes[0 * n + k] = float(dt / (0.5 * (at(p.rho, i, j) + at(p.rho, i + 1, j))));
      planes[1 * n + k] = float(dt / (0.5 * (at(p.rho, i, j) + at(p.rho, i, j + 1))));
      planes[2 * n + k] = float(dt * (p.lambda[k] + 2 * p.mu[k]));
      planes[3 * n + k] = float(dt * p.lambda[k]);
      planes[4 * n + k] = float(dt * harmonic_mean({at(p.mu, i, j), at(p.mu, i + 1, j), at(p.mu, i, j + 1),
                                                    at(p.mu, i + 1, j + 1)}));
    }
  return planes;
}

std::vector<Component> StaggeredElastic::components() const {
  return {{"ux", "vx", 0, 0.5, 0.0}, {"uz", "vz", 1, 0.0, 0.5}};
}

// Seispie: fx = stf sin(angle), fz = -stf cos(angle) (z down: angle 0 pushes upward).
std::vector<Forcing> StaggeredElastic::forcing(double angle_deg) const {
  const double a = angle_deg * std::numbers::pi / 180.0;
  return {{0, 0, std::sin(a)}, {1, 1, -std::cos(a)}};
}

namespace {

class Psv final : public StaggeredElastic {
 public:
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
  std::string wgsl() const override {
    return std::string(wgsl::source("physics/psv/elastic_hooks.wgsl")) +
           std::string(wgsl::source("physics/psv/psv.wgsl"));
  }

 protected:
  Lame lame(const io::Model& m) const override {
    const auto& rho = m.fields.at("rho");
    const auto& vs = m.fields.at("vs");
    const auto& vp = m.fields.at("vp");
    Lame p;
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

std::unique_ptr<WaveEquation> make_psv() { return std::make_unique<Psv>(); }

}  // namespace seiswg::physics
