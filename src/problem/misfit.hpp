#pragma once
// Misfit functionals between synthetic and observed traces: J and d J / d synthetic sample, in
// double precision on the host.
#include <cstddef>
#include <span>
#include <vector>

namespace seiswg::problem {

class Misfit {
 public:
  virtual ~Misfit() = default;
  // J of one shot's traces ([receiver][nt], the same layout for both) and d J / d synthetic sample
  // (written into dj_dd, resized to synthetic.size()).
  virtual double evaluate(std::span<const float> synthetic, std::span<const float> observed, std::size_t nt,
                          double dt, std::vector<double>& dj_dd) const = 0;
};

// J = 1/2 sum over receivers and samples of (w(t) (d - d_obs))^2 dt, with Seispie's cosine taper w
// of width `taper_fraction` x trace length at both ends (w = 1 when 0).
class WaveformMisfit : public Misfit {
 public:
  explicit WaveformMisfit(double taper_fraction = 0) : taper_fraction_(taper_fraction) {}
  double evaluate(std::span<const float> synthetic, std::span<const float> observed, std::size_t nt,
                  double dt, std::vector<double>& dj_dd) const override;

 private:
  double taper_fraction_;
};

}  // namespace seiswg::problem
