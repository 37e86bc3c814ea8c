// Acoustic medium: pressure and particle velocity on P-SV's staggered grid (acoustic.wgsl). Model
// files vp and rho (a vs file beside them is not read); kappa = rho vp^2 at the nodes, density at
// vx (i+1/2, j) and vz (i, j+1/2) the arithmetic mean of the two nodes around, as in P-SV.
#include <algorithm>
#include <cmath>
#include <numbers>
#include <stdexcept>

#include "io/error.hpp"
#include "physics/common/material.hpp"
#include "physics/common/parallel_rows.hpp"
#include "physics/wave_equation.hpp"
#include "wgsl/embedded.hpp"

namespace seiswg::physics {
namespace {

// Material planes, in the order of acoustic.wgsl.
constexpr std::size_t kDtOverRhoX = 0, kDtOverRhoZ = 1, kDtKappa = 2, kDt = 3;

class Acoustic final : public WaveEquation {
 public:
  std::string name() const override { return "acoustic"; }
  std::vector<std::string> model_names() const override { return {"vp", "rho"}; }
  void validate(const io::Model& m) const override {
    const auto& rho = m.fields.at("rho");
    const auto& vp = m.fields.at("vp");
    require_each(m, "rho", "must be > 0 (density)", [&](std::size_t k) { return rho[k] > 0; });
    require_each(m, "vp", "must be > 0 (sound speed)", [&](std::size_t k) { return vp[k] > 0; });
  }
  double max_stable_dt(const io::Model& m) const override {
    const auto& vp = m.fields.at("vp");
    return staggered_dt_limit(*std::max_element(vp.begin(), vp.end()), m.grid.dx, m.grid.dz);
  }
  std::vector<float> material_planes(const io::Model& m, double dt) const override {
    const auto rho = field_as_double(m, "rho");
    const auto vp = field_as_double(m, "vp");
    const int nx = m.grid.nx, nz = m.grid.nz;
    const std::size_t n = m.grid.npt();
    auto at = [&](const std::vector<double>& f, int i, int j) { return clamped_at(f, nx, nz, i, j); };
    std::vector<float> planes(4 * n);
    parallel_rows(nx, [&](int first, int end) {
      for (int i = first; i < end; ++i)
        for (int j = 0; j < nz; ++j) {
          const std::size_t k = std::size_t(i) * std::size_t(nz) + std::size_t(j);
          planes[kDtOverRhoX * n + k] = float(dt / (0.5 * (at(rho, i, j) + at(rho, i + 1, j))));
          planes[kDtOverRhoZ * n + k] = float(dt / (0.5 * (at(rho, i, j) + at(rho, i, j + 1))));
          planes[kDtKappa * n + k] = float(dt * rho[k] * vp[k] * vp[k]);
          planes[kDt * n + k] = float(dt);
        }
    });
    return planes;
  }
  std::uint32_t velocity_planes() const override { return 2; }
  std::uint32_t stress_planes() const override { return 1; }
  std::uint32_t material_plane_count() const override { return 4; }
  std::string wgsl() const override { return std::string(wgsl::source("physics/acoustic/acoustic.wgsl")); }
  std::string adjoint_wgsl() const override {
    return wgsl() + std::string(wgsl::source("physics/acoustic/acoustic_adjoint.wgsl"));
  }
  std::string born_wgsl() const override {
    return wgsl() + std::string(wgsl::source("physics/acoustic/acoustic_born.wgsl"));
  }
  // Pressure (Pa) at the nodes, then the displacement at vx and vz.
  // vx (i+1/2, j); vz (i, j+1/2); p (i, j).
  std::vector<std::array<double, 2>> plane_positions() const override {
    return {{0.5, 0.0}, {0.0, 0.5}, {0.0, 0.0}};
  }
  std::vector<Component> components() const override {
    return {{"p", "p", 0, 0.0, 0.0, true}, {"ux", "vx", 0, 0.5, 0.0}, {"uz", "vz", 1, 0.0, 0.5}};
  }
  // A force as in P-SV: fx = stf sin(angle), fz = -stf cos(angle) (z down: angle 0 pushes upward).
  std::vector<Forcing> forcing(double angle_deg) const override {
    const double a = angle_deg * std::numbers::pi / 180.0;
    return {{0, std::uint32_t(kDtOverRhoX), std::sin(a)}, {1, std::uint32_t(kDtOverRhoZ), -std::cos(a)}};
  }
  // Type 0: a force; type 1: a volume injection dp/dt += q (the caller spreads stf over the cell).
  std::vector<Forcing> source_forcing(int type, double angle_deg) const override {
    if (type == 0) return forcing(angle_deg);
    if (type == 1) return {{0, std::uint32_t(kDt), 1.0, true}};
    throw std::invalid_argument("acoustic source type " + std::to_string(type));
  }
  std::string source_types() const override { return "0 (force) or 1 (volume injection)"; }
  bool has_stress_sources() const override { return true; }
  // Pressure release at z = 0: p odd about it (p = 0 on row 0), so vx (at the nodes' depths) odd
  // and vz (half a cell below) even: the image of the source in a mirror with the opposite sign.
  std::vector<SurfaceImage> surface_images() const override {
    return {{0, 0, -1.0, false}, {0, 1, 1.0, true}, {1, 0, -1.0, false}};
  }

  // Planes: bx = dt / mean(rho of 2 nodes), bz likewise, c = dt kappa, kappa = rho vp^2; the dt plane
  // is no model parameter.
  std::map<std::string, std::vector<double>> model_gradient(const io::Model& m, double dt,
                                                            std::span<const double> g) const override {
    const auto rho = field_as_double(m, "rho");
    const auto vp = field_as_double(m, "vp");
    const int nx = m.grid.nx, nz = m.grid.nz;
    const std::size_t n = m.grid.npt();
    std::vector<double> kkappa(n, 0.0), krho(n, 0.0);
    auto index = [&](int i, int j) { return clamped_index(nx, nz, i, j); };
    // Cell (i, j) adds to nodes of rows i and i + 1.
    parallel_rows_adding_to_next(nx, [&](int first, int end) {
      for (int i = first; i < end; ++i)
        for (int j = 0; j < nz; ++j) {
          const std::size_t c = index(i, j);
          for (auto [plane, q] :
               {std::pair{kDtOverRhoX, index(i + 1, j)}, std::pair{kDtOverRhoZ, index(i, j + 1)}}) {
            const double mean = 0.5 * (rho[c] + rho[q]);
            const double d = -g[plane * n + c] * dt / (mean * mean) * 0.5;
            krho[c] += d;
            krho[q] += d;
          }
          kkappa[c] += dt * g[kDtKappa * n + c];
        }
    });
    std::vector<double> kvp(n), krho_v(n);
    for (std::size_t k = 0; k < n; ++k) {
      kvp[k] = kkappa[k] * 2 * rho[k] * vp[k];
      krho_v[k] = krho[k] + kkappa[k] * vp[k] * vp[k];
    }
    return {{"kappa", kkappa}, {"rho", krho}, {"vp", kvp}, {"rho_velocity", krho_v}};
  }
};

}  // namespace

std::unique_ptr<WaveEquation> make_acoustic() { return std::make_unique<Acoustic>(); }

}  // namespace seiswg::physics
