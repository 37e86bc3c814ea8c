#pragma once
// The media of an inversion case as the Problems of one frequency stage, and the misfit and model
// gradient summed over them: what the inversion and `seiswg check-gradient` share.
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "app/case.hpp"
#include "gpu/device.hpp"
#include "problem/misfit.hpp"
#include "problem/problem.hpp"
#include "signal/filter.hpp"

namespace seiswg::app {

struct StageMedium {
  std::unique_ptr<physics::WaveEquation> eq;
  std::unique_ptr<problem::Problem> problem;  // of the current stage
  problem::Data observed;                     // of the shots in `shots`, through the stage's filter
};

// The case's media (no Problems yet), and the model files they read and the keys of their model
// gradients (what inversion::Parametrization needs to know what can be inverted).
struct StageMedia {
  std::vector<StageMedium> media;
  std::vector<std::string> model_files, gradient_keys;
  problem::ShotRange shots;  // this process's shots (all of them without MPI)
};
StageMedia stage_media(const Case& c, problem::ShotRange shots);

// Readies each medium's Problem for a stage: source wavelets through `filter` (the first stage makes
// the Problems, with storage planned for `evaluations` gradients: all the run will compute; later
// stages only change their sources); observed data computed in model_true, or `observed_files` (per
// medium name, the shots of media.shots) through `filter`.
void start_stage(StageMedia& media, const Case& c, gpu::Device& device,
                 const std::optional<signal::ZeroPhaseFilter>& filter, double evaluations,
                 const std::map<std::string, problem::Data>& observed_files);

// J and d J / d model value summed over the media for `model` (a process without shots adds zeros).
double misfit_and_gradient(StageMedia& media, const Case& c, const io::Model& model,
                           const problem::Misfit& misfit,
                           std::map<std::string, std::vector<double>>& gradient);

}  // namespace seiswg::app
