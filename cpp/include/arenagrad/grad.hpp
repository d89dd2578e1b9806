// grad(): derivatives returned as values instead of written into `.grad` fields,
// optionally as nodes of the graph (create_graph), so they can be differentiated again.
#pragma once

#include <stdexcept>
#include <string>
#include <vector>

#include "arenagrad/graph_rules.hpp"
#include "arenagrad/value.hpp"

namespace arenagrad {

// An op the table has no graph-form derivative for (a Python-defined op): grad()
// cannot see through it. Python gets a TypeError.
class NotDifferentiable : public std::logic_error {
 public:
  using std::logic_error::logic_error;
};

// d(sum_i seeds[i] * outputs[i]) / d inputs[j], one Value per input (0.0 for an input
// the outputs do not reach). Reads and writes no node's grad field.
//
// Without create_graph the results are fresh leaves, computed by the same sweep as
// Arena::backward (Kahn's order from the outputs, the same multiply-adds in the same
// order), so for one output seeded 1.0 they equal backward()'s gradients exactly; a
// seed that is a Value counts by its data.
//
// With create_graph each node's contribution is built from its table entry's g_
// columns (graph_partials), so the results are nodes whose children lead back to the
// inputs (a constant derivative is a fresh leaf). Their data equals the plain
// sweep's wherever the derivative is finite. Two choices differ from plain ops:
//   - apply() does not raise while the sweep builds nodes: a derivative node gets
//     the IEEE result of its op (0 ** -0.5 is inf, log(-1) nan), as the numeric d_
//     columns do, instead of Python's exception for an intermediate no user wrote;
//   - a partial that is the constant 0 (step's slope, x ** 0) contributes nothing,
//     not a node multiplying by 0, so relu networks do not grow dead nodes.
// The plain sweep walks everything the outputs reach, as backward() does; the
// create_graph sweep skips what leads to no input (it would only build dead nodes).
// A node with an op outside the table throws NotDifferentiable before any sweep.
std::vector<Value> grad(const std::vector<Value>& outputs,
                        const std::vector<Deriv>& seeds,
                        const std::vector<Value>& inputs, bool create_graph);

}  // namespace arenagrad
