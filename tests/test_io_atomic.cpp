#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <csignal>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <random>
#include <string>
#include <vector>

#include "io/atomic_file.hpp"
#include "io/error.hpp"

namespace {
namespace fs = std::filesystem;
using seiswg::InputError;
using seiswg::io::finish_interrupted_commits;
using seiswg::io::OutputSet;
using seiswg::io::write_file_atomic;

struct TempDir {
  fs::path path;
  TempDir() {
    std::random_device rd;
    path = fs::temp_directory_path() / ("seiswg_io_atomic_" + std::to_string(rd()) + std::to_string(rd()));
    fs::create_directories(path);
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
};

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

std::span<const std::byte> as_bytes(const std::string& s) {
  return std::as_bytes(std::span(s.data(), s.size()));
}

TEST(IoAtomic, WritesExactBytesIntoNewFoldersWithoutLeftovers) {
  TempDir tmp;
  const fs::path file = tmp.path / "a" / "b" / "out.bin";
  const std::string content("hello\0world\n", 12);
  write_file_atomic(file, as_bytes(content));
  EXPECT_EQ(slurp(file), content);
  // Only the final file is left in the folder: the temporary was renamed, not copied.
  int entries = 0;
  for (const auto& e : fs::directory_iterator(file.parent_path())) {
    ++entries;
    EXPECT_EQ(e.path().filename(), "out.bin");
  }
  EXPECT_EQ(entries, 1);
}

TEST(IoAtomic, ReplacesAnExistingFile) {
  TempDir tmp;
  const fs::path file = tmp.path / "f.txt";
  write_file_atomic(file, as_bytes(std::string("a much longer first version")));
  write_file_atomic(file, as_bytes(std::string("v2")));
  EXPECT_EQ(slurp(file), "v2");
  EXPECT_EQ(fs::file_size(file), 2u);
}

TEST(IoAtomic, EmptyContentGivesEmptyFile) {
  TempDir tmp;
  const fs::path file = tmp.path / "empty.bin";
  write_file_atomic(file, {});
  ASSERT_TRUE(fs::exists(file));
  EXPECT_EQ(fs::file_size(file), 0u);
}

TEST(IoAtomic, FolderThatIsAFileIsAnInputErrorNamingThePath) {
  TempDir tmp;
  const fs::path blocker = tmp.path / "blocker";
  write_file_atomic(blocker, as_bytes(std::string("x")));
  const fs::path file = blocker / "sub" / "out.bin";
  try {
    write_file_atomic(file, as_bytes(std::string("data")));
    FAIL() << "expected InputError";
  } catch (const InputError& e) {
    const std::string msg = e.what();
    EXPECT_NE(msg.find("cannot write " + file.string()), std::string::npos) << msg;
  }
}

TEST(IoAtomic, TargetIsAFolderIsAnInputError) {
  TempDir tmp;
  fs::create_directories(tmp.path / "dir");
  try {
    write_file_atomic(tmp.path / "dir", as_bytes(std::string("data")));
    FAIL() << "expected InputError";
  } catch (const InputError& e) {
    const std::string msg = e.what();
    EXPECT_NE(msg.find("cannot write " + (tmp.path / "dir").string() + ": "), std::string::npos) << msg;
    EXPECT_NE(msg.find("directory"), std::string::npos) << msg;  // strerror(EISDIR)
  }
  EXPECT_TRUE(fs::is_directory(tmp.path / "dir"));
  // The temporary file was cleaned up.
  int entries = 0;
  for ([[maybe_unused]] const auto& e : fs::directory_iterator(tmp.path)) ++entries;
  EXPECT_EQ(entries, 1);
}

// A failed run's rollback removes only its own temporaries: the files an earlier run left, even those
// this run was about to replace, stay as they were.
TEST(IoAtomic, OutputSetRollbackKeepsEarlierFiles) {
  TempDir tmp;
  const fs::path old_file = tmp.path / "a.npy", fresh = tmp.path / "sub" / "b.png";
  write_file_atomic(old_file, as_bytes(std::string("old")));
  OutputSet outputs;
  const fs::path staged = outputs.stage(old_file);
  EXPECT_EQ(outputs.stage(old_file), staged);  // recorded once
  EXPECT_EQ(staged.parent_path(), tmp.path);
  write_file_atomic(staged, as_bytes(std::string("new")));
  write_file_atomic(outputs.stage(fresh), as_bytes(std::string("b")));
  EXPECT_EQ(outputs.size(), 2u);
  EXPECT_EQ(slurp(old_file), "old");  // nothing is visible before the commit
  EXPECT_FALSE(fs::exists(fresh));
  outputs.rollback();
  EXPECT_EQ(slurp(old_file), "old");
  EXPECT_FALSE(fs::exists(fresh));
  EXPECT_EQ(outputs.size(), 0u);
  std::vector<fs::path> left;
  for (const auto& e : fs::recursive_directory_iterator(tmp.path))
    if (e.is_regular_file()) left.push_back(e.path());
  EXPECT_EQ(left, std::vector<fs::path>{old_file});
}

TEST(IoAtomic, OutputSetCommitsEverythingTogether) {
  TempDir tmp;
  const fs::path failed = tmp.path / "failed.bin", done = tmp.path / "done.bin";
  write_file_atomic(done, as_bytes(std::string("old")));
  {
    OutputSet outputs;
    write_file_atomic(outputs.stage(failed), as_bytes(std::string("1")));
    outputs.stage(tmp.path / "never_written.bin");  // a temporary never written does not disturb
  }
  EXPECT_FALSE(fs::exists(failed));
  {
    OutputSet outputs;
    write_file_atomic(outputs.stage(done), as_bytes(std::string("2")));
    write_file_atomic(outputs.stage(failed), as_bytes(std::string("3")));
    outputs.stage(tmp.path / "never_written.bin");
    outputs.commit();
    EXPECT_EQ(outputs.size(), 3u);
  }
  EXPECT_EQ(slurp(done), "2");
  EXPECT_EQ(slurp(failed), "3");
  EXPECT_FALSE(fs::exists(tmp.path / "never_written.bin"));
  std::size_t files = 0;
  for (const auto& e : fs::directory_iterator(tmp.path)) files += e.is_regular_file() ? 1 : 0;
  EXPECT_EQ(files, 2u);  // no temporary left
}

// The regular files directly in dir, sorted.
std::vector<fs::path> files_in(const fs::path& dir) {
  std::vector<fs::path> out;
  for (const auto& e : fs::directory_iterator(dir))
    if (e.is_regular_file()) out.push_back(e.path());
  std::sort(out.begin(), out.end());
  return out;
}

TEST(IoAtomic, OutputSetCommitThatFailsHalfwayPutsBackTheFilesItReplaced) {
  TempDir tmp;
  const fs::path replaced = tmp.path / "a.npy", blocked = tmp.path / "b.npy";
  write_file_atomic(replaced, as_bytes(std::string("old")));
  fs::create_directory(blocked);  // b's rename must fail, after a's succeeded
  OutputSet outputs;
  write_file_atomic(outputs.stage(replaced), as_bytes(std::string("new")));
  write_file_atomic(outputs.stage(blocked), as_bytes(std::string("b")));
  try {
    outputs.commit();
    FAIL() << "no error";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("cannot write " + blocked.string()), std::string::npos) << e.what();
  }
  EXPECT_EQ(slurp(replaced), "old");
  EXPECT_EQ(files_in(tmp.path), std::vector<fs::path>{replaced});  // no temporary or backup left
}

// A shared commit in one process that is its own coordinator: install() puts the new files in place,
// restore() brings back the earlier ones, keep() keeps the new ones; an install left without either
// (the destructor) is settled by the next finish_interrupted_commits as undecided: the earlier files.
TEST(IoAtomic, SharedCommitInstallThenRestoreOrKeep) {
  TempDir tmp;
  const fs::path replaced = tmp.path / "a.npy", added = tmp.path / "c.npy";
  write_file_atomic(replaced, as_bytes(std::string("old")));
  {
    OutputSet outputs;
    write_file_atomic(outputs.stage(replaced), as_bytes(std::string("new")));
    write_file_atomic(outputs.stage(added), as_bytes(std::string("c")));
    const OutputSet::Shared shared{outputs.coordinate({tmp.path}), {tmp.path}};
    outputs.install(shared);
    EXPECT_TRUE(outputs.in_doubt());
    EXPECT_EQ(slurp(replaced), "new");  // in place, as the other processes' files may be
    EXPECT_EQ(slurp(added), "c");
    outputs.restore();
    EXPECT_EQ(slurp(replaced), "old");
    EXPECT_EQ(files_in(tmp.path), std::vector<fs::path>{replaced});
  }
  {
    OutputSet outputs;
    write_file_atomic(outputs.stage(replaced), as_bytes(std::string("new")));
    outputs.install({outputs.coordinate({tmp.path}), {tmp.path}});
  }  // installed, neither kept nor restored: in doubt, left to the journals
  EXPECT_EQ(slurp(replaced), "new");
  EXPECT_EQ(finish_interrupted_commits(tmp.path), 1u);
  EXPECT_EQ(slurp(replaced), "old");
  EXPECT_EQ(files_in(tmp.path), std::vector<fs::path>{replaced});
  {
    OutputSet outputs;
    write_file_atomic(outputs.stage(replaced), as_bytes(std::string("new")));
    write_file_atomic(outputs.stage(added), as_bytes(std::string("c")));
    outputs.install({outputs.coordinate({tmp.path}), {tmp.path}});
    outputs.decide();
    outputs.keep();
    EXPECT_FALSE(outputs.in_doubt());
  }
  EXPECT_EQ(slurp(replaced), "new");
  EXPECT_EQ(files_in(tmp.path), (std::vector<fs::path>{replaced, added}));  // no backup or journal left
  OutputSet outside;
  write_file_atomic(outside.stage(tmp.path / "sub" / "d.npy"), as_bytes(std::string("d")));
  EXPECT_THROW(outside.install({"x", {tmp.path}}), std::logic_error);
}

TEST(IoAtomic, OutputSetRefusesToWriteOverAnInput) {
  TempDir tmp;
  const fs::path input = tmp.path / "model" / "proc000000_x.bin";
  write_file_atomic(input, as_bytes(std::string("x")));
  OutputSet outputs;
  outputs.protect({input});
  try {
    outputs.stage(tmp.path / "model" / ".." / "model" / "proc000000_x.bin");
    FAIL() << "no error";
  } catch (const seiswg::InputError& e) {
    EXPECT_NE(std::string(e.what()).find("would overwrite the input " + input.string()), std::string::npos)
        << e.what();
  }
  EXPECT_EQ(slurp(input), "x");
}

TEST(IoAtomic, OutputSetMoveTransfersOwnership) {
  TempDir tmp;
  const fs::path f = tmp.path / "moved.bin";
  OutputSet outer;
  fs::path staged;
  {
    OutputSet inner;
    staged = inner.stage(f);
    write_file_atomic(staged, as_bytes(std::string("m")));
    outer = std::move(inner);
  }  // the moved-from set deletes nothing
  EXPECT_TRUE(fs::exists(staged));
  EXPECT_EQ(outer.size(), 1u);
  outer.rollback();
  EXPECT_FALSE(fs::exists(staged));
  EXPECT_FALSE(fs::exists(f));
}

// Three outputs in two folders (a.npy, b.npy and kernels/k.bin), each an earlier file to replace; a
// process stages and writes the new ones and is killed (SIGKILL) at one moment: before its commit
// (stop = -1) or before each step of it (two journal decisions, then three renames). The next run's
// finish_interrupted_commits, in either folder first, leaves every earlier file or every new one (new
// exactly when the decision reached both folders), and no temporary or journal.
TEST(IoAtomic, CommitKilledAtAnyMomentIsFinishedOrUndoneByTheNextRun) {
  for (int stop = -1;; ++stop) {
    TempDir tmp;
    const fs::path kernels = tmp.path / "kernels";
    const std::vector<fs::path> files = {tmp.path / "a.npy", tmp.path / "b.npy", kernels / "k.bin"};
    for (const auto& f : files) write_file_atomic(f, as_bytes("old " + f.filename().string()));
    const pid_t pid = ::fork();
    if (pid == 0) {
      OutputSet outputs;
      for (const auto& f : files)
        write_file_atomic(outputs.stage(f), as_bytes("new " + f.filename().string()));
      if (stop < 0) ::raise(SIGKILL);
      int step = 0;
      outputs.observe_commit([&](const std::string&) {
        if (step++ == stop) ::raise(SIGKILL);
      });
      outputs.commit();
      ::_exit(0);
    }
    int status = 0;
    ASSERT_EQ(::waitpid(pid, &status, 0), pid);
    const bool killed = WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL;
    SCOPED_TRACE("killed before step " + std::to_string(stop) + " of the commit");
    if (killed) {
      const fs::path first = stop % 2 == 0 ? tmp.path : kernels, second = stop % 2 == 0 ? kernels : tmp.path;
      EXPECT_EQ(finish_interrupted_commits(first), 1u);
      finish_interrupted_commits(second);
    } else {
      EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
      EXPECT_EQ(stop, 5);  // the process outlives the commit's 5 steps
    }
    bool all_old = true, all_new = true;
    for (const auto& f : files) {
      all_old = all_old && slurp(f) == "old " + f.filename().string();
      all_new = all_new && slurp(f) == "new " + f.filename().string();
    }
    EXPECT_EQ(all_new, stop >= 2);
    EXPECT_EQ(all_old, stop < 2);
    std::vector<fs::path> left;
    for (const auto& e : fs::recursive_directory_iterator(tmp.path))
      if (e.is_regular_file()) left.push_back(e.path());
    std::sort(left.begin(), left.end());
    EXPECT_EQ(left, files);
    if (!killed) break;
  }
}

// Two processes share a commit (A coordinates, B takes part), each replacing files in two folders (B
// adds one that had no earlier file), stepped through the protocol in a job's order: write, write,
// coordinate, install, install, decide, keep, keep. One is killed (SIGKILL) before a phase or before a
// step inside it; the other then ends as a rank that mpirun ends would (its destructor leaves an install
// to the journals), or is killed too. Returns false when the phase ended before `kill_step`. Afterwards
// finish_interrupted_commits, in either folder first, must leave every earlier file or every new one,
// new exactly when A's decision reached one journal, and nothing else (no temporary, backup or journal).
struct SharedPhase {
  int process;  // 0: A, 1: B
  char what;    // w(rite) c(oordinate) i(nstall) d(ecide) k(eep)
};
const std::vector<SharedPhase> kSharedOrder = {{0, 'w'}, {1, 'w'}, {0, 'c'}, {0, 'i'},
                                               {1, 'i'}, {0, 'd'}, {1, 'k'}, {0, 'k'}};
constexpr std::size_t kDecidePhase = 5;

// The child: runs each phase it is sent (the phase's letter, the step to be killed before, and for B's
// install the coordinator's name), answering with 256 bytes (the coordinator's name after 'c').
void shared_commit_child(int in, int out, int p, const std::vector<fs::path>& files,
                         const std::vector<fs::path>& folders) {
  {
    OutputSet outputs;
    int step = 0, stop = -2;
    outputs.observe_commit([&](const std::string&) {
      if (step++ == stop) ::raise(SIGKILL);
    });
    std::string coordinator;
    for (;;) {
      char what = 0;
      if (::read(in, &what, 1) != 1 || what == 'x') break;
      if (::read(in, &stop, sizeof stop) != sizeof stop) break;
      if (what == 'i' && p == 1) {  // the coordinator's name, read before dying: the sender never sees EPIPE
        char name[256] = {};
        if (::read(in, name, sizeof name) != ssize_t(sizeof name)) break;
        coordinator = std::string(name, ::strnlen(name, sizeof name));
      }
      step = 0;
      if (stop == -1) ::raise(SIGKILL);
      std::string reply = "done";
      if (what == 'w') {
        for (const fs::path& f : files)
          write_file_atomic(outputs.stage(f), as_bytes("new " + f.filename().string()));
      } else if (what == 'c') {
        reply = coordinator = outputs.coordinate(folders);
      } else if (what == 'i') {
        outputs.install({coordinator, folders});
      } else if (what == 'd') {
        outputs.decide();
      } else if (what == 'k') {
        outputs.keep();
      }
      reply.resize(256);
      if (::write(out, reply.data(), reply.size()) != ssize_t(reply.size())) break;
    }
  }  // as a rank ended while it waits: the destructor (abandon() when in doubt)
  ::_exit(0);
}

bool shared_commit_scenario(std::size_t kill_phase, int kill_step, bool survivor_killed) {
  TempDir tmp;
  const fs::path kernels = tmp.path / "kernels";
  const std::vector<std::vector<fs::path>> files = {{tmp.path / "a.npy", kernels / "ka.bin"},
                                                    {tmp.path / "b.npy", kernels / "kb.bin"}};
  for (const fs::path& f : {files[0][0], files[0][1], files[1][0]})
    write_file_atomic(f, as_bytes("old " + f.filename().string()));
  const std::vector<fs::path> folders = {tmp.path, kernels};
  int to[2][2], from[2][2];
  pid_t pid[2];
  for (int p = 0; p < 2; ++p) {
    EXPECT_EQ(::pipe(to[p]), 0);
    EXPECT_EQ(::pipe(from[p]), 0);
    pid[p] = ::fork();
    if (pid[p] == 0) {
      ::close(to[p][1]);
      ::close(from[p][0]);
      shared_commit_child(to[p][0], from[p][1], p, files[std::size_t(p)], folders);
    }
    ::close(to[p][0]);
    ::close(from[p][1]);
  }
  std::string coordinator;
  bool killed = false, alive[2] = {true, true};
  for (std::size_t ph = 0; ph < kSharedOrder.size() && !killed; ++ph) {
    const int p = kSharedOrder[ph].process;
    const int stop = ph == kill_phase ? kill_step : -2;
    EXPECT_EQ(::write(to[p][1], &kSharedOrder[ph].what, 1), 1);
    EXPECT_EQ(::write(to[p][1], &stop, sizeof stop), ssize_t(sizeof stop));
    if (kSharedOrder[ph].what == 'i' && p == 1) {
      std::string name = coordinator;
      name.resize(256);
      EXPECT_EQ(::write(to[p][1], name.data(), name.size()), 256);
    }
    char reply[256];
    std::size_t got = 0;
    for (ssize_t n = 1; got < sizeof reply && n > 0; got += std::size_t(std::max<ssize_t>(n, 0)))
      n = ::read(from[p][0], reply + got, sizeof reply - got);
    if (got < sizeof reply) {
      killed = true;
      alive[p] = false;
      int status = 0;
      EXPECT_EQ(::waitpid(pid[p], &status, 0), pid[p]);
      EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
    } else if (kSharedOrder[ph].what == 'c') {
      coordinator = std::string(reply, ::strnlen(reply, sizeof reply));
    }
  }
  for (int p = 0; p < 2; ++p) {
    if (alive[p]) {
      if (killed && survivor_killed) ::kill(pid[p], SIGKILL);
      const char exit_command = 'x';
      (void)!::write(to[p][1], &exit_command, 1);
      int status = 0;
      EXPECT_EQ(::waitpid(pid[p], &status, 0), pid[p]);
    }
    ::close(to[p][1]);
    ::close(from[p][0]);
  }
  if (!killed) return false;
  SCOPED_TRACE("killed " + std::string(kSharedOrder[kill_phase].process == 0 ? "A" : "B") + " at phase " +
               std::to_string(kill_phase) + ", step " + std::to_string(kill_step) +
               (survivor_killed ? ", the other killed too" : ", the other ended"));
  const fs::path first = kill_step % 2 == 0 ? tmp.path : kernels,
                 second = first == tmp.path ? kernels : tmp.path;
  finish_interrupted_commits(first);
  finish_interrupted_commits(second);
  const bool decided = kill_phase > kDecidePhase || (kill_phase == kDecidePhase && kill_step >= 1);
  bool all_old = true, all_new = true;
  for (const auto& set : files)
    for (const fs::path& f : set) {
      const std::string name = f.filename().string();
      all_new = all_new && slurp(f) == "new " + name;
      all_old = all_old && (name == "kb.bin" ? !fs::exists(f) : slurp(f) == "old " + name);
    }
  EXPECT_EQ(all_new, decided);
  EXPECT_EQ(all_old, !decided);
  std::vector<fs::path> left, expected = {files[0][0], files[0][1], files[1][0]};
  if (decided) expected.push_back(files[1][1]);
  for (const auto& e : fs::recursive_directory_iterator(tmp.path))
    if (e.is_regular_file()) left.push_back(e.path());
  std::sort(left.begin(), left.end());
  std::sort(expected.begin(), expected.end());
  EXPECT_EQ(left, expected);
  return true;
}

TEST(IoAtomic, SharedCommitKilledAtAnyMomentIsSettledAsTheCoordinatorDecided) {
  // A command to a process killed meanwhile fails with EPIPE instead of ending the test.
  const auto previous = std::signal(SIGPIPE, SIG_IGN);
  int scenarios = 0;
  for (std::size_t phase = 0; phase < kSharedOrder.size(); ++phase)
    for (int step = -1;; ++step) {
      if (!shared_commit_scenario(phase, step, false)) break;
      ASSERT_TRUE(shared_commit_scenario(phase, step, true));
      scenarios += 2;
    }
  // 8 phases, the installs 2 journals + 2 renames each, the decision 2 journals: 8 + 4 + 4 + 2 kill
  // points, each with the other process ended or killed.
  EXPECT_EQ(scenarios, 36);
  std::signal(SIGPIPE, previous);
}

// While the coordinator lives (its journals locked), another run leaves a killed participant's install
// alone: the coordinator may still decide. Once it has decided and kept, the install is kept.
TEST(IoAtomic, SharedInstallWaitsForItsLiveCoordinator) {
  TempDir tmp;
  const fs::path a = tmp.path / "a.npy", b = tmp.path / "b.npy";
  write_file_atomic(b, as_bytes(std::string("old b")));
  OutputSet coordinator;
  write_file_atomic(coordinator.stage(a), as_bytes(std::string("new a")));
  const OutputSet::Shared shared{coordinator.coordinate({tmp.path}), {tmp.path}};
  const pid_t pid = ::fork();
  if (pid == 0) {
    OutputSet participant;
    write_file_atomic(participant.stage(b), as_bytes(std::string("new b")));
    participant.install(shared);
    ::raise(SIGKILL);
  }
  int status = 0;
  ASSERT_EQ(::waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(WIFSIGNALED(status));
  EXPECT_EQ(finish_interrupted_commits(tmp.path), 0u);
  EXPECT_EQ(slurp(b), "new b");  // in doubt, untouched
  coordinator.install(shared);
  coordinator.decide();
  EXPECT_EQ(finish_interrupted_commits(tmp.path), 1u);  // the participant's install, kept
  coordinator.keep();
  EXPECT_EQ(slurp(a), "new a");
  EXPECT_EQ(slurp(b), "new b");
  EXPECT_EQ(files_in(tmp.path), (std::vector<fs::path>{a, b}));
}

// A live run's journal is locked: another run's clean-up leaves its temporaries and journal alone.
TEST(IoAtomic, CleanUpLeavesALiveRunsFilesAlone) {
  TempDir tmp;
  OutputSet outputs;
  const fs::path staged = outputs.stage(tmp.path / "a.npy");
  write_file_atomic(staged, as_bytes(std::string("new")));
  EXPECT_EQ(finish_interrupted_commits(tmp.path), 0u);
  EXPECT_TRUE(fs::exists(staged));
  outputs.commit();
  EXPECT_EQ(slurp(tmp.path / "a.npy"), "new");
}

}  // namespace
