#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
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

TEST(IoAtomic, OutputSetInstallThenRestoreOrKeep) {
  TempDir tmp;
  const fs::path replaced = tmp.path / "a.npy", added = tmp.path / "c.npy";
  write_file_atomic(replaced, as_bytes(std::string("old")));
  {
    OutputSet outputs;
    write_file_atomic(outputs.stage(replaced), as_bytes(std::string("new")));
    write_file_atomic(outputs.stage(added), as_bytes(std::string("c")));
    outputs.install();
    EXPECT_EQ(slurp(replaced), "new");  // in place, as the other processes' files may be
    EXPECT_EQ(slurp(added), "c");
    outputs.restore();
    EXPECT_EQ(slurp(replaced), "old");
    EXPECT_EQ(files_in(tmp.path), std::vector<fs::path>{replaced});
  }
  {
    OutputSet outputs;
    write_file_atomic(outputs.stage(replaced), as_bytes(std::string("new")));
    outputs.install();
  }  // installed but never kept: the destructor restores
  EXPECT_EQ(slurp(replaced), "old");
  EXPECT_EQ(files_in(tmp.path), std::vector<fs::path>{replaced});
  {
    OutputSet outputs;
    write_file_atomic(outputs.stage(replaced), as_bytes(std::string("new")));
    write_file_atomic(outputs.stage(added), as_bytes(std::string("c")));
    outputs.install();
    outputs.keep();
  }
  EXPECT_EQ(slurp(replaced), "new");
  EXPECT_EQ(files_in(tmp.path), (std::vector<fs::path>{replaced, added}));  // no backup left
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
