#include "io/atomic_file.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <string>
#include <system_error>

#include "io/error.hpp"

namespace seiswg::io {
namespace fs = std::filesystem;

namespace {

[[noreturn]] void fail(const fs::path& path, int err) {
  throw InputError("cannot write " + path.string() + ": " + std::strerror(err));
}

// A name for the temporary file that no other writer (thread or process) uses at the same time.
fs::path temp_name_for(const fs::path& path) {
  static std::atomic<unsigned long> counter{0};
  const unsigned long n = counter.fetch_add(1);
  std::string name = "." + path.filename().string() + "." + std::to_string(static_cast<long>(::getpid())) +
                     "." + std::to_string(n) + ".tmp";
  return path.parent_path() / name;
}

// Creates the folder of `path` (a file name) and checks that it is one.
void prepare_folder(const fs::path& path) {
  if (path.empty() || !path.has_filename()) {
    throw InputError("cannot write \"" + path.string() + "\": not a file name");
  }
  const fs::path dir = path.parent_path();
  if (!dir.empty()) {
    std::error_code ec;
    fs::create_directories(dir, ec);
    if (ec) {
      throw InputError("cannot write " + path.string() + ": cannot create folder " + dir.string() + ": " +
                       ec.message());
    }
    if (!fs::is_directory(dir, ec)) {
      throw InputError("cannot write " + path.string() + ": " + dir.string() + " is not a folder");
    }
  }
}

void rename_into_place(const fs::path& tmp, const fs::path& path) {
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {
    const int err = errno;
    ::unlink(tmp.c_str());
    fail(path, err);
  }
}

}  // namespace

void write_file_atomic_with(const fs::path& path,
                            const std::function<void(const fs::path& temporary)>& write) {
  prepare_folder(path);
  const fs::path tmp = temp_name_for(path);
  try {
    write(tmp);
  } catch (...) {
    std::error_code ec;
    fs::remove(tmp, ec);
    throw;
  }
  rename_into_place(tmp, path);
}

void write_file_atomic(const fs::path& path, std::span<const std::byte> bytes) {
  prepare_folder(path);
  const fs::path tmp = temp_name_for(path);
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
  if (fd < 0) fail(path, errno);

  const std::byte* p = bytes.data();
  std::size_t left = bytes.size();
  while (left > 0) {
    const ssize_t n = ::write(fd, p, std::min<std::size_t>(left, std::size_t{1} << 30));
    if (n < 0) {
      if (errno == EINTR) continue;
      const int err = errno;
      ::close(fd);
      ::unlink(tmp.c_str());
      fail(path, err);
    }
    p += n;
    left -= static_cast<std::size_t>(n);
  }
  if (::close(fd) != 0) {
    const int err = errno;
    ::unlink(tmp.c_str());
    fail(path, err);
  }
  rename_into_place(tmp, path);
}

OutputSet::OutputSet(OutputSet&& other) noexcept
    : files_(std::move(other.files_)), committed_(other.committed_) {
  other.files_.clear();
  other.committed_ = true;
}

OutputSet& OutputSet::operator=(OutputSet&& other) noexcept {
  if (this != &other) {
    if (!committed_) rollback();
    files_ = std::move(other.files_);
    committed_ = other.committed_;
    other.files_.clear();
    other.committed_ = true;
  }
  return *this;
}

OutputSet::~OutputSet() {
  if (!committed_) rollback();
}

void OutputSet::add(fs::path p) {
  if (std::find(files_.begin(), files_.end(), p) == files_.end()) files_.push_back(std::move(p));
}

void OutputSet::commit() { committed_ = true; }

void OutputSet::rollback() {
  for (const fs::path& p : files_) {
    std::error_code ec;
    fs::remove(p, ec);  // best effort: a file that is already gone is fine
  }
  files_.clear();
}

}  // namespace seiswg::io
