#include "arenagrad/errors.hpp"

#include <charconv>
#include <cmath>

namespace arenagrad {
namespace {

std::string number(double x) {
  if (x == 0.0 && std::signbit(x))
    return "-0.0";  // to_chars's "-0" reads as the integer 0
  char buf[32];
  auto [end, ec] = std::to_chars(buf, buf + sizeof(buf), x);
  return ec == std::errc() ? std::string(buf, end) : std::string("?");
}

const char* fault_text(Fault fault) {
  switch (fault) {
    case Fault::ZeroDivision:
      return "division by zero";
    case Fault::Domain:
      return "math domain error";
    case Fault::Overflow:
      return "math range error (result too large)";
    case Fault::None:
      break;
  }
  return "no error";
}

// Negative operands in parentheses, so "(-8) ** 0.5" reads as Python would parse it.
std::string operand(double x) {
  return std::signbit(x) && !std::isnan(x) ? "(" + number(x) + ")" : number(x);
}

}  // namespace

std::string describe(Op op, double a, double b, double k) {
  switch (arity(op)) {
    case 2:
      if (op == Op::Clamp)
        return "clamp(" + number(a) + ", lo=" + number(k) + ", hi=" + number(b) + ")";
      if (info(op).kind != Api::Operator) {  // a named function: atan2(y, x)
        return std::string(symbol(op)) + "(" + number(a) + ", " + number(b) + ")";
      }
      return operand(a) + " " + symbol(op) + " " + operand(b);
    case 1:
      if (op == Op::PowConst) return operand(a) + " ** " + operand(k);
      if (op == Op::Neg) return "-" + number(a);
      return std::string(symbol(op)) + "(" + number(a) + ")";
    default:
      return number(a);
  }
}

void throw_fault(Fault fault, Op op, double a, double b, double k) {
  std::string message = fault_text(fault);
  if (fault == Fault::Domain && (op == Op::Pow || op == Op::PowConst)) {
    message += " (a negative base to a fractional power is complex)";
  }
  if (op == Op::Clamp) message = "clamp needs lo <= hi";
  throw MathError(fault, message + " in " + describe(op, a, b, k));
}

}  // namespace arenagrad
