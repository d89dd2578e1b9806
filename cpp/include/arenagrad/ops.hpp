// Op codes and their rules, generated from the single table in ops.def.
#pragma once

#include <cmath>
#include <cstdint>

namespace arenagrad {

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

// Evaluated on the side that cannot overflow exp().
inline double sigmoid_of(double a) {
  if (a >= 0.0) return 1.0 / (1.0 + std::exp(-a));
  const double e = std::exp(a);
  return e / (1.0 + e);
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

inline double forward(Op op, double a, double b, double k) {
  using namespace rules;
  ARENAGRAD_UNUSED;
  switch (op) {
#define ARENAGRAD_OP(Name, symbol, arity, forward, d_da, d_db, g_da, g_db, fault) \
  case Op::Name:                                                      \
    return forward;
#include "arenagrad/ops.def"
#undef ARENAGRAD_OP
    case Op::Custom:  // not a table entry: the embedder's rule (Arena::custom)
      break;
  }
  return std::nan("");
}

inline Partials local_partials(Op op, double a, double b, double k, double out) {
  using namespace rules;
  ARENAGRAD_UNUSED, (void)out;
  switch (op) {
#define ARENAGRAD_OP(Name, symbol, arity, forward, d_da, d_db, g_da, g_db, fault) \
  case Op::Name:                                                      \
    return Partials{d_da, d_db};
#include "arenagrad/ops.def"
#undef ARENAGRAD_OP
    case Op::Custom:  // not a table entry: the embedder's rule (Arena::custom)
      break;
  }
  return Partials{0.0, 0.0};
}

inline Fault fault_of(Op op, double a, double b, double k, double out) {
  using namespace rules;
  ARENAGRAD_UNUSED, (void)out;
  switch (op) {
#define ARENAGRAD_OP(Name, symbol, arity, forward, d_da, d_db, g_da, g_db, fault) \
  case Op::Name:                                                      \
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
  case Op::Name:                                                      \
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
  case Op::Name:                                                      \
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
  case Op::Name:                                                      \
    return #Name;
#include "arenagrad/ops.def"
#undef ARENAGRAD_OP
    case Op::Custom:  // not a table entry: the embedder's rule (Arena::custom)
      break;
  }
  return "?";
}

}  // namespace arenagrad
