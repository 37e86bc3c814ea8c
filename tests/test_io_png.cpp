#include <gtest/gtest.h>
#include <png.h>

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

// Decodes a PNG file with libpng's simplified API into 8-bit RGB.
Image decode(const fs::path& p) {
  png_image img;
  std::memset(&img, 0, sizeof img);
  img.version = PNG_IMAGE_VERSION;
  if (!png_image_begin_read_from_file(&img, p.c_str())) {
    ADD_FAILURE() << "libpng cannot read " << p << ": " << img.message;
    return {};
  }
  img.format = PNG_FORMAT_RGB;
  Image out;
  out.width = static_cast<int>(img.width);
  out.height = static_cast<int>(img.height);
  out.rgb.resize(PNG_IMAGE_SIZE(img));
  if (!png_image_finish_read(&img, nullptr, out.rgb.data(), 0, nullptr)) {
    ADD_FAILURE() << "libpng cannot decode " << p << ": " << img.message;
  }
  return out;
}

std::vector<std::uint8_t> pixel(const Image& img, int col, int row) {
  const std::size_t p = (std::size_t(row) * std::size_t(img.width) + std::size_t(col)) * 3;
  return {img.rgb[p], img.rgb[p + 1], img.rgb[p + 2]};
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

TEST(IoPng, RenderDivergingLayoutAndClip) {
  // nx = 3, nz = 2: node k = i*nz + j; image column i, row j (z down).
  std::vector<float> v(6, 0.f);
  v[2 * 2 + 0] = 4.f;                                // i = 2, j = 0: top right, red
  v[0 * 2 + 1] = -4.f;                               // i = 0, j = 1: bottom left, blue
  v[1 * 2 + 1] = 1.f;                                // i = 1, j = 1: a quarter of the clip, light red
  const Image img = render_diverging(v, 3, 2, 1.0);  // clip = max |v| = 4
  ASSERT_EQ(img.width, 3);
  ASSERT_EQ(img.height, 2);
  EXPECT_EQ(pixel(img, 2, 0), div(1.0));
  EXPECT_EQ(pixel(img, 0, 1), div(-1.0));
  EXPECT_EQ(pixel(img, 1, 1), div(0.25));
  EXPECT_EQ(pixel(img, 0, 0), kWhite);
  EXPECT_EQ(pixel(img, 1, 0), kWhite);
  // The image written to disk decodes to exactly what was rendered.
  TempDir tmp;
  write_png(tmp.path / "f.png", img);
  EXPECT_EQ(decode(tmp.path / "f.png").rgb, img.rgb);
}

TEST(IoPng, RenderDivergingClipsAtQuantile) {
  // 200 values: 198 of magnitude 1 and two of magnitude 100. Sorted |v|, the 0.99 quantile sits at
  // position 0.99*199 = 197.01, between a 1 and a 100: clip = 1 + 0.01*99 = 1.99.
  std::vector<float> v(200, 1.f);
  v[10] = 100.f;
  v[11] = -100.f;
  v[12] = -1.f;
  const Image img = render_diverging(v, 20, 10);
  EXPECT_EQ(pixel(img, 1, 0), div(1.0));   // k = 10: clipped
  EXPECT_EQ(pixel(img, 1, 1), div(-1.0));  // k = 11
  EXPECT_EQ(pixel(img, 1, 2), div(-1.0 / 1.99));
  EXPECT_EQ(pixel(img, 0, 0), div(1.0 / 1.99));
}

TEST(IoPng, AllZeroFieldIsWhiteAndSparseFieldStillShows) {
  const Image blank = render_diverging(std::vector<float>(12, 0.f), 4, 3);
  for (std::size_t i = 0; i < blank.rgb.size(); ++i) ASSERT_EQ(blank.rgb[i], 255) << i;
  // A single non-zero node: the 0.99 quantile is 0, so the largest |value| is the clip.
  std::vector<float> v(400, 0.f);
  v[5] = -2e-9f;
  const Image img = render_diverging(v, 20, 20);
  EXPECT_EQ(pixel(img, 0, 5), div(-1.0));
  EXPECT_EQ(pixel(img, 1, 5), kWhite);
}

TEST(IoPng, RenderSequential) {
  const std::vector<float> v = {10, 20, 30, 40, 50, NAN};  // nx = 2, nz = 3
  const Image img = render_sequential(v, 2, 3);
  ASSERT_EQ(img.width, 2);
  ASSERT_EQ(img.height, 3);
  EXPECT_EQ(pixel(img, 0, 0), seq(0.0));  // min
  EXPECT_EQ(pixel(img, 1, 1), seq(1.0));  // k = 4 = max
  EXPECT_EQ(pixel(img, 0, 2), seq(0.5));  // k = 2 = 30
  EXPECT_EQ(pixel(img, 1, 2), (Rgb{255, 0, 255}));
  const Image flat = render_sequential(std::vector<float>(4, 7.f), 2, 2);
  EXPECT_EQ(pixel(flat, 1, 1), seq(0.5));
  EXPECT_THROW(render_sequential(v, 2, 2), std::invalid_argument);
}

TEST(IoPng, RenderGather) {
  const std::size_t nrec = 3, nt = 2000;
  std::vector<float> tr(nrec * nt, 0.f);
  tr[1 * nt + 1001] = 1.f;  // a one-sample spike in receiver 1: row 1001*800/2000 = 400
  tr[2 * nt + 10] = -0.5f;  // receiver 2: row 4 (samples 10..12)
  const Image img = render_gather(tr, nrec, nt, 800);
  ASSERT_EQ(img.height, 800);
  ASSERT_EQ(img.width, 3 * 16);  // clamp(600/3, 2, 16) px per receiver
  for (int c = 16; c < 32; ++c) EXPECT_EQ(pixel(img, c, 400), div(1.0)) << c;
  EXPECT_EQ(pixel(img, 15, 400), kWhite);
  EXPECT_EQ(pixel(img, 32, 400), kWhite);
  EXPECT_EQ(pixel(img, 20, 399), kWhite);
  EXPECT_EQ(pixel(img, 40, 4), div(-0.5));
  // Short traces keep one row per sample; many receivers get 2-pixel bands.
  const Image wide = render_gather(std::vector<float>(400 * 50, 0.f), 400, 50);
  EXPECT_EQ(wide.width, 800);
  EXPECT_EQ(wide.height, 50);
  EXPECT_THROW(render_gather(tr, 4, nt), std::invalid_argument);
}

TEST(IoPng, Upscale) {
  Image img;
  img.width = 3;
  img.height = 2;
  img.rgb = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18};
  const Image big = upscale(img, 256);  // factor 128
  ASSERT_EQ(big.width, 384);
  ASSERT_EQ(big.height, 256);
  EXPECT_EQ(pixel(big, 0, 0), (Rgb{1, 2, 3}));
  EXPECT_EQ(pixel(big, 127, 127), (Rgb{1, 2, 3}));
  EXPECT_EQ(pixel(big, 128, 0), (Rgb{4, 5, 6}));
  EXPECT_EQ(pixel(big, 383, 255), (Rgb{16, 17, 18}));
  EXPECT_EQ(pixel(big, 256, 128), (Rgb{16, 17, 18}));
  EXPECT_EQ(pixel(big, 255, 128), (Rgb{13, 14, 15}));
  const Image same = upscale(big, 256);
  EXPECT_EQ(same.width, 384);
  EXPECT_EQ(same.rgb, big.rgb);
}

}  // namespace
