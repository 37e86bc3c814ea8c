// SH: Seispie's scheme, so that seiswg reproduces Seispie's SH traces. mu = rho vs^2 per node.
#include <algorithm>
#include <cmath>

#include "io/error.hpp"
#include "physics/common/material.hpp"
#include "physics/wave_equation.hpp"
#include "wgsl/embedded.hpp"

namespace seiswg::physics {
namespace {

class Sh final : public WaveEquation {
 public:
  std::string name() const override { return "SH"; }
  std::vector<std::string> model_names() const override { return {"vs", "rho"}; }
  void validate(const io::Model& m) const override {
    const auto& rho = m.fields.at("rho");
    const auto& vs = m.fields.at("vs");
    require_each(m, "rho", "must be > 0 (density)", [&](std::size_t k) { return rho[k] > 0; });
    require_each(m, "vs", "must be >= 0 (S velocity)", [&](std::size_t k) { return vs[k] >= 0; });
  }
  double max_stable_dt(const io::Model& m) const override {
    const auto& vs = m.fields.at("vs");
    const double vmax = *std::max_element(vs.begin(), vs.end());
    return staggered_dt_limit(vmax, m.grid.dx, m.grid.dz);
  }
  std::vector<float> material_planes(const io::Model& m, double dt) const override {
    const auto& rho = m.fields.at("rho");
    const auto& vs = m.fields.at("vs");
    const std::size_t n = m.grid.npt();
    std::vector<float> planes(2 * n);
    for (std::size_t k = 0; k < n; ++k) {
      planes[k] = float(dt / double(rho[k]));
      planes[n + k] = float(dt * double(rho[k]) * double(vs[k]) * double(vs[k]));
    }
    return planes;
  }
  std::uint32_t velocity_planes() const override { return 1; }
  std::uint32_t stress_planes() const override { return 2; }
  std::uint32_t material_plane_count() const override { return 2; }
  std::string wgsl() const override { return std::string(wgsl::source("physics/sh/sh.wgsl")); }
  bool seispie_edges() const override { return true; }
  std::vector<Component> components() const override { return {{"uy", "vy", 0, 0, 0}}; }
  // vy (i, j); sxy (i+1/2, j); szy (i, j+1/2).
  std::vector<std::array<double, 2>> plane_positions() const override {
    return {{0.0, 0.0}, {0.5, 0.0}, {0.0, 0.5}};
  }
  std::vector<Forcing> forcing(double) const override { return {{0, 0, 1.0}}; }
  // Traction-free at z = 0 (szy = 0 there): vy even about it, szy (half a cell down) odd, exactly
  // the whole-space field of the source and its mirror image of the same sign. sxy is only
  // differentiated along x.
  std::vector<SurfaceImage> surface_images() const override {
    return {{0, 0, 1.0, false}, {1, 0, 1.0, false}, {1, 1, -1.0, true}};
  }

  std::string born_wgsl() const override {
    return wgsl() + std::string(wgsl::source("physics/sh/sh_born.wgsl"));
  }
  std::string adjoint_wgsl() const override {
    return wgsl() + std::string(wgsl::source("physics/sh/sh_adjoint.wgsl"));
  }
  // Planes: b = dt / rho, c = dt mu, mu = rho vs^2.
  std::map<std::string, std::vector<double>> model_gradient(const io::Model& m, double dt,
                                                            std::span<const double> g) const override {
    const auto& rho = m.fields.at("rho");
    const auto& vs = m.fields.at("vs");
    const std::size_t n = m.grid.npt();
    std::map<std::string, std::vector<double>> k;
    auto &kmu = k["mu"], &krho = k["rho"], &kvs = k["vs"], &krho_v = k["rho_velocity"];
    kmu.resize(n), krho.resize(n), kvs.resize(n), krho_v.resize(n);
    for (std::size_t i = 0; i < n; ++i) {
      const double r = rho[i], v = vs[i];
      kmu[i] = g[n + i] * dt;
      krho[i] = -g[i] * dt / (r * r);
      kvs[i] = kmu[i] * 2 * r * v;
      krho_v[i] = krho[i] + kmu[i] * v * v;
    }
    return k;
  }
};

}  // namespace

std::unique_ptr<WaveEquation> make_sh() { return std::make_unique<Sh>(); }

}  // namespace seiswg::physics
