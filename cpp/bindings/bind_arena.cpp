// Introspection of the default arena, for tests and memory checks.
#include "arenagrad/arena.hpp"
#include "bindings.hpp"

namespace arenagrad::bindings {

void bind_arena(pybind11::module_& m) {
  m.def(
      "arena_stats",
      [] {
        const ArenaStats s = default_arena().stats();
        pybind11::dict d;
        d["live"] = s.live;
        d["capacity"] = s.capacity;
        d["bytes_per_node"] = s.bytes_per_node;
        return d;
      },
      "Nodes in use, slots allocated, and bytes per node record in the default arena.");
}

}  // namespace arenagrad::bindings
