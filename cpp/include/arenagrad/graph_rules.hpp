// Local derivatives as graph nodes, generated from ops.def's g_da / g_db columns.
// create_graph differentiates these nodes again, so a derivative of any order is
// built from the same table as the first.
#pragma once

#include <optional>
#include <utility>

#include "arenagrad/graph_ops.hpp"
#include "arenagrad/value.hpp"

namespace arenagrad {

// A local derivative: a plain number (Add's 1, Neg's -1) or a node of the graph.
// Numbers keep the chain rule from building nodes for constants: g * 1 is g.
class Deriv {
 public:
  Deriv(double constant) : constant_(constant) {}  // NOLINT: implicit by design
  Deriv(Value node) : node_(std::move(node)) {}    // NOLINT: implicit by design

  bool is_constant() const { return !node_.has_value(); }
  double constant() const { return constant_; }
  const Value& node() const { return *node_; }

 private:
  double constant_ = 0.0;
  std::optional<Value> node_;
};

struct GraphPartials {
  Deriv da;
  Deriv db;
};

namespace graph_ops {

// relu's slope as a node: 1 where a > 0, else 0; its own derivative is 0.
inline Value step(const Value& a) { return a.apply(Op::Step); }

}  // namespace graph_ops

// d out/d a and d out/d b of one node, as Derivs. `b` is ignored by unary ops (pass
// `a` again); `out` is the node itself.
inline GraphPartials graph_partials(Op op, const Value& a, const Value& b, double k,
                                    const Value& out) {
  using namespace graph_ops;
  (void)a, (void)b, (void)k, (void)out;
  switch (op) {
#define ARENAGRAD_OP(Name, symbol, arity, forward, d_da, d_db, g_da, g_db, fault) \
  case Op::Name:                                                                  \
    return GraphPartials{Deriv(g_da), Deriv(g_db)};
#include "arenagrad/ops.def"
#undef ARENAGRAD_OP
    case Op::Custom:  // the embedder's rule: grad() refuses it before this
      break;
  }
  return GraphPartials{Deriv(0.0), Deriv(0.0)};
}

}  // namespace arenagrad
