#include "app/state_file.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <random>

#include "io/error.hpp"

namespace seiswg::app {
namespace {

namespace fs = std::filesystem;

// Creates a new file with a unique name in `folder` (read-write, owner only); -1 and errno on failure.
int create_unique_file(const fs::path& folder, fs::path& path) {
  std::random_device random;
  for (int attempt = 0; attempt < 64; ++attempt) {
    char name[80];
    std::snprintf(name, sizeof name, "seiswg-forward-states-%ld-%08x.tmp", long(::getpid()),
                  unsigned(random()));
    path = folder / name;
    const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd >= 0 || errno != EEXIST) return fd;
  }
  return -1;
}

// The disk mode's file of forward states: created in a folder, removed by the destructor (also when
// the run fails).
class TemporaryFile final : public solver::StateFile {
 public:
  explicit TemporaryFile(const fs::path& folder) {
    fd_ = create_unique_file(folder, path_);
    if (fd_ < 0)
      throw InputError("[solver] adjoint_disk_path: cannot create a temporary file in " + folder.string() +
                       ": " + std::strerror(errno));
    // Unlinked at once: the open descriptor keeps the data, and the space comes back when the process
    // ends however it ends (a crash or SIGKILL included), so no states file of gigabytes is ever left.
    ::unlink(path_.c_str());
  }
  ~TemporaryFile() { ::close(fd_); }
  TemporaryFile(const TemporaryFile&) = delete;
  TemporaryFile& operator=(const TemporaryFile&) = delete;
  std::filesystem::path path() const override { return path_; }

  void write(std::uint64_t offset, const void* data, std::size_t bytes) override {
    const auto* p = static_cast<const char*>(data);
    while (bytes > 0) {
      const ssize_t n = ::pwrite(fd_, p, std::min<std::size_t>(bytes, 1u << 30), off_t(offset));
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) fail("writing forward states to");
      p += n, offset += std::uint64_t(n), bytes -= std::size_t(n);
    }
  }
  void read(std::uint64_t offset, void* data, std::size_t bytes) override {
    auto* p = static_cast<char*>(data);
    while (bytes > 0) {
      const ssize_t n = ::pread(fd_, p, std::min<std::size_t>(bytes, 1u << 30), off_t(offset));
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) fail("reading forward states from");
      if (n == 0)
        throw std::runtime_error("reading forward states from " + path_.string() + ": file too short");
      p += n, offset += std::uint64_t(n), bytes -= std::size_t(n);
    }
  }

 private:
  [[noreturn]] void fail(const char* what) const {
    throw std::runtime_error(std::string(what) + " " + path_.string() + ": " + std::strerror(errno));
  }
  fs::path path_;
  int fd_ = -1;
};

}  // namespace

solver::StateFileFactory temporary_state_files(const std::filesystem::path& folder) {
  return [folder]() -> std::unique_ptr<solver::StateFile> {
    // The default folder is the output folder, made only when a run stores states there.
    std::error_code ec;
    fs::create_directories(folder, ec);
    if (ec)
      throw InputError(
          "cannot create the folder " + folder.string() +
          " for the forward states' temporary file ([solver] adjoint_disk_path): " + ec.message());
    return std::make_unique<TemporaryFile>(folder);
  };
}

void check_disk_folder(const fs::path& folder, const std::string& where) {
  std::error_code ec;
  if (folder.empty()) throw InputError(where + ": no folder for the forward states' temporary file");
  if (!fs::exists(folder, ec))
    throw InputError(where + ": the folder " + folder.string() + " for the forward states does not exist");
  if (!fs::is_directory(folder, ec))
    throw InputError(where + ": " + folder.string() +
                     " is not a folder (the forward states' temporary file goes there)");
  fs::path probe;
  const int fd = create_unique_file(folder, probe);
  if (fd < 0)
    throw InputError(where + ": cannot write the forward states' temporary file in " + folder.string() +
                     ": " + std::strerror(errno));
  ::close(fd);
  fs::remove(probe, ec);
}

void check_output_folder(const fs::path& dir) {
  // The nearest folder that exists must be a folder we may write in.
  fs::path existing = dir;
  std::error_code ec;
  while (!existing.empty() && !fs::exists(existing, ec)) {
    if (existing == existing.parent_path()) break;
    existing = existing.parent_path();
  }
  if (existing.empty()) existing = ".";
  if (!fs::is_directory(existing, ec))
    throw InputError("cannot create output folder " + dir.string() + ": " + existing.string() +
                     " is not a folder");
  if (::access(existing.c_str(), W_OK) != 0)
    throw InputError("cannot create output folder " + dir.string() + ": " + existing.string() +
                     " is not writable (" + std::strerror(errno) + ")");
}

std::optional<std::uint64_t> disk_available(const std::filesystem::path& folder) {
  std::error_code ec;
  const auto space = fs::space(folder, ec);
  if (ec) return std::nullopt;
  return space.available;
}

}  // namespace seiswg::app
