// Program capture and replay (see program.hpp).
#include "arenagrad/program.hpp"

#include <algorithm>
#include <stdexcept>
#include <unordered_map>
#include <unordered_set>

#include "arenagrad/errors.hpp"

namespace arenagrad {

Program::Program(Arena& arena, const std::vector<Index>& outputs,
                 const std::vector<Index>& arguments)
    : arena_(arena) {
  if (outputs.empty()) throw std::invalid_argument("arenagrad: a program needs an output");
  // Each output's order, skipping nodes already placed, is still topological.
  std::vector<Index> order = arena.topological_order(outputs[0]);
  if (outputs.size() > 1) {
    std::unordered_set<Index> placed(order.begin(), order.end());
    for (std::size_t k = 1; k < outputs.size(); ++k) {
      for (Index i : arena.topological_order(outputs[k])) {
        if (placed.insert(i).second) order.push_back(i);
      }
    }
  }
  recorded_nodes_ = order.size();
  if (order.size() >= kUnbound - 2) throw std::length_error("arenagrad: program too large");

  // Edges from inside the graph to each node. A leaf with more references than
  // that is held from outside (a Python handle, another graph): a parameter.
  std::unordered_map<Index, std::uint32_t> inner_refs;
  // Inner nodes of addition chains: an Add used only as the left operand of
  // another Add, and a Mul used only as the right operand of an Add.
  std::unordered_set<Index> absorbed;
  std::uint32_t leaves = 0;
  for (Index i : order) {
    const Node& n = arena.node(i);
    if (n.op == Op::Leaf) ++leaves;
    for (Index c : n.child) {
      if (c != kNoNode) ++inner_refs[c];
    }
    if (n.op != Op::Add || n.child[0] == n.child[1]) continue;
    const Node& left = arena.node(n.child[0]);
    const Node& right = arena.node(n.child[1]);
    if (left.op == Op::Add && left.refs == 1) absorbed.insert(n.child[0]);
    if (right.op == Op::Mul && right.refs == 1) absorbed.insert(n.child[1]);
  }

  std::unordered_map<Index, std::uint32_t> slot_of;
  slot_of.reserve(order.size());
  std::uint32_t next_leaf = 0, next_interior = leaves;
  for (Index i : order) {
    if (absorbed.count(i) != 0) continue;
    slot_of[i] = arena.node(i).op == Op::Leaf ? next_leaf++ : next_interior++;
  }
  leaf_count_ = leaves;
  for (Index out : outputs) output_slot_.push_back(slot_of.at(out));
  reaches_.resize(outputs.size());
  one_slot_ = next_interior;
  const std::uint32_t scratch = next_interior + 1;
  values_.assign(next_interior + 2, 0.0);
  values_[one_slot_] = 1.0;
  grads_.assign(values_.size(), 0.0);

  argument_slot_.assign(arguments.size(), kUnbound);
  std::vector<bool> is_argument(leaves, false);
  for (std::size_t j = 0; j < arguments.size(); ++j) {
    if (arguments[j] == kNoNode) continue;
    const auto found = slot_of.find(arguments[j]);
    if (found == slot_of.end()) continue;  // the result does not depend on it
    if (found->second >= leaves) {
      throw std::invalid_argument("arenagrad: a program argument must be a leaf");
    }
    argument_slot_[j] = found->second;
    is_argument[found->second] = true;
  }

  std::vector<Term> chain;
  for (Index i : order) {
    if (absorbed.count(i) != 0) continue;
    const Node& n = arena.node(i);
    const std::uint32_t slot = slot_of[i];
    if (n.op != Op::Leaf) {
      Instruction in{n.op, false, 0, scratch, 0, n.k};
      const bool is_chain = n.op == Op::Add && (absorbed.count(n.child[0]) != 0 ||
                                                absorbed.count(n.child[1]) != 0);
      if (!is_chain) {
        in.a = slot_of.at(n.child[0]);
        if (n.child[1] != kNoNode) in.b = slot_of.at(n.child[1]);
        code_.push_back(in);
        continue;
      }
      // Walk down the left spine, collecting the right operands last to first.
      chain.clear();
      Index link = i;
      for (;;) {
        const Node& add = arena.node(link);
        const Index right = add.child[1];
        if (absorbed.count(right) != 0) {
          const Node& product = arena.node(right);
          chain.push_back(Term{slot_of.at(product.child[0]), slot_of.at(product.child[1])});
        } else {
          chain.push_back(Term{slot_of.at(right), one_slot_});
        }
        if (absorbed.count(add.child[0]) == 0) break;
        link = add.child[0];
      }
      in.chain = true;
      in.a = slot_of.at(arena.node(link).child[0]);
      in.b = static_cast<std::uint32_t>(terms_.size());
      in.count = static_cast<std::uint32_t>(chain.size());
      terms_.insert(terms_.end(), chain.rbegin(), chain.rend());
      code_.push_back(in);
      continue;
    }
    if (is_argument[slot]) continue;
    const auto inner = inner_refs.find(i);
    const std::uint32_t held_inside = inner == inner_refs.end() ? 0 : inner->second;
    if (n.refs > held_inside) {
      arena.retain(i);
      parameter_node_.push_back(i);
      parameter_slot_.push_back(slot);
    } else {
      values_[slot] = n.data;  // a constant: nothing outside can change it
      ++constants_;
    }
  }
}

void Program::mark_reachable(std::uint32_t output_slot, std::vector<bool>& reaches) const {
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
  for (std::size_t p = 0; p < parameter_slot_.size(); ++p) v[parameter_slot_[p]] = parameters[p];
  for (std::size_t j = 0; j < argument_slot_.size(); ++j) {
    if (argument_slot_[j] != kUnbound) v[argument_slot_[j]] = arguments[j];
  }
  double* out = v + leaf_count_;
  const Term* terms = terms_.data();
  const std::size_t n = code_.size();
  for (std::size_t i = 0; i < n; ++i) {
    const Instruction& in = code_[i];
    if (in.chain) {
      // Left to right, one rounding per * and per +, as the separate nodes did
      // (ISO C++ mode compiles without FMA contraction).
      const Term* t = terms + in.b;
      double total = v[in.a];
      for (std::uint32_t c = 0; c < in.count; ++c) total = total + v[t[c].t] * v[t[c].u];
      out[i] = total;
      continue;
    }
    const double a = v[in.a], b = v[in.b];
    const double result = arenagrad::forward(in.op, a, b, in.k);
    if (const Fault f = fault_of(in.op, a, b, in.k, result); f != Fault::None) {
      throw_fault(f, in.op, a, b, in.k);
    }
    out[i] = result;
  }
  return v[output_slot_[0]];
}

void Program::backward(std::size_t output, double seed, double* argument_grads) {
  std::vector<bool>& reaches = reaches_.at(output);
  if (reaches.empty()) mark_reachable(output_slot_[output], reaches);
  double* v = values_.data();
  double* g = grads_.data();
  std::fill(grads_.begin(), grads_.end(), 0.0);
  g[output_slot_[output]] = seed;
  // Reverse topological order, each node's rule once, as Arena::backward does.
  const Term* terms = terms_.data();
  for (std::size_t i = code_.size(); i-- > 0;) {
    // A step the output does not depend on is skipped, not swept with a zero
    // gradient: 0 * an infinite partial would be nan.
    if (!reaches[i]) continue;
    const Instruction& in = code_[i];
    const std::uint32_t slot = leaf_count_ + static_cast<std::uint32_t>(i);
    const double grad = g[slot];
    if (in.chain) {
      // The order the separate nodes' rules ran in: the last term first; the
      // start is reached from the first addition, before that addition's term.
      const Term* t = terms + in.b;
      for (std::uint32_t c = in.count; c-- > 1;) {
        g[t[c].t] += grad * v[t[c].u];
        g[t[c].u] += grad * v[t[c].t];
      }
      g[in.a] += grad;
      g[t[0].t] += grad * v[t[0].u];
      g[t[0].u] += grad * v[t[0].t];
      continue;
    }
    const Partials d = local_partials(in.op, v[in.a], v[in.b], in.k, v[slot]);
    g[in.a] += grad * d.da;
    g[in.b] += grad * d.db;
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
