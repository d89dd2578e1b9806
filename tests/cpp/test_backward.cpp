// Backward semantics (DESIGN invariant 5) and depth (invariant 4).
#include <gtest/gtest.h>

#include <algorithm>

#include "arenagrad/value.hpp"

using namespace arenagrad;

TEST(Backward, SharedNodeIsVisitedOnce) {
  Arena arena;
  Value x(3.0, arena);
  Value s = x * 2.0;  // shared by both operands of the sum below
  Value y = s + s;    // dy/dx = 4
  y.backward();
  EXPECT_EQ(x.grad(), 4.0);
  EXPECT_EQ(s.grad(), 2.0);
}

TEST(Backward, LeavesAccumulateAndInteriorNodesDoNot) {
  Arena arena;
  Value a(2.0, arena), b(-3.0, arena);
  Value c = a * b;
  Value loss = c * c;
  loss.backward();
  const double ga = a.grad(), gb = b.grad(), gc = c.grad();
  loss.backward();
  EXPECT_EQ(a.grad(), 2 * ga);  // exactly twice
  EXPECT_EQ(b.grad(), 2 * gb);
  EXPECT_EQ(c.grad(), gc);  // this pass's gradient only
  EXPECT_EQ(loss.grad(), 1.0);
}

TEST(Backward, TwoLossesSharingASubgraphSumExactly) {
  Arena arena;
  Value w(1.5, arena);
  Value h = (w * 3.0).tanh();
  Value l1 = h * 2.0, l2 = h * h;
  l1.backward();
  const double g1 = w.grad();
  w.set_grad(0.0);
  l2.backward();
  const double g2 = w.grad();
  w.set_grad(0.0);
  l1.backward();
  l2.backward();
  EXPECT_EQ(w.grad(), g1 + g2);
}

TEST(Backward, LocalBackwardUsesOnlyThisNodesRule) {
  Arena arena;
  Value a(5.0, arena), b(6.0, arena);
  Value c = a * b;
  Value d = c + 1.0;
  d.set_grad(11.0);
  d.local_backward();
  EXPECT_EQ(c.grad(), 11.0);
  EXPECT_EQ(a.grad(), 0.0);  // not reached: only d's own rule ran
  c.local_backward();
  EXPECT_EQ(a.grad(), 66.0);
  EXPECT_EQ(b.grad(), 55.0);
}

TEST(Backward, TopologicalOrderPutsChildrenFirstAndEachNodeOnce) {
  Arena arena;
  Value a(1.0, arena);
  Value b = a * a;
  Value c = b + a;
  Value d = c * b;
  const auto order = arena.topological_order(d.id());
  ASSERT_EQ(order.size(), 4u);
  EXPECT_EQ(order.front(), a.id());
  EXPECT_EQ(order.back(), d.id());
  auto pos = [&](Index i) {
    return std::find(order.begin(), order.end(), i) - order.begin();
  };
  EXPECT_LT(pos(b.id()), pos(c.id()));
}

// Ten million nodes deep: building, back-propagating and freeing must all be
// iterative (a recursive walk overflows the stack long before this depth).
TEST(Backward, TenMillionNodeChain) {
  constexpr int kDepth = 10'000'000;
  Arena arena;
  {
    Value x(0.5, arena);
    Value y = x;
    for (int i = 0; i < kDepth; ++i) y = -y;  // one node per step
    EXPECT_EQ(arena.stats().live, static_cast<std::size_t>(kDepth) + 1);
    y.backward();
    EXPECT_EQ(x.grad(), 1.0);  // an even number of negations
    EXPECT_EQ(y.data(), 0.5);
  }
  EXPECT_EQ(arena.stats().live, 0u);
}
