// Seispie's adjoint outputs beside seiswg's: the kernels at Seispie's paths, smoothed by [solver] smooth,
// and adjoint_interval accepted with one line saying it is not needed.
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <string>
#include <vector>

#include "inversion/conditioning.hpp"
#include "io/seispie_files.hpp"
#include "support/case_writer.hpp"

namespace seiswg {
namespace {

namespace fs = std::filesystem;

constexpr int kN = 31;

std::size_t count(const std::string& text, const std::string& part) {
  std::size_t n = 0;
  for (auto at = text.find(part); at != std::string::npos; at = text.find(part, at + 1)) ++n;
  return n;
}

// An adjoint case: observed data from a model with a slow anomaly, synthetics in a homogeneous one.
fs::path write_adjoint_case(const fs::path& dir, bool psv, const std::string& solver_extra) {
  test::CaseSpec spec;
  spec.stations = "100.0 100.0\n300.0 500.0\n450.0 600.0\n650.0 300.0\n";
  std::vector<float> vs(kN * kN);
  for (int i = 0; i < kN; ++i)
    for (int j = 0; j < kN; ++j) {
      const double x = (i - 18) / 4.0, z = (j - 16) / 4.0;
      vs[std::size_t(i * kN + j)] = float(1000 * (1 - 0.15 * std::exp(-x * x - z * z)));
    }
  spec.fields["vs"] = vs;
  std::string config = test::default_config(!psv, psv, 120, 0.004);
  config.replace(config.find("mode = forward"), 14, "mode = adjoint");
  config.replace(config.find("save_images = no\n"), 17, "save_images = no\n" + solver_extra);
  spec.config = config + "model_init = model_init\n";
  test::write_case(dir, spec);
  test::write_uniform_vs_start(dir, 1000.0f);
  return dir;
}

class CliSeispieOutputs : public test::FreshFolderTest {};

TEST_F(CliSeispieOutputs, ShKernelIsSmoothedAtSeispiesPath) {
  const fs::path dir = write_adjoint_case(root / "sh", false, "smooth = 2\nadjoint_interval = 10\n");
  const auto r = test::run_cli({"run", dir.string()});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  auto exact = io::read_field_bin(dir / "output/kernels/proc000000_kmu.bin");
  const auto seispie = io::read_field_bin(dir / "output/proc000000_kmu.bin");
  ASSERT_EQ(seispie.size(), exact.size());
  // The copy is smoothed: not the exact kernel, but the exact kernel smoothed.
  double difference = 0, norm = 0;
  for (std::size_t k = 0; k < exact.size(); ++k)
    difference += std::abs(double(seispie[k]) - exact[k]), norm += std::abs(double(exact[k]));
  EXPECT_GT(difference, 1e-3 * norm);
  inversion::smooth_gaussian(std::span<float>(exact), kN, kN, 2, 2);
  for (std::size_t k = 0; k < exact.size(); ++k) ASSERT_FLOAT_EQ(seispie[k], exact[k]) << k;
  // SH: only the mu kernel, as Seispie.
  EXPECT_FALSE(fs::exists(dir / "output/proc000000_krho.bin"));
  EXPECT_EQ(count(r.output, "smoothed with a Gaussian of sigma = 2 grid points ([solver] smooth)"), 1u)
      << r.output;
  EXPECT_EQ(count(r.output, "adjoint_interval"), 1u) << r.output;
  EXPECT_NE(r.output.find("is not needed and ignored: seiswg's adjoint is exact at every step"),
            std::string::npos)
      << r.output;
  EXPECT_EQ(r.output.find("unknown key"), std::string::npos) << r.output;
}

TEST_F(CliSeispieOutputs, PsvKernelsPerParameterUnsmoothedWithoutSmooth) {
  const fs::path dir = write_adjoint_case(root / "psv", true, "");
  const auto r = test::run_cli({"run", dir.string()});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  for (const char* name : {"klambda", "kmu", "krho"}) {
    const auto exact =
        io::read_field_bin(dir / "output/kernels" / (std::string("proc000000_") + name + ".bin"));
    const auto seispie = io::read_field_bin(dir / "output" / (std::string("proc000000_") + name + ".bin"));
    EXPECT_EQ(seispie, exact) << name;
  }
  EXPECT_NE(r.output.find("are unsmoothed ([solver] smooth = 0)"), std::string::npos) << r.output;
  EXPECT_EQ(r.output.find("adjoint_interval"), std::string::npos) << r.output;
}

}  // namespace
}  // namespace seiswg
