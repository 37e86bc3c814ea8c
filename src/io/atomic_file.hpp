#pragma once
#include <cstddef>
#include <filesystem>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <vector>

namespace seiswg::io {

// Writes `bytes` to `path` through a temporary file in the same folder followed by a rename, so a reader
// sees either the old file or the complete new one, never a partial file. Missing parent folders are
// created. Throws InputError "cannot write <path>: <reason>" when a folder cannot be created or written.
void write_file_atomic(const std::filesystem::path& path, std::span<const std::byte> bytes);

// The same for writers that need a file of their own (libraries that open and seek in it): `write` fills
// the temporary file it is given (in the folder of `path`), which is then renamed to `path`. When `write`
// throws, the temporary file is removed and the exception goes on.
void write_file_atomic_with(const std::filesystem::path& path,
                            const std::function<void(const std::filesystem::path& temporary)>& write);

// The outputs of one run, made visible all at once: each file is written under a temporary name of its
// own (stage), and commit() renames them all into place at the end. Each folder staged into holds the
// set's journal (.seiswg-commit.HOST.PID.N.journal) while it lives, so that the temporaries and the
// commit of a process killed by SIGKILL are found by the next run (finish_interrupted_commits). Until then no
// earlier file changes; rollback() (and the destructor, unless committed) deletes only this run's
// temporaries, never a file the run did not create, so a failed run leaves an earlier run's output as it was,
// and two runs sharing a folder never delete each other's files.
class OutputSet {
 public:
  OutputSet();
  OutputSet(const OutputSet&) = delete;
  OutputSet& operator=(const OutputSet&) = delete;
  OutputSet(OutputSet&& other) noexcept;
  OutputSet& operator=(OutputSet&& other) noexcept;
  ~OutputSet();

  // Files the run reads: stage() refuses to write over them (InputError naming both paths).
  void protect(const std::vector<std::filesystem::path>& inputs);
  // The temporary name (in the folder of `final_path`, which is made when missing) to write `final_path`
  // under. Staging a path again gives the same temporary name. Throws InputError when `final_path` is
  // one of the protected inputs or its folder cannot be made.
  std::filesystem::path stage(const std::filesystem::path& final_path);
  // Renames every staged file that was written into place (a staged name never written is skipped),
  // at once for the files it replaces: the decision is written into the journal of every folder (see
  // finish_interrupted_commits), then the renames are done. When a rename fails, the files renamed so
  // far are put back, the temporaries removed, and InputError names the file.
  void commit();

  // A commit that several processes (the ranks of a job) make together: every process keeps its new
  // files or none does, even when some are killed outright (SIGKILL) during it. One process, the
  // coordinator, makes the decision:
  //   coordinator: name = coordinate(folders)      (before any process installs; name sent to all)
  //   every process: install({name, folders})      (new files in place, the replaced ones kept aside)
  //   -- all installed? coordinator: decide()       (the decision: recorded in its journals)
  //   -- every process other than the coordinator: keep(); then the coordinator: keep()
  //   -- any failed before decide(): every process restore()
  // A process killed, or left in doubt (abandon(), or the destructor after install without keep or
  // restore), leaves its journals; the next finish_interrupted_commits in one of the folders settles
  // the whole commit the way the coordinator decided: every new file kept when decide() recorded the
  // decision, else every earlier file put back. (The folders must be shared by the processes, as the
  // output folders of a job's ranks are.)
  struct Shared {
    std::string coordinator;                     // the name coordinate() returned
    std::vector<std::filesystem::path> folders;  // every folder any of the processes stages into
  };
  // The coordinator, before any process installs: creates its journal in each folder (held locked,
  // so that a live coordinator's commit is never settled by another run) and returns its name.
  std::string coordinate(const std::vector<std::filesystem::path>& folders);
  // Writes into each of its journals that this set is part of `shared`, then renames every written file
  // into place, keeping each file it replaces under a backup name and recording it first. When a
  // rename fails, the files installed so far are put back, the temporaries removed, and InputError
  // names the file (the other processes must then restore()). Throws std::logic_error when a folder
  // staged into is not one of shared.folders.
  void install(const Shared& shared);
  // The coordinator, once every process has installed: records the decision to keep in its journal of
  // every folder. From the first record on, the commit is decided. InputError when it cannot be
  // written: then every process must abandon(), and the next run settles the commit.
  void decide();
  // After install(): the new files stay, the backups and journals are deleted. The coordinator keeps
  // last, once every other process has: its journals hold the decision until then.
  void keep();
  // After install(), when some process failed before decide(): every earlier file is put back and the
  // files that had none are removed (errors are ignored: best effort); the journals go.
  void restore();
  // After install(), when this process cannot learn the outcome (interrupted while waiting for the
  // others): leaves its files and journals for finish_interrupted_commits to settle. The destructor
  // does this too when install() was not followed by keep() or restore().
  void abandon();
  // Whether install() was done and neither keep() nor restore() (nor abandon()) followed.
  bool in_doubt() const { return in_doubt_; }
  // Calls `observer` before each step of commit() and install(): "journal FOLDER", then "rename FILE"
  // (tests stop the process there).
  void observe_commit(std::function<void(const std::string& step)> observer);
  // Deletes the temporaries of this run (errors are ignored) and forgets them.
  void rollback();
  std::size_t size() const { return staged_.size(); }
  // The final paths, in the order they were staged.
  std::vector<std::filesystem::path> files() const;

 private:
  struct Staged {
    std::filesystem::path final_path, temporary;
  };
  struct Journals;  // the journal of each folder staged into (atomic_file.cpp)
  // A file install() put into place, and where the file it replaced is kept ("" when there was none).
  struct Installed {
    std::filesystem::path final_path, backup;
  };
  std::vector<Staged> staged_;
  std::vector<Installed> installed_;
  std::vector<std::filesystem::path> protected_;
  bool committed_ = false, in_doubt_ = false;
  std::vector<std::filesystem::path> decision_folders_;  // the coordinator's (coordinate())
  // install(), for commit() (`shared` null: the decision is this set's own) and for a shared commit.
  void install_files(const Shared* shared);
  Journals& journals();  // made by the first file staged (or coordinate())
  // What the destructor (and a move over this set) does: abandon() when in doubt, else rollback.
  void settle_on_exit() noexcept;
  std::unique_ptr<Journals> journals_;
  std::function<void(const std::string& step)> commit_observer_;
};

// Cleans up after processes killed (SIGKILL) while an OutputSet of theirs lived, whose journals lie
// in `folder` (a journal that a live process holds locked is left alone). A commit() whose decision
// reached every folder's journal is finished (its remaining renames are done); anything less renamed
// nothing, and its temporaries in `folder` are removed. A shared commit's install is settled as its
// coordinator decided: kept (backups deleted) when its decision is recorded in any of the folders, else
// undone (each earlier file put back, each new one removed); one whose coordinator is alive is left
// alone. Either way the journals go. Returns how many it settled. Throws InputError naming the journal when a
// rename fails or a journal's name holds something else.
std::size_t finish_interrupted_commits(const std::filesystem::path& folder);

// Whether two paths name the same file (the same inode when both exist, else the same canonical path).
bool same_file(const std::filesystem::path& a, const std::filesystem::path& b);

}  // namespace seiswg::io
