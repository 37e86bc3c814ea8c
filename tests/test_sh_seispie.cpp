// SH equals Seispie's own output on the reference case (tests/data/seispie-homog).
#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <sstream>

#include "app/runs.hpp"
#include "io/npy.hpp"
#include "io/seispie_files.hpp"
#include "support/simulation.hpp"

namespace seiswg {
namespace {

namespace fs = std::filesystem;

double relative_l2(std::span<const float> a, std::span<const float> b) {
  double num = 0, den = 0;
  for (std::size_t i = 0; i < b.size(); ++i) {
    num += (double(a[i]) - double(b[i])) * (double(a[i]) - double(b[i]));
    den += double(b[i]) * double(b[i]);
  }
  return std::sqrt(num / den);
}

TEST(ShSeispie, TracesAndSnapshotsMatchSeispieWithin1e5) {
  const fs::path reference = fs::path(SEISWG_SOURCE_DIR) / "tests/data/seispie-homog";
  const fs::path dir = fs::temp_directory_path() / ("seiswg_seispie_" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir / "model");
  for (const char* f : {"config.ini", "sources.dat", "stations.dat"}) fs::copy_file(reference / f, dir / f);
  const int n = 31;
  std::vector<float> x, z;
  for (int i = 0; i < n; ++i)
    for (int j = 0; j < n; ++j) x.push_back(25.0f * float(i)), z.push_back(25.0f * float(j));
  io::write_field_bin(dir / "model/proc000000_x.bin", x);
  io::write_field_bin(dir / "model/proc000000_z.bin", z);
  io::write_field_bin(dir / "model/proc000000_vp.bin", std::vector<float>(n * n, 1732.0f));
  io::write_field_bin(dir / "model/proc000000_vs.bin", std::vector<float>(n * n, 1000.0f));
  io::write_field_bin(dir / "model/proc000000_rho.bin", std::vector<float>(n * n, 2000.0f));

  auto c = app::load_case(dir);
  c.psv = false;  // seiswg's P-SV is a true staggered grid; only SH reproduces Seispie
  std::ostringstream log;
  app::run_forward(c, {"", false, true}, log);

  const auto ours = io::read_npy(dir / "output/uy_000000.npy");
  const auto theirs = io::read_npy(reference / "trace_uy_000000.npy");
  ASSERT_EQ(ours.shape, theirs.shape);
  const double trace_error = relative_l2(ours.data, theirs.data);
  std::printf("SH vs Seispie traces: relative L2 %.2e\n", trace_error);
  EXPECT_LT(trace_error, 1e-5);
  for (int it : {25, 50, 75}) {
    char name[64];
    std::snprintf(name, sizeof name, "proc%06d_vy.bin", it);
    const auto snap = io::read_field_bin(dir / "output" / name);
    std::snprintf(name, sizeof name, "snap_proc%06d_vy.npy", it);
    const auto ref = io::read_npy(reference / name);
    const double e = relative_l2(snap, ref.data);
    std::printf("SH vs Seispie snapshot %d: relative L2 %.2e\n", it, e);
    EXPECT_LT(e, 1e-5) << "snapshot after step " << it;
  }
  fs::remove_all(dir);
}

}  // namespace
}  // namespace seiswg
