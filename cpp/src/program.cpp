// Program capture and replay (see program.hpp).
#include "arenagrad/program.hpp"

#include <algorithm>
#include <stdexcept>
#include <unordered_map>

#include "arenagrad/errors.hpp"

namespace arenagrad {

Program::Program(Arena& arena, Index root, const std::vector<Index>& arguments)
    : arena_(arena) {
  // A copy: topological_order returns the arena's scratch buffer.
  const std::vector<Index> order = arena.topological_order(root);

  // Edges from inside the graph to each node. A leaf with more references than
  // that is held from outside (a Python handle, another graph): a parameter.
  std::unordered_map<Index, std::uint32_t> inner_refs;
  std::uint32_t leaves = 0;
  for (Index i : order) {
    const Node& n = arena.node(i);
    if (n.op == Op::Leaf) ++leaves;
    for (Index c : n.child) {
      if (c != kNoNode) ++inner_refs[c];
    }
  }
  if (order.size() >= kUnbound) throw std::length_error("arenagrad: program too large");

  std::unordered_map<Index, std::uint32_t> slot_of;
  slot_of.reserve(order.size());
  std::uint32_t next_leaf = 0, next_interior = leaves;
  for (Index i : order) {
    slot_of[i] = arena.node(i).op == Op::Leaf ? next_leaf++ : next_interior++;
  }
  leaf_count_ = leaves;
  root_slot_ = slot_of.at(root);

  const std::uint32_t scratch = static_cast<std::uint32_t>(order.size());
  values_.assign(order.size() + 1, 0.0);
  grads_.assign(order.size() + 1, 0.0);
  code_.resize(order.size() - leaves);

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

  for (Index i : order) {
    const Node& n = arena.node(i);
    const std::uint32_t slot = slot_of[i];
    if (n.op != Op::Leaf) {
      Instruction& in = code_[slot - leaves];
      in.op = n.op;
      in.a = slot_of.at(n.child[0]);
      in.b = n.child[1] == kNoNode ? scratch : slot_of.at(n.child[1]);
      in.k = n.k;
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
  const std::size_t n = code_.size();
  for (std::size_t i = 0; i < n; ++i) {
    const Instruction& in = code_[i];
    const double a = v[in.a], b = v[in.b];
    const double result = arenagrad::forward(in.op, a, b, in.k);
    if (const Fault f = fault_of(in.op, a, b, in.k, result); f != Fault::None) {
      throw_fault(f, in.op, a, b, in.k);
    }
    out[i] = result;
  }
  return v[root_slot_];
}

void Program::backward(double seed, double* argument_grads) {
  double* v = values_.data();
  double* g = grads_.data();
  std::fill(grads_.begin(), grads_.end(), 0.0);
  g[root_slot_] = seed;
  // Reverse topological order, each node's rule once, as Arena::backward does.
  for (std::size_t i = code_.size(); i-- > 0;) {
    const Instruction& in = code_[i];
    const std::uint32_t slot = leaf_count_ + static_cast<std::uint32_t>(i);
    const Partials d = local_partials(in.op, v[in.a], v[in.b], in.k, v[slot]);
    g[in.a] += g[slot] * d.da;
    g[in.b] += g[slot] * d.db;
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
