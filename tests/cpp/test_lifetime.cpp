// Reference counting and slot reuse (DESIGN invariants 1-3).
#include <gtest/gtest.h>

#include <utility>

#include "arenagrad/value.hpp"

using namespace arenagrad;

TEST(Lifetime, DroppingTheLastHandleFreesTheWholeGraph) {
  Arena arena;
  {
    Value a(1.0, arena), b(2.0, arena);
    Value c = (a * b + 3.0).relu();  // a, b, constant 3, a*b, +, relu
    EXPECT_EQ(arena.stats().live, 6u);
  }
  EXPECT_EQ(arena.stats().live, 0u);
}

TEST(Lifetime, AChildOutlivesItsParentWhileAHandleHoldsIt) {
  Arena arena;
  Value a(1.0, arena);
  {
    Value c = a * 4.0;
    c.backward();
  }
  EXPECT_EQ(arena.stats().live, 1u);
  EXPECT_EQ(a.grad(), 4.0);
  EXPECT_EQ(a.data(), 1.0);
}

TEST(Lifetime, AnInteriorNodeKeepsItsChildrenAlive) {
  Arena arena;
  Value c(0.0, arena);
  {
    Value a(2.0, arena);
    c = a * a;
  }
  EXPECT_EQ(arena.stats().live, 2u);
  c.backward();
  auto kids = c.children();
  ASSERT_EQ(kids.size(), 2u);
  EXPECT_EQ(kids[0].id(), kids[1].id());
  EXPECT_EQ(kids[0].grad(), 4.0);
}

TEST(Lifetime, FreedSlotsAreReusedSoATrainingLoopStaysFlat) {
  Arena arena;
  Value w(0.5, arena), b(0.1, arena);
  std::size_t capacity_after_first = 0;
  for (int step = 0; step < 1000; ++step) {
    Value loss(0.0, arena);
    for (int i = 0; i < 20; ++i) {
      Value pred = w * static_cast<double>(i) + b;
      loss = loss + (pred - 1.0).pow(2.0);
    }
    w.set_grad(0.0);
    b.set_grad(0.0);
    loss.backward();
    w.set_data(w.data() - 1e-4 * w.grad());
    b.set_data(b.data() - 1e-4 * b.grad());
    if (step == 0) capacity_after_first = arena.stats().capacity;
  }
  EXPECT_EQ(arena.stats().live, 2u);
  // The first step's peak graph plus at most one more in flight while the
  // previous loss is being replaced.
  EXPECT_LE(arena.stats().capacity, 2 * capacity_after_first);
}

TEST(Lifetime, CopiesShareTheNode) {
  Arena arena;
  Value a(1.0, arena);
  Value b = a;
  b.set_grad(7.0);
  EXPECT_EQ(a.grad(), 7.0);
  EXPECT_EQ(arena.stats().live, 1u);
}

TEST(Lifetime, LabelsAreDroppedWithTheirNode) {
  Arena arena;
  Index id;
  {
    Value a(1.0, arena);
    arena.set_label(a.id(), "weight");
    EXPECT_EQ(arena.label(a.id()), "weight");
    id = a.id();
  }
  Value reused(2.0, arena);
  EXPECT_EQ(reused.id(), id);
  EXPECT_EQ(arena.label(reused.id()), "");
}

TEST(Lifetime, NodeRecordIsCompact) { EXPECT_LE(sizeof(Node), 64u); }

// ~Value is noexcept, so freeing must be too, and must not allocate (issue 13,
// defect 12: a growing worklist threw std::bad_alloc there under memory pressure).
static_assert(noexcept(std::declval<Arena&>().release(Index{0})),
              "release must not throw");

TEST(Lifetime, FreeingAWideCombLeavesNothingAndReusesEverySlot) {
  // 1.0 + x: the constant is the first child and the chain the second, so every
  // freed node leaves a leaf still to visit: the worst case for a worklist.
  Arena arena;
  {
    Value x(0.0, arena);
    for (int i = 0; i < 100000; ++i) x = 1.0 + x;
    EXPECT_EQ(arena.stats().live, 200001u);
  }
  EXPECT_EQ(arena.stats().live, 0u);
  const std::size_t capacity = arena.stats().capacity;
  {
    Value y(0.0, arena);
    for (int i = 0; i < 100000; ++i) y = y + 1.0;
  }
  EXPECT_EQ(arena.stats().capacity, capacity);
}
