// Trace cache, runs and gradient delivery for compiled replay (see replay.hpp).
#include "arenagrad/replay.hpp"

#include <algorithm>
#include <stdexcept>
#include <unordered_set>

namespace arenagrad {

void Arguments::add_value(const Value& v) {
  if (v.op() != Op::Leaf) {
    throw std::invalid_argument(
        "compiled function arguments must be leaf Values (made by Value(x)), not "
        "results "
        "of operations: replay cannot differentiate through the graph behind them");
  }
  key.push_back(kScalar);
  values.emplace_back(static_cast<std::uint32_t>(numbers.size()), v);
  numbers.push_back(v.data());
}

Run::Run(std::shared_ptr<Program> program, Arguments&& arguments)
    : program_(std::move(program)),
      numbers_(std::move(arguments.numbers)),
      values_(std::move(arguments.values)) {
  Program& p = *program_;
  if (numbers_.size() != p.argument_count()) {
    throw std::invalid_argument(
        "arenagrad: arguments do not match the traced structure");
  }
  // Values the program never reads get no gradient: let them go now.
  values_.erase(std::remove_if(values_.begin(), values_.end(),
                               [&](const auto& pv) {
                                 return p.argument_slot(pv.first) == Program::kUnbound;
                               }),
                values_.end());
  p.read_parameters(parameters_);
  p.forward(parameters_.data(), numbers_.data());
  generation_ = p.generation();
  // Copied out at once: creating the results may run Python code (a garbage
  // collection, a __del__) that replays this program again.
  outputs_.resize(p.output_count());
  for (std::size_t k = 0; k < outputs_.size(); ++k) outputs_[k] = p.output(k);
}

void Run::backward(std::size_t output, double seed) {
  Program& p = *program_;
  if (p.generation() != generation_) {
    // A newer run overwrote the slots: recompute this one's forward values. It
    // cannot fault: the same ops on the same numbers did not fault before.
    p.forward(parameters_.data(), numbers_.data());
    generation_ = p.generation();
  }
  argument_grads_.resize(p.argument_count());
  p.backward(output, seed, argument_grads_.data());
  for (auto& [position, v] : values_) v.set_grad(v.grad() + argument_grads_[position]);
}

const Trace* Replay::find(const std::vector<std::int64_t>& key) {
  if (last_ < traces_.size() && traces_[last_].key == key) return &traces_[last_];
  for (std::size_t t = 0; t < traces_.size(); ++t) {
    if (traces_[t].key == key) {
      last_ = t;
      return &traces_[t];
    }
  }
  return nullptr;
}

const Trace& Replay::record(std::vector<std::int64_t> key,
                            const std::vector<Index>& outputs,
                            const std::vector<Index>& traced_leaves,
                            ResultShape shape) {
  std::unordered_set<Index> seen;
  for (Index leaf : traced_leaves) {
    if (leaf == kNoNode || arena_->op(leaf) != Op::Leaf || !seen.insert(leaf).second) {
      throw std::invalid_argument(
          "arenagrad: each traced position needs its own fresh leaf");
    }
  }
  Trace trace;
  trace.key = std::move(key);
  trace.program = std::make_shared<Program>(*arena_, outputs, traced_leaves);
  trace.shape = shape;
  auto same = std::find_if(traces_.begin(), traces_.end(),
                           [&](const Trace& t) { return t.key == trace.key; });
  if (same != traces_.end()) {
    *same = std::move(trace);
    last_ = static_cast<std::size_t>(same - traces_.begin());
  } else {
    if (traces_.size() == kMaxTraces) traces_.erase(traces_.begin());
    traces_.push_back(std::move(trace));
    last_ = traces_.size() - 1;
  }
  return traces_[last_];
}

std::shared_ptr<Run> Replay::run(const Trace& trace, Arguments&& arguments) {
  return std::make_shared<Run>(trace.program, std::move(arguments));
}

const Program* Replay::last_program() const {
  return last_ < traces_.size() ? traces_[last_].program.get() : nullptr;
}

}  // namespace arenagrad
