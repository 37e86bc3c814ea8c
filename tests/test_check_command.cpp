// `seiswg check CONFIG`: the plan's numbers for known cases, the dispersion warning, and that it runs and
// writes nothing.
#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

#include "io/seispie_files.hpp"
#include "physics/wave_equation.hpp"
#include "support/case_writer.hpp"

namespace seiswg {
namespace {

namespace fs = std::filesystem;

using seiswg::test::contains;

class CheckCommand : public test::FreshFolderTest {};

// The default 31 x 31 case (dx = dz = 25 m, vs = 1000 m/s) with one Ricker source of `f0` Hz.
fs::path write_case(const fs::path& dir, double f0, const std::string& config = "") {
  test::CaseSpec spec;
  char source[96];
  std::snprintf(source, sizeof source, "375.0 225.0 0 %.9g 0.25 0.0 1.0e10\n", f0);
  spec.sources = source;
  spec.config = config;
  return test::write_case(dir, spec);
}

TEST_F(CheckCommand, PrintsThePlanOfAKnownCase) {
  const fs::path dir = write_case(root / "case", 2.0);
  const auto r = test::run_cli({"check", dir.string()});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const auto model = io::read_model(dir / "model", {"vs", "rho"});
  char limit[64];
  std::snprintf(limit, sizeof limit, "dt <= %.6g s", physics::make_sh()->max_stable_dt(model));
  for (const std::string& part : std::vector<std::string>{
           "mode forward", "medium: SH", "grid: 31 x 31 nodes, dx = 25 m, dz = 25 m, extent 750 m x 750 m",
           "nt = 100 steps, dt = 0.005 s, duration 0.5 s", std::string("SH scheme stable for ") + limit,
           "highest f0 = 2 Hz (highest frequency taken as 2.5 f0 = 5 Hz)",
           "slowest wave 1000 m/s (vs), shortest wavelength 200 m = 8 points per wavelength", "stations: 4",
           "shots: 1 run (sources combined)", "SH: 1 shot at a time of 1, GPU memory about",
           "adapter: ", "estimated run time: ", "Gpts/s", "check: ok, nothing was run or written"})
    EXPECT_TRUE(contains(r.output, part)) << "expected \"" << part << "\" in:\n" << r.output;
  EXPECT_FALSE(contains(r.output, "warning")) << r.output;
  EXPECT_FALSE(fs::exists(dir / "output")) << r.output;
}

// `run --verbose` prints the same plan, then runs.
TEST_F(CheckCommand, VerboseRunPrintsThePlanFirst) {
  const fs::path dir = write_case(root / "case", 2.0);
  const auto r = test::run_cli({"run", "--verbose", dir.string()});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const auto plan = r.output.find("grid: 31 x 31 nodes"), summary = r.output.find("Gpts/s)");
  EXPECT_NE(plan, std::string::npos) << r.output;
  EXPECT_NE(summary, std::string::npos) << r.output;
  EXPECT_LT(plan, summary) << r.output;
  EXPECT_TRUE(fs::exists(dir / "output")) << r.output;
}

TEST_F(CheckCommand, ThreePointsPerWavelengthWarnsOfDispersion) {
  // 1000 m/s / (2.5 x 5.3333 Hz) = 75 m = 3 x 25 m.
  const fs::path dir = write_case(root / "case", 16.0 / 3.0);
  const auto r = test::run_cli({"check", dir.string()});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  for (const std::string part : {"= 3 points per wavelength", "warning: 3 points per wavelength at 13.33 Hz",
                                 "below 5", "numerical dispersion", "dx, dz <= 15 m", "check: 1 warning"})
    EXPECT_TRUE(contains(r.output, part)) << "expected \"" << part << "\" in:\n" << r.output;
  EXPECT_FALSE(fs::exists(dir / "output")) << r.output;
}

TEST_F(CheckCommand, AdjointCasePrintsTheStoragePlanAndChecksObservedData) {
  const fs::path dir = write_case(root / "case", 2.0);
  {
    std::ifstream in(dir / "config.ini");
    std::string text((std::istreambuf_iterator<char>(in)), {});
    text.replace(text.find("mode = forward"), 14, "mode = adjoint");
    text += "model_init = model\ntraces = observed\n";
    std::ofstream(dir / "config.ini") << text;
  }
  fs::create_directories(dir / "observed");
  const auto bad = test::run_cli({"check", dir.string()});
  EXPECT_EQ(bad.exit_code, 1) << bad.output;
  EXPECT_TRUE(contains(bad.output, "missing observed traces")) << bad.output;
  std::ofstream(dir / "config.ini", std::ios::app) << "";
  // Observed data from the true model: the same model here, so the check only reads the case.
  {
    std::ifstream in(dir / "config.ini");
    std::string text((std::istreambuf_iterator<char>(in)), {});
    text.replace(text.find("traces = observed\n"), 18, "");
    std::ofstream(dir / "config.ini") << text;
  }
  const auto r = test::run_cli({"check", dir.string()});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  for (const std::string part : {"mode adjoint", "observed data: computed in model_true",
                                 "SH storage: ", "storing 100 steps x 3 fields"})
    EXPECT_TRUE(contains(r.output, part)) << "expected \"" << part << "\" in:\n" << r.output;
  EXPECT_FALSE(fs::exists(dir / "output")) << r.output;
}

}  // namespace
}  // namespace seiswg
