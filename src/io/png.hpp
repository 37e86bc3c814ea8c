#pragma once
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <span>
#include <vector>

namespace seiswg::io {

// An 8-bit RGB picture: row-major, top row first, 3 bytes per pixel.
struct Image {
  int width = 0, height = 0;
  std::vector<std::uint8_t> rgb;
};

// The PNG file bytes of `img` (8-bit RGB, deflate-compressed by png.cpp itself, in both builds).
// std::invalid_argument if the image is empty or rgb.size() != 3*width*height.
std::vector<std::byte> encode_png(const Image& img);
// encode_png + write_file_atomic.
void write_png(const std::filesystem::path& path, const Image& img);

// The colour maps, for a value t: diverging t in [-1, 1] (blue - white - red, exactly white at 0),
// sequential t in [0, 1] (dark violet - blue - teal - green - yellow). t is clamped; non-finite t gives
// magenta (255, 0, 255), which neither map uses.
void diverging_color(double t, std::uint8_t rgb[3]);
void sequential_color(double t, std::uint8_t rgb[3]);

// The `q` quantile (0..1, linear interpolation like numpy's default) of |values| over the finite values;
// 0 when there are none.
double abs_quantile(std::span<const float> values, double q);

}  // namespace seiswg::io
