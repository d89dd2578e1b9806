// grad(): a reverse sweep whose adjoints live in a side vector, never in `.grad`.
// The adjoints are doubles (plain) or Derivs (create_graph); one sweep serves both.
#include "arenagrad/grad.hpp"

#include <optional>
#include <stdexcept>
#include <string>
#include <utility>

namespace arenagrad {

namespace {

// Plain adjoints: the arithmetic of Arena::backward, operand for operand.
struct NumberAlgebra {
  using Adjoint = double;

  Arena& arena;

  Adjoint zero() const { return 0.0; }
  Adjoint seed(const Deriv& s) const {
    return s.is_constant() ? s.constant() : s.node().data();
  }
  void add_seed(Adjoint& acc, const Adjoint& s) const { acc += s; }

  // Backward's `child.grad += node.grad * partial`, both partials from the table.
  void propagate(Index node, const Adjoint& g, Adjoint* da, Adjoint* db) const {
    const Node& n = arena.node(node);
    const double b = n.child[1] == kNoNode ? 0.0 : arena.data(n.child[1]);
    const Partials d = local_partials(n.op, arena.data(n.child[0]), b, n.k, n.data);
    if (da != nullptr) arenagrad::accumulate(*da, g, d.da);
    if (db != nullptr) arenagrad::accumulate(*db, g, d.db);
  }

  Value result(const Adjoint& g) const { return Value(g, arena); }
};

// create_graph adjoints: absent (no contribution yet), a number, or a node.
struct GraphAlgebra {
  using Adjoint = std::optional<Deriv>;

  Arena& arena;

  Adjoint zero() const { return std::nullopt; }
  Adjoint seed(const Deriv& s) const { return s; }
  void add_seed(Adjoint& acc, const Adjoint& s) const { accumulate(acc, Deriv(*s)); }

  Value handle(Index i) const {
    arena.retain(i);
    return Value::adopt(arena, i);
  }

  // g * d, folding numbers so that constant rules (Add's 1, Neg's -1) add no nodes.
  static std::optional<Deriv> times(const Deriv& g, const Deriv& d) {
    if (d.is_constant() && d.constant() == 0.0) return std::nullopt;
    if (g.is_constant() && d.is_constant()) return Deriv(g.constant() * d.constant());
    if (g.is_constant()) return scaled(d.node(), g.constant());
    if (d.is_constant()) return scaled(g.node(), d.constant());
    return Deriv(g.node() * d.node());
  }

  static Deriv scaled(const Value& v, double c) {
    if (c == 1.0) return Deriv(v);
    if (c == -1.0) return Deriv(-v);
    return Deriv(v * c);
  }

  // acc + t, keeping `acc` the left operand as backward's `grad += t` does.
  static void accumulate(Adjoint& acc, Deriv&& t) {
    if (!acc) {
      acc = std::move(t);
    } else if (acc->is_constant() && t.is_constant()) {
      acc = Deriv(acc->constant() + t.constant());
    } else if (acc->is_constant()) {
      acc = Deriv(acc->constant() + t.node());
    } else if (t.is_constant()) {
      acc = Deriv(acc->node() + t.constant());
    } else {
      acc = Deriv(acc->node() + t.node());
    }
  }

  void propagate(Index node, const Adjoint& g, Adjoint* da, Adjoint* db) const {
    if (!g) return;  // every contribution to this node was a constant zero
    const Node& n = arena.node(node);
    const Op op = n.op;
    const double k = n.k;
    const Index ia = n.child[0], ib = n.child[1];
    // Handles first: building the partials may grow (move) the node storage.
    const Value a = handle(ia);
    const Value b = ib == kNoNode ? a : handle(ib);
    const Value out = handle(node);
    const GraphPartials d = graph_partials(op, a, b, k, out);
    if (da != nullptr) {
      if (auto t = times(*g, d.da)) accumulate(*da, std::move(*t));
    }
    if (db != nullptr) {
      if (auto t = times(*g, d.db)) accumulate(*db, std::move(*t));
    }
  }

  Value result(const Adjoint& g) const {
    if (!g) return Value(0.0, arena);
    if (g->is_constant()) return Value(g->constant(), arena);
    return g->node();
  }
};

// Turns Python's error checks off while derivative nodes are built (see grad.hpp),
// and back on however the sweep ends.
class FaultsOff {
 public:
  explicit FaultsOff(bool& flag) : flag_(flag), saved_(flag) { flag_ = false; }
  ~FaultsOff() { flag_ = saved_; }
  FaultsOff(const FaultsOff&) = delete;
  FaultsOff& operator=(const FaultsOff&) = delete;

 private:
  bool& flag_;
  bool saved_;
};

}  // namespace

// The traversal state. A node's `stamp` marks it as seen by this sweep and its
// `pending` field holds its slot number here (backward() rewrites both before use).
class GradientSweep {
 public:
  GradientSweep(Arena& arena, bool create_graph)
      : arena_(arena), visit_(arena.next_stamp()), create_graph_(create_graph) {}

  std::vector<Value> run(const std::vector<Value>& outputs,
                         const std::vector<Deriv>& seeds,
                         const std::vector<Value>& inputs, bool create_graph);

  // Pass 1: which nodes the sweep visits, and how many edges reach each from such
  // parents. Pass 2 (sweep) is Kahn's algorithm over exactly those nodes.
  // mark_all takes everything the outputs reach, as backward() does, in one cheap
  // walk; mark_pruned keeps only what leads to an input, so that create_graph builds
  // no derivative nodes for constants and data.
  void mark_inputs(const std::vector<Value>& inputs);
  void mark_all(const std::vector<Value>& outputs);
  void mark_pruned(const std::vector<Value>& outputs);
  // Python-defined ops (appended after the table) have no rule written in ops.
  void refuse_custom(Op op) const {
    if (static_cast<int>(op) < kOpCount) return;
    throw NotDifferentiable(std::string("grad") +
                            (create_graph_ ? "(create_graph=True)" : "()") +
                            " cannot differentiate through the Python-defined op '" +
                            symbol(op) + "': its rule is Python code; use backward()");
  }

  template <class Algebra>
  std::vector<Value> sweep(const Algebra& algebra, const std::vector<Value>& outputs,
                           const std::vector<Deriv>& seeds,
                           const std::vector<Value>& inputs);

 private:
  struct Slot {
    Index node;
    std::uint32_t pending = 0;  // parents (that lead to an input) yet to pass down
    bool input = false;
    bool expanded = false;  // pass 1 has pushed its children
    bool needed = false;    // an input, or a child leads to one
    bool queued = false;    // pass 2 has pushed it
  };

  std::uint32_t slot_of(Index i) {
    Node& n = arena_.nodes_[i];
    if (n.stamp == visit_) return n.pending;
    n.stamp = visit_;
    n.pending = static_cast<std::uint32_t>(slots_.size());
    slots_.push_back(Slot{i});
    return n.pending;
  }
  // The slot of a node this sweep has seen, or -1.
  long find(Index i) const {
    const Node& n = arena_.nodes_[i];
    return n.stamp == visit_ ? static_cast<long>(n.pending) : -1;
  }
  bool needed(Index i) const {
    const long s = find(i);
    return s >= 0 && slots_[s].needed;
  }

  Arena& arena_;
  const std::uint32_t visit_;
  const bool create_graph_;
  std::vector<Slot> slots_;
  std::vector<Index> stack_;
};

void GradientSweep::mark_inputs(const std::vector<Value>& inputs) {
  for (const Value& in : inputs) {
    const std::uint32_t s = slot_of(in.id());
    slots_[s].input = true;
    slots_[s].needed = true;
  }
}

void GradientSweep::mark_all(const std::vector<Value>& outputs) {
  // Arena::backward's pass 1: leaves take part only as inputs, marked already.
  for (const Value& root : outputs) {
    if (arena_.op(root.id()) == Op::Leaf) continue;
    Slot& r = slots_[slot_of(root.id())];
    if (r.expanded) continue;
    r.expanded = r.needed = true;
    refuse_custom(arena_.op(root.id()));
    stack_.clear();
    stack_.push_back(root.id());
    while (!stack_.empty()) {
      const Index i = stack_.back();
      stack_.pop_back();
      for (Index c : arena_.nodes_[i].child) {
        if (c == kNoNode) break;  // operands fill child[] from the front
        if (arena_.nodes_[c].op == Op::Leaf) continue;
        Slot& slot = slots_[slot_of(c)];
        if (!slot.expanded) {
          refuse_custom(arena_.nodes_[c].op);
          slot.expanded = slot.needed = true;
          stack_.push_back(c);
        }
        slot.pending++;
      }
    }
  }
}

void GradientSweep::mark_pruned(const std::vector<Value>& outputs) {
  // Iterative post-order DFS (as Arena::topological_order): a node is emitted after
  // its children, so whether it leads to an input is known when it is emitted.
  constexpr Index kEmit = Index{1} << 31;
  for (const Value& root : outputs) {
    stack_.clear();
    stack_.push_back(root.id());
    while (!stack_.empty()) {
      const Index top = stack_.back();
      stack_.pop_back();
      if (top & kEmit) {
        const Index i = top & ~kEmit;
        Slot& slot = slots_[find(i)];
        const Node& n = arena_.nodes_[i];
        bool leads = false;
        for (Index c : n.child) {
          if (c != kNoNode && needed(c)) leads = true;
        }
        if (!leads && !slot.input) continue;
        slot.needed = true;
        refuse_custom(n.op);
        for (Index c : n.child) {
          if (c != kNoNode && needed(c)) slots_[find(c)].pending++;
        }
        continue;
      }
      const Node& n = arena_.nodes_[top];
      if (n.op == Op::Leaf) continue;  // leaves matter only as inputs, marked above
      Slot& slot = slots_[slot_of(top)];
      if (slot.expanded) continue;
      slot.expanded = true;
      stack_.push_back(top | kEmit);
      for (int c = 1; c >= 0; --c) {
        const Index child = arena_.nodes_[top].child[c];
        if (child != kNoNode) stack_.push_back(child);
      }
    }
  }
}

template <class Algebra>
std::vector<Value> GradientSweep::sweep(const Algebra& algebra,
                                        const std::vector<Value>& outputs,
                                        const std::vector<Deriv>& seeds,
                                        const std::vector<Value>& inputs) {
  std::vector<typename Algebra::Adjoint> adjoint(slots_.size(), algebra.zero());
  stack_.clear();
  for (std::size_t o = 0; o < outputs.size(); ++o) {
    const long s = find(outputs[o].id());
    if (s < 0 || !slots_[s].needed) continue;
    algebra.add_seed(adjoint[s], algebra.seed(seeds[o]));
  }
  // Roots no other output reaches start the sweep; the first output is popped first.
  for (std::size_t o = outputs.size(); o-- > 0;) {
    const long s = find(outputs[o].id());
    if (s < 0 || !slots_[s].needed || slots_[s].pending != 0 || slots_[s].queued)
      continue;
    if (arena_.op(outputs[o].id()) == Op::Leaf) continue;
    slots_[s].queued = true;
    stack_.push_back(static_cast<Index>(s));
  }

  // Kahn's algorithm, as Arena::backward: a node passes its adjoint down once all its
  // parents have added theirs, children in operand order.
  while (!stack_.empty()) {
    const Index s = stack_.back();
    stack_.pop_back();
    const Index node = slots_[s].node;
    const Index ia = arena_.nodes_[node].child[0], ib = arena_.nodes_[node].child[1];
    const long sa = needed(ia) ? find(ia) : -1;
    const long sb = ib != kNoNode && needed(ib) ? find(ib) : -1;
    if (sa >= 0 || sb >= 0) {
      // For a * a both point at one adjoint, which collects both terms in order.
      algebra.propagate(node, adjoint[s], sa >= 0 ? &adjoint[sa] : nullptr,
                        sb >= 0 ? &adjoint[sb] : nullptr);
    }
    for (const long c : {sa, sb}) {
      if (c < 0 || arena_.op(slots_[c].node) == Op::Leaf) continue;
      if (--slots_[c].pending == 0) stack_.push_back(static_cast<Index>(c));
    }
    if (!slots_[s].input)
      adjoint[s] = algebra.zero();  // done with it: free its node early
  }

  std::vector<Value> results;
  results.reserve(inputs.size());
  for (const Value& in : inputs)
    results.push_back(algebra.result(adjoint[find(in.id())]));
  return results;
}

std::vector<Value> grad(const std::vector<Value>& outputs,
                        const std::vector<Deriv>& seeds,
                        const std::vector<Value>& inputs, bool create_graph) {
  if (outputs.empty()) throw std::invalid_argument("grad() needs at least one output");
  if (seeds.size() != outputs.size()) {
    throw std::invalid_argument("grad() got " + std::to_string(seeds.size()) +
                                " seeds for " + std::to_string(outputs.size()) +
                                " outputs");
  }
  Arena& arena = outputs.front().arena();
  auto same_arena = [&](const Value& v) {
    if (&v.arena() != &arena)
      throw std::invalid_argument("grad(): values from different arenas");
  };
  for (const Value& v : outputs) same_arena(v);
  for (const Value& v : inputs) same_arena(v);
  for (const Deriv& s : seeds) {
    if (!s.is_constant()) same_arena(s.node());
  }

  return GradientSweep(arena, create_graph).run(outputs, seeds, inputs, create_graph);
}

std::vector<Value> GradientSweep::run(const std::vector<Value>& outputs,
                                      const std::vector<Deriv>& seeds,
                                      const std::vector<Value>& inputs,
                                      bool create_graph) {
  slots_.reserve(arena_.nodes_.size() < 1024 ? arena_.nodes_.size() : 1024);
  mark_inputs(inputs);
  if (create_graph) {
    mark_pruned(outputs);
  } else {
    mark_all(outputs);
  }
  if (!create_graph) return sweep(NumberAlgebra{arena_}, outputs, seeds, inputs);
  const FaultsOff faults_off(arena_.raise_faults_);
  return sweep(GraphAlgebra{arena_}, outputs, seeds, inputs);
}

}  // namespace arenagrad
