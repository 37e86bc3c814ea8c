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
//
// A shared commit (several processes) writes instead, before its first rename, a shared record
// (the coordinator's journal name, the folders of the commit, the set's own folders), and before each
// rename an installed record (the final path, whether its earlier file was kept aside). The
// coordinator's journals (one in every folder of the commit, made before anyone installs) get the
// decision record once every process has installed. Settling a killed process's shared install reads
// the coordinator's journals: a decision record in any means keep; a coordinator's journal still locked
// means wait; else undo. The coordinator's journals go last, once no process of its commit is left to
// settle.

constexpr std::string_view kJournalPrefix = ".seiswg-commit.", kJournalSuffix = ".journal";
constexpr std::string_view kJournalMagic = "seiswg commit journal 1\n";

struct JournalText {
  std::vector<std::pair<fs::path, fs::path>> renames;  // temporary, final path
  bool committing = false;
  std::vector<fs::path> folders;  // of the commit record
  // A shared commit's install: the coordinator's journal name, the commit's folders, the set's own.
  bool shared = false;
  std::string coordinator;
  std::vector<fs::path> shared_folders, own_folders;
  std::vector<std::pair<fs::path, bool>> installed;  // final path, whether its earlier file is kept aside
  bool decided = false;                              // the coordinator's decision (to keep)
};

// "R" temporary NUL final NUL; "C" count NUL then count folders, each NUL-terminated (paths hold no NUL);
// "S" coordinator NUL, then two folder lists as in "C"; "I" final NUL "0" or "1" NUL; "K" and the
// commit's folders as in "C".
std::string folder_list(const std::vector<fs::path>& folders) {
  std::string out = std::to_string(folders.size()) + '\0';
  for (const fs::path& f : folders) out += f.string() + '\0';
  return out;
}

std::string rename_record(const fs::path& temporary, const fs::path& final_path) {
  return "R" + temporary.string() + '\0' + final_path.string() + '\0';
}

std::string commit_record(const std::vector<fs::path>& folders) { return "C" + folder_list(folders); }

std::string shared_record(const std::string& coordinator, const std::vector<fs::path>& folders,
                          const std::vector<fs::path>& own) {
  return "S" + coordinator + '\0' + folder_list(folders) + folder_list(own);
}

std::string installed_record(const fs::path& final_path, bool backed_up) {
  return "I" + final_path.string() + '\0' + (backed_up ? "1" : "0") + '\0';
}

std::string decision_record(const std::vector<fs::path>& folders) { return "K" + folder_list(folders); }

// A record cut short (the process killed while writing it) ends the text: its temporary was never
// made, its rename never done, and its commit never began.
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
  auto folders = [&]() -> std::optional<std::vector<fs::path>> {
    const auto count = field();
    if (!count) return std::nullopt;
    const unsigned long n = std::strtoul(count->c_str(), nullptr, 10);
    std::vector<fs::path> out;
    for (unsigned long k = 0; k < n; ++k) {
      const auto f = field();
      if (!f) return std::nullopt;
      out.emplace_back(*f);
    }
    return out;
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
      auto list = folders();
      if (!list) break;
      j.committing = true;
      j.folders = std::move(*list);
    } else if (kind == 'S') {
      const auto coordinator = field();
      auto list = coordinator ? folders() : std::nullopt;
      auto own = list ? folders() : std::nullopt;
      if (!own) break;
      j.shared = true;
      j.coordinator = *coordinator;
      j.shared_folders = std::move(*list);
      j.own_folders = std::move(*own);
    } else if (kind == 'I') {
      const auto final_path = field(), backed_up = field();
      if (!backed_up) break;
      j.installed.emplace_back(*final_path, *backed_up == "1");
    } else if (kind == 'K') {
      auto list = folders();
      if (!list) break;
      j.decided = true;
      j.shared_folders = std::move(*list);
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
  // Leaves the journals for finish_interrupted_commits (their lock goes with the descriptors).
  void release() {
    for (const Open& o : open) ::close(o.fd);
    open.clear();
  }
};

namespace {

// A journal of a process that is gone, held locked while it is settled.
struct DeadJournal {
  fs::path path;
  int fd = -1;
  JournalText text;
  DeadJournal() = default;
  DeadJournal(const DeadJournal&) = delete;
  DeadJournal& operator=(const DeadJournal&) = delete;
  ~DeadJournal() {
    if (fd >= 0) ::close(fd);
  }
};

enum class Lock { dead, alive, missing };

// Opens and locks the journal at `path` when its process is gone. Locked by a live process: alive.
// Absent, or unlinked or replaced since it was opened (another run settled it): missing.
Lock lock_journal(const fs::path& path, DeadJournal& out) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Lock::missing;
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    ::close(fd);
    return Lock::alive;
  }
  struct stat opened {
  }, named{};
  if (::fstat(fd, &opened) != 0 || ::stat(path.c_str(), &named) != 0 || opened.st_ino != named.st_ino ||
      opened.st_dev != named.st_dev) {
    ::close(fd);
    return Lock::missing;
  }
  const std::optional<JournalText> text = read_journal(path);
  if (!text) {
    ::close(fd);
    throw InputError(path.string() + ": not a seiswg commit journal, but a file of a name seiswg gives them");
  }
  out.path = path;
  out.fd = fd;
  out.text = *text;
  return Lock::dead;
}

// The texts of the journals of the same name in `folders` (those that can be read).
std::vector<JournalText> journals_named(const std::string& name, const std::vector<fs::path>& folders) {
  std::vector<JournalText> out;
  for (const fs::path& f : folders)
    if (auto text = read_journal(f / name)) out.push_back(std::move(*text));
  return out;
}

void unlink_journals(const std::string& name, const std::vector<fs::path>& folders) {
  for (const fs::path& f : folders) ::unlink((f / name).c_str());
}

// How a shared commit's coordinator decided: whether it recorded its decision in any folder of the
// commit; nullopt while it is alive and has not (it may still). `name`: the participant's journal name
// (the coordinator's own when it is the coordinator, which is then gone too).
std::optional<bool> coordinator_decision(const JournalText& participant, const std::string& name) {
  bool alive = false;
  for (const fs::path& f : participant.shared_folders) {
    const fs::path path = f / participant.coordinator;
    if (const auto text = read_journal(path); text && text->decided) return true;
    if (name == participant.coordinator) continue;
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) continue;
    if (::flock(fd, LOCK_SH | LOCK_NB) != 0) alive = true;
    ::close(fd);
  }
  if (alive) return std::nullopt;
  return false;
}

// The files of one process's shared install (its journals in every folder it staged into): kept or
// put back. Errors are reported; a file already put back (ENOENT) is fine.
void settle_install(const std::vector<JournalText>& texts, bool keep, const fs::path& journal) {
  auto fail_on = [&](const std::string& what, const fs::path& a, const fs::path& b) {
    throw InputError("cannot settle the interrupted commit of " + journal.string() + ": cannot " + what +
                     " " + a.string() + (b.empty() ? "" : " to " + b.string()) + ": " + std::strerror(errno));
  };
  for (const JournalText& text : texts) {
    if (!keep) {
      for (auto it = text.installed.rbegin(); it != text.installed.rend(); ++it) {
        const fs::path& final_path = it->first;
        const bool backed_up = it->second;
        const auto staged = std::find_if(text.renames.begin(), text.renames.end(),
                                         [&](const auto& r) { return r.second == final_path; });
        if (staged == text.renames.end()) continue;
        std::error_code ec;
        if (fs::exists(fs::symlink_status(staged->first, ec))) continue;  // killed before its rename
        const fs::path backup = backup_name(staged->first);
        if (backed_up) {
          if (std::rename(backup.c_str(), final_path.c_str()) != 0 && errno != ENOENT)
            fail_on("put back", backup, final_path);
        } else if (::unlink(final_path.c_str()) != 0 && errno != ENOENT) {
          fail_on("remove", final_path, {});
        }
      }
    }
    for (const auto& [temporary, final_path] : text.renames) {
      ::unlink(temporary.c_str());
      ::unlink(backup_name(temporary).c_str());
    }
  }
}

// Whether the journal named `name` is a shared commit's coordinator's: it holds the decision, or its
// install names itself as the coordinator.
bool is_coordinator(const JournalText& text, const std::string& name) {
  return text.decided || (text.shared && text.coordinator == name);
}

// Settles the dead journal `j` (of a process killed during a commit). Returns false when it must wait:
// a shared install whose coordinator lives, or a coordinator with a process of its commit still alive.
bool settle(DeadJournal& j) {
  const std::string name = j.path.filename().string();
  const JournalText& own = j.text;
  // A coordinator's decision may lie in another folder's journal than this one.
  if (is_coordinator(own, name) && !own.decided && !coordinator_decision(own, name).value_or(false)) {
    std::vector<fs::path> folders = own.shared_folders;
    folders.insert(folders.end(), own.own_folders.begin(), own.own_folders.end());
    settle_install(journals_named(name, own.own_folders), false, j.path);
    unlink_journals(name, folders);
    return true;
  }
  if (is_coordinator(own, name)) {
    // A coordinator: first every process of its commit that is gone, then its own files and journals.
    for (const fs::path& f : own.shared_folders) {
      std::error_code ec;
      for (const auto& entry : fs::directory_iterator(f, ec)) {
        const std::string other = entry.path().filename().string();
        if (other == name || !is_journal_name(other)) continue;
        const auto text = read_journal(entry.path());
        if (!text || !text->shared || text->coordinator != name) continue;
        DeadJournal participant;
        const Lock lock = lock_journal(entry.path(), participant);
        if (lock == Lock::alive) return false;
        if (lock == Lock::dead && !settle(participant)) return false;
      }
    }
    std::vector<fs::path> folders = own.shared_folders;
    for (const fs::path& f : own.own_folders)
      if (std::find(folders.begin(), folders.end(), f) == folders.end()) folders.push_back(f);
    settle_install(journals_named(name, folders), true, j.path);
    unlink_journals(name, folders);
    return true;
  }
  if (own.shared) {
    const std::optional<bool> decided = coordinator_decision(own, name);
    if (!decided) return false;
    settle_install(journals_named(name, own.own_folders), *decided, j.path);
    unlink_journals(name, own.own_folders);
    unlink_journals(name, {j.path.parent_path()});
    return true;
  }
  bool decided = own.committing;
  std::vector<JournalText> all;
  for (const fs::path& f : own.folders) {
    auto text = read_journal(f / name);
    decided = decided && text && text->committing;
    if (text) all.push_back(std::move(*text));
  }
  if (decided) {
    for (const JournalText& text : all)
      for (const auto& [temporary, final_path] : text.renames)
        if (std::rename(temporary.c_str(), final_path.c_str()) != 0 && errno != ENOENT)
          throw InputError("cannot finish the interrupted commit of " + j.path.string() + ": cannot rename " +
                           temporary.string() + " to " + final_path.string() + ": " + std::strerror(errno));
    // The files they replaced, kept by the commit until all its renames were done.
    for (const JournalText& text : all)
      for (const auto& [temporary, final_path] : text.renames) ::unlink(backup_name(temporary).c_str());
    unlink_journals(name, own.folders);
  } else {
    // Nothing of it was renamed: this folder's temporaries go (the other folders' go with their
    // journals, which can no longer all hold a commit record). A coordinator's journal that never got
    // the decision goes the same way: the processes of its commit undo theirs.
    for (const auto& [temporary, final_path] : own.renames) ::unlink(temporary.c_str());
    ::unlink(j.path.c_str());
  }
  return true;
}

}  // namespace

std::size_t finish_interrupted_commits(const fs::path& folder) {
  std::error_code ec;
  std::vector<fs::path> journals;
  for (const auto& entry : fs::directory_iterator(folder, ec))
    if (is_journal_name(entry.path().filename().string())) journals.push_back(entry.path());
  std::sort(journals.begin(), journals.end());
  std::size_t settled = 0;
  // The processes of shared commits first, while their coordinators' journals still tell the decision.
  for (const bool coordinators : {false, true})
    for (const fs::path& path : journals) {
      DeadJournal j;
      if (lock_journal(path, j) != Lock::dead ||
          is_coordinator(j.text, path.filename().string()) != coordinators)
        continue;
      if (settle(j)) ++settled;
    }
  return settled;
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

OutputSet::OutputSet(OutputSet&& other) noexcept { *this = std::move(other); }

OutputSet& OutputSet::operator=(OutputSet&& other) noexcept {
  if (this != &other) {
    settle_on_exit();
    staged_ = std::move(other.staged_);
    installed_ = std::move(other.installed_);
    protected_ = std::move(other.protected_);
    committed_ = other.committed_;
    in_doubt_ = other.in_doubt_;
    decision_folders_ = std::move(other.decision_folders_);
    journals_ = std::move(other.journals_);
    commit_observer_ = std::move(other.commit_observer_);
    other.staged_.clear();
    other.installed_.clear();
    other.committed_ = true;
    other.in_doubt_ = false;
  }
  return *this;
}

OutputSet::~OutputSet() { settle_on_exit(); }

void OutputSet::settle_on_exit() noexcept {
  if (in_doubt_)
    abandon();
  else if (!committed_)
    restore(), rollback();
}

void OutputSet::protect(const std::vector<fs::path>& inputs) {
  protected_.insert(protected_.end(), inputs.begin(), inputs.end());
}

OutputSet::Journals& OutputSet::journals() {
  if (!journals_) journals_ = std::make_unique<Journals>();
  return *journals_;
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
  journals().append(final_path.parent_path(), rename_record(temporary, final_path));
  committed_ = false;
  staged_.push_back({final_path, temporary});
  return staged_.back().temporary;
}

void OutputSet::commit() {
  install_files(nullptr);
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

std::string OutputSet::coordinate(const std::vector<fs::path>& folders) {
  for (const fs::path& folder : folders) {
    std::error_code ec;
    fs::create_directories(folder, ec);
    if (ec) throw InputError("cannot write into " + folder.string() + ": " + ec.message());
    journals().append(folder, "");
  }
  decision_folders_ = folders;
  committed_ = false;
  return journals().name;
}

void OutputSet::install(const Shared& shared) { install_files(&shared); }

void OutputSet::install_files(const Shared* shared) {
  std::vector<fs::path> folders;
  for (const Staged& s : staged_) {
    const fs::path folder = s.final_path.parent_path();
    if (std::find(folders.begin(), folders.end(), folder) == folders.end()) folders.push_back(folder);
  }
  if (shared)
    for (const fs::path& folder : folders)
      if (std::none_of(shared->folders.begin(), shared->folders.end(),
                       [&](const fs::path& f) { return same_file(f, folder); }))
        throw std::logic_error("OutputSet::install: " + folder.string() + " is not a folder of the commit");
  // Before the first rename, in every folder: the decision (commit), or that this is the set's part of
  // a shared commit (see finish_interrupted_commits).
  if (!staged_.empty()) {
    const std::string record =
        shared ? shared_record(shared->coordinator, shared->folders, folders) : commit_record(folders);
    try {
      for (const fs::path& folder : folders) {
        if (commit_observer_) commit_observer_("journal " + folder.string());
        journals().append(folder, record);
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
      if (shared)
        journals().append(s.final_path.parent_path(), installed_record(s.final_path, !backup.empty()));
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
  // The journals stay until keep() (or restore()): they tell finish_interrupted_commits which backups
  // to delete, or, for a shared commit, how to settle it.
  in_doubt_ = shared != nullptr;
  committed_ = false;
}

void OutputSet::decide() {
  const std::string record = decision_record(decision_folders_);
  for (const fs::path& folder : decision_folders_) {
    if (commit_observer_) commit_observer_("decide " + folder.string());
    journals().append(folder, record);
  }
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
  if (journals_) journals_->remove();
  committed_ = true;
  in_doubt_ = false;
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
  in_doubt_ = false;
  if (journals_) journals_->remove();
}

void OutputSet::abandon() {
  if (journals_) journals_->release();
  installed_.clear();
  staged_.clear();
  committed_ = true;
  in_doubt_ = false;
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
