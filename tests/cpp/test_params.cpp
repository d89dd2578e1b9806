// Whole-list parameter updates (params.hpp).
#include <gtest/gtest.h>

#include "arenagrad/params.hpp"
#include "arenagrad/value.hpp"

using namespace arenagrad;

TEST(Params, SgdStepAndZeroGrads) {
  Arena arena;
  Value a(1.0, arena), b(-2.0, arena);
  a.set_grad(0.5);
  b.set_grad(-1.0);
  sgd_step(arena, {a.id(), b.id()}, 0.1, 0.01);
  EXPECT_EQ(a.data(), 1.0 - 0.1 * (0.5 + 0.01 * 1.0));
  EXPECT_EQ(b.data(), -2.0 - 0.1 * (-1.0 + 0.01 * -2.0));
  zero_grads(arena, {a.id(), b.id()});
  EXPECT_EQ(a.grad(), 0.0);
  EXPECT_EQ(b.grad(), 0.0);
}
