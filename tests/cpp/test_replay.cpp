// Replay (replay.hpp): trace cache, aliasing, generations and gradient delivery,
// checked against the dynamic graph and central finite differences.
#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <vector>

#include "arenagrad/replay.hpp"
#include "gradcheck.hpp"

using namespace arenagrad;

namespace {

// What a binding does on a cache miss: one fresh leaf per position, the function
// run on them, the graph recorded.
const Trace& trace_call(Replay& replay, Arena& arena, const Arguments& call,
                        const std::function<Value(const std::vector<Value>&)>& fn) {
  std::vector<Value> fresh;
  std::vector<Index> leaves;
  for (double x : call.numbers) {
    fresh.emplace_back(x, arena);
    leaves.push_back(fresh.back().id());
  }
  const Value out = fn(fresh);
  return replay.record(call.key, {out.id()}, leaves, ResultShape::Single);
}

Arguments numbers(std::vector<double> xs) {
  Arguments a;
  a.key = {Arguments::kList, static_cast<std::int64_t>(xs.size())};
  for (double x : xs) a.add_number(x);
  return a;
}

}  // namespace

TEST(Replay, TracesOncePerStructureAndReplaysNewNumbers) {
  Arena arena;
  Replay replay(arena);
  Value w(0.5, arena);
  const auto fn = [&](const std::vector<Value>& x) { return (w * x[0] + x[1]).tanh(); };
  Arguments first = numbers({1.0, 2.0});
  EXPECT_EQ(replay.find(first.key), nullptr);
  const Trace& trace = trace_call(replay, arena, first, fn);
  EXPECT_EQ(replay.trace_count(), 1u);
  EXPECT_EQ(&trace, replay.find(numbers({7.0, 8.0}).key));  // same structure
  EXPECT_EQ(replay.find(numbers({1.0, 2.0, 3.0}).key), nullptr);

  const auto run = Replay::run(trace, numbers({-0.3, 0.25}));
  EXPECT_EQ(run->output(0), std::tanh(0.5 * -0.3 + 0.25));
  w.set_data(2.0);  // parameters are read live by each run
  EXPECT_EQ(Replay::run(trace, numbers({1.0, 1.0}))->output(0), std::tanh(3.0));

  // The cache keeps kMaxTraces programs, dropping the oldest.
  for (std::size_t n = 3; n < 3 + Replay::kMaxTraces; ++n) {
    trace_call(replay, arena, numbers(std::vector<double>(n, 1.0)), [&](const auto& x) {
      Value total = x[0] * 1.0;
      for (std::size_t i = 1; i < x.size(); ++i) total = total + x[i];
      return total;
    });
  }
  EXPECT_EQ(replay.trace_count(), Replay::kMaxTraces);
  EXPECT_EQ(replay.find(numbers({1.0, 2.0}).key), nullptr);
}

TEST(Replay, GradientsMatchFiniteDifferences) {
  Arena arena;
  Replay replay(arena);
  Value a(0.8, arena), b(-1.3, arena);
  const auto model = [&](const std::vector<Value>& x) {
    return ((a * x[0] + b * x[1]).sigmoid() * x[2] + (a / x[1]).exp()).log();
  };
  Arguments call = numbers({0.4, 1.7, 2.5});
  call.values.emplace_back(0u, Value(0.0, arena));  // position 0 holds a Value
  const Trace& trace = trace_call(replay, arena, call, model);
  Value x0 = call.values[0].second;
  const auto run = Replay::run(trace, std::move(call));
  run->backward(0, 1.0);

  const auto f = [&](const std::vector<double>& p) {
    const double s = 1.0 / (1.0 + std::exp(-(p[0] * p[2] + p[1] * p[3])));
    return std::log(s * p[4] + std::exp(p[0] / p[3]));
  };
  const std::vector<double> numeric =
      arenagrad::testing::numeric_gradient(f, {0.8, -1.3, 0.4, 1.7, 2.5});
  EXPECT_TRUE(arenagrad::testing::close(a.grad(), numeric[0]))
      << a.grad() << " vs " << numeric[0];
  EXPECT_TRUE(arenagrad::testing::close(b.grad(), numeric[1]))
      << b.grad() << " vs " << numeric[1];
  EXPECT_TRUE(arenagrad::testing::close(x0.grad(), numeric[2]))
      << x0.grad() << " vs " << numeric[2];
}

TEST(Replay, AnArgumentAliasedWithAParameterOrItselfGetsEveryGradient) {
  Arena arena;
  Replay replay(arena);
  Value w(2.0, arena);
  // Traced as f(w): the position is a fresh leaf, so w stays a parameter.
  Arguments traced;
  traced.key = {Arguments::kTuple, 1};
  traced.add_value(w);
  const Trace& trace = trace_call(
      replay, arena, traced, [&](const std::vector<Value>& x) { return x[0] * w; });
  EXPECT_EQ(trace.program->parameter_count(), 1u);
  Value y(3.0, arena);
  Arguments call;
  call.key = traced.key;
  call.add_value(y);
  const auto run = Replay::run(trace, std::move(call));
  EXPECT_EQ(run->output(0), 6.0);
  run->backward(0, 1.0);
  EXPECT_EQ(y.grad(), 2.0);
  EXPECT_EQ(w.grad(), 3.0);

  // f(w) again: d(w * w)/dw = 2w, one share through each role.
  w.set_grad(0.0);
  Arguments self;
  self.key = traced.key;
  self.add_value(w);
  const auto squared = Replay::run(trace, std::move(self));
  EXPECT_EQ(squared->output(0), 4.0);
  squared->backward(0, 1.0);
  EXPECT_EQ(w.grad(), 4.0);

  // One Value at two positions of a two-argument trace: the shares add up.
  Arguments two = numbers({1.0, 1.0});
  const Trace& product = trace_call(
      replay, arena, two, [](const std::vector<Value>& x) { return x[0] * x[1]; });
  Value z(5.0, arena);
  Arguments both;
  both.key = two.key;
  both.add_value(z);
  both.add_value(z);
  const auto run2 = Replay::run(product, std::move(both));
  EXPECT_EQ(run2->output(0), 25.0);
  run2->backward(0, 1.0);
  EXPECT_EQ(z.grad(), 10.0);
}

TEST(Replay, RecordRefusesPositionsSharingALeaf) {
  Arena arena;
  Replay replay(arena);
  Value x(1.0, arena);
  Value y = x * x;
  EXPECT_THROW(replay.record({Arguments::kTuple, 2, -1, -1}, {y.id()}, {x.id(), x.id()},
                             ResultShape::Single),
               std::invalid_argument);
  EXPECT_THROW(replay.record({Arguments::kTuple, 1, -1}, {y.id()}, {y.id()},
                             ResultShape::Single),
               std::invalid_argument);
  EXPECT_EQ(replay.trace_count(), 0u);
}

TEST(Replay, AnOlderRunDifferentiatesAfterNewerRuns) {
  Arena arena;
  Replay replay(arena);
  Value w(2.0, arena);
  const Trace& trace =
      trace_call(replay, arena, numbers({0.0}),
                 [&](const std::vector<Value>& x) { return (w * x[0]).exp(); });
  const auto first = Replay::run(trace, numbers({0.5}));
  const auto second = Replay::run(trace, numbers({-1.0}));  // overwrites the slots
  EXPECT_NE(trace.program->generation(), 0u);
  first->backward(0, 1.0);  // recomputes its own forward first
  EXPECT_DOUBLE_EQ(w.grad(), 0.5 * std::exp(1.0));
  w.set_grad(0.0);
  second->backward(0, 1.0);
  EXPECT_DOUBLE_EQ(w.grad(), -1.0 * std::exp(-2.0));
  // Parameter updates after a run do not change what that run differentiates.
  w.set_grad(0.0);
  w.set_data(100.0);
  first->backward(0, 1.0);
  EXPECT_DOUBLE_EQ(w.grad(), 0.5 * std::exp(1.0));
}

TEST(Replay, RunsHoldTheirArgumentValuesAndProgram) {
  Arena arena;
  const std::size_t before = arena.stats().live;
  std::shared_ptr<arenagrad::Run> run;
  {
    Replay replay(arena);
    Value w(3.0, arena);
    const Trace& trace =
        trace_call(replay, arena, numbers({1.0}),
                   [&](const std::vector<Value>& x) { return w * x[0]; });
    Arguments call;
    call.key = trace.key;
    call.add_value(Value(4.0, arena));
    run = Replay::run(trace, std::move(call));
  }  // the Replay, w and the argument Value's handle are gone
  EXPECT_EQ(run->output(0), 12.0);
  run->backward(0, 1.0);  // still safe: the run keeps the program and the Value
  EXPECT_GT(arena.stats().live, before);
  run.reset();
  EXPECT_EQ(arena.stats().live, before);
}

TEST(Replay, ForwardFaultsPropagateAndTheTraceStaysUsable) {
  Arena arena;
  Replay replay(arena);
  const Trace& trace =
      trace_call(replay, arena, numbers({2.0}),
                 [](const std::vector<Value>& x) { return (x[0] * 1.0).log(); });
  EXPECT_THROW(Replay::run(trace, numbers({-1.0})), MathError);
  EXPECT_EQ(Replay::run(trace, numbers({1.0}))->output(0), 0.0);
}

TEST(Replay, ArgumentsRefuseInteriorValues) {
  Arena arena;
  Value x(1.0, arena);
  Arguments a;
  EXPECT_THROW(a.add_value(x * 2.0), std::invalid_argument);
  EXPECT_EQ(a.size(), 0u);
}
