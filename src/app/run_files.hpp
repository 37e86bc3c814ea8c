#pragma once
// The files a run reads, and the check, before any work, that none of its outputs would replace one.
#include <filesystem>
#include <vector>

#include "app/case.hpp"

namespace seiswg::app {

// Every file the run reads: the model files (model, model_true, the inversion's reference), sources.dat,
// stations.dat and the trace files in [path] traces.
std::vector<std::filesystem::path> input_files(const Case& c);

// Throws InputError naming the output and the input when a file the run would write (by mode and
// settings) is one of its inputs: e.g. `output` = the model folder with save_coordinates = yes.
void check_outputs_spare_inputs(const Case& c);

}  // namespace seiswg::app
