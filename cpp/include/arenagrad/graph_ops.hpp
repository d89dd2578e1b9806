// Graph-form derivatives too long for one expression in ops.def's g_ columns.
// Each is written with ops only, branching on the constant k alone, never on data.
#pragma once

#include "arenagrad/value.hpp"

namespace arenagrad::graph_ops {

// silu' = s (1 + a (1 - s)), s = sigmoid(a).
inline Value silu_slope(const Value& a) {
  const Value s = a.sigmoid();
  return s * (1.0 + a * (1.0 - s));
}

// gelu' = Phi(a) + a phi(a).
inline Value gelu_slope(const Value& a) {
  const Value cdf = 0.5 * (1.0 + (a * kInvSqrt2).erf());
  return cdf + a * ((a * a) * -0.5).exp() * kInvSqrt2Pi;
}

// d(a ** b)/db = out ln a, and 0 where out is 0, as exponent_rule: there ln reads
// 1 (a mask of out == 0 is added to a) rather than ln 0 = -inf times 0.
inline Value exponent_slope(const Value& a, const Value& out) {
  const Value out_is_zero = 1.0 - out.abs().step();
  return out * (a + out_is_zero).log();
}

// elu' = 1 where a > 0, else k e^a. e^min(a, 0) keeps the unused side from
// overflowing for large a.
inline Value elu_slope(const Value& a, double k) {
  const Value s = a.step();
  return s + (1.0 - s) * (a.minimum(0.0).exp() * k);
}

}  // namespace arenagrad::graph_ops
