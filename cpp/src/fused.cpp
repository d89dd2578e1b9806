// Fused sum and dot product: left folds over Arena::apply (see fused.hpp).
#include "arenagrad/fused.hpp"

namespace arenagrad {
namespace {

bool is_node(Operand x) { return x.node != kNoNode; }

// `a op b` with Python's dispatch: two numbers combine as floats and record nothing.
Operand combine(Arena& arena, Op op, Operand a, Operand b) {
  if (!is_node(a) && !is_node(b)) {
    return Operand::number(op == Op::Add ? a.constant + b.constant
                                         : a.constant * b.constant);
  }
  return Operand::of(arena.apply(op, a, b));
}

// The running total of a fold. It owns a reference to its node once it has made
// one; the starting operand is only borrowed.
class Accumulator {
 public:
  Accumulator(Arena& arena, Operand start) : arena_(arena), value_(start) {}
  Accumulator(const Accumulator&) = delete;
  Accumulator& operator=(const Accumulator&) = delete;
  ~Accumulator() {
    if (owned_) arena_.release(value_.node);
  }

  // value = value + term; `term` is owned by the caller if it is a node.
  void add(Operand term) {
    const Operand next = combine(arena_, Op::Add, value_, term);
    if (owned_) arena_.release(value_.node);
    value_ = next;
    owned_ = is_node(next);
  }

  // Hands the total to the caller with one reference of its own.
  Operand release_result() {
    if (is_node(value_) && !owned_) arena_.retain(value_.node);
    owned_ = false;
    return value_;
  }

 private:
  Arena& arena_;
  Operand value_;
  bool owned_ = false;
};

// Releases a product once the sum node holds it (or on an exception).
struct OwnedTerm {
  Arena& arena;
  Operand term;
  ~OwnedTerm() {
    if (is_node(term)) arena.release(term.node);
  }
};

}  // namespace

Operand fold_sum(Arena& arena, Operand start, const Operand* terms, std::size_t n) {
  Accumulator total(arena, start);
  for (std::size_t i = 0; i < n; ++i) total.add(terms[i]);
  return total.release_result();
}

Operand fold_dot(Arena& arena, Operand bias, const Operand* w, const Operand* x,
                 std::size_t n) {
  Accumulator total(arena, bias);
  for (std::size_t i = 0; i < n; ++i) {
    OwnedTerm product{arena, combine(arena, Op::Mul, w[i], x[i])};
    total.add(product.term);
  }
  return total.release_result();
}

}  // namespace arenagrad
