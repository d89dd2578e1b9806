// The op table itself: generated metadata and the forward column.
#include <gtest/gtest.h>

#include <cmath>
#include <set>
#include <string>

#include "arenagrad/ops.hpp"

using namespace arenagrad;

TEST(OpTable, EveryOpHasADistinctNameAndAnArityOfAtMostTwo) {
  std::set<std::string> names;
  for (int i = 0; i < kOpCount; ++i) {
    const Op op = static_cast<Op>(i);
    EXPECT_TRUE(names.insert(name(op)).second) << name(op);
    EXPECT_LE(arity(op), 2);
  }
  EXPECT_EQ(arity(Op::Leaf), 0);
  EXPECT_EQ(arity(Op::Mul), 2);
  EXPECT_EQ(arity(Op::Relu), 1);
}

TEST(OpTable, SymbolsAreMicrogradsOpStrings) {
  EXPECT_STREQ(symbol(Op::Add), "+");
  EXPECT_STREQ(symbol(Op::Mul), "*");
  EXPECT_STREQ(symbol(Op::Relu), "ReLU");
  EXPECT_STREQ(symbol(Op::Leaf), "");
}

TEST(OpTable, ForwardValues) {
  EXPECT_EQ(forward(Op::Add, 2, 3, 0), 5);
  EXPECT_EQ(forward(Op::Sub, 2, 3, 0), -1);
  EXPECT_EQ(forward(Op::Mul, 2, 3, 0), 6);
  EXPECT_EQ(forward(Op::Div, 3, 2, 0), 1.5);
  EXPECT_EQ(forward(Op::Pow, 2, 3, 0), 8);
  EXPECT_EQ(forward(Op::PowConst, 3, 0, 2), 9);
  EXPECT_EQ(forward(Op::Neg, 3, 0, 0), -3);
  EXPECT_EQ(forward(Op::Relu, -3, 0, 0), 0);
  EXPECT_EQ(forward(Op::Relu, 3, 0, 0), 3);
  EXPECT_DOUBLE_EQ(forward(Op::Tanh, 0.5, 0, 0), std::tanh(0.5));
  EXPECT_DOUBLE_EQ(forward(Op::Exp, 1, 0, 0), std::exp(1.0));
  EXPECT_DOUBLE_EQ(forward(Op::Log, 2, 0, 0), std::log(2.0));
  EXPECT_DOUBLE_EQ(forward(Op::Sigmoid, 0, 0, 0), 0.5);
}

TEST(OpTable, SigmoidIsStableAtBothEnds) {
  EXPECT_EQ(forward(Op::Sigmoid, -1000, 0, 0), 0.0);
  EXPECT_EQ(forward(Op::Sigmoid, 1000, 0, 0), 1.0);
  EXPECT_FALSE(std::isnan(forward(Op::Sigmoid, -800, 0, 0)));
}

TEST(OpTable, ReluPassesNanAndClearsNegativeZero) {
  EXPECT_TRUE(std::isnan(forward(Op::Relu, std::nan(""), 0, 0)));
  EXPECT_FALSE(std::signbit(forward(Op::Relu, -0.0, 0, 0)));
}

TEST(OpTable, FaultsMirrorPythonFloatSemantics) {
  EXPECT_EQ(fault_of(Op::Div, 1, 0, 0, INFINITY), Fault::ZeroDivision);
  EXPECT_EQ(fault_of(Op::Div, 1, 2, 0, 0.5), Fault::None);
  EXPECT_EQ(fault_of(Op::Log, -1, 0, 0, NAN), Fault::Domain);
  EXPECT_EQ(fault_of(Op::Log, 0, 0, 0, -INFINITY), Fault::Domain);
  EXPECT_EQ(fault_of(Op::Exp, 1000, 0, 0, INFINITY), Fault::Overflow);
  EXPECT_EQ(fault_of(Op::Exp, INFINITY, 0, 0, INFINITY), Fault::None);
  EXPECT_EQ(fault_of(Op::PowConst, 0, 0, -1, INFINITY), Fault::ZeroDivision);
  EXPECT_EQ(fault_of(Op::PowConst, -8, 0, 0.5, NAN), Fault::Domain);
  EXPECT_EQ(fault_of(Op::PowConst, -8, 0, 2, 64), Fault::None);
  EXPECT_EQ(fault_of(Op::PowConst, 10, 0, 1000, INFINITY), Fault::Overflow);
  EXPECT_EQ(fault_of(Op::Pow, 10, 1000, 0, INFINITY), Fault::Overflow);
  EXPECT_EQ(fault_of(Op::Mul, 1e308, 10, 0, INFINITY),
            Fault::None);  // as 1e308*10 in Python
}
