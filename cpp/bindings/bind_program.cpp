// Compiled replay for Python: arenagrad.compile's engine (python/arenagrad/compiled.py
// is the documented face). A CompiledFunction traces its function once per argument
// structure into a core Program, then replays it; each replay returns a
// CompiledValue, a real Value whose backward() runs the program's reverse sweep.
#include <algorithm>
#include <cstring>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "arenagrad/program.hpp"
#include "bindings.hpp"
#include "convert.hpp"

namespace arenagrad::bindings {
namespace {

// ---- arguments: nested lists/tuples, numpy arrays, Values and numbers, flattened
// depth-first into one row of scalars plus a key describing their structure.

enum Code : std::int64_t { kScalar = -1, kList = -2, kTuple = -3, kArray = -4 };

struct Flat {
  std::vector<std::int64_t> key;
  std::vector<double> values;
  std::vector<Index> nodes;  // kNoNode for plain numbers
};

std::string type_name(py::handle h) {
  return py::str(py::type::handle_of(h).attr("__name__"));
}

template <typename T>
void read_items(const Py_buffer& view, Flat& flat) {
  // C order over any number of dimensions, following the strides.
  std::vector<py::ssize_t> index(static_cast<std::size_t>(view.ndim), 0);
  py::ssize_t total = 1;
  for (int d = 0; d < view.ndim; ++d) total *= view.shape[d];
  const char* base = static_cast<const char*>(view.buf);
  for (py::ssize_t n = 0; n < total; ++n) {
    py::ssize_t offset = 0;
    for (int d = 0; d < view.ndim; ++d) offset += index[d] * view.strides[d];
    T item;
    std::memcpy(&item, base + offset, sizeof(T));
    flat.values.push_back(static_cast<double>(item));
    flat.nodes.push_back(kNoNode);
    for (int d = view.ndim - 1; d >= 0; --d) {
      if (++index[d] < view.shape[d]) break;
      index[d] = 0;
    }
  }
}

// A numeric array through the buffer protocol; false if `h` exports none.
bool read_array(py::handle h, Flat& flat) {
  const BufferView buffer(h);
  if (!buffer.held()) return false;
  const Py_buffer& view = buffer.view();
  const std::string format = buffer.format();
  flat.key.push_back(kArray);
  flat.key.push_back(view.ndim);
  for (int d = 0; d < view.ndim; ++d) flat.key.push_back(view.shape[d]);
  flat.key.push_back(format.empty() ? 0 : format[0]);
  const char f = format.size() == 1 ? format[0] : '?';
  const auto size = static_cast<std::size_t>(view.itemsize);
  if (f == 'd' && size == 8) return read_items<double>(view, flat), true;
  if (f == 'f' && size == 4) return read_items<float>(view, flat), true;
  if (std::strchr("bhilq", f) != nullptr) {
    if (size == 1) return read_items<std::int8_t>(view, flat), true;
    if (size == 2) return read_items<std::int16_t>(view, flat), true;
    if (size == 4) return read_items<std::int32_t>(view, flat), true;
    if (size == 8) return read_items<std::int64_t>(view, flat), true;
  }
  if (std::strchr("BHILQ?", f) != nullptr) {
    if (size == 1) return read_items<std::uint8_t>(view, flat), true;
    if (size == 2) return read_items<std::uint16_t>(view, flat), true;
    if (size == 4) return read_items<std::uint32_t>(view, flat), true;
    if (size == 8) return read_items<std::uint64_t>(view, flat), true;
  }
  throw py::type_error("compiled function arguments: arrays must hold real numbers, not '" +
                       format + "' items");
}

void flatten(py::handle h, Flat& flat) {
  if (const Value* v = as_value(h)) {
    if (v->op() != Op::Leaf) {
      throw py::value_error(
          "compiled function arguments must be leaf Values (made by Value(x)), not results "
          "of operations: replay cannot differentiate through the graph behind them");
    }
    flat.key.push_back(kScalar);
    flat.values.push_back(v->data());
    flat.nodes.push_back(v->id());
    return;
  }
  double x = 0.0;
  PyObject* o = h.ptr();
  const bool is_list = PyList_Check(o), is_tuple = PyTuple_Check(o);
  if (is_list || is_tuple) {
    const py::ssize_t n = PySequence_Fast_GET_SIZE(o);
    flat.key.push_back(is_list ? kList : kTuple);
    flat.key.push_back(n);
    PyObject** items = PySequence_Fast_ITEMS(o);
    for (py::ssize_t i = 0; i < n; ++i) flatten(items[i], flat);
    return;
  }
  if (read_array(h, flat)) return;
  if (real_number(h, x)) {
    flat.key.push_back(kScalar);
    flat.values.push_back(x);
    flat.nodes.push_back(kNoNode);
    return;
  }
  throw py::type_error(
      "compiled function arguments must be Values, real numbers, lists/tuples of them or "
      "numeric arrays, not '" + type_name(h) + "'");
}

// ---- one traced program and the runs that replay it

struct Trace {
  std::vector<std::int64_t> key;
  std::shared_ptr<Program> program;
  // Positions that were the same Value when traced share a slot; a later call must
  // pass one Value there too, or the program does not describe it.
  std::vector<std::pair<std::size_t, std::size_t>> aliases;
  // What the function returned: one Value, or a tuple or list of them.
  enum class Shape { Single, Tuple, List } shape = Shape::Single;
};

// Everything one replay needs to differentiate later, even after newer runs.
struct Run {
  std::shared_ptr<Program> program;
  std::uint64_t generation = 0;
  std::vector<double> parameters;
  std::vector<double> arguments;
  std::vector<std::pair<std::size_t, Value>> argument_values;  // positions holding Values
};

class CompiledValue : public Value {
 public:
  CompiledValue(double data, std::shared_ptr<Run> run, std::size_t output)
      : Value(data), run_(std::move(run)), output_(output) {}

  // backward(): the result's grad becomes 1, then the program's reverse sweep.
  void backward() {
    set_grad(1.0);
    propagate(1.0);
  }
  // _backward(): this result's current grad, swept through the whole program.
  void local_backward() { propagate(grad()); }

 private:
  void propagate(double seed) {
    Run& r = *run_;
    Program& p = *r.program;
    if (p.generation() != r.generation) {
      // A newer run overwrote the slots: recompute this one's forward values.
      p.forward(r.parameters.data(), r.arguments.data());
      r.generation = p.generation();
    }
    std::vector<double> grads(p.argument_count());
    p.backward(output_, seed, grads.data());
    for (auto& [j, v] : r.argument_values) v.set_grad(v.grad() + grads[j]);
  }

  std::shared_ptr<Run> run_;
  std::size_t output_;
};

class CompiledFunction {
 public:
  static constexpr std::size_t kMaxTraces = 8;

  py::object call(py::object self, const py::args& args, const py::kwargs& kwargs) {
    if (kwargs.size() != 0) {
      throw py::type_error("a compiled function takes positional arguments only");
    }
    flat_.key.clear();
    flat_.values.clear();
    flat_.nodes.clear();
    flatten(args, flat_);
    Trace* trace = find(flat_.key);
    if (trace == nullptr) return retrace(self, args);
    for (const auto& [j, first] : trace->aliases) {
      if (flat_.nodes[j] != flat_.nodes[first] || flat_.values[j] != flat_.values[first]) {
        return retrace(self, args);
      }
    }
    return replay(*trace);
  }

  void clear() { traces_.clear(); }
  std::size_t trace_count() const { return traces_.size(); }
  py::dict last_program_stats() const {
    py::dict d;
    if (traces_.empty()) return d;
    const Program& p = *traces_[last_].program;
    d["nodes"] = p.node_count();
    d["slots"] = p.size();
    d["steps"] = p.step_count();
    d["arguments"] = p.argument_count();
    d["parameters"] = p.parameter_count();
    d["constants"] = p.constant_count();
    return d;
  }

 private:
  Trace* find(const std::vector<std::int64_t>& key) {
    if (last_ < traces_.size() && traces_[last_].key == key) return &traces_[last_];
    for (std::size_t t = 0; t < traces_.size(); ++t) {
      if (traces_[t].key == key) {
        last_ = t;
        return &traces_[t];
      }
    }
    return nullptr;
  }

  // First call for this structure: run the function for real (the Python side wraps
  // numbers as leaf Values so they can be rebound) and copy its graph out.
  py::object retrace(py::object self, const py::args& args) {
    std::vector<std::int64_t> key = flat_.key;
    py::tuple traced = self.attr("_trace")(args);
    py::object result = traced[0];
    Trace trace;
    std::vector<Index> outputs;
    if (const Value* root = as_value(result)) {
      outputs.push_back(root->id());
    } else if (PyTuple_Check(result.ptr()) || PyList_Check(result.ptr())) {
      trace.shape = PyTuple_Check(result.ptr()) ? Trace::Shape::Tuple : Trace::Shape::List;
      for (py::handle item : result) {
        const Value* v = as_value(item);
        if (v == nullptr) {
          throw py::type_error("a compiled function must return a Value or a tuple/list of "
                               "Values, but the result holds a '" + type_name(item) + "'");
        }
        outputs.push_back(v->id());
      }
      if (outputs.empty()) {
        throw py::type_error("a compiled function must return at least one Value");
      }
    } else {
      throw py::type_error("a compiled function must return a Value or a tuple/list of "
                           "Values, not '" + type_name(result) + "'");
    }
    py::list leaves = traced[1];
    std::vector<Index> nodes;
    for (py::handle leaf : leaves) nodes.push_back(leaf.cast<const Value&>().id());
    if (nodes.size() != flat_.values.size()) {
      throw std::logic_error("arenagrad: traced arguments do not match their structure");
    }
    trace.key = std::move(key);
    trace.program = std::make_shared<Program>(default_arena(), outputs, nodes);
    for (std::size_t j = 0; j < nodes.size(); ++j) {
      for (std::size_t first = 0; first < j; ++first) {
        if (nodes[first] == nodes[j]) {
          trace.aliases.emplace_back(j, first);
          break;
        }
      }
    }
    // Replace a trace with the same key (a changed aliasing), else add one.
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
    return result;
  }

  py::object replay(Trace& trace) {
    auto run = std::make_shared<Run>();
    run->program = trace.program;
    Program& p = *trace.program;
    p.read_parameters(run->parameters);
    run->arguments = flat_.values;
    const double out = p.forward(run->parameters.data(), run->arguments.data());
    run->generation = p.generation();
    Arena& arena = default_arena();
    for (std::size_t j = 0; j < flat_.nodes.size(); ++j) {
      const Index node = flat_.nodes[j];
      if (node == kNoNode || p.argument_slot(j) == Program::kUnbound) continue;
      arena.retain(node);
      run->argument_values.emplace_back(j, Value::adopt(arena, node));
    }
    if (trace.shape == Trace::Shape::Single) {
      return py::cast(CompiledValue(out, std::move(run), 0));
    }
    const std::size_t n = p.output_count();
    py::list outs(n);
    for (std::size_t k = 0; k < n; ++k) outs[k] = py::cast(CompiledValue(p.output(k), run, k));
    if (trace.shape == Trace::Shape::List) return std::move(outs);
    return py::tuple(outs);
  }

  std::vector<Trace> traces_;
  std::size_t last_ = 0;
  Flat flat_;
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
  auto v_h = inst->get_value_and_holder(py::detail::get_type_info(typeid(CompiledFunction)));
  if (!v_h.holder_constructed()) {
    throw py::type_error("compiled function was not initialised: use arenagrad.compile(fn)");
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
  compiled
      .def("backward", [](py::handle self) { compiled_of(self).backward(); },
           "Sets this value's grad to 1 and adds d(self)/d(leaf) to every parameter and "
           "argument Value's grad, as Value.backward() does for a dynamic graph.")
      .def("_backward", [](py::handle self) { compiled_of(self).local_backward(); },
           "Sweeps this value's current grad through the whole program into its leaves.")
      .attr("__module__") = "arenagrad";

  py::class_<CompiledFunction>(m, "_CompiledFunction", py::dynamic_attr())
      .def(py::init<>())
      .def("__call__",
           [](py::object self, const py::args& args, const py::kwargs& kwargs) {
             return function_of(self).call(self, args, kwargs);
           })
      .def("clear", [](py::handle self) { function_of(self).clear(); },
           "Forgets every traced program.")
      .def_property_readonly(
          "trace_count", [](py::handle self) { return function_of(self).trace_count(); },
          "Programs currently cached (one per argument structure).")
      .def_property_readonly(
          "program_stats", [](py::handle self) { return function_of(self).last_program_stats(); },
          "Sizes of the most recently used program.");
}

}  // namespace arenagrad::bindings
