#include "support/simulation.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <memory>

#include "solver/adjoint.hpp"
#include "solver/born.hpp"

namespace seiswg::test {

gpu::Device& test_device() {
  static std::unique_ptr<gpu::Device> device = gpu::Device::open({});
  return *device;
}

io::Model uniform_model(int nx, int nz, double dx, double dz, const std::map<std::string, double>& values) {
  io::Model m;
  m.grid.nx = nx;
  m.grid.nz = nz;
  m.grid.dx = dx;
  m.grid.dz = dz;
  for (const auto& [name, v] : values) m.fields[name].assign(m.grid.npt(), float(v));
  m.dir = "memory";
  return m;
}

std::vector<std::vector<double>> run_traces(const physics::WaveEquation& physics, const io::Model& model,
                                            int nt, double dt, const solver::Taper& taper,
                                            const std::vector<solver::PointForce>& forces,
                                            const std::vector<solver::PointReceiver>& receivers) {
  return run_traces(physics, model, nt, dt, solver::Edges{taper, false}, forces, receivers);
}

std::vector<std::vector<double>> run_traces(const physics::WaveEquation& physics, const io::Model& model,
                                            int nt, double dt, const solver::Edges& edges,
                                            const std::vector<solver::PointForce>& forces,
                                            const std::vector<solver::PointReceiver>& receivers) {
  solver::Propagator p(test_device(), physics, model, nt, dt, edges);
  p.set_sources(forces);
  p.set_receivers(receivers);
  p.reset();
  p.advance(nt);
  const auto flat = p.traces();
  std::vector<std::vector<double>> out(receivers.size());
  for (std::size_t r = 0; r < receivers.size(); ++r)
    out[r].assign(flat.begin() + std::ptrdiff_t(r * std::size_t(nt)),
                  flat.begin() + std::ptrdiff_t((r + 1) * std::size_t(nt)));
  return out;
}

double relative_l2(const std::vector<double>& a, const std::vector<double>& b) {
  double num = 0, den = 0;
  for (std::size_t i = 0; i < a.size() && i < b.size(); ++i) {
    num += (a[i] - b[i]) * (a[i] - b[i]);
    den += b[i] * b[i];
  }
  return std::sqrt(num / den);
}

double forces_dot_source_adjoint(const physics::WaveEquation& physics, const io::Grid& grid,
                                 const std::vector<solver::PointForce>& forces,
                                 const std::vector<float>& source_adjoint, int nt) {
  auto sorted = forces;
  auto sample = [&](const solver::PointForce& f) {
    return (f.stress ? physics.velocity_planes() : 0u) * grid.npt() + f.velocity_plane * grid.npt() +
           std::size_t(f.i * grid.nz + f.j);
  };
  std::sort(sorted.begin(), sorted.end(),
            [&](const auto& a, const auto& b) { return sample(a) < sample(b); });
  double sum = 0;
  for (std::size_t s = 0; s < sorted.size(); ++s)
    for (int n = 0; n < nt; ++n)
      sum += double(sorted[s].values[std::size_t(n)]) *
             double(source_adjoint[s * std::size_t(nt) + std::size_t(n)]);
  return sum;
}

double waveform_misfit(const std::vector<float>& traces, const std::vector<float>& observed, double dt) {
  double j = 0;
  for (std::size_t k = 0; k < traces.size(); ++k)
    j += 0.5 * (double(traces[k]) - observed[k]) * (double(traces[k]) - observed[k]);
  return j * dt;
}

std::pair<double, double> born_dot_products(solver::Propagator& p, const std::vector<float>& dm, int nt,
                                            std::mt19937& rng) {
  solver::Born born(p);
  const auto fdm = born.run(dm);
  std::normal_distribution<double> normal;
  std::vector<double> dd(fdm.size());
  for (auto& x : dd) x = normal(rng);
  solver::Adjoint adjoint(p, solver::plan_storage(test_device(), p.state_bytes(), nt, "gpu", 0, 0));
  adjoint.forward();
  adjoint.reverse(dd);
  const auto g = adjoint.gradient();
  double lhs = 0, rhs = 0;
  for (std::size_t k = 0; k < fdm.size(); ++k) lhs += double(fdm[k]) * dd[k];
  for (std::size_t k = 0; k < dm.size(); ++k) rhs += double(dm[k]) * g[k];
  return {lhs, rhs};
}

std::array<double, 3> long_run_peaks(solver::Propagator& p, int nt) {
  p.reset();
  p.advance(nt);
  solver::BlowUp blow_up;
  EXPECT_EQ(p.completed_steps(&blow_up), std::uint32_t(nt));
  EXPECT_FALSE(blow_up.happened) << "blew up at step " << blow_up.step;
  const auto traces = p.traces();
  std::array<double, 3> peak = {0, 0, 0};
  for (std::size_t k = 0; k < traces.size(); ++k) {
    const auto it = int(k % std::size_t(nt));
    const std::size_t window = it < 2000 ? 0 : (it < 11000 ? 1 : 2);
    peak[window] = std::max(peak[window], std::isfinite(traces[k]) ? double(std::abs(traces[k])) : 1e300);
  }
  return peak;
}

}  // namespace seiswg::test
