// Replay: the engine behind arenagrad.compile, without Python.
//
// A compiled function is called with arguments of some structure (nested lists,
// arrays, scalars). The binding flattens them into Arguments: a structure key, one
// number per scalar position, and the Values found at some positions. Replay keeps
// one traced Program per structure key and runs it:
//
//   find(key)        the Trace recorded for this structure, or nullptr;
//   record(...)      after the caller ran the function once on fresh leaves (one
//                    per position, see Trace), copies the graph into a Program;
//   run(trace, args) forward with the current parameters and these arguments,
//                    giving a Run that can differentiate itself later.
//
// Aliasing. Every argument position is traced as its own fresh leaf, never as the
// caller's Value, so a program never confuses positions with each other or with a
// parameter: `f(x, x)` and `f(w)` for a parameter `w` replay without any check at
// call time, and gradients reach every position and parameter, summed where they
// are the same Value.
//
// Generations. Runs share their Program's slots. Each forward() bumps the
// program's generation; a Run remembers its own and, when a newer run has
// overwritten the slots, recomputes its forward from its snapshot of leaf values
// before sweeping backward. So any older result differentiates correctly.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <utility>
#include <vector>

#include "arenagrad/program.hpp"
#include "arenagrad/value.hpp"

namespace arenagrad {

// One call's arguments, flattened depth-first.
struct Arguments {
  // Structure codes in `key`; lists, tuples and arrays are followed by their
  // length or their number of dimensions and shape.
  enum Code : std::int64_t {
    kScalar = -1,
    kList = -2,
    kTuple = -3,
    kArray = -4,
    kBuffer = -5
  };

  std::vector<std::int64_t> key;
  std::vector<double> numbers;                          // one per scalar position
  std::vector<std::pair<std::uint32_t, Value>> values;  // positions holding a Value

  void add_number(double x) {
    key.push_back(kScalar);
    numbers.push_back(x);
  }
  // A Value's position; it must be a leaf (throws std::invalid_argument), and is
  // retained until the Run made from these arguments is gone.
  void add_value(const Value& v);
  std::size_t size() const { return numbers.size(); }
};

// What a traced function returned: one Value, or a tuple or list of Values.
enum class ResultShape { Single, Tuple, List };

struct Trace {
  std::vector<std::int64_t> key;
  std::shared_ptr<Program> program;
  ResultShape shape = ResultShape::Single;
};

// One replayed call: everything needed to differentiate it, even after newer runs.
class Run {
 public:
  Run(std::shared_ptr<Program> program, Arguments&& arguments);

  std::size_t output_count() const { return outputs_.size(); }
  double output(std::size_t k) const { return outputs_[k]; }
  // d(output k)/d(leaf) * seed added to every parameter's and argument Value's grad.
  void backward(std::size_t output, double seed);

 private:
  std::shared_ptr<Program> program_;
  std::uint64_t generation_ = 0;
  std::vector<double> parameters_;
  std::vector<double> numbers_;
  std::vector<std::pair<std::uint32_t, Value>> values_;
  std::vector<double> outputs_;
  std::vector<double> argument_grads_;
};

class Replay {
 public:
  static constexpr std::size_t kMaxTraces = 8;

  explicit Replay(Arena& arena = default_arena()) : arena_(&arena) {}

  // The trace for this structure, or nullptr (the caller traces).
  const Trace* find(const std::vector<std::int64_t>& key);
  // Copies the graph behind `outputs`, traced with `traced_leaves[j]` as the leaf
  // of position j (distinct fresh leaves, one per position), and caches it under
  // `key`, replacing a trace with the same key. Throws UntraceableNode for an op
  // outside the table; std::invalid_argument if the leaves are not distinct leaves.
  const Trace& record(std::vector<std::int64_t> key, const std::vector<Index>& outputs,
                      const std::vector<Index>& traced_leaves, ResultShape shape);
  // Forward with the current parameter values and these arguments.
  static std::shared_ptr<Run> run(const Trace& trace, Arguments&& arguments);

  void clear() { traces_.clear(); }
  std::size_t trace_count() const { return traces_.size(); }
  // The program most recently found or recorded (nullptr if none).
  const Program* last_program() const;

 private:
  Arena* arena_;
  std::vector<Trace> traces_;
  std::size_t last_ = 0;
};

}  // namespace arenagrad
