// Arena: contiguous storage for graph nodes, reference-counted, with reuse of freed
// slots. The graph algorithms (graph.cpp) work on it with explicit stacks only.
#pragma once

#include <cstddef>
#include <stdexcept>
#include <string>
#include <unordered_map>
#include <vector>

#include "arenagrad/errors.hpp"
#include "arenagrad/node.hpp"
#include "arenagrad/ops.hpp"

namespace arenagrad {

// An op's operand: an existing node, or a plain number that becomes a constant leaf
// only once the op has been checked (so a failing op leaves nothing behind).
struct Operand {
  Index node = kNoNode;
  double constant = 0.0;

  static Operand of(Index node) { return Operand{node, 0.0}; }
  static Operand number(double x) { return Operand{kNoNode, x}; }
};

// What an embedder (the Python bindings) supplies for the nodes whose rule it owns
// (Op::Custom). The core calls these and never sees Python; any may be null.
struct EmbedderHooks {
  void* context = nullptr;
  // Applies a Custom node's local rule (adds to its children's grad). May throw:
  // backward() then stops and the arena stays usable.
  void (*apply_rule)(void* context, Index node) = nullptr;
  // A parent edge to a Custom node whose handle is `handle` was made / dropped.
  // Drops come after the freeing that caused them, from a loop, never nested, so
  // the embedder may free more nodes from inside the call.
  void (*edge_added)(void* context, void* handle) = nullptr;
  void (*edge_dropped)(void* context, void* handle) = nullptr;
};

struct ArenaStats {
  std::size_t live;      // nodes in use
  std::size_t capacity;  // slots ever allocated (live + free)
  std::size_t bytes_per_node;
};

class Arena {
 public:
  Arena() = default;
  Arena(const Arena&) = delete;
  Arena& operator=(const Arena&) = delete;

  // --- building (each returns a node holding one reference, owned by the caller)
  Index leaf(double x);
  // Checks Python's error semantics first; throws MathError and adds nothing.
  Index apply(Op op, Operand a, Operand b = {}, double k = 0.0);

  // An embedder-defined node (Op::Custom) holding `data`, with any number of
  // children (retained, kept in order) and its `_op` text; one reference, owned by
  // the caller. Its rule is the embedder's apply_rule hook.
  Index custom(double data, const std::vector<Index>& children, std::string symbol);
  const std::vector<Index>& custom_children(Index i) const {
    return custom_.at(i).children;
  }
  const std::string& custom_symbol(Index i) const { return custom_.at(i).symbol; }

  // --- embedder handles: one opaque pointer per node (the Python object, borrowed),
  // kept beside the records so a Node stays 48 bytes. Null when there is none.
  void* handle(Index i) const { return handles_[i]; }
  void set_handle(Index i, void* h) { handles_[i] = h; }
  void set_hooks(const EmbedderHooks& hooks) { hooks_ = hooks; }
  // Parent edges holding a reference to node i's handle (see link()).
  std::uint32_t held(Index i) const {
    const auto it = held_.find(i);
    return it == held_.end() ? 0 : it->second;
  }

  // Calls f(child) for each operand of node i, in order (Custom nodes included).
  template <class F>
  void for_each_child(Index i, F&& f) const {
    const Node& n = nodes_[i];
    if (n.op == Op::Custom) {
      for (Index c : custom_.at(i).children) f(c);
      return;
    }
    for (Index c : n.child) {
      if (c != kNoNode) f(c);
    }
  }

  // --- lifetime
  void retain(Index i) { nodes_[i].refs++; }
  // Drops one reference; a node reaching zero is freed along with every child
  // that only it kept alive, iteratively.
  // Never throws nor allocates: it runs inside ~Value, which is noexcept.
  void release(Index i) noexcept;

  // --- access
  const Node& node(Index i) const { return nodes_[i]; }
  double data(Index i) const { return nodes_[i].data; }
  double grad(Index i) const { return nodes_[i].grad; }
  void set_data(Index i, double x) {
    nodes_[i].data = x;
    nodes_[i].integral = false;
  }
  // Whether data was last set from an integer, so the embedder can show it as one.
  bool integral(Index i) const { return nodes_[i].integral; }
  void set_integral(Index i, bool yes) { nodes_[i].integral = yes; }
  void set_grad(Index i, double g) { nodes_[i].grad = g; }
  Op op(Index i) const { return nodes_[i].op; }
  const std::string& label(Index i) const;
  void set_label(Index i, std::string text);

  // --- differentiation (graph.cpp)
  // Nodes reachable from root, children before parents.
  const std::vector<Index>& topological_order(Index root);
  // micrograd's backward(), with the semantics of DESIGN invariant 5.
  void backward(Index root);
  // micrograd's node._backward(): this node's local rule only, with its grad.
  void local_backward(Index i);

  ArenaStats stats() const;

  // --- no_grad mode: while off, apply() computes and checks but records no graph.
  bool grad_enabled() const { return grad_enabled_; }
  void set_grad_enabled(bool on) { grad_enabled_ = on; }

 private:
  // grad() (grad.cpp) marks nodes with its own traversal and turns faults off while
  // it builds derivative nodes: grad.hpp says why.
  friend class GradientSweep;
  bool raise_faults_ = true;

  Index allocate() {
    if (free_.empty()) return grow();
    const Index i = free_.back();
    free_.pop_back();
    return i;
  }
  Index grow();
  // Makes the next `count` allocate() calls unable to throw, so apply() can retain
  // its operands only when nothing after that can fail (else a MemoryError there
  // would leak them).
  void reserve_slots(std::size_t count) {
    if (free_.size() + (nodes_.capacity() - nodes_.size()) < count) reserve_more(count);
  }
  void reserve_more(std::size_t count);
  void free_slot(Index i) noexcept;
  std::uint32_t next_stamp();
  // An edge that touches a Custom node (either end) holds one reference to the
  // child's embedder object, so the embedder's GC can account for it. A built-in
  // op's new edge: only a Custom child counts.
  void link(Index c) {
    if (nodes_[c].op == Op::Custom) hold(c);
  }
  void hold(Index c);
  void unhold(Index c) noexcept;

  struct CustomNode {
    std::vector<Index> children;
    std::string symbol;
  };

  std::vector<Node> nodes_;
  std::vector<Index> free_;
  std::unordered_map<Index, std::string> labels_;
  std::uint32_t stamp_ = 0;
  std::vector<Index> order_;       // scratch for topological_order
  std::vector<Index> stack_;       // scratch for topological_order
  std::vector<Index> back_stack_;  // scratch for backward
  std::vector<void*> handles_;     // per node, parallel to nodes_
  std::unordered_map<Index, CustomNode> custom_;
  std::unordered_map<Index, std::uint32_t> held_;
  // Edges awaiting edge_dropped; hold() reserves room for every held edge, so
  // release() never allocates.
  std::vector<void*> dropped_;
  std::size_t held_edges_ = 0;
  Index free_top_ = kNoNode;  // release's worklist, threaded through `pending`
  EmbedderHooks hooks_;
  bool releasing_ = false;
  bool in_backward_ = false;
  bool grad_enabled_ = true;
};

// Defined here so that a call with a constant op (every operator binding) folds the
// op table's switches down to that op's three expressions.
inline Index Arena::leaf(double x) {
  const Index i = allocate();
  Node& n = nodes_[i];
  n = Node{};
  n.data = x;
  n.refs = 1;
  return i;
}

inline Index Arena::apply(Op op, Operand a, Operand b, double k) {
  const int n = arity(op);
  if (n < 1)
    throw std::invalid_argument("arenagrad: a leaf is made with leaf(), not apply()");
  const double av = a.node == kNoNode ? a.constant : nodes_[a.node].data;
  const double bv =
      n < 2 ? 0.0 : (b.node == kNoNode ? b.constant : nodes_[b.node].data);
  const double out = forward(op, av, bv, k);
  if (const Fault f = fault_of(op, av, bv, k, out); f != Fault::None && raise_faults_) {
    throw_fault(f, op, av, bv, k);
  }
  if (!grad_enabled_) return leaf(out);  // a result with no children to keep alive

  // Constants become leaves owned by the new node, as micrograd wraps them in Value;
  // only now, so that a failing op above leaves nothing behind.
  reserve_slots(1 + (a.node == kNoNode) + (n == 2 && b.node == kNoNode));
  const Index ca =
      a.node == kNoNode ? leaf(a.constant) : (retain(a.node), link(a.node), a.node);
  Index cb = kNoNode;
  if (n == 2) {
    cb = b.node == kNoNode ? leaf(b.constant) : (retain(b.node), link(b.node), b.node);
  }

  const Index i = allocate();
  Node& node = nodes_[i];
  node = Node{};
  node.data = out;
  node.k = k;
  node.op = op;
  node.child[0] = ca;
  node.child[1] = cb;
  node.refs = 1;
  node.quiet = !raise_faults_;
  return i;
}

// The arena Python's Values live in. Deliberately never destroyed, so handles that
// outlive interpreter teardown still point at valid storage.
Arena& default_arena();

}  // namespace arenagrad
