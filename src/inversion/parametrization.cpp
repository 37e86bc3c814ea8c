#include "inversion/parametrization.hpp"

#include <algorithm>
#include <cmath>
#include <sstream>
#include <stdexcept>

#include "io/error.hpp"

namespace seiswg::inversion {
namespace {

bool contains(const std::vector<std::string>& list, const std::string& name) {
  return std::find(list.begin(), list.end(), name) != list.end();
}

std::string node_of(const io::Grid& g, std::size_t k) {
  std::ostringstream s;
  const std::size_t i = k / std::size_t(g.nz), j = k % std::size_t(g.nz);
  s << "node (" << i << ", " << j << ") at x = " << g.x0 + double(i) * g.dx
    << " m, z = " << g.z0 + double(j) * g.dz << " m";
  return s.str();
}

std::string join(const std::vector<std::string>& names) {
  std::string out;
  for (const auto& n : names) out += (out.empty() ? "" : ", ") + n;
  return out;
}

}  // namespace

Parametrization::Parametrization(const io::Model& start, std::vector<ParameterSpec> parameters,
                                 const std::vector<std::string>& model_files,
                                 const std::vector<std::string>& gradient_keys,
                                 std::optional<RatioRange> vp_vs, const std::string& where)
    : start_(start), npt_(start.grid.npt()), parameters_(std::move(parameters)), vp_vs_(vp_vs) {
  if (parameters_.empty()) throw InputError(where + ": no parameter to invert");
  std::vector<std::string> seen;
  for (const auto& spec : parameters_) {
    if (contains(seen, spec.name)) throw InputError(where + ": " + spec.name + " is listed twice");
    seen.push_back(spec.name);
  }
  // What each medium can invert: its model files with a gradient of that name; rho at fixed
  // velocities for the velocity-parametrized media; SH's mu at fixed density.
  std::vector<std::string> invertible;
  for (const auto& f : model_files)
    if (contains(gradient_keys, f) || (f == "rho" && contains(gradient_keys, "rho_velocity")))
      invertible.push_back(f);
  const bool mu_derivable =
      !contains(model_files, "mu") && contains(model_files, "vs") && contains(gradient_keys, "mu");
  if (mu_derivable) invertible.push_back("mu");

  for (const auto& spec : parameters_) {
    if (!contains(invertible, spec.name))
      throw InputError(where + ": cannot invert '" + spec.name + "' for this medium (it can invert " +
                       join(invertible) + ")");
    if (!(spec.min <= spec.max))
      throw InputError(where + ": the bounds of " + spec.name + " cross (min " + std::to_string(spec.min) +
                       " > max " + std::to_string(spec.max) + ")");
    Variable v{spec, spec.name, {}, {}};
    const auto& fields = start_.fields;
    if (spec.name == "mu" && mu_derivable) {
      if (contains(seen, "rho") || contains(seen, "vs"))
        throw InputError(where +
                         ": mu (at fixed density, from vs) cannot be inverted together with rho or vs");
      derived_mu_ = true;
      const auto &vs = fields.at("vs"), &rho = fields.at("rho");
      v.start.resize(npt_);
      for (std::size_t k = 0; k < npt_; ++k) v.start[k] = double(rho[k]) * double(vs[k]) * double(vs[k]);
    } else {
      if (spec.name == "rho" && contains(gradient_keys, "rho_velocity")) v.gradient_key = "rho_velocity";
      const auto& f = fields.at(spec.name);
      v.start.assign(f.begin(), f.end());
    }
    // Relative values need a reference > 0 at every node: the starting value, or where that is 0 (vs
    // in water) the mean of the positive starting values.
    double positive_sum = 0;
    std::size_t positive = 0;
    for (double m : v.start)
      if (m > 0) positive_sum += m, ++positive;
    v.reference = v.start;
    for (std::size_t k = 0; k < npt_; ++k) {
      const double m = v.start[k];
      if (m < 0 || !std::isfinite(m) || (m == 0 && positive == 0))
        throw InputError(where + ": the starting model has " + spec.name + " = " + std::to_string(m) +
                         " at " + node_of(start_.grid, k) +
                         ": inverted parameters are relative to the starting model and must be >= 0 there, "
                         "and > 0 somewhere");
      if (m == 0) v.reference[k] = positive_sum / double(positive);
      if (m < spec.min || m > spec.max) {
        std::ostringstream s;
        s << where << ": the bounds of " << spec.name << " (" << spec.min << " to " << spec.max
          << ") exclude the starting model: " << spec.name << " = " << m << " at " << node_of(start_.grid, k)
          << " (widen " << spec.name << "_min / " << spec.name << "_max or change model_init)";
        throw InputError(s.str());
      }
    }
    variables_.push_back(std::move(v));
  }
  if (vp_vs_) {
    // Both inverted: a projection onto the allowed pairs; one inverted: the other, fixed, bounds it
    // node by node (lower() and upper()), so that lambda = rho (vp^2 - 2 vs^2) stays > 0 either way.
    const bool vp = contains(seen, "vp"), vs = contains(seen, "vs");
    both_velocities_ = vp && vs;
    if ((!vp && !vs) || !start_.fields.contains("vp") || !start_.fields.contains("vs"))
      throw InputError(where + ": a vp/vs range needs a medium with vp and vs, and vp or vs inverted");
    if (!(vp_vs_->min >= 0 && vp_vs_->min <= vp_vs_->max))
      throw InputError(where + ": the vp/vs range must satisfy 0 <= min <= max");
    const auto &vp_start = start_.fields.at("vp"), &vs_start = start_.fields.at("vs");
    for (std::size_t k = 0; k < npt_; ++k) {
      const double r = double(vp_start[k]) / double(vs_start[k]);
      if (r < vp_vs_->min * (1 - 1e-6) || r > vp_vs_->max * (1 + 1e-6)) {
        std::ostringstream s;
        s << where << ": the vp/vs range (" << vp_vs_->min << " to " << vp_vs_->max
          << ") excludes the starting model: vp/vs = " << r << " at " << node_of(start_.grid, k)
          << " (set [inversion] vp_vs_min / vp_vs_max or change model_init)";
        throw InputError(s.str());
      }
    }
  }
}

std::vector<double> Parametrization::start_point() const {
  std::vector<double> x(size());
  for (std::size_t p = 0; p < variables_.size(); ++p)
    for (std::size_t k = 0; k < npt_; ++k)
      x[p * npt_ + k] = variables_[p].start[k] / variables_[p].reference[k];
  return x;
}

std::vector<double> Parametrization::bounds(bool upper) const {
  std::vector<double> out(size());
  for (std::size_t p = 0; p < variables_.size(); ++p) {
    const Variable& v = variables_[p];
    const double m = upper ? v.spec.max : v.spec.min;
    // One velocity inverted under a vp/vs range: the other, fixed, bounds it at every node:
    // vs in [vp / r_max, vp / r_min], vp in [r_min vs, r_max vs].
    const bool is_vs = v.spec.name == "vs", is_velocity = is_vs || v.spec.name == "vp";
    const std::vector<float>* fixed =
        vp_vs_ && !both_velocities_ && is_velocity ? &start_.fields.at(is_vs ? "vp" : "vs") : nullptr;
    const double r = !fixed ? 0 : upper == is_vs ? vp_vs_->min : vp_vs_->max;
    for (std::size_t k = 0; k < npt_; ++k) {
      double b = m;
      if (fixed) {
        const double c = is_vs ? double((*fixed)[k]) / r : r * double((*fixed)[k]);
        b = upper ? std::min(m, c) : std::max(m, c);
      }
      out[p * npt_ + k] = b / v.reference[k];
    }
  }
  return out;
}

std::function<void(std::vector<double>&)> Parametrization::projection() const {
  if (!vp_vs_ || !both_velocities_) return {};
  std::size_t ip = 0, is = 0;
  for (std::size_t p = 0; p < variables_.size(); ++p) {
    if (variables_[p].spec.name == "vp") ip = p;
    if (variables_[p].spec.name == "vs") is = p;
  }
  const RatioRange range = *vp_vs_;
  const std::size_t n = npt_;
  const std::vector<double>&sp = variables_[ip].reference, &ss = variables_[is].reference;
  return [range, n, ip, is, &sp, &ss](std::vector<double>& x) {
    for (std::size_t k = 0; k < n; ++k) {
      const double vp = x[ip * n + k] * sp[k], vs = x[is * n + k] * ss[k];
      // The nearest point (in m/s) on the violated ray vp = r vs: idempotent, moves as little as
      // possible (clipping one of the two velocities would stall a projected search).
      double r = 0;
      if (vp < range.min * vs)
        r = range.min;
      else if (vp > range.max * vs)
        r = range.max;
      else
        continue;
      const double t = (vp * r + vs) / (r * r + 1);
      x[ip * n + k] = r * t / sp[k];
      x[is * n + k] = t / ss[k];
    }
  };
}

std::vector<double> Parametrization::values(std::span<const double> x, std::size_t p) const {
  std::vector<double> out(npt_);
  for (std::size_t k = 0; k < npt_; ++k) out[k] = x[p * npt_ + k] * variables_[p].reference[k];
  return out;
}

std::vector<double> Parametrization::values_in(const io::Model& model, std::size_t p) const {
  std::vector<double> out(npt_);
  if (derived_mu_ && variables_[p].spec.name == "mu") {
    const auto &vs = model.fields.at("vs"), &rho = model.fields.at("rho");
    for (std::size_t k = 0; k < npt_; ++k) out[k] = double(rho[k]) * double(vs[k]) * double(vs[k]);
  } else {
    const auto& f = model.fields.at(variables_[p].spec.name);
    out.assign(f.begin(), f.end());
  }
  return out;
}

io::Model Parametrization::model_at(std::span<const double> x) const {
  if (x.size() != size()) throw std::invalid_argument("Parametrization::model_at: wrong size");
  io::Model m = start_;
  for (std::size_t p = 0; p < variables_.size(); ++p) {
    const auto v = values(x, p);
    if (derived_mu_ && variables_[p].spec.name == "mu") {
      const auto& rho = m.fields.at("rho");
      auto& vs = m.fields.at("vs");
      for (std::size_t k = 0; k < npt_; ++k) vs[k] = float(std::sqrt(v[k] / double(rho[k])));
    } else {
      auto& f = m.fields.at(variables_[p].spec.name);
      for (std::size_t k = 0; k < npt_; ++k) f[k] = float(v[k]);
    }
  }
  return m;
}

std::vector<double> Parametrization::gradient(
    const std::map<std::string, std::vector<double>>& model_gradient) const {
  std::vector<double> g(size());
  for (std::size_t p = 0; p < variables_.size(); ++p) {
    const auto it = model_gradient.find(variables_[p].gradient_key);
    if (it == model_gradient.end() || it->second.size() != npt_)
      throw std::logic_error("Parametrization: no gradient for " + variables_[p].gradient_key);
    for (std::size_t k = 0; k < npt_; ++k) g[p * npt_ + k] = it->second[k] * variables_[p].reference[k];
  }
  return g;
}

}  // namespace seiswg::inversion
