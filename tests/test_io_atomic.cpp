#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <random>
#include <string>

#include "io/atomic_file.hpp"
#include "io/error.hpp"

namespace {
namespace fs = std::filesystem;
using seiswg::InputError;
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

TEST(IoAtomic, OutputSetRollbackDeletesRecordedFiles) {
  TempDir tmp;
  const fs::path a = tmp.path / "a.npy", b = tmp.path / "sub" / "b.png", keep = tmp.path / "keep.txt";
  OutputSet outputs;
  for (const fs::path& p : {a, b, keep}) write_file_atomic(p, as_bytes(std::string("x")));
  outputs.add(a);
  outputs.add(b);
  outputs.add(a);  // recorded once
  EXPECT_EQ(outputs.size(), 2u);
  outputs.rollback();
  EXPECT_FALSE(fs::exists(a));
  EXPECT_FALSE(fs::exists(b));
  EXPECT_TRUE(fs::exists(keep));
  EXPECT_EQ(outputs.size(), 0u);
}

TEST(IoAtomic, OutputSetDestructorDeletesUnlessCommitted) {
  TempDir tmp;
  const fs::path failed = tmp.path / "failed.bin", done = tmp.path / "done.bin";
  {
    OutputSet outputs;
    write_file_atomic(failed, as_bytes(std::string("1")));
    outputs.add(failed);
    outputs.add(tmp.path / "never_written.bin");  // a missing file does not disturb the rollback
  }
  EXPECT_FALSE(fs::exists(failed));
  {
    OutputSet outputs;
    write_file_atomic(done, as_bytes(std::string("2")));
    outputs.add(done);
    outputs.commit();
    EXPECT_EQ(outputs.size(), 1u);
  }
  EXPECT_TRUE(fs::exists(done));
  EXPECT_EQ(slurp(done), "2");
}

TEST(IoAtomic, OutputSetMoveTransfersOwnership) {
  TempDir tmp;
  const fs::path f = tmp.path / "moved.bin";
  write_file_atomic(f, as_bytes(std::string("m")));
  OutputSet outer;
  {
    OutputSet inner;
    inner.add(f);
    outer = std::move(inner);
  }  // the moved-from set deletes nothing
  EXPECT_TRUE(fs::exists(f));
  EXPECT_EQ(outer.size(), 1u);
  outer.rollback();
  EXPECT_FALSE(fs::exists(f));
}

}  // namespace
