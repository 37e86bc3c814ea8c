#include "app/stage_media.hpp"

#include <algorithm>

#include "app/runs.hpp"

namespace seiswg::app {

StageMedia stage_media(const Case& c, problem::ShotRange shots) {
  StageMedia out;
  out.shots = shots;
  const std::size_t npt = c.model.grid.npt();
  for (auto& eq : wave_equations(c)) {
    for (const auto& n : eq->model_names())
      if (std::find(out.model_files.begin(), out.model_files.end(), n) == out.model_files.end())
        out.model_files.push_back(n);
    const std::vector<double> zeros(std::size_t(eq->material_plane_count()) * npt, 0.0);
    for (const auto& [key, values] : eq->model_gradient(c.model, c.dt, zeros))
      if (std::find(out.gradient_keys.begin(), out.gradient_keys.end(), key) == out.gradient_keys.end())
        out.gradient_keys.push_back(key);
    out.media.push_back({std::move(eq), nullptr, {}});
  }
  return out;
}

void start_stage(StageMedia& media, const Case& c, gpu::Device& device,
                 const std::optional<signal::ZeroPhaseFilter>& filter, double evaluations,
                 const std::map<std::string, problem::Data>& observed_files) {
  const auto nt = std::size_t(c.nt);
  for (auto& m : media.media) {
    auto setup = adjoint_setup(c, *m.eq, device, evaluations);
    if (filter)
      for (auto& shot : setup.shots)
        for (auto& force : shot.forces) filter->apply_to_traces(std::span<float>(force.values), nt);
    if (m.problem) {
      // A later stage: the same Problem (kernels, fields, stored states) with the stage's wavelets.
      std::vector<std::vector<solver::PointForce>> forces;
      for (auto& shot : setup.shots) forces.push_back(std::move(shot.forces));
      m.problem->set_sources(std::move(forces));
    } else {
      m.problem = std::make_unique<problem::Problem>(device, std::move(setup), c.model);
    }
    m.observed.clear();
    if (c.model_true) {
      if (media.shots.count > 0) m.observed = m.problem->forward(*c.model_true, media.shots);
    } else {
      m.observed = observed_files.at(m.eq->name());
      if (filter)
        for (auto& traces : m.observed) filter->apply_to_traces(std::span<float>(traces), nt);
    }
  }
}

double misfit_and_gradient(StageMedia& media, const Case& c, const io::Model& model,
                           const problem::Misfit& misfit,
                           std::map<std::string, std::vector<double>>& gradient) {
  double J = 0;
  gradient.clear();
  for (auto& m : media.media) {
    problem::Evaluation e;
    if (media.shots.count > 0) {
      e = m.problem->misfit_and_gradient(model, m.observed, misfit, media.shots);
    } else {  // a rank without sources adds zeros to the sums
      const std::vector<double> zeros(std::size_t(m.eq->material_plane_count()) * c.model.grid.npt(), 0.0);
      e.gradient = m.eq->model_gradient(model, c.dt, zeros);
    }
    J += e.misfit;
    for (const auto& [name, values] : e.gradient) {
      auto& t = gradient[name];
      t.resize(values.size(), 0.0);
      for (std::size_t k = 0; k < values.size(); ++k) t[k] += values[k];
    }
  }
  return J;
}

}  // namespace seiswg::app
