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

bool same_file(const fs::path& a, const fs::path& b) {
  std::error_code ec;
  if (fs::exists(a, ec) && fs::exists(b, ec)) return fs::equivalent(a, b, ec) && !ec;
  const fs::path ca = fs::weakly_canonical(fs::absolute(a, ec), ec);
  const fs::path cb = fs::weakly_canonical(fs::absolute(b, ec), ec);
  return ca == cb;
}

OutputSet::OutputSet(OutputSet&& other) noexcept
    : staged_(std::move(other.staged_)),
      installed_(std::move(other.installed_)),
      protected_(std::move(other.protected_)),
      committed_(other.committed_) {
  other.staged_.clear();
  other.installed_.clear();
  other.committed_ = true;
}

OutputSet& OutputSet::operator=(OutputSet&& other) noexcept {
  if (this != &other) {
    if (!committed_) restore(), rollback();
    staged_ = std::move(other.staged_);
    installed_ = std::move(other.installed_);
    protected_ = std::move(other.protected_);
    committed_ = other.committed_;
    other.staged_.clear();
    other.installed_.clear();
    other.committed_ = true;
  }
  return *this;
}

OutputSet::~OutputSet() {
  if (!committed_) restore(), rollback();
}

void OutputSet::protect(const std::vector<fs::path>& inputs) {
  protected_.insert(protected_.end(), inputs.begin(), inputs.end());
}

fs::path OutputSet::stage(const fs::path& final_path) {
  for (const Staged& s : staged_)
    if (s.final_path == final_path) return s.temporary;
  for (const fs::path& input : protected_)
    if (same_file(input, final_path))
      throw InputError("the output " + final_path.string() + " would overwrite the input " + input.string() +
                       " of this run; choose another output folder");
  prepare_folder(final_path);
  committed_ = false;
  staged_.push_back({final_path, temp_name_for(final_path)});
  return staged_.back().temporary;
}

void OutputSet::commit() {
  install();
  keep();
}

namespace {

// Keeps the file at `path` (if any) under a new name beside it: a hard link, so that `path` itself stays
// in place until it is replaced; a copy where the file system has no hard links. Returns "" when there
// is no file at `path`.
fs::path back_up(const fs::path& path) {
  std::error_code ec;
  if (!fs::exists(fs::symlink_status(path, ec))) return {};
  if (fs::is_directory(fs::symlink_status(path, ec))) fail(path, EISDIR);  // rename would fail too
  const fs::path backup = temp_name_for(path);
  if (::link(path.c_str(), backup.c_str()) == 0) return backup;
  const int err = errno;
  if (!fs::is_regular_file(path, ec) || !fs::copy_file(path, backup, ec)) fail(path, err);
  return backup;
}

}  // namespace

void OutputSet::install() {
  // Renames in one folder of one file system: each is atomic and they cannot run out of space.
  for (std::size_t k = 0; k < staged_.size(); ++k) {
    const Staged& s = staged_[k];
    std::error_code ec;
    if (!fs::exists(s.temporary, ec)) continue;
    try {
      const fs::path backup = back_up(s.final_path);
      if (std::rename(s.temporary.c_str(), s.final_path.c_str()) != 0) {
        const int err = errno;
        if (!backup.empty()) fs::remove(backup, ec);
        fail(s.final_path, err);
      }
      installed_.push_back({s.final_path, backup});
    } catch (...) {
      restore();
      rollback();
      throw;
    }
  }
  committed_ = false;
}

void OutputSet::keep() {
  for (const Installed& f : installed_) {
    std::error_code ec;
    if (!f.backup.empty()) fs::remove(f.backup, ec);
  }
  installed_.clear();
  committed_ = true;
}

void OutputSet::restore() {
  for (auto f = installed_.rbegin(); f != installed_.rend(); ++f) {
    std::error_code ec;
    if (f->backup.empty())
      fs::remove(f->final_path, ec);
    else
      fs::rename(f->backup, f->final_path, ec);
  }
  installed_.clear();
}

void OutputSet::rollback() {
  for (const Staged& s : staged_) {
    std::error_code ec;
    fs::remove(s.temporary, ec);  // best effort: a temporary never written is fine
  }
  staged_.clear();
}

std::vector<fs::path> OutputSet::files() const {
  std::vector<fs::path> out;
  for (const Staged& s : staged_) out.push_back(s.final_path);
  return out;
}

}  // namespace seiswg::io
