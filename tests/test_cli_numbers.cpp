// Numbers that cannot wrap and config text that cannot surprise: out-of-range integers, settings that
// make no sense for the grid, inline comments, empty paths, empty / CR-only / NUL-holding files.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>

#include "support/case_writer.hpp"

namespace seiswg {
namespace {

namespace fs = std::filesystem;

using seiswg::test::contains;

using seiswg::test::replace;

class CliNumbers : public test::FreshFolderTest {
 public:
  // Runs the default case with `from` replaced by `to` in its config; the run must fail (exit 1) with
  // every part in its message and no output folder.
  void expect_refused(const std::string& from, const std::string& to, const std::vector<std::string>& parts,
                      std::string config = test::default_config()) {
    test::CaseSpec spec;
    spec.config = replace(config, from, to);
    const fs::path dir = test::write_case(root / ("case" + std::to_string(++cases)), spec);
    const auto r = test::run_cli({"run", dir.string()});
    EXPECT_EQ(r.exit_code, 1) << r.output;
    for (const auto& p : parts)
      EXPECT_TRUE(contains(r.output, p)) << "expected \"" << p << "\" in:\n" << r.output;
    EXPECT_FALSE(fs::exists(dir / "output")) << r.output;
  }
  int cases = 0;
};

std::string adjoint_config() {
  return replace(test::default_config(), "mode = forward", "mode = adjoint") + "model_init = model\n";
}

TEST_F(CliNumbers, IntegersThatDoNotFitAreRefusedNotWrapped) {
  expect_refused("abs_width = 8", "abs_width = 4294967326",
                 {"[solver] abs_width = \"4294967326\"", "expected an integer from 0 to 2147483647"});
  expect_refused("save_snapshot = 0", "save_snapshot = 4294967346",
                 {"[solver] save_snapshot = \"4294967346\"", "expected an integer from 0 to 2147483647"});
  expect_refused("save_snapshot = 0", "save_snapshot = 0\nadjoint_segment = 4294967297",
                 {"[solver] adjoint_segment = \"4294967297\"", "expected an integer from 0 to 2147483647"},
                 adjoint_config());
  expect_refused(
      "abs_width = 8", "abs_width = 99999999999999999999999",
      {"[solver] abs_width = \"99999999999999999999999\"", "expected an integer from 0 to 2147483647"});
}

TEST_F(CliNumbers, SettingsThatMakeNoSenseForTheGridAreRefused) {
  // 31 x 31 nodes: layers of 15 leave one node.
  expect_refused("abs_width = 8", "abs_width = 500",
                 {"[solver] abs_width = 500", "31 x 31 grid", "expected 0 to 15 nodes"});
  expect_refused("abs_width = 8", "abs_width = 16", {"[solver] abs_width = 16", "expected 0 to 15 nodes"});
  expect_refused("save_snapshot = 0", "save_snapshot = 101",
                 {"[solver] save_snapshot = 101", "nt = 100", "expected 0 (no snapshots) to 100"});
  // A denormal time step is no time step.
  expect_refused("dt = 0.005", "dt = 1e-320", {"[solver] dt", "too small to be one"});
}

// Real keys outside their range, and subnormal ones, are refused naming file, key, value and range.
TEST_F(CliNumbers, RealsOutsideTheirRangeAreRefusedNamingTheRange) {
  expect_refused("abs_alpha = 0.015", "abs_alpha = -0.1",
                 {"config.ini:", "[solver] abs_alpha = \"-0.1\"", "expected a number >= 0"});
  expect_refused("abs_alpha = 0.015", "abs_alpha = 1e-310",
                 {"[solver] abs_alpha = \"1e-310\"", "a subnormal number", "2.2250738585072014e-308"});
  // A Gaussian of 1e300 grid points would overflow its reach; no wider than the grid makes sense.
  expect_refused("save_snapshot = 0", "save_snapshot = 0\nsmooth = 1e300",
                 {"[solver] smooth = 1e300", "31 x 31 grid", "expected 0 to 31 grid points"});
  expect_refused("save_snapshot = 0", "save_snapshot = 0\nadjoint_gpu_memory = 1e300",
                 {"[solver] adjoint_gpu_memory = \"1e300\"", "expected a number in [0, 1e+06]"},
                 adjoint_config());
  expect_refused("save_snapshot = 0", "save_snapshot = 0\nmisfit_taper = 0.5",
                 {"[solver] misfit_taper = \"0.5\"", "expected a number in [0, 0.5)"}, adjoint_config());
  const std::string inversion = replace(adjoint_config(), "mode = adjoint", "mode = inversion");
  expect_refused("[path]", "[optimize]\nls_step_init = 0\n[path]",
                 {"[optimize] ls_step_init = \"0\"", "expected a number in (0, 10]"}, inversion);
  expect_refused("[path]", "[inversion]\nvs_min = 2000\nvs_max = 1000\n[path]",
                 {"[inversion] vs_max = 1000", "must be above", "[inversion] vs_min = 2000"}, inversion);
  expect_refused("[path]", "[inversion]\ndepth_weight = -1\n[path]",
                 {"[inversion] depth_weight = \"-1\"", "expected a number >= 0"}, inversion);
  // A source's f0 of 1e-310 Hz is no frequency.
  test::CaseSpec spec;
  spec.sources = "375.0 225.0 0 1e-310 0.25 0.0 1.0e10\n";
  const fs::path dir = test::write_case(root / "subnormal_f0", spec);
  const auto r = test::run_cli({"run", dir.string()});
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_TRUE(contains(r.output, (dir / "sources.dat").string() + ":1: f0 = 1e-310 is too small to be one"))
      << r.output;
  EXPECT_FALSE(fs::exists(dir / "output")) << r.output;
}

TEST_F(CliNumbers, InlineCommentsAreDroppedWithAWarning) {
  test::CaseSpec spec;
  spec.config = replace(test::default_config(), "output = output\noutput_traces = output\n",
                        "output = out # note\noutput_traces = out ; traces here\n");
  const fs::path dir = test::write_case(root / "case", spec);
  const auto r = test::run_cli({"run", dir.string()});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_TRUE(fs::exists(dir / "out" / "uy_000000.npy")) << r.output;
  EXPECT_FALSE(fs::exists(dir / "out # note")) << r.output;
  EXPECT_TRUE(contains(r.output, "[path] output: the inline comment \"# note\" is ignored (value \"out\")"))
      << r.output;
}

TEST_F(CliNumbers, EmptyPathIsAnError) {
  expect_refused("model_true = model", "model_true =\nmodel_init = model",
                 {"config.ini:22: [path] model_true is empty"});
}

TEST_F(CliNumbers, EmptyBlankCrOnlyAndNulConfigsSaySo) {
  const fs::path dir = root / "case";
  fs::create_directories(dir);
  auto run_with = [&](const std::string& text) {
    std::ofstream(dir / "config.ini", std::ios::binary) << text;
    return test::run_cli({"run", dir.string()});
  };
  auto r = run_with("");
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_TRUE(contains(r.output, "config.ini: the config file is empty")) << r.output;
  r = run_with("\r\r\r\n \n");
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_TRUE(contains(r.output, "the config file holds only blank lines")) << r.output;
  r = run_with("# only a comment\n");
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_TRUE(contains(r.output, "the config file has no [section]")) << r.output;
  r = run_with("[workflow]\rmode = forward\r[solver]\rsh = yes\r");
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_TRUE(contains(r.output, "config.ini:1: the line holds carriage returns")) << r.output;
  r = run_with(std::string("[workflow]\nmode = for\0ward\n", 27));
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_TRUE(contains(r.output, "config.ini:2: a NUL byte (character 0) in the line at column 11"))
      << r.output;
  EXPECT_FALSE(fs::exists(dir / "output"));
}

// Special files as inputs are refused at once, naming the file; so is a model file larger than its
// header says.
TEST_F(CliNumbers, SpecialAndOversizedModelFilesAreRefusedAtOnce) {
  const fs::path dir = test::write_case(root / "case", {});
  const fs::path vs = dir / "model" / "proc000000_vs.bin";
  fs::remove(vs);
  ASSERT_EQ(::mkfifo(vs.c_str(), 0644), 0);
  auto r = test::run_cli({"run", dir.string()});
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_TRUE(contains(r.output, vs.string() + " is a FIFO (named pipe), expected a model file")) << r.output;
  fs::remove(vs);
  fs::create_symlink("/dev/zero", vs);
  r = test::run_cli({"run", dir.string()});
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_TRUE(contains(r.output, vs.string() + " is a character device, expected a model file")) << r.output;
  fs::remove(vs);
  test::write_model_file(vs, std::vector<float>(31 * 31 + 5, 1000.0f));
  {
    std::ofstream out(vs, std::ios::binary | std::ios::in | std::ios::out);
    const std::int32_t npt = 31 * 31;
    out.write(reinterpret_cast<const char*>(&npt), 4);
  }
  r = test::run_cli({"run", dir.string()});
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_TRUE(contains(
      r.output, vs.string() + ": header says npt = 961 (3848 bytes expected) but the file has 3868 bytes"))
      << r.output;
  EXPECT_FALSE(fs::exists(dir / "output"));
}

// Points per wavelength at 2.5 x f0: below 5 a warning, below 1 an error (the grid cannot hold the wave).
TEST_F(CliNumbers, TooFewPointsPerWavelength) {
  test::CaseSpec spec;
  // vs 1000 m/s, dx 25 m: f0 = 4 Hz gives 4 points; f0 = 50 Hz gives 0.32.
  spec.sources = "375.0 225.0 0 4.0 0.25 0.0 1.0e10\n";
  auto r = test::run_cli({"run", test::write_case(root / "warn", spec).string()});
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_TRUE(contains(r.output, "warning: 4 points per wavelength at 10 Hz: below 5")) << r.output;
  spec.sources = "375.0 225.0 0 50.0 0.25 0.0 1.0e10\n";
  const fs::path dir = test::write_case(root / "error", spec);
  r = test::run_cli({"run", dir.string()});
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_TRUE(contains(r.output, "0.32 points per wavelength at 125 Hz: below 1")) << r.output;
  EXPECT_TRUE(contains(r.output, (dir / "sources.dat").string())) << r.output;
}

}  // namespace
}  // namespace seiswg
