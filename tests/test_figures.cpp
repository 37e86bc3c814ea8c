#include <cairo.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "io/error.hpp"
#include "io/figure.hpp"

namespace {
namespace fs = std::filesystem;
using namespace seiswg::io;

using Rgb = std::vector<std::uint8_t>;
const Rgb kWhite = {255, 255, 255};

struct TempDir {
  fs::path path;
  TempDir() {
    std::random_device rd;
    path = fs::temp_directory_path() / ("seiswg_figures_" + std::to_string(rd()) + std::to_string(rd()));
    fs::create_directories(path);
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
};

Rgb pixel(const Image& img, int col, int row) {
  const std::size_t p = (std::size_t(row) * std::size_t(img.width) + std::size_t(col)) * 3;
  return {img.rgb[p], img.rgb[p + 1], img.rgb[p + 2]};
}

Rgb div(double t) {
  Rgb c(3);
  diverging_color(t, c.data());
  return c;
}

Rgb seq(double t) {
  Rgb c(3);
  sequential_color(t, c.data());
  return c;
}

double luminance(const Rgb& c) { return 0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2]; }
bool dark(const Rgb& c) { return luminance(c) < 80; }
bool gold(const Rgb& c) { return c[0] > 200 && c[1] > 150 && c[2] < 80; }
bool bluish(const Rgb& c) { return c[2] > 120 && c[2] > c[0] + 60; }
int distance(const Rgb& a, const Rgb& b) {
  return std::abs(a[0] - b[0]) + std::abs(a[1] - b[1]) + std::abs(a[2] - b[2]);
}

// Pixels of `box` that are not white (text, lines, marks).
int inked(const Image& img, const PixelBox& box) {
  int n = 0;
  for (int r = box.y; r < box.y + box.height; ++r)
    for (int c = box.x; c < box.x + box.width; ++c) n += pixel(img, c, r) != kWhite;
  return n;
}

// The picture's pixel of a model point (x, z in metres) on `grid`: node i covers [x0 + (i - 1/2) dx, ...].
std::pair<int, int> pixel_of(const Figure& f, const Grid& g, double x, double z) {
  const double u = (x - (g.x0 - g.dx / 2)) / (g.nx * g.dx), v = (z - (g.z0 - g.dz / 2)) / (g.nz * g.dz);
  return {f.plot.x + int(std::floor(u * f.plot.width)), f.plot.y + int(std::floor(v * f.plot.height))};
}

Grid grid_of(int nx, int nz, double dx, double dz, double x0 = 0, double z0 = 0) {
  Grid g;
  g.nx = nx, g.nz = nz, g.dx = dx, g.dz = dz, g.x0 = x0, g.z0 = z0;
  return g;
}

// A field rising with depth and a little with x: i*nz + j.
std::vector<float> ramp(const Grid& g) {
  std::vector<float> v(g.npt());
  for (int i = 0; i < g.nx; ++i)
    for (int j = 0; j < g.nz; ++j)
      v[std::size_t(i) * std::size_t(g.nz) + std::size_t(j)] = float(1500 + 10 * j + i);
  return v;
}

void expect_frame(const Figure& f) {
  const PixelBox& p = f.plot;
  for (int c = p.x; c < p.x + p.width; ++c) {
    ASSERT_TRUE(dark(pixel(f.image, c, p.y - 1))) << "top frame at column " << c;
    ASSERT_TRUE(dark(pixel(f.image, c, p.y + p.height))) << "bottom frame at column " << c;
  }
  for (int r = p.y; r < p.y + p.height; ++r) {
    ASSERT_TRUE(dark(pixel(f.image, p.x - 1, r))) << "left frame at row " << r;
    ASSERT_TRUE(dark(pixel(f.image, p.x + p.width, r))) << "right frame at row " << r;
  }
}

// The colour bar: a column of many distinct colours to the right of the plot, `top` at its top and
// `bottom` at its bottom, tick labels beside it.
void expect_colorbar(const Figure& f, const Rgb& top, const Rgb& bottom) {
  const PixelBox& b = f.colorbar;
  ASSERT_GT(b.height, 100);
  EXPECT_GT(b.x, f.plot.x + f.plot.width);
  EXPECT_LT(b.x + b.width, f.image.width);
  std::set<std::uint32_t> colors;  // packed 0xRRGGBB
  for (int r = b.y; r < b.y + b.height; ++r) {
    const Rgb c = pixel(f.image, b.x + b.width / 2, r);
    colors.insert(std::uint32_t(c[0]) << 16 | std::uint32_t(c[1]) << 8 | c[2]);
  }
  EXPECT_GT(colors.size(), 60u);
  EXPECT_LE(distance(pixel(f.image, b.x + b.width / 2, b.y), top), 12);
  EXPECT_LE(distance(pixel(f.image, b.x + b.width / 2, b.y + b.height - 1), bottom), 12);
  // Tick labels and the unit label right of the bar.
  EXPECT_GT(inked(f.image, {b.x + b.width + 2, b.y, f.image.width - b.x - b.width - 2, b.height}), 200);
}

TEST(Figures, FieldFigureHasFrameAxesTitleColorBarAndCells) {
  const Grid g = grid_of(60, 30, 10, 10, 100, 0);
  const auto v = ramp(g);
  FieldFigure spec;
  spec.title = "vs model";
  spec.quantity = "vs";
  spec.unit = "m/s";
  const Figure f = field_figure(v, g, spec);
  ASSERT_EQ(f.image.rgb.size(), std::size_t(f.image.width) * std::size_t(f.image.height) * 3);
  expect_frame(f);
  expect_colorbar(f, seq(1.0), seq(0.0));
  // Title above the plot, tick labels (and axis names) along the top and the left.
  EXPECT_LT(f.title.y + f.title.height, f.plot.y);
  EXPECT_GT(inked(f.image, f.title), 100);
  EXPECT_LT(f.x_labels.y + f.x_labels.height, f.plot.y);  // x axis on top by default
  EXPECT_GT(inked(f.image, f.x_labels), 200);
  EXPECT_LT(f.y_labels.x + f.y_labels.width, f.plot.x);
  EXPECT_GT(inked(f.image, f.y_labels), 200);
  // Away from the text the margins are white.
  EXPECT_EQ(inked(f.image, {0, f.image.height - 4, f.image.width, 4}), 0);
  // Each node's cell has its value's colour: the top-left node is the minimum, the bottom-right the
  // maximum, and depth increases downward.
  const double lo = 1500, hi = 1500 + 10 * 29 + 59;
  for (auto [i, j] : {std::pair{0, 0}, {59, 29}, {0, 29}, {30, 10}}) {
    const auto [c, r] = pixel_of(f, g, g.x0 + i * g.dx, g.z0 + j * g.dz);
    const double value = v[std::size_t(i) * 30 + std::size_t(j)];
    EXPECT_EQ(pixel(f.image, c, r), seq((value - lo) / (hi - lo))) << i << ", " << j;
  }
}

TEST(Figures, XAxisAtTheBottomOnRequest) {
  const Grid g = grid_of(40, 20, 5, 5);
  FieldFigure spec;
  spec.title = "bottom axis";
  spec.x_axis_on_top = false;
  const Figure f = field_figure(ramp(g), g, spec);
  expect_frame(f);
  EXPECT_GT(f.x_labels.y, f.plot.y + f.plot.height);
  EXPECT_GT(inked(f.image, f.x_labels), 200);
  // Nothing but the frame's top line between the title and the plot.
  EXPECT_EQ(inked(f.image, {f.plot.x, f.title.y + f.title.height, f.plot.width,
                            f.plot.y - 1 - f.title.y - f.title.height}),
            0);
}

TEST(Figures, AspectRatioFollowsTheModelExtent) {
  for (const Grid& g : {grid_of(200, 50, 10, 10), grid_of(50, 100, 20, 5), grid_of(30, 90, 10, 10),
                        grid_of(401, 401, 2.5, 2.5)}) {
    const Figure f = field_figure(ramp(g), g, {});
    const double want = (g.nx * g.dx) / (g.nz * g.dz), got = double(f.plot.width) / f.plot.height;
    EXPECT_NEAR(got, want, 0.02 * want) << g.nx << " x " << g.nz;
    EXPECT_EQ(std::max(f.plot.width, f.plot.height), 640);
  }
}

TEST(Figures, DivergingFieldIsSymmetricAboutZero) {
  // Left half +a (rising with x), right half its mirror image -a: colours mirror through white.
  const Grid g = grid_of(40, 20, 10, 10);
  std::vector<float> v(g.npt());
  for (int i = 0; i < 40; ++i)
    for (int j = 0; j < 20; ++j)
      v[std::size_t(i) * 20 + std::size_t(j)] = i < 20 ? float(i + 1) : -float(40 - i);
  FieldFigure spec;
  spec.title = "kernel";
  spec.quantity = "K_vs";
  spec.unit = "J per m/s";
  spec.scale = ColorScale::diverging;
  spec.clip_quantile = 1.0;
  const Figure f = field_figure(v, g, spec);
  expect_frame(f);
  expect_colorbar(f, div(1.0), div(-1.0));
  // The middle of the bar is zero: white.
  EXPECT_LE(distance(pixel(f.image, f.colorbar.x + 5, f.colorbar.y + f.colorbar.height / 2), kWhite), 12);
  for (int i = 0; i < 20; ++i) {
    const auto [cp, rp] = pixel_of(f, g, i * 10.0, 50.0);
    const auto [cm, rm] = pixel_of(f, g, (39 - i) * 10.0, 50.0);
    EXPECT_EQ(pixel(f.image, cp, rp), div((i + 1) / 20.0)) << i;
    EXPECT_EQ(pixel(f.image, cm, rm), div(-(i + 1) / 20.0)) << i;
    EXPECT_NE(pixel(f.image, cp, rp), pixel(f.image, cm, rm)) << i;
  }
}

TEST(Figures, DivergingScaleClipsAtTheQuantile) {
  // 200 values: 198 of magnitude 1 and two of 100. The 0.99 quantile of |v| lies at position
  // 0.99*199 = 197.01 between a 1 and a 100: clip = 1.99; the spikes saturate.
  const Grid g = grid_of(20, 10, 10, 10);
  std::vector<float> v(200, 1.f);
  v[10] = 100.f;  // i = 1, j = 0
  v[11] = -100.f;
  v[12] = -1.f;
  FieldFigure spec;
  spec.scale = ColorScale::diverging;
  const Figure f = field_figure(v, g, spec);
  auto at = [&](int i, int j) {
    const auto [c, r] = pixel_of(f, g, i * 10.0, j * 10.0);
    return pixel(f.image, c, r);
  };
  EXPECT_EQ(at(1, 0), div(1.0));
  EXPECT_EQ(at(1, 1), div(-1.0));
  EXPECT_EQ(at(1, 2), div(-1.0 / 1.99));
  EXPECT_EQ(at(0, 0), div(1.0 / 1.99));
  // An all-zero field is white, and still gets a readable figure.
  const Figure zero = field_figure(std::vector<float>(200, 0.f), g, spec);
  expect_frame(zero);
  EXPECT_EQ(inked(zero.image, zero.plot), 0);
}

TEST(Figures, SourceAndReceiverMarksSitAtTheirCoordinates) {
  const Grid g = grid_of(100, 50, 20, 20);  // 2 km by 1 km: km axes
  const std::vector<float> flat(g.npt(), 1.f);
  FieldFigure spec;
  spec.title = "marks";
  spec.sources = {{500, 300}};
  for (double x = 200; x <= 1800; x += 400) spec.receivers.push_back({x, 20});
  const Figure f = field_figure(flat, g, spec);
  const Figure bare = field_figure(flat, g, {});
  const auto [sc, sr] = pixel_of(f, g, 500, 300);
  EXPECT_TRUE(gold(pixel(f.image, sc, sr)));
  EXPECT_EQ(pixel(bare.image, sc, sr), seq(0.5));  // a constant field has the middle colour
  for (const auto& rec : spec.receivers) {
    const auto [c, r] = pixel_of(f, g, rec.x, rec.z);
    EXPECT_TRUE(dark(pixel(f.image, c, r))) << rec.x;
    EXPECT_FALSE(dark(pixel(bare.image, c, r))) << rec.x;
    // Small: 20 pixels to the side the image is untouched.
    EXPECT_EQ(pixel(f.image, c + 20, r), seq(0.5));
  }
  // A triangle instead of a star.
  spec.source_symbol = SourceSymbol::triangle;
  const Figure tri = field_figure(flat, g, spec);
  EXPECT_TRUE(gold(pixel(tri.image, sc, sr)));
  EXPECT_NE(tri.image.rgb, f.image.rgb);
}

TEST(Figures, GatherHasTimeDownwardReceiversAcrossAndAColorBar) {
  const std::size_t nrec = 3, nt = 2000;
  std::vector<float> tr(nrec * nt, 0.f);
  tr[1 * nt + 1001] = 1.f;   // a one-sample spike of receiver 2 half way down
  tr[2 * nt + 10] = -0.5f;   // receiver 3, near the top
  tr[0 * nt + 1500] = 0.5f;  // receiver 1, three quarters down
  GatherFigure spec;
  spec.title = "vy seismograms, shot 1";
  spec.quantity = "vy";
  spec.unit = "m/s";
  spec.dt = 1e-3;
  spec.clip_quantile = 1.0;
  const Figure f = gather_figure(tr, nrec, nt, spec);
  expect_frame(f);
  expect_colorbar(f, div(1.0), div(-1.0));
  EXPECT_GT(inked(f.image, f.title), 100);
  EXPECT_GT(inked(f.image, f.x_labels), 100);
  EXPECT_GT(inked(f.image, f.y_labels), 200);
  const PixelBox& p = f.plot;
  auto at = [&](std::size_t r, double t_fraction) {
    return pixel(f.image, p.x + int((double(r) + 0.5) / nrec * p.width), p.y + int(t_fraction * p.height));
  };
  // Rows are time windows that keep their largest sample: a one-sample spike still shows at full colour.
  EXPECT_EQ(at(1, 1001.5 / nt), div(1.0));
  EXPECT_EQ(at(2, 10.5 / nt), div(-0.5));
  EXPECT_EQ(at(0, 1500.5 / nt), div(0.5));
  EXPECT_EQ(at(0, 1001.5 / nt), kWhite);
  EXPECT_EQ(at(1, 0.25), kWhite);
  EXPECT_THROW(gather_figure(tr, 4, nt, spec), std::invalid_argument);
  spec.dt = 0;
  EXPECT_THROW(gather_figure(tr, nrec, nt, spec), std::invalid_argument);
}

TEST(Figures, MisfitCurveOnALogScale) {
  // 1, 0.1, 0.01: a straight line on a log scale (curved on a linear one).
  const std::vector<CurvePoint> points = {{0, 1, 1}, {1, 0.1, 1}, {2, 0.01, 1}};
  LineFigure spec;
  spec.title = "inversion misfit";
  spec.x_label = "iteration";
  spec.y_label = "relative misfit";
  const Figure f = line_figure(points, spec);
  expect_frame(f);
  EXPECT_EQ(f.colorbar.width, 0);
  EXPECT_GT(inked(f.image, f.title), 100);
  EXPECT_GT(inked(f.image, f.x_labels), 100);
  EXPECT_GT(inked(f.image, f.y_labels), 200);
  // The curve's pixels: its mean row per column.
  const PixelBox& p = f.plot;
  std::vector<double> mean_row(std::size_t(p.width), -1);
  int first = -1, last = -1;
  for (int c = p.x; c < p.x + p.width; ++c) {
    double sum = 0;
    int n = 0;
    for (int r = p.y; r < p.y + p.height; ++r)
      if (bluish(pixel(f.image, c, r))) sum += r, ++n;
    if (n > 0) {
      mean_row[std::size_t(c - p.x)] = sum / n;
      if (first < 0) first = c - p.x;
      last = c - p.x;
    }
  }
  ASSERT_GT(last - first, p.width / 2);
  const double a = mean_row[std::size_t(first + (last - first) / 4)],
               m = mean_row[std::size_t(first + (last - first) / 2)],
               b = mean_row[std::size_t(first + 3 * (last - first) / 4)];
  ASSERT_GE(std::min({a, m, b}), 0);
  EXPECT_NEAR(m, (a + b) / 2, 3);
  EXPECT_LT(a, b);  // falling misfit: lower on the picture
  // The first point lies near the top of the frame, the last near the bottom (decades 1e-2 to 1).
  EXPECT_LT(mean_row[std::size_t(first)], p.y + 0.1 * p.height);
  EXPECT_GT(mean_row[std::size_t(last)], p.y + 0.9 * p.height);
  // Non-positive values cannot be drawn on a log scale: they are left out, not drawn at the edge.
  const std::vector<CurvePoint> with_zero = {{0, 1, 1}, {1, 0.1, 1}, {2, 0.01, 1}, {3, 0, 1}};
  EXPECT_NO_THROW(line_figure(with_zero, spec));
  EXPECT_NO_THROW(line_figure({}, spec));
}

Image decode(const fs::path& p) {
  cairo_surface_t* surface = cairo_image_surface_create_from_png(p.c_str());
  Image out;
  if (cairo_surface_status(surface) == CAIRO_STATUS_SUCCESS) {
    out.width = cairo_image_surface_get_width(surface);
    out.height = cairo_image_surface_get_height(surface);
    const unsigned char* data = cairo_image_surface_get_data(surface);
    const auto stride = std::size_t(cairo_image_surface_get_stride(surface));
    for (int row = 0; row < out.height; ++row)
      for (int col = 0; col < out.width; ++col) {
        std::uint32_t px;
        std::memcpy(&px, data + std::size_t(row) * stride + std::size_t(col) * 4, 4);
        out.rgb.insert(out.rgb.end(), {std::uint8_t(px >> 16), std::uint8_t(px >> 8), std::uint8_t(px)});
      }
  }
  cairo_surface_destroy(surface);
  return out;
}

TEST(Figures, WritingIsAtomic) {
  TempDir tmp;
  const Grid g = grid_of(30, 20, 10, 10);
  const Figure f = field_figure(ramp(g), g, {});
  const fs::path file = tmp.path / "pics" / "model_vs.png";
  write_png(file, f.image);
  EXPECT_EQ(decode(file).rgb, f.image.rgb);
  // Replacing keeps only the new file; no temporary is left behind.
  const Figure other = field_figure(std::vector<float>(g.npt(), 2.f), g, {});
  write_png(file, other.image);
  EXPECT_EQ(decode(file).rgb, other.image.rgb);
  std::size_t entries = 0;
  for (const auto& e : fs::directory_iterator(tmp.path / "pics")) ++entries, (void)e;
  EXPECT_EQ(entries, 1u);
  // A folder that cannot be made (its parent is a file): InputError naming the path, nothing written.
  const fs::path blocker = tmp.path / "blocker";
  std::ofstream(blocker) << "x";
  const fs::path bad = blocker / "figs" / "kvs.png";
  try {
    write_png(bad, f.image);
    FAIL() << "expected InputError";
  } catch (const seiswg::InputError& e) {
    EXPECT_NE(std::string(e.what()).find("cannot write " + bad.string()), std::string::npos) << e.what();
  }
  EXPECT_FALSE(fs::exists(bad));
  // A target that is a folder: the error names it and the folder is left as it was.
  fs::create_directories(tmp.path / "taken.png");
  EXPECT_THROW(write_png(tmp.path / "taken.png", f.image), seiswg::InputError);
  EXPECT_TRUE(fs::is_directory(tmp.path / "taken.png"));
  entries = 0;
  for (const auto& e : fs::directory_iterator(tmp.path)) ++entries, (void)e;
  EXPECT_EQ(entries, 3u);  // pics, blocker, taken.png: no temporary files
  // A folder without write permission (root may write anyway, so only checked for other users).
  if (::geteuid() != 0) {
    const fs::path locked = tmp.path / "locked";
    fs::create_directories(locked);
    fs::permissions(locked, fs::perms::owner_read | fs::perms::owner_exec);
    EXPECT_THROW(write_png(locked / "k.png", f.image), seiswg::InputError);
    fs::permissions(locked, fs::perms::owner_all);
    EXPECT_TRUE(fs::is_empty(locked));
  }
}

TEST(Figures, RejectsFieldsThatDoNotFillTheGrid) {
  const Grid g = grid_of(4, 3, 10, 10);
  EXPECT_THROW(field_figure(std::vector<float>(11, 0.f), g, {}), std::invalid_argument);
  EXPECT_THROW(field_figure(std::vector<float>(12, 0.f), grid_of(4, 3, 0, 10), {}), std::invalid_argument);
  FieldFigure spec;
  spec.scale = ColorScale::diverging;
  spec.clip_quantile = 0;
  EXPECT_THROW(field_figure(std::vector<float>(12, 0.f), g, spec), std::invalid_argument);
}

TEST(Figures, ModelUnits) {
  EXPECT_EQ(model_unit("vs"), "m/s");
  EXPECT_EQ(model_unit("vp"), "m/s");
  EXPECT_EQ(model_unit("rho"), "kg/m³");
  EXPECT_EQ(model_unit("mu"), "Pa");
  EXPECT_EQ(model_unit("nu"), "");
}

}  // namespace
