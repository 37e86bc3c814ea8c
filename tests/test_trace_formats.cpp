// SU and SEG-Y traces: written by forward runs and read back by an independent reader (python3-segyio),
// read as observed data by adjoint runs (the same misfit as from .npy), and bad files or formats
// rejected with a message naming the file before anything is written.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "io/npy.hpp"
#include "io/seismic_traces.hpp"
#include "io/seispie_files.hpp"
#include "support/case_writer.hpp"

namespace seiswg {
namespace {

namespace fs = std::filesystem;
using test::CaseSpec;

constexpr int kN = 31, kNt = 160;
constexpr double kDt = 0.004;
const std::string kStations = "100.0 100.0\n300.0 500.0\n450.0 600.0\n650.0 300.0\n375.0 375.0\n";

using seiswg::test::contains;

using seiswg::test::replace;

// A forward case with two sources (one run each) over a slow anomaly; `solver_extra` goes into
// [solver]. model_init/ holds the homogeneous starting model of the adjoint cases.
fs::path write_forward(const fs::path& dir, const std::string& solver_extra) {
  CaseSpec spec;
  spec.sources = "200.0 150.0 0 4.0 0.3 20.0 1.0e10\n550.0 175.0 0 4.0 0.3 -30.0 1.0e10\n";
  spec.stations = kStations;
  std::vector<float> vs(kN * kN);
  for (int i = 0; i < kN; ++i)
    for (int j = 0; j < kN; ++j) {
      const double x = (i - 18) / 4.0, z = (j - 16) / 4.0;
      vs[std::size_t(i * kN + j)] = float(1000 * (1 - 0.15 * std::exp(-x * x - z * z)));
    }
  spec.fields["vs"] = vs;
  std::string config = test::default_config(true, false, kNt, kDt);
  config = replace(config, "combine_sources = yes\n", "combine_sources = no\n" + solver_extra);
  spec.config = config + "model_init = model_init\n";
  test::write_case(dir, spec);
  test::write_uniform_vs_start(dir, 1000.0f);
  return dir;
}

// An adjoint case inheriting `forward` (a sibling folder) with observed data from `traces`.
fs::path write_adjoint(const fs::path& dir, const std::string& forward, const std::string& traces) {
  fs::create_directories(dir);
  std::ofstream(dir / "config.ini") << "[workflow]\nmode = adjoint\ninherit = " << forward
                                    << "\n\n[solver]\nsave_images = no\n\n[path]\noutput = output\n"
                                    << "traces = " << traces << "\n";
  return dir;
}

double read_number(const fs::path& file) {
  std::ifstream in(file);
  double v = NAN;
  in >> v;
  return v;
}

// Output of a command (stdout), and its exit status.
std::string command_output(const std::string& command, int& status) {
  FILE* pipe = ::popen(command.c_str(), "r");
  if (!pipe) return {};
  std::string out;
  char buffer[4096];
  std::size_t n = 0;
  while ((n = std::fread(buffer, 1, sizeof buffer, pipe)) > 0) out.append(buffer, n);
  status = ::pclose(pipe);
  return out;
}

// What python3-segyio reads from a file: the binary header (SEG-Y), each trace's header fields
// and samples.
struct SegyioView {
  std::map<std::string, long> bin;
  std::vector<std::map<std::string, long>> headers;
  std::vector<std::vector<double>> traces;
  std::string text;  // the textual header (SEG-Y)
};

SegyioView read_with_segyio(const fs::path& file, bool su) {
  const fs::path script = file.parent_path() / "read_with_segyio.py";
  std::ofstream(script) << R"(import sys, segyio
path, su = sys.argv[1], sys.argv[2] == "su"
f = segyio.su.open(path, ignore_geometry=True, endian="little") if su else segyio.open(path, ignore_geometry=True)
T = segyio.TraceField
if not su:
    print("bin interval", f.bin[segyio.BinField.Interval])
    print("bin samples", f.bin[segyio.BinField.Samples])
    print("bin format", f.bin[segyio.BinField.Format])
    print("text", segyio.tools.wrap(f.text[0]).replace("\n", " "))
names = {"seq_line": T.TRACE_SEQUENCE_LINE, "seq_file": T.TRACE_SEQUENCE_FILE, "field_record": T.FieldRecord,
         "channel": T.TraceNumber, "source_x": T.SourceX, "group_x": T.GroupX, "scalar": T.SourceGroupScalar,
         "elevation_scalar": T.ElevationScalar, "source_depth": T.SourceDepth,
         "group_elevation": T.ReceiverGroupElevation, "samples": T.TRACE_SAMPLE_COUNT,
         "interval": T.TRACE_SAMPLE_INTERVAL, "offset": T.offset}
for i in range(f.tracecount):
    h = f.header[i]
    print("header", i, " ".join("%s=%d" % (k, h[v]) for k, v in names.items()))
    print("trace", i, " ".join(repr(float(x)) for x in f.trace[i]))
)";
  int status = 0;
  const std::string out = command_output(
      "/usr/bin/python3 '" + script.string() + "' '" + file.string() + "' " + (su ? "su" : "segy") + " 2>&1",
      status);
  EXPECT_EQ(status, 0) << out;
  SegyioView view;
  std::istringstream lines(out);
  std::string line;
  while (std::getline(lines, line)) {
    std::istringstream in(line);
    std::string kind;
    in >> kind;
    if (kind == "bin") {
      std::string key;
      long v = 0;
      in >> key >> v;
      view.bin[key] = v;
    } else if (kind == "text") {
      view.text = line.substr(5);
    } else if (kind == "header") {
      std::size_t index = 0;
      in >> index;
      view.headers.resize(index + 1);
      std::string pair;
      while (in >> pair) {
        const auto eq = pair.find('=');
        view.headers[index][pair.substr(0, eq)] = std::stol(pair.substr(eq + 1));
      }
    } else if (kind == "trace") {
      std::size_t index = 0;
      in >> index;
      view.traces.resize(index + 1);
      double v = 0;
      while (in >> v) view.traces[index].push_back(v);
    }
  }
  return view;
}

class TraceFormats : public test::FreshFolderTest {};

TEST_F(TraceFormats, ForwardRunWritesSuAndSegyThatSegyioReadsBack) {
  const fs::path dir = write_forward(root / "forward", "trace_format = npy, su, segy\n");
  const auto r = test::run_cli({"run", dir.string()});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const double stations_x[] = {100, 300, 450, 650, 375}, stations_z[] = {100, 500, 600, 300, 375};
  const double sources_x[] = {200, 550}, sources_z[] = {150, 175};
  for (int run = 0; run < 2; ++run) {
    const std::string base = "uy_00000" + std::to_string(run);
    const auto npy = io::read_npy(dir / "output" / (base + ".npy"));
    ASSERT_EQ(npy.shape, (std::vector<std::size_t>{5, kNt}));
    for (const bool su : {true, false}) {
      const fs::path file = dir / "output" / (base + (su ? ".su" : ".sgy"));
      SCOPED_TRACE(file.string());
      const auto view = read_with_segyio(file, su);
      ASSERT_EQ(view.traces.size(), 5u);
      ASSERT_EQ(view.headers.size(), 5u);
      double largest = 0;
      for (std::size_t t = 0; t < 5; ++t) {
        ASSERT_EQ(view.traces[t].size(), std::size_t(kNt));
        for (int k = 0; k < kNt; ++k) {
          EXPECT_EQ(float(view.traces[t][k]), npy.data[t * kNt + k]) << "trace " << t << " sample " << k;
          largest = std::max(largest, std::abs(view.traces[t][k]));
        }
        auto h = view.headers[t];
        EXPECT_EQ(h["seq_line"], long(t + 1));
        EXPECT_EQ(h["seq_file"], long(t + 1));
        EXPECT_EQ(h["channel"], long(t + 1));
        EXPECT_EQ(h["field_record"], run + 1);
        EXPECT_EQ(h["samples"], kNt);
        EXPECT_EQ(h["interval"], 4000);
        ASSERT_EQ(h["scalar"], -100);
        EXPECT_EQ(h["elevation_scalar"], -100);
        EXPECT_EQ(h["source_x"], std::lround(sources_x[run] * 100));
        EXPECT_EQ(h["source_depth"], std::lround(sources_z[run] * 100));
        EXPECT_EQ(h["group_x"], std::lround(stations_x[t] * 100));
        EXPECT_EQ(h["group_elevation"], -std::lround(stations_z[t] * 100));
        EXPECT_EQ(h["offset"], std::lround(stations_x[t] - sources_x[run]));
      }
      EXPECT_GT(largest, 0);
      if (!su) {
        EXPECT_EQ(view.bin.at("interval"), 4000);
        EXPECT_EQ(view.bin.at("samples"), kNt);
        EXPECT_EQ(view.bin.at("format"), 5);
        EXPECT_TRUE(contains(view.text, "SEISWG")) << view.text;
        EXPECT_TRUE(contains(view.text, "IEEE")) << view.text;
      }
    }
  }
  // SU is native little-endian without file headers: 240 + 4 nt bytes a trace.
  EXPECT_EQ(fs::file_size(dir / "output/uy_000000.su"), 5u * (240 + 4 * kNt));
  EXPECT_EQ(fs::file_size(dir / "output/uy_000000.sgy"), 3600u + 5u * (240 + 4 * kNt));
}

TEST_F(TraceFormats, OnlyTheFormatsAskedForAreWritten) {
  const fs::path dir = write_forward(root / "forward", "trace_format = segy\n");
  const auto r = test::run_cli({"run", dir.string(), "--quiet"});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  std::vector<std::string> names;
  for (const auto& f : test::files_under(dir / "output")) names.push_back(f.filename().string());
  EXPECT_EQ(names, (std::vector<std::string>{"uy_000000.sgy", "uy_000001.sgy"}));
}

TEST_F(TraceFormats, AdjointMisfitIsTheSameFromEveryFormat) {
  const fs::path forward = write_forward(root / "forward", "trace_format = npy, su, segy\n");
  ASSERT_EQ(test::run_cli({"run", forward.string(), "--quiet"}).exit_code, 0);
  std::map<std::string, double> misfits;
  for (const std::string ext : {".npy", ".su", ".sgy"}) {
    const fs::path observed = root / ("observed" + ext);
    fs::create_directories(observed);
    for (const char* run : {"000000", "000001"})
      fs::copy_file(forward / "output" / (std::string("uy_") + run + ext),
                    observed / (std::string("uy_") + run + ext));
    const fs::path adjoint = write_adjoint(root / ("adjoint" + ext), "forward", "../observed" + ext);
    // The observed data differ from model_init's synthetics only through the anomaly.
    const auto r = test::run_cli({"run", adjoint.string(), "--quiet"});
    ASSERT_EQ(r.exit_code, 0) << ext << "\n" << r.output;
    misfits[ext] = read_number(adjoint / "output/misfit.txt");
  }
  EXPECT_GT(misfits[".npy"], 0);
  EXPECT_EQ(misfits[".su"], misfits[".npy"]);
  EXPECT_EQ(misfits[".sgy"], misfits[".npy"]);
}

// Observed traces written directly (io::write_trace_file) with a shape or sampling of their own.
void write_observed(const fs::path& folder, io::TraceFileFormat format, std::size_t traces,
                    std::size_t samples, double dt) {
  io::TraceGeometry g;
  g.dt = dt;
  g.receiver_x.assign(traces, 100.0);
  g.receiver_z.assign(traces, 100.0);
  const std::vector<float> values(traces * samples, 0.5f);
  for (const char* run : {"000000", "000001"})
    io::write_trace_file(folder / (std::string("uy_") + run + io::extension(format)), format, values, samples,
                         g);
}

// Runs the adjoint case on `observed` and expects a failure naming each of `parts`, with no output.
void expect_rejected(const fs::path& root, const std::vector<std::string>& parts) {
  const fs::path adjoint = write_adjoint(root / "adjoint", "forward", "../observed");
  const auto r = test::run_cli({"run", adjoint.string()});
  EXPECT_EQ(r.exit_code, 1) << r.output;
  for (const auto& p : parts)
    EXPECT_TRUE(contains(r.output, p)) << "expected \"" << p << "\" in:\n" << r.output;
  EXPECT_FALSE(fs::exists(adjoint / "output")) << r.output;
}

TEST_F(TraceFormats, ObservedSuWithTheWrongSampleCountIsRejected) {
  write_forward(root / "forward", "");
  fs::create_directories(root / "observed");
  write_observed(root / "observed", io::TraceFileFormat::su, 5, kNt - 1, kDt);
  expect_rejected(root, {"uy_000000.su", "5 traces of 159 samples", "expected 5 traces of 160 samples",
                         "5 stations in stations.dat"});
}

TEST_F(TraceFormats, ObservedSegyWithTheWrongTraceCountIsRejected) {
  write_forward(root / "forward", "");
  fs::create_directories(root / "observed");
  write_observed(root / "observed", io::TraceFileFormat::segy, 3, kNt, kDt);
  expect_rejected(root, {"uy_000000.sgy", "3 traces of 160 samples", "expected 5 traces"});
}

TEST_F(TraceFormats, ObservedSegyWithAnotherSampleIntervalIsRejected) {
  write_forward(root / "forward", "");
  fs::create_directories(root / "observed");
  write_observed(root / "observed", io::TraceFileFormat::segy, 5, kNt, 2 * kDt);
  expect_rejected(root, {"uy_000000.sgy", "8000 us", "[solver] dt = 0.004", "does not resample"});
}

TEST_F(TraceFormats, TruncatedSuFileIsRejected) {
  write_forward(root / "forward", "");
  fs::create_directories(root / "observed");
  write_observed(root / "observed", io::TraceFileFormat::su, 5, kNt, kDt);
  fs::resize_file(root / "observed/uy_000000.su", 5 * (240 + 4 * kNt) - 7);
  expect_rejected(root, {"uy_000000.su", "not a whole number of traces of 160 samples"});
}

TEST_F(TraceFormats, MissingObservedFileNamesEveryNameLookedFor) {
  write_forward(root / "forward", "");
  fs::create_directories(root / "observed");
  expect_rejected(root, {"uy_000000.npy", "uy_000000.su", "uy_000000.sgy", "vy_000000.npy"});
}

TEST_F(TraceFormats, UnknownFormatNameIsRejected) {
  const fs::path dir = write_forward(root / "forward", "trace_format = npy, mseed\n");
  const auto r = test::run_cli({"run", dir.string()});
  EXPECT_EQ(r.exit_code, 1) << r.output;
  for (const std::string part :
       {"config.ini:", "[solver] trace_format = npy, mseed", "'mseed'", "npy, su or segy"})
    EXPECT_TRUE(contains(r.output, part)) << part << "\n" << r.output;
  EXPECT_FALSE(fs::exists(dir / "output")) << r.output;
}

TEST_F(TraceFormats, TooManySamplesForSegyHeadersIsRejected) {
  const fs::path dir = write_forward(root / "forward", "trace_format = su\n");
  std::ifstream in(dir / "config.ini");
  std::string text((std::istreambuf_iterator<char>(in)), {});
  std::ofstream(dir / "config.ini") << replace(text, "nt = 160\n", "nt = 40000\n");
  const auto r = test::run_cli({"run", dir.string()});
  EXPECT_EQ(r.exit_code, 1) << r.output;
  for (const std::string part : {"[solver] nt = 40000", "32767", "trace_format = npy"})
    EXPECT_TRUE(contains(r.output, part)) << part << "\n" << r.output;
  EXPECT_FALSE(fs::exists(dir / "output")) << r.output;
}

}  // namespace
}  // namespace seiswg
