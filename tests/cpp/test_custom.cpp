// Custom (embedder-defined) nodes: n-ary children, the rule hook in backward, edge
// hooks, exceptions from a rule, and deep chains.
#include <gtest/gtest.h>

#include <stdexcept>
#include <vector>

#include "arenagrad/arena.hpp"

using namespace arenagrad;

namespace {

// A stand-in embedder: every Custom node's rule is "child.grad += weight * grad"
// for child k with weight k + 1; edges are counted per handle.
struct Embedder {
  Arena* arena = nullptr;
  int rules_run = 0;
  int throw_at = -1;
  int live_refs = 0;

  static void rule(void* self, Index node) {
    auto& e = *static_cast<Embedder*>(self);
    if (e.rules_run++ == e.throw_at) throw std::runtime_error("rule failed");
    const std::vector<Index> kids = e.arena->custom_children(node);
    for (std::size_t k = 0; k < kids.size(); ++k) {
      e.arena->set_grad(kids[k], e.arena->grad(kids[k]) +
                                     static_cast<double>(k + 1) * e.arena->grad(node));
    }
  }
  static void added(void* self, void*) { static_cast<Embedder*>(self)->live_refs++; }
  static void dropped(void* self, void*) { static_cast<Embedder*>(self)->live_refs--; }

  void install(Arena& a) {
    arena = &a;
    EmbedderHooks hooks;
    hooks.context = this;
    hooks.apply_rule = &rule;
    hooks.edge_added = &added;
    hooks.edge_dropped = &dropped;
    a.set_hooks(hooks);
  }
};

int token;  // any non-null handle

}  // namespace

TEST(Custom, NaryChildrenInOrderAndRuleRunsOncePerPass) {
  Arena a;
  Embedder e;
  e.install(a);
  const Index x = a.leaf(1.0), y = a.leaf(2.0), z = a.leaf(3.0);
  const Index c = a.custom(6.0, {x, y, z}, "sum3");
  EXPECT_EQ(a.custom_children(c), (std::vector<Index>{x, y, z}));
  EXPECT_EQ(a.custom_symbol(c), "sum3");
  const Index root = a.apply(Op::Mul, Operand::of(c), Operand::of(c));  // c used twice
  a.backward(root);
  EXPECT_EQ(e.rules_run, 1);
  EXPECT_DOUBLE_EQ(a.grad(c), 12.0);  // d(c*c)/dc
  EXPECT_DOUBLE_EQ(a.grad(x), 12.0);
  EXPECT_DOUBLE_EQ(a.grad(y), 24.0);
  EXPECT_DOUBLE_EQ(a.grad(z), 36.0);
  const auto& order = a.topological_order(root);
  EXPECT_EQ(order, (std::vector<Index>{x, y, z, c, root}));
  for (Index i : {x, y, z, c, root}) a.release(i);
  EXPECT_EQ(a.stats().live, 0u);
}

TEST(Custom, ExceptionFromARuleLeavesTheArenaUsable) {
  Arena a;
  Embedder e;
  e.install(a);
  const Index x = a.leaf(2.0);
  const Index c = a.custom(2.0, {x}, "id");
  const Index root = a.apply(Op::Add, Operand::of(c), Operand::number(1.0));
  e.throw_at = 0;
  EXPECT_THROW(a.backward(root), std::runtime_error);
  e.throw_at = -1;
  a.backward(root);
  EXPECT_DOUBLE_EQ(a.grad(x), 1.0);
  a.release(root);
  a.release(c);
  a.release(x);
  EXPECT_EQ(a.stats().live, 0u);
}

TEST(Custom, EdgesToCustomNodesHoldTheirHandleUntilFreed) {
  Arena a;
  Embedder e;
  e.install(a);
  const Index x = a.leaf(1.0);
  a.set_handle(x, &token);
  const Index c = a.custom(1.0, {x}, "f");  // a Custom parent holds its child
  a.set_handle(c, &token);
  EXPECT_EQ(e.live_refs, 1);
  const Index p =
      a.apply(Op::Neg, Operand::of(c));  // a built-in parent of a Custom child
  EXPECT_EQ(e.live_refs, 2);
  EXPECT_EQ(a.held(c), 1u);
  a.release(p);
  EXPECT_EQ(e.live_refs, 1);
  a.release(c);
  EXPECT_EQ(e.live_refs, 0);
  a.release(x);
  EXPECT_EQ(a.stats().live, 0u);
}

TEST(Custom, DeepChainBackPropagatesAndFreesWithoutRecursion) {
  Arena a;
  Embedder e;
  e.install(a);
  const Index x = a.leaf(1.0);
  Index top = x;
  a.retain(top);
  for (int i = 0; i < 100000; ++i) {
    const Index next = a.custom(1.0, {top}, "id");
    a.release(top);
    top = next;
  }
  a.backward(top);
  EXPECT_EQ(e.rules_run, 100000);
  EXPECT_DOUBLE_EQ(a.grad(x), 1.0);
  a.release(top);
  EXPECT_EQ(a.stats().live, 1u);
  a.release(x);
}
