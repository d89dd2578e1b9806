#include "arenagrad/value.hpp"

namespace arenagrad {

std::vector<Value> Value::children() const {
  std::vector<Value> out;
  for (Index c : arena_->node(id_).child) {
    if (c == kNoNode) continue;
    arena_->retain(c);
    out.push_back(adopt(*arena_, c));
  }
  return out;
}

}  // namespace arenagrad
