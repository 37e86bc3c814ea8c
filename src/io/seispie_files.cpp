#include "io/seispie_files.hpp"

#include <algorithm>
#include <bit>
#include <cerrno>
#include <climits>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <fstream>
#include <limits>
#include <string_view>

#include "io/atomic_file.hpp"
#include "io/bit_cast.hpp"
#include "io/error.hpp"
#include "io/text_util.hpp"

namespace seiswg::io {
namespace fs = std::filesystem;
using detail::fmt_num;

namespace {

std::uint32_t load_le32(const unsigned char* p) {
  return static_cast<std::uint32_t>(p[0]) | static_cast<std::uint32_t>(p[1]) << 8 |
         static_cast<std::uint32_t>(p[2]) << 16 | static_cast<std::uint32_t>(p[3]) << 24;
}

void store_le32(std::byte* p, std::uint32_t v) {
  for (int i = 0; i < 4; ++i) p[i] = static_cast<std::byte>((v >> (8 * i)) & 0xffu);
}

fs::path model_file(const fs::path& dir, const std::string& name) {
  return dir / ("proc000000_" + name + ".bin");
}

// ---- Text tables (sources.dat, stations.dat) -----------------------------------------------------

struct Row {
  int line;
  std::string text;                 // the line as written (trimmed), for messages
  std::vector<double> values;       // the first names.size() numbers
  std::vector<std::string> fields;  // their text
  std::vector<std::string> rest;    // the columns after them, as written
};

// Reads the rows of a whitespace-separated table like numpy.loadtxt: '#' starts a comment (whole-line or
// trailing), blank lines are skipped, each row needs at least `names.size()` numbers (more are ignored).
std::vector<Row> read_table(const fs::path& file, const std::vector<std::string>& names,
                            const std::string& what) {
  const std::string fname = file.string();
  std::string format;
  for (const std::string& n : names) format += (format.empty() ? "" : " ") + n;
  const std::string expected =
      "expected " + std::to_string(names.size()) + " numbers \"" + format + "\" per line";

  std::vector<Row> rows;
  const std::vector<std::string> lines = detail::read_lines(fname, what + "s file");
  for (std::size_t n = 0; n < lines.size(); ++n) {
    const int line_no = static_cast<int>(n + 1);
    std::string_view data = lines[n];
    if (const std::size_t hash = data.find('#'); hash != std::string_view::npos) data = data.substr(0, hash);
    const std::vector<std::string_view> fields = detail::split_ws(data);
    if (fields.empty()) continue;
    const std::string text(detail::trim(lines[n]));
    const std::string at = fname + ":" + std::to_string(line_no) + ": ";
    if (fields.size() < names.size()) {
      throw InputError(at + "expected " + std::to_string(names.size()) + " numbers \"" + format +
                       "\", got \"" + text + "\" (" + std::to_string(fields.size()) + " column" +
                       (fields.size() == 1 ? "" : "s") + ")");
    }
    Row row{line_no, text, {}, {}, {}};
    for (std::size_t c = 0; c < names.size(); ++c) {
      const std::optional<double> v = detail::parse_double(fields[c]);
      if (!v) {
        throw InputError(at + "expected " + std::to_string(names.size()) + " numbers \"" + format +
                         "\", got \"" + text + "\" (" + names[c] + " = \"" + std::string(fields[c]) +
                         "\" is not a number)");
      }
      if (!std::isfinite(*v)) {
        throw InputError(at + names[c] + " = " + std::string(fields[c]) + " is not a finite number in \"" +
                         text + "\" (" + expected + ")");
      }
      if (std::fpclassify(*v) == FP_SUBNORMAL) {
        throw InputError(
            at + names[c] + " = " + std::string(fields[c]) +
            " is too small to be one: a subnormal number (expected 0 or a magnitude of at least " +
            fmt_num(std::numeric_limits<double>::min()) + ") in \"" + text + "\"");
      }
      row.values.push_back(*v);
      row.fields.emplace_back(fields[c]);
    }
    for (std::size_t c = names.size(); c < fields.size(); ++c) row.rest.emplace_back(fields[c]);
    rows.push_back(std::move(row));
  }
  if (rows.empty()) {
    throw InputError("no " + what + "s in " + fname + " (" + expected + "; '#' lines are comments)");
  }
  return rows;
}

}  // namespace

std::size_t read_field_points(const fs::path& file) {
  const std::string name = file.string();
  std::error_code ec;
  if (!fs::exists(file, ec)) throw InputError("missing model file " + name);
  if (fs::is_directory(file, ec)) throw InputError(name + " is a folder, expected a model file");
  // A FIFO would block forever and a device (/dev/zero) never ends: only regular files are read.
  if (!fs::is_regular_file(file, ec)) {
    const auto type = fs::status(file, ec).type();
    const char* what = type == fs::file_type::fifo        ? "a FIFO (named pipe)"
                       : type == fs::file_type::character ? "a character device"
                       : type == fs::file_type::block     ? "a block device"
                       : type == fs::file_type::socket    ? "a socket"
                                                          : "not a regular file";
    throw InputError(name + " is " + what + ", expected a model file (a regular file)");
  }
  const std::uintmax_t size = fs::file_size(file, ec);
  if (ec) throw InputError("cannot read " + name + ": " + ec.message());
  std::ifstream in(file, std::ios::binary);
  if (!in) throw InputError("cannot read " + name + ": " + std::strerror(errno));
  unsigned char header[4] = {};
  if (size < 4 || !in.read(reinterpret_cast<char*>(header), 4)) {
    throw InputError(name + ": the file has " + std::to_string(size) +
                     " bytes, too short for the 4-byte int32 npt header");
  }
  const auto npt = static_cast<std::int32_t>(load_le32(header));
  if (npt <= 0) {
    throw InputError(name + ": header says npt = " + std::to_string(npt) +
                     "; the number of points must be positive");
  }
  const std::size_t expected = 4 + 4 * static_cast<std::size_t>(npt);
  if (size != expected) {
    throw InputError(name + ": header says npt = " + std::to_string(npt) + " (" + std::to_string(expected) +
                     " bytes expected) but the file has " + std::to_string(size) + " bytes");
  }
  return static_cast<std::size_t>(npt);
}

std::vector<float> read_field_bin(const fs::path& file) {
  const std::string name = file.string();
  // The header and size are checked before the values are read, so that a huge file is refused at once.
  const std::size_t npt = read_field_points(file);
  const std::size_t expected = 4 + 4 * npt;
  std::ifstream in(file, std::ios::binary);
  if (!in) throw InputError("cannot read " + name + ": " + std::strerror(errno));
  std::string bytes(expected, '\0');
  if (!in.read(bytes.data(), std::streamsize(expected)))
    throw InputError("cannot read " + name + ": the file ended before its " + std::to_string(expected) +
                     " bytes");
  const auto* u = reinterpret_cast<const unsigned char*>(bytes.data());
  std::vector<float> values(npt);
  for (std::size_t k = 0; k < values.size(); ++k) values[k] = io::bit_cast<float>(load_le32(u + 4 + 4 * k));
  return values;
}

void write_field_bin(const fs::path& file, std::span<const float> values) {
  if (values.empty() || values.size() > static_cast<std::size_t>(std::numeric_limits<std::int32_t>::max())) {
    throw InputError("cannot write " + file.string() + ": " + std::to_string(values.size()) +
                     " values do not fit the int32 npt header (need 1 to 2147483647)");
  }
  std::vector<std::byte> bytes(4 + 4 * values.size());
  store_le32(bytes.data(), static_cast<std::uint32_t>(values.size()));
  for (std::size_t k = 0; k < values.size(); ++k) {
    store_le32(bytes.data() + 4 + 4 * k, io::bit_cast<std::uint32_t>(values[k]));
  }
  write_file_atomic(file, bytes);
}

Grid infer_grid(std::span<const float> x, std::span<const float> z, const std::string& where) {
  const std::string xf = "proc000000_x.bin", zf = "proc000000_z.bin";
  const std::string at = where + ": ";
  if (x.size() != z.size()) {
    throw InputError(at + xf + " has npt = " + std::to_string(x.size()) + " but " + zf +
                     " has npt = " + std::to_string(z.size()) + "; x and z must list the same nodes");
  }
  const std::size_t npt = x.size();
  if (npt == 0) throw InputError(at + xf + " and " + zf + " have no nodes");
  for (std::size_t k = 0; k < npt; ++k) {
    if (!std::isfinite(x[k])) {
      throw InputError(at + xf + ": node k=" + std::to_string(k) + " has x=" + fmt_num(x[k]) +
                       "; coordinates must be finite");
    }
    if (!std::isfinite(z[k])) {
      throw InputError(at + zf + ": node k=" + std::to_string(k) + " has z=" + fmt_num(z[k]) +
                       "; coordinates must be finite");
    }
  }
  const auto [xmin, xmax] = std::minmax_element(x.begin(), x.end());
  const auto [zmin, zmax] = std::minmax_element(z.begin(), z.end());
  const double x0 = *xmin, z0 = *zmin;
  const double lx = double(*xmax) - x0, lz = double(*zmax) - z0;
  if (lx <= 0) {
    throw InputError(at + "every node in " + xf + " has x = " + fmt_num(x0) +
                     " (lx = 0); a 2-D grid needs at least 2 distinct x (nx >= 2)");
  }
  if (lz <= 0) {
    throw InputError(at + "every node in " + zf + " has z = " + fmt_num(z0) +
                     " (lz = 0); a 2-D grid needs at least 2 distinct z (nz >= 2)");
  }
  // The node order k = i*nz + j gives nz directly (the run of nodes with the first x) for any aspect
  // ratio and spacing; Seispie's formula (below) only for square cells and nx / nz < 2. The order is
  // used where it forms a grid; the regularity check after it holds either way.
  std::size_t run = 1;
  while (run < npt && x[run] == x[0]) ++run;
  const bool by_order = run >= 2 && run < npt && npt % run == 0;
  const double fnx = by_order ? double(npt / run) : std::rint(std::sqrt(double(npt) * lx / lz));
  const double fnz = by_order ? double(run) : std::rint(std::sqrt(double(npt) * lz / lx));
  const std::string dims = "npt = " + std::to_string(npt) + ", lx = " + fmt_num(lx) + ", lz = " + fmt_num(lz);
  if (!(fnx >= 2 && fnz >= 2 && fnx <= INT_MAX && fnz <= INT_MAX)) {
    throw InputError(at + "cannot infer the grid from " + xf + " and " + zf + " (" + dims +
                     "): got nx = " + fmt_num(fnx) + ", nz = " + fmt_num(fnz) + "; need nx >= 2 and nz >= 2");
  }
  Grid g;
  g.nx = static_cast<int>(fnx);
  g.nz = static_cast<int>(fnz);
  if (g.npt() != npt) {
    throw InputError(at + "cannot infer the grid from " + xf + " and " + zf + " (" + dims +
                     "): nx = rint(sqrt(npt*lx/lz)) = " + std::to_string(g.nx) +
                     " and nz = rint(sqrt(npt*lz/lx)) = " + std::to_string(g.nz) + " give nx*nz = " +
                     std::to_string(g.npt()) + " != npt; the nodes must form a full regular nx-by-nz grid");
  }
  g.x0 = x0;
  g.z0 = z0;
  g.dx = lx / (g.nx - 1);
  g.dz = lz / (g.nz - 1);

  const double tol_x = 1e-3 * g.dx, tol_z = 1e-3 * g.dz;
  const auto nz = static_cast<std::size_t>(g.nz);
  for (std::size_t k = 0; k < npt; ++k) {
    const std::size_t i = k / nz, j = k % nz;
    const double ex = g.x0 + double(i) * g.dx, ez = g.z0 + double(j) * g.dz;
    const bool bad_x = std::abs(double(x[k]) - ex) > tol_x;
    if (bad_x || std::abs(double(z[k]) - ez) > tol_z) {
      throw InputError(at + "not a regular grid with node k = i*nz + j (nx = " + std::to_string(g.nx) +
                       ", nz = " + std::to_string(g.nz) + ", x = " + fmt_num(g.x0) + " + i*" + fmt_num(g.dx) +
                       ", z = " + fmt_num(g.z0) + " + j*" + fmt_num(g.dz) + "): node k=" + std::to_string(k) +
                       " (i=" + std::to_string(i) + ",j=" + std::to_string(j) + ") has " +
                       (bad_x ? "x=" + fmt_num(x[k]) + " in " + xf + ", expected " + fmt_num(ex)
                              : "z=" + fmt_num(z[k]) + " in " + zf + ", expected " + fmt_num(ez)));
    }
  }
  return g;
}

namespace {

void check_model_folder(const fs::path& dir, const std::vector<std::string>& names) {
  std::error_code ec;
  if (!fs::exists(dir, ec)) throw InputError("missing model folder " + dir.string());
  if (!fs::is_directory(dir, ec))
    throw InputError(dir.string() + " is not a folder (expected a model folder)");
  for (const std::string& n : names) {
    if (n.empty() || n.find('/') != std::string::npos) {
      throw InputError("invalid model field name \"" + n + "\" for model folder " + dir.string());
    }
  }
}

}  // namespace

std::size_t model_points(const fs::path& dir, const std::vector<std::string>& names) {
  check_model_folder(dir, names);
  const fs::path xpath = model_file(dir, "x");
  const std::size_t npt = read_field_points(xpath);
  std::vector<std::string> others = {"z"};
  others.insert(others.end(), names.begin(), names.end());
  for (const std::string& name : others) {
    const std::size_t n = read_field_points(model_file(dir, name));
    if (n != npt)
      throw InputError(model_file(dir, name).string() + " has npt = " + std::to_string(n) + " but " +
                       xpath.string() + " has npt = " + std::to_string(npt) +
                       "; all model files must have the same number of points");
  }
  return npt;
}

Model read_model(const fs::path& dir, const std::vector<std::string>& names) {
  // Every file's header first: a file of another size is found before gigabytes are read.
  (void)model_points(dir, names);
  std::error_code ec;
  auto read = [&](const std::string& name) {
    const fs::path f = model_file(dir, name);
    if (!fs::exists(f, ec)) throw InputError("missing model file " + f.string());
    return read_field_bin(f);
  };
  const fs::path xpath = model_file(dir, "x");
  const std::vector<float> x = read("x");
  const std::vector<float> z = read("z");

  auto check_npt = [&](const std::string& name, std::size_t n) {
    if (n != x.size()) {
      throw InputError(model_file(dir, name).string() + " has npt = " + std::to_string(n) + " but " +
                       xpath.string() + " has npt = " + std::to_string(x.size()) +
                       "; all model files must have the same number of points");
    }
  };
  check_npt("z", z.size());

  Model m;
  m.dir = dir;
  m.grid = infer_grid(x, z, dir.string());
  const auto nz = static_cast<std::size_t>(m.grid.nz);
  for (const std::string& name : names) {
    if (m.fields.count(name)) continue;
    std::vector<float> v = name == "x" ? x : name == "z" ? z : read(name);
    check_npt(name, v.size());
    for (std::size_t k = 0; k < v.size(); ++k) {
      if (!std::isfinite(v[k])) {
        throw InputError(model_file(dir, name).string() + ": node k=" + std::to_string(k) +
                         " (i=" + std::to_string(k / nz) + ",j=" + std::to_string(k % nz) + ") has value " +
                         fmt_num(v[k]) + "; model values must be finite");
      }
    }
    m.fields.emplace(name, std::move(v));
  }
  return m;
}

std::vector<SourceSpec> read_sources(const fs::path& file) {
  const std::vector<Row> rows = read_table(file, {"x", "z", "type", "f0", "t0", "angle", "amp"}, "source");
  std::vector<SourceSpec> out;
  for (const Row& r : rows) {
    const std::string at = file.string() + ":" + std::to_string(r.line) + ": ";
    const double type = r.values[2];
    if (type != std::rint(type) || type < INT_MIN || type > INT_MAX) {
      throw InputError(at + "type = " + r.fields[2] + " must be an integer (the source type) in \"" + r.text +
                       "\"");
    }
    if (!(r.values[3] > 0)) {
      throw InputError(at + "f0 = " + r.fields[3] + " must be > 0 (the peak frequency in Hz) in \"" + r.text +
                       "\"");
    }
    out.push_back(SourceSpec{r.values[0], r.values[1], static_cast<int>(type), r.values[3], r.values[4],
                             r.values[5], r.values[6], r.line, r.rest, r.text, file});
  }
  return out;
}

std::vector<StationSpec> read_stations(const fs::path& file) {
  const std::vector<Row> rows = read_table(file, {"x", "z"}, "station");
  std::vector<StationSpec> out;
  out.reserve(rows.size());
  for (const Row& r : rows) out.push_back(StationSpec{r.values[0], r.values[1], r.line});
  return out;
}

}  // namespace seiswg::io
