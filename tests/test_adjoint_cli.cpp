// The adjoint workflow through the command line, laid out like Seispie's examples/adjoint: a
// folder whose config inherits a forward folder's settings.
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>

#include "io/npy.hpp"
#include "io/seispie_files.hpp"
#include "support/case_writer.hpp"

namespace seiswg {
namespace {

namespace fs = std::filesystem;
using test::CaseSpec;

constexpr int kN = 31;

std::vector<float> field(double base, double bump) {
  std::vector<float> v(kN * kN);
  for (int i = 0; i < kN; ++i)
    for (int j = 0; j < kN; ++j) {
      const double x = (i - 18) / 4.0, z = (j - 16) / 4.0;
      v[std::size_t(i * kN + j)] = float(base * (1 + bump * std::exp(-x * x - z * z)));
    }
  return v;
}

// forward/ (model_true with a slow anomaly, model_init homogeneous, 2 sources) and adjoint/
// inheriting it; returns the root folder.
fs::path write_cases(const std::string& adjoint_extra = "", bool psv = false) {
  const fs::path root = test::fresh_dir("seiswg_adjoint_cli");
  CaseSpec spec;
  spec.sources = "200.0 150.0 0 4.0 0.3 20.0 1.0e10\n550.0 175.0 0 4.0 0.3 -30.0 1.0e10\n";
  spec.stations = "100.0 100.0\n300.0 500.0\n450.0 600.0\n650.0 300.0\n375.0 375.0\n";
  spec.fields["vs"] = field(1000, -0.15);
  std::string config = test::default_config(true, psv, 160, 0.004);
  config += "model_init = model_init\n";
  spec.config = config;
  test::write_case(root / "forward", spec);
  test::write_uniform_vs_start(root / "forward", 1000.0f);
  std::ofstream(root / "adjoint/config.ini") << "";
  fs::create_directories(root / "adjoint");
  std::ofstream(root / "adjoint/config.ini") << "[workflow]\nmode = adjoint\ninherit = forward\n\n[solver]\n"
                                                "combine_sources = no\nsave_images = no\n"
                                             << adjoint_extra << "\n[path]\noutput = output\n";
  return root;
}

double read_number(const fs::path& file) {
  std::ifstream in(file);
  double v = NAN;
  in >> v;
  return v;
}

TEST(AdjointCli, InheritingCaseWritesMisfitAndKernels) {
  const fs::path root = write_cases();
  const auto r = test::run_cli({"run", (root / "adjoint").string()});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("storing 160 steps x 3 fields on the GPU"), std::string::npos) << r.output;
  for (const char* k : {"kmu", "krho", "kvs", "krho_velocity"}) {
    const auto values =
        io::read_field_bin(root / "adjoint/output/kernels" / (std::string("proc000000_") + k + ".bin"));
    ASSERT_EQ(values.size(), std::size_t(kN * kN)) << k;
    double norm = 0;
    for (float v : values) norm += double(v) * v;
    EXPECT_GT(norm, 0) << k;
  }
  // Independent misfit: forward runs in both models through the CLI, J from their trace files.
  fs::copy(root / "forward", root / "synthetic", fs::copy_options::recursive);
  {
    std::ifstream in(root / "forward/config.ini");
    std::string text((std::istreambuf_iterator<char>(in)), {});
    text.replace(text.find("combine_sources = yes"), 21, "combine_sources = no");
    std::ofstream(root / "forward/config.ini") << text;
    text.replace(text.find("model_true = model\n"), 19, "model_true = model_init\n");
    std::ofstream(root / "synthetic/config.ini") << text;
  }
  ASSERT_EQ(test::run_cli({"run", (root / "forward").string()}).exit_code, 0);
  ASSERT_EQ(test::run_cli({"run", (root / "synthetic").string()}).exit_code, 0);
  double j = 0;
  for (const char* run : {"000000", "000001"}) {
    const auto obs = io::read_npy(root / "forward/output" / (std::string("uy_") + run + ".npy"));
    const auto syn = io::read_npy(root / "synthetic/output" / (std::string("uy_") + run + ".npy"));
    for (std::size_t k = 0; k < obs.data.size(); ++k) {
      const double d = double(syn.data[k]) - double(obs.data[k]);
      j += 0.5 * d * d * 0.004;
    }
  }
  const double reported = read_number(root / "adjoint/output/misfit.txt");
  EXPECT_GT(j, 0);
  EXPECT_NEAR(reported, j, 1e-6 * j);
  // Observed traces from files ([path] traces) give the same misfit.
  std::ofstream(root / "adjoint/config.ini", std::ios::app) << "traces = ../forward/output\n";
  fs::remove_all(root / "adjoint/output");
  const auto again = test::run_cli({"run", (root / "adjoint").string(), "--quiet"});
  ASSERT_EQ(again.exit_code, 0) << again.output;
  EXPECT_NEAR(read_number(root / "adjoint/output/misfit.txt"), j, 1e-6 * j);
  fs::remove_all(root);
}

TEST(AdjointCli, ObservedTracesOfTheWrongShapeAreRejectedBeforeAnyOutput) {
  const fs::path root = write_cases("", false);
  fs::create_directories(root / "observed");
  std::vector<float> wrong(4 * 160, 0.0f);  // 4 receivers instead of 5
  for (const char* run : {"000000", "000001"})
    io::write_npy(root / "observed" / (std::string("uy_") + run + ".npy"), wrong, {4, 160});
  std::ofstream(root / "adjoint/config.ini", std::ios::app) << "traces = ../observed\n";
  const auto r = test::run_cli({"run", (root / "adjoint").string()});
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_NE(r.output.find("uy_000000.npy"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("(4, 160)"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("5 stations"), std::string::npos) << r.output;
  EXPECT_TRUE(test::files_under(root / "adjoint/output").empty());
  fs::remove_all(root);
}

TEST(AdjointCli, StorageThatCannotFitIsRejectedBeforeAnyOutput) {
  const fs::path root = write_cases("adjoint_storage = gpu\nadjoint_gpu_memory = 0.001\n");
  const auto r = test::run_cli({"run", (root / "adjoint").string()});
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_NE(r.output.find("adjoint_storage = gpu"), std::string::npos) << r.output;
  EXPECT_TRUE(test::files_under(root / "adjoint/output").empty());
  fs::remove_all(root);
}

// The kernels' folder is checked before the forward and reverse passes, not after them.
TEST(AdjointCli, UnwritableKernelFolderIsRefusedBeforeAnyComputation) {
  const fs::path root = write_cases();
  const fs::path kernels = root / "adjoint/output/kernels";
  fs::create_directories(kernels.parent_path());
  std::ofstream(kernels) << "a file where the kernels' folder goes";
  const auto r = test::run_cli({"run", (root / "adjoint").string()});
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_TRUE(test::contains(r.output, "cannot create output folder " + kernels.string() + ": " +
                                           kernels.string() + " is not a folder"))
      << r.output;
  // The storage plan is printed when the computation starts: it never did.
  EXPECT_FALSE(test::contains(r.output, "SH adjoint:")) << r.output;
  EXPECT_EQ(test::files_under(root / "adjoint/output"), std::vector<fs::path>{kernels});
  fs::remove_all(root);
}

TEST(AdjointCli, MissingInitialModelIsNamed) {
  const fs::path root = write_cases();
  fs::remove_all(root / "forward/model_init");
  const auto r = test::run_cli({"run", (root / "adjoint").string()});
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_NE(r.output.find("model_init"), std::string::npos) << r.output;
  fs::remove_all(root);
}

}  // namespace
}  // namespace seiswg
