// Every op in the table against central finite differences (float64), at random points
// of its domain and near its edges: through Arena::backward, through local_backward
// (micrograd's _backward) and through a replayed Program. The loops run over ops.def,
// so an op added there is checked here with no edit.
#include <gtest/gtest.h>

#include <cmath>
#include <set>
#include <string>

#include "arenagrad/program.hpp"
#include "arenagrad/value.hpp"
#include "op_samples.hpp"

using namespace arenagrad;
using arenagrad::testing::every_op;
using arenagrad::testing::OpPoint;
using arenagrad::testing::sample_points;

namespace {

double f(Op op, double a, double b, double k) { return forward(op, a, b, k); }

// Central differences of the forward column, h scaled to the operand.
Partials numeric(Op op, const OpPoint& p) {
  const double ha = 1e-6 * std::max(1.0, std::fabs(p.a));
  const double hb = 1e-6 * std::max(1.0, std::fabs(p.b));
  return Partials{(f(op, p.a + ha, p.b, p.k) - f(op, p.a - ha, p.b, p.k)) / (2 * ha),
                  (f(op, p.a, p.b + hb, p.k) - f(op, p.a, p.b - hb, p.k)) / (2 * hb)};
}

bool close(double analytic, double num) {
  return std::fabs(analytic - num) <= 2e-5 * std::max(1.0, std::fabs(num));
}

std::string where(Op op, const OpPoint& p) {
  return std::string(name(op)) + " at a=" + std::to_string(p.a) +
         " b=" + std::to_string(p.b) + " k=" + std::to_string(p.k);
}

struct Built {
  Value a, b, out;
};

Built build(Arena& arena, Op op, const OpPoint& p) {
  Value a(p.a, arena), b(p.b, arena);
  Value out =
      arity(op) == 2 ? a.apply(op, Operand::of(b.id()), p.k) : a.apply(op, {}, p.k);
  return Built{a, b, out};
}

}  // namespace

TEST(OpTable, BackwardMatchesFiniteDifferencesForEveryOp) {
  for (Op op : every_op()) {
    for (const OpPoint& p : sample_points(op, 12, 2)) {
      Arena arena;
      Built g = build(arena, op, p);
      g.out.backward();
      const Partials n = numeric(op, p);
      EXPECT_TRUE(close(g.a.grad(), n.da))
          << where(op, p) << ": " << g.a.grad() << " vs " << n.da;
      if (arity(op) == 2) {
        EXPECT_TRUE(close(g.b.grad(), n.db))
            << where(op, p) << ": " << g.b.grad() << " vs " << n.db;
      }
    }
  }
}

TEST(OpTable, LocalBackwardMatchesFiniteDifferencesForEveryOp) {
  for (Op op : every_op()) {
    for (const OpPoint& p : sample_points(op, 6, 3)) {
      Arena arena;
      Built g = build(arena, op, p);
      g.out.set_grad(2.0);
      g.out.local_backward();
      const Partials n = numeric(op, p);
      EXPECT_TRUE(close(g.a.grad(), 2.0 * n.da)) << where(op, p);
      if (arity(op) == 2) {
        EXPECT_TRUE(close(g.b.grad(), 2.0 * n.db)) << where(op, p);
      }
    }
  }
}

TEST(OpTable, ReplayMatchesFiniteDifferencesForEveryOp) {
  for (Op op : every_op()) {
    const auto points = sample_points(op, 6, 4);
    for (const OpPoint& p : points) {
      Arena arena;
      // Traced at one point, replayed at another: the op must not be frozen.
      const OpPoint trace = points.front();
      Built g = build(arena, op, OpPoint{trace.a, trace.b, p.k});
      // Clamp's hi is a constant, not an argument: bind only a (and b elsewhere).
      const bool b_is_argument = arity(op) == 2 && op != Op::Clamp && op != Op::InRange;
      Program program(arena, g.out.id(),
                      b_is_argument ? std::vector<Index>{g.a.id(), g.b.id()}
                                    : std::vector<Index>{g.a.id()});
      std::vector<double> params;
      program.read_parameters(params);
      const double args[2] = {p.a, p.b};
      const OpPoint at{p.a, b_is_argument || arity(op) < 2 ? p.b : trace.b, p.k};
      EXPECT_EQ(program.forward(params.data(), args), forward(op, at.a, at.b, at.k))
          << where(op, at);
      double grads[2] = {0.0, 0.0};
      program.backward(1.0, grads);
      const Partials n = numeric(op, at);
      EXPECT_TRUE(close(grads[0], n.da))
          << where(op, at) << ": " << grads[0] << " vs " << n.da;
      if (b_is_argument) {
        EXPECT_TRUE(close(grads[1], n.db)) << where(op, at);
      }
    }
  }
}

// The derivative conventions ops.def writes beside each kink (PyTorch's).
TEST(OpTable, KinkConventions) {
  EXPECT_EQ(local_partials(Op::Relu, 0.0, 0, 0, 0.0).da, 0.0);
  EXPECT_EQ(local_partials(Op::Abs, 0.0, 0, 0, 0.0).da, 0.0);
  EXPECT_EQ(local_partials(Op::Abs, -0.0, 0, 0, 0.0).da, 0.0);
  EXPECT_EQ(local_partials(Op::LeakyRelu, 0.0, 0, 0.2, 0.0).da, 0.2);
  EXPECT_EQ(local_partials(Op::Elu, 0.0, 0, 0.5, 0.0).da, 0.5);
  EXPECT_EQ(local_partials(Op::Maximum, 1.0, 1.0, 0, 1.0).da, 0.5);
  EXPECT_EQ(local_partials(Op::Maximum, 1.0, 1.0, 0, 1.0).db, 0.5);
  EXPECT_EQ(local_partials(Op::Minimum, 1.0, 1.0, 0, 1.0).da, 0.5);
  EXPECT_EQ(local_partials(Op::Clamp, -1.0, 2.0, -1.0, -1.0).da, 1.0);  // at lo
  EXPECT_EQ(local_partials(Op::Clamp, 2.0, 2.0, -1.0, 2.0).da, 1.0);    // at hi
  EXPECT_EQ(local_partials(Op::Clamp, 2.5, 2.0, -1.0, 2.0).da, 0.0);
  EXPECT_EQ(local_partials(Op::Sqrt, 0.0, 0, 0, 0.0).da, kInf);
  EXPECT_TRUE(std::isnan(local_partials(Op::Atan2, 0.0, 0.0, 0, 0.0).da));
}

TEST(OpTable, PythonNamesAreDistinctAndEveryOpHasItsApiEntry) {
  std::set<std::string> names;
  for (int i = 0; i < kOpCount; ++i) {
    const OpInfo& api = info(static_cast<Op>(i));
    EXPECT_EQ(static_cast<int>(api.op), i);
    if (api.kind == Api::Operator) continue;  // Pow and PowConst share __pow__
    EXPECT_TRUE(names.insert(api.ident).second) << api.ident;
  }
}

TEST(OpTable, SoftplusIsFiniteAcrossTheDoubles) {
  EXPECT_EQ(forward(Op::Softplus, 1e308, 0, 0), 1e308);
  EXPECT_EQ(forward(Op::Softplus, -1e308, 0, 0), 0.0);
  EXPECT_NEAR(forward(Op::Softplus, 0.0, 0, 0), std::log(2.0), 1e-15);
  EXPECT_EQ(local_partials(Op::Softplus, 1e308, 0, 0, 1e308).da, 1.0);
}

TEST(OpTable, MinMaxClampPropagateNan) {
  EXPECT_TRUE(std::isnan(forward(Op::Maximum, std::nan(""), 1.0, 0)));
  EXPECT_TRUE(std::isnan(forward(Op::Maximum, 1.0, std::nan(""), 0)));
  EXPECT_TRUE(std::isnan(forward(Op::Minimum, std::nan(""), 1.0, 0)));
  EXPECT_TRUE(std::isnan(forward(Op::Clamp, std::nan(""), 1.0, 0.0)));
}
