#include "io/png.hpp"

#ifdef SEISWG_WITH_CAIRO
#include <cairo.h>
#endif

#include <algorithm>
#include <cmath>
#include <memory>
#include <stdexcept>
#include <string>

#include "io/atomic_file.hpp"
#include "io/error.hpp"
#include "io/features.hpp"

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

#ifdef SEISWG_WITH_CAIRO
// Cairo hands the encoded PNG over in pieces.
cairo_status_t append_bytes(void* closure, const unsigned char* data, unsigned int length) {
  auto* out = static_cast<std::vector<std::byte>*>(closure);
  const auto* p = reinterpret_cast<const std::byte*>(data);
  out->insert(out->end(), p, p + length);
  return CAIRO_STATUS_SUCCESS;
}
#endif

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
#ifndef SEISWG_WITH_CAIRO
  throw InputError(figures_unavailable());
#else
  // RGB24 surfaces become 8-bit RGB PNGs without alpha.
  std::unique_ptr<cairo_surface_t, decltype(&cairo_surface_destroy)> surface(
      cairo_image_surface_create(CAIRO_FORMAT_RGB24, img.width, img.height), cairo_surface_destroy);
  if (cairo_surface_status(surface.get()) != CAIRO_STATUS_SUCCESS)
    throw std::runtime_error(std::string("PNG encoding failed: ") +
                             cairo_status_to_string(cairo_surface_status(surface.get())));
  cairo_surface_flush(surface.get());
  unsigned char* data = cairo_image_surface_get_data(surface.get());
  const auto stride = std::size_t(cairo_image_surface_get_stride(surface.get()));
  for (std::size_t row = 0; row < std::size_t(img.height); ++row) {
    auto* dst = reinterpret_cast<std::uint32_t*>(data + row * stride);
    const std::uint8_t* src = img.rgb.data() + row * std::size_t(img.width) * 3;
    for (std::size_t col = 0; col < std::size_t(img.width); ++col, src += 3)
      dst[col] = 0xff000000u | std::uint32_t(src[0]) << 16 | std::uint32_t(src[1]) << 8 | src[2];
  }
  cairo_surface_mark_dirty(surface.get());
  std::vector<std::byte> out;
  const cairo_status_t status = cairo_surface_write_to_png_stream(surface.get(), append_bytes, &out);
  if (status != CAIRO_STATUS_SUCCESS)
    throw std::runtime_error(std::string("PNG encoding failed: ") + cairo_status_to_string(status));
  return out;
#endif
}

void write_png(const std::filesystem::path& path, const Image& img) {
  write_file_atomic(path, encode_png(img));
}

}  // namespace seiswg::io
