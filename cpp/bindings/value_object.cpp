// The Python object of a node, and the cyclic GC.
//
// Each node has at most one Python object; the arena keeps a borrowed pointer to it
// (Arena::handle). pybind11 makes every instance through type_info::init_instance
// and destroys it through type_info::dealloc, so hooking those two registers and
// forgets the object whatever made it (the constructor, an operator, _prev,
// vsum...).
//
// Python-defined ops (Op::Custom) hold their rule in their object. Their closures
// capture the node's own object (micrograd's `out`), so these objects live in
// cycles only the cyclic GC can free. The GC must therefore see every reference:
// a parent edge to a Custom node holds one reference to the child's object
// (Arena's edge hooks), and a Custom object's tp_traverse visits its rule and the
// objects of its Custom children, once per edge. Objects of built-in nodes hold
// nothing the GC needs to see and are untracked at birth: they cost the GC nothing.
#include "value_object.hpp"

#include <cmath>
#include <unordered_map>
#include <vector>

#include "convert.hpp"

namespace arenagrad::bindings {
namespace {

// Per node: the rule its object owns (a strong reference), indexed like the arena.
std::vector<PyObject*> rules;

void (*pybind_init_instance)(py::detail::instance*, const void*) = nullptr;
void (*pybind_dealloc)(py::detail::value_and_holder&) = nullptr;
void (*pybind_compiled_dealloc)(py::detail::value_and_holder&) = nullptr;

PyObject*& rule_slot(Index node) {
  if (node >= rules.size()) rules.resize(static_cast<std::size_t>(node) + 1, nullptr);
  return rules[node];
}

// The Value an instance holds, or nullptr (never throws: used from GC slots).
const Value* held_value(PyObject* self) noexcept {
  auto* inst = reinterpret_cast<py::detail::instance*>(self);
  if (inst->simple_layout) {
    if (!inst->simple_holder_constructed) return nullptr;
    return static_cast<const Value*>(inst->simple_value_holder[0]);
  }
  auto v_h = inst->get_value_and_holder(value_type_info, false);
  if (!v_h || !v_h.holder_constructed()) return nullptr;
  return v_h.value_ptr<Value>();
}

// The node's object and rule are this instance's only if it is the node's object.
bool owns_node(PyObject* self, const Value*& v) {
  v = held_value(self);
  return v != nullptr && v->arena().handle(v->id()) == self;
}

void init_instance(py::detail::instance* inst, const void* holder) {
  try {
    pybind_init_instance(inst, holder);
  } catch (...) {
    // pybind11 registers an instance before its holder owns the Value; when that
    // registration runs out of memory, pybind11's dealloc would free the Value's
    // memory without destroying it, and its node would never be released.
    // Only a Value this instance was to own: not one cast by reference or handed
    // over in an existing holder (no path does either today).
    auto v_h = inst->get_value_and_holder(value_type_info, false);
    if (inst->owned && holder == nullptr && v_h && !v_h.holder_constructed()) {
      delete v_h.value_ptr<Value>();
      v_h.value_ptr() = nullptr;
    }
    throw;
  }
  auto* self = reinterpret_cast<PyObject*>(inst);
  const Value* v = held_value(self);
  if (v == nullptr) return;
  v->arena().set_handle(v->id(), self);
  // The GC needs subclass instances (a __dict__), Python-defined ops (a rule) and
  // built-in nodes over them (their edges hold those objects); nothing else.
  if (Py_TYPE(self) != value_type || v->op() == Op::Custom) return;
  const Node& n = v->arena().node(v->id());
  for (Index c : n.child) {
    if (c != kNoNode && v->arena().op(c) == Op::Custom) return;
  }
  PyObject_GC_UnTrack(self);
}

// Unregisters an instance that is its node's object (and drops its rule).
void forget_object(py::detail::value_and_holder& v_h) noexcept {
  if (v_h.holder_constructed()) {
    auto* self = reinterpret_cast<PyObject*>(v_h.inst);
    const Value* v = v_h.value_ptr<Value>();
    if (v->arena().handle(v->id()) == self) {
      v->arena().set_handle(v->id(), nullptr);
      // No rule_slot() here: it may grow the table, and a dealloc must not throw.
      if (v->id() < rules.size()) Py_XDECREF(std::exchange(rules[v->id()], nullptr));
    }
  }
}

void dealloc(py::detail::value_and_holder& v_h) {
  forget_object(v_h);
  pybind_dealloc(v_h);  // destroys the Value: its node is released
}

// A CompiledValue is destroyed by its own class's dealloc (its destructor
// releases its run), after the same unregistering.
void compiled_dealloc(py::detail::value_and_holder& v_h) {
  forget_object(v_h);
  pybind_compiled_dealloc(v_h);
}

// Whether an edge parent -> child holds a reference to the child's object
// (Arena::link): edges of Custom nodes, and built-in edges to Custom nodes.
bool edge_holds(const Arena& arena, Index parent, Index child) {
  return arena.op(parent) == Op::Custom || arena.op(child) == Op::Custom;
}

// The references an object owns: its rule, and, when it alone keeps its node alive
// (every parent edge also holds this object), the node's edges that hold objects.
// Built-in nodes without an object whose every reference comes from nodes it owns
// are its too (counted Kahn-style, so shared subexpressions like `n + n` qualify),
// and their edges are visited through it. Then one GC pass frees a chain that
// alternates Python-defined and built-in ops. Iterative: graph depth never touches
// the C++ stack.
int traverse(PyObject* self, visitproc visit, void* arg) {
  Py_VISIT(Py_TYPE(self));  // instances of a heap type hold a reference to it
  const Value* v = nullptr;
  if (!owns_node(self, v)) return 0;
  const Arena& arena = v->arena();
  const Index id = v->id();
  Py_VISIT(rule_of(id));
  if (arena.node(id).refs != 1 + arena.held(id)) return 0;  // C++ holds it too
  static std::vector<Index> owned;  // scratch; traversals never run concurrently
  static std::unordered_map<Index, std::uint32_t> edges_seen;
  owned.clear();
  edges_seen.clear();
  try {
    owned.push_back(id);
    while (!owned.empty()) {
      const Index n = owned.back();
      owned.pop_back();
      int failed = 0;
      arena.for_each_child(n, [&](Index c) {
        if (failed != 0) return;
        void* h = arena.handle(c);
        if (h != nullptr && edge_holds(arena, n, c)) {
          failed = visit(static_cast<PyObject*>(h), arg);
        } else if (h == nullptr && arena.op(c) != Op::Leaf) {
          if (++edges_seen[c] == arena.node(c).refs) owned.push_back(c);
        }
      });
      if (failed != 0) return failed;
    }
  } catch (...) {
    // Out of memory mid-walk: visiting less only makes the GC keep more alive.
  }
  return 0;
}

// Breaking a cycle: dropping the rule releases what its closure captured.
int clear(PyObject* self) {
  const Value* v = nullptr;
  if (owns_node(self, v) && v->id() < rules.size()) Py_CLEAR(rules[v->id()]);
  return 0;
}

// --- the core's embedder hooks (Arena::set_hooks)

void apply_rule(void*, Index node) {
  PyObject* rule = rule_of(node);
  if (rule == nullptr) return;  // micrograd's default `lambda: None`
  // Held while it runs: a rule may replace itself (`out._backward = ...`).
  py::object keep = py::reinterpret_borrow<py::object>(rule);
  PyObject* result = PyObject_CallNoArgs(rule);
  if (result == nullptr) throw py::error_already_set();
  Py_DECREF(result);
}

void edge_added(void*, void* handle) { Py_INCREF(static_cast<PyObject*>(handle)); }
void edge_dropped(void*, void* handle) { Py_DECREF(static_cast<PyObject*>(handle)); }

}  // namespace

// What py::cast(Value&&) does, without its type lookups (an op's result is always
// an exact Value): allocate the instance, move the Value in, let init_instance
// register it as the node's object.
py::object new_value_object(Value&& v) {
  prepare_thread_for_exceptions();
  py::object owner = py::reinterpret_steal<py::object>(allocate_instance(value_type));
  PyObject* self = owner.ptr();
  auto* inst = reinterpret_cast<py::detail::instance*>(self);
  auto v_h = inst->get_value_and_holder(value_type_info, true);
  v_h.value_ptr() = new Value(std::move(v));
  value_type_info->init_instance(inst, nullptr);
  return owner;
}

py::object data_object(const Value& v) {
  const double x = v.data();
  if (v.arena().integral(v.id()) && std::isfinite(x) && x == std::floor(x)) {
    return py::reinterpret_steal<py::object>(PyLong_FromDouble(x));
  }
  return py::float_(x);
}

PyObject* rule_of(Index node) { return node < rules.size() ? rules[node] : nullptr; }

void set_rule(PyObject* self, Index node, py::handle rule) {
  PyObject*& slot = rule_slot(node);
  PyObject* old = slot;
  slot = py::reinterpret_borrow<py::object>(rule).release().ptr();
  // A leaf's object was untracked at birth; with a rule it can be in a cycle.
  if (!PyObject_GC_IsTracked(self)) PyObject_GC_Track(self);
  Py_XDECREF(old);
}

void setup_value_type(PyHeapTypeObject* heap_type) {
  PyTypeObject* type = &heap_type->ht_type;
  type->tp_flags |= Py_TPFLAGS_HAVE_GC;
  type->tp_traverse = &traverse;
  type->tp_clear = &clear;
  // Messages name the type as users import it (issue 13, defect 18).
  type->tp_name = "arenagrad.Value";
}

void install_value_object_hooks(py::handle cls) {
  value_type_info =
      py::detail::get_type_info(reinterpret_cast<PyTypeObject*>(cls.ptr()));
  pybind_init_instance = value_type_info->init_instance;
  pybind_dealloc = value_type_info->dealloc;
  value_type_info->init_instance = &init_instance;
  value_type_info->dealloc = &dealloc;
  EmbedderHooks hooks;
  hooks.apply_rule = &apply_rule;
  hooks.edge_added = &edge_added;
  hooks.edge_dropped = &edge_dropped;
  default_arena().set_hooks(hooks);
}

void register_node_object(py::handle obj) {
  const Value* v = as_value(obj);
  if (v != nullptr && v->arena().handle(v->id()) == nullptr) {
    v->arena().set_handle(v->id(), obj.ptr());
  }
}

void install_compiled_value_hooks(py::handle cls) {
  py::detail::type_info* info =
      py::detail::get_type_info(reinterpret_cast<PyTypeObject*>(cls.ptr()));
  pybind_compiled_dealloc = info->dealloc;
  info->dealloc = &compiled_dealloc;
}

}  // namespace arenagrad::bindings
