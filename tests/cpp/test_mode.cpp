// The arena's no_grad flag: ops still compute and check, but record no graph.
#include <gtest/gtest.h>

#include <cmath>

#include "arenagrad/value.hpp"

using namespace arenagrad;

TEST(Mode, GradEnabledByDefault) {
  Arena arena;
  EXPECT_TRUE(arena.grad_enabled());
}

TEST(Mode, OffGivesLeavesWithTheForwardValue) {
  Arena arena;
  Value a(3.0, arena), b(-2.0, arena);
  arena.set_grad_enabled(false);
  const Value c = (a * b + 1.0).tanh();
  EXPECT_EQ(c.data(), std::tanh(3.0 * -2.0 + 1.0));
  EXPECT_EQ(c.op(), Op::Leaf);
  EXPECT_TRUE(c.children().empty());
  // Only a, b and c are alive: no interior nodes, no constant leaves kept.
  EXPECT_EQ(arena.stats().live, 3u);
  arena.set_grad_enabled(true);
}

TEST(Mode, OffStillRaisesPythonsErrorsAndAddsNothing) {
  Arena arena;
  Value a(1.0, arena);
  arena.set_grad_enabled(false);
  const std::size_t before = arena.stats().live;
  EXPECT_THROW(a / 0.0, MathError);
  EXPECT_EQ(arena.stats().live, before);
}

TEST(Mode, BackToOnRecordsAgainAndOldLeavesStayLeaves) {
  Arena arena;
  Value a(2.0, arena);
  arena.set_grad_enabled(false);
  const Value frozen = a * a;
  arena.set_grad_enabled(true);
  Value out = frozen * a;
  out.backward();
  EXPECT_EQ(out.data(), 8.0);
  EXPECT_EQ(a.grad(), 4.0);       // only through the recorded product
  EXPECT_EQ(frozen.grad(), 2.0);  // a leaf: receives, passes nothing on
}
