#include "arenagrad/value.hpp"

namespace arenagrad {

std::vector<Value> Value::children() const {
  std::vector<Value> out;
  arena_->for_each_child(id_, [&](Index c) {
    arena_->retain(c);
    out.push_back(adopt(*arena_, c));
  });
  return out;
}

}  // namespace arenagrad
