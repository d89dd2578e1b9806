// Node storage and lifetime: allocation from a free list, reference counting,
// and iterative reclamation.
#include "arenagrad/arena.hpp"

#include <stdexcept>

namespace arenagrad {

Index Arena::grow() {
  if (nodes_.size() >= kNoNode) throw std::length_error("arenagrad: arena is full");
  nodes_.emplace_back();
  return static_cast<Index>(nodes_.size() - 1);
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
  if (nodes_[i].labelled) {
    labels_.erase(i);
    nodes_[i].labelled = false;
  }
  nodes_[i].refs = 0;  // the rest is rewritten when the slot is reused
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
