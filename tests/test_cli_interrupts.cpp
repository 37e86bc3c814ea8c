// Signals and shared folders: a run stopped by SIGINT / SIGTERM / SIGHUP, or one that fails, leaves every
// earlier file as it was and no temporary behind; outputs never replace the run's inputs.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <functional>
#include <map>
#include <random>
#include <string>
#include <thread>

#include "support/case_writer.hpp"

namespace seiswg {
namespace {

namespace fs = std::filesystem;

using seiswg::test::contains;

using seiswg::test::replace;

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// Every file under `dir` (hidden temporaries included) with its contents.
std::map<std::string, std::string> contents_under(const fs::path& dir) {
  std::map<std::string, std::string> out;
  for (const auto& f : test::files_under(dir)) out[f.lexically_relative(dir).string()] = slurp(f);
  return out;
}

std::string names(const std::map<std::string, std::string>& files) {
  std::string s;
  for (const auto& [name, bytes] : files) s += name + " (" + std::to_string(bytes.size()) + " bytes)\n";
  return s;
}

struct Stopped {
  int exit_code = -1;
  std::string output;
};

// Starts `seiswg run config`, waits until `ready()` holds (polled every millisecond, at most 60 s),
// then `delay` more, sends `signal_number` and waits for the end (at most 60 s, then SIGKILL: a run
// that ignores the signal fails the test instead of hanging it).
Stopped run_and_signal_when(const fs::path& config, int signal_number, const std::function<bool()>& ready,
                            std::chrono::milliseconds delay, const fs::path& log) {
  const pid_t pid = ::fork();
  if (pid == 0) {
    const int fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    for (const int s : {SIGINT, SIGTERM, SIGHUP}) ::signal(s, SIG_DFL);
    ::dup2(fd, 1);
    ::dup2(fd, 2);
    ::execl(SEISWG_CLI, SEISWG_CLI, "run", config.c_str(), static_cast<char*>(nullptr));
    ::_exit(127);
  }
  Stopped result;
  const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (!ready() && std::chrono::steady_clock::now() < give_up)
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  std::this_thread::sleep_for(delay);
  ::kill(pid, signal_number);
  int status = 0;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (::waitpid(pid, &status, WNOHANG) == 0) {
    if (std::chrono::steady_clock::now() > deadline) {
      ::kill(pid, SIGKILL);
      ::waitpid(pid, &status, 0);
      result.output = "killed after 60 s: the run ignored the signal\n";
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  if (WIFEXITED(status)) result.exit_code = WEXITSTATUS(status);
  if (WIFSIGNALED(status)) result.exit_code = 128 + WTERMSIG(status);
  result.output += slurp(log);
  return result;
}

Stopped run_and_signal(const fs::path& config, int signal_number, std::chrono::milliseconds delay,
                       const fs::path& log) {
  return run_and_signal_when(
      config, signal_number, [] { return true; }, delay, log);
}

// Whether `dir` holds a staged trace (".uy_NNNNNN.EXT.PID.N.tmp"): the run has finished its time loop
// and is writing its files (the model's pictures are staged before the loop, the traces after it).
bool holds_staged_trace(const fs::path& dir) {
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    const std::string name = entry.path().filename().string();
    if (name.rfind(".uy_", 0) == 0 && name.size() > 4 && name.substr(name.size() - 4) == ".tmp") return true;
  }
  return false;
}

// A delay drawn anew in each test, printed with its failures.
std::chrono::milliseconds random_delay(int least_ms, int most_ms) {
  static std::mt19937 draw(std::random_device{}());
  return std::chrono::milliseconds(std::uniform_int_distribution<int>(least_ms, most_ms)(draw));
}

class CliInterrupts : public test::FreshFolderTest {
 public:
  // A forward case writing snapshots; `nt` steps.
  fs::path forward_case(const std::string& name, int nt, const std::string& extra_solver = "") {
    test::CaseSpec spec;
    spec.config =
        replace(test::default_config(true, false, nt, 0.005, 50), "[path]\n", extra_solver + "\n[path]\n");
    spec.config = replace(
        spec.config, "output = output\noutput_traces = output\n",
        "output = " + (root / "out").string() + "\noutput_traces = " + (root / "out").string() + "\n");
    return test::write_case(root / name, spec);
  }
};

// The time loop is stopped at its next batch: exit 128 + signal, a message, the earlier output intact.
void expect_interrupt_keeps_old_output(CliInterrupts& t, const fs::path& good, const fs::path& slow,
                                       int signal_number, const std::string& signal_text) {
  const fs::path out = t.root / "out";
  const auto first = test::run_cli({"run", good.string()});
  ASSERT_EQ(first.exit_code, 0) << first.output;
  const auto before = contents_under(out);
  ASSERT_GT(before.size(), 2u) << names(before);
  // Anywhere from model loading to well into the time loop.
  const auto delay = random_delay(300, 1500);
  const auto r = run_and_signal(slow, signal_number, delay, t.root / "log.txt");
  SCOPED_TRACE("signal after " + std::to_string(delay.count()) + " ms");
  EXPECT_EQ(r.exit_code, 128 + signal_number) << r.output;
  EXPECT_TRUE(contains(r.output, "interrupted by " + signal_text)) << r.output;
  EXPECT_TRUE(contains(r.output, "nothing of this run was kept")) << r.output;
  const auto after = contents_under(out);
  EXPECT_EQ(names(after), names(before));
  EXPECT_TRUE(after == before) << "the earlier output changed";
}

TEST_F(CliInterrupts, SigtermStopsAForwardRunAndKeepsTheEarlierOutput) {
  expect_interrupt_keeps_old_output(*this, forward_case("good", 200), forward_case("slow", 2000000), SIGTERM,
                                    "SIGTERM");
}

TEST_F(CliInterrupts, SigintStopsAForwardRunAndKeepsTheEarlierOutput) {
  expect_interrupt_keeps_old_output(*this, forward_case("good", 200), forward_case("slow", 2000000), SIGINT,
                                    "SIGINT");
}

TEST_F(CliInterrupts, SighupStopsAForwardRunAndKeepsTheEarlierOutput) {
  expect_interrupt_keeps_old_output(*this, forward_case("good", 200), forward_case("slow", 2000000), SIGHUP,
                                    "SIGHUP");
}

// A forward case with 24 shots run one by one (combine_sources = no) whose traces go out as .npy, .su,
// .sgy and a gather picture each, no snapshots: its temporaries appear only once the time loop is over,
// and their writing takes a while. `amplitude` makes one run's bytes differ from another's.
fs::path writing_case(CliInterrupts& t, const std::string& name, const std::string& amplitude) {
  test::CaseSpec spec;
  spec.sources.clear();
  for (int k = 0; k < 24; ++k)
    spec.sources += std::to_string(250 + 10 * k) + ".0 225.0 0 3.0 0.25 0.0 " + amplitude + "\n";
  spec.config = replace(test::default_config(true, false, 200, 0.005, 0), "combine_sources = yes",
                        "combine_sources = no\ntrace_format = npy, su, segy");
  spec.config = replace(spec.config, "save_images = no", "save_images = yes");
  spec.config = replace(
      spec.config, "output = output\noutput_traces = output\n",
      "output = " + (t.root / "out").string() + "\noutput_traces = " + (t.root / "out").string() + "\n");
  return test::write_case(t.root / name, spec);
}

// A signal while the outputs are being written (after the time loop): the staged files are removed,
// the earlier output stays byte-identical and no temporary is left.
void expect_interrupted_writing_keeps_old_output(CliInterrupts& t, int signal_number,
                                                 const std::string& signal_text) {
  const fs::path out = t.root / "out";
  const auto first = test::run_cli({"run", writing_case(t, "earlier", "1.0e10").string()});
  ASSERT_EQ(first.exit_code, 0) << first.output;
  const auto before = contents_under(out);
  ASSERT_EQ(before.size(), 24u * 4 + 2) << names(before);  // + the vs and rho pictures
  const auto delay = random_delay(0, 40);
  const auto r = run_and_signal_when(
      writing_case(t, "later", "2.0e10"), signal_number, [&] { return holds_staged_trace(out); }, delay,
      t.root / "log.txt");
  SCOPED_TRACE("signal " + std::to_string(delay.count()) + " ms after the first staged trace appeared");
  EXPECT_EQ(r.exit_code, 128 + signal_number) << r.output;
  // Stopped before its next file (of 96, written over about 0.5 s), not after writing them all.
  EXPECT_TRUE(
      contains(r.output, "interrupted by " + signal_text + " during the forward run, while writing uy_"))
      << r.output;
  const auto after = contents_under(out);
  EXPECT_EQ(names(after), names(before));
  EXPECT_TRUE(after == before) << "the earlier output changed";
}

TEST_F(CliInterrupts, SigtermWhileWritingKeepsTheEarlierOutput) {
  expect_interrupted_writing_keeps_old_output(*this, SIGTERM, "SIGTERM");
}

TEST_F(CliInterrupts, SigintWhileWritingKeepsTheEarlierOutput) {
  expect_interrupted_writing_keeps_old_output(*this, SIGINT, "SIGINT");
}

TEST_F(CliInterrupts, SighupWhileWritingKeepsTheEarlierOutput) {
  expect_interrupted_writing_keeps_old_output(*this, SIGHUP, "SIGHUP");
}

// SIGKILL cannot be caught: a run killed while writing leaves its temporaries, which the next run into
// the folder removes (its journal says no commit began), before it writes the same files again.
TEST_F(CliInterrupts, SigkillWhileWritingIsCleanedUpByTheNextRun) {
  const fs::path out = root / "out", earlier = writing_case(*this, "earlier", "1.0e10");
  const auto first = test::run_cli({"run", earlier.string()});
  ASSERT_EQ(first.exit_code, 0) << first.output;
  const auto before = contents_under(out);
  const auto delay = random_delay(0, 40);
  const auto r = run_and_signal_when(
      writing_case(*this, "later", "2.0e10"), SIGKILL, [&] { return holds_staged_trace(out); }, delay,
      root / "log.txt");
  SCOPED_TRACE("SIGKILL " + std::to_string(delay.count()) + " ms after the first staged trace appeared");
  EXPECT_EQ(r.exit_code, 128 + SIGKILL) << r.output;
  EXPECT_TRUE(holds_staged_trace(out)) << "the killed run left no temporary: was it killed while writing?";
  const auto again = test::run_cli({"run", earlier.string()});
  ASSERT_EQ(again.exit_code, 0) << again.output;
  EXPECT_TRUE(contains(again.output, "cleaned up after 1 earlier run killed in " + out.string()))
      << again.output;
  const auto after = contents_under(out);
  EXPECT_EQ(names(after), names(before));
  EXPECT_TRUE(after == before) << "the earlier output changed";
}

// The adjoint run (states on disk, in the output folder) likewise; its states file is never left.
TEST_F(CliInterrupts, SigtermStopsAnAdjointRunAndLeavesNoStatesFile) {
  const std::string adjoint = "adjoint_storage = disk\n";
  fs::path good = forward_case("good", 200), slow = forward_case("slow", 400000, adjoint);
  {
    std::string config = slurp(slow / "config.ini");
    config = replace(config, "mode = forward", "mode = adjoint");
    config += "model_init = model\n";
    std::ofstream(slow / "config.ini") << config;
  }
  expect_interrupt_keeps_old_output(*this, good, slow, SIGTERM, "SIGTERM");
}

// A closed log pipe (`seiswg run ... | head`) does not kill a run: SIGPIPE is ignored, and so are the
// write errors on the log.
TEST_F(CliInterrupts, ClosedLogPipeDoesNotKillTheRun) {
  const fs::path dir = forward_case("case", 200);
  int ends[2];
  ASSERT_EQ(::pipe(ends), 0);
  ::close(ends[0]);  // nobody reads: every write to the log fails with EPIPE
  const pid_t pid = ::fork();
  if (pid == 0) {
    ::signal(SIGPIPE, SIG_DFL);  // as a shell starts it: the run itself must ignore SIGPIPE
    ::dup2(ends[1], 1);
    ::dup2(ends[1], 2);
    ::execl(SEISWG_CLI, SEISWG_CLI, "run", dir.c_str(), static_cast<char*>(nullptr));
    ::_exit(127);
  }
  ::close(ends[1]);
  int status = 0;
  ::waitpid(pid, &status, 0);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0)
      << (WIFSIGNALED(status) ? "killed by signal " + std::to_string(WTERMSIG(status))
                              : "exit status " + std::to_string(WEXITSTATUS(status)));
  EXPECT_TRUE(fs::exists(root / "out" / "uy_000000.npy"));
}

// A source so strong that the run overflows after some snapshots were written.
fs::path unstable_case(CliInterrupts& t, const std::string& name) {
  fs::path dir = t.forward_case(name, 200);
  std::ofstream(dir / "sources.dat") << "375.0 225.0 0 4.0 0.25 0.0 3.0e38\n";
  return dir;
}

TEST_F(CliInterrupts, FailedRunOverEarlierOutputLeavesItUnchanged) {
  const auto first = test::run_cli({"run", forward_case("good", 200).string()});
  ASSERT_EQ(first.exit_code, 0) << first.output;
  const auto before = contents_under(root / "out");
  ASSERT_GT(before.size(), 2u);
  const auto r = test::run_cli({"run", unstable_case(*this, "unstable").string()});
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_TRUE(contains(r.output, "became unstable")) << r.output;
  const auto after = contents_under(root / "out");
  EXPECT_EQ(names(after), names(before));
  EXPECT_TRUE(after == before) << "the earlier output changed";
}

// Two runs into one folder at once, one of them failing: the good run's files are all there.
TEST_F(CliInterrupts, AFailingRunNeverDeletesAnotherRunsFiles) {
  const fs::path good = forward_case("good", 400), bad = unstable_case(*this, "unstable");
  const auto solo = test::run_cli({"run", good.string()});
  ASSERT_EQ(solo.exit_code, 0) << solo.output;
  const auto expected = contents_under(root / "out");
  fs::remove_all(root / "out");
  for (int attempt = 0; attempt < 2; ++attempt) {
    test::CliResult rg, rb;
    std::thread failing([&] { rb = test::run_cli({"run", bad.string()}); });
    rg = test::run_cli({"run", good.string()});
    failing.join();
    EXPECT_EQ(rg.exit_code, 0) << rg.output;
    EXPECT_EQ(rb.exit_code, 1) << rb.output;
    const auto after = contents_under(root / "out");
    EXPECT_EQ(names(after), names(expected));
    EXPECT_TRUE(after == expected);
  }
}

// `output` = the model folder with save_coordinates = yes would replace the model's x and z: refused
// before any work, naming both files; the model stays as it was.
TEST_F(CliInterrupts, OutputOverTheModelIsRefused) {
  test::CaseSpec spec;
  spec.config =
      replace(test::default_config(), "save_images = no", "save_images = no\nsave_coordinates = yes");
  spec.config = replace(spec.config, "output = output\noutput_traces = output\n",
                        "output = model\noutput_traces = traces\n");
  const fs::path dir = test::write_case(root / "case", spec);
  const auto before = contents_under(dir);
  const auto r = test::run_cli({"run", dir.string()});
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_TRUE(contains(r.output, "would write " + (dir / "model" / "proc000000_x.bin").string())) << r.output;
  EXPECT_TRUE(contains(r.output, "its input " + (dir / "model" / "proc000000_x.bin").string())) << r.output;
  EXPECT_TRUE(contents_under(dir) == before);
}

// A stations file that has the name of a trace the run writes into the same folder is refused.
TEST_F(CliInterrupts, OutputOverTheStationsFileIsRefused) {
  test::CaseSpec spec;
  spec.config = replace(test::default_config(), "stations = stations.dat", "stations = uy_000000.npy");
  spec.config =
      replace(spec.config, "output = output\noutput_traces = output\n", "output = .\noutput_traces = .\n");
  const fs::path dir = test::write_case(root / "case", spec);
  fs::rename(dir / "stations.dat", dir / "uy_000000.npy");
  const auto before = contents_under(dir);
  const auto r = test::run_cli({"run", dir.string()});
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_TRUE(contains(r.output, "its input " + (dir / "uy_000000.npy").string())) << r.output;
  EXPECT_TRUE(contents_under(dir) == before);
}

}  // namespace
}  // namespace seiswg
