// Node storage and lifetime: allocation from a free list, reference counting,
// and iterative reclamation.
#include "arenagrad/arena.hpp"

#include <stdexcept>

#include "arenagrad/errors.hpp"

namespace arenagrad {

Index Arena::allocate() {
  if (!free_.empty()) {
    const Index i = free_.back();
    free_.pop_back();
    return i;
  }
  if (nodes_.size() >= kNoNode) throw std::length_error("arenagrad: arena is full");
  nodes_.emplace_back();
  return static_cast<Index>(nodes_.size() - 1);
}

Index Arena::leaf(double x) {
  const Index i = allocate();
  nodes_[i] = Node{};
  nodes_[i].data = x;
  nodes_[i].refs = 1;
  return i;
}

Index Arena::apply(Op op, Operand a, Operand b, double k) {
  const int n = arity(op);
  if (n < 1) throw std::invalid_argument("arenagrad: a leaf is made with leaf(), not apply()");
  const double av = a.node == kNoNode ? a.constant : nodes_[a.node].data;
  const double bv = n < 2 ? 0.0 : (b.node == kNoNode ? b.constant : nodes_[b.node].data);
  const double out = forward(op, av, bv, k);
  if (const Fault f = fault_of(op, av, bv, k, out); f != Fault::None) {
    throw_fault(f, op, av, bv, k);
  }

  // Constants become leaves owned by the new node, as micrograd wraps them in Value.
  const Index ca = a.node == kNoNode ? leaf(a.constant) : (retain(a.node), a.node);
  Index cb = kNoNode;
  if (n == 2) cb = b.node == kNoNode ? leaf(b.constant) : (retain(b.node), b.node);

  const Index i = allocate();
  Node& node = nodes_[i];
  node = Node{};
  node.data = out;
  node.k = k;
  node.op = op;
  node.child[0] = ca;
  node.child[1] = cb;
  node.refs = 1;
  return i;
}

void Arena::release(Index i) {
  if (--nodes_[i].refs != 0) return;
  // A worklist instead of recursion: a freed chain of 10^7 nodes must not
  // overflow the C++ stack (DESIGN invariant 4).
  stack_.clear();
  stack_.push_back(i);
  while (!stack_.empty()) {
    const Index dead = stack_.back();
    stack_.pop_back();
    for (Index c : nodes_[dead].child) {
      if (c != kNoNode && --nodes_[c].refs == 0) stack_.push_back(c);
    }
    free_slot(dead);
  }
}

void Arena::free_slot(Index i) {
  if (nodes_[i].labelled) labels_.erase(i);
  nodes_[i] = Node{};
  free_.push_back(i);
}

const std::string& Arena::label(Index i) const {
  static const std::string empty;
  if (!nodes_[i].labelled) return empty;
  return labels_.at(i);
}

void Arena::set_label(Index i, std::string text) {
  if (text.empty()) {
    if (nodes_[i].labelled) labels_.erase(i);
    nodes_[i].labelled = false;
    return;
  }
  labels_[i] = std::move(text);
  nodes_[i].labelled = true;
}

ArenaStats Arena::stats() const {
  return ArenaStats{nodes_.size() - free_.size(), nodes_.size(), sizeof(Node)};
}

Arena& default_arena() {
  static Arena* arena = new Arena();  // never destroyed: see the header
  return *arena;
}

}  // namespace arenagrad
