#include <gtest/gtest.h>

#include <bit>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <random>
#include <string>
#include <vector>

#include "io/error.hpp"
#include "io/npy.hpp"

namespace {
namespace fs = std::filesystem;
using seiswg::InputError;
using namespace seiswg::io;

struct TempDir {
  fs::path path;
  TempDir() {
    std::random_device rd;
    path = fs::temp_directory_path() / ("seiswg_io_npy_" + std::to_string(rd()) + std::to_string(rd()));
    fs::create_directories(path);
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
};

std::string to_string(const std::vector<std::byte>& b) {
  return std::string(reinterpret_cast<const char*>(b.data()), b.size());
}

void write_raw(const fs::path& p, const std::string& bytes) { std::ofstream(p, std::ios::binary) << bytes; }

// A .npy file built by hand from the format spec: magic, version, little-endian header length, header.
std::string npy_bytes(const std::string& dict, int major, const std::string& data) {
  const std::size_t pre = major == 1 ? 10 : 12;
  std::string header = dict;
  while ((pre + header.size() + 1) % 64 != 0) header += ' ';
  header += '\n';
  std::string out = "\x93NUMPY";
  out += static_cast<char>(major);
  out += '\0';
  const std::size_t n = header.size();
  out += static_cast<char>(n & 0xff);
  out += static_cast<char>((n >> 8) & 0xff);
  if (major != 1) out += std::string(2, '\0');
  return out + header + data;
}

std::string le_doubles(const std::vector<double>& v) {
  std::string s;
  for (double d : v) {
    const auto u = std::bit_cast<std::uint64_t>(d);
    for (int i = 0; i < 8; ++i) s += static_cast<char>((u >> (8 * i)) & 0xff);
  }
  return s;
}

std::string error_of(const fs::path& p) {
  try {
    read_npy(p);
  } catch (const InputError& e) {
    return e.what();
  }
  ADD_FAILURE() << "read_npy(" << p << ") did not throw InputError";
  return "";
}

bool contains(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

TEST(IoNpy, Encode2dExactBytes) {
  std::vector<float> data(1000);
  data[0] = 1.0f;
  data[1] = -2.5f;
  data[999] = 0.5f;
  const std::string b = to_string(encode_npy(data, {10, 100}));
  // Magic + version 1.0.
  EXPECT_EQ(b.substr(0, 8), std::string("\x93NUMPY\x01\x00", 8));
  // Header length 118 (little-endian uint16): 10 + 118 = 128 = 2*64, so the data is 64-byte aligned.
  EXPECT_EQ(static_cast<unsigned char>(b[8]), 118);
  EXPECT_EQ(static_cast<unsigned char>(b[9]), 0);
  const std::string dict = "{'descr': '<f4', 'fortran_order': False, 'shape': (10, 100), }";
  EXPECT_EQ(b.substr(10, 118), dict + std::string(118 - dict.size() - 1, ' ') + "\n");
  ASSERT_EQ(b.size(), 128u + 4000u);
  EXPECT_EQ(b.substr(128, 8), std::string("\x00\x00\x80\x3f\x00\x00\x20\xc0", 8));  // 1.0f, -2.5f
  EXPECT_EQ(b.substr(128 + 4 * 999), std::string("\x00\x00\x00\x3f", 4));           // 0.5f
}

TEST(IoNpy, Encode1dShapeHasTrailingComma) {
  const std::vector<float> data = {1, 2, 3};
  const std::string b = to_string(encode_npy(data, {3}));
  EXPECT_EQ(b.substr(10, 59), "{'descr': '<f4', 'fortran_order': False, 'shape': (3,), }  ");
  EXPECT_EQ(static_cast<unsigned char>(b[8]), 118);
  EXPECT_EQ(b[127], '\n');
  EXPECT_EQ(b.size() % 4, 0u);
  EXPECT_EQ(b.size(), 128u + 12u);
  EXPECT_EQ(b.substr(128, 4), std::string("\x00\x00\x80\x3f", 4));  // 1.0f
}

TEST(IoNpy, EncodeHeaderAlwaysAlignsTo64) {
  // A long shape makes a longer header; the data must still start at a multiple of 64.
  const std::vector<float> data(2 * 3 * 4 * 5 * 6 * 7 * 8 * 9, 0.f);
  const std::string b = to_string(encode_npy(data, {2, 3, 4, 5, 6, 7, 8, 9}));
  const std::size_t header_len = static_cast<unsigned char>(b[8]) | static_cast<unsigned char>(b[9]) << 8;
  EXPECT_EQ((10 + header_len) % 64, 0u);
  EXPECT_EQ(b[10 + header_len - 1], '\n');
  EXPECT_TRUE(contains(b.substr(10, header_len), "'shape': (2, 3, 4, 5, 6, 7, 8, 9), }"));
}

TEST(IoNpy, EncodeRejectsShapeThatDoesNotMatchData) {
  const std::vector<float> data(10);
  EXPECT_THROW(encode_npy(data, {3, 3}), std::invalid_argument);
}

TEST(IoNpy, RoundTrip) {
  TempDir tmp;
  std::vector<float> data(6 * 7);
  for (std::size_t i = 0; i < data.size(); ++i) data[i] = static_cast<float>(i) * 0.25f - 3.0f;
  data[5] = 1e-30f;
  data[6] = -3.4e38f;
  const fs::path p = tmp.path / "out" / "wave.npy";
  write_npy(p, data, {6, 7});
  const NpyArray a = read_npy(p);
  EXPECT_EQ(a.shape, (std::vector<std::size_t>{6, 7}));
  EXPECT_EQ(a.data, data);  // bit-exact
  const NpyArray scalar = [&] {
    const std::vector<float> one = {42.f};
    write_npy(tmp.path / "s.npy", one, {});
    return read_npy(tmp.path / "s.npy");
  }();
  EXPECT_TRUE(scalar.shape.empty());
  EXPECT_EQ(scalar.data, std::vector<float>{42.f});
}

TEST(IoNpy, ReadsFloat64AsFloat) {
  TempDir tmp;
  const fs::path p = tmp.path / "f8.npy";
  write_raw(p, npy_bytes("{'descr': '<f8', 'fortran_order': False, 'shape': (2, 2), }", 1,
                         le_doubles({1.5, -0.1, 1e10, 0.0})));
  const NpyArray a = read_npy(p);
  EXPECT_EQ(a.shape, (std::vector<std::size_t>{2, 2}));
  EXPECT_EQ(a.data, (std::vector<float>{1.5f, -0.1f, 1e10f, 0.0f}));
}

TEST(IoNpy, ReadsVersion2AndNumpyStyleHeaders) {
  TempDir tmp;
  const fs::path p = tmp.path / "v2.npy";
  // NumPy 2 pads the dict with spare spaces and may write keys in any order; a Python-2 style "3L" too.
  write_raw(p, npy_bytes("{'shape': (3L,), 'fortran_order': False, 'descr': '<f4',}                    ", 2,
                         std::string("\x00\x00\x80\x3f\x00\x00\x00\x40\x00\x00\x40\x40", 12)));
  const NpyArray a = read_npy(p);
  EXPECT_EQ(a.shape, std::vector<std::size_t>{3});
  EXPECT_EQ(a.data, (std::vector<float>{1.f, 2.f, 3.f}));
}

TEST(IoNpy, RejectsBigEndian) {
  TempDir tmp;
  const fs::path p = tmp.path / "be.npy";
  write_raw(p,
            npy_bytes("{'descr': '>f4', 'fortran_order': False, 'shape': (1,), }", 1, std::string(4, '\0')));
  const std::string msg = error_of(p);
  EXPECT_TRUE(contains(msg, p.string())) << msg;
  EXPECT_TRUE(contains(msg, "dtype '>f4' is not supported")) << msg;
}

TEST(IoNpy, RejectsOtherDtypes) {
  TempDir tmp;
  const fs::path p = tmp.path / "i4.npy";
  write_raw(p,
            npy_bytes("{'descr': '<i4', 'fortran_order': False, 'shape': (1,), }", 1, std::string(4, '\0')));
  EXPECT_TRUE(contains(error_of(p), "'<i4'"));
}

TEST(IoNpy, RejectsFortranOrder) {
  TempDir tmp;
  const fs::path p = tmp.path / "f.npy";
  write_raw(
      p, npy_bytes("{'descr': '<f4', 'fortran_order': True, 'shape': (2, 2), }", 1, std::string(16, '\0')));
  const std::string msg = error_of(p);
  EXPECT_TRUE(contains(msg, p.string())) << msg;
  EXPECT_TRUE(contains(msg, "Fortran order")) << msg;
}

TEST(IoNpy, RejectsTruncatedData) {
  TempDir tmp;
  const std::vector<float> data(10, 1.f);
  const fs::path p = tmp.path / "t.npy";
  write_npy(p, data, {10});
  fs::resize_file(p, fs::file_size(p) - 3);
  const std::string msg = error_of(p);
  EXPECT_TRUE(contains(msg, p.string())) << msg;
  EXPECT_TRUE(contains(msg, "needs 40 bytes of data but the file has 37")) << msg;
  EXPECT_TRUE(contains(msg, "truncated")) << msg;
}

TEST(IoNpy, RejectsTruncatedHeaderBadMagicVersionAndMissingFile) {
  TempDir tmp;
  const fs::path cut = tmp.path / "cut.npy";
  write_raw(cut, npy_bytes("{'descr': '<f4', 'fortran_order': False, 'shape': (1,), }", 1, "").substr(0, 40));
  EXPECT_TRUE(contains(error_of(cut), "header says it is 118 bytes long but the file has only 40 bytes"));

  const fs::path text = tmp.path / "text.npy";
  write_raw(text, "x,y\n1,2\n");
  EXPECT_TRUE(contains(error_of(text), "not a .npy file"));

  const fs::path v9 = tmp.path / "v9.npy";
  write_raw(v9, std::string("\x93NUMPY\x09\x00\x00\x00", 10));
  EXPECT_TRUE(contains(error_of(v9), "unsupported .npy format version 9.0"));

  const fs::path garbled = tmp.path / "garbled.npy";
  write_raw(garbled,
            npy_bytes("{'descr': '<f4', 'fortran_order': maybe, 'shape': (1,), }", 1, std::string(4, '\0')));
  EXPECT_TRUE(contains(error_of(garbled), "malformed .npy header"));

  const std::string missing = error_of(tmp.path / "nope.npy");
  EXPECT_TRUE(contains(missing, "missing file " + (tmp.path / "nope.npy").string())) << missing;
}

}  // namespace
