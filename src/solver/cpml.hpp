#pragma once
// The CPML's profile and memory layout (physics/boundary/cpml.wgsl): the WGSL module with the
// medium's plane positions, its override constants, and the size of its strip buffer.
#include <cmath>
#include <cstdint>
#include <numbers>
#include <string>
#include <utility>
#include <vector>

#include "io/error.hpp"
#include "physics/wave_equation.hpp"
#include "solver/boundary.hpp"
#include "wgsl/embedded.hpp"

namespace seiswg::solver {

// Memory sets in the forward's buffer: the forward's own, and a Born perturbation's (whose kernels
// read the background's beside their own through one binding).
inline constexpr std::uint32_t kCpmlSets = 2;

// Values of the strip buffer: `sets` sets of every plane's x strips (2W x nz) and z strips (nx x 2W)
// for every shot.
inline std::uint64_t cpml_floats(const Cpml& cpml, int nx, int nz, std::uint32_t planes, std::uint32_t shots,
                                 std::uint32_t sets = kCpmlSets) {
  return std::uint64_t(sets) * planes * shots * 2ull * std::uint64_t(cpml.width) * std::uint64_t(nx + nz);
}

// The module: cpml_shift(slot) and CPML_VEL_PLANES from the medium, then cpml.wgsl.
inline std::string cpml_wgsl(const physics::WaveEquation& physics) {
  const auto positions = physics.plane_positions();
  std::string code = "const CPML_VEL_PLANES: u32 = " + std::to_string(physics.velocity_planes()) + "u;\n";
  code += "fn cpml_shift(slot: u32) -> vec2<f32> {\n";
  for (std::size_t slot = 0; slot < positions.size(); ++slot)
    code += "  if (slot == " + std::to_string(slot) + "u) { return vec2<f32>(" +
            std::to_string(positions[slot][0]) + ", " + std::to_string(positions[slot][1]) + "); }\n";
  code += "  return vec2<f32>(0.0, 0.0);\n}\n";
  return code + std::string(wgsl::source("physics/boundary/cpml.wgsl"));
}

// The profile (Komatitsch & Martin 2007; Collino & Tsogka 2001 for d0): d(r) = d0 r^N with
// d0 = -(N + 1) c ln(R) / (2 L), L = W h, and alpha(r) = pi f0 (1 - r), r the depth in the layer.
// `speed`: the fastest wave (m/s) when cpml.speed is 0.
inline std::vector<std::pair<std::string, double>> cpml_constants(const Cpml& cpml, int nz, double dx,
                                                                  double dz, double dt, double speed,
                                                                  std::uint32_t planes, std::uint32_t shots,
                                                                  std::uint32_t sets = kCpmlSets) {
  const double c = cpml.speed > 0 ? cpml.speed : speed;
  const double n = cpml.order;
  const double log_r = std::log(cpml.reflection);
  auto d0 = [&](double h) { return -(n + 1) * c * log_r / (2 * cpml.width * h); };
  const double z_base =
      double(std::uint64_t(sets) * planes * shots * 2ull * std::uint64_t(cpml.width) * std::uint64_t(nz));
  return {{"CPML_WIDTH", double(cpml.width)},
          {"CPML_LEFT", cpml.left ? 1.0 : 0.0},
          {"CPML_RIGHT", cpml.right ? 1.0 : 0.0},
          {"CPML_TOP", cpml.top ? 1.0 : 0.0},
          {"CPML_BOTTOM", cpml.bottom ? 1.0 : 0.0},
          {"CPML_D0_X", d0(dx)},
          {"CPML_D0_Z", d0(dz)},
          {"CPML_ALPHA_MAX", std::numbers::pi * cpml.f0},
          {"CPML_ORDER", double(cpml.order)},
          {"CPML_DT", dt},
          {"CPML_SLOTS", double(planes)},
          {"CPML_Z_BASE", z_base}};
}

// Refuses layers the grid cannot hold (each layer under half the grid; memory indices in 32 bits).
inline void check_cpml(const Cpml& cpml, const physics::WaveEquation& physics, int nx, int nz,
                       std::uint32_t shots) {
  if (physics.plane_positions().empty())
    throw InputError("[solver] boundary = cpml is not available for the " + physics.name() + " medium");
  if (cpml.width < 1) throw InputError("[solver] cpml_width: must be >= 1");
  if (2 * cpml.width >= std::min(nx, nz))
    throw InputError("[solver] cpml_width = " + std::to_string(cpml.width) + ": the layers would cover the " +
                     std::to_string(nx) + " x " + std::to_string(nz) + " grid: expected 1 to " +
                     std::to_string((std::min(nx, nz) - 1) / 2) + " nodes (less than half its smaller side)");
  if (!(cpml.reflection > 0 && cpml.reflection < 1) || cpml.order < 1 || cpml.f0 < 0)
    throw std::logic_error("Cpml: reflection in (0, 1), order >= 1, f0 >= 0");
  if (cpml_floats(cpml, nx, nz, physics.velocity_planes() + physics.stress_planes(), shots) >= (1ull << 32))
    throw InputError("[solver] boundary = cpml: the layers' memory variables exceed 2^32 values");
}

}  // namespace seiswg::solver
