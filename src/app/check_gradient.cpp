// `seiswg check-gradient CASE`: the gradient checks of the tests, run on the user's own case.
#include <cmath>
#include <cstdio>
#include <ostream>

#include "app/runs.hpp"
#include "app/stage_media.hpp"
#include "inversion/conditioning.hpp"
#include "inversion/parametrization.hpp"
#include "io/error.hpp"
#include "problem/misfit.hpp"
#include "problem/problem.hpp"

namespace seiswg::app {
namespace {

// A reproducible pseudo-random sequence in [-1, 1) (the same direction on every machine).
struct Lcg {
  std::uint64_t state;
  double next() {
    state = state * 6364136223846793005ull + 1442695040888963407ull;
    return double(state >> 11) / double(1ull << 52) - 1.0;
  }
};

std::string cell(double v, const char* format = "%.6e") {
  char text[48];
  std::snprintf(text, sizeof text, format, v);
  return text;
}

}  // namespace

bool run_check_gradient(const Case& c, const RunOptions& options, std::ostream& out) {
  const InversionSpec spec = c.inversion ? *c.inversion : inversion_spec(c);
  const Stage& stage = spec.stages.front();
  const auto filter = stage_filter(stage, c.dt);
  const auto misfit = problem::make_misfit(stage.misfit, c.misfit_taper);
  const auto& grid = c.model.grid;
  RunSummary summary;
  auto device = start_run(c, options, out, summary);

  StageMedia media = stage_media(c, {});
  std::map<std::string, problem::Data> observed_files;
  if (!c.model_true)
    for (const auto& m : media.media)
      observed_files[m.eq->name()] = read_observed_runs(c, *m.eq, {0, run_count(c)});
  start_stage(media, c, *device, filter, 8, observed_files);
  const inversion::Parametrization param(c.model, spec.parameters, media.model_files, media.gradient_keys,
                                         std::nullopt, c.config.file.string() + ": [inversion] parameters");

  auto evaluate = [&](const std::vector<double>& x, std::vector<double>* gradient) {
    std::map<std::string, std::vector<double>> total;
    const double J = misfit_and_gradient(media, c, param.model_at(x), *misfit, total);
    if (gradient) *gradient = param.gradient(total);
    return J;
  };

  // A smooth direction (sigma: a twentieth of the grid) of relative changes, largest 1.
  const std::vector<double> x0 = param.start_point();
  std::vector<double> direction(param.size());
  Lcg random{12345};
  for (double& v : direction) v = random.next();
  const double sigma = std::max(2.0, std::min(grid.nx, grid.nz) / 20.0);
  double largest = 0;
  for (std::size_t p = 0; p < param.parameters().size(); ++p) {
    std::span<double> block(direction.data() + p * grid.npt(), grid.npt());
    inversion::smooth_gaussian(block, grid.nx, grid.nz, sigma, sigma);
  }
  for (double v : direction) largest = std::max(largest, std::abs(v));
  for (double& v : direction) v /= largest;

  std::vector<double> g;
  const double j0 = evaluate(x0, &g);
  double slope = 0;
  for (std::size_t k = 0; k < g.size(); ++k) slope += g[k] * direction[k];

  std::string names;
  for (const auto& p : spec.parameters) names += (names.empty() ? "" : ", ") + p.name;
  out << "Taylor test of the " << stage.misfit << " misfit's gradient with respect to " << names
      << " (relative changes m = m0 (1 + h d), d smooth, max |d| = 1)\n"
      << "J(m0) = " << cell(j0) << ", dJ/dh = g.d = " << cell(slope) << "\n\n"
      << "| h | J(m0 + h d) - J(m0) | h g.d | ratio | remainder | remainder ratio (expect ~4) |\n"
      << "| --- | --- | --- | --- | --- | --- |\n";
  double previous = 0;
  std::vector<double> ratios, linear;
  for (double h : {0.02, 0.01, 0.005, 0.0025}) {
    std::vector<double> x = x0;
    for (std::size_t k = 0; k < x.size(); ++k) x[k] += h * direction[k];
    const double dj = evaluate(x, nullptr) - j0, first = h * slope, remainder = std::abs(dj - first);
    out << "| " << h << " | " << cell(dj) << " | " << cell(first) << " | " << cell(dj / first, "%.6f")
        << " | " << cell(remainder) << " | " << (previous > 0 ? cell(previous / remainder, "%.3f") : "")
        << " |\n";
    if (previous > 0) ratios.push_back(previous / remainder);
    linear.push_back(dj / first);
    previous = remainder;
  }
  // Second order: the remainder falls ~4x per halving; or, where float32 round-off already dominates
  // the remainder, the first-order term matches the change to 1%.
  bool taylor_ok = false;
  for (std::size_t k = 0; k + 1 < ratios.size() + 1 && k < ratios.size(); ++k)
    if (ratios[k] > 3 && ratios[k] < 5) taylor_ok = true;
  if (std::abs(linear.back() - 1) < 1e-2) taylor_ok = true;

  // Dot product of the linearized (Born) operator of the first medium with its adjoint.
  auto& first = media.media.front();
  const std::size_t planes = first.eq->material_plane_count();
  std::vector<float> dm(planes * grid.npt());
  for (float& v : dm) v = float(random.next());
  problem::Data d = first.observed;
  for (auto& traces : d)
    for (float& v : traces) v = float(random.next());
  const auto born = first.problem->born(c.model, dm);
  const auto adjoint = first.problem->born_adjoint(c.model, d);
  double lhs = 0, rhs = 0;
  for (std::size_t s = 0; s < born.size(); ++s)
    for (std::size_t k = 0; k < born[s].size(); ++k) lhs += double(born[s][k]) * double(d[s][k]);
  for (std::size_t k = 0; k < dm.size(); ++k) rhs += double(dm[k]) * adjoint[k];
  const double mismatch = std::abs(lhs - rhs) / std::max(std::abs(lhs), std::abs(rhs));
  const bool dot_ok = mismatch < 1e-4;
  out << "\nDot-product test of the " << first.eq->name()
      << " linearized operator F (random material and data):\n"
      << "| <F dm, d> | <dm, F^T d> | relative difference | tolerance |\n| --- | --- | --- | --- |\n"
      << "| " << cell(lhs, "%.9e") << " | " << cell(rhs, "%.9e") << " | " << cell(mismatch, "%.2e")
      << " | 1e-4 |\n\n"
      << "Taylor test: " << (taylor_ok ? "passed" : "FAILED")
      << "; dot-product test: " << (dot_ok ? "passed" : "FAILED") << " (" << summary.adapter << ")\n";
  return taylor_ok && dot_ok;
}

}  // namespace seiswg::app
