#pragma once
// Small text helpers shared by the io readers (not part of the public io API).
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace seiswg::io::detail {

std::string_view trim(std::string_view s);
std::string to_lower(std::string_view s);
// Shortest text that reads back as the same double ("25", "0.06", "1e+10", "nan").
std::string fmt_num(double v);
// A number the way Python's float() / numpy.loadtxt read one: optional sign, decimal or scientific
// notation, "nan"/"inf". The whole text must be the number. std::nullopt if it is not a number.
std::optional<double> parse_double(std::string_view s);
// A whole decimal integer with optional sign (Python's int()). std::nullopt if not one or out of range.
std::optional<long> parse_long(std::string_view s);
// Whitespace-separated fields.
std::vector<std::string_view> split_ws(std::string_view s);
// The file's lines (without '\n' / "\r\n"; a leading UTF-8 byte-order mark is dropped). Throws InputError
// "missing file <path>" / "cannot read <path>: ..." naming `what` when the file cannot be read.
std::vector<std::string> read_lines(const std::string& path, const std::string& what);

}  // namespace seiswg::io::detail
