#pragma once
// Helpers for building material planes on the staggered grid and for model checks.
#include <cmath>
#include <span>
#include <string>
#include <vector>

#include "io/seispie_files.hpp"

namespace seiswg::physics {

// Value of a per-node field at (i, j), indices clamped to the grid (edge cells repeat), so that
// staggered positions half a cell outside the grid take the nearest node's value.
inline std::size_t clamped_index(int nx, int nz, int i, int j) {
  i = i < 0 ? 0 : (i >= nx ? nx - 1 : i);
  j = j < 0 ? 0 : (j >= nz ? nz - 1 : j);
  return std::size_t(i) * std::size_t(nz) + std::size_t(j);
}
inline double clamped_at(const std::vector<double>& f, int nx, int nz, int i, int j) {
  return f[clamped_index(nx, nz, i, j)];
}

// A model field in double precision.
inline std::vector<double> field_as_double(const io::Model& m, const std::string& name) {
  const auto& v = m.fields.at(name);
  return std::vector<double>(v.begin(), v.end());
}

// Harmonic mean (zero if any value is zero: a fluid cell carries no shear).
inline double harmonic_mean(std::initializer_list<double> v) {
  double s = 0;
  for (double x : v) {
    if (x == 0) return 0;
    s += 1 / x;
  }
  return double(v.size()) / s;
}

// Throws InputError "<file>: node k (i, j) at x = .., z = ..: <name> = <value> <rule>" at the first
// node where `ok` fails.
template <class Ok>
void require_each(const io::Model& model, const std::string& name, const std::string& rule, Ok ok);

std::string node_location(const io::Model& model, std::size_t k);
std::string model_file(const io::Model& model, const std::string& name);

}  // namespace seiswg::physics

#include "io/error.hpp"

template <class Ok>
void seiswg::physics::require_each(const io::Model& model, const std::string& name, const std::string& rule,
                                   Ok ok) {
  const auto& v = model.fields.at(name);
  for (std::size_t k = 0; k < v.size(); ++k)
    if (!ok(k)) {
      throw InputError(model_file(model, name) + ": " + node_location(model, k) + ": " + name + " = " +
                       std::to_string(v[k]) + " " + rule);
    }
}
