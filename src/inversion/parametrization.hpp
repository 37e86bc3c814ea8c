#pragma once
// The inversion's variables: the inverted parameters of a medium as relative values x = m / m_start
// (m / the mean starting value where m_start = 0, as vs in water)
// (one block of npt values per parameter, in the order given), so that parameter classes with
// different units (m/s, kg/m^3, Pa) take comparable steps; the other model files stay as they are.
//
// Pure host code without files.
#include <cstddef>
#include <functional>
#include <limits>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "io/seispie_files.hpp"

namespace seiswg::inversion {

struct ParameterSpec {
  std::string name;  // vs, vp, rho; mu (SH: rho vs^2 at fixed rho); any model file of Cosserat
  double min = -std::numeric_limits<double>::infinity();
  double max = std::numeric_limits<double>::infinity();
};

// Bounds on vp / vs at every node (P-SV) when vp or vs is inverted: with both, a projection; with one,
// bounds on it from the other's starting (fixed) values.
struct RatioRange {
  double min = 0, max = std::numeric_limits<double>::infinity();
};

class Parametrization {
 public:
  // `model_files`: the files the media read (WaveEquation::model_names, all media);
  // `gradient_keys`: the keys of WaveEquation::model_gradient. Throws InputError (naming `where`,
  // the parameter, the node and the value) for a parameter the media cannot invert, a bound that
  // excludes the starting model, or a starting value of 0 (relative values need m_start != 0).
  Parametrization(const io::Model& start, std::vector<ParameterSpec> parameters,
                  const std::vector<std::string>& model_files, const std::vector<std::string>& gradient_keys,
                  std::optional<RatioRange> vp_vs, const std::string& where);

  std::size_t size() const { return parameters_.size() * npt_; }
  const std::vector<ParameterSpec>& parameters() const { return parameters_; }
  // x of the starting model: 1, or 0 where the starting value is 0 (vs in water).
  std::vector<double> start_point() const;
  // Bounds of x, the vp/vs range included where one velocity is inverted.
  std::vector<double> lower() const { return bounds(false); }
  std::vector<double> upper() const { return bounds(true); }
  // The vp/vs range as an idempotent projection of x (empty when there is none, or when only one of
  // vp and vs is inverted: then lower() and upper() hold it).
  std::function<void(std::vector<double>&)> projection() const;

  // The model at x: the start with the inverted files replaced.
  io::Model model_at(std::span<const double> x) const;
  // The value of parameter `p` at x (physical units), npt values.
  std::vector<double> values(std::span<const double> x, std::size_t p) const;
  // The value of parameter `p` in another model of the grid (the true one, for the model error).
  std::vector<double> values_in(const io::Model& model, std::size_t p) const;
  // d J / d x from d J / d model value (summed over media by key).
  std::vector<double> gradient(const std::map<std::string, std::vector<double>>& model_gradient) const;

 private:
  std::vector<double> bounds(bool upper) const;
  struct Variable {
    ParameterSpec spec;
    std::string gradient_key;
    std::vector<double> start;      // m_start at every node
    std::vector<double> reference;  // x = m / reference: m_start, or the mean where m_start = 0
  };
  io::Model start_;
  std::size_t npt_ = 0;
  std::vector<ParameterSpec> parameters_;
  std::vector<Variable> variables_;
  std::optional<RatioRange> vp_vs_;
  bool both_velocities_ = false;  // vp and vs inverted: the vp/vs range is a projection, not bounds
  bool derived_mu_ = false;       // SH's mu: the model holds vs; vs = sqrt(mu / rho)
};

}  // namespace seiswg::inversion
