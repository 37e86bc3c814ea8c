#pragma once
// The files a run reads and the folders it writes, and the checks, before any work, that none of its
// outputs would replace an input and that every output folder can be written.
#include <cstdint>
#include <filesystem>
#include <iosfwd>
#include <string>
#include <utility>
#include <vector>

#include "app/case.hpp"
#include "io/atomic_file.hpp"

namespace seiswg::app {

// Every file the run reads: the model files (model, model_true, the inversion's reference), sources.dat,
// stations.dat and the trace files in [path] traces.
std::vector<std::filesystem::path> input_files(const Case& c);

// Throws InputError naming the output and the input when a file the run would write (by mode and
// settings) is one of its inputs: e.g. `output` = the model folder with save_coordinates = yes.
void check_outputs_spare_inputs(const Case& c);

// The folders the run writes into, by mode: forward `output` and `output_traces`; adjoint `output`
// and its `kernels`; inversion `output`.
std::vector<std::filesystem::path> output_folders(const Case& c);
// The bytes the run writes at least into each folder: traces, snapshots and coordinates (forward), a
// kernel per model file (adjoint), the model files of one iteration (inversion). Pictures,
// whose size depends on their contents, are not counted.
std::vector<std::pair<std::filesystem::path, std::uint64_t>> output_bytes(const Case& c);
// Throws InputError unless every folder of output_folders can be made and written (check_output_folder),
// and its file system has room for output_bytes (summed over the folders it holds): called before
// any computation, so that a run does not compute for hours and then fail to write.
void check_output_folders(const Case& c);
// outputs.stage(path) after a poll for signals, so that a run stopped while it writes its outputs
// stops before its next file: Interrupted during "<run>, while writing <file name>".
std::filesystem::path stage_output(io::OutputSet& outputs, const std::filesystem::path& path,
                                   const std::string& run);
// Cleans up, in every output folder that exists, after earlier runs killed there (SIGKILL): finishes
// the commits they had begun and removes their other temporaries (io::finish_interrupted_commits), and
// says so on `log`.
void finish_interrupted_commits(const Case& c, std::ostream& log);

}  // namespace seiswg::app
