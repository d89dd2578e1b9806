// grad(): plain and create_graph sweeps, checked op by op from the table against
// finite differences of the order below, and against backward() exactly.
#include <gtest/gtest.h>

#include <cmath>
#include <optional>
#include <random>
#include <vector>

#include "arenagrad/grad.hpp"
#include "arenagrad/value.hpp"

using namespace arenagrad;

namespace {

std::vector<Deriv> ones(std::size_t n) { return std::vector<Deriv>(n, Deriv(1.0)); }

Value apply_op(Op op, const Value& a, const Value& b, double k) {
  return arity(op) == 2 ? a.apply(op, Operand::of(b.id()), k) : a.apply(op, {}, k);
}

// The derivatives of `order` (1, 2 or 3) of op(a, b) along every multi-index, as the
// data of create_graph nodes; the last step is a plain sweep.
std::vector<double> derivatives(Op op, double av, double bv, double k, int order) {
  Arena arena;
  const Value a(av, arena), b(bv, arena);
  const std::vector<Value> xs =
      arity(op) == 2 ? std::vector<Value>{a, b} : std::vector<Value>{a};
  std::vector<Value> level{apply_op(op, a, b, k)};
  for (int d = 1; d <= order; ++d) {
    std::vector<Value> next;
    for (const Value& f : level) {
      for (Value& g : grad({f}, ones(1), xs, d < order)) next.push_back(std::move(g));
    }
    level = std::move(next);
  }
  std::vector<double> out;
  for (const Value& v : level) out.push_back(v.data());
  return out;
}

// Central differences of the order-1 derivatives, laid out as derivatives(order).
std::vector<double> central_differences(Op op, double av, double bv, double k,
                                        int order, double h_scale) {
  const int n = arity(op);
  const std::vector<double> base = derivatives(op, av, bv, k, order - 1);
  std::vector<double> out(base.size() * n);
  for (int i = 0; i < n; ++i) {
    const double x = i == 0 ? av : bv;
    const double h = h_scale * std::max(1.0, std::fabs(x));
    const auto up =
        derivatives(op, i == 0 ? av + h : av, i == 1 ? bv + h : bv, k, order - 1);
    const auto down =
        derivatives(op, i == 0 ? av - h : av, i == 1 ? bv - h : bv, k, order - 1);
    for (std::size_t j = 0; j < base.size(); ++j)
      out[j * n + i] = (up[j] - down[j]) / (2 * h);
  }
  return out;
}

bool all_finite(const std::vector<double>& v) {
  for (double x : v) {
    if (!std::isfinite(x)) return false;
  }
  return true;
}

double gap(const std::vector<double>& x, const std::vector<double>& y) {
  double worst = 0.0;
  for (std::size_t i = 0; i < x.size(); ++i) {
    worst = std::max(worst, std::fabs(x[i] - y[i]) / std::max(1.0, std::fabs(y[i])));
  }
  return worst;
}

// Whether op(a, b) and its derivatives up to `order` exist (no fault) and are finite
// and smooth around (a, b): two step sizes of finite differences agree, so no kink
// (relu's, abs's, a clamp's edge) lies in between. This finds each op's domain from
// the table itself, with no per-op list.
bool fair_point(Op op, double a, double b, double k, int order) {
  const double hs[] = {1e-4, 2e-4};
  for (double h : hs) {
    for (double da : {-2 * h, 0.0, 2 * h}) {
      for (double db : {-2 * h, 0.0, 2 * h}) {
        try {
          if (!all_finite(derivatives(op, a + da, b + db, k, order))) return false;
        } catch (const MathError&) {
          return false;
        }
      }
    }
  }
  return gap(central_differences(op, a, b, k, order, 1e-4),
             central_differences(op, a, b, k, order, 2e-4)) < 1e-5;
}

constexpr double kExponents[] = {2.0, 3.0, 0.5, -1.5, 1.0, 0.0, -2.0};

// For every op of the table (arity >= 1): derivatives of `order` against central
// differences of the order below, at random points where the op is smooth.
void check_every_op(int order) {
  std::mt19937_64 rng(1234 + order);
  std::uniform_real_distribution<double> point(-3.0, 3.0);
  for (int code = 0; code < kOpCount; ++code) {
    const Op op = static_cast<Op>(code);
    if (arity(op) == 0) continue;
    int checked = 0;
    for (int attempt = 0; attempt < 400 && checked < 6; ++attempt) {
      const double a = point(rng), b = point(rng);
      const double k = kExponents[attempt % std::size(kExponents)];
      if (!fair_point(op, a, b, k, order)) continue;
      const auto analytic = derivatives(op, a, b, k, order);
      const auto numeric = central_differences(op, a, b, k, order, 1e-5);
      EXPECT_LT(gap(analytic, numeric), 1e-5)
          << name(op) << " order " << order << " at a=" << a << " b=" << b
          << " k=" << k;
      ++checked;
    }
    EXPECT_GE(checked, 3) << name(op) << ": too few points in its domain";
  }
}

}  // namespace

TEST(Grad, SecondDerivativesOfEveryOp) { check_every_op(2); }
TEST(Grad, ThirdDerivativesOfEveryOp) { check_every_op(3); }

// create_graph's first derivatives have exactly the plain sweep's data.
TEST(Grad, CreateGraphDataEqualsPlainSweep) {
  for (int code = 0; code < kOpCount; ++code) {
    const Op op = static_cast<Op>(code);
    if (arity(op) == 0) continue;
    Arena arena;
    const Value a(0.7, arena), b(1.3, arena);
    std::optional<Value> out;
    try {
      out.emplace(apply_op(op, a, b, 2.0));
    } catch (const std::exception&) {
      continue;  // 0.7 is outside this op's domain (acosh): the FD tests cover it
    }
    const auto plain = grad({*out}, ones(1), {a, b}, false);
    const auto graph = grad({*out}, ones(1), {a, b}, true);
    // The g columns are written with ops, so they may round differently from the
    // numeric ones (log10's 1 / (a ln 10)); equal to within a few ulps.
    for (int i = 0; i < 2; ++i) {
      EXPECT_NEAR(plain[i].data(), graph[i].data(),
                  1e-12 * (1.0 + std::abs(plain[i].data())))
          << name(op);
    }
  }
}

namespace {

// Shares subexpressions and uses one node twice in an op.
Value tangled(const Value& x, const Value& y) {
  const Value s = (x * y).tanh();
  const Value t = s * s + x / y;
  return (t.exp() + s.sigmoid() * x).log() + (t - y).relu() + y.pow(3.0) * s;
}

}  // namespace

TEST(Grad, PlainEqualsBackwardExactly) {
  Arena arena;
  Value x(0.6, arena), y(-1.1, arena);
  Value out = tangled(x, y);
  const auto g = grad({out}, ones(1), {x, y}, false);
  out.backward();
  EXPECT_EQ(g[0].data(), x.grad());
  EXPECT_EQ(g[1].data(), y.grad());
  const auto h = grad({out}, ones(1), {x, y}, true);
  EXPECT_EQ(h[0].data(), x.grad());
  EXPECT_EQ(h[1].data(), y.grad());
}

TEST(Grad, TouchesNoGradField) {
  Arena arena;
  Value x(0.6, arena), y(-1.1, arena);
  Value out = tangled(x, y);
  x.set_grad(11.0);
  y.set_grad(-7.0);
  out.set_grad(5.0);
  const auto g1 = grad({out}, ones(1), {x, y}, false);
  const auto g2 = grad({out}, ones(1), {x, y}, true);
  const auto h = grad({g2[0]}, ones(1), {x, y}, false);
  EXPECT_EQ(x.grad(), 11.0);
  EXPECT_EQ(y.grad(), -7.0);
  EXPECT_EQ(out.grad(), 5.0);
  for (const Value& c : out.children()) EXPECT_EQ(c.grad(), 0.0);
}

TEST(Grad, UnreachedInputIsZeroAndOutputItselfIsOne) {
  Arena arena;
  const Value x(2.0, arena), y(3.0, arena), z(4.0, arena);
  const Value out = x * y;
  const auto g = grad({out}, ones(1), {z, out, x}, true);
  EXPECT_EQ(g[0].data(), 0.0);
  EXPECT_EQ(g[1].data(), 1.0);
  EXPECT_EQ(g[2].data(), 3.0);
}

TEST(Grad, SeedsWeightOutputs) {
  Arena arena;
  const Value x(2.0, arena);
  const Value f = x * x, g = x.exp();
  const auto d = grad({f, g, f}, {Deriv(2.0), Deriv(-1.0), Deriv(0.5)}, {x}, false);
  EXPECT_DOUBLE_EQ(d[0].data(), 2.5 * 2 * 2.0 - std::exp(2.0));
}

TEST(Grad, InteriorInputs) {
  Arena arena;
  const Value x(0.3, arena);
  const Value t = x.tanh();
  const Value out = t * t;
  const auto g = grad({out}, ones(1), {t, x}, true);
  EXPECT_DOUBLE_EQ(g[0].data(), 2 * std::tanh(0.3));
  const auto h = grad({g[0]}, ones(1), {x}, false);  // d/dx 2 tanh x
  EXPECT_NEAR(h[0].data(), 2 * (1 - std::tanh(0.3) * std::tanh(0.3)), 1e-15);
}

// An intermediate Python would refuse (0 ** -0.5 inside x ** 0.5's derivative) gets
// its IEEE value, as the numeric column does; ordinary ops raise again afterwards.
TEST(Grad, DerivativeNodesTakeIeeeValues) {
  Arena arena;
  const Value x(0.0, arena);
  const Value root = x.pow(0.5);
  const auto g = grad({root}, ones(1), {x}, true);
  EXPECT_TRUE(std::isinf(g[0].data()));
  EXPECT_EQ(grad({root}, ones(1), {x}, false)[0].data(), g[0].data());
  EXPECT_THROW(x.pow(-0.5), MathError);
}

TEST(Grad, SecondDerivativeOfALongChain) {
  constexpr int kLength = 100000;
  auto first = [](double x0, bool create_graph, Arena& arena) {
    const Value x(x0, arena);
    Value y = x;
    for (int i = 0; i < kLength; ++i) y = y.tanh();
    return std::make_pair(x, grad({y}, ones(1), {x}, create_graph)[0]);
  };
  Arena arena;
  const double x0 = 0.8, h = 1e-4;
  const auto [x, g] = first(x0, true, arena);
  const double second = grad({g}, ones(1), {x}, false)[0].data();
  const double numeric = (first(x0 + h, false, arena).second.data() -
                          first(x0 - h, false, arena).second.data()) /
                         (2 * h);
  EXPECT_NE(second, 0.0);
  EXPECT_NEAR(second, numeric, 1e-5 * std::fabs(numeric));
}

TEST(Grad, MemoryIsReleased) {
  Arena arena;
  const Value x(0.4, arena), y(1.5, arena);
  const std::size_t before = arena.stats().live;
  {
    const Value out = tangled(x, y);
    const auto g = grad({out}, ones(1), {x, y}, true);
    const auto h = grad({g[0], g[1]}, ones(2), {x, y}, true);
    const auto third = grad({h[0]}, ones(1), {x}, false);
    EXPECT_GT(arena.stats().live, before);
  }
  EXPECT_EQ(arena.stats().live, before);
}

TEST(Grad, RejectsMismatchedSeedsAndArenas) {
  Arena one, two;
  const Value x(1.0, one), y(2.0, two);
  EXPECT_THROW(grad({x}, ones(2), {x}, false), std::invalid_argument);
  EXPECT_THROW(grad({x}, ones(1), {y}, false), std::invalid_argument);
  EXPECT_THROW(grad({}, {}, {x}, false), std::invalid_argument);
}
