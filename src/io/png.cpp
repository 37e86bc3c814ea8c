#include "io/png.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <cstdlib>
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

// The PNG encoder is the project's own, so that both builds write figures the same way (Debian's
// Cairo and zlib have no WebAssembly builds): rows filtered as PNG prescribes, compressed by a
// small deflate encoder (LZ77 over a 32 KiB window with hash chains, fixed Huffman codes). Figures are
// mostly flat colour, which this compresses well; a general-purpose zlib would gain ~20 % more.

// Bits into bytes, least significant first, as deflate packs them.
class BitWriter {
 public:
  explicit BitWriter(std::vector<std::byte>& out) : out_(out) {}
  void put(std::uint32_t bits, int count) {
    buffer_ |= std::uint64_t(bits) << filled_;
    filled_ += count;
    while (filled_ >= 8) {
      out_.push_back(std::byte(buffer_ & 0xff));
      buffer_ >>= 8, filled_ -= 8;
    }
  }
  // A Huffman code, which deflate stores most significant bit first.
  void put_code(std::uint32_t code, int length) {
    std::uint32_t reversed = 0;
    for (int k = 0; k < length; ++k) reversed |= ((code >> k) & 1u) << (length - 1 - k);
    put(reversed, length);
  }
  void flush() {
    if (filled_ > 0) out_.push_back(std::byte(buffer_ & 0xff));
    buffer_ = 0, filled_ = 0;
  }

 private:
  std::vector<std::byte>& out_;
  std::uint64_t buffer_ = 0;
  int filled_ = 0;
};

// The fixed literal/length code of RFC 1951, section 3.2.6.
void put_fixed_symbol(BitWriter& bits, int symbol) {
  if (symbol < 144)
    bits.put_code(0x30u + std::uint32_t(symbol), 8);
  else if (symbol < 256)
    bits.put_code(0x190u + std::uint32_t(symbol - 144), 9);
  else if (symbol < 280)
    bits.put_code(std::uint32_t(symbol - 256), 7);
  else
    bits.put_code(0xc0u + std::uint32_t(symbol - 280), 8);
}

constexpr int kLengthBase[29] = {3,  4,  5,  6,  7,  8,  9,  10, 11,  13,  15,  17,  19,  23, 27,
                                 31, 35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258};
constexpr int kLengthExtra[29] = {0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2,
                                  2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0};
constexpr int kDistanceBase[30] = {1,    2,    3,    4,    5,    7,    9,    13,    17,    25,
                                   33,   49,   65,   97,   129,  193,  257,  385,   513,   769,
                                   1025, 1537, 2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577};
constexpr int kDistanceExtra[30] = {0, 0, 0, 0, 1, 1, 2, 2,  3,  3,  4,  4,  5,  5,  6,
                                    6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13};

void put_match(BitWriter& bits, int length, int distance) {
  int l = 28;
  while (kLengthBase[l] > length) --l;
  put_fixed_symbol(bits, 257 + l);
  bits.put(std::uint32_t(length - kLengthBase[l]), kLengthExtra[l]);
  int d = 29;
  while (kDistanceBase[d] > distance) --d;
  bits.put_code(std::uint32_t(d), 5);
  bits.put(std::uint32_t(distance - kDistanceBase[d]), kDistanceExtra[d]);
}

// A zlib stream (RFC 1950) of `data`: one deflate block with the fixed codes, greedy LZ77 matching.
std::vector<std::byte> zlib_compress(const std::vector<std::uint8_t>& data) {
  constexpr std::size_t kWindow = 32768, kMinMatch = 3, kMaxMatch = 258, kHashSize = 1u << 15;
  constexpr int kMaxChain = 32;  // candidates tried per position: enough for figures' flat areas
  std::vector<std::byte> out = {std::byte(0x78), std::byte(0x01)};
  BitWriter bits(out);
  bits.put(1, 1);  // the final block
  bits.put(1, 2);  // fixed Huffman codes
  const std::size_t n = data.size();
  constexpr std::size_t kNone = ~std::size_t(0);
  std::vector<std::size_t> head(kHashSize, kNone), previous(kWindow, kNone);
  auto hash = [&](std::size_t at) {
    return ((std::size_t(data[at]) << 10) ^ (std::size_t(data[at + 1]) << 5) ^ data[at + 2]) &
           (kHashSize - 1);
  };
  auto insert = [&](std::size_t at) {
    if (at + kMinMatch > n) return;
    const std::size_t h = hash(at);
    previous[at % kWindow] = head[h];
    head[h] = at;
  };
  std::size_t at = 0;
  while (at < n) {
    std::size_t best_length = 0, best_distance = 0;
    if (at + kMinMatch <= n) {
      const std::size_t longest = std::min(kMaxMatch, n - at);
      std::size_t candidate = head[hash(at)];
      for (int chain = 0; chain < kMaxChain && candidate != kNone && at - candidate <= kWindow - 1; ++chain) {
        std::size_t length = 0;
        while (length < longest && data[candidate + length] == data[at + length]) ++length;
        if (length > best_length) {
          best_length = length, best_distance = at - candidate;
          if (length == longest) break;
        }
        const std::size_t next = previous[candidate % kWindow];
        if (next == kNone || next >= candidate) break;  // the slot was reused by a later position
        candidate = next;
      }
    }
    if (best_length >= kMinMatch) {
      put_match(bits, int(best_length), int(best_distance));
      for (std::size_t k = 0; k < best_length; ++k) insert(at + k);
      at += best_length;
    } else {
      put_fixed_symbol(bits, data[at]);
      insert(at);
      ++at;
    }
  }
  put_fixed_symbol(bits, 256);  // end of block
  bits.flush();
  std::uint32_t a = 1, b = 0;  // Adler-32 of the uncompressed data
  for (std::uint8_t v : data) a = (a + v) % 65521u, b = (b + a) % 65521u;
  const std::uint32_t adler = b << 16 | a;
  for (int shift = 24; shift >= 0; shift -= 8) out.push_back(std::byte((adler >> shift) & 0xff));
  return out;
}

std::uint32_t crc32(const std::byte* data, std::size_t length, std::uint32_t crc = 0) {
  static const std::array<std::uint32_t, 256> table = [] {
    std::array<std::uint32_t, 256> t{};
    for (std::uint32_t k = 0; k < 256; ++k) {
      std::uint32_t c = k;
      for (int bit = 0; bit < 8; ++bit) c = c & 1 ? 0xedb88320u ^ (c >> 1) : c >> 1;
      t[k] = c;
    }
    return t;
  }();
  crc = ~crc;
  for (std::size_t k = 0; k < length; ++k) crc = table[(crc ^ std::uint32_t(data[k])) & 0xff] ^ (crc >> 8);
  return ~crc;
}

void put_u32(std::vector<std::byte>& out, std::uint32_t v) {
  for (int shift = 24; shift >= 0; shift -= 8) out.push_back(std::byte((v >> shift) & 0xff));
}

void put_chunk(std::vector<std::byte>& out, const char type[4], const std::vector<std::byte>& body) {
  put_u32(out, std::uint32_t(body.size()));
  const std::size_t start = out.size();
  for (int k = 0; k < 4; ++k) out.push_back(std::byte(type[k]));
  out.insert(out.end(), body.begin(), body.end());
  put_u32(out, crc32(out.data() + start, out.size() - start));
}

int paeth(int left, int up, int up_left) {
  const int p = left + up - up_left, pa = std::abs(p - left), pb = std::abs(p - up),
            pc = std::abs(p - up_left);
  return pa <= pb && pa <= pc ? left : pb <= pc ? up : up_left;
}

// The image's rows, each after the filter byte that makes it smallest by the sum of |byte| (as signed
// bytes), the heuristic the PNG specification suggests.
std::vector<std::uint8_t> filtered_rows(const Image& img) {
  const std::size_t row_bytes = std::size_t(img.width) * 3;
  std::vector<std::uint8_t> out;
  out.reserve((row_bytes + 1) * std::size_t(img.height));
  std::vector<std::uint8_t> candidate(row_bytes), best(row_bytes);
  const std::vector<std::uint8_t> zeros(row_bytes, 0);
  for (std::size_t row = 0; row < std::size_t(img.height); ++row) {
    const std::uint8_t* cur = img.rgb.data() + row * row_bytes;
    const std::uint8_t* up = row > 0 ? cur - row_bytes : zeros.data();
    long best_cost = -1;
    int best_type = 0;
    for (int type : {0, 1, 2, 4}) {
      long cost = 0;
      for (std::size_t k = 0; k < row_bytes; ++k) {
        const int left = k >= 3 ? cur[k - 3] : 0, up_left = k >= 3 ? up[k - 3] : 0;
        const int predicted = type == 0   ? 0
                              : type == 1 ? left
                              : type == 2 ? up[k]
                                          : paeth(left, up[k], up_left);
        candidate[k] = std::uint8_t(cur[k] - predicted);
        cost += std::abs(int(std::int8_t(candidate[k])));
      }
      if (best_cost < 0 || cost < best_cost) best_cost = cost, best_type = type, best.swap(candidate);
    }
    out.push_back(std::uint8_t(best_type));
    out.insert(out.end(), best.begin(), best.end());
  }
  return out;
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
  std::vector<std::byte> out;
  for (int c : {0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a})
    out.push_back(std::byte(c));  // \x89PNG\r\n\x1a\n
  std::vector<std::byte> header;
  put_u32(header, std::uint32_t(img.width));
  put_u32(header, std::uint32_t(img.height));
  for (int v : {8, 2, 0, 0, 0}) header.push_back(std::byte(v));  // 8-bit RGB, deflate, no interlace
  put_chunk(out, "IHDR", header);
  put_chunk(out, "IDAT", zlib_compress(filtered_rows(img)));
  put_chunk(out, "IEND", {});
  return out;
}

void write_png(const std::filesystem::path& path, const Image& img) {
  write_file_atomic(path, encode_png(img));
}

}  // namespace seiswg::io
