// Compiled replay for Python: translates between python/arenagrad/compiled.py (which
// drives a call and runs the traced function) and the core's Replay (replay.hpp),
// which owns the trace cache, runs, generations and gradient delivery.
//
// A call is _call(args): the arguments are flattened (flatten.hpp) and, if a
// program exists for their structure, replayed at once; otherwise a _PendingTrace
// comes back holding the flattened call and the fresh-leaf arguments the Python
// side runs the function on, then hands the result down with _record(pending,
// result), which records the program and replays this same call. Every call
// therefore returns CompiledValues, the first one too.
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "arenagrad/replay.hpp"
#include "bindings.hpp"
#include "convert.hpp"
#include "flatten.hpp"
#include "value_object.hpp"

namespace arenagrad::bindings {
namespace {

std::string type_name(py::handle h) {
  return py::str(py::type::handle_of(h).attr("__name__"));
}

class CompiledValue : public Value {
 public:
  CompiledValue(double data, std::shared_ptr<Run> run, std::size_t output)
      : Value(data), run_(std::move(run)), output_(output) {}

  // backward(): the result's grad becomes 1, then the program's reverse sweep.
  void backward() {
    set_grad(1.0);
    run_->backward(output_, 1.0);
  }
  // _backward(): this result's current grad, swept through the whole program.
  void local_backward() { run_->backward(output_, grad()); }

 private:
  std::shared_ptr<Run> run_;
  std::size_t output_;
};

// One call waiting for its trace: the flattened arguments and what the function
// is run on (one fresh leaf per scalar position).
struct PendingTrace {
  Arguments call;
  std::vector<Value> leaves;
  py::tuple arguments;
  bool used = false;
};

// The result for output k, registered as its node's object (one object per node).
py::object result(const std::shared_ptr<Run>& run, std::size_t k) {
  py::object obj = new_instance(CompiledValue(run->output(k), run, k));
  register_node_object(obj);
  return obj;
}

py::object results(const Trace& trace, const std::shared_ptr<Run>& run) {
  if (trace.shape == ResultShape::Single) return result(run, 0);
  const std::size_t n = run->output_count();
  py::list outs(n);
  for (std::size_t k = 0; k < n; ++k) outs[k] = result(run, k);
  if (trace.shape == ResultShape::List) return std::move(outs);
  return py::tuple(outs);
}

[[noreturn]] void bad_result(const std::string& what) {
  throw py::type_error(
      "a compiled function must return a Value or a tuple/list of Values, " + what);
}

// The output nodes of what the traced function returned, and its shape.
ResultShape read_result(py::handle result, std::vector<Index>& outputs) {
  if (const Value* root = as_value(result)) {
    outputs.push_back(root->id());
    return ResultShape::Single;
  }
  const bool tuple = PyTuple_Check(result.ptr()) != 0;
  if (!tuple && PyList_Check(result.ptr()) == 0)
    bad_result("not '" + type_name(result) + "'");
  // A list copy of the items: ours to read, whatever the function keeps doing.
  const py::list items(py::reinterpret_borrow<py::object>(result));
  for (py::handle item : items) {
    const Value* v = as_value(item);
    if (v == nullptr) bad_result("but the result holds a '" + type_name(item) + "'");
    outputs.push_back(v->id());
  }
  if (outputs.empty())
    throw py::type_error("a compiled function must return at least one Value");
  return tuple ? ResultShape::Tuple : ResultShape::List;
}

// An op outside the table (a Python-defined op): named by its _op symbol.
[[noreturn]] void untraceable(const UntraceableNode& e) {
  Arena& arena = default_arena();
  arena.retain(e.node());
  const py::object node = wrap_value(Value::adopt(arena, e.node()));
  const std::string symbol = py::str(node.attr("_op"));
  throw py::type_error(
      "compile cannot trace the op '" + symbol +
      "': it is defined in Python, and replay runs only the core's op table");
}

class CompiledFunction {
 public:
  py::object call(const py::tuple& args) {
    Arguments flat;
    flatten_arguments(args, flat);
    if (const Trace* trace = replay_.find(flat.key)) {
      return results(*trace, Replay::run(*trace, std::move(flat)));
    }
    PendingTrace pending;
    pending.call = std::move(flat);
    pending.arguments = trace_arguments(pending.call, pending.leaves);
    return new_instance(std::move(pending));
  }

  py::object record(PendingTrace& pending, py::handle result) {
    if (pending.used) throw py::value_error("this pending trace was recorded already");
    std::vector<Index> outputs;
    const ResultShape shape = read_result(result, outputs);
    std::vector<Index> leaves;
    for (const Value& leaf : pending.leaves) leaves.push_back(leaf.id());
    pending.used = true;
    try {
      const Trace& trace = replay_.record(pending.call.key, outputs, leaves, shape);
      return results(trace, Replay::run(trace, std::move(pending.call)));
    } catch (const UntraceableNode& e) {
      untraceable(e);
    }
  }

  void clear() { replay_.clear(); }
  std::size_t trace_count() const { return replay_.trace_count(); }
  py::dict last_program_stats() const {
    py::dict d;
    const Program* p = replay_.last_program();
    if (p == nullptr) return d;
    d["nodes"] = p->node_count();
    d["slots"] = p->size();
    d["steps"] = p->step_count();
    d["arguments"] = p->argument_count();
    d["parameters"] = p->parameter_count();
    d["constants"] = p->constant_count();
    return d;
  }

 private:
  Replay replay_;
};

PyTypeObject* compiled_value_type = nullptr;

// `self` of a CompiledValue method, checked like Value's (see bind_value.cpp): an
// instance made by CompiledValue.__new__ has no C++ object behind it.
CompiledValue& compiled_of(py::handle self) {
  if (!PyObject_TypeCheck(self.ptr(), compiled_value_type)) {
    throw py::type_error("this method needs a CompiledValue as self");
  }
  return const_cast<CompiledValue&>(static_cast<const CompiledValue&>(*as_value(self)));
}

// `self` of a compiled function's method, checked: pybind11 hands an instance made
// by __new__ alone (or a subclass that skipped super().__init__()) to C++ as garbage.
CompiledFunction& function_of(py::handle self) {
  if (!py::isinstance<CompiledFunction>(self)) {
    throw py::type_error("this method needs a compiled function as self");
  }
  auto* inst = reinterpret_cast<py::detail::instance*>(self.ptr());
  auto v_h =
      inst->get_value_and_holder(py::detail::get_type_info(typeid(CompiledFunction)));
  if (!v_h.holder_constructed()) {
    throw py::type_error(
        "compiled function was not initialised: use arenagrad.compile(fn)");
  }
  return *v_h.value_ptr<CompiledFunction>();
}

}  // namespace

void bind_program(py::module_& m) {
  py::class_<CompiledValue, Value> compiled(
      m, "CompiledValue",
      "A Value returned by a compiled function's replay. It is a leaf in the dynamic "
      "graph; backward() differentiates through the replayed program into its "
      "parameters and argument Values.");
  compiled_value_type = reinterpret_cast<PyTypeObject*>(compiled.ptr());
  install_compiled_value_hooks(compiled);
  compiled
      .def(
          "backward", [](py::handle self) { compiled_of(self).backward(); },
          "Sets this value's grad to 1 and adds d(self)/d(leaf) to every parameter and "
          "argument Value's grad, as Value.backward() does for a dynamic graph.")
      .def(
          "_backward", [](py::handle self) { compiled_of(self).local_backward(); },
          "Sweeps this value's current grad through the whole program into its leaves.")
      .def(
          "__reduce_ex__",
          [](py::handle self, py::handle) {
            // A copy or a pickle is a plain Value with the same data, grad and
            // label (the program behind a result does not travel with it): the
            // plain Value's own pickle, loaded by pickle.loads, at every protocol.
            const CompiledValue& v = compiled_of(self);
            py::object plain = wrap_value(Value(v.data()));
            plain.attr("grad") = v.grad();
            plain.attr("label") = v.arena().label(v.id());
            const py::module_ pickle = py::module_::import("pickle");
            return py::make_tuple(pickle.attr("loads"),
                                  py::make_tuple(pickle.attr("dumps")(plain, 2)));
          },
          "Copies and pickles as a plain Value (data, grad and label).")
      .attr("__module__") = "arenagrad";

  py::class_<PendingTrace>(m, "_PendingTrace",
                           "A compiled function's call waiting for its first trace.")
      .def_property_readonly(
          "arguments", [](const PendingTrace& p) { return p.arguments; },
          "The call's arguments with one fresh leaf Value per scalar, to trace on.");

  py::class_<CompiledFunction>(m, "_CompiledFunction")
      .def(py::init<>())
      .def(
          "_call",
          [](py::handle self, const py::tuple& args) {
            return function_of(self).call(args);
          },
          "Replays the program for these arguments' structure, or returns a "
          "_PendingTrace if there is none yet.")
      .def(
          "_record",
          [](py::handle self, PendingTrace& pending, py::handle result) {
            return function_of(self).record(pending, result);
          },
          "Records the graph behind `result`, traced on pending.arguments, and replays "
          "the pending call.")
      .def(
          "clear", [](py::handle self) { function_of(self).clear(); },
          "Forgets every traced program.")
      .def_property_readonly(
          "trace_count",
          [](py::handle self) { return function_of(self).trace_count(); },
          "Programs currently cached (one per argument structure).")
      .def_property_readonly(
          "program_stats",
          [](py::handle self) { return function_of(self).last_program_stats(); },
          "Sizes of the most recently used program.");
}

}  // namespace arenagrad::bindings
