#pragma once
// Conditioning of FWI gradients on the model grid: Gaussian smoothing, masks around the sources and of
// the top rows, and depth weighting.
//
// Fields are nx x nz nodes stored as node k = i*nz + j, i along x and j along z (depth; z grows
// downward, z = z0 + j*dz, as in Seispie's model files): j = 0 is the top row.
//
// Pure host code without files, so that it also builds with Emscripten.
#include <cstddef>
#include <span>
#include <vector>

namespace seiswg::inversion {

// Separable Gaussian smoothing in place with standard deviations sigma_x, sigma_z in grid points (from
// metres the caller divides by dx, dz); 0 leaves that axis alone. The kernel exp(-k^2 / (2 sigma^2)) is
// truncated at |k| <= ceil(4 sigma) and, at each node, divided by the sum of its weights that fall inside
// the grid, so that a constant field stays constant up to the edges.
//
// With W the (symmetric) truncated convolution and D the diagonal of those sums, the operator is
// S = D^-1 W: self-adjoint where the kernel fits inside the grid (D constant there) but not exactly
// within 4 sigma of an edge, where <S a, D b> = <D a, S b> instead. Throws InputError for a negative
// or non-finite sigma or a field that is not nx * nz values.
void smooth_gaussian(std::span<double> field, int nx, int nz, double sigma_x, double sigma_z);
void smooth_gaussian(std::span<float> field, int nx, int nz, double sigma_x, double sigma_z);

// A position in grid points: i = (x - x0) / dx, j = (z - z0) / dz (need not be a node).
struct GridPoint {
  double i = 0, j = 0;
};

// 0 at each source, rising as a cosine taper 0.5 - 0.5 cos(pi r / radius) to 1 at distance `radius`
// (in grid points, sqrt(di^2 + dj^2)) and beyond; where sources' tapers overlap, the lowest value
// (the nearest source's). radius = 0: all ones. Throws InputError for a negative radius.
std::vector<double> source_mask(int nx, int nz, std::span<const GridPoint> sources, double radius);

// 0 on the top `muted_rows` rows (j < muted_rows), then a cosine taper over `taper_rows` rows
// (row muted_rows + m, m = 0 .. taper_rows - 1, gets 0.5 - 0.5 cos(pi (m + 1) / (taper_rows + 1))),
// 1 below. Throws InputError for negative row counts.
std::vector<double> top_mute(int nx, int nz, int muted_rows, int taper_rows);

// (z / z_ref)^power at every node, z = z0 + j*dz (power > 0 strengthens the gradient at depth, where
// geometric spreading weakens it). Nodes at z <= 0 get 0 for power > 0 and 1 for power = 0; a negative
// power needs z > 0 everywhere. Throws InputError for z_ref <= 0, dz <= 0, non-finite values, or a
// negative power with a node at z <= 0.
std::vector<double> depth_weights(int nx, int nz, double z0, double dz, double z_ref, double power);

// field[k] *= weights[k]. Throws InputError when the sizes differ.
void apply_weights(std::span<double> field, std::span<const double> weights);
void apply_weights(std::span<float> field, std::span<const double> weights);

}  // namespace seiswg::inversion
