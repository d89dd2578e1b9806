// Program replay agrees with the dynamic graph it was copied from.
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "arenagrad/errors.hpp"
#include "arenagrad/grad.hpp"
#include "arenagrad/program.hpp"
#include "arenagrad/value.hpp"

using namespace arenagrad;

TEST(Program, ClassifiesLeavesAndReplaysForwardAndBackward) {
  Arena arena;
  Value w(0.7, arena), x(2.0, arena);
  Value loss = ((w * x + 1.5).tanh() * w).exp();
  Program program(arena, loss.id(), {x.id()});
  EXPECT_EQ(program.argument_count(), 1u);
  EXPECT_EQ(program.parameter_count(), 1u);  // w: this test holds it
  EXPECT_EQ(program.constant_count(), 1u);   // the 1.5
  EXPECT_EQ(program.node_count(), 8u);
  EXPECT_EQ(program.step_count(), 5u);

  loss.backward();
  std::vector<double> params;
  program.read_parameters(params);
  const double arg = 2.0;
  EXPECT_EQ(program.forward(params.data(), &arg), loss.data());
  const double w_grad = w.grad();
  double x_grad = 0.0;
  program.backward(1.0, &x_grad);
  EXPECT_EQ(x_grad, x.grad());
  EXPECT_EQ(w.grad(), 2 * w_grad);  // added to the arena's leaf

  // New argument and parameter values: compare with a freshly built graph.
  w.set_data(-0.3);
  program.read_parameters(params);
  const double arg2 = 0.25;
  Value x2(arg2, arena);
  Value fresh = ((w * x2 + 1.5).tanh() * w).exp();
  EXPECT_EQ(program.forward(params.data(), &arg2), fresh.data());
}

// Neuron-shaped sums become chain steps; replay stays bit-identical, including
// values used by several chains and a term that is also the start.
TEST(Program, AdditionChainsReplayBitForBit) {
  Arena arena;
  std::vector<Value> w, x;
  for (int i = 0; i < 4; ++i) {
    w.emplace_back(0.3 * i - 0.7, arena);
    x.emplace_back(1.1 - 0.45 * i, arena);
  }
  Value bias(0.2, arena);
  Value h0 = (((bias + w[0] * x[0]) + w[1] * x[1]) + w[2] * x[2]).relu();
  Value h1 = ((h0 + w[3] * h0) + x[3]) + h0 * w[1];  // h0 is start, factor and term
  Value loss = ((0.0 + h1 * h1) + h0) + (w[2] * w[2]);
  Program program(arena, loss.id(), {x[0].id(), x[1].id(), x[2].id(), x[3].id()});
  EXPECT_EQ(program.step_count(), 3u);  // chain with its relu, chain, chain
  loss.backward();
  std::vector<double> params, dynamic_grads;
  for (Value* v : {&w[0], &w[1], &w[2], &w[3], &bias}) {
    dynamic_grads.push_back(v->grad());
    v->set_grad(0.0);
  }
  program.read_parameters(params);
  const double args[] = {x[0].data(), x[1].data(), x[2].data(), x[3].data()};
  EXPECT_EQ(program.forward(params.data(), args), loss.data());
  double arg_grads[4];
  const double x_dynamic[] = {x[0].grad(), x[1].grad(), x[2].grad(), x[3].grad()};
  program.backward(1.0, arg_grads);
  std::size_t k = 0;
  for (Value* v : {&w[0], &w[1], &w[2], &w[3], &bias})
    EXPECT_EQ(v->grad(), dynamic_grads[k++]);
  for (int j = 0; j < 4; ++j) EXPECT_EQ(arg_grads[j], x_dynamic[j]);
}

TEST(Program, UnusedArgumentsAreUnbound) {
  Arena arena;
  Value a(1.0, arena), unused(2.0, arena);
  Value y = a * a;
  Program program(arena, y.id(), {a.id(), unused.id(), kNoNode});
  EXPECT_NE(program.argument_slot(0), Program::kUnbound);
  EXPECT_EQ(program.argument_slot(1), Program::kUnbound);
  EXPECT_EQ(program.argument_slot(2), Program::kUnbound);
  const double args[] = {3.0, 9.0, 9.0};
  EXPECT_EQ(program.forward(nullptr, args), 9.0);
  double grads[3];
  program.backward(1.0, grads);
  EXPECT_EQ(grads[0], 6.0);
  EXPECT_EQ(grads[1], 0.0);
}

TEST(Program, ForwardFaultThrowsLikeApply) {
  Arena arena;
  Value x(4.0, arena);
  Value y = (x - 1.0).log();
  Program program(arena, y.id(), {x.id()});
  const double bad = 0.5;
  try {
    program.forward(nullptr, &bad);
    FAIL() << "expected a MathError";
  } catch (const MathError& e) {
    EXPECT_EQ(e.fault(), Fault::Domain);
    EXPECT_STREQ(e.what(), "math domain error in log(-0.5)");
  }
}

TEST(Program, DerivativeNodesReplayTheirFaultsAsInfLikeWhenBuilt) {
  // grad(create_graph) builds 0.5 * x ** -0.5 with faults off: at x = 0 it is inf
  // there, so the replay gives inf too; the function's own x ** 0.5 still raises.
  Arena arena;
  Value x(4.0, arena);
  const Value root = x.pow(0.5);
  const std::vector<Value> slope = grad({root}, {Deriv(1.0)}, {x}, true);
  const Value total = root + slope[0];
  Program program(arena, total.id(), {x.id()});
  const double zero = 0.0, negative = -1.0;
  EXPECT_EQ(program.forward(nullptr, &zero), INFINITY);
  EXPECT_THROW(program.forward(nullptr, &negative), MathError);
}

TEST(Program, HoldsItsParametersAlive) {
  Arena arena;
  Program* program = nullptr;
  {
    Value w(3.0, arena), x(1.0, arena);
    Value y = w * x;
    program = new Program(arena, y.id(), {x.id()});
  }
  EXPECT_EQ(arena.stats().live, 1u);  // w, kept by the program
  const double arg = 2.0;
  EXPECT_EQ(program->forward(std::vector<double>{3.0}.data(), &arg), 6.0);
  delete program;
  EXPECT_EQ(arena.stats().live, 0u);
}

TEST(Program, RejectsAnInteriorNodeAsArgument) {
  Arena arena;
  Value a(1.0, arena);
  Value b = a * 2.0;
  Value c = b + 1.0;
  EXPECT_THROW(Program(arena, c.id(), {b.id()}), std::invalid_argument);
}

// A unary op finishing a chain (log(a*b + c*d)) faults like the separate node would.
TEST(Program, AChainsFinishFaultsLikeApply) {
  Arena arena;
  Value a(1.0, arena), b(2.0, arena), c(3.0, arena), d(4.0, arena);
  Value y = (a * b + c * d).log();
  Program program(arena, y.id(), {a.id(), b.id(), c.id(), d.id()});
  EXPECT_EQ(program.step_count(), 2u);  // a*b, then the chain with its log
  const double good[] = {1.0, 2.0, 3.0, 4.0};
  EXPECT_EQ(program.forward(nullptr, good), y.data());
  double grads[4];
  program.backward(1.0, grads);
  y.backward();
  EXPECT_EQ(grads[0], a.grad());
  EXPECT_EQ(grads[3], d.grad());
  const double bad[] = {1.0, -2.0, 0.0, 4.0};
  try {
    program.forward(nullptr, bad);
    FAIL() << "expected a MathError";
  } catch (const MathError& e) {
    EXPECT_EQ(e.fault(), Fault::Domain);
    EXPECT_STREQ(e.what(), "math domain error in log(-2)");
  }
}
