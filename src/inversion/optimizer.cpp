#include "inversion/optimizer.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <limits>
#include <stdexcept>
#include <utility>

#include "io/error.hpp"

namespace seiswg::inversion {

namespace {

constexpr double infinity = std::numeric_limits<double>::infinity();
constexpr double not_a_number = std::numeric_limits<double>::quiet_NaN();
// An L-BFGS pair is kept only when s.y > this x |s| |y|: flatter pairs would make H nearly singular.
constexpr double curvature_epsilon = 1e-10;
// The zoom stops when its interval is this narrow relative to alpha: further trials repeat points.
constexpr double narrowest_interval = 1e-12;

std::string num(double v) {
  char text[32];
  std::snprintf(text, sizeof text, "%.6g", v);
  return text;
}

double dot(std::span<const double> a, std::span<const double> b) {
  double sum = 0;
  for (std::size_t i = 0; i < a.size(); ++i) sum += a[i] * b[i];
  return sum;
}

double max_abs(std::span<const double> a) {
  double m = 0;
  for (double v : a) m = std::max(m, std::abs(v));
  return m;
}

const char* method_name(Method m) {
  switch (m) {
    case Method::lbfgs:
      return "lbfgs";
    case Method::cg:
      return "cg";
    case Method::gd:
      return "gd";
  }
  return "?";
}

// Minimiser of the cubic through (a, fa, ga) and (b, fb, gb) (Nocedal & Wright eq. 3.59); NaN when the
// cubic has none.
double cubic_minimiser(double a, double fa, double ga, double b, double fb, double gb) {
  const double d1 = ga + gb - 3 * (fa - fb) / (a - b);
  const double radicand = d1 * d1 - ga * gb;
  if (!(radicand >= 0)) return not_a_number;
  const double d2 = std::copysign(std::sqrt(radicand), b - a);
  const double denominator = gb - ga + 2 * d2;
  if (denominator == 0) return not_a_number;
  return b - (b - a) * (gb + d2 - d1) / denominator;
}

// Minimiser of the quadratic with value fa and slope ga at a and value fb at b; NaN when it has none.
double quadratic_minimiser(double a, double fa, double ga, double b, double fb) {
  const double w = b - a, curvature = (fb - fa - ga * w) / (w * w);
  if (!(curvature > 0)) return not_a_number;
  return a - ga / (2 * curvature);
}

// --- save / restore: little-endian fields, so that a blob moves between machines (and wasm).

constexpr char magic[8] = {'S', 'W', 'G', 'O', 'P', 'T', '\0', '\1'};
constexpr std::uint32_t format_version = 1;

std::uint64_t fnv1a(std::span<const std::uint8_t> bytes) {
  std::uint64_t h = 14695981039346656037ull;
  for (std::uint8_t b : bytes) h = (h ^ b) * 1099511628211ull;
  return h;
}

class Writer {
 public:
  std::vector<std::uint8_t> bytes;
  void u64(std::uint64_t v) {
    for (int k = 0; k < 8; ++k) bytes.push_back(std::uint8_t(v >> (8 * k)));
  }
  void i64(std::int64_t v) { u64(std::uint64_t(v)); }
  void f64(double v) {
    std::uint64_t bits;
    std::memcpy(&bits, &v, sizeof bits);
    u64(bits);
  }
  void flag(bool v) { bytes.push_back(v ? 1 : 0); }
  void vec(const std::vector<double>& v) {
    u64(v.size());
    for (double d : v) f64(d);
  }
  void text(const std::string& s) {
    u64(s.size());
    bytes.insert(bytes.end(), s.begin(), s.end());
  }
};

class Reader {
 public:
  explicit Reader(std::span<const std::uint8_t> bytes) : bytes_(bytes) {}
  std::uint64_t u64() {
    need(8);
    std::uint64_t v = 0;
    for (int k = 0; k < 8; ++k) v |= std::uint64_t(bytes_[at_ + k]) << (8 * k);
    at_ += 8;
    return v;
  }
  std::int64_t i64() { return std::int64_t(u64()); }
  int small_int(const char* what) {
    const std::int64_t v = i64();
    if (v < 0 || v > std::numeric_limits<int>::max())
      throw InputError("optimizer state: " + std::string(what) + " = " + std::to_string(v) +
                       " is out of range (the saved state is corrupt)");
    return int(v);
  }
  double f64() {
    const std::uint64_t bits = u64();
    double v;
    std::memcpy(&v, &bits, sizeof v);
    return v;
  }
  bool flag() {
    need(1);
    const std::uint8_t v = bytes_[at_++];
    if (v > 1) throw InputError("optimizer state: a flag byte is " + std::to_string(v) + ", not 0 or 1");
    return v == 1;
  }
  // A count of items of at least one byte each: never more than the bytes left.
  std::size_t count() {
    const std::uint64_t v = u64();
    if (v > remaining())
      throw InputError("optimizer state: a count of " + std::to_string(v) + " at byte " +
                       std::to_string(at_ - 8) + " exceeds the " + std::to_string(remaining()) +
                       " bytes left (the saved state is corrupt)");
    return std::size_t(v);
  }
  // A vector that must have `expected` entries (or any number when expected is npos).
  std::vector<double> vec(std::size_t expected, const char* what) {
    const std::size_t size = count();
    if (expected != std::size_t(-1) && size != expected)
      throw InputError("optimizer state: " + std::string(what) + " has " + std::to_string(size) +
                       " entries, not " + std::to_string(expected) + " (the saved state is corrupt)");
    need(size * 8);
    std::vector<double> v(size);
    for (double& d : v) d = f64();
    return v;
  }
  std::string text() {
    const std::size_t size = count();
    std::string s(reinterpret_cast<const char*>(bytes_.data() + at_), size);
    at_ += size;
    return s;
  }
  std::size_t remaining() const { return bytes_.size() - at_; }

 private:
  void need(std::size_t count) const {
    if (bytes_.size() - at_ < count)
      throw InputError("optimizer state: truncated at byte " + std::to_string(at_) + " of " +
                       std::to_string(bytes_.size()));
  }
  std::span<const std::uint8_t> bytes_;
  std::size_t at_ = 0;
};

void validate(const OptimizerOptions& o) {
  auto fail = [](const std::string& what, double value, const std::string& rule) {
    throw InputError("optimizer: " + what + " = " + num(value) + " " + rule);
  };
  if (o.memory < 1) fail("memory", o.memory, "must be at least 1 (L-BFGS pairs kept)");
  if (o.max_trials < 1) fail("max_trials", o.max_trials, "must be at least 1 (evaluations per line search)");
  if (!(o.first_step > 0) || !std::isfinite(o.first_step))
    fail("first_step", o.first_step, "must be a positive finite fraction of max|x|");
  if (!(o.max_step > 0) || !std::isfinite(o.max_step))
    fail("max_step", o.max_step, "must be a positive finite fraction of max|x|");
  if (!(o.c1 > 0 && o.c1 < 1)) fail("c1", o.c1, "must lie in (0, 1)");
  if (!(o.c2 > o.c1 && o.c2 < 1)) fail("c2", o.c2, "must lie in (c1 = " + num(o.c1) + ", 1)");
  if (!(o.c2_cg > o.c1 && o.c2_cg < 1)) fail("c2_cg", o.c2_cg, "must lie in (c1 = " + num(o.c1) + ", 1)");
  if (!(o.gradient_tolerance >= 0 && o.gradient_tolerance < 1))
    fail("gradient_tolerance", o.gradient_tolerance, "must lie in [0, 1)");
}

void validate_bounds(const OptimizerOptions& o, std::size_t n) {
  auto check_size = [n](const std::vector<double>& b, const char* name) {
    if (!b.empty() && b.size() != n)
      throw InputError("optimizer: " + std::string(name) + " bounds have " + std::to_string(b.size()) +
                       " entries but the model has " + std::to_string(n) + " variables (or give none)");
  };
  check_size(o.lower, "lower");
  check_size(o.upper, "upper");
  for (std::size_t i = 0; i < n; ++i) {
    const double l = o.lower.empty() ? -infinity : o.lower[i], u = o.upper.empty() ? infinity : o.upper[i];
    if (std::isnan(l) || std::isnan(u) || l > u)
      throw InputError("optimizer: bounds of variable " + std::to_string(i) + " are [" + num(l) + ", " +
                       num(u) + "]: need lower <= upper, not NaN");
  }
}

}  // namespace

Optimizer::Optimizer(OptimizerOptions options, std::vector<double> x0)
    : options_(std::move(options)), n_(x0.size()) {
  validate(options_);
  if (n_ == 0) throw InputError("optimizer: the model has no variables");
  validate_bounds(options_, n_);
  for (std::size_t i = 0; i < n_; ++i) {
    if (!std::isfinite(x0[i]))
      throw InputError("optimizer: starting value " + std::to_string(i) + " is " + num(x0[i]) +
                       ": must be finite");
    if (!options_.lower.empty() && x0[i] < options_.lower[i])
      throw InputError("optimizer: starting value " + std::to_string(i) + " = " + num(x0[i]) +
                       " is below its lower bound " + num(options_.lower[i]));
    if (!options_.upper.empty() && x0[i] > options_.upper[i])
      throw InputError("optimizer: starting value " + std::to_string(i) + " = " + num(x0[i]) +
                       " is above its upper bound " + num(options_.upper[i]));
  }
  trial_x_ = std::move(x0);
  if (options_.project) {
    options_.project(trial_x_);
    if (trial_x_.size() != n_) throw std::invalid_argument("optimizer: `project` changed the model size");
    for (std::size_t i = 0; i < n_; ++i) {
      if (!options_.lower.empty()) trial_x_[i] = std::max(trial_x_[i], options_.lower[i]);
      if (!options_.upper.empty()) trial_x_[i] = std::min(trial_x_[i], options_.upper[i]);
    }
  }
  x_ = trial_x_;
  g_.assign(n_, 0.0);
  f_ = infinity;
  best_x_ = x_;
  best_f_ = infinity;
}

double Optimizer::scale() const {
  const double m = max_abs(x_);
  return m > 0 ? m : 1.0;
}

// g with the components zeroed where x sits on a bound and -g points out of the box: the variables
// that the search holds fixed. Its norm is zero exactly at a KKT point of the box.
std::vector<double> Optimizer::projected_gradient() const {
  std::vector<double> pg = g_;
  for (std::size_t i = 0; i < n_; ++i) {
    if (!options_.lower.empty() && x_[i] <= options_.lower[i] && pg[i] > 0) pg[i] = 0;
    if (!options_.upper.empty() && x_[i] >= options_.upper[i] && pg[i] < 0) pg[i] = 0;
  }
  return pg;
}

void Optimizer::reset_memory() {
  s_.clear();
  y_.clear();
  since_restart_ = 0;
  previous_gradient_.clear();
  previous_direction_.clear();
  have_previous_search_ = false;
}

void Optimizer::choose_direction() {
  const std::vector<double> pg = projected_gradient();
  auto conditioned = [this](std::vector<double> v) {
    if (options_.precondition) options_.precondition(v);
    return v;
  };
  const std::vector<double> z = conditioned(pg);
  p_.assign(n_, 0.0);
  steepest_ = true;
  if (options_.method == Method::lbfgs && !s_.empty()) {
    // Two-loop recursion with H0 = gamma P (P = I without a preconditioner), from the newest pair.
    const std::size_t m = s_.size();
    std::vector<double> q = pg, a(m), rho(m);
    for (std::size_t k = m; k-- > 0;) {
      rho[k] = 1 / dot(y_[k], s_[k]);
      a[k] = rho[k] * dot(s_[k], q);
      for (std::size_t i = 0; i < n_; ++i) q[i] -= a[k] * y_[k][i];
    }
    // With a preconditioner H0 = gamma P, gamma = s.y / y.Py (Nocedal & Wright (7.20) in P's metric).
    const double gamma = dot(s_[m - 1], y_[m - 1]) / dot(y_[m - 1], conditioned(y_[m - 1]));
    q = conditioned(std::move(q));
    for (double& v : q) v *= gamma;
    for (std::size_t k = 0; k < m; ++k) {
      const double b = rho[k] * dot(y_[k], q);
      for (std::size_t i = 0; i < n_; ++i) q[i] += s_[k][i] * (a[k] - b);
    }
    for (std::size_t i = 0; i < n_; ++i) p_[i] = -q[i];
    steepest_ = false;
  } else if (options_.method == Method::cg && !previous_gradient_.empty() && since_restart_ < int(n_)) {
    // Preconditioned Polak-Ribiere+: beta = max(0, Pg.(g - g_prev) / Pg_prev.g_prev); beta = 0 is
    // a restart. P g_prev is recomputed (P is deterministic) rather than saved.
    const double denominator = dot(conditioned(previous_gradient_), previous_gradient_);
    double numerator = 0;
    for (std::size_t i = 0; i < n_; ++i) numerator += z[i] * (pg[i] - previous_gradient_[i]);
    const double beta = denominator > 0 ? std::max(0.0, numerator / denominator) : 0.0;
    for (std::size_t i = 0; i < n_; ++i) p_[i] = -z[i] + beta * previous_direction_[i];
    steepest_ = beta == 0;
  } else {
    for (std::size_t i = 0; i < n_; ++i) p_[i] = -z[i];
  }
  // Hold the variables on a bound whose direction component points out of the box.
  for (std::size_t i = 0; i < n_; ++i) {
    if (!options_.lower.empty() && x_[i] <= options_.lower[i] && p_[i] < 0) p_[i] = 0;
    if (!options_.upper.empty() && x_[i] >= options_.upper[i] && p_[i] > 0) p_[i] = 0;
  }
  if (!steepest_ && !(dot(g_, p_) < 0)) {
    // Not a descent direction (possible after the zeroing, or for CG): restart along -P g.
    for (std::size_t i = 0; i < n_; ++i) p_[i] = -z[i];
    steepest_ = true;
  }
  if (!(dot(g_, p_) < 0)) {
    // The conditioning (a mask, say) left no descent in -P g: plain steepest descent.
    for (std::size_t i = 0; i < n_; ++i) p_[i] = -pg[i];
    steepest_ = true;
  }
  if (options_.method == Method::cg) since_restart_ = steepest_ ? 1 : since_restart_ + 1;
}

void Optimizer::start_line_search() {
  slope0_ = dot(g_, p_);
  const double x_scale = scale(), p_max = max_abs(p_);
  alpha_max_ = options_.max_step * x_scale / p_max;
  // Beyond the last breakpoint every moving variable sits on a bound: larger alphas repeat the point.
  double last_breakpoint = 0;
  for (std::size_t i = 0; i < n_ && last_breakpoint < infinity; ++i) {
    if (p_[i] > 0)
      last_breakpoint =
          std::max(last_breakpoint, options_.upper.empty() ? infinity : (options_.upper[i] - x_[i]) / p_[i]);
    else if (p_[i] < 0)
      last_breakpoint =
          std::max(last_breakpoint, options_.lower.empty() ? infinity : (options_.lower[i] - x_[i]) / p_[i]);
  }
  if (last_breakpoint > 0) alpha_max_ = std::min(alpha_max_, last_breakpoint);

  double alpha = options_.first_step * x_scale / p_max;
  if (options_.method == Method::lbfgs && !s_.empty()) {
    alpha = 1;  // the scaled quasi-Newton step
  } else if (options_.method != Method::lbfgs && have_previous_search_) {
    // Nocedal & Wright (3.60): the first-order change of f equal to the previous iteration's.
    const double guess = previous_alpha_ * previous_slope0_ / slope0_;
    if (std::isfinite(guess) && guess > 0) alpha = guess;
  }
  alpha = std::min(alpha, alpha_max_);

  phase_ = Phase::bracket;
  trials_.clear();
  previous_ = {0, f_, slope0_};
  lowest_f_ = f_;
  lowest_alpha_ = 0;
  lowest_x_.clear();
  lowest_g_.clear();
  set_trial(alpha);
}

void Optimizer::set_trial(double alpha) {
  alpha_ = alpha;
  trial_x_.resize(n_);
  for (std::size_t i = 0; i < n_; ++i) trial_x_[i] = x_[i] + alpha * p_[i];
  auto clip = [this] {
    for (std::size_t i = 0; i < n_; ++i) {
      if (!options_.lower.empty()) trial_x_[i] = std::max(trial_x_[i], options_.lower[i]);
      if (!options_.upper.empty()) trial_x_[i] = std::min(trial_x_[i], options_.upper[i]);
    }
  };
  clip();
  if (options_.project) {
    options_.project(trial_x_);
    if (trial_x_.size() != n_) throw std::invalid_argument("optimizer: `project` changed the model size");
    clip();
  }
  trial_projected_ = false;
  for (std::size_t i = 0; i < n_ && !trial_projected_; ++i)
    trial_projected_ = trial_x_[i] != x_[i] + alpha * p_[i];
}

OptimizerStep Optimizer::finish(std::string message) {
  phase_ = Phase::finished;
  finish_message_ = std::move(message);
  return {OptimizerStep::finished, finish_message_};
}

OptimizerStep Optimizer::tell(double f, std::span<const double> g) {
  if (g.size() != n_)
    throw std::invalid_argument("optimizer: the gradient has " + std::to_string(g.size()) +
                                " entries, the model " + std::to_string(n_));
  if (phase_ == Phase::finished) return {OptimizerStep::finished, finish_message_};
  ++evaluations_;
  bool finite = std::isfinite(f);
  std::size_t bad = n_;
  for (std::size_t i = 0; i < n_ && finite; ++i)
    if (!std::isfinite(g[i])) finite = false, bad = i;
  if (!finite) {
    std::string what = std::isfinite(f)
                           ? "the gradient is " + num(g[bad]) + " at variable " + std::to_string(bad)
                           : "the misfit is " + num(f);
    return finish("stopped: " + what + " at evaluation " + std::to_string(evaluations_) +
                  " (an unstable simulation? check the model's range and the time step); the best and "
                  "current models are the last finite ones");
  }
  if (f < best_f_) {
    best_f_ = f;
    best_x_ = trial_x_;
  }
  if (phase_ == Phase::start) {
    x_ = trial_x_;
    f_ = f;
    g_.assign(g.begin(), g.end());
    first_gradient_norm_ = max_abs(projected_gradient());
    if (first_gradient_norm_ == 0)
      return finish("converged: the projected gradient is zero at the starting point");
    choose_direction();
    start_line_search();
    return {OptimizerStep::accepted, "starting point: f = " + num(f)};
  }

  // Slope along p over the components that the box left where x + alpha p put them.
  double slope = 0;
  for (std::size_t i = 0; i < n_; ++i)
    if (!trial_projected_ || trial_x_[i] == x_[i] + alpha_ * p_[i]) slope += g[i] * p_[i];
  trials_.push_back({alpha_, f, slope, trial_projected_});
  const std::vector<double> g_trial(g.begin(), g.end());
  if (f < lowest_f_) {
    lowest_f_ = f;
    lowest_alpha_ = alpha_;
    lowest_x_ = trial_x_;
    lowest_g_ = g_trial;
  }
  const double c2 = options_.method == Method::cg ? options_.c2_cg : options_.c2;
  const bool sufficient = f <= f_ + options_.c1 * alpha_ * slope0_;
  const bool curvature = std::abs(slope) <= -c2 * slope0_;
  const Point here{alpha_, f, slope};
  const std::string at = " at step " + num(max_abs(p_) * alpha_ / scale()) + " of max|x| (trial " +
                         std::to_string(trials_.size()) + ")";

  if (trial_projected_) {
    double decrease = 0;  // g0 . (P(x + alpha p) - x)
    for (std::size_t i = 0; i < n_; ++i) decrease += g_[i] * (trial_x_[i] - x_[i]);
    if (decrease < 0 && f <= f_ + options_.c1 * decrease)
      return accept(trial_x_, f, g_trial, alpha_, "sufficient decrease along the projected path" + at);
    // Too far along the bent path: shrink towards the last point that met sufficient decrease.
    if (phase_ == Phase::bracket) lo_ = previous_;
    hi_ = {alpha_, f, not_a_number};
    phase_ = Phase::zoom;
  } else if (phase_ == Phase::bracket) {
    if (!sufficient || (trials_.size() > 1 && f >= previous_.f)) {
      lo_ = previous_;
      hi_ = here;
      phase_ = Phase::zoom;
    } else if (curvature) {
      return accept(trial_x_, f, g_trial, alpha_, "strong Wolfe conditions met" + at);
    } else if (slope >= 0) {
      lo_ = here;
      hi_ = previous_;
      phase_ = Phase::zoom;
    } else {
      if (alpha_ >= alpha_max_)
        return accept(trial_x_, f, g_trial, alpha_,
                      "sufficient decrease at the largest allowed step (max_step, or all moving "
                      "variables on bounds), f still descending" +
                          at);
      // Expand: safeguarded cubic extrapolation within [alpha + 1.1 d, alpha + 4 d], d = alpha - previous.
      const double d = alpha_ - previous_.alpha, low = alpha_ + 1.1 * d, high = alpha_ + 4 * d;
      double next = cubic_minimiser(previous_.alpha, previous_.f, previous_.slope, alpha_, f, slope);
      next = std::isfinite(next) && next > alpha_ ? std::clamp(next, low, high) : high;
      previous_ = here;
      if (trials_.size() >= std::size_t(options_.max_trials)) return search_exhausted();
      set_trial(std::min(next, alpha_max_));
      return {OptimizerStep::trial, "expanding the step"};
    }
  } else {  // zoom
    if (!sufficient || f >= lo_.f) {
      hi_ = here;
    } else {
      if (curvature) return accept(trial_x_, f, g_trial, alpha_, "strong Wolfe conditions met" + at);
      if (slope * (hi_.alpha - lo_.alpha) >= 0) hi_ = lo_;
      lo_ = here;
    }
  }

  // Zoom: the next trial between lo and hi, at least 10% of the interval away from either end.
  if (trials_.size() >= std::size_t(options_.max_trials)) return search_exhausted();
  const double width = hi_.alpha - lo_.alpha;
  if (std::abs(width) <= narrowest_interval * std::max(std::abs(lo_.alpha), std::abs(hi_.alpha)))
    return search_exhausted();
  double next = std::isnan(hi_.slope)
                    ? not_a_number
                    : cubic_minimiser(lo_.alpha, lo_.f, lo_.slope, hi_.alpha, hi_.f, hi_.slope);
  if (!std::isfinite(next)) next = quadratic_minimiser(lo_.alpha, lo_.f, lo_.slope, hi_.alpha, hi_.f);
  double fraction = (next - lo_.alpha) / width;
  fraction = std::isfinite(fraction) ? std::clamp(fraction, 0.1, 0.9) : 0.5;
  set_trial(lo_.alpha + fraction * width);
  if (trial_x_ == x_) return search_exhausted();  // the step underflowed
  return {OptimizerStep::trial, "narrowing the step"};
}

OptimizerStep Optimizer::search_exhausted() {
  const std::size_t count = trials_.size();
  if (lowest_f_ < f_) {
    const std::vector<double> x_new = lowest_x_, g_new = lowest_g_;
    return accept(x_new, lowest_f_, g_new, lowest_alpha_,
                  "accepted the lowest of " + std::to_string(count) + " trials: strong Wolfe not met");
  }
  if (!steepest_ && !retried_) {
    const std::string what = options_.method == Method::lbfgs ? "L-BFGS" : "conjugate-gradient";
    const std::string report = trials_report();
    reset_memory();
    retried_ = true;
    const std::vector<double> pg = projected_gradient();
    p_.assign(n_, 0.0);
    for (std::size_t i = 0; i < n_; ++i) p_[i] = -pg[i];
    steepest_ = true;
    if (options_.method == Method::cg) since_restart_ = 1;
    start_line_search();
    return {OptimizerStep::trial,
            "no trial of " + std::to_string(count) + " lowered f below " + num(f_) + " along the " + what +
                " direction: memory reset, retrying along steepest descent; trials:\n" + report};
  }
  const double relative_gradient = max_abs(projected_gradient()) / first_gradient_norm_;
  return finish("cannot decrease f = " + num(f_) + ": no trial of " + std::to_string(count) +
                " along steepest descent lowered it (max|projected gradient| is " + num(relative_gradient) +
                " of its starting value). Trials:\n" + trials_report() +
                "If f is not yet near its minimum, the gradient may be wrong or the steps too large: try a "
                "smaller first step (ls_step_init), more trials (ls_step), check the gradient with `seiswg "
                "check-gradient`, or start from a lower-frequency stage");
}

OptimizerStep Optimizer::accept(const std::vector<double>& x_new, double f_new,
                                const std::vector<double>& g_new, double alpha, std::string message) {
  std::vector<double> s(n_), y(n_);
  for (std::size_t i = 0; i < n_; ++i) s[i] = x_new[i] - x_[i], y[i] = g_new[i] - g_[i];
  last_step_ = max_abs(s) / scale();
  if (options_.method == Method::lbfgs) {
    // Keep the pair only when it has positive curvature: it keeps H positive definite.
    const double sy = dot(s, y), s_norm = std::sqrt(dot(s, s)), y_norm = std::sqrt(dot(y, y));
    if (sy > curvature_epsilon * s_norm * y_norm) {
      s_.push_back(std::move(s));
      y_.push_back(std::move(y));
      if (s_.size() > std::size_t(options_.memory)) {
        s_.erase(s_.begin());
        y_.erase(y_.begin());
      }
    } else {
      message += " (its curvature pair s.y = " + num(sy) + " was dropped)";
    }
  }
  if (options_.method == Method::cg) {
    previous_gradient_ = projected_gradient();
    previous_direction_ = p_;
  }
  have_previous_search_ = true;
  previous_alpha_ = alpha;
  previous_slope0_ = slope0_;

  x_ = x_new;
  f_ = f_new;
  g_ = g_new;
  ++iterations_;
  retried_ = false;
  message = "iteration " + std::to_string(iterations_) + ": f = " + num(f_) + ", " + message;
  const double gradient_norm = max_abs(projected_gradient());
  if (gradient_norm == 0 || gradient_norm <= options_.gradient_tolerance * first_gradient_norm_)
    return finish(message + "; converged: max|projected gradient| is " +
                  num(gradient_norm / first_gradient_norm_) + " of its starting value");
  choose_direction();
  start_line_search();
  return {OptimizerStep::accepted, message};
}

std::string Optimizer::trials_report() const {
  std::string report;
  const double p_max = max_abs(p_), x_scale = scale();
  for (std::size_t k = 0; k < trials_.size(); ++k) {
    const Trial& t = trials_[k];
    report += "  trial " + std::to_string(k + 1) + ": step " + num(p_max * t.alpha / x_scale) +
              " of max|x| (alpha " + num(t.alpha) + "), f = " + num(t.f) + ", slope = " + num(t.slope) +
              (t.projected ? " (projected onto the bounds)" : "") + "\n";
  }
  return report;
}

std::vector<std::uint8_t> Optimizer::save() const {
  Writer w;
  w.bytes.assign(std::begin(magic), std::end(magic));
  w.u64(format_version);
  w.u64(std::uint64_t(options_.method));
  w.u64(n_);
  w.u64(std::uint64_t(phase_));
  w.text(finish_message_);
  w.vec(x_);
  w.vec(g_);
  w.f64(f_);
  w.f64(first_gradient_norm_);
  w.vec(p_);
  w.f64(slope0_);
  w.flag(steepest_);
  w.flag(retried_);
  w.f64(alpha_);
  w.f64(alpha_max_);
  w.vec(trial_x_);
  w.flag(trial_projected_);
  w.u64(trials_.size());
  for (const Trial& t : trials_) {
    w.f64(t.alpha);
    w.f64(t.f);
    w.f64(t.slope);
    w.flag(t.projected);
  }
  for (const Point* point : {&previous_, &lo_, &hi_}) {
    w.f64(point->alpha);
    w.f64(point->f);
    w.f64(point->slope);
  }
  w.vec(lowest_x_);
  w.vec(lowest_g_);
  w.f64(lowest_f_);
  w.f64(lowest_alpha_);
  w.u64(s_.size());
  for (std::size_t k = 0; k < s_.size(); ++k) {
    w.vec(s_[k]);
    w.vec(y_[k]);
  }
  w.vec(previous_gradient_);
  w.vec(previous_direction_);
  w.i64(since_restart_);
  w.flag(have_previous_search_);
  w.f64(previous_alpha_);
  w.f64(previous_slope0_);
  w.vec(best_x_);
  w.f64(best_f_);
  w.i64(iterations_);
  w.i64(evaluations_);
  w.f64(last_step_);
  w.u64(fnv1a(w.bytes));
  return std::move(w.bytes);
}

Optimizer Optimizer::restore(OptimizerOptions options, std::span<const std::uint8_t> saved) {
  return restore(std::move(options), saved, std::size_t(-1));
}

Optimizer Optimizer::restore(OptimizerOptions options, std::span<const std::uint8_t> saved,
                             std::size_t expected_size) {
  validate(options);
  if (saved.size() < sizeof magic + 8 || std::memcmp(saved.data(), magic, sizeof magic) != 0)
    throw InputError("optimizer state: not a saved optimizer state (wrong header)");
  {
    Reader check(saved.subspan(saved.size() - 8));
    if (check.u64() != fnv1a(saved.first(saved.size() - 8)))
      throw InputError("optimizer state: checksum mismatch (the saved state is corrupt or truncated)");
  }
  Reader r(saved.first(saved.size() - 8).subspan(sizeof magic));
  const std::uint64_t version = r.u64();
  if (version != format_version)
    throw InputError("optimizer state: format version " + std::to_string(version) + ", this build reads " +
                     std::to_string(format_version));
  const std::uint64_t method = r.u64();
  if (method > std::uint64_t(Method::gd))
    throw InputError("optimizer state: method code " + std::to_string(method) + " is unknown");
  if (Method(method) != options.method)
    throw InputError(std::string("optimizer state: saved by method ") + method_name(Method(method)) +
                     ", but the options ask for " + method_name(options.method));
  Optimizer o;
  o.n_ = r.count();
  if (o.n_ == 0)
    throw InputError("optimizer state: " + std::to_string(o.n_) + " variables (the saved state is corrupt)");
  if (expected_size != std::size_t(-1) && o.n_ != expected_size)
    throw InputError("optimizer state: saved for " + std::to_string(o.n_) + " variables, the model has " +
                     std::to_string(expected_size));
  validate_bounds(options, o.n_);
  o.options_ = std::move(options);
  const std::uint64_t phase = r.u64();
  if (phase > std::uint64_t(Phase::finished))
    throw InputError("optimizer state: phase code " + std::to_string(phase) + " is unknown");
  o.phase_ = Phase(phase);
  o.finish_message_ = r.text();
  const std::size_t n = o.n_, any = std::size_t(-1);
  o.x_ = r.vec(n, "x");
  o.g_ = r.vec(n, "g");
  o.f_ = r.f64();
  o.first_gradient_norm_ = r.f64();
  o.p_ = r.vec(o.phase_ == Phase::start ? any : n, "p");
  o.slope0_ = r.f64();
  o.steepest_ = r.flag();
  o.retried_ = r.flag();
  o.alpha_ = r.f64();
  o.alpha_max_ = r.f64();
  o.trial_x_ = r.vec(n, "trial point");
  o.trial_projected_ = r.flag();
  o.trials_.resize(r.count());
  for (Trial& t : o.trials_) {
    t.alpha = r.f64();
    t.f = r.f64();
    t.slope = r.f64();
    t.projected = r.flag();
  }
  for (Point* point : {&o.previous_, &o.lo_, &o.hi_}) {
    point->alpha = r.f64();
    point->f = r.f64();
    point->slope = r.f64();
  }
  o.lowest_x_ = r.vec(any, "lowest trial");
  o.lowest_g_ = r.vec(o.lowest_x_.size(), "lowest trial's gradient");
  if (!o.lowest_x_.empty() && o.lowest_x_.size() != n)
    throw InputError("optimizer state: the lowest trial has the wrong size (the saved state is corrupt)");
  o.lowest_f_ = r.f64();
  o.lowest_alpha_ = r.f64();
  const std::size_t pairs = r.count();
  for (std::size_t k = 0; k < pairs; ++k) {
    o.s_.push_back(r.vec(n, "s"));
    o.y_.push_back(r.vec(n, "y"));
  }
  // A run resumed with less memory keeps the newest pairs.
  while (o.s_.size() > std::size_t(o.options_.memory)) {
    o.s_.erase(o.s_.begin());
    o.y_.erase(o.y_.begin());
  }
  o.previous_gradient_ = r.vec(any, "previous gradient");
  o.previous_direction_ = r.vec(o.previous_gradient_.size(), "previous direction");
  o.since_restart_ = r.small_int("iterations since restart");
  o.have_previous_search_ = r.flag();
  o.previous_alpha_ = r.f64();
  o.previous_slope0_ = r.f64();
  o.best_x_ = r.vec(n, "best point");
  o.best_f_ = r.f64();
  o.iterations_ = r.small_int("iterations");
  o.evaluations_ = r.small_int("evaluations");
  o.last_step_ = r.f64();
  if (r.remaining() != 0)
    throw InputError("optimizer state: " + std::to_string(r.remaining()) +
                     " bytes left over (the saved state is corrupt)");
  return o;
}

}  // namespace seiswg::inversion
