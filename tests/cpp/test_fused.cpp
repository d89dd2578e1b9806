// Fused folds build exactly the nodes the equivalent chain of binary ops builds.
#include <gtest/gtest.h>

#include <vector>

#include "arenagrad/fused.hpp"
#include "arenagrad/value.hpp"

using namespace arenagrad;

namespace {

Value adopt(Arena& arena, Operand r) { return Value::adopt(arena, r.node); }

}  // namespace

TEST(Fused, DotBuildsTheSameChainAsBinaryOps) {
  Arena arena;
  Value w0(0.5, arena), w1(-1.25, arena), x1(3.0, arena), b(0.1, arena);
  const std::vector<Operand> w{Operand::of(w0.id()), Operand::of(w1.id())};
  const std::vector<Operand> x{Operand::number(2.0), Operand::of(x1.id())};
  Value fused =
      adopt(arena, fold_dot(arena, Operand::of(b.id()), w.data(), x.data(), 2));
  Value chain = (b + w0 * 2.0) + w1 * x1;
  EXPECT_EQ(fused.data(), chain.data());
  EXPECT_EQ(fused.op(), Op::Add);
  const auto kids = fused.children();
  ASSERT_EQ(kids.size(), 2u);
  EXPECT_EQ(kids[0].op(), Op::Add);
  EXPECT_EQ(kids[1].op(), Op::Mul);

  fused.backward();
  const double g[] = {w0.grad(), w1.grad(), x1.grad(), b.grad()};
  for (Value* v : {&w0, &w1, &x1, &b}) v->set_grad(0.0);
  chain.backward();
  EXPECT_EQ(g[0], w0.grad());
  EXPECT_EQ(g[1], w1.grad());
  EXPECT_EQ(g[2], x1.grad());
  EXPECT_EQ(g[3], b.grad());
}

TEST(Fused, NumbersCombineAsDoublesAndEmptyReturnsStart) {
  Arena arena;
  const std::vector<Operand> w{Operand::number(2.0)}, x{Operand::number(4.0)};
  const Operand r = fold_dot(arena, Operand::number(1.0), w.data(), x.data(), 1);
  EXPECT_EQ(r.node, kNoNode);
  EXPECT_EQ(r.constant, 9.0);
  EXPECT_EQ(arena.stats().live, 0u);

  Value s(5.0, arena);
  Value same = adopt(arena, fold_sum(arena, Operand::of(s.id()), nullptr, 0));
  EXPECT_EQ(same.id(), s.id());  // passed through, with its own reference
}

TEST(Fused, SumFreesIntermediatesWithTheResult) {
  Arena arena;
  Value a(1.0, arena), b(2.0, arena);
  const std::vector<Operand> terms{Operand::of(a.id()), Operand::number(0.5),
                                   Operand::of(b.id())};
  {
    Value total = adopt(arena, fold_sum(arena, Operand::number(0.0), terms.data(), 3));
    EXPECT_EQ(total.data(), 3.5);
    // a, b; three adds; the constants 0.0 and 0.5.
    EXPECT_EQ(arena.stats().live, 7u);
  }
  EXPECT_EQ(arena.stats().live, 2u);
}
