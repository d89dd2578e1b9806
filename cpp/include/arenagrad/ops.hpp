// Op codes and their rules, generated from the single table in ops.def.
#pragma once

#include <cmath>
#include <cstdint>
#include <limits>

namespace arenagrad {

inline constexpr double kInf = std::numeric_limits<double>::infinity();
inline constexpr double kInvLn2 = 1.4426950408889634074;    // 1 / ln 2
inline constexpr double kInvLn10 = 0.43429448190325182765;  // 1 / ln 10
inline constexpr double kTwoOverSqrtPi = 1.1283791670955125739;
inline constexpr double kInvSqrt2 = 0.70710678118654752440;
inline constexpr double kInvSqrt2Pi = 0.39894228040143267794;  // 1 / sqrt(2 pi)

// Which exception Python's own float arithmetic would raise for a forward value.
enum class Fault : std::uint8_t { None, ZeroDivision, Domain, Overflow };

enum class Op : std::uint8_t {
#define ARENAGRAD_OP(Name, symbol, arity, forward, d_da, d_db, g_da, g_db, fault) Name,
#include "arenagrad/ops.def"
#undef ARENAGRAD_OP
  Custom,  // not in the table: an embedder-defined op (Python's Value(data, _children))
};

inline constexpr int kOpCount = 0
#define ARENAGRAD_OP(Name, symbol, arity, forward, d_da, d_db, g_da, g_db, fault) +1
#include "arenagrad/ops.def"
#undef ARENAGRAD_OP
    ;

// The two partial derivatives of an op's output with respect to its operands.
struct Partials {
  double da;
  double db;
};

namespace rules {

// Like micrograd's `0 if a < 0 else a`: nan passes through, -0.0 becomes 0.0.
inline double relu_of(double a) { return a <= 0.0 ? 0.0 : a; }

// 1, -1 or 0 (also for -0.0); nan stays nan.
inline double sign_of(double a) { return a > 0.0 ? 1.0 : (a < 0.0 ? -1.0 : a * 0.0); }

// Evaluated on the side that cannot overflow exp().
inline double sigmoid_of(double a) {
  if (a >= 0.0) return 1.0 / (1.0 + std::exp(-a));
  const double e = std::exp(a);
  return e / (1.0 + e);
}

// ln(1 + e^a) as max(a, 0) + ln(1 + e^-|a|): finite for every finite a.
inline double softplus_of(double a) {
  return (a > 0.0 ? a : 0.0) + std::log1p(std::exp(-std::fabs(a)));
}

inline double silu_slope_of(double a) {
  const double s = sigmoid_of(a);
  return s * (1.0 + a * (1.0 - s));
}

// The standard normal CDF, through erfc so that the far left tail keeps its digits.
inline double normal_cdf(double a) { return 0.5 * std::erfc(-a * kInvSqrt2); }

inline double gelu_slope_of(double a) {
  return normal_cdf(a) + a * kInvSqrt2Pi * std::exp(-0.5 * a * a);
}

// NumPy's and PyTorch's maximum/minimum: nan if either operand is nan.
inline double maximum_of(double a, double b) {
  if (std::isnan(a) || std::isnan(b)) return a + b;
  return a < b ? b : a;
}
inline double minimum_of(double a, double b) {
  if (std::isnan(a) || std::isnan(b)) return a + b;
  return b < a ? b : a;
}

// Share of maximum(a, b)'s gradient that goes to a: all, half at a tie, or none.
inline double select_of(double a, double b) {
  return a > b ? 1.0 : (a == b ? 0.5 : 0.0);
}

// Written with comparisons, not fmin/fmax, so a nan operand stays nan.
inline double clamp_of(double a, double lo, double hi) {
  return a < lo ? lo : (a > hi ? hi : a);
}
inline double in_range_of(double a, double lo, double hi) {
  return lo <= a && a <= hi ? 1.0 : 0.0;
}

// d/da a^k. A zero exponent is constant 1 whatever a is, so its slope is 0 even at
// a = 0, where k * a^(k-1) would be 0 * inf.
inline double power_rule(double a, double k) {
  return k == 0.0 ? 0.0 : k * std::pow(a, k - 1.0);
}

// d/db a^b = a^b ln a. Where a^b is 0 the slope in b is 0 (the limit from a > 0);
// for a < 0 it does not exist on the reals and is nan, as in PyTorch.
inline double exponent_rule(double a, double out) {
  if (out == 0.0) return 0.0;
  return a > 0.0 ? out * std::log(a) : std::nan("");
}

// Python's float.__pow__: 0 ** negative divides by zero, a negative base to a
// fractional power is complex, and a finite power too large to represent overflows.
inline Fault pow_fault(double a, double k, double out) {
  if (!std::isfinite(a) || !std::isfinite(k)) return Fault::None;
  if (a == 0.0 && k < 0.0) return Fault::ZeroDivision;
  if (a < 0.0 && k != std::floor(k)) return Fault::Domain;
  if (std::isinf(out)) return Fault::Overflow;
  return Fault::None;
}

// math.exp(1000) raises OverflowError; math.exp(inf) is inf.
inline Fault overflow_fault(double a, double out) {
  return std::isinf(out) && std::isfinite(a) ? Fault::Overflow : Fault::None;
}

}  // namespace rules

// The switches below are generated from ops.def; each case is that op's column.
#define ARENAGRAD_UNUSED (void)a, (void)b, (void)k

// The three columns' switches are inlined wherever they are called: a call with a
// constant op (every operator, a replay's Mul and Add) then folds to that op's
// expression, and gcc otherwise judged the switches too big to inline at all (a
// replay's backward spent a third of its instructions calling local_partials).
#if defined(__GNUC__)
#define ARENAGRAD_TABLE_INLINE inline __attribute__((always_inline))
#else
#define ARENAGRAD_TABLE_INLINE inline
#endif

ARENAGRAD_TABLE_INLINE double forward(Op op, double a, double b, double k) {
  using namespace rules;
  ARENAGRAD_UNUSED;
  switch (op) {
#define ARENAGRAD_OP(Name, symbol, arity, forward, d_da, d_db, g_da, g_db, fault) \
  case Op::Name:                                                                  \
    return forward;
#include "arenagrad/ops.def"
#undef ARENAGRAD_OP
    case Op::Custom:  // not a table entry: the embedder's rule (Arena::custom)
      break;
  }
  return std::nan("");
}

ARENAGRAD_TABLE_INLINE Partials local_partials(Op op, double a, double b, double k,
                                               double out) {
  using namespace rules;
  ARENAGRAD_UNUSED, (void)out;
  switch (op) {
#define ARENAGRAD_OP(Name, symbol, arity, forward, d_da, d_db, g_da, g_db, fault) \
  case Op::Name:                                                                  \
    return Partials{d_da, d_db};
#include "arenagrad/ops.def"
#undef ARENAGRAD_OP
    case Op::Custom:  // not a table entry: the embedder's rule (Arena::custom)
      break;
  }
  return Partials{0.0, 0.0};
}

ARENAGRAD_TABLE_INLINE Fault fault_of(Op op, double a, double b, double k, double out) {
  using namespace rules;
  ARENAGRAD_UNUSED, (void)out;
  switch (op) {
#define ARENAGRAD_OP(Name, symbol, arity, forward, d_da, d_db, g_da, g_db, fault) \
  case Op::Name:                                                                  \
    return fault;
#include "arenagrad/ops.def"
#undef ARENAGRAD_OP
    case Op::Custom:  // not a table entry: the embedder's rule (Arena::custom)
      break;
  }
  return Fault::None;
}

#undef ARENAGRAD_UNUSED

inline constexpr int arity(Op op) {
  switch (op) {
#define ARENAGRAD_OP(Name, symbol, arity, forward, d_da, d_db, g_da, g_db, fault) \
  case Op::Name:                                                                  \
    return arity;
#include "arenagrad/ops.def"
#undef ARENAGRAD_OP
    case Op::Custom:  // not a table entry: the embedder's rule (Arena::custom)
      break;
  }
  return 0;
}

// micrograd's `_op` string: "+", "*", "ReLU", ... ("" for a leaf).
inline constexpr const char* symbol(Op op) {
  switch (op) {
#define ARENAGRAD_OP(Name, symbol, arity, forward, d_da, d_db, g_da, g_db, fault) \
  case Op::Name:                                                                  \
    return symbol;
#include "arenagrad/ops.def"
#undef ARENAGRAD_OP
    case Op::Custom:  // not a table entry: the embedder's rule (Arena::custom)
      break;
  }
  return "?";
}

// The enumerator's own name ("Add", "PowConst"), for messages and C++ tests.
inline constexpr const char* name(Op op) {
  switch (op) {
#define ARENAGRAD_OP(Name, symbol, arity, forward, d_da, d_db, g_da, g_db, fault) \
  case Op::Name:                                                                  \
    return #Name;
#include "arenagrad/ops.def"
#undef ARENAGRAD_OP
    case Op::Custom:  // not a table entry: the embedder's rule (Arena::custom)
      break;
  }
  return "?";
}

// The chain rule's one step, used by every backward sweep (Arena::backward,
// local_backward, Program::backward, grad()): an operand's gradient collects the node's
// gradient times the op's local derivative. Accumulated (+=): an operand used twice,
// as in a*a, collects both terms.
inline void accumulate(double& operand_grad, double node_grad,
                       double local_derivative) {
  operand_grad += node_grad * local_derivative;
}

// How an op is reached from Python and C++ (ops.def's ARENAGRAD_API column `kind`).
enum class Api : std::uint8_t {
  Leaf,
  Operator,
  Method,
  MethodK,
  Function,
  Clamp,
  Helper,
  Helper2
};

struct OpInfo {
  Op op;
  const char* ident;  // Python name ("sqrt", "__add__")
  Api kind;
  const char* k_name;  // the constant's keyword ("slope"), "" if none
  double k_default;
  double a_lo, a_hi, b_lo, b_hi;  // the domain where forward raises nothing
  const char* doc;
  const char* convention;  // derivative convention at kinks and edges
};

// Every op, in enum order.
inline constexpr OpInfo kOpInfo[] = {
#define ARENAGRAD_API(Name, ident, kind, k_name, k_default, a_lo, a_hi, b_lo, b_hi, \
                      doc, convention)                                              \
  OpInfo{Op::Name, #ident, Api::kind, k_name, k_default, a_lo,                      \
         a_hi,     b_lo,   b_hi,      doc,    convention},
#include "arenagrad/ops.def"
#undef ARENAGRAD_API
};
static_assert(sizeof(kOpInfo) / sizeof(kOpInfo[0]) == kOpCount,
              "every ARENAGRAD_OP needs its ARENAGRAD_API entry");

constexpr bool api_entries_in_op_order() {
  for (int i = 0; i < kOpCount; ++i) {
    if (static_cast<int>(kOpInfo[i].op) != i) return false;
  }
  return true;
}
static_assert(api_entries_in_op_order(),
              "each ARENAGRAD_API follows its own ARENAGRAD_OP");

inline constexpr const OpInfo& info(Op op) { return kOpInfo[static_cast<int>(op)]; }

}  // namespace arenagrad
