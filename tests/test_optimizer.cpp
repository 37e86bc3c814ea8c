#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <functional>
#include <limits>
#include <string>
#include <vector>

#include "inversion/optimizer.hpp"
#include "io/error.hpp"

namespace {

using seiswg::InputError;
using seiswg::inversion::Method;
using seiswg::inversion::Optimizer;
using seiswg::inversion::OptimizerOptions;
using seiswg::inversion::OptimizerStep;

// f and its gradient at x.
using Objective = std::function<double(const std::vector<double>& x, std::vector<double>& g)>;

double rosenbrock(const std::vector<double>& x, std::vector<double>& g) {
  const double a = x[1] - x[0] * x[0], b = 1 - x[0];
  g = {-400 * x[0] * a - 2 * b, 200 * a};
  return 100 * a * a + b * b;
}

// 1/2 (x - x*)^T A (x - x*) with A = D^1/2 T D^1/2, T tridiagonal (1 on the diagonal, 0.3 beside),
// D from 1 to 40: condition number ~100.
struct Quadratic {
  static constexpr int n = 10;
  std::vector<double> minimiser, a;
  Quadratic() : minimiser(n), a(n * n, 0.0) {
    std::vector<double> d(n);
    for (int i = 0; i < n; ++i) {
      d[i] = std::pow(40.0, double(i) / (n - 1));
      minimiser[i] = 1.0 + 0.25 * i * (i % 2 ? -1 : 1);
    }
    for (int i = 0; i < n; ++i) {
      a[i * n + i] = d[i];
      if (i + 1 < n) a[i * n + i + 1] = a[(i + 1) * n + i] = 0.3 * std::sqrt(d[i] * d[i + 1]);
    }
  }
  double operator()(const std::vector<double>& x, std::vector<double>& g) const {
    g.assign(n, 0.0);
    double f = 0;
    for (int i = 0; i < n; ++i) {
      for (int j = 0; j < n; ++j) g[i] += a[i * n + j] * (x[j] - minimiser[j]);
      f += 0.5 * (x[i] - minimiser[i]) * g[i];
    }
    return f;
  }
};

struct Told {
  std::vector<double> x, g;
  double f;
  OptimizerStep step;
};

// Drives the optimizer until `finished` or `max_evaluations`; records every tell.
std::vector<Told> drive(Optimizer& opt, const Objective& objective, int max_evaluations) {
  std::vector<Told> log;
  for (int k = 0; k < max_evaluations; ++k) {
    Told t;
    t.x = opt.point();
    t.f = objective(t.x, t.g);
    t.step = opt.tell(t.f, t.g);
    log.push_back(t);
    if (t.step.kind == OptimizerStep::finished) break;
  }
  return log;
}

double distance(const std::vector<double>& a, const std::vector<double>& b) {
  double m = 0;
  for (std::size_t i = 0; i < a.size(); ++i) m = std::max(m, std::abs(a[i] - b[i]));
  return m;
}

OptimizerOptions with_method(Method m) {
  OptimizerOptions o;
  o.method = m;
  return o;
}

std::vector<double> quadratic_start() { return std::vector<double>(Quadratic::n, 3.0); }

TEST(Optimizer, LbfgsReachesQuadraticMinimiser) {
  const Quadratic q;
  Optimizer opt(with_method(Method::lbfgs), quadratic_start());
  drive(opt, q, 300);
  EXPECT_LT(distance(opt.best_point(), q.minimiser), 1e-6);
  EXPECT_LT(opt.evaluations(), 150);
}

TEST(Optimizer, CgReachesQuadraticMinimiser) {
  const Quadratic q;
  Optimizer opt(with_method(Method::cg), quadratic_start());
  drive(opt, q, 600);
  EXPECT_LT(distance(opt.best_point(), q.minimiser), 1e-5);
}

TEST(Optimizer, GdDecreasesQuadratic) {
  const Quadratic q;
  Optimizer opt(with_method(Method::gd), quadratic_start());
  std::vector<double> g;
  const double f0 = q(quadratic_start(), g);
  drive(opt, q, 200);
  EXPECT_LT(opt.best_value(), 1e-2 * f0);
  EXPECT_EQ(opt.best_value(), opt.current_value());
}

// A preconditioner close to the inverse Hessian (here its diagonal inverse) must speed every method
// up, and the line search must still see the true slope: each method reaches the minimiser in fewer
// evaluations than without it.
TEST(Optimizer, DiagonalPreconditionerSpeedsUpEveryMethod) {
  const Quadratic q;
  for (const Method method : {Method::gd, Method::cg, Method::lbfgs}) {
    auto plain = with_method(method), conditioned = with_method(method);
    conditioned.precondition = [&q](std::vector<double>& g) {
      for (int i = 0; i < Quadratic::n; ++i) g[i] /= q.a[i * Quadratic::n + i];
    };
    Optimizer a(plain, quadratic_start()), b(conditioned, quadratic_start());
    auto evaluations_to = [&](Optimizer& opt) {
      std::vector<double> g;
      for (int k = 0; k < 400; ++k) {
        const double f = q(opt.point(), g);
        if (f < 1e-10 || opt.tell(f, g).kind == OptimizerStep::finished) return k + 1;
      }
      return 400;
    };
    const int without = evaluations_to(a), with = evaluations_to(b);
    EXPECT_LT(with, without) << "method " << int(method);
    EXPECT_LT(with, 60) << "method " << int(method);
  }
}

TEST(Optimizer, LbfgsReachesRosenbrockMinimiser) {
  Optimizer opt(with_method(Method::lbfgs), {-1.2, 1.0});
  drive(opt, rosenbrock, 500);
  EXPECT_LT(distance(opt.best_point(), {1.0, 1.0}), 1e-6)
      << opt.best_point()[0] << " " << opt.best_point()[1];
  EXPECT_LT(opt.evaluations(), 300);
}

TEST(Optimizer, CgReachesRosenbrockMinimiser) {
  Optimizer opt(with_method(Method::cg), {-1.2, 1.0});
  drive(opt, rosenbrock, 3000);
  EXPECT_LT(distance(opt.best_point(), {1.0, 1.0}), 1e-4)
      << opt.best_point()[0] << " " << opt.best_point()[1];
}

TEST(Optimizer, GdDecreasesRosenbrock) {
  Optimizer opt(with_method(Method::gd), {-1.2, 1.0});
  drive(opt, rosenbrock, 300);
  EXPECT_LT(opt.best_value(), 0.5);  // 24.2 at the start
  EXPECT_GT(opt.iterations(), 10);
}

// Every step accepted as "strong Wolfe conditions met" satisfies both inequalities, checked from the
// values told: d = x_new - x_old, f_new <= f_old + c1 g_old.d and |g_new.d| <= c2 |g_old.d|.
TEST(Optimizer, AcceptedStepsMeetStrongWolfe) {
  const Quadratic q;
  for (Method m : {Method::lbfgs, Method::cg, Method::gd}) {
    for (int problem = 0; problem < 2; ++problem) {
      OptimizerOptions o = with_method(m);
      const double c2 = m == Method::cg ? o.c2_cg : o.c2;
      Optimizer opt(o, problem == 0 ? quadratic_start() : std::vector<double>{-1.2, 1.0});
      const auto log = drive(opt, problem == 0 ? Objective(q) : Objective(rosenbrock), 400);
      int checked = 0;
      const Told* current = nullptr;
      for (const Told& t : log) {
        if (t.step.kind != OptimizerStep::accepted) continue;
        if (current && t.step.message.find("strong Wolfe conditions met") != std::string::npos) {
          double slope0 = 0, slope1 = 0;
          for (std::size_t i = 0; i < t.x.size(); ++i) {
            slope0 += current->g[i] * (t.x[i] - current->x[i]);
            slope1 += t.g[i] * (t.x[i] - current->x[i]);
          }
          EXPECT_LT(slope0, 0);
          EXPECT_LE(t.f, current->f + o.c1 * slope0) << t.step.message;
          EXPECT_LE(std::abs(slope1), c2 * std::abs(slope0) * (1 + 1e-12)) << t.step.message;
          ++checked;
        }
        current = &t;
      }
      EXPECT_GT(checked, 5) << "method " << int(m) << " problem " << problem;
    }
  }
}

TEST(Optimizer, BoundsGiveConstrainedMinimiser) {
  const Quadratic q;
  for (Method m : {Method::lbfgs, Method::cg, Method::gd}) {
    OptimizerOptions o = with_method(m);
    // The unconstrained minimiser lies outside for several variables (1.5, 0.25, 2, -0.75, ...).
    o.lower.assign(Quadratic::n, 0.5);
    o.upper.assign(Quadratic::n, 1.8);
    o.lower[3] = -std::numeric_limits<double>::infinity();
    o.upper[4] = std::numeric_limits<double>::infinity();
    Optimizer opt(o, std::vector<double>(Quadratic::n, 1.7));
    const auto log = drive(opt, q, m == Method::gd ? 3000 : 600);
    for (const Told& t : log)
      for (int i = 0; i < Quadratic::n; ++i) {
        ASSERT_GE(t.x[i], o.lower[i]);
        ASSERT_LE(t.x[i], o.upper[i]);
      }
    // KKT: free variables have zero gradient, those on a bound a gradient pushing outward.
    std::vector<double> g;
    const std::vector<double> x = opt.best_point();
    q(x, g);
    int on_bound = 0;
    const double tolerance = m == Method::gd ? 1e-4 : 1e-7;
    for (int i = 0; i < Quadratic::n; ++i) {
      if (x[i] == o.lower[i]) {
        EXPECT_GE(g[i], -tolerance) << i;
        ++on_bound;
      } else if (x[i] == o.upper[i]) {
        EXPECT_LE(g[i], tolerance) << i;
        ++on_bound;
      } else {
        EXPECT_NEAR(g[i], 0, tolerance) << "method " << int(m) << " variable " << i << " at " << x[i];
      }
    }
    EXPECT_GE(on_bound, 2);
  }
}

// A `project` coupling two variables (the nearest point with x1 <= 2 x0 - 0.5, a constraint in the
// way of the minimiser (0.3, 1)) is respected by every point, and the result is the minimiser on that
// constraint's edge.
TEST(Optimizer, ExtraProjectionHoldsAtEveryPoint) {
  OptimizerOptions o;
  o.lower = {0, 0};
  o.upper = {3, 3};
  o.project = [](std::vector<double>& x) {
    const double excess = x[1] - 2 * x[0] + 0.5;
    if (excess > 0) x[0] += 2 * excess / 5, x[1] -= excess / 5;
  };
  Optimizer opt(o, {2.0, 0.5});
  auto f = [](const std::vector<double>& x, std::vector<double>& g) {
    g = {2 * (x[0] - 0.3), 2 * (x[1] - 1)};
    return (x[0] - 0.3) * (x[0] - 0.3) + (x[1] - 1) * (x[1] - 1);
  };
  const auto log = drive(opt, f, 400);
  for (const Told& t : log) ASSERT_LE(t.x[1], 2 * t.x[0] - 0.5 + 1e-12);
  // On the edge x1 = 2 x0 - 0.5 the minimum of f is at x0 = 0.66, x1 = 0.82.
  EXPECT_LT(distance(opt.best_point(), {0.66, 0.82}), 1e-6);
}

TEST(Optimizer, SaveAfterEveryTellRestoresBitIdentically) {
  const Quadratic q;
  for (Method m : {Method::lbfgs, Method::cg, Method::gd}) {
    for (int bounded = 0; bounded < 2; ++bounded) {
      OptimizerOptions o = with_method(m);
      if (bounded) {
        o.lower = {-1.5, 0.0};
        o.upper = {0.9, 0.7};
      }
      Optimizer straight(o, {-1.2, 0.5});
      const auto reference = drive(straight, rosenbrock, 120);
      Optimizer resumed(o, {-1.2, 0.5});
      resumed = Optimizer::restore(o, resumed.save());  // before the first evaluation
      for (std::size_t k = 0; k < reference.size(); ++k) {
        const std::vector<double> x = resumed.point();
        ASSERT_EQ(0, std::memcmp(x.data(), reference[k].x.data(), x.size() * sizeof(double)))
            << "evaluation " << k;
        std::vector<double> g;
        const double f = rosenbrock(x, g);
        const OptimizerStep step = resumed.tell(f, g);
        ASSERT_EQ(step.kind, reference[k].step.kind);
        ASSERT_EQ(step.message, reference[k].step.message);
        const std::vector<std::uint8_t> blob = resumed.save();
        resumed = Optimizer::restore(o, blob, 2);
        ASSERT_EQ(resumed.save(), blob);
      }
      EXPECT_EQ(resumed.best_value(), straight.best_value());
      EXPECT_EQ(resumed.iterations(), straight.iterations());
      EXPECT_EQ(resumed.trials_report(), straight.trials_report());
      EXPECT_EQ(resumed.finished(), straight.finished());
    }
  }
}

// The first trial moves x by first_step x max|x| (inf-norms); no trial moves it by more than
// max_step x max|x|.
TEST(Optimizer, TrialsRespectFirstAndMaxStep) {
  const Quadratic q;
  for (Method m : {Method::lbfgs, Method::cg, Method::gd}) {
    OptimizerOptions o = with_method(m);
    o.first_step = 0.02;
    o.max_step = 0.1;
    Optimizer opt(o, quadratic_start());
    std::vector<double> g;
    const double f0 = q(opt.point(), g);
    opt.tell(f0, g);
    EXPECT_NEAR(distance(opt.point(), quadratic_start()), 0.02 * 3.0, 1e-12);
    for (int k = 0; k < 200 && !opt.finished(); ++k) {
      const std::vector<double> x = opt.point(), current = opt.current_point();
      const double allowed = 0.1 * distance(current, std::vector<double>(current.size(), 0.0));
      ASSERT_LE(distance(x, current), allowed * (1 + 1e-12)) << "evaluation " << opt.evaluations();
      const double f = q(x, g);
      const OptimizerStep step = opt.tell(f, g);
      if (step.kind == OptimizerStep::accepted) {
        EXPECT_LE(opt.last_step(), 0.1 * (1 + 1e-12));
      }
    }
  }
}

std::uint64_t fnv1a(const std::uint8_t* bytes, std::size_t size) {
  std::uint64_t h = 14695981039346656037ull;
  for (std::size_t i = 0; i < size; ++i) h = (h ^ bytes[i]) * 1099511628211ull;
  return h;
}

void reseal(std::vector<std::uint8_t>& blob) {
  const std::uint64_t h = fnv1a(blob.data(), blob.size() - 8);
  for (int k = 0; k < 8; ++k) blob[blob.size() - 8 + k] = std::uint8_t(h >> (8 * k));
}

std::string restore_error(const OptimizerOptions& o, const std::vector<std::uint8_t>& blob,
                          std::size_t n = std::size_t(-1)) {
  try {
    if (n == std::size_t(-1))
      Optimizer::restore(o, blob);
    else
      Optimizer::restore(o, blob, n);
  } catch (const InputError& e) {
    return e.what();
  }
  return "no error";
}

TEST(Optimizer, CorruptOrMismatchedStateThrows) {
  const OptimizerOptions o;
  Optimizer opt(o, {-1.2, 1.0});
  drive(opt, rosenbrock, 7);
  const std::vector<std::uint8_t> blob = opt.save();
  EXPECT_EQ(restore_error(o, blob), "no error");

  auto flipped = blob;
  flipped[flipped.size() / 2] ^= 0x10;
  EXPECT_NE(restore_error(o, flipped).find("checksum"), std::string::npos);
  const std::vector<std::uint8_t> truncated(blob.begin(), blob.end() - 9);
  EXPECT_NE(restore_error(o, truncated).find("optimizer state"), std::string::npos);
  EXPECT_NE(restore_error(o, {}).find("header"), std::string::npos);

  auto version = blob;
  version[8] = 7;  // the version field follows the 8-byte magic
  reseal(version);
  EXPECT_NE(restore_error(o, version).find("version 7"), std::string::npos);

  EXPECT_NE(restore_error(with_method(Method::cg), blob).find("saved by method lbfgs"), std::string::npos);
  EXPECT_NE(restore_error(o, blob, 3).find("saved for 2 variables"), std::string::npos);
  OptimizerOptions bounded = o;
  bounded.lower = {0, 0, 0};
  EXPECT_NE(restore_error(bounded, blob).find("lower bounds have 3 entries"), std::string::npos);
}

TEST(Optimizer, WrongGradientSignEndsWithTrialReport) {
  const Quadratic q;
  for (Method m : {Method::lbfgs, Method::cg, Method::gd}) {
    Optimizer opt(with_method(m), quadratic_start());
    auto wrong = [&q](const std::vector<double>& x, std::vector<double>& g) {
      const double f = q(x, g);
      for (double& v : g) v = -v;
      return f;
    };
    const auto log = drive(opt, wrong, 100);
    ASSERT_EQ(log.back().step.kind, OptimizerStep::finished);
    const std::string& message = log.back().step.message;
    EXPECT_NE(message.find("trial 1: step"), std::string::npos) << message;
    EXPECT_NE(message.find("check-gradient"), std::string::npos) << message;
    EXPECT_EQ(opt.iterations(), 0);
    EXPECT_EQ(opt.current_point(), quadratic_start());
  }
}

TEST(Optimizer, NonFiniteValuesStop) {
  const Quadratic q;
  Optimizer opt(with_method(Method::lbfgs), quadratic_start());
  drive(opt, q, 12);
  const std::vector<double> current = opt.current_point(), best = opt.best_point();
  const double current_f = opt.current_value(), best_f = opt.best_value();
  std::vector<double> g(Quadratic::n, 1.0);
  const OptimizerStep step = opt.tell(std::numeric_limits<double>::quiet_NaN(), g);
  EXPECT_EQ(step.kind, OptimizerStep::finished);
  EXPECT_NE(step.message.find("misfit is nan"), std::string::npos) << step.message;
  EXPECT_EQ(opt.current_point(), current);
  EXPECT_EQ(opt.best_point(), best);
  EXPECT_EQ(opt.current_value(), current_f);
  EXPECT_EQ(opt.best_value(), best_f);
  EXPECT_EQ(opt.tell(1.0, g).kind, OptimizerStep::finished);

  Optimizer second(with_method(Method::cg), {1.0, 2.0});
  const OptimizerStep gradient_step = second.tell(1.0, std::vector<double>{0.0, INFINITY});
  EXPECT_EQ(gradient_step.kind, OptimizerStep::finished);
  EXPECT_NE(gradient_step.message.find("gradient is inf at variable 1"), std::string::npos);
}

TEST(Optimizer, BadStartOrOptionsThrow) {
  OptimizerOptions o;
  o.lower = {0, 0};
  o.upper = {1, 1};
  try {
    Optimizer(o, {0.5, 1.5});
    FAIL() << "no error";
  } catch (const InputError& e) {
    EXPECT_EQ(std::string(e.what()), "optimizer: starting value 1 = 1.5 is above its upper bound 1");
  }
  OptimizerOptions bad;
  bad.memory = 0;
  EXPECT_THROW(Optimizer(bad, {1.0}), InputError);
  bad = {};
  bad.c2 = 1e-5;
  EXPECT_THROW(Optimizer(bad, {1.0}), InputError);
  bad = {};
  bad.lower = {2};
  bad.upper = {1};
  EXPECT_THROW(Optimizer(bad, {1.5}), InputError);
}

}  // namespace
