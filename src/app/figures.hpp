#pragma once
// What the runs' figures share: the case's acquisition as marks, and labels with units.
#include <cstddef>
#include <string>

#include "app/case.hpp"
#include "io/figure.hpp"

namespace seiswg::app {

// A field figure of the case's grid with its stations (triangles) and sources (stars) marked: every
// source, or only source `shot` when it is not `all_sources` (a run of one source).
inline constexpr std::size_t all_sources = ~std::size_t(0);
io::FieldFigure figure_of_case(const Case& c, std::string title, std::string quantity, std::string unit,
                               io::ColorScale scale, std::size_t shot = all_sources);

// The unit of a snapshotted or recorded component: particle velocity "vx", "vy", "vz" in m/s, the
// traces' displacement "ux", "uy", "uz" in m; empty when not known.
std::string component_unit(const std::string& name);

// "t = 0.25 s" for a step of dt.
std::string time_text(int step, double dt);

}  // namespace seiswg::app
