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

// Memory variables of the strip buffer: `sets` sets of every plane's x strips (2W x nz) and z strips
// (nx x 2W) for every shot. The coefficient table (cpml_table) follows them.
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
// d0 = -(N + 1) c ln(R) / (2 L), L = W h, and alpha(r) = pi f0 (1 - r), r the depth in the layer
// of a sample at position p (in nodes): (W - 1/2 - p) / W in the low layer, (p - (n - W - 1/2)) / W
// in the high one. The coefficients (a, b) of the recursion psi = b psi + a D, b = exp(-(d + alpha)
// dt), a = d / (d + alpha) (b - 1), at every half-node position p = q / 2 of a line of n nodes
// (q = 0..2n), computed here in double once, so that every kernel reads the same values.
inline std::vector<float> cpml_line_coefficients(const Cpml& cpml, int n, bool low, bool high, double h,
                                                 double dt, double speed) {
  const double c = cpml.speed > 0 ? cpml.speed : speed;
  const double d0 = -(cpml.order + 1) * c * std::log(cpml.reflection) / (2 * cpml.width * h);
  std::vector<float> ab;
  for (int q = 0; q <= 2 * n; ++q) {
    const double p = 0.5 * q, w = cpml.width;
    double depth = 0;
    if (low) depth = std::max(depth, w - 0.5 - p);
    if (high) depth = std::max(depth, p - (n - w - 0.5));
    const double r = depth / w;
    const double d = d0 * std::pow(r, cpml.order), alpha = std::numbers::pi * cpml.f0 * (1 - r);
    const double b = std::exp(-(d + alpha) * dt);
    const double a = d + alpha > 0 ? d / (d + alpha) * (b - 1) : 0.0;
    ab.push_back(float(a));
    ab.push_back(float(b));
  }
  return ab;
}
// The table that follows the memory variables in the buffer: x positions, then z positions.
inline std::vector<float> cpml_table(const Cpml& cpml, int nx, int nz, double dx, double dz, double dt,
                                     double speed) {
  auto table = cpml_line_coefficients(cpml, nx, cpml.left, cpml.right, dx, dt, speed);
  const auto z = cpml_line_coefficients(cpml, nz, cpml.top, cpml.bottom, dz, dt, speed);
  table.insert(table.end(), z.begin(), z.end());
  return table;
}

// The module's override constants for a buffer whose memory variables take `memory_floats`.
inline std::vector<std::pair<std::string, double>> cpml_constants(const Cpml& cpml, int nx, int nz,
                                                                  std::uint32_t planes, std::uint32_t shots,
                                                                  std::uint32_t sets = kCpmlSets) {
  const std::uint64_t memory = cpml_floats(cpml, nx, nz, planes, shots, sets);
  const double z_base =
      double(std::uint64_t(sets) * planes * shots * 2ull * std::uint64_t(cpml.width) * std::uint64_t(nz));
  return {{"CPML_WIDTH", double(cpml.width)},
          {"CPML_LEFT", cpml.left ? 1.0 : 0.0},
          {"CPML_RIGHT", cpml.right ? 1.0 : 0.0},
          {"CPML_TOP", cpml.top ? 1.0 : 0.0},
          {"CPML_BOTTOM", cpml.bottom ? 1.0 : 0.0},
          {"CPML_SLOTS", double(planes)},
          {"CPML_Z_BASE", z_base},
          {"CPML_TABLE_X", double(memory)},
          {"CPML_TABLE_Z", double(memory + 2ull * (2ull * std::uint64_t(nx) + 1))}};
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
  if (cpml_floats(cpml, nx, nz, physics.velocity_planes() + physics.stress_planes(), shots) +
          4ull * (std::uint64_t(nx) + std::uint64_t(nz) + 1) >=
      (1ull << 32))
    throw InputError("[solver] boundary = cpml: the layers' memory variables exceed 2^32 values");
}

}  // namespace seiswg::solver
