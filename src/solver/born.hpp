#pragma once
// The linearized (Born, tangent-linear) forward problem: F dm = d(traces)/d(material planes) . dm,
// computed by the forward kernels on a wavefield perturbation driven by the background wavefield.
// Together with Adjoint (F^T) it gives the dot-product test of the gradient.
#include <memory>
#include <span>
#include <vector>

#include "solver/propagator.hpp"

namespace seiswg::solver {

class Born {
 public:
  // `background` supplies the model, sources and receivers.
  explicit Born(Propagator& background);
  ~Born();
  Born(const Born&) = delete;
  Born& operator=(const Born&) = delete;

  // Runs the background and the perturbation from rest for a perturbation of the material planes
  // (plane-major, the layout of WaveEquation::material_planes); returns F dm [receiver][nt].
  std::vector<float> run(std::span<const float> material_perturbation);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace seiswg::solver
