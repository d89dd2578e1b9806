// Graph algorithms over an Arena: topological order and the backward pass.
// Both use explicit stacks, so graph depth never touches the C++ stack.
#include <algorithm>
#include <stdexcept>

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
    if (n.op == Op::Custom) {
      const std::vector<Index>& kids = custom_.at(top).children;
      for (auto c = kids.rbegin(); c != kids.rend(); ++c) {
        if (nodes_[*c].stamp != visit) stack_.push_back(*c);
      }
      continue;
    }
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
  if (n.op == Op::Custom) {
    if (hooks_.apply_rule != nullptr) hooks_.apply_rule(hooks_.context, i);
    return;
  }
  const double a = nodes_[n.child[0]].data;
  const double b = n.child[1] == kNoNode ? 0.0 : nodes_[n.child[1]].data;
  const Partials d = local_partials(n.op, a, b, n.k, n.data);
  accumulate(nodes_[n.child[0]].grad, n.grad, d.da);
  if (n.child[1] != kNoNode) accumulate(nodes_[n.child[1]].grad, n.grad, d.db);
}

void Arena::backward(Index root) {
  // Kahn's algorithm from the root down, in two flat passes instead of a DFS
  // post-order (which pushes nodes twice and branches on every pop). Leaves take
  // no part in either walk beyond receiving gradient: they have no children, and
  // they accumulate across passes until zero_grad(), so two backward() calls give
  // them exactly twice the gradient.
  //
  // A Custom node's rule is the embedder's (Python) code, run at the same point of
  // the order as a built-in rule. It may allocate (so no Node reference is held
  // across it) and may throw: pass 1 re-initialises everything a pass reads, so an
  // abandoned pass leaves nothing behind but the flag the guard resets.
  if (in_backward_) {
    throw std::logic_error(
        "backward() cannot run inside a Python-defined _backward rule; "
        "a rule should only add to its children's grad");
  }
  struct Guard {
    bool& flag;
    ~Guard() { flag = false; }
  } guard{in_backward_};
  in_backward_ = true;

  // Pass 1 marks the interior nodes the root reaches, clears their gradient (they
  // hold this pass's only) and counts the edges reaching each from inside the graph.
  const std::uint32_t visit = next_stamp();
  std::vector<Index>& stack = back_stack_;
  stack.clear();
  nodes_[root].pending = 0;
  stack.push_back(root);
  auto mark = [&](Index c) {
    Node& child = nodes_[c];
    if (child.op == Op::Leaf) return;
    if (child.stamp != visit) {
      child.stamp = visit;
      child.pending = 0;
      child.grad = 0.0;
      stack.push_back(c);
    }
    child.pending++;
  };
  while (!stack.empty()) {
    const Index i = stack.back();
    stack.pop_back();
    if (nodes_[i].op == Op::Custom) {
      for (Index c : custom_.at(i).children) mark(c);
      continue;
    }
    for (Index c : nodes_[i].child) {
      if (c == kNoNode) break;  // operands fill child[] from the front
      mark(c);
    }
  }

  // Pass 2 applies a node's rule once every parent has added its share: the order
  // in which nodes leave the stack is a reverse topological order.
  nodes_[root].grad = 1.0;
  if (nodes_[root].op == Op::Leaf) return;
  stack.push_back(root);
  while (!stack.empty()) {
    const Index top = stack.back();
    stack.pop_back();
    if (nodes_[top].op == Op::Custom) {
      if (hooks_.apply_rule != nullptr) hooks_.apply_rule(hooks_.context, top);
      for (Index c : custom_.at(top).children) {
        Node& child = nodes_[c];
        if (child.op != Op::Leaf && --child.pending == 0) stack.push_back(c);
      }
      continue;
    }
    const Node& n = nodes_[top];
    const Index ia = n.child[0], ib = n.child[1];
    const double b = ib == kNoNode ? 0.0 : nodes_[ib].data;
    const Partials d = local_partials(n.op, nodes_[ia].data, b, n.k, n.data);
    Node& a = nodes_[ia];
    accumulate(a.grad, n.grad, d.da);
    if (a.op != Op::Leaf && --a.pending == 0) stack.push_back(ia);
    if (ib == kNoNode) continue;
    Node& bn = nodes_[ib];  // may be `a` again (a * a): both terms add up
    accumulate(bn.grad, n.grad, d.db);
    if (bn.op != Op::Leaf && --bn.pending == 0) stack.push_back(ib);
  }
}

}  // namespace arenagrad
