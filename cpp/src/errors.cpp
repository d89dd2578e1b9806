#include "arenagrad/errors.hpp"

#include <charconv>

namespace arenagrad {
namespace {

std::string number(double x) {
  char buf[32];
  auto [end, ec] = std::to_chars(buf, buf + sizeof(buf), x);
  return ec == std::errc() ? std::string(buf, end) : std::string("?");
}

const char* fault_text(Fault fault) {
  switch (fault) {
    case Fault::ZeroDivision: return "division by zero";
    case Fault::Domain: return "math domain error";
    case Fault::Overflow: return "math range error (result too large)";
    case Fault::None: break;
  }
  return "no error";
}

// Negative operands in parentheses, so "(-8) ** 0.5" reads as Python would parse it.
std::string operand(double x) { return x < 0.0 ? "(" + number(x) + ")" : number(x); }

}  // namespace

std::string describe(Op op, double a, double b, double k) {
  switch (arity(op)) {
    case 2: return operand(a) + " " + symbol(op) + " " + operand(b);
    case 1:
      if (op == Op::PowConst) return operand(a) + " ** " + operand(k);
      if (op == Op::Neg) return "-" + number(a);
      return std::string(symbol(op)) + "(" + number(a) + ")";
    default: return number(a);
  }
}

void throw_fault(Fault fault, Op op, double a, double b, double k) {
  std::string message = fault_text(fault);
  if (fault == Fault::Domain && (op == Op::Pow || op == Op::PowConst)) {
    message += " (a negative base to a fractional power is complex)";
  }
  throw MathError(fault, message + " in " + describe(op, a, b, k));
}

}  // namespace arenagrad
