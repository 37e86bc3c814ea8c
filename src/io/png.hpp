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

// The PNG file bytes of `img` (8-bit RGB, no interlace). std::invalid_argument if the image is empty
// or rgb.size() != 3*width*height.
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

// A field on the Seispie grid (node k = i*nz + j) with x (i) to the right and z (j) downward: width nx,
// height nz. Diverging map clipped at +-clip with clip = the `clip_quantile` quantile of |values|; if that
// is 0 the largest |value| is used instead, and an all-zero field is white.
Image render_diverging(std::span<const float> values, int nx, int nz, double clip_quantile = 0.99);
// Sequential map from min to max (finite values); a constant field gets the middle colour.
Image render_sequential(std::span<const float> values, int nx, int nz);
// Seismogram gather: traces[r*nt + t] for nrec receivers. Receivers along x (a band of
// clamp(600/nrec, 2, 16) pixels each), time downward. When nt > max_height the rows are max_height time
// windows, each showing its sample of largest magnitude (so wiggles keep their amplitude). Diverging
// map clipped at the 0.99 quantile of |traces|.
Image render_gather(std::span<const float> traces, std::size_t nrec, std::size_t nt, int max_height = 800);
// Upscales by an integer factor (nearest neighbour) so that the shorter side is at least `min_side`
// pixels, except that the factor is capped so the longer side stays <= 8192 pixels (unless already larger).
Image upscale(const Image& img, int min_side = 256);

}  // namespace seiswg::io
