// Explosion and moment-tensor sources of the elastic media ([solver] source_types = yes): their
// traces against the analytic 2-D whole space, through the case's own spreading of the moment over
// the staggered grid (app::forces_for); their refusals.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <numbers>

#include "app/case.hpp"
#include "io/error.hpp"
#include "support/analytic.hpp"
#include "support/half_space.hpp"
#include "support/simulation.hpp"

namespace seiswg {
namespace {

constexpr double kVp = 2000, kVs = 1000, kRho = 2000, kF0 = 8, kT0 = 0.18, kAmp = 1e8;

// Displacement u_i at offset (ox, oz) from a line moment tensor M = Ricker(t) m, from the analytic
// line-force Green's function G_in (support/analytic.hpp): the equivalent body force is
// f_n = -m_nj d_j delta, so u_i = -m_nj d G_in / d o_j, the derivative taken by a central difference of
// 1 cm in the offset (its error ~(1 cm / 50 m)^2 ~ 4e-8).
std::vector<double> moment_reference(int i, double ox, double oz, const double m[2][2], double dt,
                                     std::size_t nt) {
  const test::Ricker w{kF0, kT0, kAmp};
  const double e = 0.01;
  std::vector<double> u(nt, 0.0);
  for (int n = 0; n < 2; ++n)
    for (int j = 0; j < 2; ++j) {
      if (m[n][j] == 0) continue;
      const double dx = j == 0 ? e : 0, dz = j == 1 ? e : 0;
      const auto plus =
          test::psv_ricker_time_domain(i, n, ox + dx, oz + dz, w, 1.0, kVp, kVs, kRho, dt, dt, nt);
      const auto minus =
          test::psv_ricker_time_domain(i, n, ox - dx, oz - dz, w, 1.0, kVp, kVs, kRho, dt, dt, nt);
      for (std::size_t k = 0; k < nt; ++k) u[k] -= m[n][j] * (plus[k] - minus[k]) / (2 * e);
    }
  return u;
}

double explosion_radial(double r, double t) {
  return test::line_explosion_radial({kVp, kVs, kRho}, r, t, kF0, kT0, kAmp);
}

struct MomentRun {
  std::vector<std::vector<double>> traces, reference;
  std::vector<std::string> labels;
};

// A 321 x 321 grid (h = 5 m, 10 points per S wavelength at 2.5 f0), the source at the centre, the
// taper on all sides; receivers at node offsets, ux at (i + 1/2, j), uz at (i, j + 1/2).
MomentRun run_moment(const double m[2][2], int type, bool sinc,
                     const std::vector<std::pair<int, int>>& offsets, bool closed_form_explosion = false) {
  app::Case c;
  c.psv = true;
  c.source_types = true;
  c.sinc_points = sinc;
  c.nt = 1000;
  c.dt = 0.0006;
  const int n = 321;
  const double h = 5;
  c.model = test::uniform_model(n, n, h, h, {{"vp", kVp}, {"vs", kVs}, {"rho", kRho}});
  const int is = n / 2, js = n / 2;
  io::SourceSpec src{is * h, js * h, type, kF0, kT0, 0, kAmp, 1, {}, "", "sources.dat"};
  if (type == 2)
    for (double v : {m[0][0], m[1][1], m[0][1]}) src.more_columns.push_back(std::to_string(v));
  c.sources = {src};
  const auto eq = physics::make_psv(true);
  const auto forces = app::forces_for(c, *eq, 0);
  std::vector<solver::PointReceiver> receivers;
  MomentRun out;
  for (int comp = 0; comp < 2; ++comp)
    for (auto [di, dj] : offsets) {
      receivers.push_back({std::uint32_t(comp), is + di, js + dj});
      const double ox = h * (di + (comp == 0 ? 0.5 : 0.0)), oz = h * (dj + (comp == 1 ? 0.5 : 0.0));
      if (closed_form_explosion) {
        const double r = std::hypot(ox, oz);
        std::vector<double> u(std::size_t(c.nt));
        for (std::size_t k = 0; k < u.size(); ++k)
          u[k] = explosion_radial(r, c.dt * double(k + 1)) * (comp == 0 ? ox : oz) / r;
        out.reference.push_back(std::move(u));
      } else {
        out.reference.push_back(moment_reference(comp, ox, oz, m, c.dt, std::size_t(c.nt)));
      }
      char label[64];
      std::snprintf(label, sizeof label, "u%c at (%6.1f, %6.1f) m", comp ? 'z' : 'x', ox, oz);
      out.labels.push_back(label);
    }
  out.traces =
      test::run_traces(*eq, c.model, c.nt, c.dt, {true, true, true, true, 20, 0.015}, forces, receivers);
  return out;
}

void expect_within(const MomentRun& run, double limit, const char* what) {
  for (std::size_t r = 0; r < run.traces.size(); ++r) {
    const double e = test::relative_l2(run.traces[r], run.reference[r]);
    std::printf("%s %s: relative L2 %.4f\n", what, run.labels[r].c_str(), e);
    EXPECT_LT(e, limit) << what << " " << run.labels[r];
  }
}

const std::vector<std::pair<int, int>> kOffsets = {{20, 0}, {0, 30}, {-21, 21}, {35, -35}, {-50, 10}};

TEST(MomentSources, ExplosionMatchesTheLineExplosionPWaveWithin3Percent) {
  const double m[2][2] = {{1, 0}, {0, 1}};
  const auto run = run_moment(m, 1, false, kOffsets, true);
  expect_within(run, 0.03, "explosion (closed form)");
  // First motion away from the source: the displacement's first large excursion points outwards.
  for (std::size_t r = 0; r < run.traces.size(); ++r) {
    const auto& u = run.reference[r];
    double peak = 0;
    for (double v : u) peak = std::max(peak, std::abs(v));
    const auto first = std::find_if(u.begin(), u.end(), [&](double v) { return std::abs(v) > 0.3 * peak; });
    ASSERT_NE(first, u.end());
    const auto& s = run.traces[r];
    const double outward = kOffsets[r % kOffsets.size()].first * (r < kOffsets.size() ? 1 : 0) +
                           kOffsets[r % kOffsets.size()].second * (r < kOffsets.size() ? 0 : 1);
    if (outward != 0) {
      EXPECT_GT(s[std::size_t(first - u.begin())] * outward, 0) << run.labels[r];
    }
  }
}

TEST(MomentSources, ClosedFormExplosionAgreesWithTheGreenFunction) {
  // The two references of the explosion: closed form vs -d_n G_in (independent derivations).
  const double m[2][2] = {{1, 0}, {0, 1}};
  for (auto [ox, oz] : {std::pair{30.0, 100.0}, std::pair{-80.0, 130.0}}) {
    const auto g = moment_reference(1, ox, oz, m, 0.0006, 1000);
    const double r = std::hypot(ox, oz);
    std::vector<double> closed(g.size());
    for (std::size_t k = 0; k < g.size(); ++k)
      closed[k] = explosion_radial(r, 0.0006 * double(k + 1)) * oz / r;
    const double e = test::relative_l2(closed, g);
    std::printf("explosion uz at (%.0f, %.0f) m: closed form vs Green's function, relative L2 %.2e\n", ox, oz,
                e);
    EXPECT_LT(e, 1e-3);
  }
}

TEST(MomentSources, ShearMomentMatchesTheGreenFunctionWithin3Percent) {
  const double m[2][2] = {{0, 1}, {1, 0}};  // pure mxz: sxz driven on the four samples around the node
  // Off the axes, where mxz radiates nothing along them.
  expect_within(run_moment(m, 2, false, {{20, 7}, {6, 30}, {-21, 21}, {35, -35}, {-50, 10}}), 0.03,
                "mxz, nearest");
}

TEST(MomentSources, GeneralMomentTensorWithSincPointsMatchesWithin3Percent) {
  const double m[2][2] = {{0.7, -0.4}, {-0.4, -1.2}};
  expect_within(run_moment(m, 2, true, kOffsets), 0.03, "general moment, sinc");
}

// A sources.dat with `line` as its only source, read as a case of psv = yes, source_types = yes.
std::string case_error(const std::string& line, bool source_types = true, bool sh = false) {
  const auto dir = std::filesystem::temp_directory_path() / "seiswg_moment_refusals";
  std::filesystem::create_directories(dir / "model");
  const int n = 16;
  const auto model = test::uniform_model(n, n, 10, 10, {{"vp", kVp}, {"vs", kVs}, {"rho", kRho}});
  for (const auto& [name, values] : model.fields)
    io::write_field_bin(dir / "model" / ("proc000000_" + name + ".bin"), values);
  std::vector<float> x(std::size_t(n * n)), z(x.size());
  for (int i = 0; i < n; ++i)
    for (int j = 0; j < n; ++j)
      x[std::size_t(i * n + j)] = float(10 * i), z[std::size_t(i * n + j)] = float(10 * j);
  io::write_field_bin(dir / "model" / "proc000000_x.bin", x);
  io::write_field_bin(dir / "model" / "proc000000_z.bin", z);
  std::ofstream(dir / "sources.dat") << line << "\n";
  std::ofstream(dir / "stations.dat") << "80 80\n";
  std::ofstream(dir / "config.ini")
      << "[workflow]\nmode = forward\n[solver]\npsv = yes\nnt = 10\ndt = 0.001\n"
      << (sh ? "sh = yes\n" : "") << (source_types ? "source_types = yes\n" : "")
      << "[path]\nmodel_true = model\nsources = sources.dat\nstations = stations.dat\n";
  try {
    (void)app::load_case(dir / "config.ini");
  } catch (const InputError& e) {
    return e.what();
  }
  return "";
}

TEST(MomentSources, BadTypesAndColumnsAreRefusedNamingFileLineAndValue) {
  const std::string bad_type = case_error("80 80 3 8 0.2 0 1");
  EXPECT_NE(bad_type.find("sources.dat:1"), std::string::npos) << bad_type;
  EXPECT_NE(bad_type.find("type = 3"), std::string::npos) << bad_type;
  const std::string missing = case_error("80 80 2 8 0.2 0 1 1 1");
  EXPECT_NE(missing.find("sources.dat:1"), std::string::npos) << missing;
  EXPECT_NE(missing.find("mxx mzz mxz"), std::string::npos) << missing;
  const std::string not_number = case_error("80 80 2 8 0.2 0 1 1 x 0");
  EXPECT_NE(not_number.find("mzz = x"), std::string::npos) << not_number;
  // Seispie's inputs have type 1 (and anything after the seven columns): without source_types the
  // column is not read, every source a force, as in Seispie.
  EXPECT_EQ(case_error("80 80 1 8 0.2 0 1", false), "");
  EXPECT_EQ(case_error("80 80 7 8 0.2 0 1 whatever", false), "");
  EXPECT_EQ(case_error("80 80 2 8 0.2 0 1 1 -1 0.5"), "");
  // SH beside P-SV takes forces only: its moment sources are refused rather than run as forces.
  const std::string sh = case_error("80 80 1 8 0.2 0 1", true, true);
  EXPECT_NE(sh.find("sources.dat:1: type = 1"), std::string::npos) << sh;
  EXPECT_NE(sh.find("SH medium takes forces only"), std::string::npos) << sh;
}

}  // namespace
}  // namespace seiswg
