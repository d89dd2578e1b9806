// Every op's backward rule against central finite differences, alone and composed.
#include <gtest/gtest.h>

#include <functional>
#include <vector>

#include "arenagrad/value.hpp"
#include "gradcheck.hpp"

using namespace arenagrad;
using arenagrad::testing::close;
using arenagrad::testing::numeric_gradient;

namespace {

// An expression written once, generic over the number type, so the same code
// runs on doubles (for finite differences) and on Values (for backward()).
using Expr = std::function<Value(const std::vector<Value>&)>;

double evaluate(Arena& arena, const Expr& f, const std::vector<double>& x) {
  std::vector<Value> leaves;
  for (double xi : x) leaves.emplace_back(xi, arena);
  return f(leaves).data();
}

void expect_gradients_match(const Expr& f, const std::vector<double>& x) {
  Arena arena;
  std::vector<Value> leaves;
  for (double xi : x) leaves.emplace_back(xi, arena);
  Value out = f(leaves);
  out.backward();
  const auto numeric = numeric_gradient(
      [&](const std::vector<double>& p) { return evaluate(arena, f, p); }, x);
  for (std::size_t i = 0; i < x.size(); ++i) {
    EXPECT_TRUE(close(leaves[i].grad(), numeric[i]))
        << "leaf " << i << ": backward " << leaves[i].grad() << " vs numeric "
        << numeric[i];
  }
}

}  // namespace

TEST(Gradients, Add) {
  expect_gradients_match([](auto& v) { return v[0] + v[1]; }, {1.5, -2.0});
}
TEST(Gradients, Sub) {
  expect_gradients_match([](auto& v) { return v[0] - v[1]; }, {1.5, -2.0});
}
TEST(Gradients, Mul) {
  expect_gradients_match([](auto& v) { return v[0] * v[1]; }, {1.5, -2.0});
}
TEST(Gradients, Div) {
  expect_gradients_match([](auto& v) { return v[0] / v[1]; }, {1.5, -2.0});
}
TEST(Gradients, PowValueExponent) {
  expect_gradients_match([](auto& v) { return v[0].pow(v[1]); }, {1.7, 2.3});
}
TEST(Gradients, PowConst) {
  expect_gradients_match([](auto& v) { return v[0].pow(3.0); }, {-1.3});
  expect_gradients_match([](auto& v) { return v[0].pow(-0.5); }, {2.2});
  expect_gradients_match([](auto& v) { return v[0].pow(0.0); }, {2.2});
}
TEST(Gradients, Neg) {
  expect_gradients_match([](auto& v) { return -v[0]; }, {0.7});
}
TEST(Gradients, Relu) {
  expect_gradients_match([](auto& v) { return v[0].relu(); }, {0.7});
  expect_gradients_match([](auto& v) { return v[0].relu(); }, {-0.7});
}
TEST(Gradients, Tanh) {
  expect_gradients_match([](auto& v) { return v[0].tanh(); }, {0.4});
}
TEST(Gradients, Exp) {
  expect_gradients_match([](auto& v) { return v[0].exp(); }, {0.4});
}
TEST(Gradients, Log) {
  expect_gradients_match([](auto& v) { return v[0].log(); }, {0.4});
}
TEST(Gradients, Sigmoid) {
  expect_gradients_match([](auto& v) { return v[0].sigmoid(); }, {-0.4});
}
TEST(Gradients, ConstantsOnEitherSide) {
  expect_gradients_match([](auto& v) { return 3.0 - v[0] * 2.0 + 1.0 / v[0]; }, {0.8});
  expect_gradients_match([](auto& v) { return (2.0 + v[0]) / 4.0 - 5.0; }, {0.8});
  expect_gradients_match([](auto& v) { return v[0].apply_reflected(Op::Pow, 2.0); },
                         {0.8});
}

TEST(Gradients, NodeUsedTwiceInOneOp) {
  expect_gradients_match([](auto& v) { return v[0] * v[0]; }, {-1.25});
  expect_gradients_match([](auto& v) { return v[0] + v[0]; }, {-1.25});
  expect_gradients_match([](auto& v) { return v[0] - v[0]; }, {-1.25});
  expect_gradients_match([](auto& v) { return v[0] / v[0]; }, {-1.25});
  expect_gradients_match([](auto& v) { return v[0].pow(v[0]); }, {1.25});
}

TEST(Gradients, SharedSubexpressions) {
  expect_gradients_match(
      [](auto& v) {
        Value s = v[0] * v[1] + v[2];  // used by three parents below
        Value t = s.tanh();
        return s * t + s.exp() / (1.0 + t * t) - (s - v[0]).relu();
      },
      {0.3, -0.8, 0.5});
}

TEST(Gradients, MicrogradReadmeExample) {
  Arena arena;
  Value a(-4.0, arena), b(2.0, arena);
  Value c = a + b;
  Value d = a * b + b.pow(3);
  c = c + c + 1.0;
  c = c + 1.0 + c + (-a);
  d = d + d * 2.0 + (b + a).relu();
  d = d + 3.0 * d + (b - a).relu();
  Value e = c - d;
  Value f = e.pow(2);
  Value g = f / 2.0;
  g = g + 10.0 / f;
  g.backward();
  EXPECT_NEAR(g.data(), 24.7041, 5e-5);
  EXPECT_NEAR(a.grad(), 138.8338, 5e-5);
  EXPECT_NEAR(b.grad(), 645.5773, 5e-5);
}
