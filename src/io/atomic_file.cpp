#include "io/atomic_file.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iterator>
#include <optional>
#include <string>
#include <string_view>
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

// ---- The journals -----------------------------------------------------------------------------------
// Each folder an OutputSet stages into holds its journal (.seiswg-commit.HOST.PID.N.journal, one name
// for all of the set's folders) from the first file staged there: a record per staged file (its
// temporary and final path) written before the temporary is, and, when the commit begins, a commit
// record naming every folder of the set, written into each journal before the first rename. The
// process holds an flock on its journals until it removes them, so a journal that can be locked is
// that of a process killed before its end (SIGKILL; power failures are not covered: nothing is
// synced). A commit record in every journal means the commit was decided: its remaining renames are
// done. Anything less means nothing was renamed: its temporaries are removed.

constexpr std::string_view kJournalPrefix = ".seiswg-commit.", kJournalSuffix = ".journal";
constexpr std::string_view kJournalMagic = "seiswg commit journal 1\n";

struct JournalText {
  std::vector<std::pair<fs::path, fs::path>> renames;  // temporary, final path
  bool committing = false;
  std::vector<fs::path> folders;  // of the commit record
};

// "R" temporary NUL final NUL; "C" count NUL then count folders, each NUL-terminated (paths hold no NUL).
std::string rename_record(const fs::path& temporary, const fs::path& final_path) {
  return "R" + temporary.string() + '\0' + final_path.string() + '\0';
}

std::string commit_record(const std::vector<fs::path>& folders) {
  std::string out = "C" + std::to_string(folders.size()) + '\0';
  for (const fs::path& f : folders) out += f.string() + '\0';
  return out;
}

// A record cut short (the process killed while writing it) ends the text: its temporary was never
// made, and its commit never began.
std::optional<JournalText> parse_journal(std::string_view bytes) {
  if (bytes.substr(0, kJournalMagic.size()) != kJournalMagic) return std::nullopt;
  bytes.remove_prefix(kJournalMagic.size());
  auto field = [&]() -> std::optional<std::string> {
    const std::size_t end = bytes.find('\0');
    if (end == std::string_view::npos) return std::nullopt;
    std::string f(bytes.substr(0, end));
    bytes.remove_prefix(end + 1);
    return f;
  };
  JournalText j;
  while (!bytes.empty()) {
    const char kind = bytes.front();
    bytes.remove_prefix(1);
    if (kind == 'R') {
      const auto temporary = field(), final_path = field();
      if (!final_path) break;
      j.renames.emplace_back(*temporary, *final_path);
    } else if (kind == 'C') {
      const auto count = field();
      if (!count) break;
      std::vector<fs::path> folders;
      for (unsigned long k = std::strtoul(count->c_str(), nullptr, 10); k > 0; --k)
        if (const auto f = field()) folders.emplace_back(*f);
      if (folders.size() != std::strtoul(count->c_str(), nullptr, 10)) break;
      j.committing = true;
      j.folders = std::move(folders);
    } else {
      return std::nullopt;
    }
  }
  return j;
}

std::optional<JournalText> read_journal(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  return parse_journal(bytes);
}

std::string host_name() {
  char name[256] = {};
  if (::gethostname(name, sizeof name - 1) != 0) return "host";
  return name;
}

// Where install() keeps the file a staged temporary replaces: named after the temporary, so that the
// journal's rename records name it too (finish_interrupted_commits deletes it with the commit).
fs::path backup_name(const fs::path& temporary) { return temporary.string() + ".backup"; }

bool is_journal_name(const std::string& name) {
  return name.size() > kJournalPrefix.size() + kJournalSuffix.size() && name.rfind(kJournalPrefix, 0) == 0 &&
         name.compare(name.size() - kJournalSuffix.size(), kJournalSuffix.size(), kJournalSuffix) == 0;
}

void write_all(int fd, const std::string& bytes, const fs::path& path) {
  for (std::size_t done = 0; done < bytes.size();) {
    const ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) fail(path, errno);
    done += std::size_t(n);
  }
}

}  // namespace

// The journals of one OutputSet, locked while it lives.
struct OutputSet::Journals {
  std::string name;
  struct Open {
    fs::path folder;
    int fd;
  };
  std::vector<Open> open;

  Journals() {
    static std::atomic<unsigned long> counter{0};
    name = std::string(kJournalPrefix) + host_name() + "." + std::to_string(static_cast<long>(::getpid())) +
           "." + std::to_string(counter.fetch_add(1)) + std::string(kJournalSuffix);
  }
  Journals(const Journals&) = delete;
  Journals& operator=(const Journals&) = delete;
  ~Journals() { remove(); }

  // Appends `record` to the journal of `folder`, which is made (under a temporary name, locked, then
  // renamed into place: never seen unlocked) when it is the first.
  void append(const fs::path& folder, const std::string& record) {
    auto it = std::find_if(open.begin(), open.end(), [&](const Open& o) { return o.folder == folder; });
    if (it == open.end()) {
      const fs::path path = folder / name, tmp = temp_name_for(path);
      const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_APPEND | O_CLOEXEC, 0666);
      if (fd < 0) fail(path, errno);
      if (::flock(fd, LOCK_EX) != 0) {
        const int err = errno;
        ::close(fd);
        ::unlink(tmp.c_str());
        fail(path, err);
      }
      try {
        write_all(fd, std::string(kJournalMagic), path);
      } catch (...) {
        ::close(fd);
        ::unlink(tmp.c_str());
        throw;
      }
      if (std::rename(tmp.c_str(), path.c_str()) != 0) {
        const int err = errno;
        ::close(fd);
        ::unlink(tmp.c_str());
        fail(path, err);
      }
      open.push_back({folder, fd});
      it = open.end() - 1;
    }
    write_all(it->fd, record, it->folder / name);
  }
  void remove() {
    for (const Open& o : open) {
      ::unlink((o.folder / name).c_str());
      ::close(o.fd);
    }
    open.clear();
  }
};

std::size_t finish_interrupted_commits(const fs::path& folder) {
  std::error_code ec;
  std::vector<fs::path> journals;
  for (const auto& entry : fs::directory_iterator(folder, ec))
    if (is_journal_name(entry.path().filename().string())) journals.push_back(entry.path());
  std::size_t finished = 0;
  for (const fs::path& path : journals) {
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) continue;  // finished meanwhile by another run
    struct stat opened {
    }, named{};
    // Locked: its run is alive. Unlinked or replaced since we opened it: another run finished it.
    if (::flock(fd, LOCK_EX | LOCK_NB) != 0 || ::fstat(fd, &opened) != 0 ||
        ::stat(path.c_str(), &named) != 0 || opened.st_ino != named.st_ino || opened.st_dev != named.st_dev) {
      ::close(fd);
      continue;
    }
    const std::optional<JournalText> own = read_journal(path);
    if (!own) {
      ::close(fd);
      throw InputError(path.string() +
                       ": not a seiswg commit journal, but a file of a name seiswg gives them");
    }
    const std::string name = path.filename().string();
    bool decided = own->committing;
    std::vector<JournalText> all;
    for (const fs::path& f : own->folders) {
      auto text = read_journal(f / name);
      decided = decided && text && text->committing;
      if (text) all.push_back(std::move(*text));
    }
    if (decided) {
      for (const JournalText& text : all)
        for (const auto& [temporary, final_path] : text.renames)
          if (std::rename(temporary.c_str(), final_path.c_str()) != 0 && errno != ENOENT) {
            const int err = errno;
            ::close(fd);
            throw InputError("cannot finish the interrupted commit of " + path.string() + ": cannot rename " +
                             temporary.string() + " to " + final_path.string() + ": " + std::strerror(err));
          }
      // The files they replaced, kept by install() until every rank's decision (OutputSet::keep).
      for (const JournalText& text : all)
        for (const auto& [temporary, final_path] : text.renames) ::unlink(backup_name(temporary).c_str());
      for (const fs::path& f : own->folders) ::unlink((f / name).c_str());
    } else {
      // Nothing of it was renamed: this folder's temporaries go (the other folders' go with their
      // journals, which can no longer all hold a commit record).
      for (const auto& [temporary, final_path] : own->renames) ::unlink(temporary.c_str());
      ::unlink(path.c_str());
    }
    ::close(fd);
    ++finished;
  }
  return finished;
}

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

OutputSet::OutputSet() = default;

OutputSet::OutputSet(OutputSet&& other) noexcept
    : staged_(std::move(other.staged_)),
      installed_(std::move(other.installed_)),
      protected_(std::move(other.protected_)),
      committed_(other.committed_),
      journals_(std::move(other.journals_)),
      commit_observer_(std::move(other.commit_observer_)) {
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
    journals_ = std::move(other.journals_);
    commit_observer_ = std::move(other.commit_observer_);
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
  const fs::path temporary = temp_name_for(final_path);
  // Recorded before the temporary exists: a run killed at any moment leaves none unrecorded.
  if (!journals_) journals_ = std::make_unique<Journals>();
  journals_->append(final_path.parent_path(), rename_record(temporary, final_path));
  committed_ = false;
  staged_.push_back({final_path, temporary});
  return staged_.back().temporary;
}

void OutputSet::commit() {
  install();
  keep();
}

namespace {

// Keeps the file at `path` (if any) as `backup`: a hard link, so that `path` itself stays in place
// until it is replaced; a copy where the file system has no hard links. Returns "" when there is no
// file at `path`.
fs::path back_up(const fs::path& path, const fs::path& backup) {
  std::error_code ec;
  if (!fs::exists(fs::symlink_status(path, ec))) return {};
  if (fs::is_directory(fs::symlink_status(path, ec))) fail(path, EISDIR);  // rename would fail too
  if (::link(path.c_str(), backup.c_str()) == 0) return backup;
  const int err = errno;
  if (!fs::is_regular_file(path, ec) || !fs::copy_file(path, backup, ec)) fail(path, err);
  return backup;
}

}  // namespace

void OutputSet::install() {
  std::vector<fs::path> folders;
  for (const Staged& s : staged_) {
    const fs::path folder = s.final_path.parent_path();
    if (std::find(folders.begin(), folders.end(), folder) == folders.end()) folders.push_back(folder);
  }
  // The decision, in every folder, before the first rename (see finish_interrupted_commits).
  if (journals_ && !staged_.empty()) {
    const std::string record = commit_record(folders);
    try {
      for (const fs::path& folder : folders) {
        if (commit_observer_) commit_observer_("journal " + folder.string());
        journals_->append(folder, record);
      }
    } catch (...) {
      rollback();
      throw;
    }
  }
  // Renames in one folder of one file system: each is atomic and they cannot run out of space.
  for (std::size_t k = 0; k < staged_.size(); ++k) {
    const Staged& s = staged_[k];
    std::error_code ec;
    if (!fs::exists(s.temporary, ec)) continue;
    if (commit_observer_) commit_observer_("rename " + s.final_path.string());
    try {
      const fs::path backup = back_up(s.final_path, backup_name(s.temporary));
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
  // Every rename is done: nothing is left for finish_interrupted_commits to finish.
  if (journals_) journals_->remove();
  committed_ = false;
}

void OutputSet::observe_commit(std::function<void(const std::string& step)> observer) {
  commit_observer_ = std::move(observer);
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
  if (journals_) journals_->remove();
}

std::vector<fs::path> OutputSet::files() const {
  std::vector<fs::path> out;
  for (const Staged& s : staged_) out.push_back(s.final_path);
  return out;
}

}  // namespace seiswg::io
