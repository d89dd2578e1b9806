// Value: an owning handle to one node, the C++ face of a Python `Value`.
// Copying a Value shares the node (like two Python names for one object); the
// node lives while any handle or parent node refers to it.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "arenagrad/arena.hpp"

namespace arenagrad {

class Value {
 public:
  explicit Value(double x, Arena& arena = default_arena())
      : arena_(&arena), id_(arena.leaf(x)) {}
  // Takes over the reference a fresh node from Arena::leaf/apply carries.
  static Value adopt(Arena& arena, Index id) { return Value(&arena, id); }

  Value(const Value& other) : arena_(other.arena_), id_(other.id_) {
    arena_->retain(id_);
  }
  Value(Value&& other) noexcept : arena_(other.arena_), id_(other.id_) {
    other.id_ = kNoNode;
  }
  Value& operator=(Value other) noexcept {
    std::swap(arena_, other.arena_);
    std::swap(id_, other.id_);
    return *this;
  }
  ~Value() {
    if (id_ != kNoNode) arena_->release(id_);
  }

  Index id() const { return id_; }
  Arena& arena() const { return *arena_; }
  double data() const { return arena_->data(id_); }
  double grad() const { return arena_->grad(id_); }
  void set_data(double x) { arena_->set_data(id_, x); }
  void set_grad(double g) { arena_->set_grad(id_, g); }
  Op op() const { return arena_->op(id_); }
  std::vector<Value> children() const;

  void backward() { arena_->backward(id_); }
  void local_backward() { arena_->local_backward(id_); }

  // One op, with this value as the left operand.
  Value apply(Op op, Operand other = {}, double k = 0.0) const {
    return adopt(*arena_, arena_->apply(op, Operand::of(id_), other, k));
  }
  // One op with a number on the left: `x - v`, `x / v`, `x ** v`.
  Value apply_reflected(Op op, double x) const {
    return adopt(*arena_, arena_->apply(op, Operand::number(x), Operand::of(id_)));
  }

  // One method per op the table reaches as a method, function or helper:
  // v.relu(), v.sqrt(), v.leaky_relu(0.2), y.atan2(x), v.clamp(lo, hi), v.step(), ...
#define ARENAGRAD_METHOD_Leaf(Name, ident, k_default)
#define ARENAGRAD_METHOD_Operator(Name, ident, k_default)
#define ARENAGRAD_METHOD_Method(Name, ident, k_default) \
  Value ident() const { return apply(Op::Name); }
#define ARENAGRAD_METHOD_Helper(Name, ident, k_default) \
  ARENAGRAD_METHOD_Method(Name, ident, k_default)
#define ARENAGRAD_METHOD_MethodK(Name, ident, k_default) \
  Value ident(double k = k_default) const { return apply(Op::Name, {}, k); }
#define ARENAGRAD_METHOD_Function(Name, ident, k_default) \
  Value ident(const Value& other) const {                 \
    return apply(Op::Name, Operand::of(other.id_));       \
  }                                                       \
  Value ident(double x) const { return apply(Op::Name, Operand::number(x)); }
#define ARENAGRAD_METHOD_Helper2(Name, ident, k_default)  \
  Value ident(const Value& other, double k = 0.0) const { \
    return apply(Op::Name, Operand::of(other.id_), k);    \
  }
// clamp(lo, hi): hi is the second operand (a constant leaf), lo the constant.
#define ARENAGRAD_METHOD_Clamp(Name, ident, k_default)     \
  Value ident(double lo = -kInf, double hi = kInf) const { \
    return apply(Op::Name, Operand::number(hi), lo);       \
  }
#define ARENAGRAD_API(Name, ident, kind, k_name, k_default, a_lo, a_hi, b_lo, b_hi, \
                      doc, convention)                                              \
  ARENAGRAD_METHOD_##kind(Name, ident, k_default)
#include "arenagrad/ops.def"
#undef ARENAGRAD_API
#undef ARENAGRAD_METHOD_Leaf
#undef ARENAGRAD_METHOD_Operator
#undef ARENAGRAD_METHOD_Method
#undef ARENAGRAD_METHOD_Helper
#undef ARENAGRAD_METHOD_MethodK
#undef ARENAGRAD_METHOD_Function
#undef ARENAGRAD_METHOD_Helper2
#undef ARENAGRAD_METHOD_Clamp

  Value pow(double k) const { return apply(Op::PowConst, {}, k); }
  Value pow(const Value& e) const { return apply(Op::Pow, Operand::of(e.id_)); }
  Value operator-() const { return apply(Op::Neg); }

 private:
  Value(Arena* arena, Index id) : arena_(arena), id_(id) {}

  Arena* arena_;
  Index id_;
};

inline Value operator+(const Value& a, const Value& b) {
  return a.apply(Op::Add, Operand::of(b.id()));
}
inline Value operator-(const Value& a, const Value& b) {
  return a.apply(Op::Sub, Operand::of(b.id()));
}
inline Value operator*(const Value& a, const Value& b) {
  return a.apply(Op::Mul, Operand::of(b.id()));
}
inline Value operator/(const Value& a, const Value& b) {
  return a.apply(Op::Div, Operand::of(b.id()));
}
inline Value operator+(const Value& a, double x) {
  return a.apply(Op::Add, Operand::number(x));
}
inline Value operator-(const Value& a, double x) {
  return a.apply(Op::Sub, Operand::number(x));
}
inline Value operator*(const Value& a, double x) {
  return a.apply(Op::Mul, Operand::number(x));
}
inline Value operator/(const Value& a, double x) {
  return a.apply(Op::Div, Operand::number(x));
}
inline Value operator+(double x, const Value& b) {
  return b.apply_reflected(Op::Add, x);
}
inline Value operator-(double x, const Value& b) {
  return b.apply_reflected(Op::Sub, x);
}
inline Value operator*(double x, const Value& b) {
  return b.apply_reflected(Op::Mul, x);
}
inline Value operator/(double x, const Value& b) {
  return b.apply_reflected(Op::Div, x);
}

}  // namespace arenagrad
