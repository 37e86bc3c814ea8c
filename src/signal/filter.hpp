#pragma once
// Zero-phase Butterworth filters for the frequency stages of multi-scale FWI (observed and synthetic
// traces filtered alike, low frequencies first).
//
// Design: per corner an order-N Butterworth (N = `order`, default 4) as second-order sections by the
// bilinear transform with the corner prewarped, so that the digital corner lies exactly at the given
// frequency. A band-pass is the cascade of a high-pass at low_hz and a low-pass at high_hz.
//
// Application: forward, then backward over the same sections (filtfilt), on the trace extended by zeros
// at both ends (long enough for the filter's ringing to decay below 1e-8) and starting from zero
// state. The trace is thus treated as zero outside its samples; no initial conditions are fitted, as
// scipy's filtfilt does, because those would make the filter nonlinear in the data's edges. With L the
// causal filter on the extended trace (a lower-triangular Toeplitz matrix) and E the extension, the
// operator is F = E^T L^T L E: linear and self-adjoint (F^T = F), so the adjoint source of a misfit of
// filtered traces is the filtered residual, exactly. The zero-phase gain is |H(f)|^2: 1/2 (-6 dB) at
// each corner.
//
// Pure host code without files or threads, so that it also builds with Emscripten.
#include <cstddef>
#include <span>
#include <string>
#include <vector>

namespace seiswg::signal {

// A pass band in Hz. low_hz = 0: no high-pass (a low-pass at high_hz).
struct Band {
  double low_hz = 0;
  double high_hz = 0;
  // Throws InputError starting with `where` (e.g. the config key of the stage) unless
  // 0 <= low_hz < high_hz < Nyquist = 1 / (2 dt), all finite, and dt > 0.
  void validate(double dt, const std::string& where) const;
};

// One biquad: y = b0 x + b1 x[-1] + b2 x[-2] - a1 y[-1] - a2 y[-2].
struct SecondOrderSection {
  double b0 = 1, b1 = 0, b2 = 0, a1 = 0, a2 = 0;
};

class ZeroPhaseFilter {
 public:
  // Corner frequencies in Hz (0: that side has no corner), dt in seconds, order 1 to 16 per corner
  // and pass. Throws InputError if the corners do not satisfy Band::validate (low_hz < high_hz unless
  // high_hz = 0, high-pass only) or the order is out of range.
  static ZeroPhaseFilter low_pass(double high_hz, double dt, int order = 4);
  static ZeroPhaseFilter high_pass(double low_hz, double dt, int order = 4);
  static ZeroPhaseFilter band_pass(const Band& band, double dt, int order = 4);

  // Filters in place: one trace, or traces of nt samples each stored one after another.
  void apply(std::span<double> trace) const;
  void apply_to_traces(std::span<double> traces, std::size_t nt) const;
  // The same in double precision inside; the result rounded to float (so self-adjoint only to float
  // rounding).
  void apply_to_traces(std::span<float> traces, std::size_t nt) const;

  // The zero-phase gain |H(f)|^2 at f_hz (1 in the pass band, 1/2 at a corner).
  double gain(double f_hz) const;
  const std::vector<SecondOrderSection>& sections() const { return sections_; }
  std::size_t padding() const { return padding_; }  // zeros added at each end of a trace

 private:
  ZeroPhaseFilter(double low_hz, double high_hz, double dt, int order);
  void filter_padded(std::vector<double>& buffer) const;

  double dt_;
  std::vector<SecondOrderSection> sections_;
  std::size_t padding_ = 0;
};

// Shorthands that design the filter and apply it to one trace in place.
void low_pass(std::span<double> trace, double high_hz, double dt, int order = 4);
void high_pass(std::span<double> trace, double low_hz, double dt, int order = 4);
void band_pass(std::span<double> trace, const Band& band, double dt, int order = 4);

}  // namespace seiswg::signal
