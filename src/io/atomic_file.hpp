#pragma once
#include <cstddef>
#include <filesystem>
#include <functional>
#include <span>
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

// Remembers every file a run writes. If the run fails, rollback() deletes them; the destructor does the
// same unless commit() was called first. Adding the same path twice records it once.
class OutputSet {
 public:
  OutputSet() = default;
  OutputSet(const OutputSet&) = delete;
  OutputSet& operator=(const OutputSet&) = delete;
  OutputSet(OutputSet&& other) noexcept;
  OutputSet& operator=(OutputSet&& other) noexcept;
  ~OutputSet();

  void add(std::filesystem::path p);
  // Keeps the files: the destructor will no longer delete them.
  void commit();
  // Deletes every recorded file that still exists (errors are ignored) and forgets them.
  void rollback();
  std::size_t size() const { return files_.size(); }
  const std::vector<std::filesystem::path>& files() const { return files_; }

 private:
  std::vector<std::filesystem::path> files_;
  bool committed_ = false;
};

}  // namespace seiswg::io
