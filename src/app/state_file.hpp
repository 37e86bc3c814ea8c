#pragma once
// The disk storage mode's temporary file of forward states (solver::StateFile), and the checks of
// its folder: the app opens files, the solver only writes and reads through the interface.
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>

#include "solver/adjoint.hpp"

namespace seiswg::app {

// Opens a new temporary file in `folder` at each call (removed when the object goes, also when the
// run fails). Throws InputError naming [solver] adjoint_disk_path when it cannot.
solver::StateFileFactory temporary_state_files(const std::filesystem::path& folder);
// Throws InputError "<where>: ..." unless a temporary file can be created in `folder`.
void check_disk_folder(const std::filesystem::path& folder, const std::string& where);
// Throws InputError when `dir` could not be created as an output folder (the nearest existing folder
// above it is a file, or not writable). Creates nothing: folders are made when a file goes there, so
// that a failed run leaves no empty folder behind.
void check_output_folder(const std::filesystem::path& dir);
// Free bytes in `folder`'s file system (none when unknown).
std::optional<std::uint64_t> disk_available(const std::filesystem::path& folder);

}  // namespace seiswg::app
