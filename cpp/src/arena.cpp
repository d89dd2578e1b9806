// Node storage and lifetime: allocation from a free list, reference counting,
// and iterative reclamation.
#include "arenagrad/arena.hpp"

#include <algorithm>
#include <stdexcept>

namespace arenagrad {

Index Arena::grow() {
  if (nodes_.size() == nodes_.capacity()) reserve_more(1);
  nodes_.emplace_back();        // within capacity now: cannot throw
  handles_.push_back(nullptr);  // likewise (reserve_more sizes both)
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
  handles_.reserve(capacity);
  nodes_.reserve(capacity);
}

Index Arena::custom(double data, const std::vector<Index>& children,
                    std::string symbol) {
  CustomNode record{children, std::move(symbol)};
  // Room for every edge this node may later drop, before anything is retained.
  if (dropped_.capacity() < held_edges_ + children.size()) {
    dropped_.reserve(2 * (held_edges_ + children.size()) + 16);
  }
  custom_.reserve(custom_.size() + 1);
  const Index i = allocate();
  for (Index c : children) retain(c);
  Node& n = nodes_[i];
  n = Node{};
  n.data = data;
  n.op = Op::Custom;
  n.refs = 1;
  custom_[i] = std::move(record);
  for (Index c : children) hold(c);  // every edge of a Custom node holds its child
  return i;
}

void Arena::hold(Index c) {
  void* h = handles_[c];
  if (h == nullptr) return;  // no object to keep alive (only C++ holds this node)
  // dropped_ has room for every held edge, so unhold() (inside release) cannot
  // allocate.
  if (dropped_.capacity() <= held_edges_) dropped_.reserve(2 * held_edges_ + 16);
  held_[c]++;
  held_edges_++;
  if (hooks_.edge_added != nullptr) hooks_.edge_added(hooks_.context, h);
}

void Arena::unhold(Index c) noexcept {
  const auto it = held_.find(c);
  if (it == held_.end()) return;
  if (--it->second == 0) held_.erase(it);
  held_edges_--;
  dropped_.push_back(handles_[c]);  // within the capacity hold() reserved
}

void Arena::release(Index i) noexcept {
  if (--nodes_[i].refs != 0) return;
  nodes_[i].pending = free_top_;
  free_top_ = i;
  // Freeing can drop the last reference to an embedder object, whose destructor
  // releases more nodes: such nested calls only queue, and this loop frees them.
  if (releasing_) return;
  releasing_ = true;
  // A worklist instead of recursion: a freed chain of 10^7 nodes must not
  // overflow the C++ stack (DESIGN invariant 4). The list is threaded through the
  // dead nodes' `pending` fields, so freeing allocates nothing and cannot fail
  // under memory pressure.
  for (;;) {
    while (free_top_ != kNoNode) {
      const Index dead = free_top_;
      free_top_ = nodes_[dead].pending;
      const bool custom_parent = nodes_[dead].op == Op::Custom;
      for_each_child(dead, [&](Index c) {
        if (custom_parent || nodes_[c].op == Op::Custom) unhold(c);
        if (--nodes_[c].refs == 0) {
          nodes_[c].pending = free_top_;
          free_top_ = c;
        }
      });
      free_slot(dead);
    }
    if (dropped_.empty()) break;
    void* h = dropped_.back();
    dropped_.pop_back();
    if (hooks_.edge_dropped != nullptr) hooks_.edge_dropped(hooks_.context, h);
  }
  releasing_ = false;
}

void Arena::free_slot(Index i) noexcept {
  if (nodes_[i].labelled) {
    labels_.erase(i);
    nodes_[i].labelled = false;
  }
  if (nodes_[i].op == Op::Custom) {
    custom_.erase(i);
    nodes_[i].op = Op::Leaf;
  }
  handles_[i] = nullptr;
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
