// Exceptions the core throws; the Python binding maps each to the built-in that
// Python's float arithmetic raises in the same situation.
#pragma once

#include <stdexcept>
#include <string>

#include "arenagrad/ops.hpp"

namespace arenagrad {

// An op's forward hit a case Python's float/math would refuse (see Fault).
class MathError : public std::domain_error {
 public:
  MathError(Fault fault, const std::string& message)
      : std::domain_error(message), fault_(fault) {}
  Fault fault() const noexcept { return fault_; }

 private:
  Fault fault_;
};

// Describes the failing op with its operands, e.g. "log(-1)" or "1 / 0".
std::string describe(Op op, double a, double b, double k);

[[noreturn]] void throw_fault(Fault fault, Op op, double a, double b, double k);

}  // namespace arenagrad
