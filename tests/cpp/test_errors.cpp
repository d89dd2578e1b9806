// Python float semantics for errors (DESIGN invariant 6): the op throws and the
// arena is exactly as it was.
#include <gtest/gtest.h>

#include <string>

#include "arenagrad/errors.hpp"
#include "arenagrad/value.hpp"

using namespace arenagrad;

namespace {

template <typename F>
void expect_fault(Arena& arena, Fault expected, const std::string& fragment, F&& op) {
  const auto before = arena.stats();
  try {
    op();
    ADD_FAILURE() << "no exception";
  } catch (const MathError& e) {
    EXPECT_EQ(e.fault(), expected);
    EXPECT_NE(std::string(e.what()).find(fragment), std::string::npos) << e.what();
  }
  EXPECT_EQ(arena.stats().live, before.live);
  EXPECT_EQ(arena.stats().capacity, before.capacity);
}

}  // namespace

TEST(Errors, FailingOpsAddNothingToTheGraph) {
  Arena arena;
  Value zero(0.0, arena), neg(-1.0, arena), big(1000.0, arena), x(2.0, arena);
  expect_fault(arena, Fault::ZeroDivision, "1 / 0", [&] { return 1.0 / zero; });
  expect_fault(arena, Fault::ZeroDivision, "2 / 0", [&] { return x / 0.0; });
  expect_fault(arena, Fault::Domain, "log(-1)", [&] { return neg.log(); });
  expect_fault(arena, Fault::Overflow, "exp(1000)", [&] { return big.exp(); });
  expect_fault(arena, Fault::ZeroDivision, "0 ** (-1)", [&] { return zero.pow(-1.0); });
  expect_fault(arena, Fault::Domain, "(-1) ** 0.5", [&] { return neg.pow(0.5); });
  expect_fault(arena, Fault::Overflow, "1000 ** 1000", [&] { return big.pow(big); });
}

TEST(Errors, ValuesBuiltEarlierAreUntouched) {
  Arena arena;
  Value a(3.0, arena);
  Value b = a * 2.0;
  b.backward();
  EXPECT_THROW(b / 0.0, MathError);
  EXPECT_EQ(a.data(), 3.0);
  EXPECT_EQ(a.grad(), 2.0);
  EXPECT_EQ(b.data(), 6.0);
  EXPECT_EQ(b.children().size(), 2u);
}

TEST(Errors, IeeeResultsWherePythonGivesThem) {
  Arena arena;
  Value huge(1e308, arena);
  EXPECT_TRUE(std::isinf((huge * 10.0).data()));  // float multiplication does not raise
  Value inf(INFINITY, arena);
  EXPECT_TRUE(std::isinf(inf.exp().data()));
  Value nan(std::nan(""), arena);
  EXPECT_TRUE(std::isnan(nan.log().data()));
}
