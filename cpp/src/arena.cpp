// Node storage and lifetime: allocation from a free list, reference counting,
// and iterative reclamation.
#include "arenagrad/arena.hpp"

#include <stdexcept>

namespace arenagrad {

Index Arena::grow() {
  if (nodes_.size() >= kNoNode) throw std::length_error("arenagrad: arena is full");
  nodes_.emplace_back();
  handles_.push_back(nullptr);
  return static_cast<Index>(nodes_.size() - 1);
}

Index Arena::custom(double data, const std::vector<Index>& children, std::string symbol) {
  CustomNode record{children, std::move(symbol)};
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
  held_[c]++;
  if (hooks_.edge_added != nullptr) hooks_.edge_added(hooks_.context, h);
}

void Arena::unhold(Index c) {
  const auto it = held_.find(c);
  if (it == held_.end()) return;
  if (--it->second == 0) held_.erase(it);
  dropped_.push_back(handles_[c]);
}

void Arena::release(Index i) {
  if (--nodes_[i].refs != 0) return;
  free_stack_.push_back(i);
  // Freeing can drop the last reference to an embedder object, whose destructor
  // releases more nodes: such nested calls only queue, and this loop frees them.
  if (releasing_) return;
  releasing_ = true;
  // A worklist instead of recursion: a freed chain of 10^7 nodes must not
  // overflow the C++ stack (DESIGN invariant 4).
  for (;;) {
    while (!free_stack_.empty()) {
      const Index dead = free_stack_.back();
      free_stack_.pop_back();
      const bool custom_parent = nodes_[dead].op == Op::Custom;
      for_each_child(dead, [&](Index c) {
        if (custom_parent || nodes_[c].op == Op::Custom) unhold(c);
        if (--nodes_[c].refs == 0) free_stack_.push_back(c);
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

void Arena::free_slot(Index i) {
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
