#include "io/text_util.hpp"

#include <cctype>
#include <cerrno>
#include <charconv>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>

#include "io/error.hpp"

namespace seiswg::io::detail {

namespace {
bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f'; }
}  // namespace

std::string_view trim(std::string_view s) {
  while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
  return s;
}

std::string to_lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string fmt_num(double v) {
  char buf[64];
#if defined(__cpp_lib_to_chars)
  const auto r = std::to_chars(buf, buf + sizeof buf, v);
  return std::string(buf, r.ptr);
#else
  // Emscripten 3.1.6's libc++ has no floating-point to_chars: the shortest %g that reads back exactly.
  for (int digits = 1; digits <= 17; ++digits) {
    std::snprintf(buf, sizeof buf, "%.*g", digits, v);
    if (std::strtod(buf, nullptr) == v) break;
  }
  return buf;
#endif
}

std::optional<double> parse_double(std::string_view s) {
  s = trim(s);
  bool negative = false;
  if (!s.empty() && (s.front() == '+' || s.front() == '-')) {
    negative = s.front() == '-';
    s.remove_prefix(1);
  }
  // from_chars takes no sign of its own here (a second sign would be an error anyway).
  if (s.empty() || s.front() == '+' || s.front() == '-') return std::nullopt;
  double v = 0;
#if defined(__cpp_lib_to_chars)
  const auto r = std::from_chars(s.data(), s.data() + s.size(), v, std::chars_format::general);
  if (r.ec == std::errc::result_out_of_range) {
    // Python gives inf for overflow and 0 for underflow; report the overflow as inf so callers reject it.
    const std::string text(s);
    v = std::strtod(text.c_str(), nullptr);
  } else if (r.ec != std::errc{}) {
    return std::nullopt;
  }
  if (r.ptr != s.data() + s.size()) return std::nullopt;
#else
  // Emscripten 3.1.6's libc++ has no floating-point from_chars: strtod (the C locale) on the same
  // subset, refusing what from_chars would refuse (hexadecimal, leading space, a second sign).
  const std::string text(s);
  if (std::isspace(static_cast<unsigned char>(text.front())) || text.find_first_of("xX") != std::string::npos)
    return std::nullopt;
  char* end = nullptr;
  v = std::strtod(text.c_str(), &end);
  if (end != text.c_str() + text.size()) return std::nullopt;
#endif
  return negative ? -v : v;
}

std::optional<long> parse_long(std::string_view s) {
  s = trim(s);
  if (!s.empty() && s.front() == '+') s.remove_prefix(1);
  if (s.empty() || s.front() == '+') return std::nullopt;
  long v = 0;
  const auto r = std::from_chars(s.data(), s.data() + s.size(), v, 10);
  if (r.ec != std::errc{} || r.ptr != s.data() + s.size()) return std::nullopt;
  return v;
}

std::vector<std::string_view> split_ws(std::string_view s) {
  std::vector<std::string_view> out;
  std::size_t i = 0;
  while (i < s.size()) {
    while (i < s.size() && is_space(s[i])) ++i;
    const std::size_t b = i;
    while (i < s.size() && !is_space(s[i])) ++i;
    if (i > b) out.push_back(s.substr(b, i - b));
  }
  return out;
}

std::vector<std::string> read_lines(const std::string& path, const std::string& what) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (!fs::exists(path, ec)) throw InputError("missing " + what + " " + path);
  if (fs::is_directory(path, ec)) throw InputError(path + " is a folder, expected " + what);
  // A FIFO would block forever and a device never ends.
  if (!fs::is_regular_file(path, ec))
    throw InputError(path + " is not a regular file (a FIFO, device or socket), expected " + what);
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError("cannot read " + path + ": " + std::strerror(errno));
  std::vector<std::string> lines;
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    lines.push_back(std::move(line));
  }
  if (in.bad()) throw InputError("cannot read " + path + ": read error");
  if (!lines.empty() && lines.front().rfind("\xEF\xBB\xBF", 0) == 0) lines.front().erase(0, 3);
  return lines;
}

}  // namespace seiswg::io::detail
