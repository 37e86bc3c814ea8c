#pragma once
// Seispie's `mode = adjoint`: misfit between synthetics (model_init) and observed traces, and the
// exact sensitivity kernels d J / d model.
#include <iosfwd>

#include "solver/forward.hpp"

namespace seiswg::solver {

// J = 1/2 sum over runs, components, receivers and samples of (w(t) (d - d_obs))^2 dt, where w is
// Seispie's cosine taper of width `taper_fraction` x trace length at both ends (1 when 0).
// Returns J (double) and writes d J / d d into `dj_dd`.
double waveform_misfit(std::span<const float> synthetic, std::span<const float> observed, std::size_t nt,
                       double dt, double taper_fraction, std::vector<double>& dj_dd);

// Runs the adjoint workflow and writes <output>/misfit.txt and <output>/kernels/proc000000_k<name>.bin
// (+ PNG). Throws like run_forward.
RunSummary run_adjoint(const ForwardCase& c, const RunOptions& options, std::ostream& log);

}  // namespace seiswg::solver
