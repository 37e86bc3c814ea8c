#include "io/npy.hpp"

#include <bit>
#include <cctype>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <fstream>
#include <limits>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

#include "io/atomic_file.hpp"
#include "io/bit_cast.hpp"
#include "io/error.hpp"

namespace seiswg::io {
namespace fs = std::filesystem;

namespace {

constexpr char kMagic[] = "\x93NUMPY";
constexpr std::size_t kMagicLen = 6;
constexpr std::size_t kAlign = 64;

std::string shape_text(const std::vector<std::size_t>& shape) {
  std::string s = "(";
  for (std::size_t i = 0; i < shape.size(); ++i) {
    if (i > 0) s += ", ";
    s += std::to_string(shape[i]);
  }
  if (shape.size() == 1) s += ",";
  s += ")";
  return s;
}

void put_le(std::vector<std::byte>& out, std::uint64_t v, int nbytes) {
  for (int i = 0; i < nbytes; ++i) out.push_back(static_cast<std::byte>((v >> (8 * i)) & 0xffu));
}

std::uint64_t get_le(const unsigned char* p, int nbytes) {
  std::uint64_t v = 0;
  for (int i = nbytes - 1; i >= 0; --i) v = (v << 8) | p[i];
  return v;
}

// ---- A parser for the Python literal dict in the header. -------------------------------------------

struct HeaderParser {
  std::string_view s;
  std::size_t pos = 0;
  std::string file;  // for messages

  [[noreturn]] void fail(const std::string& what) const {
    throw InputError(file + ": malformed .npy header (" + what + " at character " + std::to_string(pos) +
                     "): " + std::string(s));
  }
  void skip_ws() {
    while (pos < s.size() && std::isspace(static_cast<unsigned char>(s[pos]))) ++pos;
  }
  bool accept(char c) {
    skip_ws();
    if (pos < s.size() && s[pos] == c) {
      ++pos;
      return true;
    }
    return false;
  }
  void expect(char c) {
    if (!accept(c)) fail(std::string("expected '") + c + "'");
  }
  std::string string_literal() {
    skip_ws();
    if (pos >= s.size() || (s[pos] != '\'' && s[pos] != '"')) fail("expected a quoted string");
    const char q = s[pos++];
    std::string out;
    while (pos < s.size() && s[pos] != q) out += s[pos++];
    if (pos >= s.size()) fail("unterminated string");
    ++pos;
    return out;
  }
  std::string word() {
    skip_ws();
    std::string out;
    while (pos < s.size() && std::isalpha(static_cast<unsigned char>(s[pos]))) out += s[pos++];
    if (out.empty()) fail("expected True or False");
    return out;
  }
  std::size_t integer() {
    skip_ws();
    if (pos >= s.size() || !std::isdigit(static_cast<unsigned char>(s[pos]))) fail("expected a dimension");
    std::size_t v = 0;
    while (pos < s.size() && std::isdigit(static_cast<unsigned char>(s[pos]))) {
      const auto d = static_cast<std::size_t>(s[pos] - '0');
      if (v > (std::numeric_limits<std::size_t>::max() - d) / 10) fail("dimension too large");
      v = v * 10 + d;
      ++pos;
    }
    if (pos < s.size() && s[pos] == 'L') ++pos;  // Python 2 long suffix
    return v;
  }
  std::vector<std::size_t> tuple() {
    expect('(');
    std::vector<std::size_t> dims;
    if (accept(')')) return dims;
    while (true) {
      dims.push_back(integer());
      if (accept(')')) return dims;
      expect(',');
      if (accept(')')) return dims;
    }
  }
};

}  // namespace

std::vector<std::byte> encode_npy(std::span<const float> data, std::vector<std::size_t> shape) {
  std::size_t count = 1;
  for (std::size_t d : shape) {
    if (d != 0 && count > std::numeric_limits<std::size_t>::max() / d) {
      throw std::invalid_argument("encode_npy: shape " + shape_text(shape) + " is too large");
    }
    count *= d;
  }
  if (count != data.size()) {
    throw std::invalid_argument("encode_npy: shape " + shape_text(shape) + " holds " + std::to_string(count) +
                                " values but " + std::to_string(data.size()) + " were given");
  }

  std::string header = "{'descr': '<f4', 'fortran_order': False, 'shape': " + shape_text(shape) + ", }";
  // Version 1.0 has a 2-byte header length; version 2.0 (needed only for enormous shapes) has 4 bytes.
  int version = 1;
  std::size_t preamble = kMagicLen + 2 + 2;
  std::size_t total = (preamble + header.size() + 1 + kAlign - 1) / kAlign * kAlign;
  if (total - preamble > 0xffff) {
    version = 2;
    preamble = kMagicLen + 2 + 4;
    total = (preamble + header.size() + 1 + kAlign - 1) / kAlign * kAlign;
  }
  const std::size_t header_len = total - preamble;
  header.append(header_len - header.size() - 1, ' ');
  header += '\n';

  std::vector<std::byte> out;
  out.reserve(total + 4 * data.size());
  for (std::size_t i = 0; i < kMagicLen; ++i) out.push_back(static_cast<std::byte>(kMagic[i]));
  out.push_back(static_cast<std::byte>(version));
  out.push_back(std::byte{0});
  put_le(out, header_len, version == 1 ? 2 : 4);
  for (char c : header) out.push_back(static_cast<std::byte>(c));
  for (float v : data) put_le(out, io::bit_cast<std::uint32_t>(v), 4);
  return out;
}

void write_npy(const fs::path& path, std::span<const float> data, std::vector<std::size_t> shape) {
  const std::vector<std::byte> bytes = encode_npy(data, std::move(shape));
  write_file_atomic(path, bytes);
}

NpyArray read_npy(const fs::path& path) {
  const std::string name = path.string();
  std::error_code ec;
  if (!fs::exists(path, ec)) throw InputError("missing file " + name);
  if (fs::is_directory(path, ec)) throw InputError(name + ": is a folder, expected a .npy file");
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError("cannot read " + name + ": " + std::strerror(errno));
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (in.bad()) throw InputError("cannot read " + name + ": read error");

  const auto* u = reinterpret_cast<const unsigned char*>(bytes.data());
  if (bytes.size() < kMagicLen + 2 || bytes.compare(0, kMagicLen, kMagic, kMagicLen) != 0) {
    throw InputError(name + ": not a .npy file (it does not start with \\x93NUMPY)");
  }
  const int major = u[6];
  const int minor = u[7];
  if (major < 1 || major > 3) {
    throw InputError(name + ": unsupported .npy format version " + std::to_string(major) + "." +
                     std::to_string(minor) + " (expected 1.0, 2.0 or 3.0)");
  }
  const std::size_t len_bytes = major == 1 ? 2 : 4;
  const std::size_t preamble = kMagicLen + 2 + len_bytes;
  if (bytes.size() < preamble) {
    throw InputError(name + ": truncated .npy file (" + std::to_string(bytes.size()) +
                     " bytes, header cut off)");
  }
  const auto header_len = static_cast<std::size_t>(get_le(u + kMagicLen + 2, static_cast<int>(len_bytes)));
  if (bytes.size() < preamble + header_len) {
    throw InputError(name + ": truncated .npy file: the header says it is " + std::to_string(header_len) +
                     " bytes long but the file has only " + std::to_string(bytes.size()) + " bytes");
  }

  HeaderParser p{std::string_view(bytes).substr(preamble, header_len), 0, name};
  std::optional<std::string> descr;
  std::optional<bool> fortran;
  std::optional<std::vector<std::size_t>> shape;
  p.expect('{');
  while (!p.accept('}')) {
    const std::string key = p.string_literal();
    p.expect(':');
    if (key == "descr") {
      descr = p.string_literal();
    } else if (key == "fortran_order") {
      const std::string w = p.word();
      if (w != "True" && w != "False") p.fail("fortran_order must be True or False, got " + w);
      fortran = (w == "True");
    } else if (key == "shape") {
      shape = p.tuple();
    } else {
      p.fail("unknown key '" + key + "'");
    }
    if (!p.accept(',')) {
      p.expect('}');
      break;
    }
  }
  if (!descr || !fortran || !shape) p.fail("the dict must have 'descr', 'fortran_order' and 'shape'");

  std::size_t item = 0;
  if (*descr == "<f4") {
    item = 4;
  } else if (*descr == "<f8") {
    item = 8;
  } else {
    throw InputError(name + ": dtype '" + *descr +
                     "' is not supported (expected '<f4' float32 or '<f8' float64, little-endian)");
  }
  if (*fortran) {
    throw InputError(name +
                     ": the array is stored in Fortran order (fortran_order: True); only C order is "
                     "supported (save it with np.ascontiguousarray)");
  }
  std::size_t count = 1;
  for (std::size_t d : *shape) {
    if (d != 0 && count > std::numeric_limits<std::size_t>::max() / d / item) {
      throw InputError(name + ": shape " + shape_text(*shape) + " is too large");
    }
    count *= d;
  }
  const std::size_t data_bytes = bytes.size() - preamble - header_len;
  if (data_bytes != count * item) {
    throw InputError(name + ": shape " + shape_text(*shape) + " of '" + *descr + "' needs " +
                     std::to_string(count * item) + " bytes of data but the file has " +
                     std::to_string(data_bytes) + (data_bytes < count * item ? " (truncated file)" : ""));
  }

  NpyArray out;
  out.shape = *shape;
  out.data.resize(count);
  const unsigned char* d = u + preamble + header_len;
  if (item == 4) {
    for (std::size_t i = 0; i < count; ++i) {
      out.data[i] = io::bit_cast<float>(static_cast<std::uint32_t>(get_le(d + 4 * i, 4)));
    }
  } else {
    for (std::size_t i = 0; i < count; ++i) {
      out.data[i] = static_cast<float>(io::bit_cast<double>(get_le(d + 8 * i, 8)));
    }
  }
  return out;
}

}  // namespace seiswg::io
