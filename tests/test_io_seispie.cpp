#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iterator>
#include <random>
#include <string>
#include <vector>

#include "io/error.hpp"
#include "io/seispie_files.hpp"

namespace {
namespace fs = std::filesystem;
using seiswg::InputError;
using namespace seiswg::io;

struct TempDir {
  fs::path path;
  TempDir() {
    std::random_device rd;
    path = fs::temp_directory_path() / ("seiswg_io_seispie_" + std::to_string(rd()) + std::to_string(rd()));
    fs::create_directories(path);
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
};

void write_text(const fs::path& p, const std::string& s) { std::ofstream(p, std::ios::binary) << s; }

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

std::string le32(std::uint32_t v) {
  std::string s;
  for (int i = 0; i < 4; ++i) s += static_cast<char>((v >> (8 * i)) & 0xff);
  return s;
}

std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const InputError& e) {
    return e.what();
  }
  ADD_FAILURE() << "no InputError thrown";
  return "";
}

bool contains(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

// Coordinates of an nx-by-nz grid in Seispie's order k = i*nz + j.
void make_grid(int nx, int nz, double dx, double dz, double x0, double z0, std::vector<float>& x,
               std::vector<float>& z) {
  x.clear();
  z.clear();
  for (int i = 0; i < nx; ++i) {
    for (int j = 0; j < nz; ++j) {
      x.push_back(static_cast<float>(x0 + i * dx));
      z.push_back(static_cast<float>(z0 + j * dz));
    }
  }
}

// ---- field .bin files -------------------------------------------------------------------------

TEST(IoSeispie, FieldBinRoundTripAndLayout) {
  TempDir tmp;
  const std::vector<float> v = {1.0f, -2.5f, 3000.0f};
  const fs::path p = tmp.path / "model" / "proc000000_vs.bin";
  write_field_bin(p, v);
  const std::string bytes = slurp(p);
  ASSERT_EQ(bytes.size(), 16u);
  EXPECT_EQ(bytes.substr(0, 4), le32(3));                                             // int32 npt
  EXPECT_EQ(bytes.substr(4, 8), std::string("\x00\x00\x80\x3f\x00\x00\x20\xc0", 8));  // 1.0f, -2.5f
  EXPECT_EQ(read_field_bin(p), v);
}

TEST(IoSeispie, FieldBinSizeMismatchNamesBothNumbers) {
  TempDir tmp;
  const fs::path p = tmp.path / "proc000000_vs.bin";
  write_text(p, le32(961) + std::string(3896, '\0'));  // 3900 bytes in all
  const std::string msg = error_of([&] { read_field_bin(p); });
  EXPECT_EQ(msg, p.string() + ": header says npt = 961 (3848 bytes expected) but the file has 3900 bytes");
}

TEST(IoSeispie, FieldBinOtherErrors) {
  TempDir tmp;
  const fs::path missing = tmp.path / "proc000000_rho.bin";
  EXPECT_EQ(error_of([&] { read_field_bin(missing); }), "missing model file " + missing.string());

  const fs::path shortf = tmp.path / "short.bin";
  write_text(shortf, "ab");
  EXPECT_TRUE(contains(error_of([&] { read_field_bin(shortf); }), "has 2 bytes, too short for the 4-byte"));

  const fs::path neg = tmp.path / "neg.bin";
  write_text(neg, le32(static_cast<std::uint32_t>(-5)));
  const std::string m = error_of([&] { read_field_bin(neg); });
  EXPECT_TRUE(contains(m, neg.string() + ": header says npt = -5")) << m;

  const fs::path zero = tmp.path / "zero.bin";
  write_text(zero, le32(0));
  EXPECT_TRUE(contains(error_of([&] { read_field_bin(zero); }), "npt = 0"));

  EXPECT_THROW(write_field_bin(tmp.path / "empty.bin", std::vector<float>{}), InputError);
}

// ---- grid inference ---------------------------------------------------------------------------

TEST(IoSeispie, InferSquareGrid31x31) {
  std::vector<float> x, z;
  make_grid(31, 31, 25.0, 25.0, 0.0, 0.0, x, z);
  const Grid g = infer_grid(x, z, "model");
  EXPECT_EQ(g.nx, 31);
  EXPECT_EQ(g.nz, 31);
  EXPECT_DOUBLE_EQ(g.dx, 25.0);
  EXPECT_DOUBLE_EQ(g.dz, 25.0);
  EXPECT_DOUBLE_EQ(g.x0, 0.0);
  EXPECT_DOUBLE_EQ(g.z0, 0.0);
  EXPECT_EQ(g.npt(), 961u);
}

TEST(IoSeispie, InferRectangularGrid7x5WithOffset) {
  std::vector<float> x, z;
  make_grid(7, 5, 10.0, 10.0, 1000.0, 500.0, x, z);
  const Grid g = infer_grid(x, z, "model");
  EXPECT_EQ(g.nx, 7);
  EXPECT_EQ(g.nz, 5);
  EXPECT_DOUBLE_EQ(g.dx, 10.0);
  EXPECT_DOUBLE_EQ(g.dz, 10.0);
  EXPECT_DOUBLE_EQ(g.x0, 1000.0);
  EXPECT_DOUBLE_EQ(g.z0, 500.0);
}

TEST(IoSeispie, InferLargeCoordinates) {
  // Kilometre-scale coordinates stored as float32 still pass the 1e-3*dx check.
  std::vector<float> x, z;
  make_grid(150, 100, 1000.0 / 3.0, 1000.0 / 3.0, 1.0e5, 2.0e4, x, z);
  const Grid g = infer_grid(x, z, "model");
  EXPECT_EQ(g.nx, 150);
  EXPECT_EQ(g.nz, 100);
  EXPECT_NEAR(g.dx, 1000.0 / 3.0, 1e-3);
  EXPECT_NEAR(g.dz, 1000.0 / 3.0, 1e-3);
  EXPECT_DOUBLE_EQ(g.x0, 1.0e5);
  EXPECT_DOUBLE_EQ(g.z0, 2.0e4);
}

TEST(IoSeispie, InferElongatedGridFromNodeOrder) {
  // Seispie's formula misses nx by about (nx/nz - 1)/2 (for 120x40 it gives 121x40, lx/lz = 119/39);
  // the node order k = i*nz + j gives the grid of any aspect ratio: Marmousi is 1601 x 401.
  for (const auto& [nx, nz] : std::vector<std::pair<int, int>>{{120, 40}, {1601, 401}}) {
    std::vector<float> x, z;
    make_grid(nx, nz, 7.5, 7.5, 0.0, 0.0, x, z);
    const Grid g = infer_grid(x, z, "m");
    EXPECT_EQ(g.nx, nx);
    EXPECT_EQ(g.nz, nz);
    EXPECT_NEAR(g.dx, 7.5, 1e-4);
    EXPECT_NEAR(g.dz, 7.5, 1e-4);
  }
}

TEST(IoSeispie, InferRejectsAMisplacedNode) {
  std::vector<float> x, z;
  make_grid(31, 31, 25.0, 25.0, 0.0, 0.0, x, z);
  x[40] += 5.0f;  // k = 40 is i = 1, j = 9
  const std::string msg = error_of([&] { infer_grid(x, z, "model_init"); });
  EXPECT_TRUE(contains(msg, "model_init: not a regular grid with node k = i*nz + j")) << msg;
  EXPECT_TRUE(contains(msg, "node k=40 (i=1,j=9) has x=30 in proc000000_x.bin, expected 25")) << msg;
}

TEST(IoSeispie, InferRejectsTransposedNodeOrder) {
  // Nodes listed as k = j*nx + i (x fastest) are a regular grid in the wrong order.
  std::vector<float> x, z;
  for (int j = 0; j < 5; ++j) {
    for (int i = 0; i < 7; ++i) {
      x.push_back(static_cast<float>(i * 10));
      z.push_back(static_cast<float>(j * 10));
    }
  }
  const std::string msg = error_of([&] { infer_grid(x, z, "m"); });
  EXPECT_TRUE(contains(msg, "node k=1 (i=0,j=1) has x=10 in proc000000_x.bin, expected 0")) << msg;
}

TEST(IoSeispie, InferUnequalSpacingFromNodeOrder) {
  // dx = 12, dz = 10 on 7x5: Seispie's rint(sqrt(35*72/40)) = 8, rint(sqrt(35*40/72)) = 4 miss it.
  std::vector<float> x, z;
  make_grid(7, 5, 12.0, 10.0, 0.0, 0.0, x, z);
  const Grid g = infer_grid(x, z, "m");
  EXPECT_EQ(g.nx, 7);
  EXPECT_EQ(g.nz, 5);
  EXPECT_NEAR(g.dx, 12.0, 1e-5);
  EXPECT_NEAR(g.dz, 10.0, 1e-5);
}

TEST(IoSeispie, InferRejectsDegenerateInputs) {
  const std::vector<float> flat_x = {5, 5, 5, 5}, z4 = {0, 1, 2, 3};
  EXPECT_TRUE(
      contains(error_of([&] { infer_grid(flat_x, z4, "m"); }), "every node in proc000000_x.bin has x = 5"));
  EXPECT_TRUE(contains(error_of([&] { infer_grid(z4, flat_x, "m"); }), "(lz = 0)"));
  const std::vector<float> x3 = {0, 1, 2};
  EXPECT_TRUE(contains(error_of([&] { infer_grid(x3, z4, "m"); }),
                       "proc000000_x.bin has npt = 3 but proc000000_z.bin has npt = 4"));
  const std::vector<float> xn = {0, NAN, 1, 1};
  EXPECT_TRUE(contains(error_of([&] { infer_grid(xn, z4, "m"); }), "node k=1 has x=nan"));
}

// ---- models -----------------------------------------------------------------------------------

void write_model(const fs::path& dir, int nx, int nz, const std::vector<std::string>& names) {
  std::vector<float> x, z;
  make_grid(nx, nz, 25.0, 25.0, 0.0, 0.0, x, z);
  write_field_bin(dir / "proc000000_x.bin", x);
  write_field_bin(dir / "proc000000_z.bin", z);
  for (std::size_t n = 0; n < names.size(); ++n) {
    std::vector<float> v(x.size());
    for (std::size_t k = 0; k < v.size(); ++k) v[k] = static_cast<float>(1000 * (n + 1) + k);
    write_field_bin(dir / ("proc000000_" + names[n] + ".bin"), v);
  }
}

TEST(IoSeispie, ReadModel) {
  TempDir tmp;
  write_model(tmp.path, 5, 4, {"vp", "vs", "rho"});
  const Model m = read_model(tmp.path, {"vs", "rho"});
  EXPECT_EQ(m.grid.nx, 5);
  EXPECT_EQ(m.grid.nz, 4);
  EXPECT_DOUBLE_EQ(m.grid.dx, 25.0);
  EXPECT_EQ(m.dir, tmp.path);
  ASSERT_EQ(m.fields.size(), 2u);
  EXPECT_EQ(m.fields.at("vs")[7], 2007.0f);
  EXPECT_EQ(m.fields.at("rho")[19], 3019.0f);
}

TEST(IoSeispie, ReadModelRejectsNaNNamingNode) {
  TempDir tmp;
  write_model(tmp.path, 5, 4, {});
  std::vector<float> vs(20, 3000.f);
  vs[6] = NAN;  // i = 1, j = 2 with nz = 4
  write_field_bin(tmp.path / "proc000000_vs.bin", vs);
  const std::string msg = error_of([&] { read_model(tmp.path, {"vs"}); });
  EXPECT_EQ(msg, (tmp.path / "proc000000_vs.bin").string() +
                     ": node k=6 (i=1,j=2) has value nan; model values must be finite");
}

TEST(IoSeispie, ReadModelRejectsNptMismatchAndMissingFiles) {
  TempDir tmp;
  write_model(tmp.path, 5, 4, {});
  write_field_bin(tmp.path / "proc000000_vp.bin", std::vector<float>(21, 1.f));
  const std::string msg = error_of([&] { read_model(tmp.path, {"vp"}); });
  EXPECT_TRUE(contains(msg, (tmp.path / "proc000000_vp.bin").string() + " has npt = 21 but " +
                                (tmp.path / "proc000000_x.bin").string() + " has npt = 20"))
      << msg;
  EXPECT_EQ(error_of([&] { read_model(tmp.path, {"rho"}); }),
            "missing model file " + (tmp.path / "proc000000_rho.bin").string());
  EXPECT_EQ(error_of([&] { read_model(tmp.path / "nowhere", {"vs"}); }),
            "missing model folder " + (tmp.path / "nowhere").string());
}

// ---- sources and stations -----------------------------------------------------------------------

TEST(IoSeispie, ReadSourcesLikeLoadtxt) {
  TempDir tmp;
  const fs::path p = tmp.path / "sources.dat";
  write_text(p,
             "# x z type f0 t0 angle amp\n"
             "6.46154e+04 4.80000e+04 0 0.020 0.0 0.0 1.0e10\n"
             "\n"
             "   \t\n"
             "375 250 1 10 +0.1 45 -2.5E-3   # trailing comment\r\n"
             "1.5 .5 2. 5 0 -30 1 extra columns ignored\n");
  const std::vector<SourceSpec> s = read_sources(p);
  ASSERT_EQ(s.size(), 3u);
  EXPECT_DOUBLE_EQ(s[0].x, 64615.4);
  EXPECT_DOUBLE_EQ(s[0].z, 48000.0);
  EXPECT_EQ(s[0].type, 0);
  EXPECT_DOUBLE_EQ(s[0].f0, 0.02);
  EXPECT_DOUBLE_EQ(s[0].amp, 1e10);
  EXPECT_EQ(s[0].line, 2);
  EXPECT_DOUBLE_EQ(s[1].x, 375.0);
  EXPECT_EQ(s[1].type, 1);
  EXPECT_DOUBLE_EQ(s[1].f0, 10.0);
  EXPECT_DOUBLE_EQ(s[1].t0, 0.1);
  EXPECT_DOUBLE_EQ(s[1].angle_deg, 45.0);
  EXPECT_DOUBLE_EQ(s[1].amp, -2.5e-3);
  EXPECT_EQ(s[1].line, 5);
  EXPECT_DOUBLE_EQ(s[2].z, 0.5);
  EXPECT_EQ(s[2].type, 2);
  EXPECT_DOUBLE_EQ(s[2].angle_deg, -30.0);
  EXPECT_EQ(s[2].line, 6);
}

TEST(IoSeispie, ReadSourcesErrors) {
  TempDir tmp;
  const fs::path p = tmp.path / "sources.dat";
  auto err = [&](const std::string& text) {
    write_text(p, text);
    return error_of([&] { read_sources(p); });
  };
  const std::string f = p.string();
  const std::string ok = "100 200 0 10 0 0 1\n";
  EXPECT_EQ(err(ok + "# c\n100 200 0 10\n"),
            f + ":3: expected 7 numbers \"x z type f0 t0 angle amp\", got \"100 200 0 10\" (4 columns)");
  EXPECT_EQ(
      err(ok + "100 abc 0 10 0 0 1\n"),
      f + ":2: expected 7 numbers \"x z type f0 t0 angle amp\", got \"100 abc 0 10 0 0 1\" (z = \"abc\" is "
          "not a number)");
  EXPECT_TRUE(contains(err("100 1e 0 10 0 0 1\n"), "(z = \"1e\" is not a number)"));
  EXPECT_TRUE(
      contains(err(ok + ok + "100 200 0 10 0 nan 1\n"), f + ":3: angle = nan is not a finite number"));
  EXPECT_TRUE(contains(err("100 200 0 10 0 0 inf\n"), f + ":1: amp = inf is not a finite number"));
  EXPECT_EQ(err("100 200 1.5 10 0 0 1\n"),
            f + ":1: type = 1.5 must be an integer (the source type) in \"100 200 1.5 10 0 0 1\"");
  EXPECT_TRUE(contains(err("100 200 1 0 0 0 1\n"), f + ":1: f0 = 0 must be > 0"));
  EXPECT_TRUE(contains(err("100 200 1 -5 0 0 1\n"), "f0 = -5 must be > 0"));
  EXPECT_TRUE(contains(err("# only a comment\n\n"), "no sources in " + f));
  EXPECT_EQ(error_of([&] { read_sources(tmp.path / "none.dat"); }),
            "missing sources file " + (tmp.path / "none.dat").string());
}

TEST(IoSeispie, ReadStations) {
  TempDir tmp;
  const fs::path p = tmp.path / "stations.dat";
  write_text(p, "\xEF\xBB\xBF# receivers\n1.0e3 0\n2000 25.5 7 9\n");
  const std::vector<StationSpec> s = read_stations(p);
  ASSERT_EQ(s.size(), 2u);
  EXPECT_DOUBLE_EQ(s[0].x, 1000.0);
  EXPECT_DOUBLE_EQ(s[0].z, 0.0);
  EXPECT_EQ(s[0].line, 2);
  EXPECT_DOUBLE_EQ(s[1].x, 2000.0);
  EXPECT_DOUBLE_EQ(s[1].z, 25.5);
  EXPECT_EQ(s[1].line, 3);

  write_text(p, "1 2\n3 4\n12.5 abc\n");
  EXPECT_EQ(error_of([&] { read_stations(p); }),
            p.string() + ":3: expected 2 numbers \"x z\", got \"12.5 abc\" (z = \"abc\" is not a number)");
  write_text(p, "1 2\n3\n");
  EXPECT_EQ(error_of([&] { read_stations(p); }),
            p.string() + ":2: expected 2 numbers \"x z\", got \"3\" (1 column)");
  write_text(p, "");
  EXPECT_TRUE(contains(error_of([&] { read_stations(p); }), "no stations in " + p.string()));
}

}  // namespace
