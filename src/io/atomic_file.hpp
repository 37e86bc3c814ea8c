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
  // Renames every staged file that was written into place (a staged name never written is skipped):
  // install(), then keep().
  void commit();
  // The first half of a commit shared with other processes (the ranks of a job), who must all keep
  // their files or none: writes the decision into the journal of every folder (see
  // finish_interrupted_commits), then renames every written file into place, keeping each file it
  // replaces under a backup name, so that restore() can bring back the earlier state exactly. When a
  // rename fails, the files installed so far are restored, the temporaries removed, and InputError
  // names the file.
  void install();
  // After install(): the new files stay, the backups are deleted.
  void keep();
  // After install(): every earlier file is put back and the files that had none are removed (errors
  // are ignored: best effort). The destructor does this too when install() was not followed by keep().
  void restore();
  // Calls `observer` before each step of install(): "journal FOLDER", then "rename FILE" (tests stop
  // the process there).
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
  bool committed_ = false;
  std::unique_ptr<Journals> journals_;
  std::function<void(const std::string& step)> commit_observer_;
};

// Cleans up after processes killed (SIGKILL) while an OutputSet of theirs lived, whose journals lie
// in `folder` (a journal that a live process holds locked is left alone): a commit whose decision
// reached every folder's journal is finished (its remaining renames are done); anything less renamed
// nothing, and its temporaries in `folder` are removed. Either way the journals go. Returns how many commits
// it finished. Throws InputError naming the journal when a rename fails or a journal's name holds something
// else.
std::size_t finish_interrupted_commits(const std::filesystem::path& folder);

// Whether two paths name the same file (the same inode when both exist, else the same canonical path).
bool same_file(const std::filesystem::path& a, const std::filesystem::path& b);

}  // namespace seiswg::io
