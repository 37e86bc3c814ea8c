#include "io/png.hpp"

#include <png.h>

#include <algorithm>
#include <cmath>
#include <csetjmp>
#include <stdexcept>
#include <string>

#include "io/atomic_file.hpp"

namespace seiswg::io {

namespace {

struct ColorStop {
  double s;
  double r, g, b;
};

// Diverging map on s = (t + 1) / 2: dark blue, blue, light blue, white, salmon, red, dark red.
constexpr ColorStop kDiverging[] = {
    {0.00, 40, 55, 135},   {0.18, 45, 110, 185}, {0.35, 130, 180, 220}, {0.50, 255, 255, 255},
    {0.65, 240, 165, 135}, {0.82, 205, 65, 55},  {1.00, 120, 15, 30},
};

// Sequential map with steadily rising lightness: dark violet, blue, teal, green, yellow.
constexpr ColorStop kSequential[] = {
    {0.00, 45, 15, 75}, {0.25, 65, 70, 140}, {0.50, 35, 140, 140}, {0.75, 95, 195, 95}, {1.00, 245, 230, 50},
};

std::uint8_t to_byte(double v) { return static_cast<std::uint8_t>(std::lround(std::clamp(v, 0.0, 255.0))); }

template <std::size_t N>
void lookup(const ColorStop (&stops)[N], double s, std::uint8_t rgb[3]) {
  if (!std::isfinite(s)) {
    rgb[0] = 255, rgb[1] = 0, rgb[2] = 255;
    return;
  }
  s = std::clamp(s, 0.0, 1.0);
  std::size_t k = 1;
  while (k < N - 1 && s > stops[k].s) ++k;
  const ColorStop& a = stops[k - 1];
  const ColorStop& b = stops[k];
  const double w = (s - a.s) / (b.s - a.s);
  rgb[0] = to_byte(a.r + w * (b.r - a.r));
  rgb[1] = to_byte(a.g + w * (b.g - a.g));
  rgb[2] = to_byte(a.b + w * (b.b - a.b));
}

void check_grid(std::span<const float> values, int nx, int nz, const char* fn) {
  if (nx <= 0 || nz <= 0 || values.size() != std::size_t(nx) * std::size_t(nz)) {
    throw std::invalid_argument(std::string(fn) + ": " + std::to_string(values.size()) +
                                " values do not fill an nx = " + std::to_string(nx) +
                                " by nz = " + std::to_string(nz) + " grid");
  }
}

Image blank(int w, int h) {
  Image img;
  img.width = w;
  img.height = h;
  img.rgb.assign(std::size_t(w) * std::size_t(h) * 3, 0);
  return img;
}

// The clip level: the quantile, or the largest |value| when the quantile is 0.
double clip_level(std::span<const float> values, double q) {
  double clip = abs_quantile(values, q);
  if (clip == 0) clip = abs_quantile(values, 1.0);
  return clip;
}

void diverging_pixel(double v, double clip, std::uint8_t* px) {
  diverging_color(clip > 0 ? v / clip : (std::isfinite(v) ? 0.0 : v), px);
}

// libpng reports errors through this; the message is kept and control returns to the setjmp point.
struct PngErrors {
  std::string message;
};

void png_error_fn(png_structp png, png_const_charp msg) {
  static_cast<PngErrors*>(png_get_error_ptr(png))->message = msg ? msg : "unknown error";
  png_longjmp(png, 1);
}

void png_warning_fn(png_structp, png_const_charp) {}

void png_write_fn(png_structp png, png_bytep data, png_size_t len) {
  auto* out = static_cast<std::vector<std::byte>*>(png_get_io_ptr(png));
  const auto* p = reinterpret_cast<const std::byte*>(data);
  out->insert(out->end(), p, p + len);
}

void png_flush_fn(png_structp) {}

// Runs libpng; returns false (with errors.message set) if libpng failed. No C++ objects are created
// between setjmp and a possible longjmp in this frame.
bool run_png_encoder(const Image& img, png_bytep* rows, std::vector<std::byte>* out, PngErrors* errors) {
  png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, errors, png_error_fn, png_warning_fn);
  if (!png) {
    errors->message = "out of memory";
    return false;
  }
  png_infop info = png_create_info_struct(png);
  if (!info) {
    png_destroy_write_struct(&png, nullptr);
    errors->message = "out of memory";
    return false;
  }
  if (setjmp(png_jmpbuf(png))) {
    png_destroy_write_struct(&png, &info);
    return false;
  }
  png_set_write_fn(png, out, png_write_fn, png_flush_fn);
  png_set_IHDR(png, info, static_cast<png_uint_32>(img.width), static_cast<png_uint_32>(img.height), 8,
               PNG_COLOR_TYPE_RGB, PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
  png_set_compression_level(png, 6);
  png_write_info(png, info);
  png_write_image(png, rows);
  png_write_end(png, nullptr);
  png_destroy_write_struct(&png, &info);
  return true;
}

}  // namespace

void diverging_color(double t, std::uint8_t rgb[3]) { lookup(kDiverging, (t + 1.0) / 2.0, rgb); }

void sequential_color(double t, std::uint8_t rgb[3]) { lookup(kSequential, t, rgb); }

double abs_quantile(std::span<const float> values, double q) {
  if (!(q >= 0 && q <= 1))
    throw std::invalid_argument("abs_quantile: q = " + std::to_string(q) + " is not in [0, 1]");
  std::vector<float> a;
  a.reserve(values.size());
  for (float v : values) {
    if (std::isfinite(v)) a.push_back(std::abs(v));
  }
  if (a.empty()) return 0;
  const double pos = q * double(a.size() - 1);
  const auto lo = static_cast<std::size_t>(std::floor(pos));
  std::nth_element(a.begin(), a.begin() + static_cast<std::ptrdiff_t>(lo), a.end());
  const double v_lo = a[lo];
  if (lo + 1 >= a.size() || pos == double(lo)) return v_lo;
  const double v_hi = *std::min_element(a.begin() + static_cast<std::ptrdiff_t>(lo) + 1, a.end());
  return v_lo + (pos - double(lo)) * (v_hi - v_lo);
}

std::vector<std::byte> encode_png(const Image& img) {
  if (img.width <= 0 || img.height <= 0 ||
      img.rgb.size() != std::size_t(img.width) * std::size_t(img.height) * 3) {
    throw std::invalid_argument("encode_png: a " + std::to_string(img.width) + "x" +
                                std::to_string(img.height) + " image needs " +
                                std::to_string(std::max(0, img.width) * std::max(0, img.height) * 3) +
                                " RGB bytes, got " + std::to_string(img.rgb.size()));
  }
  std::vector<png_bytep> rows(static_cast<std::size_t>(img.height));
  const std::size_t stride = std::size_t(img.width) * 3;
  for (std::size_t r = 0; r < rows.size(); ++r) {
    // libpng's API takes non-const rows but only reads them when writing.
    rows[r] = const_cast<png_bytep>(img.rgb.data() + r * stride);
  }
  std::vector<std::byte> out;
  PngErrors errors;
  if (!run_png_encoder(img, rows.data(), &out, &errors)) {
    throw std::runtime_error("PNG encoding failed: " + errors.message);
  }
  return out;
}

void write_png(const std::filesystem::path& path, const Image& img) {
  write_file_atomic(path, encode_png(img));
}

Image render_diverging(std::span<const float> values, int nx, int nz, double clip_quantile) {
  check_grid(values, nx, nz, "render_diverging");
  const double clip = clip_level(values, clip_quantile);
  Image img = blank(nx, nz);
  for (int i = 0; i < nx; ++i) {
    for (int j = 0; j < nz; ++j) {
      const std::size_t k = std::size_t(i) * std::size_t(nz) + std::size_t(j);
      const std::size_t p = (std::size_t(j) * std::size_t(nx) + std::size_t(i)) * 3;
      diverging_pixel(values[k], clip, &img.rgb[p]);
    }
  }
  return img;
}

Image render_sequential(std::span<const float> values, int nx, int nz) {
  check_grid(values, nx, nz, "render_sequential");
  double lo = INFINITY, hi = -INFINITY;
  for (float v : values) {
    if (std::isfinite(v)) lo = std::min(lo, double(v)), hi = std::max(hi, double(v));
  }
  Image img = blank(nx, nz);
  for (int i = 0; i < nx; ++i) {
    for (int j = 0; j < nz; ++j) {
      const double v = values[std::size_t(i) * std::size_t(nz) + std::size_t(j)];
      const double t = !std::isfinite(v) ? v : hi > lo ? (v - lo) / (hi - lo) : 0.5;
      sequential_color(t, &img.rgb[(std::size_t(j) * std::size_t(nx) + std::size_t(i)) * 3]);
    }
  }
  return img;
}

Image render_gather(std::span<const float> traces, std::size_t nrec, std::size_t nt, int max_height) {
  if (nrec == 0 || nt == 0 || max_height < 1 || traces.size() != nrec * nt) {
    throw std::invalid_argument(
        "render_gather: " + std::to_string(traces.size()) + " samples for nrec = " + std::to_string(nrec) +
        ", nt = " + std::to_string(nt) + ", max_height = " + std::to_string(max_height));
  }
  const std::size_t band = std::clamp<std::size_t>(600 / nrec, 2, 16);
  const std::size_t rows = std::min(nt, static_cast<std::size_t>(max_height));
  const double clip = clip_level(traces, 0.99);
  Image img = blank(static_cast<int>(nrec * band), static_cast<int>(rows));
  const std::size_t width = nrec * band;
  for (std::size_t r = 0; r < nrec; ++r) {
    const float* trace = traces.data() + r * nt;
    for (std::size_t y = 0; y < rows; ++y) {
      // Time window [t0, t1) of this row; keep its sample of largest magnitude.
      const std::size_t t0 = y * nt / rows, t1 = std::max(t0 + 1, (y + 1) * nt / rows);
      double v = trace[t0];
      for (std::size_t t = t0 + 1; t < t1; ++t) {
        if (!std::isfinite(trace[t]) || std::abs(double(trace[t])) > std::abs(v)) v = trace[t];
        if (!std::isfinite(v)) break;
      }
      std::uint8_t px[3];
      diverging_pixel(v, clip, px);
      for (std::size_t b = 0; b < band; ++b) {
        std::uint8_t* dst = &img.rgb[(y * width + r * band + b) * 3];
        dst[0] = px[0], dst[1] = px[1], dst[2] = px[2];
      }
    }
  }
  return img;
}

Image upscale(const Image& img, int min_side) {
  const int shorter = std::min(img.width, img.height), longer = std::max(img.width, img.height);
  if (shorter <= 0 || shorter >= min_side) return img;
  int factor = (min_side + shorter - 1) / shorter;
  factor = std::max(1, std::min(factor, 8192 / longer));
  if (factor == 1) return img;
  Image out = blank(img.width * factor, img.height * factor);
  const auto w = std::size_t(img.width), f = std::size_t(factor), ow = w * f;
  for (std::size_t y = 0; y < std::size_t(out.height); ++y) {
    const std::uint8_t* src_row = img.rgb.data() + (y / f) * w * 3;
    std::uint8_t* dst = out.rgb.data() + y * ow * 3;
    for (std::size_t x = 0; x < ow; ++x) std::copy_n(src_row + (x / f) * 3, 3, dst + x * 3);
  }
  return out;
}

}  // namespace seiswg::io
