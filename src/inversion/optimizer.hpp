#pragma once
// Bound-constrained local optimizers for full waveform inversion (L-BFGS, nonlinear conjugate
// gradients, steepest descent) as an ask/tell state machine: the caller evaluates f and g at point()
// (one GPU forward + adjoint run, seconds each), tells the result, and may save() the whole state after
// every evaluation, so that a killed run restore()s and continues bit-identically.
//
// Pure host code without files or threads, so that it also builds with Emscripten.
#include <cstddef>
#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <vector>

namespace seiswg::inversion {

enum class Method { lbfgs, cg, gd };

struct OptimizerOptions {
  Method method = Method::lbfgs;
  int memory = 5;            // L-BFGS pairs kept
  int max_trials = 10;       // evaluations per line search at most
  double first_step = 0.05;  // first trial of a line search without a better guess moves x by this
                             // fraction of max|x| (inf-norm of the change / inf-norm of x; 1 when x = 0)
  double max_step = 0.5;     // no trial moves x by more than this fraction of max|x| (inf-norm)
  double c1 = 1e-4;          // sufficient decrease
  double c2 = 0.9;           // curvature (strong Wolfe) for lbfgs and gd
  double c2_cg = 0.1;        // curvature for cg: its directions need the more exact line search
  // The search stops ("converged") when max|projected gradient| falls to this fraction of its value at
  // the starting point.
  double gradient_tolerance = 1e-12;
  std::vector<double> lower, upper;  // per-variable bounds (empty: none); may be -inf/+inf
  // Optional extra projection applied after the box (e.g. a vp/vs ratio range coupling two variables
  // of a node); must be idempotent. The box is applied again after it, so bounds always hold.
  std::function<void(std::vector<double>&)> project;
  // Optional preconditioner: applies a symmetric positive semi-definite operator P to a gradient in
  // place (gradient conditioning: smoothing, masks, depth weights). Directions become -P g (gd),
  // preconditioned Polak-Ribiere+ (cg) and the two-loop recursion with H0 = gamma P (lbfgs); the line
  // search still measures the true slope g.p, so its conditions stay exact. Must be deterministic
  // (it is not saved: restore() takes it from the options again).
  std::function<void(std::vector<double>&)> precondition;
};

struct OptimizerStep {
  // trial: evaluate point() again. accepted: a new iterate (current_point()); point() is already the
  // first trial of the next line search (the first tell(), at x0, also answers accepted, with
  // iterations() still 0). finished: nothing more to do (converged, cannot decrease, or f/g not
  // finite): see message; current_point() holds the last accepted iterate.
  enum Kind { trial, accepted, finished } kind;
  std::string message;  // plain words, for the log
};

// Line search: strong Wolfe (Nocedal & Wright, Alg. 3.5 bracketing + 3.6 zoom, safeguarded cubic or
// quadratic interpolation), one trial per tell(). Bounds: projected search. Direction components that
// point out of the box at variables on a bound are zeroed, trials are P(x + alpha p) (box, then
// `project`, then the box again), and alpha never exceeds the step beyond which P no longer changes.
// A trial that P changed is accepted on sufficient decrease along the projected path alone
// (f <= f0 + c1 g0.(P(x + alpha p) - x)); every other accepted trial meets strong Wolfe, except when
// the search stops at max_step (descending still) or after max_trials (then the lowest trial that
// lowered f is taken: the message says which).
class Optimizer {
 public:
  // Throws InputError if an option is out of range, the bounds do not have x0's size or cross, or x0
  // is not finite or violates a bound (naming the index, value and bound). x0 is evaluated as given,
  // after `project` (which must leave a feasible x0 unchanged).
  Optimizer(OptimizerOptions options, std::vector<double> x0);

  const std::vector<double>& point() const { return trial_x_; }  // where f and g are wanted next
  // f and g at point(). Throws std::invalid_argument if g does not have point()'s size. After
  // `finished`, every further tell() answers `finished` again without counting an evaluation.
  OptimizerStep tell(double f, std::span<const double> g);

  int iterations() const { return iterations_; }  // accepted iterates so far (x0 not counted)
  int evaluations() const { return evaluations_; }
  bool finished() const { return phase_ == Phase::finished; }
  // The lowest f seen at an evaluated point (+inf before the first finite one).
  const std::vector<double>& best_point() const { return best_x_; }
  double best_value() const { return best_f_; }
  // The last accepted iterate (x0 until the first acceptance; f = +inf before x0 is evaluated).
  const std::vector<double>& current_point() const { return x_; }
  double current_value() const { return f_; }
  const std::vector<double>& current_gradient() const { return g_; }
  double last_step() const { return last_step_; }  // last accepted max|change| / max|x| (0 before)
  // The current (or last) line search's trials, one line each: relative step, alpha, f, slope g.p.
  std::string trials_report() const;

  // The complete state: a versioned header, every double bit-exact (little-endian), a checksum.
  std::vector<std::uint8_t> save() const;
  // Continues a saved run. The options may differ in the line-search tuning (max_trials, ...) but
  // must have the saved method; bounds, when given, must have the saved size. Throws InputError on a
  // corrupt blob or a mismatch (version, method, size).
  static Optimizer restore(OptimizerOptions options, std::span<const std::uint8_t> saved);
  // The same, also checking that the saved run has `expected_size` variables.
  static Optimizer restore(OptimizerOptions options, std::span<const std::uint8_t> saved,
                           std::size_t expected_size);

 private:
  enum class Phase : std::uint8_t { start, bracket, zoom, finished };
  struct Trial {
    double alpha = 0, f = 0, slope = 0;  // slope: g(trial) . p over the components P left alone
    bool projected = false;              // P changed x + alpha p
  };
  struct Point {  // a line-search end point: alpha, f, slope (NaN: unknown, after a projected trial)
    double alpha = 0, f = 0, slope = 0;
  };

  Optimizer() = default;
  OptimizerStep accept(const std::vector<double>& x_new, double f_new, const std::vector<double>& g_new,
                       double alpha, std::string message);
  OptimizerStep finish(std::string message);
  OptimizerStep search_exhausted();
  void choose_direction();
  void start_line_search();
  void set_trial(double alpha);
  void reset_memory();
  std::vector<double> projected_gradient() const;
  double scale() const;  // max|x|, or 1 when x = 0

  OptimizerOptions options_;
  std::size_t n_ = 0;
  Phase phase_ = Phase::start;
  std::string finish_message_;

  // The current iterate.
  std::vector<double> x_, g_;
  double f_ = 0;
  double first_gradient_norm_ = 0;

  // The current line search.
  std::vector<double> p_;
  double slope0_ = 0;             // g . p at x
  bool steepest_ = true;          // p is the (projected) steepest descent direction
  bool retried_ = false;          // this iterate's search already restarted along -g
  double alpha_ = 0;              // the trial's alpha
  double alpha_max_ = 0;          // max_step and the bounds' last breakpoint
  std::vector<double> trial_x_;   // P(x + alpha p)
  bool trial_projected_ = false;  // P changed x + alpha p
  std::vector<Trial> trials_;
  Point previous_;  // bracketing: the previous trial (alpha 0: x)
  Point lo_, hi_;   // zoom: lo has the lowest sufficient-decrease f; the minimiser lies between
  std::vector<double> lowest_x_, lowest_g_;  // the trial with the lowest f so far (if below f_)
  double lowest_f_ = 0, lowest_alpha_ = 0;

  // L-BFGS pairs, oldest first.
  std::vector<std::vector<double>> s_, y_;
  // CG: the previous projected gradient and direction; iterations since the last restart.
  std::vector<double> previous_gradient_, previous_direction_;
  int since_restart_ = 0;
  // cg / gd first step: the last accepted alpha and its search's initial slope.
  bool have_previous_search_ = false;
  double previous_alpha_ = 0, previous_slope0_ = 0;

  std::vector<double> best_x_;
  double best_f_ = 0;
  int iterations_ = 0, evaluations_ = 0;
  double last_step_ = 0;
};

}  // namespace seiswg::inversion
