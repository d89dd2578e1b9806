// Graph algorithms over an Arena: topological order and the backward pass.
// Both use explicit stacks, so graph depth never touches the C++ stack.
#include <algorithm>

#include "arenagrad/arena.hpp"

namespace arenagrad {

std::uint32_t Arena::next_stamp() {
  if (++stamp_ == 0) {
    // Wrapped after 2^32 traversals: forget every old mark once.
    for (Node& n : nodes_) n.stamp = 0;
    stamp_ = 1;
  }
  return stamp_;
}

const std::vector<Index>& Arena::topological_order(Index root) {
  // Iterative post-order DFS. A node is pushed once to expand it and once more,
  // tagged, to emit it after all its children have been emitted.
  constexpr Index kEmit = Index{1} << 31;
  const std::uint32_t visit = next_stamp();
  order_.clear();
  stack_.clear();
  stack_.push_back(root);
  while (!stack_.empty()) {
    const Index top = stack_.back();
    stack_.pop_back();
    if (top & kEmit) {
      order_.push_back(top & ~kEmit);
      continue;
    }
    Node& n = nodes_[top];
    if (n.stamp == visit) continue;
    n.stamp = visit;
    stack_.push_back(top | kEmit);
    // Children pushed last-to-first so they are emitted in operand order.
    for (int c = 1; c >= 0; --c) {
      const Index child = n.child[c];
      if (child != kNoNode && nodes_[child].stamp != visit) stack_.push_back(child);
    }
  }
  return order_;
}

void Arena::local_backward(Index i) {
  const Node& n = nodes_[i];
  if (n.op == Op::Leaf) return;
  const double a = nodes_[n.child[0]].data;
  const double b = n.child[1] == kNoNode ? 0.0 : nodes_[n.child[1]].data;
  const Partials d = local_partials(n.op, a, b, n.k, n.data);
  // Accumulate (+=): an operand used twice, as in a*a, collects both terms.
  nodes_[n.child[0]].grad += n.grad * d.da;
  if (n.child[1] != kNoNode) nodes_[n.child[1]].grad += n.grad * d.db;
}

void Arena::backward(Index root) {
  const std::vector<Index>& order = topological_order(root);
  // Interior nodes hold this pass's gradient only; leaves accumulate across passes
  // until zero_grad(), so two backward() calls give leaves exactly twice the grad.
  for (Index i : order) {
    if (nodes_[i].op != Op::Leaf) nodes_[i].grad = 0.0;
  }
  nodes_[root].grad = 1.0;
  for (auto it = order.rbegin(); it != order.rend(); ++it) local_backward(*it);
}

}  // namespace arenagrad
