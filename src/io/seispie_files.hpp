#pragma once
#include <cstddef>
#include <filesystem>
#include <map>
#include <span>
#include <string>
#include <vector>

namespace seiswg::io {

// A Seispie model file (proc000000_<name>.bin): int32 npt (little-endian), then npt float32 values.
// Checks that the file exists, has the 4-byte header, npt > 0 and size == 4 + 4*npt.
std::vector<float> read_field_bin(const std::filesystem::path& file);
// The same checks from the header and the file's size alone, without reading the values: its npt.
std::size_t read_field_points(const std::filesystem::path& file);
// Writes the same layout atomically. `values` must be non-empty and fit an int32 count.
void write_field_bin(const std::filesystem::path& file, std::span<const float> values);

// The regular grid of a Seispie model: node k = i*nz + j is at x = x0 + i*dx, z = z0 + j*dz (z down).
struct Grid {
  int nx = 0, nz = 0;
  double dx = 0, dz = 0, x0 = 0, z0 = 0;
  std::size_t npt() const { return std::size_t(nx) * std::size_t(nz); }
};

// The grid of the nodes: nz from the node order k = i*nz + j (the run of nodes sharing node 0's x), any
// aspect ratio and dx != dz; else Seispie's inference (nx = rint(sqrt(npt*lx/lz)), nz =
// rint(sqrt(npt*lz/lx))), dx = lx/(nx-1), ..., followed by checks Seispie doesn't make: nx*nz == npt, nx, nz
// >= 2 and every node within 1e-3*dx (1e-3*dz) of its place on the regular grid. `where` (e.g. the model
// folder) starts every message; the coordinates are named as proc000000_x.bin / proc000000_z.bin.
Grid infer_grid(std::span<const float> x, std::span<const float> z, const std::string& where);

struct Model {
  Grid grid;
  std::map<std::string, std::vector<float>> fields;  // name -> values (node k = i*nz + j)
  std::filesystem::path dir;
};

// Reads proc000000_x.bin, proc000000_z.bin and proc000000_<name>.bin for each name from `dir`, checks
// that all have the same npt and only finite values, and infers the grid.
Model read_model(const std::filesystem::path& dir, const std::vector<std::string>& names);
// The npt that the headers of proc000000_x.bin, proc000000_z.bin and proc000000_<name>.bin in `dir`
// agree on (checked as read_model checks them), read without any value: what sizes a grid before
// gigabytes are loaded.
std::size_t model_points(const std::filesystem::path& dir, const std::vector<std::string>& names);

// One line of Seispie's sources.dat: "x z type f0 t0 angle amp", then any further columns as written
// (a moment tensor's "mxx mzz mxz" with [solver] source_types = yes: read by app/case.cpp, which
// knows whether the type column counts).
struct SourceSpec {
  double x, z;
  int type;
  double f0, t0, angle_deg, amp;
  int line;  // 1-based line in the file
  std::vector<std::string> more_columns;
  std::string text;            // the line as written (trimmed), for messages
  std::filesystem::path file;  // the sources file, for messages
};
std::vector<SourceSpec> read_sources(const std::filesystem::path& file);

// One line of stations.dat: "x z" (further columns are ignored).
struct StationSpec {
  double x, z;
  int line;
};
std::vector<StationSpec> read_stations(const std::filesystem::path& file);

}  // namespace seiswg::io
