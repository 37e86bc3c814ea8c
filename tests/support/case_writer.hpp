// Test support: writes small Seispie-style forward cases (config.ini, model/, sources.dat, stations.dat)
// into fresh temporary folders and runs the seiswg command line on them.
#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <string>
#include <vector>

namespace seiswg::test {

// A fresh, empty, unique folder under the system temp dir (name prefix for readability).
std::filesystem::path fresh_dir(const std::string& prefix);

// Writes a Seispie model file: int32 npt (little-endian) + float32 values.
void write_model_file(const std::filesystem::path& file, const std::vector<float>& values);

struct CaseSpec {
  int nx = 31, nz = 31;
  double dx = 25, dz = 25;
  double vp = 1732, vs = 1000, rho = 2000;  // homogeneous defaults
  // Overrides / extra fields by name (e.g. "vs", Cosserat's "lambda", or even "x" / "z"); node k = i*nz + j.
  // Every entry is written, whether or not its name is in field_names; sizes are written as given.
  std::map<std::string, std::vector<float>> fields;
  // Which proc000000_<name>.bin to write (x and z always). A name that is neither vp, vs, rho nor in
  // `fields` is an error (std::invalid_argument).
  std::vector<std::string> field_names = {"vp", "vs", "rho"};
  std::string sources = "375.0 225.0 0 4.0 0.25 0.0 1.0e10\n";
  std::string stations = "225.0 150.0\n375.0 150.0\n525.0 150.0\n375.0 450.0\n";
  std::string config;  // full config.ini text; empty = default_config()
};

// Seispie-style config text: [workflow] mode = forward; [solver] sh / psv flags, nt, dt, taper on the left,
// right and bottom (width 8, alpha 0.015), save_snapshot, combine_sources = yes, save_images = no;
// [path] output = output, output_traces = output, model_true = model, sources = sources.dat,
// stations = stations.dat.
std::string default_config(bool sh = true, bool psv = false, int nt = 100, double dt = 0.005,
                           int save_snapshot = 0);

// Writes config.ini, sources.dat, stations.dat and model/ (x, z and field_names) into dir; returns dir.
std::filesystem::path write_case(const std::filesystem::path& dir, const CaseSpec& spec);

struct CliResult {
  int exit_code = 0;   // the exit status, or 128 + the signal number if the process was killed
  std::string output;  // stdout + stderr together
};
// Runs SEISWG_CLI with `args` (each shell-quoted), stdout and stderr captured together.
CliResult run_cli(const std::vector<std::string>& args);

// dir/model_init: a copy of dir/model (written by write_case) with vs = `vs` everywhere (the homogeneous
// start of an adjoint or inversion case).
void write_uniform_vs_start(const std::filesystem::path& dir, float vs);

// A test fixture with a fresh folder `root` per test, removed when the test passed (kept to look at
// when it failed).
class FreshFolderTest : public ::testing::Test {
 public:
  void SetUp() override { root = fresh_dir("seiswg_test"); }
  void TearDown() override {
    if (!HasFailure()) std::filesystem::remove_all(root);
  }
  std::filesystem::path root;
};

// model_true/ and model_init/ of an SH checkerboard case in dir: n x n nodes of h metres, vs 1000 m/s
// (vp 1.8 vs, rho 2000) with +-8 % checks of `check` metres inside (lo, hi) x (lo, hi) in model_true.
void write_checkerboard_models(const std::filesystem::path& dir, int n, double h, double lo, double hi,
                               double check);

// Whether `s` holds `part`.
inline bool contains(const std::string& s, const std::string& part) {
  return s.find(part) != std::string::npos;
}
// `text` with the first `from` replaced by `to` (a test failure when there is none).
std::string replace(std::string text, const std::string& from, const std::string& to);

// Every regular file under dir, recursively, sorted (empty if dir does not exist).
std::vector<std::filesystem::path> files_under(const std::filesystem::path& dir);

}  // namespace seiswg::test
