// The inversion workflow: relative parameters and bounds, a small SH checkerboard recovered through
// the command line, a run killed at a random moment that resumes to the same model, stages, and the
// errors of bad inversion inputs.
#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <limits>
#include <random>
#include <sstream>

#include "inversion/parametrization.hpp"
#include "io/error.hpp"
#include "io/seispie_files.hpp"
#include "support/case_writer.hpp"

namespace seiswg {
namespace {

namespace fs = std::filesystem;

// ---------------------------------------------------------------- parametrization (host only)

io::Model small_model(int nx, int nz, float vp, float vs, float rho) {
  io::Model m;
  m.grid = {nx, nz, 10, 10, 0, 0};
  const std::size_t n = m.grid.npt();
  m.fields["vp"].assign(n, vp);
  m.fields["vs"].assign(n, vs);
  m.fields["rho"].assign(n, rho);
  return m;
}

TEST(Inversion, ParametersAreRelativeToTheStart) {
  const io::Model start = small_model(3, 2, 3000, 1500, 2000);
  const inversion::Parametrization p(start, {{"vp"}, {"rho"}}, {"vp", "vs", "rho"},
                                     {"vp", "vs", "rho", "rho_velocity", "mu", "lambda"}, std::nullopt,
                                     "test");
  ASSERT_EQ(p.size(), 12u);
  std::vector<double> x = p.start_point();
  for (double v : x) EXPECT_EQ(v, 1.0);
  x[1] = 1.1;  // vp at node 1
  x[6] = 0.5;  // rho at node 0
  const io::Model m = p.model_at(x);
  EXPECT_FLOAT_EQ(m.fields.at("vp")[1], 3300.0f);
  EXPECT_FLOAT_EQ(m.fields.at("rho")[0], 1000.0f);
  EXPECT_FLOAT_EQ(m.fields.at("vs")[0], 1500.0f);  // not inverted: unchanged
  // d J / d x = d J / d m x m_start; rho at fixed velocities uses the rho_velocity kernel.
  std::map<std::string, std::vector<double>> g = {{"vp", std::vector<double>(6, 2.0)},
                                                  {"rho_velocity", std::vector<double>(6, -1.0)},
                                                  {"rho", std::vector<double>(6, 99.0)}};
  const auto gx = p.gradient(g);
  EXPECT_DOUBLE_EQ(gx[0], 6000.0);
  EXPECT_DOUBLE_EQ(gx[6], -2000.0);
}

TEST(Inversion, ShearModulusAtFixedDensity) {
  const io::Model start = small_model(2, 2, 0, 1000, 2500);
  const inversion::Parametrization p(start, {{"mu"}}, {"vs", "rho"}, {"mu", "rho", "vs", "rho_velocity"},
                                     std::nullopt, "test");
  std::vector<double> x = p.start_point();
  x[0] = 1.21;  // mu x 1.21: vs x 1.1
  EXPECT_NEAR(p.model_at(x).fields.at("vs")[0], 1100.0f, 1e-3);
  EXPECT_NEAR(p.values(x, 0)[0], 1.21 * 2500.0 * 1e6, 1.0);
}

// vs = 0 in water: relative to the mean starting vs there, so water can stay fluid (or be muted).
TEST(Inversion, ZeroStartingValuesUseTheMeanAsReference) {
  io::Model start = small_model(2, 2, 3000, 1500, 2000);
  start.fields["vs"] = {0, 1000, 2000, 3000};
  const inversion::Parametrization p(start, {{"vs"}}, {"vp", "vs", "rho"}, {"vs"}, std::nullopt, "test");
  const auto x = p.start_point();
  EXPECT_EQ(x, (std::vector<double>{0, 1, 1, 1}));
  EXPECT_EQ(p.model_at(x).fields.at("vs"), start.fields.at("vs"));
  const auto g = p.gradient({{"vs", {1, 1, 1, 1}}});
  EXPECT_DOUBLE_EQ(g[0], 2000.0);  // the mean of 1000, 2000, 3000
  EXPECT_DOUBLE_EQ(g[3], 3000.0);
}

TEST(Inversion, BoundsThatExcludeTheStartAreRefused) {
  const io::Model start = small_model(3, 3, 3000, 1500, 2000);
  try {
    inversion::Parametrization(start, {{"vs", 1600, 2000}}, {"vp", "vs", "rho"}, {"vs", "vp"}, std::nullopt,
                               "config.ini: [inversion]");
    FAIL() << "no error";
  } catch (const InputError& e) {
    const std::string msg = e.what();
    EXPECT_NE(msg.find("exclude the starting model"), std::string::npos) << msg;
    EXPECT_NE(msg.find("vs = 1500"), std::string::npos) << msg;
    EXPECT_NE(msg.find("node (0, 0)"), std::string::npos) << msg;
  }
  EXPECT_THROW(
      inversion::Parametrization(start, {{"qp"}}, {"vp", "vs", "rho"}, {"vs", "vp"}, std::nullopt, "t"),
      InputError);
}

TEST(Inversion, VpVsRangeProjectsOntoTheNearestAllowedPair) {
  const io::Model start = small_model(1, 2, 3000, 1500, 2000);
  const inversion::Parametrization p(start, {{"vp"}, {"vs"}}, {"vp", "vs", "rho"}, {"vp", "vs"},
                                     inversion::RatioRange{1.6, 2.5}, "test");
  const auto project = p.projection();
  ASSERT_TRUE(project);
  std::vector<double> x = {0.5, 1.0, 1.0, 1.0};  // node 0: vp 1500, vs 1500 (ratio 1 < 1.6)
  project(x);
  const double vp = x[0] * 3000, vs = x[2] * 1500;
  EXPECT_NEAR(vp / vs, 1.6, 1e-12);
  // The nearest point of the ray vp = 1.6 vs to (1500, 1500).
  const double t = (1500 * 1.6 + 1500) / (1.6 * 1.6 + 1);
  EXPECT_NEAR(vs, t, 1e-9);
  EXPECT_EQ(x[1], 1.0);  // node 1 was inside the range: untouched
  const auto again = x;
  project(x);
  EXPECT_EQ(x, again);  // idempotent
}

// P-SV with vs alone inverted: vp stays, so vs <= vp / vp_vs_min node by node keeps lambda > 0 (a
// trial model with vs above vp / sqrt(2) has lambda < 0 and blows up); and vp alone: vp >= r_min vs.
TEST(Inversion, OneVelocityInvertedIsBoundedByTheFixedOneNodeByNode) {
  io::Model start = small_model(1, 2, 3000, 1500, 2000);
  start.fields["vp"] = {3000, 2400};
  const inversion::RatioRange range{std::sqrt(2.0), 2.5};
  const inversion::Parametrization vs_only(start, {{"vs", 0, 1800}}, {"vp", "vs", "rho"}, {"vp", "vs"}, range,
                                           "test");
  EXPECT_FALSE(vs_only.projection());  // the bounds hold the range
  const auto vs_upper = vs_only.upper(), vs_lower = vs_only.lower();
  EXPECT_NEAR(vs_upper[0] * 1500, 1800, 1e-9);                   // vs_max below 3000 / sqrt(2)
  EXPECT_NEAR(vs_upper[1] * 1500, 2400 / std::sqrt(2.0), 1e-9);  // 1697 m/s
  EXPECT_NEAR(vs_lower[0] * 1500, 3000 / 2.5, 1e-9);
  EXPECT_NEAR(vs_lower[1] * 1500, 2400 / 2.5, 1e-9);

  const inversion::Parametrization vp_only(start, {{"vp"}}, {"vp", "vs", "rho"}, {"vp", "vs"}, range, "test");
  EXPECT_NEAR(vp_only.lower()[0] * 3000, std::sqrt(2.0) * 1500, 1e-9);
  EXPECT_NEAR(vp_only.upper()[1] * 2400, 2.5 * 1500, 1e-9);

  // A start outside the range is refused, naming the node and the ratio.
  start.fields["vp"] = {3000, 2000};  // vp / vs = 1.33 at node (0, 1)
  try {
    inversion::Parametrization(start, {{"vs"}}, {"vp", "vs", "rho"}, {"vp", "vs"}, range,
                               "config.ini: [inversion]");
    FAIL() << "no error";
  } catch (const InputError& e) {
    const std::string msg = e.what();
    EXPECT_NE(msg.find("excludes the starting model"), std::string::npos) << msg;
    EXPECT_NE(msg.find("node (0, 1)"), std::string::npos) << msg;
  }
}

// ---------------------------------------------------------------- command line

// A small SH checkerboard (61 x 61 nodes of 10 m, vs 1000 m/s +-8 % in 80 m checks), 4 sources and 32
// stations on a square around the checks, observed data from model_true.
struct Checkerboard {
  int niter = 20;
  std::string method = "lbfgs", vs_min = "700";
  std::string extra_optimize, extra_inversion, extra_solver, stages;
};

fs::path write_checkerboard(const std::string& name, const Checkerboard& spec) {
  const fs::path dir = test::fresh_dir(name);
  const int n = 61;
  const double h = 10, lo = 180, hi = 420, check = 80;
  test::write_checkerboard_models(dir, n, h, lo, hi, check);
  std::ofstream stations(dir / "stations.dat");
  for (int k = 0; k < 8; ++k) {
    const double s = lo + (hi - lo) * (k + 0.5) / 8;
    stations << s << " " << lo - 30 << "\n"
             << s << " " << hi + 30 << "\n"
             << lo - 30 << " " << s << "\n"
             << hi + 30 << " " << s << "\n";
  }
  std::ofstream(dir / "sources.dat") << "300 130 1 8.0 0.15 0.0 1.0e6\n300 470 1 8.0 0.15 0.0 1.0e6\n"
                                        "130 300 1 8.0 0.15 0.0 1.0e6\n470 300 1 8.0 0.15 0.0 1.0e6\n";
  std::ofstream(dir / "config.ini")
      << "[workflow]\nmode = inversion\n\n[solver]\nsh = yes\npsv = no\nnt = 500\ndt = 0.0012\n"
         "abs_top = yes\nabs_bottom = yes\nabs_left = yes\nabs_right = yes\nabs_width = 12\nabs_alpha = "
         "0.02\n"
         "combine_sources = no\nsave_images = no\nsmooth = 1\n"
      << spec.extra_solver << "\n[optimize]\nmethod = " << spec.method << "\nniter = " << spec.niter
      << "\nls_step_init = 0.02\nls_step_max = 0.2\n"
      << spec.extra_optimize << "\n[inversion]\nvs_min = " << spec.vs_min
      << "\nvs_max = 1300\nsource_mask = 3\n"
      << spec.extra_inversion << "\n"
      << spec.stages
      << "\n[path]\noutput = output\nmodel_true = model_true\nmodel_init = model_init\nsources = "
         "sources.dat\nstations = stations.dat\n";
  return dir;
}

struct CsvRow {
  int iteration = 0, stage = 0;
  double misfit = 0, relative = 0, model_error = 0;
};

std::vector<CsvRow> read_csv(const fs::path& file) {
  std::ifstream in(file);
  std::string line;
  std::getline(in, line);
  EXPECT_EQ(line,
            "iteration,stage,misfit,relative_misfit,step,forward_runs,adjoint_runs,seconds,model_error");
  std::vector<CsvRow> rows;
  while (std::getline(in, line)) {
    std::vector<std::string> cells;
    std::stringstream s(line);
    std::string cell;
    while (std::getline(s, cell, ',')) cells.push_back(cell);
    if (cells.size() != 9) {
      ADD_FAILURE() << "bad row " << line;
      continue;
    }
    rows.push_back({std::stoi(cells[0]), std::stoi(cells[1]), std::stod(cells[2]), std::stod(cells[3]),
                    std::stod(cells[8])});
  }
  return rows;
}

std::vector<char> bytes_of(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

TEST(Inversion, ShCheckerboardIsRecovered) {
  const fs::path dir = write_checkerboard("seiswg_inversion_checker", {});
  const auto r = test::run_cli({"run", dir.string()});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const auto rows = read_csv(dir / "output/misfit.csv");
  ASSERT_GE(rows.size(), 2u) << r.output;
  const CsvRow &first = rows.front(), &last = rows.back();
  EXPECT_EQ(first.iteration, 0);
  EXPECT_LE(last.iteration, 20);
  // Misfit down >= 90 %, model error inside the illuminated region down >= 50 % (measured: see the
  // output on failure).
  EXPECT_LE(last.misfit, 0.1 * first.misfit) << r.output;
  EXPECT_LE(last.model_error, 0.5 * first.model_error) << r.output;
  // Every iteration's folder is a model folder as it is.
  char name[32];
  std::snprintf(name, sizeof name, "iter_%04d", last.iteration);
  const io::Model m = io::read_model(dir / "output" / name, {"vs", "rho"});
  EXPECT_EQ(m.grid.nx, 61);
  EXPECT_EQ(m.grid.nz, 61);
  for (float v : m.fields.at("vs")) {
    EXPECT_GE(v, 700.0f);
    EXPECT_LE(v, 1300.0f);
  }
  // Running it again says it is complete and changes nothing.
  const auto csv = bytes_of(dir / "output/misfit.csv");
  const auto again = test::run_cli({"run", dir.string()});
  EXPECT_EQ(again.exit_code, 0) << again.output;
  EXPECT_NE(again.output.find("is complete"), std::string::npos) << again.output;
  EXPECT_EQ(bytes_of(dir / "output/misfit.csv"), csv);
}

// Killed (SIGKILL: no chance to clean up) at random moments and run again each time, the inversion
// ends with the same final model, bit for bit, as an uninterrupted run.
TEST(Inversion, KilledRunResumesToTheSameModel) {
  Checkerboard spec;  // two stages of two iterations: kills inside a stage and between stages
  spec.stages = "[stage1]\nfreq_max = 8\nniter = 2\n\n[stage2]\nniter = 2\n";
  const fs::path whole = write_checkerboard("seiswg_inversion_whole", spec);
  const auto t0 = std::chrono::steady_clock::now();
  const auto r = test::run_cli({"run", whole.string()});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();

  const fs::path killed = write_checkerboard("seiswg_inversion_killed", spec);
  std::mt19937 random(std::random_device{}());
  std::uniform_real_distribution<double> moment(0.15 * seconds, 0.85 * seconds);
  std::string kills;
  for (int k = 0; k < 2; ++k) {
    const double at = moment(random);
    kills += std::to_string(at) + " s ";
    const std::string command = "timeout -s KILL " + std::to_string(at) + " '" + std::string(SEISWG_CLI) +
                                "' run --quiet '" + killed.string() + "' >/dev/null 2>&1";
    (void)std::system(command.c_str());
  }
  const auto resumed = test::run_cli({"run", killed.string()});
  ASSERT_EQ(resumed.exit_code, 0) << resumed.output;
  for (const std::string file : {"proc000000_vs.bin", "proc000000_rho.bin"})
    EXPECT_EQ(bytes_of(whole / "output/iter_0004" / file), bytes_of(killed / "output/iter_0004" / file))
        << file << " differs after kills at " << kills << "\n"
        << resumed.output;
  const auto a = read_csv(whole / "output/misfit.csv"), b = read_csv(killed / "output/misfit.csv");
  ASSERT_EQ(a.size(), b.size()) << "kills at " << kills;
  for (std::size_t k = 0; k < a.size(); ++k) EXPECT_EQ(a[k].misfit, b[k].misfit) << "row " << k;
}

TEST(Inversion, FrequencyStagesRunInOrder) {
  Checkerboard spec;
  spec.stages =
      "[stage1]\nfreq_max = 6\nniter = 2\n\n[stage2]\nfreq_max = 12\nniter = 2\nmisfit = correlation\n";
  const fs::path dir = write_checkerboard("seiswg_inversion_stages", spec);
  const auto r = test::run_cli({"run", dir.string()});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const auto rows = read_csv(dir / "output/misfit.csv");
  ASSERT_EQ(rows.size(), 5u) << r.output;  // the start, then 2 iterations per stage
  EXPECT_EQ(rows[2].stage, 1);
  EXPECT_EQ(rows[3].stage, 2);
  EXPECT_EQ(rows[4].iteration, 4);
  EXPECT_LT(rows[2].relative, 1.0);
  EXPECT_LT(rows[4].relative, 1.0);
  EXPECT_NE(r.output.find("stage 2 of 2: correlation misfit, 0 to 12 Hz"), std::string::npos) << r.output;
}

TEST(Inversion, BadInputsSayWhyAndWriteNothing) {
  struct Case {
    Checkerboard spec;
    std::string expected;
  };
  std::vector<Case> cases(6);
  cases[0].spec.vs_min = "1100";
  cases[0].expected = "exclude the starting model: vs = 1000";
  cases[1].spec.stages = "[stage1]\nfreq_max = 900\n";
  cases[1].expected = "Nyquist";
  cases[2].spec.stages = "[stage1]\nfreq_min = 10\nfreq_max = 5\n";
  cases[2].expected = "is empty";
  cases[3].spec.extra_solver = "misfit = l3\n";
  cases[3].expected = "l3";
  cases[4].spec.method = "newton";
  cases[4].expected = "unknown method 'newton'";
  cases[5].spec.extra_inversion = "parameters = vs, qp\n";
  cases[5].expected = "cannot invert 'qp'";
  for (const auto& c : cases) {
    const fs::path dir = write_checkerboard("seiswg_inversion_bad", c.spec);
    const auto r = test::run_cli({"run", dir.string()});
    EXPECT_EQ(r.exit_code, 1) << r.output;
    EXPECT_NE(r.output.find(c.expected), std::string::npos) << r.output;
    EXPECT_FALSE(fs::exists(dir / "output")) << r.output;
  }
}

// Seispie's observed traces: raw float32 files named vy_NNNNNN.npy without a NumPy header; one of the
// wrong size is refused before any run.
TEST(Inversion, SeispieRawObservedTraces) {
  Checkerboard spec;
  spec.niter = 1;
  const fs::path dir = write_checkerboard("seiswg_inversion_raw", spec);
  // The observed data: the forward run of model_true, written as raw float32 files.
  const fs::path fwd = dir / "forward";
  fs::create_directories(fwd);
  std::ofstream(fwd / "config.ini")
      << "[workflow]\nmode = forward\n\n[solver]\nsh = yes\npsv = no\nnt = 500\ndt = 0.0012\nabs_top = yes\n"
         "abs_bottom = yes\nabs_left = yes\nabs_right = yes\nabs_width = 12\nabs_alpha = 0.02\n"
         "combine_sources = no\nsave_images = no\n\n[path]\noutput = output\nmodel_true = ../model_true\n"
         "sources = ../sources.dat\nstations = ../stations.dat\n";
  ASSERT_EQ(test::run_cli({"run", fwd.string()}).exit_code, 0);
  const fs::path traces = dir / "traces";
  fs::create_directories(traces);
  for (int s = 0; s < 4; ++s) {
    char name[32];
    std::snprintf(name, sizeof name, "uy_%06d.npy", s);
    const auto npy = bytes_of(fwd / "output" / name);
    std::snprintf(name, sizeof name, "vy_%06d.npy", s);
    const std::size_t header = npy.size() - 32 * 500 * 4;
    std::ofstream(traces / name, std::ios::binary)
        .write(npy.data() + header, std::streamsize(npy.size() - header));
  }
  std::string config;
  {
    std::ifstream in(dir / "config.ini");
    config.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }
  std::ofstream(dir / "config.ini") << config << "traces = traces\n";
  const auto from_files = test::run_cli({"run", dir.string()});
  ASSERT_EQ(from_files.exit_code, 0) << from_files.output;
  const auto with_files = read_csv(dir / "output/misfit.csv");
  // The same inversion with data computed from model_true: the same misfits (float32 traces either way).
  const fs::path reference = write_checkerboard("seiswg_inversion_raw_ref", spec);
  ASSERT_EQ(test::run_cli({"run", reference.string()}).exit_code, 0);
  const auto computed = read_csv(reference / "output/misfit.csv");
  ASSERT_EQ(with_files.size(), computed.size());
  for (std::size_t k = 0; k < computed.size(); ++k)
    EXPECT_NEAR(with_files[k].misfit, computed[k].misfit, 1e-6 * computed[k].misfit) << "row " << k;

  // A file cut short.
  std::ofstream(traces / "vy_000002.npy", std::ios::binary | std::ios::trunc).write("abcd", 4);
  fs::remove_all(dir / "output");
  const auto bad = test::run_cli({"run", dir.string()});
  EXPECT_EQ(bad.exit_code, 1) << bad.output;
  EXPECT_NE(bad.output.find("vy_000002.npy: 4 bytes of raw float32 traces"), std::string::npos) << bad.output;
  EXPECT_FALSE(fs::exists(dir / "output")) << bad.output;

  // A NaN in the observed data is named (file, station, sample, time) before any run.
  std::vector<float> samples(32 * 500, 0.0f);
  samples[3 * 500 + 10] = std::numeric_limits<float>::quiet_NaN();
  std::ofstream(traces / "vy_000002.npy", std::ios::binary | std::ios::trunc)
      .write(reinterpret_cast<const char*>(samples.data()), std::streamsize(samples.size() * 4));
  const auto nan = test::run_cli({"run", dir.string()});
  EXPECT_EQ(nan.exit_code, 1) << nan.output;
  EXPECT_NE(
      nan.output.find(
          "vy_000002.npy: observed trace of station 4 (stations.dat line 4), sample 10 (t = 0.012 s) is nan"),
      std::string::npos)
      << nan.output;
  EXPECT_FALSE(fs::exists(dir / "output")) << nan.output;
}

TEST(Inversion, CheckGradientPrintsPassingTables) {
  Checkerboard spec;
  const fs::path dir = write_checkerboard("seiswg_check_gradient", spec);
  const auto r = test::run_cli({"check-gradient", dir.string()});
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("| h | J(m0 + h d) - J(m0) |"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("Taylor test: passed; dot-product test: passed"), std::string::npos) << r.output;
}

}  // namespace
}  // namespace seiswg
