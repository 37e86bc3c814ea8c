// The seiswg command line on bad input: every mistake ends with a message that names the file (and line)
// or the config key, the offending value and the rule, an exit code of 1..3 (no crash), and no output
// files. Plus the usage texts and one good run.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <iterator>
#include <limits>
#include <sstream>
#include <string>
#include <vector>

#include "gpu/device.hpp"
#include "support/case_writer.hpp"

namespace {
namespace fs = std::filesystem;
using seiswg::test::CaseSpec;
using seiswg::test::CliResult;
using seiswg::test::default_config;
using seiswg::test::files_under;
using seiswg::test::fresh_dir;
using seiswg::test::run_cli;
using seiswg::test::write_case;
using seiswg::test::write_model_file;

// Line numbers of default_config()'s keys, for "config.ini:<line>" checks.
constexpr int kLineSh = 5, kLineNt = 7, kLineDt = 8, kLineModelTrue = 22;

using seiswg::test::contains;

// `config` with the first line equal to `line` replaced by `replacement` (which may hold several lines).
std::string replace_line(const std::string& config, const std::string& line, const std::string& replacement) {
  const std::string needle = line + "\n";
  const std::size_t at = config.find(needle);
  if (at == std::string::npos || (at > 0 && config[at - 1] != '\n')) {
    ADD_FAILURE() << "no line \"" << line << "\" in the config";
    return config;
  }
  return config.substr(0, at) + replacement + "\n" + config.substr(at + needle.size());
}

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

void write_text(const fs::path& p, const std::string& s) { std::ofstream(p, std::ios::binary) << s; }

std::vector<float> constant(std::size_t n, float v) { return std::vector<float>(n, v); }

std::string list_files(const std::vector<fs::path>& files) {
  std::string s;
  for (const auto& f : files) s += "\n  " + f.string();
  return s;
}

// A failed run: exit code 1..3 (no signal, no uncaught exception), each part in the output, no output files.
void expect_failure(const CliResult& r, const fs::path& dir, const std::vector<std::string>& parts) {
  EXPECT_GE(r.exit_code, 1) << r.output;
  EXPECT_LE(r.exit_code, 3) << r.output;
  EXPECT_FALSE(contains(r.output, "terminate")) << r.output;
  EXPECT_FALSE(contains(r.output, "Segmentation")) << r.output;
  EXPECT_FALSE(contains(r.output, "Aborted")) << r.output;
  EXPECT_TRUE(contains(r.output, "error")) << r.output;
  for (const auto& p : parts)
    EXPECT_TRUE(contains(r.output, p)) << "expected \"" << p << "\" in:\n" << r.output;
  const auto files = files_under(dir / "output");
  EXPECT_TRUE(files.empty()) << "files left behind:" << list_files(files);
}

// The folders a test made; removed after the test unless it failed (kept for a look).
std::vector<fs::path>& made_dirs() {
  static std::vector<fs::path> dirs;
  return dirs;
}

fs::path new_dir(const std::string& name) {
  made_dirs().push_back(fresh_dir("seiswg_cli_" + name));
  return made_dirs().back();
}

class CliTest : public ::testing::Test {
 protected:
  void TearDown() override {
    if (!HasFailure())
      for (const auto& d : made_dirs()) {
        std::error_code ec;
        fs::remove_all(d, ec);
      }
    made_dirs().clear();
  }
};
using CliUsage = CliTest;
using CliConfig = CliTest;
using CliModel = CliTest;
using CliStability = CliTest;
using CliSources = CliTest;
using CliRunTime = CliTest;
using CliGoodPath = CliTest;

CliResult run_case(const fs::path& dir) { return run_cli({"run", (dir / "config.ini").string()}); }

// A fresh folder holding `spec` (default case unless changed).
fs::path make_case(const std::string& name, const CaseSpec& spec = {}) {
  return write_case(new_dir(name), spec);
}

std::size_t npt(const CaseSpec& s) { return std::size_t(s.nx) * std::size_t(s.nz); }

// Coordinates of the spec's regular grid (k = i*nz + j).
void grid_coordinates(const CaseSpec& s, std::vector<float>& x, std::vector<float>& z) {
  x.assign(npt(s), 0);
  z.assign(npt(s), 0);
  for (int i = 0; i < s.nx; ++i)
    for (int j = 0; j < s.nz; ++j) {
      x[std::size_t(i * s.nz + j)] = float(i * s.dx);
      z[std::size_t(i * s.nz + j)] = float(j * s.dz);
    }
}

// The number after `label` in `text` (NaN if absent).
double number_after(const std::string& text, const std::string& label) {
  const std::size_t at = text.find(label);
  if (at == std::string::npos) return std::numeric_limits<double>::quiet_NaN();
  try {
    return std::stod(text.substr(at + label.size()));
  } catch (const std::exception&) {
    return std::numeric_limits<double>::quiet_NaN();
  }
}

// The .npy header's dict text and the float32 data of a file written by seiswg.
struct Npy {
  std::string header;
  std::vector<float> data;
};
Npy read_npy(const fs::path& p) {
  const std::string bytes = slurp(p);
  Npy out;
  if (bytes.size() < 10 || bytes.compare(0, 6, "\x93NUMPY") != 0) {
    ADD_FAILURE() << p << " is not a .npy file";
    return out;
  }
  EXPECT_EQ(bytes[6], 1) << "npy major version";
  const std::size_t hlen = std::size_t(static_cast<unsigned char>(bytes[8])) |
                           std::size_t(static_cast<unsigned char>(bytes[9])) << 8;
  EXPECT_EQ((10 + hlen) % 64, 0u) << "npy header is padded to 64 bytes";
  out.header = bytes.substr(10, hlen);
  const std::size_t n = (bytes.size() - 10 - hlen) / 4;
  EXPECT_EQ(10 + hlen + 4 * n, bytes.size());
  out.data.resize(n);
  std::memcpy(out.data.data(), bytes.data() + 10 + hlen, 4 * n);
  return out;
}

// ---- Usage ---------------------------------------------------------------------------------------------

TEST_F(CliUsage, NoArgumentsPrintsUsageAndExits2) {
  const auto r = run_cli({});
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_TRUE(contains(r.output, "usage:")) << r.output;
  EXPECT_TRUE(contains(r.output, "seiswg run CONFIG")) << r.output;
  EXPECT_TRUE(contains(r.output, "seiswg info")) << r.output;
}

TEST_F(CliUsage, HelpExits0) {
  for (const std::string flag : {"--help", "-h", "help"}) {
    const auto r = run_cli({flag});
    EXPECT_EQ(r.exit_code, 0) << flag << ": " << r.output;
    EXPECT_TRUE(contains(r.output, "seiswg run CONFIG")) << flag << ": " << r.output;
  }
}

TEST_F(CliUsage, UnknownCommandExits2) {
  const auto r = run_cli({"frobnicate"});
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_TRUE(contains(r.output, "unknown command 'frobnicate'")) << r.output;
  EXPECT_TRUE(contains(r.output, "usage:")) << r.output;
}

TEST_F(CliUsage, RunHelpExits0) {
  for (const std::string flag : {"--help", "-h"}) {
    const auto r = run_cli({"run", flag});
    EXPECT_EQ(r.exit_code, 0) << r.output;
    EXPECT_TRUE(contains(r.output, "usage: seiswg run CONFIG")) << r.output;
    EXPECT_TRUE(contains(r.output, "--adapter")) << r.output;
    EXPECT_TRUE(contains(r.output, "--quiet")) << r.output;
  }
}

TEST_F(CliUsage, InfoHelpExits0) {
  const auto r = run_cli({"info", "--help"});
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_TRUE(contains(r.output, "usage: seiswg info")) << r.output;
}

TEST_F(CliUsage, RunWithoutConfigExits2) {
  const auto r = run_cli({"run"});
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_TRUE(contains(r.output, "missing CONFIG")) << r.output;
}

TEST_F(CliUsage, RunWithTwoConfigsExits2) {
  const fs::path dir = make_case("two_configs");
  const std::string a = (dir / "config.ini").string(), b = (dir / "other.ini").string();
  const auto r = run_cli({"run", a, b});
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_TRUE(contains(r.output, "more than one CONFIG")) << r.output;
  EXPECT_TRUE(contains(r.output, a)) << r.output;
  EXPECT_TRUE(contains(r.output, b)) << r.output;
  EXPECT_TRUE(files_under(dir / "output").empty());
}

// `--adapter` is a known option: without its NAME the message must say so, not call it unknown.
TEST_F(CliUsage, AdapterWithoutNameExits2) {
  const fs::path dir = make_case("adapter_no_name");
  const auto r = run_cli({"run", (dir / "config.ini").string(), "--adapter"});
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_TRUE(contains(r.output, "--adapter")) << r.output;
  EXPECT_FALSE(contains(r.output, "unknown option --adapter")) << r.output;
  EXPECT_TRUE(files_under(dir / "output").empty());
}

TEST_F(CliUsage, RunWithUnknownOptionExits2) {
  const fs::path dir = make_case("unknown_option");
  const auto r = run_cli({"run", (dir / "config.ini").string(), "--fast"});
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_TRUE(contains(r.output, "unknown option --fast")) << r.output;
  EXPECT_TRUE(files_under(dir / "output").empty());
}

// ---- Config file ---------------------------------------------------------------------------------------

TEST_F(CliConfig, MissingConfigPath) {
  const fs::path dir = new_dir("missing_config");
  const fs::path config = dir / "nope.ini";
  const auto r = run_cli({"run", config.string()});
  expect_failure(r, dir, {config.string(), "does not exist"});
  EXPECT_EQ(r.exit_code, 1);
}

TEST_F(CliConfig, FolderWithoutConfigIni) {
  const fs::path dir = new_dir("no_config_ini");
  const auto r = run_cli({"run", dir.string()});
  expect_failure(r, dir, {dir.string(), "no config.ini"});
}

TEST_F(CliConfig, FolderHoldingConfigIniRuns) {
  const fs::path dir = make_case("config_folder");
  const auto r = run_cli({"run", dir.string(), "--quiet"});
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_TRUE(fs::exists(dir / "output" / "uy_000000.npy")) << r.output;
}

TEST_F(CliConfig, MalformedLine) {
  CaseSpec spec;
  spec.config = replace_line(default_config(), "psv = no", "psv = no\nthis line is not valid");
  const fs::path dir = make_case("malformed_line", spec);
  expect_failure(run_case(dir), dir, {"config.ini:7:", "this line is not valid", "key = value"});
}

TEST_F(CliConfig, KeyBeforeAnySection) {
  CaseSpec spec;
  spec.config = "nt = 100\n" + default_config();
  const fs::path dir = make_case("key_before_section", spec);
  expect_failure(run_case(dir), dir, {"config.ini:1:", "nt", "[section]"});
}

TEST_F(CliConfig, DuplicateKey) {
  CaseSpec spec;
  spec.config = replace_line(default_config(), "nt = 100", "nt = 100\nnt = 200");
  const fs::path dir = make_case("duplicate_key", spec);
  expect_failure(run_case(dir), dir,
                 {"config.ini:" + std::to_string(kLineNt + 1) + ":", "duplicate key [solver] nt",
                  "config.ini:" + std::to_string(kLineNt)});
}

TEST_F(CliConfig, UnknownKeyOnlyWarns) {
  CaseSpec spec;
  spec.config = replace_line(default_config(), "save_images = no",
                             "save_images = no\nfrobnicate = 3\nsave_snapshots = 0");
  const fs::path dir = make_case("unknown_key", spec);
  const auto r = run_case(dir);
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_TRUE(contains(r.output, "warning")) << r.output;
  EXPECT_TRUE(contains(r.output, "config.ini:18: unknown key [solver] frobnicate (ignored)")) << r.output;
  EXPECT_TRUE(contains(r.output, "config.ini:19: unknown key [solver] save_snapshots")) << r.output;
  EXPECT_TRUE(contains(r.output, "did you mean save_snapshot?")) << r.output;
  EXPECT_TRUE(fs::exists(dir / "output" / "uy_000000.npy")) << r.output;
}

TEST_F(CliConfig, BoolKeyWithBadWord) {
  CaseSpec spec;
  spec.config = replace_line(default_config(), "sh = yes", "sh = maybe");
  const fs::path dir = make_case("bad_bool", spec);
  expect_failure(run_case(dir), dir,
                 {"config.ini:" + std::to_string(kLineSh), "[solver] sh", "maybe", "yes/no"});
}

TEST_F(CliConfig, NothingToSimulate) {
  CaseSpec spec;
  spec.config = default_config(false, false);
  const fs::path dir = make_case("nothing", spec);
  expect_failure(run_case(dir), dir, {"config.ini", "sh = yes", "psv = yes"});
}

TEST_F(CliConfig, NtZeroOrNegative) {
  for (const std::string nt : {"0", "-5"}) {
    SCOPED_TRACE("nt = " + nt);
    CaseSpec spec;
    spec.config = replace_line(default_config(), "nt = 100", "nt = " + nt);
    const fs::path dir = make_case("nt_" + nt, spec);
    expect_failure(run_case(dir), dir,
                   {"config.ini:" + std::to_string(kLineNt), "[solver] nt = " + nt, "must be > 0"});
  }
}

TEST_F(CliConfig, NtNotAnInteger) {
  for (const std::string nt : {"1.5", "100x", "1e3"}) {
    SCOPED_TRACE("nt = " + nt);
    CaseSpec spec;
    spec.config = replace_line(default_config(), "nt = 100", "nt = " + nt);
    const fs::path dir = make_case("nt_not_integer", spec);
    expect_failure(run_case(dir), dir,
                   {"config.ini:" + std::to_string(kLineNt), "[solver] nt", "\"" + nt + "\"", "integer"});
  }
}

// nt above the supported maximum: the message must give that rule, not "must be > 0".
TEST_F(CliConfig, NtAboveTheMaximum) {
  CaseSpec spec;
  spec.config = replace_line(default_config(), "nt = 100", "nt = 3000000000");
  const fs::path dir = make_case("nt_huge", spec);
  const auto r = run_case(dir);
  expect_failure(r, dir, {"config.ini:" + std::to_string(kLineNt), "[solver] nt = 3000000000", "2000000000"});
  EXPECT_FALSE(contains(r.output, "must be > 0")) << r.output;
}

TEST_F(CliConfig, NtMissing) {
  CaseSpec spec;
  spec.config = replace_line(default_config(), "nt = 100", "");
  const fs::path dir = make_case("nt_missing", spec);
  expect_failure(run_case(dir), dir, {"config.ini", "missing [solver] nt"});
}

TEST_F(CliConfig, DtNotPositiveOrNotFinite) {
  const std::vector<std::pair<std::string, std::string>> cases = {{"0", "must be > 0"},
                                                                  {"-0.001", "must be > 0"},
                                                                  {"nan", "finite"},
                                                                  {"inf", "finite"},
                                                                  {"fast", "number"}};
  for (const auto& [dt, rule] : cases) {
    SCOPED_TRACE("dt = " + dt);
    CaseSpec spec;
    spec.config = replace_line(default_config(), "dt = 0.005", "dt = " + dt);
    const fs::path dir = make_case("dt_bad", spec);
    expect_failure(run_case(dir), dir, {"config.ini:" + std::to_string(kLineDt), "[solver] dt", dt, rule});
  }
}

TEST_F(CliConfig, MissingParentConfig) {
  CaseSpec spec;
  spec.config = replace_line(default_config(), "mode = forward", "mode = forward\ninherit = base");
  const fs::path dir = make_case("inherit_missing", spec);
  expect_failure(run_case(dir), dir,
                 {"config.ini:3", "[workflow] inherit = base", "config.ini", "does not exist"});
}

TEST_F(CliConfig, SpinWithoutPsv) {
  CaseSpec spec;
  spec.config = replace_line(default_config(), "psv = no", "psv = no\nspin = yes");
  const fs::path dir = make_case("spin_without_psv", spec);
  expect_failure(run_case(dir), dir, {"[solver] spin", "psv = yes"});
}

// ---- Model --------------------------------------------------------------------------------------------

TEST_F(CliModel, MissingModelFolder) {
  const fs::path dir = make_case("no_model_folder");
  fs::remove_all(dir / "model");
  expect_failure(run_case(dir), dir,
                 {"config.ini:" + std::to_string(kLineModelTrue), "[path] model_true",
                  (dir / "model").string(), "does not exist"});
}

TEST_F(CliModel, MissingModelFile) {
  const fs::path dir = make_case("no_rho");
  const fs::path rho = dir / "model" / "proc000000_rho.bin";
  fs::remove(rho);
  expect_failure(run_case(dir), dir, {"missing model file", rho.string()});
}

TEST_F(CliModel, MissingCoordinateFile) {
  const fs::path dir = make_case("no_z");
  const fs::path z = dir / "model" / "proc000000_z.bin";
  fs::remove(z);
  expect_failure(run_case(dir), dir, {"missing model file", z.string()});
}

TEST_F(CliModel, NptHeaderDoesNotMatchFileSize) {
  const fs::path dir = make_case("npt_header");
  // Header says 961 points (3848 bytes), the file holds 900 (3604 bytes).
  const fs::path vs = dir / "model" / "proc000000_vs.bin";
  write_model_file(vs, constant(900, 1000));
  std::string bytes = slurp(vs);
  const std::uint32_t npt = 961;
  for (int b = 0; b < 4; ++b) bytes[std::size_t(b)] = static_cast<char>((npt >> (8 * b)) & 0xffu);
  write_text(vs, bytes);
  expect_failure(run_case(dir), dir, {vs.string(), "npt = 961", "3848", "3604"});
}

TEST_F(CliModel, ShortFile) {
  const fs::path dir = make_case("short_file");
  const fs::path rho = dir / "model" / "proc000000_rho.bin";
  write_text(rho, "ab");
  expect_failure(run_case(dir), dir, {rho.string(), "2 bytes", "header"});
}

TEST_F(CliModel, FilesWithDifferentNpt) {
  CaseSpec spec;
  spec.fields["vs"] = constant(900, 1000);
  const fs::path dir = make_case("different_npt", spec);
  expect_failure(
      run_case(dir), dir,
      {(dir / "model" / "proc000000_vs.bin").string(), "npt = 900", "npt = 961", "same number of points"});
}

TEST_F(CliModel, NotARegularGrid) {
  CaseSpec spec;
  std::vector<float> x, z;
  grid_coordinates(spec, x, z);
  x[40] += 10;  // node k = 40 is (i = 1, j = 9): x = 35 instead of 25
  spec.fields["x"] = x;
  const fs::path dir = make_case("irregular", spec);
  expect_failure(run_case(dir), dir,
                 {"not a regular grid", "k=40", "x=35", "expected 25", "proc000000_x.bin"});
}

TEST_F(CliModel, NptNotNxTimesNz) {
  CaseSpec spec;
  std::vector<float> x, z;
  grid_coordinates(spec, x, z);
  x.pop_back();
  z.pop_back();  // 960 nodes: no 31 x 31 grid
  spec.fields["x"] = x;
  spec.fields["z"] = z;
  spec.fields["vp"] = constant(960, 1732);
  spec.fields["vs"] = constant(960, 1000);
  spec.fields["rho"] = constant(960, 2000);
  const fs::path dir = make_case("npt_not_grid", spec);
  expect_failure(run_case(dir), dir, {"cannot infer the grid", "npt = 960", "961", "regular"});
}

TEST_F(CliModel, ElongatedGridRunsFromTheNodeOrder) {
  CaseSpec spec;
  spec.nx = 62;  // Seispie's formula gives nx = 63 for a 62 x 31 grid; the node order gives 62
  spec.stations = "225.0 150.0\n";
  const fs::path dir = make_case("elongated", spec);
  const auto r = run_case(dir);
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("grid 62 x 31"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find(
                "Seispie's grid inference (nx = rint(sqrt(npt lx / lz))) would size this model as 63 x 31"),
            std::string::npos)
      << r.output;
}

TEST_F(CliModel, NegativeVs) {
  CaseSpec spec;
  auto vs = constant(npt(spec), 1000);
  vs[100] = -100;  // node 100: i = 3, j = 7
  spec.fields["vs"] = vs;
  const fs::path dir = make_case("negative_vs", spec);
  expect_failure(
      run_case(dir), dir,
      {(dir / "model" / "proc000000_vs.bin").string(), "node 100", "i = 3, j = 7", "-100", ">= 0"});
}

TEST_F(CliModel, NanRho) {
  CaseSpec spec;
  auto rho = constant(npt(spec), 2000);
  rho[5] = std::numeric_limits<float>::quiet_NaN();
  spec.fields["rho"] = rho;
  const fs::path dir = make_case("nan_rho", spec);
  expect_failure(run_case(dir), dir,
                 {(dir / "model" / "proc000000_rho.bin").string(), "k=5", "nan", "finite"});
}

TEST_F(CliModel, ZeroRho) {
  CaseSpec spec;
  auto rho = constant(npt(spec), 2000);
  rho[31] = 0;  // i = 1, j = 0
  spec.fields["rho"] = rho;
  const fs::path dir = make_case("zero_rho", spec);
  expect_failure(run_case(dir), dir, {(dir / "model" / "proc000000_rho.bin").string(), "node 31", "> 0"});
}

TEST_F(CliModel, VpNotAboveSqrt2VsFailsForPsv) {
  CaseSpec spec;
  spec.vp = 1400;  // < sqrt(2) * 1000
  spec.config = default_config(false, true);
  const fs::path dir = make_case("vp_low_psv", spec);
  expect_failure(run_case(dir), dir,
                 {(dir / "model" / "proc000000_vp.bin").string(), "node 0", "vp = 1400", "sqrt(2) * vs"});
}

TEST_F(CliModel, VpNotAboveSqrt2VsIsFineForShOnly) {
  CaseSpec spec;
  spec.vp = 1400;
  spec.config = default_config(true, false);
  const fs::path dir = make_case("vp_low_sh", spec);
  const auto r = run_case(dir);
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_TRUE(fs::exists(dir / "output" / "uy_000000.npy")) << r.output;
}

TEST_F(CliModel, SpinWithMissingCosseratFiles) {
  CaseSpec spec;
  spec.config = replace_line(default_config(false, true), "psv = yes", "psv = yes\nspin = yes");
  const fs::path dir = make_case("spin_missing", spec);
  expect_failure(run_case(dir), dir,
                 {"missing model file", (dir / "model" / "proc000000_lambda.bin").string()});
}

// ---- Stability limit -----------------------------------------------------------------------------------

// Largest stable dt of the 4th-order staggered scheme: 2 / (c (7/3) sqrt(1/dx^2 + 1/dz^2)).
double stable_dt(double c, double dx, double dz) {
  return 2.0 / (c * (7.0 / 3.0) * std::sqrt(1 / (dx * dx) + 1 / (dz * dz)));
}

// v rounded down to 6 significant digits, as the message prints the limit (so that it is accepted).
std::string six_digits(double v) {
  const double unit = std::pow(10.0, std::floor(std::log10(v)) - 5);
  std::ostringstream s;
  s << std::setprecision(6) << std::floor(v / unit) * unit;
  return s.str();
}

TEST_F(CliStability, DtAboveLimitPrintsLargestStableDt) {
  CaseSpec spec;
  spec.config = default_config(true, false, 100, 0.05);
  const fs::path dir = make_case("dt_unstable", spec);
  const auto r = run_case(dir);
  const double limit = stable_dt(spec.vs, spec.dx, spec.dz);  // 0.0151523 s
  expect_failure(r, dir,
                 {"config.ini:" + std::to_string(kLineDt), "[solver] dt", "0.05", "stability limit", "SH",
                  "largest stable dt is " + six_digits(limit)});
  const double printed = number_after(r.output, "largest stable dt is ");
  EXPECT_LE(printed, limit) << r.output;
  EXPECT_NEAR(printed, limit, 1e-5 * limit) << r.output;
  // The printed value, as the user would copy it into the config, is accepted.
  spec.config = default_config(true, false, 100, 0.05);
  spec.config = seiswg::test::replace(spec.config, "dt = 0.05", "dt = " + six_digits(limit));
  const auto again = run_case(make_case("dt_printed", spec));
  EXPECT_EQ(again.exit_code, 0) << again.output;
}

TEST_F(CliStability, DtAboveLimitForPsvUsesVp) {
  CaseSpec spec;
  spec.config = default_config(false, true, 100, 0.01);
  const fs::path dir = make_case("dt_unstable_psv", spec);
  const double limit = stable_dt(spec.vp, spec.dx, spec.dz);  // 0.00874844 s
  expect_failure(run_case(dir), dir,
                 {"[solver] dt", "0.01", "P-SV", "largest stable dt is " + six_digits(limit)});
}

TEST_F(CliStability, DtJustAboveTheLimitFailsAndJustBelowRuns) {
  CaseSpec spec;
  spec.config = default_config(true, false, 100, 0.05);
  const fs::path probe = make_case("dt_probe", spec);
  const auto first = run_case(probe);
  const double limit = number_after(first.output, "largest stable dt is ");
  ASSERT_TRUE(std::isfinite(limit)) << first.output;

  spec.config = default_config(true, false, 100, 1.01 * limit);
  const fs::path above = make_case("dt_above", spec);
  expect_failure(run_case(above), above, {"[solver] dt", "largest stable dt is"});

  spec.config = default_config(true, false, 200, 0.99 * limit);
  const fs::path below = make_case("dt_below", spec);
  const auto r = run_case(below);
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const auto npy = read_npy(below / "output" / "uy_000000.npy");
  EXPECT_TRUE(contains(npy.header, "'shape': (4, 200)")) << npy.header;
  float peak = 0;
  for (float v : npy.data) {
    ASSERT_TRUE(std::isfinite(v));
    peak = std::max(peak, std::abs(v));
  }
  EXPECT_GT(peak, 0.f);
}

// ---- Sources and stations ------------------------------------------------------------------------------

TEST_F(CliSources, NonNumberField) {
  CaseSpec spec;
  spec.sources = "375.0 225.0 0 4.0 0.25 0.0 1.0e10\n375.0 abc 0 4.0 0.25 0.0 1.0e10\n";
  const fs::path dir = make_case("source_nan_text", spec);
  expect_failure(run_case(dir), dir,
                 {(dir / "sources.dat").string() + ":2", "z = \"abc\"", "not a number", "7 numbers"});
}

TEST_F(CliSources, NonFiniteStation) {
  CaseSpec spec;
  spec.stations = "225.0 150.0\ninf 150.0\n";
  const fs::path dir = make_case("station_inf", spec);
  expect_failure(run_case(dir), dir, {(dir / "stations.dat").string() + ":2", "x = inf", "finite"});
}

TEST_F(CliSources, TooFewColumns) {
  CaseSpec spec;
  spec.sources = "# x z type f0 t0 angle amp\n375.0 225.0 0 4.0\n";
  const fs::path dir = make_case("source_short", spec);
  expect_failure(run_case(dir), dir,
                 {(dir / "sources.dat").string() + ":2", "7 numbers", "\"375.0 225.0 0 4.0\"", "4 columns"});
}

TEST_F(CliSources, NonPositiveFrequency) {
  CaseSpec spec;
  spec.sources = "375.0 225.0 0 0 0.25 0.0 1.0e10\n";
  const fs::path dir = make_case("source_f0", spec);
  expect_failure(run_case(dir), dir, {(dir / "sources.dat").string() + ":1", "f0 = 0", "> 0"});
}

TEST_F(CliSources, SourceOutsideTheGrid) {
  CaseSpec spec;
  spec.sources = "375.0 225.0 0 4.0 0.25 0.0 1.0e10\n900.0 225.0 0 4.0 0.25 0.0 1.0e10\n";
  const fs::path dir = make_case("source_outside", spec);
  expect_failure(run_case(dir), dir,
                 {(dir / "sources.dat").string() + ":2", "source at x = 900 m", "outside the model grid",
                  "x from 0 to 750 m"});
}

// Coordinates far beyond the int range of a node index must still be reported as outside.
TEST_F(CliSources, SourceFarOutsideTheGrid) {
  for (const std::string x : {"1e20", "-1e20"}) {
    SCOPED_TRACE("x = " + x);
    CaseSpec spec;
    spec.sources = x + " 225.0 0 4.0 0.25 0.0 1.0e10\n";
    const fs::path dir = make_case("source_far", spec);
    expect_failure(run_case(dir), dir, {(dir / "sources.dat").string() + ":1", "outside the model grid"});
  }
}

TEST_F(CliSources, StationOutsideTheGrid) {
  CaseSpec spec;
  spec.stations = "225.0 150.0\n375.0 150.0\n525.0 -100.0\n";
  const fs::path dir = make_case("station_outside", spec);
  expect_failure(run_case(dir), dir,
                 {(dir / "stations.dat").string() + ":3", "station at x = 525 m, z = -100 m",
                  "outside the model grid", "z from 0 to 750 m"});
}

TEST_F(CliSources, EmptyStationsFile) {
  for (const std::string text : {"", "# x z\n\n"}) {
    SCOPED_TRACE("stations.dat = \"" + text + "\"");
    CaseSpec spec;
    spec.stations = text;
    const fs::path dir = make_case("stations_empty", spec);
    expect_failure(run_case(dir), dir, {(dir / "stations.dat").string(), "no stations"});
  }
}

TEST_F(CliSources, MissingSourcesFile) {
  const fs::path dir = make_case("no_sources");
  fs::remove(dir / "sources.dat");
  expect_failure(run_case(dir), dir, {(dir / "sources.dat").string(), "missing"});
}

// ---- Run time ------------------------------------------------------------------------------------------

TEST_F(CliRunTime, UnknownAdapterIsAGpuError) {
  const fs::path dir = make_case("adapter");
  const auto r = run_cli({"run", (dir / "config.ini").string(), "--adapter", "nosuchgpu"});
  expect_failure(r, dir, {"nosuchgpu"});
  EXPECT_EQ(r.exit_code, 3) << r.output;
}

// 2e9 steps x 4 stations of traces fit no GPU buffer: the message must point at nt (and the stations), the
// settings to change, not call the 31 x 31 grid too large.
TEST_F(CliRunTime, TracesTooLargeForTheAdapterNamesNt) {
  CaseSpec spec;
  spec.config = default_config(true, false, 2000000000);
  const fs::path dir = make_case("traces_too_large", spec);
  const auto r = run_case(dir);
  expect_failure(r, dir, {"receiver traces"});
  EXPECT_TRUE(contains(r.output, "2000000000") || contains(r.output, "[solver] nt")) << r.output;
  EXPECT_FALSE(contains(r.output, "grid is too large")) << r.output;
}

// A 10000 x 10000 grid (sparse model files of 400 MB each) is refused from the files' headers, before
// their values are read: at once, naming the nodes, the bytes per plane and the adapter's limit.
TEST_F(CliRunTime, GridTooLargeForTheAdapterIsRefusedFromTheHeaders) {
  const auto limits = seiswg::gpu::Device::open({})->adapter().limits;
  const std::uint64_t binding = std::min(limits.max_storage_binding_size, limits.max_buffer_size);
  const std::int32_t nodes = 10000 * 10000;
  if (std::uint64_t(nodes) * 4 <= binding)
    GTEST_SKIP() << "this adapter holds a 10000^2 plane in one binding";
  const fs::path dir = make_case("grid_too_large");
  for (const char* name : {"x", "z", "vp", "vs", "rho"}) {
    const fs::path file = dir / "model" / ("proc000000_" + std::string(name) + ".bin");
    std::ofstream(file, std::ios::binary | std::ios::trunc).write(reinterpret_cast<const char*>(&nodes), 4);
    fs::resize_file(file, 4 + 4 * std::uint64_t(nodes));  // a hole: no disk space, zeros when read
  }
  const auto start = std::chrono::steady_clock::now();
  const auto r = run_case(dir);
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  expect_failure(
      r, dir,
      {"100000000 nodes (npt in its file headers)", "0.373 GiB per grid plane", "per buffer binding"});
  EXPECT_EQ(r.exit_code, 3) << r.output;
  EXPECT_FALSE(fs::exists(dir / "output")) << r.output;
  // Reading the 2 GB of values would take seconds; the headers and the adapter take a fraction of one.
  EXPECT_LT(seconds, 1.5) << r.output;
}

// Snapshots after every step of a long run need more disk than the output's file system has: refused
// before the run starts, naming the folder, the bytes needed and the bytes free.
TEST_F(CliRunTime, OutputsLargerThanTheFreeDiskSpaceAreRefusedBeforeTheRun) {
  const std::uint64_t free = fs::space(fs::temp_directory_path()).available, per_snapshot = 4 + 4 * 31 * 31;
  const std::uint64_t nt = 2 * free / per_snapshot + 2;
  if (nt > 2000000000) GTEST_SKIP() << "the file system has more free space than 2e9 snapshots take";
  CaseSpec spec;
  spec.config = default_config(true, false, int(nt), 0.005, 1);
  const fs::path big = make_case("disk_full", spec);
  const auto r = run_case(big);
  expect_failure(r, big, {"not enough disk space for the outputs in " + big.string(), "MiB free"});
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_FALSE(fs::exists(big / "output")) << r.output;
}

TEST_F(CliRunTime, OutputFolderIsAFile) {
  const fs::path dir = make_case("output_is_file");
  write_text(dir / "output", "not a folder");
  const auto r = run_case(dir);
  EXPECT_GE(r.exit_code, 1) << r.output;
  EXPECT_LE(r.exit_code, 3) << r.output;
  EXPECT_TRUE(contains(r.output, (dir / "output").string())) << r.output;
  EXPECT_FALSE(contains(r.output, "terminate")) << r.output;
  EXPECT_EQ(slurp(dir / "output"), "not a folder");
}

// A source amplitude near FLT_MAX overflows the wavefield to Inf within a few steps: the run stops with
// the step and place of the blow-up and keeps nothing, not even the snapshots and pictures written
// before it.
TEST_F(CliRunTime, UnstableRunIsDetectedAndLeavesNoOutput) {
  CaseSpec spec;
  spec.sources = "375.0 225.0 0 4.0 0.25 0.0 3.0e38\n";  // node i = 15, j = 9
  spec.config =
      replace_line(default_config(true, false, 200, 0.005, 10), "save_images = no", "save_images = yes");
  const fs::path dir = make_case("unstable", spec);
  const auto r = run_case(dir);
  expect_failure(r, dir, {"unstable", "NaN or Inf", "in step", "x = ", "z = ", "No output was kept"});
  const double step = number_after(r.output, "in step ");
  EXPECT_TRUE(step >= 0 && step < 100) << r.output;
  // The reported place is where the blow-up started: next to the source.
  const double i = number_after(r.output, "node i = "), j = number_after(r.output, ", j = ");
  EXPECT_NEAR(i, 15, 3) << r.output;
  EXPECT_NEAR(j, 9, 3) << r.output;
}

// ---- Good path -----------------------------------------------------------------------------------------

// A source of 3 Hz: 5.3 points per wavelength, no dispersion warning (the default 4 Hz has 4).
CaseSpec well_sampled() {
  CaseSpec spec;
  spec.sources = "375.0 225.0 0 3.0 0.25 0.0 1.0e10\n";
  return spec;
}

TEST_F(CliGoodPath, DefaultCaseWritesTraces) {
  const fs::path dir = make_case("good", well_sampled());
  const auto r = run_case(dir);
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_TRUE(contains(r.output, "Gpts/s")) << r.output;
  EXPECT_TRUE(contains(r.output, "grid 31 x 31")) << r.output;
  EXPECT_TRUE(contains(r.output, "100 steps")) << r.output;
  EXPECT_FALSE(contains(r.output, "warning")) << r.output;

  const fs::path traces = dir / "output" / "uy_000000.npy";
  const auto files = files_under(dir / "output");
  ASSERT_EQ(files.size(), 1u) << list_files(files);
  EXPECT_EQ(files[0], traces);

  const auto npy = read_npy(traces);
  EXPECT_TRUE(contains(npy.header, "'descr': '<f4'")) << npy.header;
  EXPECT_TRUE(contains(npy.header, "'fortran_order': False")) << npy.header;
  EXPECT_TRUE(contains(npy.header, "'shape': (4, 100)")) << npy.header;
  ASSERT_EQ(npy.data.size(), 400u);
  float peak = 0;
  for (float v : npy.data) {
    ASSERT_TRUE(std::isfinite(v));
    peak = std::max(peak, std::abs(v));
  }
  EXPECT_GT(peak, 0.f);
}

TEST_F(CliGoodPath, QuietRunPrintsNothing) {
  const fs::path dir = make_case("quiet", well_sampled());
  const auto r = run_cli({"run", (dir / "config.ini").string(), "--quiet"});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_EQ(r.output, "");
  EXPECT_TRUE(fs::exists(dir / "output" / "uy_000000.npy"));
}

}  // namespace
