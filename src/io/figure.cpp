#include "io/figure.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <memory>
#include <numbers>
#include <stdexcept>
#include <utility>

#include "io/painter.hpp"

namespace seiswg::io {

namespace {

constexpr double kTitleSize = 15, kLabelSize = 12.5, kTickSize = 11;
constexpr int kPad = 10;            // white border around everything
constexpr int kTickLength = 5;      // outward from the frame
constexpr int kBarWidth = 18;       // the colour bar's column
constexpr int kMinBarHeight = 200;  // a bar beside a flat image stays long enough to read
constexpr int kMinPlotSide = 48;

// Text is measured on a small scratch picture before the figure's size is known.
class TextMeter {
 public:
  TextMeter() : painter_(make_painter(1, 1)) {}
  double width(const std::string& text, double size) { return painter_->text_width(text, size); }

 private:
  std::unique_ptr<Painter> painter_;
};

enum class Align { left, center, right };

// Draws `text` with its baseline at y; rotated texts read upward (for vertical axes).
void draw_text(Painter& painter, const std::string& text, double size, double x, double y, Align align,
               bool rotated = false) {
  painter.save();
  const double advance = painter.text_width(text, size);
  const double shift = align == Align::left ? 0 : align == Align::center ? advance / 2 : advance;
  painter.translate(x, y);
  if (rotated) painter.rotate(-std::numbers::pi / 2);
  painter.set_color(0, 0, 0);
  painter.show_text(text, size, -shift, 0);
  painter.restore();
}

// The font size (at most `size`, at least 7) at which `text` fits in `room` pixels.
double fitting_size(TextMeter& meter, const std::string& text, double size, double room) {
  const double w = meter.width(text, size);
  return w <= room ? size : std::max(7.0, size * room / w);
}

std::string number_text(double v, int digits = 6) {
  char text[32];
  std::snprintf(text, sizeof text, "%.*g", digits, v);
  return text;
}

// A round step (1, 2, 2.5 or 5 times a power of ten) giving about `target` intervals over `range`;
// integer steps only (1, 2, 5, 10, ...) when `integer`.
double nice_step(double range, int target, bool integer) {
  if (!(range > 0)) return 1;
  const double raw = range / std::max(1, target);
  const double mag = std::pow(10.0, std::floor(std::log10(raw)));
  const double f = raw / mag;
  double step = (f < 1.5    ? 1
                 : f < 2.25 ? 2
                 : f < 3.5  ? (integer && mag < 10 ? 2 : 2.5)
                 : f < 7.5  ? 5
                            : 10) *
                mag;
  if (integer) step = std::max(1.0, std::round(step));
  return step;
}

// The multiples of a nice step inside [lo, hi].
std::vector<double> nice_ticks(double lo, double hi, int target, bool integer = false) {
  if (lo > hi) std::swap(lo, hi);
  const double step = nice_step(hi - lo, target, integer);
  std::vector<double> ticks;
  const double first = std::ceil(lo / step - 1e-9), last = std::floor(hi / step + 1e-9);
  for (double k = first; k <= last && ticks.size() < 100; ++k) {
    const double v = k * step;
    ticks.push_back(std::abs(v) < step * 1e-9 ? 0.0 : v);
  }
  return ticks;
}

// A raster axis in displayed units: cells from first_edge (left or top) to last_edge.
struct RasterAxis {
  std::string label;
  double first_edge = 0, last_edge = 1;
  bool integer_ticks = false;
  double to_pixel(double v, int start, int length) const {
    return start + (v - first_edge) / (last_edge - first_edge) * length;
  }
};

struct ColorRange {
  ColorScale scale = ColorScale::sequential;
  double lo = 0, hi = 1;  // sequential: min, max; diverging: -clip, clip
  std::vector<std::string> label_lines;
  void color(double v, std::uint8_t rgb[3]) const {
    if (scale == ColorScale::diverging) {
      diverging_color(std::isfinite(v) ? v / hi : v, rgb);
    } else {
      sequential_color(std::isfinite(v) ? (v - lo) / (hi - lo) : v, rgb);
    }
  }
};

struct Mark {
  double x = 0, y = 0;  // displayed axis units
};

// values[c*rows + r]: column c across, row r downward.
struct RasterPlot {
  std::span<const float> values;
  int columns = 0, rows = 0;
  RasterAxis x, y;
  bool x_on_top = true;
  ColorRange colors;
  std::string title;
  int plot_width = 0, plot_height = 0;
  std::vector<Mark> sources, receivers;
  SourceSymbol source_symbol = SourceSymbol::star;
};

void fill_white(Painter& painter) {
  painter.set_color(1, 1, 1);
  painter.paint();
}

// A one-pixel black frame on the pixels just outside `box`.
void draw_frame(Painter& painter, const PixelBox& box) {
  painter.set_color(0, 0, 0);
  painter.set_line_width(1);
  painter.rectangle(box.x - 0.5, box.y - 0.5, box.width + 1, box.height + 1);
  painter.stroke();
}

void draw_line(Painter& painter, double x0, double y0, double x1, double y1) {
  painter.move_to(x0, y0);
  painter.line_to(x1, y1);
  painter.stroke();
}

// Pixel centres for crisp one-pixel lines.
double crisp(double v) { return std::floor(v) + 0.5; }

void draw_star(Painter& painter, double x, double y, double r) {
  for (int k = 0; k < 10; ++k) {
    const double a = -std::numbers::pi / 2 + k * std::numbers::pi / 5, rk = k % 2 ? r * 0.42 : r;
    if (k == 0) {
      painter.move_to(x + rk * std::cos(a), y + rk * std::sin(a));
    } else {
      painter.line_to(x + rk * std::cos(a), y + rk * std::sin(a));
    }
  }
  painter.close_path();
}

// A triangle of half-width h around its centroid, apex up or down.
void draw_triangle(Painter& painter, double x, double y, double h, bool apex_down) {
  const double s = apex_down ? 1 : -1, height = h * std::sqrt(3.0);
  painter.move_to(x, y + s * height * 2 / 3);
  painter.line_to(x - h, y - s * height / 3);
  painter.line_to(x + h, y - s * height / 3);
  painter.close_path();
}

void fill_and_outline(Painter& painter, double r, double g, double b, double outline) {
  painter.set_color(r, g, b);
  painter.fill_preserve();
  painter.set_color(0, 0, 0);
  painter.set_line_width(outline);
  painter.stroke();
}

Figure draw_raster(const RasterPlot& p) {
  TextMeter meter;
  const std::vector<double> x_ticks =
      nice_ticks(p.x.first_edge, p.x.last_edge, std::clamp(p.plot_width / 90, 2, 8), p.x.integer_ticks);
  const std::vector<double> y_ticks =
      nice_ticks(p.y.first_edge, p.y.last_edge, std::clamp(p.plot_height / 70, 2, 8), p.y.integer_ticks);
  const int bar_height = std::max(p.plot_height, kMinBarHeight);
  const std::vector<double> bar_ticks =
      nice_ticks(p.colors.lo, p.colors.hi, std::clamp(bar_height / 50, 2, 6));
  double y_label_width = 0, bar_label_width = 0;
  for (double t : y_ticks) y_label_width = std::max(y_label_width, meter.width(number_text(t), kTickSize));
  for (double t : bar_ticks)
    bar_label_width = std::max(bar_label_width, meter.width(number_text(t), kTickSize));

  // Left to right: y axis name, tick labels, ticks, plot, colour bar, its tick labels, its label lines.
  const int axis_name = int(kLabelSize) + 6, tick_row = int(kTickSize) + 6;
  const int plot_x = kPad + axis_name + int(std::ceil(y_label_width)) + 4 + kTickLength;
  const int bar_x = plot_x + p.plot_width + 18;
  const int bar_labels_x = bar_x + kBarWidth + kTickLength + 3;
  const int lines_x = bar_labels_x + int(std::ceil(bar_label_width)) + 8;
  const int content_width = lines_x + int(p.colors.label_lines.size()) * axis_name + kPad;
  // Top to bottom: title, x axis (name and labels) when on top, plot, x axis when at the bottom.
  const int title_height = int(kTitleSize) + 10;
  const int x_axis_height = kTickLength + tick_row + axis_name;
  const int plot_y = kPad + title_height + (p.x_on_top ? x_axis_height : 4);
  const int bar_y = plot_y + (p.plot_height - bar_height) / 2 > kPad + title_height
                        ? plot_y + (p.plot_height - bar_height) / 2
                        : plot_y;
  const int bottom = std::max(plot_y + p.plot_height + (p.x_on_top ? 4 : x_axis_height), bar_y + bar_height);
  const double title_width = meter.width(p.title, kTitleSize);
  const int width = std::max(content_width, int(std::ceil(title_width)) + 2 * kPad);
  const int height = bottom + kPad;

  Figure fig;
  fig.plot = {plot_x, plot_y, p.plot_width, p.plot_height};
  fig.colorbar = {bar_x, bar_y, kBarWidth, bar_height};
  fig.title = {kPad, kPad, width - 2 * kPad, title_height};
  fig.x_labels = p.x_on_top
                     ? PixelBox{plot_x, plot_y - x_axis_height, p.plot_width, x_axis_height - kTickLength}
                     : PixelBox{plot_x, plot_y + p.plot_height + kTickLength + 1, p.plot_width,
                                x_axis_height - kTickLength};
  fig.y_labels = {kPad, plot_y, plot_x - kTickLength - kPad, p.plot_height};

  const std::unique_ptr<Painter> owned_painter = make_painter(width, height);
  Painter& painter = *owned_painter;
  fill_white(painter);

  // The cells: one pixel each, scaled onto the plot without smoothing.
  Image cells;
  cells.width = p.columns, cells.height = p.rows;
  cells.rgb.resize(std::size_t(p.columns) * std::size_t(p.rows) * 3);
  for (std::size_t c = 0; c < std::size_t(p.columns); ++c)
    for (std::size_t r = 0; r < std::size_t(p.rows); ++r)
      p.colors.color(p.values[c * std::size_t(p.rows) + r], &cells.rgb[(r * std::size_t(p.columns) + c) * 3]);
  painter.draw_image(cells, plot_x, plot_y, p.plot_width, p.plot_height);
  draw_frame(painter, fig.plot);

  // Title, centred over the plot when it fits there, else over the whole figure.
  const double title_centre = title_width < p.plot_width + 40 ? plot_x + p.plot_width / 2.0 : width / 2.0;
  draw_text(painter, p.title, kTitleSize,
            std::clamp(title_centre, kPad + title_width / 2, width - kPad - title_width / 2),
            kPad + kTitleSize, Align::center);

  // x axis.
  painter.set_line_width(1);
  painter.set_color(0, 0, 0);
  const double x_frame = p.x_on_top ? plot_y - 0.5 : plot_y + p.plot_height + 0.5;
  const double out = p.x_on_top ? -1 : 1;
  for (double t : x_ticks) {
    const double px = crisp(p.x.to_pixel(t, plot_x, p.plot_width));
    if (px < plot_x || px > plot_x + p.plot_width) continue;
    painter.set_color(0, 0, 0);
    draw_line(painter, px, x_frame, px, x_frame + out * kTickLength);
    const double baseline = p.x_on_top ? x_frame - kTickLength - 4 : x_frame + kTickLength + 3 + kTickSize;
    draw_text(painter, number_text(t), kTickSize, px, baseline, Align::center);
  }
  const double x_name_baseline =
      p.x_on_top ? x_frame - kTickLength - tick_row - 4 : x_frame + kTickLength + tick_row + kLabelSize + 2;
  draw_text(painter, p.x.label, kLabelSize, plot_x + p.plot_width / 2.0, x_name_baseline, Align::center);

  // y axis (downward).
  for (double t : y_ticks) {
    const double py = crisp(p.y.to_pixel(t, plot_y, p.plot_height));
    if (py < plot_y || py > plot_y + p.plot_height) continue;
    painter.set_color(0, 0, 0);
    draw_line(painter, plot_x - 0.5, py, plot_x - 0.5 - kTickLength, py);
    draw_text(painter, number_text(t), kTickSize, plot_x - kTickLength - 3, py + kTickSize * 0.36,
              Align::right);
  }
  const double y_name_size = fitting_size(meter, p.y.label, kLabelSize, p.plot_height + 2.0 * kPad);
  draw_text(painter, p.y.label, y_name_size, kPad + kLabelSize, plot_y + p.plot_height / 2.0, Align::center,
            true);

  // Marks, over the image and allowed past its edge (a surface source sits on the frame).
  for (const Mark& m : p.receivers) {
    draw_triangle(painter, p.x.to_pixel(m.x, plot_x, p.plot_width), p.y.to_pixel(m.y, plot_y, p.plot_height),
                  4.5, true);
    fill_and_outline(painter, 0.1, 0.1, 0.1, 0.8);
  }
  for (const Mark& m : p.sources) {
    const double px = p.x.to_pixel(m.x, plot_x, p.plot_width), py = p.y.to_pixel(m.y, plot_y, p.plot_height);
    if (p.source_symbol == SourceSymbol::star) {
      draw_star(painter, px, py, 8);
    } else {
      draw_triangle(painter, px, py, 6.5, false);
    }
    fill_and_outline(painter, 1.0, 0.82, 0.0, 1.2);
  }

  // Colour bar: one row per pixel, the highest value at the top.
  for (int row = 0; row < bar_height; ++row) {
    const double v = p.colors.hi - (row + 0.5) / bar_height * (p.colors.hi - p.colors.lo);
    std::uint8_t rgb[3];
    p.colors.color(v, rgb);
    painter.set_color(rgb[0] / 255.0, rgb[1] / 255.0, rgb[2] / 255.0);
    painter.rectangle(bar_x, bar_y + row, kBarWidth, 1);
    painter.fill();
  }
  draw_frame(painter, fig.colorbar);
  for (double t : bar_ticks) {
    const double py = crisp(bar_y + (p.colors.hi - t) / (p.colors.hi - p.colors.lo) * bar_height);
    if (py < bar_y || py > bar_y + bar_height) continue;
    painter.set_color(0, 0, 0);
    draw_line(painter, bar_x + kBarWidth + 0.5, py, bar_x + kBarWidth + 0.5 + kTickLength, py);
    draw_text(painter, number_text(t), kTickSize, bar_labels_x, py + kTickSize * 0.36, Align::left);
  }
  for (std::size_t k = 0; k < p.colors.label_lines.size(); ++k) {
    const std::string& line = p.colors.label_lines[k];
    const double size = fitting_size(meter, line, kLabelSize, bar_height + 2.0 * kPad);
    draw_text(painter, line, size, lines_x + double(k) * axis_name + kLabelSize, bar_y + bar_height / 2.0,
              Align::center, true);
  }

  fig.image = painter.pixels();
  return fig;
}

// The plot's size in pixels for an extent of ex by ey: the longer side `longest`, the aspect kept unless
// a side would fall below kMinPlotSide.
std::pair<int, int> plot_size(double ex, double ey, int longest) {
  const double scale = longest / std::max(ex, ey);
  return {std::max(kMinPlotSide, int(std::lround(ex * scale))),
          std::max(kMinPlotSide, int(std::lround(ey * scale)))};
}

std::string quantile_text(double q) {
  const double pct = q * 100;
  if (pct >= 100) return "largest |value|";
  const std::string n = number_text(pct);
  const std::string suffix = n.ends_with("1") && !n.ends_with("11")   ? "st"
                             : n.ends_with("2") && !n.ends_with("12") ? "nd"
                             : n.ends_with("3") && !n.ends_with("13") ? "rd"
                                                                      : "th";
  return n + suffix + " percentile of |value|";
}

std::string with_unit(const std::string& quantity, const std::string& unit) {
  return unit.empty() ? quantity : quantity + " (" + unit + ")";
}

// The symmetric range of a diverging scale and its label lines.
ColorRange diverging_range(std::span<const float> values, double q, const std::string& quantity,
                           const std::string& unit) {
  if (!(q > 0 && q <= 1))
    throw std::invalid_argument("figure: clip quantile " + number_text(q) + " is not in (0, 1]");
  ColorRange range;
  range.scale = ColorScale::diverging;
  double clip = abs_quantile(values, q);
  std::string how = "clipped at ±" + number_text(clip, 3) + " (" + quantile_text(q) + ")";
  if (clip == 0) {
    clip = abs_quantile(values, 1.0);
    how = "clipped at ±" + number_text(clip, 3) + " (largest |value|)";
  }
  if (clip == 0) clip = 1, how = "all values are 0";
  range.lo = -clip, range.hi = clip;
  range.label_lines = {with_unit(quantity, unit), how};
  return range;
}

}  // namespace

Figure field_figure(std::span<const float> values, const Grid& grid, const FieldFigure& spec) {
  if (grid.nx <= 0 || grid.nz <= 0 || !(grid.dx > 0) || !(grid.dz > 0) || values.size() != grid.npt())
    throw std::invalid_argument("field_figure: " + std::to_string(values.size()) +
                                " values do not fill an nx = " + std::to_string(grid.nx) +
                                " by nz = " + std::to_string(grid.nz) + " grid");
  const double ex = grid.nx * grid.dx, ez = grid.nz * grid.dz;
  const bool km = std::max(ex, ez) >= 2000;
  const double unit = km ? 1000 : 1;
  const std::string unit_name = km ? "km" : "m";

  RasterPlot p;
  p.values = values;
  p.columns = grid.nx, p.rows = grid.nz;
  p.x = {"x (" + unit_name + ")", (grid.x0 - grid.dx / 2) / unit, (grid.x0 + ex - grid.dx / 2) / unit, false};
  p.y = {"depth z (" + unit_name + ")", (grid.z0 - grid.dz / 2) / unit, (grid.z0 + ez - grid.dz / 2) / unit,
         false};
  p.x_on_top = spec.x_axis_on_top;
  p.title = spec.title;
  std::tie(p.plot_width, p.plot_height) = plot_size(ex, ez, 640);
  for (const auto& s : spec.sources) p.sources.push_back({s.x / unit, s.z / unit});
  for (const auto& r : spec.receivers) p.receivers.push_back({r.x / unit, r.z / unit});
  p.source_symbol = spec.source_symbol;

  if (spec.scale == ColorScale::diverging) {
    p.colors = diverging_range(values, spec.clip_quantile, spec.quantity, spec.unit);
  } else {
    double lo = INFINITY, hi = -INFINITY;
    for (float v : values)
      if (std::isfinite(v)) lo = std::min(lo, double(v)), hi = std::max(hi, double(v));
    if (spec.range && spec.range->second > spec.range->first) lo = spec.range->first, hi = spec.range->second;
    if (!(hi > lo)) {
      // A constant field: a small range around it, so that it gets the middle colour.
      const double v = std::isfinite(lo) ? lo : 0, d = std::max(std::abs(v) * 0.01, 1e-30);
      lo = v - d, hi = v + d;
    }
    p.colors.lo = lo, p.colors.hi = hi;
    p.colors.label_lines = {with_unit(spec.quantity, spec.unit)};
  }
  return draw_raster(p);
}

Figure gather_figure(std::span<const float> traces, std::size_t nrec, std::size_t nt,
                     const GatherFigure& spec) {
  if (nrec == 0 || nt == 0 || traces.size() != nrec * nt || !(spec.dt > 0))
    throw std::invalid_argument("gather_figure: " + std::to_string(traces.size()) +
                                " samples for nrec = " + std::to_string(nrec) +
                                ", nt = " + std::to_string(nt) + ", dt = " + number_text(spec.dt));
  const int plot_height = 480;
  const int plot_width = int(std::clamp<std::size_t>(nrec * 8, 320, 640));
  // Rows are time windows; each keeps its sample of largest magnitude (a non-finite one wins).
  const std::size_t rows = std::min(nt, std::size_t(plot_height));
  std::vector<float> reduced(nrec * rows);
  for (std::size_t r = 0; r < nrec; ++r) {
    const float* trace = traces.data() + r * nt;
    for (std::size_t y = 0; y < rows; ++y) {
      const std::size_t t0 = y * nt / rows, t1 = std::max(t0 + 1, (y + 1) * nt / rows);
      float v = trace[t0];
      for (std::size_t t = t0 + 1; t < t1 && std::isfinite(v); ++t)
        if (!std::isfinite(trace[t]) || std::abs(trace[t]) > std::abs(v)) v = trace[t];
      reduced[r * rows + y] = v;
    }
  }
  RasterPlot p;
  p.values = reduced;
  p.columns = int(nrec), p.rows = int(rows);
  p.x = {"receiver", 0.5, double(nrec) + 0.5, true};
  p.y = {"time (s)", -spec.dt / 2, (double(nt) - 0.5) * spec.dt, false};
  p.x_on_top = true;
  p.title = spec.title;
  p.plot_width = plot_width, p.plot_height = plot_height;
  p.colors = diverging_range(traces, spec.clip_quantile, spec.quantity, spec.unit);
  return draw_raster(p);
}

Figure line_figure(std::span<const CurvePoint> points, const LineFigure& spec) {
  std::vector<CurvePoint> shown;
  for (const auto& pt : points)
    if (std::isfinite(pt.x) && std::isfinite(pt.y) && (!spec.log_y || pt.y > 0)) shown.push_back(pt);
  double x_lo = 0, x_hi = 1, y_lo = spec.log_y ? 0.1 : 0, y_hi = 1;
  if (!shown.empty()) {
    x_lo = x_hi = shown[0].x, y_lo = y_hi = shown[0].y;
    for (const auto& pt : shown)
      x_lo = std::min(x_lo, pt.x), x_hi = std::max(x_hi, pt.x), y_lo = std::min(y_lo, pt.y),
      y_hi = std::max(y_hi, pt.y);
  }
  if (x_hi - x_lo < 1) x_lo -= 0.5, x_hi += 0.5;
  // The x range gets a little room so that end markers stay inside the frame.
  const double x_room = (x_hi - x_lo) * 0.04;
  x_lo -= x_room, x_hi += x_room;
  std::vector<double> y_ticks, y_minor;
  double y_min, y_max;  // the axis range, log10 of it for a log scale
  if (spec.log_y) {
    y_min = std::floor(std::log10(y_lo) + 1e-9), y_max = std::ceil(std::log10(y_hi) - 1e-9);
    if (y_max <= y_min) y_max = y_min + 1;
    const bool few_decades = y_max - y_min <= 1;
    const double decades_lo = y_min, decades_hi = y_max;
    for (double d = y_min; d <= y_max + 0.5; ++d) {
      const double decade = std::pow(10.0, d);
      y_ticks.push_back(decade);
      for (int m = 2; m <= 9 && d < y_max - 0.5; ++m) {
        if (few_decades && (m == 2 || m == 5)) {
          y_ticks.push_back(m * decade);
        } else {
          y_minor.push_back(m * decade);
        }
      }
    }
    // Room beyond the outer decades, so that markers on them are not cut by the frame.
    y_min = decades_lo - 0.04 * (decades_hi - decades_lo),
    y_max = decades_hi + 0.04 * (decades_hi - decades_lo);
  } else {
    if (y_hi - y_lo <= 0) y_lo -= 0.5, y_hi += 0.5;
    const double room = (y_hi - y_lo) * 0.05;
    y_min = y_lo - room, y_max = y_hi + room;
    y_ticks = nice_ticks(y_min, y_max, 5);
  }
  auto y_of = [&](double v) { return spec.log_y ? std::log10(v) : v; };

  TextMeter meter;
  const int plot_width = 520, plot_height = 320;
  const std::vector<double> x_ticks = nice_ticks(x_lo, x_hi, 6, true);
  double y_label_width = 0;
  for (double t : y_ticks) y_label_width = std::max(y_label_width, meter.width(number_text(t), kTickSize));
  const int axis_name = int(kLabelSize) + 6, tick_row = int(kTickSize) + 6;
  const int title_height = int(kTitleSize) + 10;
  const int plot_x = kPad + axis_name + int(std::ceil(y_label_width)) + 4 + kTickLength;
  const int plot_y = kPad + title_height + 4;
  const double title_width = meter.width(spec.title, kTitleSize);
  const int width = std::max(plot_x + plot_width + 2 * kPad, int(std::ceil(title_width)) + 2 * kPad);
  const int height = plot_y + plot_height + kTickLength + tick_row + axis_name + kPad;

  Figure fig;
  fig.plot = {plot_x, plot_y, plot_width, plot_height};
  fig.title = {kPad, kPad, width - 2 * kPad, title_height};
  fig.x_labels = {plot_x, plot_y + plot_height + kTickLength + 1, plot_width, tick_row + axis_name};
  fig.y_labels = {kPad, plot_y, plot_x - kTickLength - kPad, plot_height};

  const std::unique_ptr<Painter> owned_painter = make_painter(width, height);
  Painter& painter = *owned_painter;
  fill_white(painter);
  auto px_of = [&](double x) { return plot_x + (x - x_lo) / (x_hi - x_lo) * plot_width; };
  auto py_of = [&](double y) { return plot_y + (y_max - y_of(y)) / (y_max - y_min) * plot_height; };

  // Grid lines first, so that the curve lies over them.
  painter.set_line_width(1);
  painter.set_color(0.88, 0.88, 0.88);
  for (double t : y_ticks) draw_line(painter, plot_x, crisp(py_of(t)), plot_x + plot_width, crisp(py_of(t)));
  draw_frame(painter, fig.plot);
  draw_text(painter, spec.title, kTitleSize, width / 2.0, kPad + kTitleSize, Align::center);

  const double x_frame = plot_y + plot_height + 0.5;
  for (double t : x_ticks) {
    const double px = crisp(px_of(t));
    if (px < plot_x || px > plot_x + plot_width) continue;
    painter.set_color(0, 0, 0);
    draw_line(painter, px, x_frame, px, x_frame + kTickLength);
    draw_text(painter, number_text(t), kTickSize, px, x_frame + kTickLength + 3 + kTickSize, Align::center);
  }
  draw_text(painter, spec.x_label, kLabelSize, plot_x + plot_width / 2.0,
            x_frame + kTickLength + tick_row + kLabelSize + 2, Align::center);
  for (double t : y_ticks) {
    const double py = crisp(py_of(t));
    painter.set_color(0, 0, 0);
    draw_line(painter, plot_x - 0.5, py, plot_x - 0.5 - kTickLength, py);
    draw_text(painter, number_text(t), kTickSize, plot_x - kTickLength - 3, py + kTickSize * 0.36,
              Align::right);
  }
  for (double t : y_minor) {
    const double py = crisp(py_of(t));
    painter.set_color(0, 0, 0);
    draw_line(painter, plot_x - 0.5, py, plot_x - 0.5 - kTickLength / 2.0, py);
  }
  const double y_name_size = fitting_size(meter, spec.y_label, kLabelSize, plot_height + 2.0 * kPad);
  draw_text(painter, spec.y_label, y_name_size, kPad + kLabelSize, plot_y + plot_height / 2.0, Align::center,
            true);

  // The curve: a line through each series' points, and a marker on every point.
  constexpr double kSeriesColors[][3] = {
      {0.12, 0.35, 0.70}, {0.85, 0.40, 0.05}, {0.15, 0.55, 0.25}, {0.75, 0.12, 0.15}, {0.45, 0.25, 0.65}};
  // Colours by order of appearance: the first series is blue whatever its number.
  std::vector<int> series_order;
  for (const auto& pt : shown)
    if (std::find(series_order.begin(), series_order.end(), pt.series) == series_order.end())
      series_order.push_back(pt.series);
  auto series_color = [&](int s) {
    const auto k = std::size_t(std::find(series_order.begin(), series_order.end(), s) - series_order.begin());
    const auto& c = kSeriesColors[k % std::size(kSeriesColors)];
    painter.set_color(c[0], c[1], c[2]);
  };
  painter.save();
  painter.rectangle(plot_x, plot_y, plot_width, plot_height);
  painter.clip();
  painter.set_line_width(1.8);
  for (std::size_t k = 0; k < shown.size(); ++k) {
    if (k > 0 && shown[k].series == shown[k - 1].series) {
      painter.line_to(px_of(shown[k].x), py_of(shown[k].y));
    } else {
      painter.move_to(px_of(shown[k].x), py_of(shown[k].y));
    }
    if (k + 1 == shown.size() || shown[k + 1].series != shown[k].series) {
      series_color(shown[k].series);
      painter.stroke();
    }
  }
  for (const auto& pt : shown) {
    painter.arc(px_of(pt.x), py_of(pt.y), 3.2, 0, 2 * std::numbers::pi);
    series_color(pt.series);
    painter.fill();
  }
  painter.restore();

  // Legend in the top right corner when there are several series.
  if (series_order.size() > 1 && !spec.series_name.empty()) {
    double legend_width = 0;
    for (int s : series_order)
      legend_width =
          std::max(legend_width, meter.width(spec.series_name + " " + std::to_string(s), kTickSize));
    const double line_height = kTickSize + 5, lx = plot_x + plot_width - legend_width - 34, ly = plot_y + 8;
    painter.set_color(1, 1, 1);
    painter.rectangle(lx - 6, ly - 2, legend_width + 36, line_height * double(series_order.size()) + 4);
    painter.fill();
    for (std::size_t k = 0; k < series_order.size(); ++k) {
      const double y = ly + line_height * (double(k) + 0.5);
      series_color(series_order[k]);
      painter.set_line_width(1.8);
      draw_line(painter, lx, y, lx + 20, y);
      painter.arc(lx + 10, y, 3.2, 0, 2 * std::numbers::pi);
      painter.fill();
      draw_text(painter, spec.series_name + " " + std::to_string(series_order[k]), kTickSize, lx + 26,
                y + kTickSize * 0.36, Align::left);
    }
  }

  fig.image = painter.pixels();
  return fig;
}

std::string model_unit(const std::string& name) {
  if (name == "vp" || name == "vs") return "m/s";
  if (name == "rho") return "kg/m³";
  if (name == "mu" || name == "lambda" || name == "kappa") return "Pa";
  return "";
}

}  // namespace seiswg::io
