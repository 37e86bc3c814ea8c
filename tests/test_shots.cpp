// Runs of one source each (combine_sources = no) are advanced together as the shots of one
// propagator on small grids: every shot must give exactly what a case with that source alone gives.
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <map>
#include <sstream>

#include "io/npy.hpp"
#include "io/seispie_files.hpp"
#include "support/case_writer.hpp"

namespace seiswg {
namespace {

namespace fs = std::filesystem;

std::string replace(std::string text, const std::string& from, const std::string& to) {
  const auto at = text.find(from);
  if (at != std::string::npos) text.replace(at, from.size(), to);
  return text;
}

double relative_l2(const std::vector<float>& a, const std::vector<float>& b) {
  double num = 0, den = 0;
  for (std::size_t k = 0; k < a.size(); ++k) {
    num += (double(a[k]) - b[k]) * (double(a[k]) - b[k]);
    den += double(b[k]) * b[k];
  }
  return std::sqrt(num / den);
}

TEST(Shots, BatchedSourcesEqualSeparateRuns) {
  const std::vector<std::string> sources = {"200.0 150.0 0 4.0 0.25 20.0 1.0e10\n",
                                            "550.0 175.0 0 5.0 0.20 -30.0 2.0e10\n",
                                            "375.0 400.0 0 3.0 0.30 90.0 1.5e10\n"};
  const fs::path root = test::fresh_dir("seiswg_shots");
  test::CaseSpec spec;
  spec.sources = sources[0] + sources[1] + sources[2];
  spec.config = replace(test::default_config(true, true, 120, 0.004, 50), "combine_sources = yes",
                        "combine_sources = no");
  test::write_case(root / "batched", spec);
  auto r = test::run_cli({"run", (root / "batched").string()});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("x 6 runs"), std::string::npos) << r.output;  // SH and P-SV, 3 sources each
  for (std::size_t s = 0; s < sources.size(); ++s) {
    test::CaseSpec single = spec;
    single.sources = sources[s];
    single.config = test::default_config(true, true, 120, 0.004, 50);
    const fs::path dir = root / ("single" + std::to_string(s));
    test::write_case(dir, single);
    r = test::run_cli({"run", dir.string()});
    ASSERT_EQ(r.exit_code, 0) << r.output;
    char index[32];
    std::snprintf(index, sizeof index, "%06zu", s);
    for (const char* component : {"uy", "ux", "uz"}) {
      const auto batched =
          io::read_npy(root / "batched/output" / (std::string(component) + "_" + index + ".npy"));
      const auto alone = io::read_npy(dir / "output" / (std::string(component) + "_000000.npy"));
      ASSERT_EQ(batched.shape, alone.shape);
      EXPECT_LT(relative_l2(batched.data, alone.data), 1e-6) << component << " of source " << s;
    }
    for (const char* field : {"vy", "vx", "vz"}) {
      const auto batched =
          io::read_field_bin(root / "batched/output" /
                             ("proc000050_" + std::string(field) + "_src" + std::to_string(s) + ".bin"));
      const auto alone = io::read_field_bin(dir / "output" / ("proc000050_" + std::string(field) + ".bin"));
      EXPECT_LT(relative_l2(batched, alone), 1e-6) << field << " snapshot of source " << s;
    }
  }
  fs::remove_all(root);
}

// The same for a Cosserat medium (three velocity planes, six stress planes).
TEST(Shots, BatchedCosseratSourcesEqualSeparateRuns) {
  const std::vector<std::string> sources = {"200.0 150.0 0 6.0 0.2 20.0 1.0e10\n",
                                            "500.0 450.0 0 5.0 0.25 -60.0 2.0e10\n"};
  const fs::path root = test::fresh_dir("seiswg_shots_cosserat");
  test::CaseSpec spec;
  const std::size_t n = std::size_t(spec.nx * spec.nz);
  const std::map<std::string, float> medium = {{"rho", 2700.0f}, {"lambda", 8.1e9f}, {"mu", 8.1e9f},
                                               {"nu", 1.0e9f},   {"j", 2.0e4f},      {"lambda_c", 7.0e8f},
                                               {"mu_c", 1.5e8f}, {"nu_c", 3.0e8f}};
  spec.field_names.clear();
  for (const auto& [name, value] : medium) {
    spec.fields[name] = std::vector<float>(n, value);
    spec.field_names.push_back(name);
  }
  std::string config = test::default_config(false, true, 100, 0.002, 0);
  config = replace(config, "psv = yes", "psv = yes\nspin = yes");
  spec.sources = sources[0] + sources[1];
  spec.config = replace(config, "combine_sources = yes", "combine_sources = no");
  test::write_case(root / "batched", spec);
  auto r = test::run_cli({"run", (root / "batched").string()});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  for (std::size_t s = 0; s < sources.size(); ++s) {
    test::CaseSpec single = spec;
    single.sources = sources[s];
    single.config = config;
    const fs::path dir = root / ("single" + std::to_string(s));
    test::write_case(dir, single);
    r = test::run_cli({"run", dir.string()});
    ASSERT_EQ(r.exit_code, 0) << r.output;
    for (const char* component : {"ux", "uz", "ry"}) {
      const auto batched = io::read_npy(root / "batched/output" /
                                        (std::string(component) + "_00000" + std::to_string(s) + ".npy"));
      const auto alone = io::read_npy(dir / "output" / (std::string(component) + "_000000.npy"));
      ASSERT_EQ(batched.shape, alone.shape);
      EXPECT_LT(relative_l2(batched.data, alone.data), 1e-6) << component << " of source " << s;
    }
  }
  fs::remove_all(root);
}

}  // namespace
}  // namespace seiswg
