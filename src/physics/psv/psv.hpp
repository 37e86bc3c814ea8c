#pragma once
#include <vector>

#include "io/seispie_files.hpp"
#include "physics/wave_equation.hpp"

namespace seiswg::physics {

// Lame parameters per node, in double.
struct Lame {
  std::vector<double> lambda, mu, rho;
};

// P-SV on the staggered grid; Cosserat extends it. Subclasses say where lambda and mu come from.
class StaggeredElastic : public WaveEquation {
 public:
  explicit StaggeredElastic(bool source_types) : source_types_(source_types) {}
  std::uint32_t velocity_planes() const override { return 2; }
  std::uint32_t stress_planes() const override { return 3; }
  std::uint32_t material_plane_count() const override { return 5; }
  std::vector<float> material_planes(const io::Model& m, double dt) const override;
  std::vector<Component> components() const override;
  // vx (i+1/2, j), vz (i, j+1/2); sxx, szz (i, j); sxz (i+1/2, j+1/2).
  std::vector<std::array<double, 2>> plane_positions() const override {
    return {{0.5, 0.0}, {0.0, 0.5}, {0.0, 0.0}, {0.0, 0.0}, {0.5, 0.5}};
  }
  std::vector<Forcing> forcing(double angle_deg) const override;
  // With source types read: 0 force, 1 explosion (m = identity); 2 (a moment tensor) through
  // moment_forcing. Without, every source is a force (Seispie's).
  std::vector<Forcing> source_forcing(int type, double angle_deg) const override;
  std::string source_types() const override;
  bool has_stress_sources() const override { return source_types_; }
  std::vector<Forcing> moment_forcing(double mxx, double mzz, double mxz) const override;
  // d J / d (lambda, mu, rho) per node from the material-plane gradient (through the averaging).
  Lame lame_gradient(const io::Model& m, double dt, std::span<const double> g) const;

 protected:
  virtual Lame lame(const io::Model& m) const = 0;

 private:
  bool source_types_ = false;
};

}  // namespace seiswg::physics
