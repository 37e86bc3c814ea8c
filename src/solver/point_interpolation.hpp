#pragma once
// Sources and receivers at their true positions between grid samples (Hicks 2002): a point is
// spread onto (a source) or interpolated from (a receiver) the 8 x 8 samples of its field's own
// staggered grid around it, with Kaiser-windowed sinc weights per axis. A point on a sample gets
// that sample alone (sinc vanishes at the other integers): nearest-node results are kept exactly.
#include <vector>

namespace seiswg::solver {

struct SampleWeight {
  int i = 0, j = 0;
  double weight = 0;
};

// How samples above a free surface at z = 0 fold back into the grid: onto their mirror row (row -m
// onto m, or for a plane half a cell down row -1 - m onto m) times the field's parity.
struct SurfaceFold {
  double parity = 1;
  bool staggered = false;
};

// Kaiser-windowed sinc of half-width 4 samples (Hicks 2002, b = 6.31): the weight of a sample at
// signed distance d (in samples) from the point; 0 beyond 4.
double windowed_sinc(double d);

// Weights of the samples of an nx x nz plane for a point at fractional sample indices (fi, fj)
// (position / spacing less the plane's shift, see physics::Component). Samples outside the grid
// are dropped, except above a free surface (`fold` set), where they fold onto their mirror.
// Samples that fold onto one another are merged; zero weights are left out.
std::vector<SampleWeight> sinc_weights(double fi, double fj, int nx, int nz, const SurfaceFold* fold);

}  // namespace seiswg::solver
