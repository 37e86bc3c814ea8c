#include <cairo.h>
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include "io/png.hpp"

namespace {
namespace fs = std::filesystem;
using namespace seiswg::io;

struct TempDir {
  fs::path path;
  TempDir() {
    std::random_device rd;
    path = fs::temp_directory_path() / ("seiswg_io_png_" + std::to_string(rd()) + std::to_string(rd()));
    fs::create_directories(path);
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
};

// Decodes a PNG file with Cairo into 8-bit RGB.
Image decode(const fs::path& p) {
  cairo_surface_t* surface = cairo_image_surface_create_from_png(p.c_str());
  Image out;
  if (cairo_surface_status(surface) != CAIRO_STATUS_SUCCESS) {
    ADD_FAILURE() << "cannot read " << p << ": " << cairo_status_to_string(cairo_surface_status(surface));
  } else {
    out.width = cairo_image_surface_get_width(surface);
    out.height = cairo_image_surface_get_height(surface);
    const unsigned char* data = cairo_image_surface_get_data(surface);
    const int stride = cairo_image_surface_get_stride(surface);
    for (int row = 0; row < out.height; ++row)
      for (int col = 0; col < out.width; ++col) {
        std::uint32_t px;
        std::memcpy(&px, data + std::size_t(row) * std::size_t(stride) + std::size_t(col) * 4, 4);
        out.rgb.insert(out.rgb.end(), {std::uint8_t(px >> 16), std::uint8_t(px >> 8), std::uint8_t(px)});
      }
  }
  cairo_surface_destroy(surface);
  return out;
}

using Rgb = std::vector<std::uint8_t>;
const Rgb kWhite = {255, 255, 255};

bool reddish(const Rgb& c) { return c[0] > 100 && c[0] > c[1] + 60 && c[0] > c[2] + 60; }
bool bluish(const Rgb& c) { return c[2] > 100 && c[2] > c[0] + 60 && c[2] > c[1] + 20; }
double luminance(const Rgb& c) { return 0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2]; }

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

TEST(IoPng, WritesPngThatDecodesToTheSamePixels) {
  TempDir tmp;
  Image img;
  img.width = 3;
  img.height = 2;
  img.rgb = {255, 0, 0, 0,   255, 0,  0,   0,   255,  // top row: red, green, blue
             0,   0, 0, 128, 64,  32, 255, 255, 255};
  const fs::path p = tmp.path / "pics" / "small.png";
  write_png(p, img);
  std::ifstream in(p, std::ios::binary);
  char sig[8] = {};
  in.read(sig, 8);
  EXPECT_EQ(std::string(sig, 8), std::string("\x89PNG\r\n\x1a\n", 8));
  const Image back = decode(p);
  EXPECT_EQ(back.width, 3);
  EXPECT_EQ(back.height, 2);
  EXPECT_EQ(back.rgb, img.rgb);
}

TEST(IoPng, EncodeRejectsInconsistentImages) {
  Image img;
  img.width = 2;
  img.height = 2;
  img.rgb.resize(11);
  EXPECT_THROW(encode_png(img), std::invalid_argument);
  EXPECT_THROW(encode_png(Image{}), std::invalid_argument);
}

TEST(IoPng, ColourMapSanity) {
  EXPECT_EQ(div(0.0), kWhite);
  EXPECT_TRUE(reddish(div(1.0))) << int(div(1.0)[0]);
  EXPECT_TRUE(reddish(div(0.6)));
  EXPECT_TRUE(bluish(div(-1.0)));
  EXPECT_TRUE(bluish(div(-0.6)));
  EXPECT_EQ(div(5.0), div(1.0));  // clamped
  EXPECT_EQ(div(-5.0), div(-1.0));
  EXPECT_EQ(div(NAN), (Rgb{255, 0, 255}));
  // Darker towards both ends.
  EXPECT_GT(luminance(div(0.3)), luminance(div(0.9)));
  EXPECT_GT(luminance(div(-0.3)), luminance(div(-0.9)));
  // The sequential map gets steadily lighter.
  for (int i = 1; i <= 20; ++i) EXPECT_GT(luminance(seq(i / 20.0)), luminance(seq((i - 1) / 20.0))) << i;
  EXPECT_EQ(seq(0.0), (Rgb{45, 15, 75}));
  EXPECT_EQ(seq(1.0), (Rgb{245, 230, 50}));
}

TEST(IoPng, AbsQuantileMatchesNumpyLinear) {
  std::vector<float> v;
  for (int i = 0; i <= 100; ++i) v.push_back(static_cast<float>(i % 2 ? -i : i));
  EXPECT_DOUBLE_EQ(abs_quantile(v, 0.99), 99.0);
  EXPECT_DOUBLE_EQ(abs_quantile(v, 1.0), 100.0);
  EXPECT_DOUBLE_EQ(abs_quantile(v, 0.0), 0.0);
  EXPECT_DOUBLE_EQ(abs_quantile(v, 0.995), 99.5);
  const std::vector<float> w = {1, 2, 3, 4};
  EXPECT_DOUBLE_EQ(abs_quantile(w, 0.5), 2.5);  // numpy.quantile([1,2,3,4], 0.5) == 2.5
}

}  // namespace
