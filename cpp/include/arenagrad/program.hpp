// Program: a recorded graph copied into flat arrays, replayable without the arena.
//
// A graph built once (say a training loss) is already a program: ops over slots in
// topological order. Copying it out lets later steps re-run forward and backward as
// straight loops over contiguous arrays, with fresh leaf values and no per-node
// allocation, reference counting or Python.
//
// Slots hold leaves first, then interior nodes in the arena's topological order
// (Arena::topological_order), so a replay applies every op in the dynamic graph's
// order and sweeps gradients in a reverse topological order, as Arena::backward
// does; tests check replayed gradients equal the dynamic graph's exactly on the
// demo loss. Leaves are of three kinds:
//   arguments   bound per run from the caller's inputs (the nodes passed to the
//               constructor, by position),
//   parameters  other leaves that something outside the graph holds (a model's
//               weights): read from the arena each run, gradients added back,
//   constants   leaves only the graph holds (the 2.0 of `x * 2.0`): copied once.
//
// Every rule a program applies is the op table's (ops.def): forward() evaluates
// each step's forward, fault and local partials, and stores the partials, so
// backward() is a pure multiply-accumulate sweep (Adept's design). A fused Chain
// step (see Instruction) applies the table's Mul and Add entries term by term.
#pragma once

#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "arenagrad/arena.hpp"

namespace arenagrad {

// A node whose op is not in the op table (a Python-defined op): its rule lives
// outside the core, so a program cannot replay it. `node` is the arena index, for
// the caller's message.
class UntraceableNode : public std::invalid_argument {
 public:
  explicit UntraceableNode(Index node)
      : std::invalid_argument("arenagrad: the graph holds an op replay cannot run"),
        node_(node) {}
  Index node() const noexcept { return node_; }

 private:
  Index node_;
};

class Program {
 public:
  static constexpr std::uint32_t kUnbound = 0xFFFFFFFFu;

  // Copies the graph reachable from the outputs (the first one's topological
  // order first, then what the others add).
  // `arguments[j]` is the leaf bound to argument position j (kNoNode for a
  // position with no node); the same node may appear at several positions.
  // Retains the parameter leaves until destruction. Throws UntraceableNode for
  // a node whose op is not in the table, std::invalid_argument for an interior
  // node given as an argument.
  Program(Arena& arena, const std::vector<Index>& outputs,
          const std::vector<Index>& arguments);
  Program(Arena& arena, Index root, const std::vector<Index>& arguments)
      : Program(arena, std::vector<Index>{root}, arguments) {}
  ~Program();
  Program(const Program&) = delete;
  Program& operator=(const Program&) = delete;

  // Nodes copied from the arena, and the slots and steps they became.
  std::size_t node_count() const { return recorded_nodes_; }
  std::size_t size() const { return values_.size() - 2; }  // without one and scratch
  std::size_t step_count() const { return code_.size(); }
  std::size_t argument_count() const { return argument_slot_.size(); }
  std::size_t parameter_count() const { return parameter_node_.size(); }
  std::size_t constant_count() const { return constants_; }
  // The slot argument position j feeds, or kUnbound if the graph never reads it.
  std::uint32_t argument_slot(std::size_t j) const { return argument_slot_[j]; }
  // Arena nodes of the parameter leaves, in the order read_parameters fills.
  const std::vector<Index>& parameter_nodes() const { return parameter_node_; }

  // Current .data of every parameter leaf (a snapshot for forward()).
  void read_parameters(std::vector<double>& out) const;

  // Runs the ops with the given leaf values and returns the first output's value.
  // Throws MathError, as Arena::apply would, at the first op whose forward faults.
  double forward(const double* parameters, const double* arguments);
  std::size_t output_count() const { return output_slot_.size(); }
  // Output k's value from the last forward().
  double output(std::size_t k) const { return values_[output_slot_[k]]; }
  // Counts forward() runs: lets a caller tell whether the slots still hold its run.
  std::uint64_t generation() const { return generation_; }

  // Reverse sweep after forward(): d(output k)/d(leaf) * seed, over the steps that
  // output depends on. Parameter gradients are added to the arena's leaves;
  // argument gradients are written to `argument_grads` (one per argument
  // position, 0 for unbound ones) for the caller to deliver.
  void backward(std::size_t output, double seed, double* argument_grads);
  void backward(double seed, double* argument_grads) {
    backward(0, seed, argument_grads);
  }

 private:
  // One step of the program. Most are one arena op. A chain of additions whose
  // inner nodes nothing else uses, ((start + t1) + t2) + ..., the shape of every
  // neuron's w.x + b and of sum(), is one Chain step: it keeps the chain's exact
  // arithmetic and order but skips the dispatch and slots of its inner nodes.
  // A unary op whose operand is a chain used by nothing else (every neuron's
  // relu(w.x + b)) is folded into the Chain step as its `finish`.
  struct Instruction {
    Op op;  // for a Chain step: Op::Add
    bool chain;
    std::uint32_t a;       // operand slot; a Chain's start
    std::uint32_t b;       // operand slot (scratch for unary ops); a Chain's first term
    std::uint32_t count;   // a Chain's number of terms
    double k;              // the op's constant; a Chain's finish's
    Op finish = Op::Leaf;  // a Chain's unary finish (Leaf: none)
    // A Chain whose terms are t0*u0, (t0+1)*(u0+1), ...: the usual layout of a
    // neuron's weights and inputs. Swept with no index loads, like hand-written
    // loops over two arrays.
    bool dense = false;
    // The node (a Chain's: its finish) was built with faults off (Node::quiet), so
    // a fault gives the forward's inf or nan, as it did when traced.
    bool quiet = false;
  };
  // A Chain term t * u: a product's operands, or (t, one slot) for a plain term.
  struct Term {
    std::uint32_t t, u;
  };

  // The construction, step by step (program.cpp).
  std::vector<Index> order_nodes(const std::vector<Index>& outputs);
  void find_chains(const std::vector<Index>& order);
  void assign_slots(const std::vector<Index>& order, const std::vector<Index>& outputs);
  void bind_arguments(const std::vector<Index>& arguments);
  void classify_leaves(const std::vector<Index>& order);
  void emit_steps(const std::vector<Index>& order);
  void emit_chain(Index last_add);

  void mark_reachable(std::uint32_t output_slot, std::vector<bool>& reaches) const;

  Arena& arena_;
  std::uint32_t leaf_count_ = 0;
  std::vector<std::uint32_t> output_slot_;
  std::vector<std::vector<bool>> reaches_;  // per output but the first, lazily
  std::size_t first_output_steps_ = 0;      // output 0 depends on exactly these
  std::uint32_t one_slot_ = 0;      // holds 1.0: the factor of plain chain terms
  std::uint32_t scratch_slot_ = 0;  // the unused operand of unary ops
  std::vector<Instruction> code_;   // interior slot leaf_count_ + i
  std::vector<Term> terms_;
  std::vector<double> values_;  // every slot, then the one and scratch slots
  std::vector<double> grads_;
  std::vector<double> partial_a_;  // per step: d out / d a from the last forward
  std::vector<double> partial_b_;
  std::vector<std::uint32_t> argument_slot_;
  std::vector<std::uint32_t> parameter_slot_;
  std::vector<Index> parameter_node_;  // retained
  std::size_t constants_ = 0;
  std::size_t recorded_nodes_ = 0;
  std::uint64_t generation_ = 0;

  // Construction scratch (released once built), keyed by arena index.
  std::unordered_map<Index, std::uint32_t> slot_of_;
  std::unordered_set<Index> absorbed_;  // inner nodes of chains
  std::unordered_set<Index> finished_;  // chains folded into a unary op
  std::unordered_map<Index, std::uint32_t> inner_refs_;  // edges from inside the graph
  std::vector<bool> is_argument_;                        // by leaf slot
};

}  // namespace arenagrad
