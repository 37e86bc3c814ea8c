#include "physics/common/material.hpp"

#include <sstream>

#include "physics/wave_equation.hpp"

namespace seiswg::physics {

std::string node_location(const io::Model& model, std::size_t k) {
  const auto& g = model.grid;
  const std::size_t i = k / std::size_t(g.nz), j = k % std::size_t(g.nz);
  std::ostringstream s;
  s << "node " << k << " (i = " << i << ", j = " << j << ", x = " << g.x0 + double(i) * g.dx
    << " m, z = " << g.z0 + double(j) * g.dz << " m)";
  return s.str();
}

std::string model_file(const io::Model& model, const std::string& name) {
  return (model.dir / ("proc000000_" + name + ".bin")).string();
}

double staggered_dt_limit(double speed, double dx, double dz) {
  if (speed <= 0) return INFINITY;
  const double a = max_symbol(dx), b = max_symbol(dz);
  return 2.0 / (speed * std::sqrt(a * a + b * b));
}

}  // namespace seiswg::physics
