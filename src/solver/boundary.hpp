#pragma once
// The grid's edges as WGSL modules (physics/boundary/): every kernel calls their hooks
// (fits_forward / fits_backward: which derivatives are taken; boundary_velocity_factor: the damping
// of velocities each step), so that a new boundary (an absorbing layer, a free surface) is a module
// and its constants, not an edit of every kernel.
#include <algorithm>
#include <array>
#include <string>
#include <utility>
#include <vector>

#include "physics/wave_equation.hpp"
#include "wgsl/embedded.hpp"

namespace seiswg::solver {

// Seispie's Gaussian taper (abs_left/right/top/bottom, abs_width, abs_alpha).
struct Taper {
  bool left = false, right = false, top = false, bottom = false;
  int width = 0;
  double alpha = 0;
};

// Convolutional PML (Komatitsch & Martin 2007) on the sides marked ([solver] boundary = cpml, the
// abs_<side> keys, cpml_width): physics/boundary/cpml.wgsl, profiles in solver/cpml.hpp.
struct Cpml {
  bool left = false, right = false, top = false, bottom = false;
  int width = 0;             // nodes of each layer
  double f0 = 0;             // Hz, the sources' dominant frequency: alpha_max = pi f0
  double reflection = 1e-4;  // the layer's theoretical reflection coefficient at normal incidence
  int order = 2;             // of the damping profile d(x) = d0 (x / L)^order
  double speed = 0;          // m/s in d0; 0: the model's fastest wave (Propagator)
  bool on() const { return width > 0 && (left || right || top || bottom); }
};

// The grid's edges: the taper, a free surface at z = 0 (row j = 0) whose fields extend above
// the grid as the medium's images (physics::SurfaceImage), and CPML layers (instead of the taper).
// (Not an aggregate, so that a braced Taper, `{}` included, never reads as one.)
struct Edges {
  explicit Edges(const Taper& taper_, bool free_surface_, const Cpml& cpml_ = Cpml{})
      : taper(taper_), free_surface(free_surface_), cpml(cpml_) {}
  Taper taper;
  bool free_surface = false;
  Cpml cpml;
};

struct Boundary {
  std::string wgsl;                                       // composed after stencil.wgsl
  std::vector<std::pair<std::string, double>> constants;  // its override constants
  // Nodes in from the left, right, top and bottom sides where some hook acts on a stencil (every
  // node within 2): inside them lies the interior box that kernels may run without edge tests
  // (stencil.wgsl's SPLIT_PASS and INTERIOR_*). Each module widens it for itself.
  std::array<int, 4> interior_margins = {2, 2, 2, 2};
};

// The taper and the edge rule: Seispie's (a derivative whose stencil leaves the grid is zero) or
// closed (fields are zero outside the grid); the free surface with the medium's images, whose
// parities become WGSL here.
// `cpml_wgsl`: the CPML module with its profile (solver/cpml.hpp); empty: no CPML (its hooks are
// identities, physics/boundary/no_cpml.wgsl).
inline Boundary make_boundary(const Taper& taper, bool seispie_edges,
                              const std::vector<physics::SurfaceImage>* images = nullptr,
                              const std::string& cpml_wgsl = {}) {
  Boundary b;
  b.wgsl = std::string(wgsl::source(seispie_edges ? "physics/boundary/seispie_edges.wgsl"
                                                  : "physics/boundary/closed_edges.wgsl"));
  b.wgsl += wgsl::source("physics/boundary/taper.wgsl");
  if (images) {
    // surface_mirror_shift: half cells below its row where a plane's samples sit (0 at the nodes'
    // depth, 1 half a cell down, 2 a whole cell): row j's mirror is row -shift - j.
    std::string parity = "fn surface_parity(group: u32, plane: u32) -> f32 {\n",
                shift = "fn surface_mirror_shift(group: u32, plane: u32) -> i32 {\n";
    for (const auto& image : *images) {
      const std::string is = "  if (group == " + std::to_string(image.group) +
                             "u && plane == " + std::to_string(image.plane) + "u) { return ";
      parity += is + (image.parity < 0 ? "-1.0" : "1.0") + "; }\n";
      shift += is + (image.cell_below ? "2" : image.staggered ? "1" : "0") + "; }\n";
    }
    b.wgsl += parity + "  return 0.0;\n}\n" + shift + "  return 0;\n}\n";
    b.wgsl += wgsl::source("physics/boundary/free_surface.wgsl");
  } else {
    b.wgsl += wgsl::source("physics/boundary/no_free_surface.wgsl");
  }
  b.wgsl += cpml_wgsl.empty() ? std::string(wgsl::source("physics/boundary/no_cpml.wgsl")) : cpml_wgsl;
  b.constants = {{"TAPER_WIDTH", double(taper.width)},   {"TAPER_ALPHA", taper.alpha},
                 {"TAPER_LEFT", taper.left ? 1.0 : 0.0}, {"TAPER_RIGHT", taper.right ? 1.0 : 0.0},
                 {"TAPER_TOP", taper.top ? 1.0 : 0.0},   {"TAPER_BOTTOM", taper.bottom ? 1.0 : 0.0}};
  // Seispie's rule drops derivatives whose stencil leaves the grid: those within 2 of an edge
  // (fits_forward / fits_backward), so stencils within 4. The taper acts on the abs_width - 1 nodes
  // nearest a tapered side (boundary_velocity_factor), so stencils within abs_width + 1.
  const int edge = seispie_edges ? 4 : 2;
  const bool tapered[4] = {taper.left, taper.right, taper.top, taper.bottom};
  for (int side = 0; side < 4; ++side)
    b.interior_margins[std::size_t(side)] = std::max(edge, tapered[side] ? taper.width + 1 : 0);
  // A free surface folds the image rows back onto rows 0-2 in the transposes: stencils within 5.
  if (images) b.interior_margins[2] = std::max(b.interior_margins[2], 5);
  return b;
}

}  // namespace seiswg::solver
