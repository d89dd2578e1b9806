// The contract create_graph relies on: for every op in the table, the graph-form
// derivative (ops.def's g_ columns, built as nodes) has the numeric value of the
// d_ columns, at random points of the op's domain and near its edges.
#include <gtest/gtest.h>

#include <cmath>

#include "arenagrad/graph_rules.hpp"
#include "op_samples.hpp"

using namespace arenagrad;
using arenagrad::testing::every_op;
using arenagrad::testing::sample_points;

namespace {

double value_of(const Deriv& d) {
  return d.is_constant() ? d.constant() : d.node().data();
}

bool same(double x, double y) {
  if (std::isnan(x) || std::isnan(y)) return std::isnan(x) && std::isnan(y);
  if (std::isinf(x) || std::isinf(y)) return x == y;
  return std::fabs(x - y) <= 1e-10 * std::max(1.0, std::fabs(x));
}

}  // namespace

TEST(GraphRules, GraphFormEqualsNumericFormForEveryOp) {
  for (Op op : every_op()) {
    for (const auto& p : sample_points(op, 20, 1)) {
      Arena arena;
      Value a(p.a, arena);
      Value b(arity(op) == 2 ? p.b : p.a, arena);
      Value out =
          arity(op) == 2 ? a.apply(op, Operand::of(b.id()), p.k) : a.apply(op, {}, p.k);
      const Partials d = local_partials(op, p.a, p.b, p.k, out.data());
      const GraphPartials g = graph_partials(op, a, b, p.k, out);
      EXPECT_TRUE(same(d.da, value_of(g.da)))
          << name(op) << " d/da at a=" << p.a << " b=" << p.b << " k=" << p.k << ": "
          << d.da << " vs graph " << value_of(g.da);
      if (arity(op) == 2) {
        EXPECT_TRUE(same(d.db, value_of(g.db)))
            << name(op) << " d/db at a=" << p.a << " b=" << p.b << " k=" << p.k << ": "
            << d.db << " vs graph " << value_of(g.db);
      }
    }
  }
}

// At the kinks the g columns must follow the same convention as the d columns.
TEST(GraphRules, KinkConventionsAgree) {
  struct Case {
    Op op;
    double a, b, k;
  };
  const Case cases[] = {
      {Op::Relu, 0.0, 0.0, 0.0},      {Op::Abs, 0.0, 0.0, 0.0},
      {Op::LeakyRelu, 0.0, 0.0, 0.2}, {Op::Elu, 0.0, 0.0, 0.5},
      {Op::Maximum, 1.0, 1.0, 0.0},   {Op::Minimum, 1.0, 1.0, 0.0},
      {Op::Clamp, -1.0, 2.0, -1.0},   {Op::Clamp, 2.0, 2.0, -1.0},
      {Op::Clamp, 3.0, 2.0, -1.0},    {Op::Elu, 800.0, 0.0, 1.0},
  };
  for (const Case& c : cases) {
    Arena arena;
    Value a(c.a, arena), b(c.b, arena);
    Value out = arity(c.op) == 2 ? a.apply(c.op, Operand::of(b.id()), c.k)
                                 : a.apply(c.op, {}, c.k);
    const Partials d = local_partials(c.op, c.a, c.b, c.k, out.data());
    const GraphPartials g = graph_partials(c.op, a, arity(c.op) == 2 ? b : a, c.k, out);
    EXPECT_TRUE(same(d.da, value_of(g.da))) << name(c.op) << " at " << c.a;
    if (arity(c.op) == 2) {
      EXPECT_TRUE(same(d.db, value_of(g.db))) << name(c.op) << " at " << c.a;
    }
  }
}
