#pragma once
// Figures a seismologist can read, drawn with Cairo: a field on the model grid (axes in m or km, depth
// downward, colour bar with unit, optional source and receiver marks), a seismogram gather (time
// downward, receiver number across) and a misfit curve (log scale). Each is rendered to an in-memory
// picture together with where its parts lie, so that tests can look at the pixels; io::write_png
// (png.hpp) writes the picture atomically.
#include <cstddef>
#include <filesystem>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "io/png.hpp"
#include "io/seispie_files.hpp"

namespace seiswg::io {

// A rectangle of a figure in pixels: columns [x, x + width), rows [y, y + height).
struct PixelBox {
  int x = 0, y = 0, width = 0, height = 0;
};

// A rendered figure and where its parts are. `plot` is the data area inside the frame (the frame lines
// lie on the pixels just outside it); `colorbar` is the bar without its frame (empty for a line plot);
// `title` holds the title line; `x_labels`/`y_labels` hold the tick labels (and axis names) of the axes.
struct Figure {
  Image image;
  PixelBox plot, colorbar, title, x_labels, y_labels;
};

enum class ColorScale {
  sequential,  // models: min to max
  diverging,   // kernels, snapshots, traces: symmetric about 0, clipped at a quantile of |value|
};

enum class SourceSymbol { star, triangle };

// A point of the model in metres (x to the right, z downward).
struct ModelPoint {
  double x = 0, z = 0;
};

struct FieldFigure {
  std::string title;
  std::string quantity;  // what the colour bar shows, e.g. "vs"
  std::string unit;      // its unit, e.g. "m/s"; empty when unknown
  ColorScale scale = ColorScale::sequential;
  double clip_quantile = 0.99;  // diverging: the colours saturate beyond this quantile of |value|
  // Sequential: a fixed colour range (e.g. the same for a true, a starting and an inverted model);
  // empty: the field's own minimum and maximum.
  std::optional<std::pair<double, double>> range;
  std::vector<ModelPoint> sources, receivers;
  SourceSymbol source_symbol = SourceSymbol::star;
  bool x_axis_on_top = true;  // depth sections are usually read from the surface down
};

// A field on the model grid (node k = i*nz + j; i along x, j along z downward). Each node is drawn as a
// cell of dx by dz centred on it, so the image keeps the aspect ratio nx*dx : nz*dz (the longer side
// about 640 pixels; a side shorter than 48 pixels is widened to 48). Axes in km when the larger extent
// reaches 2 km, else in m. std::invalid_argument when values do not fill the grid.
Figure field_figure(std::span<const float> values, const Grid& grid, const FieldFigure& spec);

struct GatherFigure {
  std::string title;
  std::string quantity;  // e.g. "vy"
  std::string unit;      // e.g. "m/s"
  double dt = 0;         // sample interval in seconds (> 0)
  double clip_quantile = 0.99;
};

// Seismogram gather traces[r*nt + t] of nrec receivers: receiver number (1-based) across, time in s
// downward, diverging scale. When nt exceeds the plot's rows each row shows the sample of largest
// magnitude of its time window, so that wiggles keep their amplitude.
Figure gather_figure(std::span<const float> traces, std::size_t nrec, std::size_t nt,
                     const GatherFigure& spec);

// One point of a curve; points of different `series` (e.g. an inversion's stages) are not joined.
struct CurvePoint {
  double x = 0, y = 0;
  int series = 0;
};

struct LineFigure {
  std::string title;
  std::string x_label, y_label;
  bool log_y = true;        // points with y <= 0 cannot be shown on a log scale and are left out
  std::string series_name;  // with several series, a legend "<series_name> <series>" (none if empty)
};

// A line plot with markers: x axis at the bottom, y axis on the left.
Figure line_figure(std::span<const CurvePoint> points, const LineFigure& spec);

// The unit of a model file's values: m/s for velocities, kg/m^3 for density, Pa for moduli; empty when
// the name is not one of these.
std::string model_unit(const std::string& name);

}  // namespace seiswg::io
