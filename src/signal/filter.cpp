#include "signal/filter.hpp"

#include <algorithm>
#include <cmath>
#include <complex>
#include <cstdio>
#include <numbers>
#include <stdexcept>
#include <string>

#include "io/error.hpp"

namespace seiswg::signal {

namespace {

constexpr int max_order = 16;
// The padding lets the ringing of the slowest pole decay to this fraction of its start.
constexpr double ringing_left = 1e-8;

std::string num(double v) {
  char text[32];
  std::snprintf(text, sizeof text, "%.6g", v);
  return text;
}

void validate_dt(double dt, const std::string& where) {
  if (!(dt > 0) || !std::isfinite(dt))
    throw InputError(where + ": the sample interval dt = " + num(dt) + " s must be positive and finite");
}

void validate_order(int order, const std::string& where) {
  if (order < 1 || order > max_order)
    throw InputError(where + ": filter order " + std::to_string(order) + " must lie in 1.." +
                     std::to_string(max_order));
}

void validate_corner(double f, double dt, const char* name, const std::string& where) {
  const double nyquist = 0.5 / dt;
  if (!std::isfinite(f) || f < 0)
    throw InputError(where + ": " + name + " = " + num(f) + " Hz must be a finite frequency >= 0");
  if (f >= nyquist)
    throw InputError(where + ": " + name + " = " + num(f) + " Hz must be below the Nyquist frequency " +
                     num(nyquist) + " Hz (1 / (2 dt), dt = " + num(dt) + " s)");
}

// The order-N Butterworth at corner_hz through the bilinear transform s = (1/K)(1 - z^-1)/(1 + z^-1)
// with K = tan(pi fc dt) (prewarped: the digital corner is exactly fc). Analog poles of the normalised
// prototype lie on the unit circle at angles pi (2k + 1) / (2N) from the imaginary axis; a conjugate
// pair gives s^2 + 2 sin(theta) s + 1, an odd N one real pole s + 1.
void add_butterworth(std::vector<SecondOrderSection>& sections, double corner_hz, double dt, int order,
                     bool high_pass) {
  const double k = std::tan(std::numbers::pi * corner_hz * dt), k2 = k * k;
  for (int pair = 0; pair < order / 2; ++pair) {
    const double damping = 2 * std::sin(std::numbers::pi * (2 * pair + 1) / (2 * order));
    const double d = 1 + damping * k + k2;
    SecondOrderSection s;
    if (high_pass) {
      s.b0 = 1 / d, s.b1 = -2 / d, s.b2 = 1 / d;
    } else {
      s.b0 = k2 / d, s.b1 = 2 * k2 / d, s.b2 = k2 / d;
    }
    s.a1 = 2 * (k2 - 1) / d;
    s.a2 = (1 - damping * k + k2) / d;
    sections.push_back(s);
  }
  if (order % 2) {
    SecondOrderSection s;
    const double d = 1 + k;
    if (high_pass) {
      s.b0 = 1 / d, s.b1 = -1 / d;
    } else {
      s.b0 = k / d, s.b1 = k / d;
    }
    s.a1 = (k - 1) / d;
    sections.push_back(s);
  }
}

// The largest pole radius of z^2 + a1 z + a2.
double pole_radius(const SecondOrderSection& s) {
  const double discriminant = s.a1 * s.a1 - 4 * s.a2;
  if (discriminant < 0) return std::sqrt(s.a2);
  const double root = std::sqrt(discriminant);
  return std::max(std::abs(-s.a1 + root), std::abs(-s.a1 - root)) / 2;
}

}  // namespace

void Band::validate(double dt, const std::string& where) const {
  validate_dt(dt, where);
  validate_corner(low_hz, dt, "the band's low corner low_hz", where);
  validate_corner(high_hz, dt, "the band's high corner high_hz", where);
  if (low_hz >= high_hz)
    throw InputError(where + ": the band [" + num(low_hz) + ", " + num(high_hz) +
                     "] Hz is empty: low_hz must be below high_hz");
}

ZeroPhaseFilter::ZeroPhaseFilter(double low_hz, double high_hz, double dt, int order) : dt_(dt) {
  if (low_hz > 0) add_butterworth(sections_, low_hz, dt, order, true);
  if (high_hz > 0) add_butterworth(sections_, high_hz, dt, order, false);
  double radius = 0;
  for (const SecondOrderSection& s : sections_) radius = std::max(radius, pole_radius(s));
  // A pole of radius r rings as r^n (times a polynomial for the repeated poles of a band-pass's
  // cascade: ringing_left leaves margin for that).
  if (radius > 0) padding_ = std::size_t(std::ceil(std::log(ringing_left) / std::log(radius)));
}

ZeroPhaseFilter ZeroPhaseFilter::low_pass(double high_hz, double dt, int order) {
  const std::string where = "low-pass filter";
  validate_order(order, where);
  Band{0, high_hz}.validate(dt, where);
  return ZeroPhaseFilter(0, high_hz, dt, order);
}

ZeroPhaseFilter ZeroPhaseFilter::high_pass(double low_hz, double dt, int order) {
  const std::string where = "high-pass filter";
  validate_order(order, where);
  validate_dt(dt, where);
  validate_corner(low_hz, dt, "the corner low_hz", where);
  if (!(low_hz > 0))
    throw InputError(where + ": the corner low_hz = " + num(low_hz) + " Hz must be positive");
  return ZeroPhaseFilter(low_hz, 0, dt, order);
}

ZeroPhaseFilter ZeroPhaseFilter::band_pass(const Band& band, double dt, int order) {
  const std::string where = "band-pass filter";
  validate_order(order, where);
  band.validate(dt, where);
  return ZeroPhaseFilter(band.low_hz, band.high_hz, dt, order);
}

void ZeroPhaseFilter::filter_padded(std::vector<double>& buffer) const {
  // Forward (causal, zero state), then the same sections backward: L^T L, zero phase.
  for (const SecondOrderSection& s : sections_) {
    double z1 = 0, z2 = 0;  // transposed direct form II
    for (double& v : buffer) {
      const double x = v, y = s.b0 * x + z1;
      z1 = s.b1 * x - s.a1 * y + z2;
      z2 = s.b2 * x - s.a2 * y;
      v = y;
    }
  }
  for (const SecondOrderSection& s : sections_) {
    double z1 = 0, z2 = 0;
    for (auto it = buffer.rbegin(); it != buffer.rend(); ++it) {
      const double x = *it, y = s.b0 * x + z1;
      z1 = s.b1 * x - s.a1 * y + z2;
      z2 = s.b2 * x - s.a2 * y;
      *it = y;
    }
  }
}

void ZeroPhaseFilter::apply(std::span<double> trace) const {
  std::vector<double> buffer(trace.size() + 2 * padding_, 0.0);
  std::copy(trace.begin(), trace.end(), buffer.begin() + std::ptrdiff_t(padding_));
  filter_padded(buffer);
  std::copy_n(buffer.begin() + std::ptrdiff_t(padding_), trace.size(), trace.begin());
}

void ZeroPhaseFilter::apply_to_traces(std::span<double> traces, std::size_t nt) const {
  if (nt == 0 || traces.size() % nt != 0)
    throw std::invalid_argument("filter: " + std::to_string(traces.size()) + " samples are not traces of " +
                                std::to_string(nt));
  for (std::size_t first = 0; first < traces.size(); first += nt) apply(traces.subspan(first, nt));
}

void ZeroPhaseFilter::apply_to_traces(std::span<float> traces, std::size_t nt) const {
  if (nt == 0 || traces.size() % nt != 0)
    throw std::invalid_argument("filter: " + std::to_string(traces.size()) + " samples are not traces of " +
                                std::to_string(nt));
  std::vector<double> trace(nt);
  for (std::size_t first = 0; first < traces.size(); first += nt) {
    std::copy_n(traces.begin() + std::ptrdiff_t(first), nt, trace.begin());
    apply(trace);
    std::transform(trace.begin(), trace.end(), traces.begin() + std::ptrdiff_t(first),
                   [](double v) { return float(v); });
  }
}

double ZeroPhaseFilter::gain(double f_hz) const {
  const std::complex<double> z1 = std::polar(1.0, -2 * std::numbers::pi * f_hz * dt_), z2 = z1 * z1;
  double g = 1;
  for (const SecondOrderSection& s : sections_)
    g *= std::norm((s.b0 + s.b1 * z1 + s.b2 * z2) / (1.0 + s.a1 * z1 + s.a2 * z2));
  return g;
}

void low_pass(std::span<double> trace, double high_hz, double dt, int order) {
  ZeroPhaseFilter::low_pass(high_hz, dt, order).apply(trace);
}

void high_pass(std::span<double> trace, double low_hz, double dt, int order) {
  ZeroPhaseFilter::high_pass(low_hz, dt, order).apply(trace);
}

void band_pass(std::span<double> trace, const Band& band, double dt, int order) {
  ZeroPhaseFilter::band_pass(band, dt, order).apply(trace);
}

}  // namespace seiswg::signal
