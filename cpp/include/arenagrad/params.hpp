// Whole-parameter-list updates for optimizers: one call per training step instead
// of a Python attribute read and write per parameter.
#pragma once

#include <vector>

#include "arenagrad/arena.hpp"

namespace arenagrad {

// grad = 0 for every node (Module.zero_grad, Optimizer.zero_grad).
void zero_grads(Arena& arena, const std::vector<Index>& params);

// Plain SGD with L2 weight decay: data -= lr * (grad + weight_decay * data), the
// same arithmetic, in the same order, as arenagrad.optim.SGD's Python loop.
void sgd_step(Arena& arena, const std::vector<Index>& params, double lr,
              double weight_decay);

}  // namespace arenagrad
