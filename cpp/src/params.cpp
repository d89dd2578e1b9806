#include "arenagrad/params.hpp"

namespace arenagrad {

void zero_grads(Arena& arena, const std::vector<Index>& params) {
  for (Index p : params) arena.set_grad(p, 0.0);
}

void sgd_step(Arena& arena, const std::vector<Index>& params, double lr,
              double weight_decay) {
  for (Index p : params) {
    const double g = arena.grad(p) + weight_decay * arena.data(p);
    arena.set_data(p, arena.data(p) - lr * g);
  }
}

}  // namespace arenagrad
