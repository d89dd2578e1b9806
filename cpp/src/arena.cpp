// Node storage and lifetime: allocation from a free list, reference counting,
// and iterative reclamation.
#include "arenagrad/arena.hpp"

#include <algorithm>
#include <stdexcept>

namespace arenagrad {

Index Arena::grow() {
  if (nodes_.size() == nodes_.capacity()) reserve_more(1);
  nodes_.emplace_back();  // within capacity now: cannot throw
  return static_cast<Index>(nodes_.size() - 1);
}

void Arena::reserve_more(std::size_t count) {
  const std::size_t reused = std::min(count, free_.size());
  const std::size_t needed = nodes_.size() + (count - reused);
  if (needed > kNoNode) throw std::length_error("arenagrad: arena is full");
  if (needed <= nodes_.capacity()) return;
  const std::size_t capacity = std::min<std::size_t>(
      kNoNode, std::max<std::size_t>({needed, 2 * nodes_.capacity(), 64}));
  // release() pushes every freed slot onto free_ and must not allocate, so free_
  // gets room for every slot before the slots exist.
  free_.reserve(capacity);
  nodes_.reserve(capacity);
}

void Arena::release(Index i) noexcept {
  if (--nodes_[i].refs != 0) return;
  // A worklist instead of recursion: a freed chain of 10^7 nodes must not
  // overflow the C++ stack (DESIGN invariant 4). The list is threaded through the
  // dead nodes' `pending` fields, so freeing allocates nothing and cannot fail
  // under memory pressure.
  Index top = i;
  nodes_[i].pending = kNoNode;
  while (top != kNoNode) {
    const Index dead = top;
    top = nodes_[dead].pending;
    for (Index c : nodes_[dead].child) {
      if (c != kNoNode && --nodes_[c].refs == 0) {
        nodes_[c].pending = top;
        top = c;
      }
    }
    free_slot(dead);
  }
}

void Arena::free_slot(Index i) noexcept {
  if (nodes_[i].labelled) {
    labels_.erase(i);
    nodes_[i].labelled = false;
  }
  nodes_[i].refs = 0;  // the rest is rewritten when the slot is reused
  free_.push_back(i);  // within capacity (reserve_more): cannot throw
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
