// Program capture and replay (see program.hpp).
#include "arenagrad/program.hpp"

#include <algorithm>
#include <stdexcept>

#include "arenagrad/errors.hpp"

namespace arenagrad {

namespace {

// One table op with its code known at compile time: the table's forward, fault
// and partial columns for that op, folded together.
template <Op O>
inline Fault evaluate(double a, double b, double k, double& out, Partials& d) {
  out = forward(O, a, b, k);
  d = local_partials(O, a, b, k, out);
  return fault_of(O, a, b, k, out);
}

// One dispatch per step instead of one per column.
inline Fault evaluate(Op op, double a, double b, double k, double& out, Partials& d) {
  switch (op) {
#define ARENAGRAD_OP(Name, ...) \
  case Op::Name:                \
    return evaluate<Op::Name>(a, b, k, out, d);
#include "arenagrad/ops.def"
#undef ARENAGRAD_OP
    default:
      break;  // not a table op: the constructor refuses those
  }
  out = 0.0;
  d = Partials{0.0, 0.0};
  return Fault::None;
}

bool is_table_op(Op op) { return static_cast<int>(op) < kOpCount; }

}  // namespace

Program::Program(Arena& arena, const std::vector<Index>& outputs,
                 const std::vector<Index>& arguments)
    : arena_(arena) {
  const std::vector<Index> order = order_nodes(outputs);
  find_chains(order);
  assign_slots(order, outputs);
  bind_arguments(arguments);
  try {
    classify_leaves(order);
    emit_steps(order);
  } catch (...) {
    // A constructor that throws runs no destructor: give back the parameters
    // classify_leaves retained (a MemoryError would otherwise leak them).
    for (Index i : parameter_node_) arena_.release(i);
    throw;
  }
  slot_of_.clear();
  absorbed_.clear();
  finished_.clear();
  inner_refs_.clear();
  is_argument_.clear();
}

// Step 1: every node the outputs reach, children before parents. Each output's
// order, skipping nodes already placed, is still topological.
std::vector<Index> Program::order_nodes(const std::vector<Index>& outputs) {
  if (outputs.empty())
    throw std::invalid_argument("arenagrad: a program needs an output");
  std::vector<Index> order = arena_.topological_order(outputs[0]);
  if (outputs.size() > 1) {
    std::unordered_set<Index> placed(order.begin(), order.end());
    for (std::size_t k = 1; k < outputs.size(); ++k) {
      for (Index i : arena_.topological_order(outputs[k])) {
        if (placed.insert(i).second) order.push_back(i);
      }
    }
  }
  if (order.size() >= kUnbound - 2)
    throw std::length_error("arenagrad: program too large");
  for (Index i : order) {
    if (!is_table_op(arena_.op(i))) throw UntraceableNode(i);
  }
  recorded_nodes_ = order.size();
  return order;
}

// Step 2: the inner nodes of addition chains (an Add used only as the left operand
// of another Add, a Mul used only as the right one), the chains a unary op alone
// uses, and each node's count of edges from inside the graph.
void Program::find_chains(const std::vector<Index>& order) {
  for (Index i : order) {
    const Node& n = arena_.node(i);
    for (Index c : n.child) {
      if (c != kNoNode) ++inner_refs_[c];
    }
    if (arity(n.op) == 1) {
      const Node& operand = arena_.node(n.child[0]);
      if (operand.op == Op::Add && operand.refs == 1 &&
          (absorbed_.count(operand.child[0]) != 0 ||
           absorbed_.count(operand.child[1]) != 0)) {
        finished_.insert(n.child[0]);
      }
    }
    if (n.op != Op::Add || n.child[0] == n.child[1]) continue;
    const Node& left = arena_.node(n.child[0]);
    const Node& right = arena_.node(n.child[1]);
    if (left.op == Op::Add && left.refs == 1) absorbed_.insert(n.child[0]);
    if (right.op == Op::Mul && right.refs == 1) absorbed_.insert(n.child[1]);
  }
}

// Step 3: leaves first, then the steps' results; absorbed nodes get no slot.
void Program::assign_slots(const std::vector<Index>& order,
                           const std::vector<Index>& outputs) {
  std::uint32_t leaves = 0;
  for (Index i : order) leaves += arena_.op(i) == Op::Leaf ? 1 : 0;
  slot_of_.reserve(order.size());
  std::uint32_t next_leaf = 0, next_interior = leaves;
  for (Index i : order) {
    if (absorbed_.count(i) != 0 || finished_.count(i) != 0) continue;
    slot_of_[i] = arena_.op(i) == Op::Leaf ? next_leaf++ : next_interior++;
  }
  leaf_count_ = leaves;
  for (Index out : outputs) output_slot_.push_back(slot_of_.at(out));
  reaches_.resize(outputs.size());
  one_slot_ = next_interior;
  scratch_slot_ = next_interior + 1;
  values_.assign(next_interior + 2, 0.0);
  values_[one_slot_] = 1.0;
  grads_.assign(values_.size(), 0.0);
}

// Step 4: the slot each argument position feeds.
void Program::bind_arguments(const std::vector<Index>& arguments) {
  argument_slot_.assign(arguments.size(), kUnbound);
  is_argument_.assign(leaf_count_, false);
  for (std::size_t j = 0; j < arguments.size(); ++j) {
    if (arguments[j] == kNoNode) continue;
    const auto found = slot_of_.find(arguments[j]);
    if (found == slot_of_.end()) continue;  // the result does not depend on it
    if (found->second >= leaf_count_) {
      throw std::invalid_argument("arenagrad: a program argument must be a leaf");
    }
    argument_slot_[j] = found->second;
    is_argument_[found->second] = true;
  }
}

// Step 5: the other leaves. One with more references than edges from inside the
// graph is held from outside (a Python handle, another graph): a parameter.
void Program::classify_leaves(const std::vector<Index>& order) {
  for (Index i : order) {
    const Node& n = arena_.node(i);
    if (n.op != Op::Leaf) continue;
    const std::uint32_t slot = slot_of_.at(i);
    if (is_argument_[slot]) continue;
    const auto inner = inner_refs_.find(i);
    const std::uint32_t held_inside = inner == inner_refs_.end() ? 0 : inner->second;
    if (n.refs > held_inside) {
      parameter_slot_.push_back(slot);
      parameter_node_.push_back(i);  // may throw: retain only once it is recorded
      arena_.retain(i);
    } else {
      values_[slot] = n.data;  // a constant: nothing outside can change it
      ++constants_;
    }
  }
}

// Step 6: one instruction per slotted interior node, in order.
void Program::emit_steps(const std::vector<Index>& order) {
  for (Index i : order) {
    const Node& n = arena_.node(i);
    if (n.op == Op::Leaf || absorbed_.count(i) != 0 || finished_.count(i) != 0)
      continue;
    if (arity(n.op) == 1 && finished_.count(n.child[0]) != 0) {
      emit_chain(n.child[0]);
      code_.back().finish = n.op;
      code_.back().k = n.k;
      code_.back().quiet = n.quiet;
      continue;
    }
    const bool is_chain = n.op == Op::Add && (absorbed_.count(n.child[0]) != 0 ||
                                              absorbed_.count(n.child[1]) != 0);
    if (is_chain) {
      emit_chain(i);
      continue;
    }
    Instruction in{n.op, false,   slot_of_.at(n.child[0]), scratch_slot_, 0,
                   n.k,  Op::Leaf};
    if (n.child[1] != kNoNode) in.b = slot_of_.at(n.child[1]);
    in.quiet = n.quiet;
    code_.push_back(in);
  }
  partial_a_.assign(code_.size(), 0.0);
  partial_b_.assign(code_.size(), 0.0);
  first_output_steps_ = code_.size();
  if (output_slot_.size() > 1) {
    // Steps are laid out in the first output's order first: the ones it needs
    // are a prefix, up to its own slot.
    const std::uint32_t slot = output_slot_[0];
    first_output_steps_ = slot < leaf_count_ ? 0 : slot - leaf_count_ + 1;
  }
}

// A chain ends at `last_add`; walk down its left spine, collecting the right
// operands last to first.
void Program::emit_chain(Index last_add) {
  const std::size_t first = terms_.size();
  Index link = last_add;
  for (;;) {
    const Node& add = arena_.node(link);
    const Index right = add.child[1];
    if (absorbed_.count(right) != 0) {
      const Node& product = arena_.node(right);
      terms_.push_back(
          Term{slot_of_.at(product.child[0]), slot_of_.at(product.child[1])});
    } else {
      terms_.push_back(Term{slot_of_.at(right), one_slot_});
    }
    if (absorbed_.count(add.child[0]) == 0) break;
    link = add.child[0];
  }
  std::reverse(terms_.begin() + static_cast<std::ptrdiff_t>(first), terms_.end());
  Instruction in{Op::Add,
                 true,
                 slot_of_.at(arena_.node(link).child[0]),
                 static_cast<std::uint32_t>(first),
                 static_cast<std::uint32_t>(terms_.size() - first),
                 0.0,
                 Op::Leaf};
  in.dense = true;
  for (std::size_t c = first + 1; c < terms_.size(); ++c) {
    in.dense = in.dense && terms_[c].t == terms_[c - 1].t + 1 &&
               terms_[c].u == terms_[c - 1].u + 1;
  }
  code_.push_back(in);
}

void Program::mark_reachable(std::uint32_t output_slot,
                             std::vector<bool>& reaches) const {
  std::vector<bool> needed(values_.size(), false);
  needed[output_slot] = true;
  reaches.assign(code_.size(), false);
  for (std::size_t i = code_.size(); i-- > 0;) {
    if (!needed[leaf_count_ + i]) continue;
    reaches[i] = true;
    const Instruction& in = code_[i];
    needed[in.a] = true;
    if (!in.chain) {
      needed[in.b] = true;
      continue;
    }
    for (std::uint32_t c = 0; c < in.count; ++c) {
      needed[terms_[in.b + c].t] = true;
      needed[terms_[in.b + c].u] = true;
    }
  }
}

Program::~Program() {
  for (Index i : parameter_node_) arena_.release(i);
}

void Program::read_parameters(std::vector<double>& out) const {
  out.resize(parameter_node_.size());
  for (std::size_t p = 0; p < parameter_node_.size(); ++p) {
    out[p] = arena_.data(parameter_node_[p]);
  }
}

double Program::forward(const double* parameters, const double* arguments) {
  ++generation_;
  double* v = values_.data();
  for (std::size_t p = 0; p < parameter_slot_.size(); ++p)
    v[parameter_slot_[p]] = parameters[p];
  for (std::size_t j = 0; j < argument_slot_.size(); ++j) {
    if (argument_slot_[j] != kUnbound) v[argument_slot_[j]] = arguments[j];
  }
  double* out = v + leaf_count_;
  double* pa = partial_a_.data();
  double* pb = partial_b_.data();
  const Term* terms = terms_.data();
  const std::size_t n = code_.size();
  for (std::size_t i = 0; i < n; ++i) {
    const Instruction& in = code_[i];
    if (in.chain) {
      // Left to right, one rounding per * and per +, as the separate nodes did
      // (ISO C++ mode compiles without FMA contraction).
      const Term* t = terms + in.b;
      const auto product = [&](const Term& term) {
        return arenagrad::forward(Op::Mul, v[term.t], v[term.u], 0.0);
      };
      const auto add = [](double x, double y) {
        return arenagrad::forward(Op::Add, x, y, 0.0);
      };
      double total = v[in.a];
      std::uint32_t c = 0;
      if (in.dense) {
        const double* vt = v + t[0].t;
        const double* vu = v + t[0].u;
        for (; c < in.count; ++c)
          total = add(total, arenagrad::forward(Op::Mul, vt[c], vu[c], 0.0));
      }
      // Two products per round (independent loads and multiplies), added in order.
      for (; c + 2 <= in.count; c += 2) {
        const double p0 = product(t[c]), p1 = product(t[c + 1]);
        total = add(add(total, p0), p1);
      }
      if (c < in.count) total = add(total, product(t[c]));
      if (in.finish == Op::Leaf) {
        out[i] = total;
        continue;
      }
      double result;
      Partials d;
      // relu, every hidden neuron's finish, with its op known here: no dispatch.
      const Fault f = in.finish == Op::Relu
                          ? evaluate<Op::Relu>(total, 0.0, in.k, result, d)
                          : evaluate(in.finish, total, 0.0, in.k, result, d);
      if (f != Fault::None && !in.quiet) {
        throw_fault(f, in.finish, total, 0.0, in.k);
      }
      out[i] = result;
      pa[i] = d.da;
      continue;
    }
    const double a = v[in.a], b = v[in.b];
    double result;
    Partials d;
    if (const Fault f = evaluate(in.op, a, b, in.k, result, d);
        f != Fault::None && !in.quiet) {
      throw_fault(f, in.op, a, b, in.k);
    }
    out[i] = result;
    pa[i] = d.da;
    pb[i] = d.db;
  }
  return v[output_slot_[0]];
}

void Program::backward(std::size_t output, double seed, double* argument_grads) {
  const std::vector<bool>* reaches = nullptr;
  std::size_t end = first_output_steps_;
  if (output != 0) {
    std::vector<bool>& mask = reaches_.at(output);
    if (mask.empty()) mark_reachable(output_slot_[output], mask);
    reaches = &mask;
    end = code_.size();
  }
  const double* v = values_.data();
  double* g = grads_.data();
  std::fill(grads_.begin(), grads_.end(), 0.0);
  g[output_slot_[output]] = seed;
  // The table's partials of a chain's links: every Add passes its gradient on
  // unchanged (1, 1); a product term's come from Mul's entry.
  const Partials add = local_partials(Op::Add, 0.0, 0.0, 0.0, 0.0);
  const auto term = [&](const Term& t, double grad) {
    const double reaching = grad * add.db;
    const Partials mul = local_partials(Op::Mul, v[t.t], v[t.u], 0.0, 0.0);
    accumulate(g[t.t], reaching, mul.da);
    accumulate(g[t.u], reaching, mul.db);
  };
  const double* pa = partial_a_.data();
  const double* pb = partial_b_.data();
  const Term* terms = terms_.data();
  // Reverse topological order, each node's rule once, as Arena::backward does.
  for (std::size_t i = end; i-- > 0;) {
    // A step the output does not depend on is skipped, not swept with a zero
    // gradient: 0 * an infinite partial would be nan.
    if (reaches != nullptr && !(*reaches)[i]) continue;
    const Instruction& in = code_[i];
    double grad = g[leaf_count_ + i];
    if (in.chain) {
      // Through the finish first; the chain's own gradient starts from zero, as
      // an interior node's does in Arena::backward.
      if (in.finish != Op::Leaf) {
        double chain_grad = 0.0;
        accumulate(chain_grad, grad, pa[i]);
        grad = chain_grad;
      }
      // The order the separate nodes' rules ran in: the last term first; the
      // start is reached from the first addition, before that addition's term.
      const Term* t = terms + in.b;
      if (in.dense) {
        const double* vt = v + t[0].t;
        const double* vu = v + t[0].u;
        double* gt = g + t[0].t;
        double* gu = g + t[0].u;
        const auto dense_term = [&](std::uint32_t c) {
          const double reaching = grad * add.db;
          const Partials mul = local_partials(Op::Mul, vt[c], vu[c], 0.0, 0.0);
          accumulate(gt[c], reaching, mul.da);
          accumulate(gu[c], reaching, mul.db);
        };
        for (std::uint32_t c = in.count; c-- > 1;) dense_term(c);
        accumulate(g[in.a], grad, add.da);
        dense_term(0);
        continue;
      }
      std::uint32_t c = in.count - 1;
      for (; c >= 2; c -= 2) {
        term(t[c], grad);
        term(t[c - 1], grad);
      }
      if (c == 1) term(t[1], grad);
      accumulate(g[in.a], grad, add.da);
      term(t[0], grad);
      continue;
    }
    accumulate(g[in.a], grad, pa[i]);
    accumulate(g[in.b], grad, pb[i]);
  }
  for (std::size_t p = 0; p < parameter_node_.size(); ++p) {
    const Index node = parameter_node_[p];
    arena_.set_grad(node, arena_.grad(node) + g[parameter_slot_[p]]);
  }
  // A slot shared by several positions is delivered once, to its first position.
  for (std::size_t j = 0; j < argument_slot_.size(); ++j) {
    const std::uint32_t slot = argument_slot_[j];
    argument_grads[j] = 0.0;
    if (slot == kUnbound) continue;
    argument_grads[j] = g[slot];
    g[slot] = 0.0;
  }
}

}  // namespace arenagrad
