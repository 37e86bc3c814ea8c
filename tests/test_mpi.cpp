// Runs spread over the ranks of an Open MPI job (mpirun --oversubscribe, CPU ranks on lavapipe): the
// same traces, misfit, kernels and inversion as one process, and a failing rank ends the job quickly.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <iterator>
#include <map>
#include <regex>
#include <sstream>

#include "app/ranks.hpp"
#include "io/seispie_files.hpp"
#include "support/case_writer.hpp"

namespace seiswg {
namespace {

namespace fs = std::filesystem;

bool have_mpirun() {
  return app::Ranks::available() && std::system("command -v mpirun >/dev/null 2>&1") == 0;
}

// A shell command's exit status and output (stdout and stderr together).
test::CliResult shell(const std::string& command) {
  std::fflush(nullptr);
  FILE* pipe = ::popen((command + " 2>&1").c_str(), "r");
  test::CliResult result;
  if (!pipe) return {-1, "popen failed"};
  char buffer[4096];
  std::size_t n = 0;
  while ((n = std::fread(buffer, 1, sizeof buffer, pipe)) > 0) result.output.append(buffer, n);
  const int status = ::pclose(pipe);
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return result;
}

// `seiswg COMMAND DIR` on `ranks` ranks, with `env` before it (VAR=value ...).
test::CliResult mpirun(int ranks, const fs::path& dir, const std::string& env = "",
                       const std::string& command_line = "run --no-progress",
                       const std::string& cli = SEISWG_CLI) {
  // Open MPI refuses root unless told; CI containers run as root.
  setenv("OMPI_ALLOW_RUN_AS_ROOT", "1", 1);
  setenv("OMPI_ALLOW_RUN_AS_ROOT_CONFIRM", "1", 1);
  return shell(env + " mpirun --oversubscribe --bind-to none -np " + std::to_string(ranks) + " '" + cli +
               "' " + command_line + " '" + dir.string() + "'");
}

std::string bytes_of(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

double read_number(const fs::path& file) {
  std::ifstream in(file);
  double v = NAN;
  in >> v;
  return v;
}

constexpr int kN = 31;

// A 5-source SH case (5 on 2 or 3 ranks splits unevenly on purpose): model/ with a slow anomaly and
// model_init/ homogeneous, traces per source.
fs::path write_five_sources(const std::string& name, const std::string& mode) {
  const fs::path dir = test::fresh_dir(name);
  test::CaseSpec spec;
  spec.sources =
      "200.0 150.0 0 4.0 0.3 20.0 1.0e10\n550.0 175.0 0 4.0 0.3 -30.0 1.0e10\n375.0 200.0 0 4.0 0.3 0.0 "
      "1.0e10\n250.0 550.0 0 4.0 0.3 10.0 1.0e10\n500.0 500.0 0 4.0 0.3 0.0 1.0e10\n";
  spec.stations = "100.0 100.0\n300.0 500.0\n450.0 600.0\n650.0 300.0\n375.0 375.0\n";
  std::vector<float> vs(kN * kN);
  for (int i = 0; i < kN; ++i)
    for (int j = 0; j < kN; ++j) {
      const double x = (i - 18) / 4.0, z = (j - 16) / 4.0;
      vs[std::size_t(i * kN + j)] = float(1000 * (1 - 0.15 * std::exp(-x * x - z * z)));
    }
  spec.fields["vs"] = vs;
  std::string config = test::default_config(true, false, 160, 0.004);
  const auto at = config.find("mode = forward");
  config.replace(at, std::string("mode = forward").size(), "mode = " + mode);
  const auto combine = config.find("combine_sources = yes");
  config.replace(combine, std::string("combine_sources = yes").size(), "combine_sources = no");
  spec.config = config + "model_init = model_init\n";
  test::write_case(dir, spec);
  test::write_uniform_vs_start(dir, 1000.0f);
  return dir;
}

// max |a - b| over max |a|.
double relative_difference(const std::vector<float>& a, const std::vector<float>& b) {
  if (a.size() != b.size()) return INFINITY;
  double diff = 0, peak = 0;
  for (std::size_t k = 0; k < a.size(); ++k)
    diff = std::max(diff, std::abs(double(a[k]) - double(b[k]))),
    peak = std::max(peak, std::abs(double(a[k])));
  return peak > 0 ? diff / peak : diff;
}

// Without MPI: each rank's share of the shots (contiguous, as even as possible, ranks past the shots
// get none), and the GPU of each node-local rank (the node's GPUs in address order, modulo their
// number) with the tag Mesa's device-select layer takes for it.
TEST(Mpi, ShotSharesAndTheGpuOfEachLocalRank) {
  auto share = [](std::size_t shots, int rank, int size) {
    const auto r = app::rank_shots(shots, rank, size);
    return std::pair(r.first, r.count);
  };
  using P = std::pair<std::size_t, std::size_t>;
  EXPECT_EQ(share(5, 0, 2), P(0, 3));
  EXPECT_EQ(share(5, 1, 2), P(3, 2));
  EXPECT_EQ(share(5, 0, 3), P(0, 2));
  EXPECT_EQ(share(5, 1, 3), P(2, 2));
  EXPECT_EQ(share(5, 2, 3), P(4, 1));
  EXPECT_EQ(share(2, 2, 3).second, 0u);
  EXPECT_EQ(share(7, 0, 1), P(0, 7));
  const std::vector<std::string> gpus = {"0000:01:00.0", "0000:41:00.0", "0000:81:00.0", "0000:c1:00.0"};
  for (int local = 0; local < 6; ++local)
    EXPECT_EQ(app::gpu_of_local_rank(gpus, local), gpus[std::size_t(local % 4)]) << local;
  EXPECT_EQ(app::gpu_of_local_rank({"0000:41:00.0"}, 1), "");  // one GPU: nothing to choose
  EXPECT_EQ(app::gpu_of_local_rank({}, 0), "");
  EXPECT_EQ(app::device_select_tag("0000:41:00.0"), "pci-0000_41_00_0");
}

TEST(Mpi, ForwardTracesOfEachSourceAreTheSameOnOneTwoAndThreeRanks) {
  if (!have_mpirun()) GTEST_SKIP() << "mpirun (openmpi-bin) or an MPI build is not installed";
  std::vector<std::vector<fs::path>> listings;
  std::vector<fs::path> outputs;
  for (const int ranks : {1, 2, 3}) {
    const fs::path dir = write_five_sources("seiswg_mpi_forward", "forward");
    const auto r = mpirun(ranks, dir);
    ASSERT_EQ(r.exit_code, 0) << r.output;
    // Each rank prints its adapter and its PCI address once (on lavapipe: that it has none).
    for (int rank = 0; ranks > 1 && rank < ranks; ++rank) {
      const std::regex adapter_line(
          R"(\[rank )" + std::to_string(rank) + "/" + std::to_string(ranks) +
          R"(\] seiswg: [^\n]+ \([^\n]+, Vulkan\), (PCI [0-9a-f]{4}:[0-9a-f]{2}:[0-9a-f]{2}\.[0-7]|PCI bus id (unknown|ambiguous) \([^\n]+\)|no PCI bus id \(a CPU adapter\))\n)");
      const auto lines = std::distance(std::sregex_iterator(r.output.begin(), r.output.end(), adapter_line),
                                       std::sregex_iterator());
      EXPECT_EQ(lines, 1) << "rank " << rank << " of " << ranks << ":\n" << r.output;
    }
    outputs.push_back(dir / "output");
    std::vector<fs::path> names;
    for (const auto& f : test::files_under(dir / "output")) names.push_back(fs::relative(f, dir / "output"));
    listings.push_back(names);
  }
  ASSERT_EQ(listings[0].size(), 5u * 1u) << "one trace file per source (SH: uy)";
  for (std::size_t k = 1; k < listings.size(); ++k) {
    ASSERT_EQ(listings[k], listings[0]);
    for (const auto& name : listings[0])
      EXPECT_EQ(bytes_of(outputs[k] / name), bytes_of(outputs[0] / name))
          << name << " on " << k + 1 << " ranks";
  }
}

TEST(Mpi, AdjointMisfitAndKernelsAreTheSameOnOneTwoAndThreeRanks) {
  if (!have_mpirun()) GTEST_SKIP() << "mpirun (openmpi-bin) or an MPI build is not installed";
  std::vector<fs::path> outputs;
  for (const int ranks : {1, 2, 3}) {
    const fs::path dir = write_five_sources("seiswg_mpi_adjoint", "adjoint");
    const auto r = mpirun(ranks, dir);
    ASSERT_EQ(r.exit_code, 0) << r.output;
    outputs.push_back(dir / "output");
  }
  const double j1 = read_number(outputs[0] / "misfit.txt");
  ASSERT_GT(j1, 0);
  for (std::size_t k = 1; k < outputs.size(); ++k) {
    EXPECT_NEAR(read_number(outputs[k] / "misfit.txt"), j1, 1e-6 * j1) << k + 1 << " ranks";
    for (const char* kernel : {"kmu", "krho", "kvs"}) {
      const std::string file = std::string("kernels/proc000000_") + kernel + ".bin";
      EXPECT_LE(
          relative_difference(io::read_field_bin(outputs[0] / file), io::read_field_bin(outputs[k] / file)),
          1e-6)
          << kernel << " on " << k + 1 << " ranks";
    }
  }
}

TEST(Mpi, AFailingRankEndsTheJobWithItsNameAndLeavesNoResult) {
  if (!have_mpirun()) GTEST_SKIP() << "mpirun (openmpi-bin) or an MPI build is not installed";
  const fs::path dir = write_five_sources("seiswg_mpi_fail", "adjoint");
  const auto start = std::chrono::steady_clock::now();
  const auto r = mpirun(2, dir, "SEISWG_TEST_FAIL_RANK=1");
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  EXPECT_NE(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("seiswg: rank 1 of 2, sources 4-5 of 5 (" + (dir / "sources.dat").string() +
                          ":4-5): error: SEISWG_TEST_FAIL_RANK"),
            std::string::npos)
      << r.output;
  EXPECT_LT(seconds, 30) << r.output;
  EXPECT_FALSE(fs::exists(dir / "output/misfit.txt")) << r.output;
}

TEST(Mpi, ABadInputSeenByOneRankEndsTheJob) {
  if (!have_mpirun()) GTEST_SKIP() << "mpirun (openmpi-bin) or an MPI build is not installed";
  // Observed traces from files: rank 1's (sources 4-5) are missing, rank 0's are there.
  const fs::path dir = write_five_sources("seiswg_mpi_bad_input", "forward");
  ASSERT_EQ(test::run_cli({"run", "--no-progress", dir.string()}).exit_code, 0);
  fs::rename(dir / "output", dir / "observed");
  fs::remove(dir / "observed/uy_000004.npy");
  std::ifstream in(dir / "config.ini");
  std::string config((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  in.close();
  config.replace(config.find("mode = forward"), 14, "mode = adjoint");
  config.replace(config.find("model_true = model"), 18, "traces = observed");
  std::ofstream(dir / "config.ini") << config;
  const auto start = std::chrono::steady_clock::now();
  const auto r = mpirun(2, dir);
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  EXPECT_NE(r.exit_code, 0) << r.output;
  // The missing file is source 5's: the message names that source, not only the rank's range.
  EXPECT_NE(r.output.find("seiswg: rank 1 of 2, source 5 of 5 (" + (dir / "sources.dat").string() +
                          ":5: 500.0 500.0 0 4.0 0.3 0.0 1.0e10): error: "),
            std::string::npos)
      << r.output;
  EXPECT_LT(seconds, 30) << r.output;
  EXPECT_FALSE(fs::exists(dir / "output/misfit.txt")) << r.output;
}

// Every file under dir, hidden ones included (a rank's temporary files), with a hash of its bytes
// (short failure messages).
std::map<fs::path, std::size_t> contents_under(const fs::path& dir) {
  std::map<fs::path, std::size_t> out;
  for (const auto& file : test::files_under(dir))
    out[fs::relative(file, dir)] = std::hash<std::string>{}(bytes_of(file));
  return out;
}

// The five-source forward case of `name` run once in one process (its output is "the earlier output"),
// then with every source twice as strong, so that a second run that kept any trace would change it.
fs::path five_sources_with_earlier_output(const std::string& name) {
  const fs::path dir = write_five_sources(name, "forward");
  const auto first = test::run_cli({"run", "--no-progress", dir.string()});
  EXPECT_EQ(first.exit_code, 0) << first.output;
  std::string sources = bytes_of(dir / "sources.dat");
  for (auto at = sources.find("1.0e10"); at != std::string::npos; at = sources.find("1.0e10", at))
    sources.replace(at, 6, "2.0e10");
  std::ofstream(dir / "sources.dat") << sources;
  return dir;
}

TEST(Mpi, ARankThatCannotReplaceItsTracesLeavesTheEarlierOutputOfEveryRank) {
  if (!have_mpirun()) GTEST_SKIP() << "mpirun (openmpi-bin) or an MPI build is not installed";
  const fs::path dir = five_sources_with_earlier_output("seiswg_mpi_commit");
  // Rank 1 (sources 4-5) cannot put its trace of source 5 in place: a folder holds that name. Rank 0
  // can replace all of its own, and must not.
  fs::remove(dir / "output/uy_000004.npy");
  fs::create_directory(dir / "output/uy_000004.npy");
  std::ofstream(dir / "output/uy_000004.npy/note") << "a folder where a trace file would go\n";
  const auto before = contents_under(dir / "output");
  const auto r = mpirun(2, dir);
  EXPECT_NE(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("seiswg: rank 1 of 2, sources 4-5 of 5 (" + (dir / "sources.dat").string() +
                          ":4-5): error: cannot write " + (dir / "output/uy_000004.npy").string() +
                          ": Is a directory; no rank kept its outputs"),
            std::string::npos)
      << r.output;
  EXPECT_EQ(r.output.find("wall "), std::string::npos) << "no summary of a complete run:\n" << r.output;
  EXPECT_EQ(contents_under(dir / "output"), before) << r.output;
  // Without the folder in the way the same job succeeds and replaces every trace.
  fs::remove_all(dir / "output/uy_000004.npy");
  const auto again = mpirun(2, dir);
  ASSERT_EQ(again.exit_code, 0) << again.output;
  EXPECT_NE(contents_under(dir / "output").at("uy_000000.npy"), before.at("uy_000000.npy"));
}

// A rank killed outright (SIGKILL) during the commit of the forward outputs, before rank 0 has decided
// (right after its install) or after (before it keeps its files): the job ends; the next run in the
// folder (here one that stops right after its clean-up: no such adapter) settles the commit as rank 0
// decided, every rank's files with it. Undecided: the output is byte-identical to before; decided: it
// is what a complete run writes. No temporary, backup or journal is left either way.
TEST(Mpi, ARankKilledDuringTheCommitLeavesEveryRanksFilesOrNone) {
  if (!have_mpirun()) GTEST_SKIP() << "mpirun (openmpi-bin) or an MPI build is not installed";
  const fs::path dir = five_sources_with_earlier_output("seiswg_mpi_commit_killed");
  const auto before = contents_under(dir / "output");
  const auto clean_up = [&] {
    return test::run_cli({"run", "--no-progress", "--adapter", "no-such-gpu", dir.string()});
  };
  // Undecided: rank 1 killed after its install, rank 0 then ended by mpirun while it waits.
  const auto killed = mpirun(2, dir, "SEISWG_TEST_KILL_RANK=1:installed");
  EXPECT_NE(killed.exit_code, 0) << killed.output;
  EXPECT_NE(killed.output.find("signal 9"), std::string::npos) << killed.output;
  EXPECT_EQ(killed.output.find("wall "), std::string::npos) << killed.output;
  const auto undone = clean_up();
  EXPECT_NE(
      undone.output.find("seiswg: cleaned up after 2 earlier runs killed in " + (dir / "output").string()),
      std::string::npos)
      << undone.output;
  EXPECT_EQ(contents_under(dir / "output"), before) << killed.output << undone.output;
  // Decided: rank 1 killed after rank 0 recorded the decision, before it keeps its files.
  const auto decided = mpirun(2, dir, "SEISWG_TEST_KILL_RANK=1:decided");
  EXPECT_NE(decided.exit_code, 0) << decided.output;
  const auto kept = clean_up();
  EXPECT_NE(kept.output.find("seiswg: cleaned up after"), std::string::npos) << kept.output;
  const auto settled = contents_under(dir / "output");
  EXPECT_NE(settled.at("uy_000000.npy"), before.at("uy_000000.npy"));  // rank 0's, new
  EXPECT_NE(settled.at("uy_000004.npy"), before.at("uy_000004.npy"));  // rank 1's, new
  const auto complete = mpirun(2, dir);
  ASSERT_EQ(complete.exit_code, 0) << complete.output;
  EXPECT_EQ(settled, contents_under(dir / "output")) << decided.output << kept.output;
}

TEST(Mpi, AnUnstableSourceOfOneRankIsNamedAndLeavesTheEarlierOutput) {
  if (!have_mpirun()) GTEST_SKIP() << "mpirun (openmpi-bin) or an MPI build is not installed";
  const fs::path dir = five_sources_with_earlier_output("seiswg_mpi_unstable");
  // Source 5, rank 2's only one on 3 ranks, overflows float (amp 1e39) once its wavelet starts
  // (t0 = 0.5 s of 0.64 s): late, so that ranks 0 and 1 wait with their files written.
  std::string sources = bytes_of(dir / "sources.dat");
  sources.replace(sources.rfind("\n", sources.size() - 2) + 1, std::string::npos,
                  "500.0 500.0 0 4.0 0.5 0.0 1.0e39\n");
  std::ofstream(dir / "sources.dat") << sources;
  const auto before = contents_under(dir / "output");
  const auto start = std::chrono::steady_clock::now();
  const auto r = mpirun(3, dir);
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  EXPECT_NE(r.exit_code, 0) << r.output;
  const std::string source =
      "source 5 of 5 (" + (dir / "sources.dat").string() + ":5: 500.0 500.0 0 4.0 0.5 0.0 1.0e39)";
  EXPECT_NE(
      r.output.find("seiswg: rank 2 of 3, " + source + ": error: SH run of " + source + " became unstable"),
      std::string::npos)
      << r.output;
  EXPECT_LT(seconds, 30) << r.output;
  EXPECT_EQ(contents_under(dir / "output"), before) << r.output;
}

// How often `part` occurs in `text`.
std::size_t count_of(const std::string& text, const std::string& part) {
  std::size_t n = 0;
  for (auto at = text.find(part); at != std::string::npos; at = text.find(part, at + part.size())) ++n;
  return n;
}

TEST(Mpi, CheckAndCheckGradientRefuseToRunOnSeveralRanks) {
  if (!have_mpirun()) GTEST_SKIP() << "mpirun (openmpi-bin) or an MPI build is not installed";
  const fs::path dir = write_five_sources("seiswg_mpi_check", "adjoint");
  for (const std::string command : {"check", "check-gradient"}) {
    const auto r = mpirun(2, dir, "", command);
    EXPECT_EQ(r.exit_code, 2) << command << ":\n" << r.output;
    EXPECT_EQ(count_of(r.output, "seiswg " + command + ": does not run on several ranks (mpirun -np 2)"), 1u)
        << "one message, from rank 0:\n"
        << r.output;
    EXPECT_NE(r.output.find("run `seiswg " + command + " " + dir.string() + "` without mpirun"),
              std::string::npos)
        << r.output;
    EXPECT_EQ(r.output.find("grid"), std::string::npos) << "no plan or table:\n" << r.output;
  }
  EXPECT_FALSE(fs::exists(dir / "output")) << "nothing written";
}

// A tiny SH inversion (41 x 41, 3 sources: 2 + 1 on 2 ranks), 2 iterations of L-BFGS.
fs::path write_small_inversion(const std::string& name, int iterations = 2) {
  const fs::path dir = test::fresh_dir(name);
  const int n = 41;
  const double h = 10, lo = 120, hi = 280, check = 80;
  test::write_checkerboard_models(dir, n, h, lo, hi, check);
  std::ofstream stations(dir / "stations.dat");
  for (int k = 0; k < 6; ++k) {
    const double s = lo + (hi - lo) * (k + 0.5) / 6;
    stations << s << " " << lo - 30 << "\n" << s << " " << hi + 30 << "\n";
  }
  std::ofstream(dir / "sources.dat") << "200 90 1 8.0 0.15 0.0 1.0e6\n200 310 1 8.0 0.15 0.0 1.0e6\n"
                                        "90 200 1 8.0 0.15 0.0 1.0e6\n";
  std::ofstream(dir / "config.ini")
      << "[workflow]\nmode = inversion\n\n[solver]\nsh = yes\npsv = no\nnt = 350\ndt = 0.0012\n"
         "abs_top = yes\nabs_bottom = yes\nabs_left = yes\nabs_right = yes\nabs_width = 10\nabs_alpha = "
         "0.02\ncombine_sources = no\nsave_images = no\n"
         "\n[optimize]\nmethod = lbfgs\nniter = "
      << iterations
      << "\nls_step_init = 0.02\nls_step_max = 0.2\n"
         "\n[inversion]\nvs_min = 700\nvs_max = 1300\nsource_mask = 3\n"
         "\n[path]\noutput = output\nmodel_true = model_true\nmodel_init = model_init\nsources = "
         "sources.dat\nstations = stations.dat\n";
  return dir;
}

// The misfit column of misfit.csv.
std::vector<double> misfits(const fs::path& csv) {
  std::ifstream in(csv);
  std::string line;
  std::getline(in, line);
  std::vector<double> out;
  while (std::getline(in, line)) {
    std::stringstream s(line);
    std::string iteration, stage, misfit;
    std::getline(s, iteration, ','), std::getline(s, stage, ','), std::getline(s, misfit, ',');
    out.push_back(std::stod(misfit));
  }
  return out;
}

TEST(Mpi, InversionOnTwoRanksEqualsOneProcess) {
  if (!have_mpirun()) GTEST_SKIP() << "mpirun (openmpi-bin) or an MPI build is not installed";
  const fs::path one = write_small_inversion("seiswg_mpi_inversion1"),
                 two = write_small_inversion("seiswg_mpi_inversion2");
  const auto r1 = test::run_cli({"run", "--no-progress", one.string()});
  ASSERT_EQ(r1.exit_code, 0) << r1.output;
  const auto r2 = mpirun(2, two);
  ASSERT_EQ(r2.exit_code, 0) << r2.output;
  const auto j1 = misfits(one / "output/misfit.csv"), j2 = misfits(two / "output/misfit.csv");
  ASSERT_EQ(j1.size(), 3u) << r1.output;
  ASSERT_EQ(j2.size(), j1.size()) << r2.output;
  for (std::size_t k = 0; k < j1.size(); ++k) EXPECT_NEAR(j2[k], j1[k], 1e-9 * j1[k]) << "row " << k;
  EXPECT_LT(j1.back(), j1.front());
  const auto m1 = io::read_field_bin(one / "output/iter_0002/proc000000_vs.bin"),
             m2 = io::read_field_bin(two / "output/iter_0002/proc000000_vs.bin");
  EXPECT_LE(relative_difference(m1, m2), 1e-6);
  // Only rank 0 wrote: no rank left a second copy or a staging folder behind.
  EXPECT_EQ(test::files_under(two / "output").size(), test::files_under(one / "output").size());
}

TEST(Mpi, AKilledRankEndsTheInversionWhichResumesOnAnotherRankCount) {
  if (!have_mpirun()) GTEST_SKIP() << "mpirun (openmpi-bin) or an MPI build is not installed";
  const fs::path dir = write_small_inversion("seiswg_mpi_kill", 4);
  setenv("OMPI_ALLOW_RUN_AS_ROOT", "1", 1);
  setenv("OMPI_ALLOW_RUN_AS_ROOT_CONFIRM", "1", 1);
  // Once iteration 0 is saved, kill -9 the last rank mpirun started (its child in /proc), then time
  // how long the job takes to end.
  const std::string d = "'" + dir.string() + "'";
  const std::string script = "mpirun --oversubscribe --bind-to none -np 2 '" SEISWG_CLI
                             "' run --no-progress " +
                             d + " >" + d + "/log 2>&1 & mp=$!; for i in $(seq 1200); do [ -f " + d +
                             "/output/inversion_state.bin ] && break; sleep 0.05; done; "
                             "rank=$(tr ' ' '\\n' </proc/$mp/task/$mp/children | grep . | tail -n 1); "
                             "kill -9 $rank; date +%s.%N >" +
                             d + "/killed; wait $mp; echo $? >" + d + "/status; date +%s.%N >" + d + "/ended";
  std::ofstream(dir / "kill.sh") << script << "\n";
  ASSERT_EQ(std::system(("bash '" + (dir / "kill.sh").string() + "'").c_str()), 0);
  const std::string log = bytes_of(dir / "log");
  EXPECT_NE(read_number(dir / "status"), 0) << log;
  EXPECT_NE(log.find("exited on signal 9"), std::string::npos) << log;
  EXPECT_LT(read_number(dir / "ended") - read_number(dir / "killed"), 10) << log;
  const auto before = misfits(dir / "output/misfit.csv");
  ASSERT_GE(before.size(), 1u) << log;
  ASSERT_LT(before.size(), 5u) << log;
  // Run again, in one process: it continues from the saved state to the end.
  const auto r = test::run_cli({"run", "--no-progress", dir.string()});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("continuing the saved inversion"), std::string::npos) << r.output;
  EXPECT_GT(misfits(dir / "output/misfit.csv").size(), before.size()) << r.output;
}

// The same program built without MPI (as where libopenmpi-dev is missing): it needs no libmpi, runs a
// case in one process exactly as the MPI build does, and under mpirun refuses (rank 0 alone says so)
// instead of running the whole case once per rank into the same outputs.
TEST(Mpi, ABuildWithoutMpiRunsAsOneProcessAndRefusesMpirun) {
#ifndef SEISWG_CLI_WITHOUT_MPI
  GTEST_SKIP() << "this build has no MPI: seiswg itself is the build without it";
#else
  const std::string without = SEISWG_CLI_WITHOUT_MPI;
  const auto libraries = shell("ldd '" + without + "'");
  ASSERT_EQ(libraries.exit_code, 0) << libraries.output;
  EXPECT_EQ(libraries.output.find("libmpi"), std::string::npos) << libraries.output;

  const fs::path with_mpi = write_five_sources("seiswg_mpi_build_with", "forward"),
                 without_mpi = write_five_sources("seiswg_mpi_build_without", "forward");
  const auto a = test::run_cli({"run", "--no-progress", with_mpi.string()});
  ASSERT_EQ(a.exit_code, 0) << a.output;
  const auto b = shell("'" + without + "' run --no-progress '" + without_mpi.string() + "'");
  ASSERT_EQ(b.exit_code, 0) << b.output;
  const auto files = test::files_under(with_mpi / "output");
  ASSERT_EQ(files.size(), 5u);
  for (const auto& f : files) {
    const fs::path name = fs::relative(f, with_mpi / "output");
    EXPECT_EQ(bytes_of(without_mpi / "output" / name), bytes_of(f)) << name;
  }

  if (std::system("command -v mpirun >/dev/null 2>&1") != 0) return;
  const fs::path dir = write_five_sources("seiswg_mpi_build_refused", "forward");
  const auto r = mpirun(2, dir, "", "run --no-progress", without);
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_EQ(count_of(r.output, "seiswg run: this seiswg was built without Open MPI"), 1u) << r.output;
  EXPECT_NE(r.output.find("mpirun -np 2"), std::string::npos) << r.output;
  EXPECT_FALSE(fs::exists(dir / "output")) << "nothing written";
#endif
}

}  // namespace
}  // namespace seiswg
