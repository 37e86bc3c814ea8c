#include "app/figures.hpp"

#include <cstdio>
#include <utility>

namespace seiswg::app {

io::FieldFigure figure_of_case(const Case& c, std::string title, std::string quantity, std::string unit,
                               io::ColorScale scale, std::size_t shot) {
  io::FieldFigure spec;
  spec.title = std::move(title);
  spec.quantity = std::move(quantity);
  spec.unit = std::move(unit);
  spec.scale = scale;
  for (std::size_t k = 0; k < c.sources.size(); ++k)
    if (shot == all_sources || shot == k) spec.sources.push_back({c.sources[k].x, c.sources[k].z});
  for (const auto& r : c.stations) spec.receivers.push_back({r.x, r.z});
  return spec;
}

std::string component_unit(const std::string& name) {
  if (name == "vx" || name == "vy" || name == "vz") return "m/s";
  if (name == "ux" || name == "uy" || name == "uz") return "m";
  if (name == "p") return "Pa";
  return "";
}

std::string time_text(int step, double dt) {
  char text[48];
  std::snprintf(text, sizeof text, "t = %.4g s", step * dt);
  return text;
}

}  // namespace seiswg::app
