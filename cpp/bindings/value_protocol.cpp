// micrograd's Value protocol on arenagrad.Value: the constructor
// `Value(data, _children=(), _op='', label='')`, an assignable `_backward`,
// backward(), copying and pickling, and readable signatures.
//
// The constructor, backward(), __setstate__ and __reduce_ex__ are plain CPython
// methods rather than pybind11 functions: pybind11 silently ignores a second
// __init__ on a live object (issue 13, defect 18 wants an error), and these
// messages should be in the user's terms.
#include <pybind11/detail/exception_translation.h>

#include <cstring>
#include <string>
#include <vector>

#include "convert.hpp"
#include "value_object.hpp"

namespace arenagrad::bindings {

const char* const value_class_doc =
    "Value(data, _children=(), _op='', label='')\n--\n\n"
    "A scalar that remembers how it was computed.\n\n"
    "Value(x) is a leaf (a parameter or an input). With _children (Values, kept in\n"
    "order as _prev) it is an op defined in Python, micrograd style: give it its\n"
    "rule by assigning out._backward, a function of no arguments that adds\n"
    "out.grad * d(out)/d(child) to each child's grad.";

namespace {

PyObject* to_python_error() noexcept {
  try {
    throw;
  } catch (py::error_already_set& e) {
    e.restore();
  } catch (...) {
    py::detail::try_translate_exceptions();
  }
  return nullptr;
}

py::detail::value_and_holder value_part(PyObject* self) {
  if (!PyObject_TypeCheck(self, value_type)) {
    throw py::type_error("this method needs an arenagrad.Value as self");
  }
  auto* inst = reinterpret_cast<py::detail::instance*>(self);
  return inst->get_value_and_holder(value_type_info, true);
}

Value& value_of(py::handle self) {
  const Value* v = as_value(self);
  if (v == nullptr)
    throw py::type_error("this method needs an arenagrad.Value as self");
  return const_cast<Value&>(*v);
}

std::string type_name(py::handle h) {
  return py::str(py::type::handle_of(h).attr("__name__"));
}

// Builds the node for an uninitialised instance and makes `self` its object.
void initialise(PyObject* self, PyObject* data, PyObject* children, PyObject* op,
                PyObject* label) {
  prepare_thread_for_exceptions();
  py::detail::value_and_holder v_h = value_part(self);
  if (v_h.holder_constructed()) {
    throw py::type_error(
        "Value.__init__() cannot re-initialise a live Value; make a new Value(...) "
        "(or set .data)");
  }
  if (as_value(data) != nullptr) {
    throw py::type_error(
        "Value() needs a number, not a Value: a Value is already a node of the graph "
        "(use it directly), or write Value(v.data) for a new leaf holding its number");
  }
  const double x = require_real(data, "Value()");
  const std::string symbol = op != nullptr ? require_str(op, "Value()'s _op") : "";
  const std::string text =
      label != nullptr ? require_str(label, "Value()'s label") : "";

  std::vector<Index> kids;
  py::list held;  // keeps Values made by a generator alive until they are children
  if (children != nullptr) {
    py::object it = py::reinterpret_steal<py::object>(PyObject_GetIter(children));
    if (!it) {
      PyErr_Clear();
      throw py::type_error("Value()'s _children must be an iterable of Values, not '" +
                           type_name(children) + "'");
    }
    while (PyObject* item = PyIter_Next(it.ptr())) {
      py::object child = py::reinterpret_steal<py::object>(item);
      const Value* c = as_value(child);
      if (c == nullptr) {
        throw py::type_error("Value()'s _children must be Values, got '" +
                             type_name(child) + "' (wrap numbers in Value(x) first)");
      }
      kids.push_back(c->id());
      held.append(child);
    }
    if (PyErr_Occurred()) throw py::error_already_set();
  }

  // The new node's edges will hold these objects, and a built-in one may own
  // Python-defined ops deeper down: the GC has to look through them (value_object.cpp).
  for (py::handle child : held) {
    if (!PyObject_GC_IsTracked(child.ptr())) PyObject_GC_Track(child.ptr());
  }
  Arena& arena = default_arena();
  Value value =
      Value::adopt(arena, kids.empty() ? arena.leaf(x) : arena.custom(x, kids, symbol));
  if (!text.empty()) arena.set_label(value.id(), text);
  arena.set_integral(value.id(), PyLong_CheckExact(data));
  v_h.value_ptr() = new Value(std::move(value));
  v_h.type->init_instance(reinterpret_cast<py::detail::instance*>(self), nullptr);
}

PyObject* init_method(PyObject* self, PyObject* args, PyObject* kwargs) noexcept {
  static const char* names[] = {"data", "_children", "_op", "label", nullptr};
  PyObject *data = nullptr, *children = nullptr, *op = nullptr, *label = nullptr;
  if (!PyArg_ParseTupleAndKeywords(args, kwargs, "O|OOO:Value",
                                   const_cast<char**>(names), &data, &children, &op,
                                   &label)) {
    return nullptr;
  }
  try {
    initialise(self, data, children, op, label);
    Py_RETURN_NONE;
  } catch (...) {
    return to_python_error();
  }
}

void backward_method(py::handle self, const py::args& args, const py::kwargs& kwargs) {
  const std::size_t n = args.size() + kwargs.size();
  if (n != 0) {
    throw py::type_error(
        "Value.backward() takes no arguments (got " + std::to_string(n) +
        "): it sets this value's grad to 1.0 and back-propagates, as micrograd's does; "
        "to scale the gradients by k, call (k * value).backward()");
  }
  value_of(self).backward();
}

// Old pickles (pybind11's format) call this on a fresh object; on a live Value it
// would silently replace nothing, so it refuses.
PyObject* setstate_method(PyObject* self, PyObject* state) noexcept {
  try {
    if (value_part(self).holder_constructed()) {
      throw py::type_error(
          "Value.__setstate__() cannot replace a live Value's state; set .data, .grad "
          "and .label instead");
    }
    if (!PyTuple_Check(state) || PyTuple_GET_SIZE(state) != 3) {
      throw py::value_error("Value state must be a tuple (data, grad, label)");
    }
    initialise(self, PyTuple_GET_ITEM(state, 0), nullptr, nullptr,
               PyTuple_GET_ITEM(state, 2));
    value_of(self).set_grad(
        require_real(PyTuple_GET_ITEM(state, 1), "Value state's grad"));
    Py_RETURN_NONE;
  } catch (...) {
    return to_python_error();
  }
}

bool holds_plain_value(py::handle cls) {
  if (!PyType_Check(cls.ptr())) return false;
  const auto& infos =
      py::detail::all_type_info(reinterpret_cast<PyTypeObject*>(cls.ptr()));
  for (auto* info : infos) {
    if (info == value_type_info) return true;
  }
  return false;
}

// Module-lifetime objects, deliberately leaked: destroying them at C++ exit would
// run after the interpreter is gone.
PyObject* restore_function = nullptr;  // arenagrad._core._restore_value

// Copied and pickled as a leaf with its data, grad, label and, for a subclass, its
// instance attributes; the graph behind it is not kept. Types that extend Value
// in C++ (CompiledValue) come back as a plain Value.
PyObject* reduce_method(PyObject* self, PyObject*) noexcept {
  try {
    const Value& v = value_of(self);
    py::handle cls = py::type::handle_of(self);
    if (!holds_plain_value(cls)) cls = reinterpret_cast<PyObject*>(value_type);
    py::object attrs = py::none();
    if (PyObject** dict = _PyObject_GetDictPtr(self);
        dict != nullptr && *dict != nullptr && PyDict_GET_SIZE(*dict) != 0) {
      attrs = py::reinterpret_steal<py::object>(PyDict_Copy(*dict));
      if (!attrs) throw py::error_already_set();
    }
    py::tuple args =
        py::make_tuple(cls, v.data(), v.grad(), v.arena().label(v.id()), attrs);
    return py::make_tuple(py::handle(restore_function), args).release().ptr();
  } catch (...) {
    return to_python_error();
  }
}

py::object restore_value(py::handle cls, py::handle data, py::handle grad,
                         py::handle label, py::handle attrs) {
  if (!holds_plain_value(cls)) {
    throw py::type_error(
        "_restore_value() needs arenagrad.Value or a Python subclass of it");
  }
  py::object obj = cls.attr("__new__")(cls);
  if (!PyObject_TypeCheck(obj.ptr(), value_type)) {
    throw py::type_error("__new__ of '" + type_name(obj) + "' did not make a Value");
  }
  initialise(obj.ptr(), data.ptr(), nullptr, nullptr, label.ptr());
  value_of(obj).set_grad(require_real(grad, "Value state's grad"));
  if (!attrs.is_none()) obj.attr("__dict__").attr("update")(attrs);
  return obj;
}

PyMethodDef protocol_methods[] = {
    {"__init__",
     reinterpret_cast<PyCFunction>(reinterpret_cast<void (*)()>(&init_method)),
     METH_VARARGS | METH_KEYWORDS,
     "__init__($self, /, data, _children=(), _op='', label='')\n--\n\n"
     "micrograd's constructor: a leaf, or with _children an op defined in Python."},
    {"__setstate__", &setstate_method, METH_O,
     "__setstate__($self, state, /)\n--\n\nRestores an unpickled Value; refused on a "
     "live one."},
    {"__reduce_ex__", &reduce_method, METH_O,
     "__reduce_ex__($self, protocol, /)\n--\n\nPickles as a leaf: data, grad, label, "
     "attributes."},
    {"__reduce__",
     reinterpret_cast<PyCFunction>(reinterpret_cast<void (*)()>(&reduce_method)),
     METH_NOARGS,
     "__reduce__($self, /)\n--\n\nPickles as a leaf: data, grad, label, attributes."},
};

// A node made by one of arenagrad's ops applies its op-table rule when called
// through `_backward`.
PyObject* local_rule = nullptr;
// A Python-defined op whose `_backward` was never set: micrograd's `lambda: None`.
PyObject* no_rule = nullptr;

py::object get_backward(py::handle self) {
  const Value& v = value_of(self);
  if (PyObject* rule = rule_of(v.id())) return py::reinterpret_borrow<py::object>(rule);
  if (v.op() == Op::Custom) return py::reinterpret_borrow<py::object>(no_rule);
  PyObject* bound = PyMethod_New(local_rule, self.ptr());
  if (bound == nullptr) throw py::error_already_set();
  return py::reinterpret_steal<py::object>(bound);
}

void set_backward(py::handle self, py::handle rule) {
  const Value& v = value_of(self);
  if (v.op() != Op::Leaf && v.op() != Op::Custom) {
    throw py::attribute_error(
        std::string("the _backward of a '") + symbol(v.op()) +
        "' node comes from arenagrad's op table and cannot be replaced; to define an "
        "op in "
        "Python, build its result with Value(data, _children, _op) and set that node's "
        "_backward");
  }
  if (!PyCallable_Check(rule.ptr())) {
    throw py::type_error("_backward must be a function of no arguments, not '" +
                         type_name(rule) + "'");
  }
  if (v.arena().handle(v.id()) != self.ptr()) {
    throw py::type_error(
        "_backward can only be set through the node's own Value object");
  }
  set_rule(self.ptr(), v.id(), rule);
}

}  // namespace

void def_value_protocol(py::module_& m, py::class_<Value>& cls) {
  auto* type = reinterpret_cast<PyTypeObject*>(cls.ptr());
  for (PyMethodDef& def : protocol_methods) {
    py::object method =
        py::reinterpret_steal<py::object>(PyDescr_NewMethod(type, &def));
    if (!method) throw py::error_already_set();
    cls.attr(def.ml_name) = method;
  }
  m.def("_restore_value", &restore_value,
        "Rebuilds a pickled or copied Value (internal).");
  restore_function = py::object(m.attr("_restore_value")).release().ptr();
  local_rule =
      py::cpp_function([](py::handle self) { value_of(self).local_backward(); },
                       py::name("_backward"))
          .release()
          .ptr();
  no_rule = py::cpp_function([]() {}, py::name("_backward")).release().ptr();
  // A pybind11 function (not a plain method like __init__) so that CompiledValue
  // can define its own backward over it.
  cls.def("backward", &backward_method);
  cls.def("__getstate__", [](py::handle self) {
    const Value& v = value_of(self);
    return py::make_tuple(v.data(), v.grad(), v.arena().label(v.id()));
  });
  cls.def_property(
      "_backward", &get_backward, &set_backward,
      "This node's local rule, a function of no arguments: it adds grad * "
      "d(self)/d(operand) to each operand's grad. Assignable on Values made by "
      "Value(...) (ops defined in Python); fixed for arenagrad's own ops.");
}

namespace {

struct Signature {
  const char* name;
  const char* doc;
};

const Signature signatures[] = {
    {"backward",
     "backward($self, /)\n--\n\n"
     "Back-propagates from this value: sets its grad to 1 and fills the grad of every\n"
     "node it depends on, running Python-defined rules in the same reverse\n"
     "topological order (leaves accumulate, interior nodes hold this pass)."},
    {"__getstate__", "__getstate__($self, /)\n--\n\n(data, grad, label)."},
    {"__repr__",
     "__repr__($self, /)\n--\n\nValue(data=..., grad=...), as micrograd prints it."},
    {"__eq__", "__eq__($self, other, /)\n--\n\nTrue when other is the same node."},
    {"__ne__", "__ne__($self, other, /)\n--\n\nTrue when other is a different node."},
    {"__hash__",
     "__hash__($self, /)\n--\n\nHash of the node (Values work in sets and dicts)."},
    {"__add__",
     "__add__($self, other, /)\n--\n\nself + other (a Value or a real number)."},
    {"__sub__",
     "__sub__($self, other, /)\n--\n\nself - other (a Value or a real number)."},
    {"__mul__",
     "__mul__($self, other, /)\n--\n\nself * other (a Value or a real number)."},
    {"__truediv__",
     "__truediv__($self, other, /)\n--\n\nself / other; ZeroDivisionError for 0."},
    {"__radd__", "__radd__($self, other, /)\n--\n\nother + self, other a real number."},
    {"__rsub__", "__rsub__($self, other, /)\n--\n\nother - self, other a real number."},
    {"__rmul__", "__rmul__($self, other, /)\n--\n\nother * self, other a real number."},
    {"__rtruediv__",
     "__rtruediv__($self, other, /)\n--\n\nother / self, other a real number."},
    {"__pow__",
     "__pow__($self, exponent, modulo=None, /)\n--\n\nself ** exponent (a Value or a "
     "real "
     "number)."},
    {"__rpow__", "__rpow__($self, base, /)\n--\n\nbase ** self, base a real number."},
    {"__neg__", "__neg__($self, /)\n--\n\n-self."},
    {"__abs__", "__abs__($self, /)\n--\n\nabs(self): the Abs op."},
    {"__float__", "__float__($self, /)\n--\n\nTypeError: use v.data for the number."},
    {"__int__", "__int__($self, /)\n--\n\nTypeError: use v.data for the number."},
};

}  // namespace

void document_value_signatures(py::handle cls) {
  py::dict members = cls.attr("__dict__");
  for (const Signature& s : signatures) {
    if (!members.contains(s.name)) continue;
    PyObject* fn = py::object(members[s.name]).ptr();
    if (PyInstanceMethod_Check(fn)) fn = PyInstanceMethod_GET_FUNCTION(fn);
    PyMethodDef* def = nullptr;
    if (PyCFunction_Check(fn)) {
      def = reinterpret_cast<PyCFunctionObject*>(fn)->m_ml;
    } else if (Py_IS_TYPE(fn, &PyMethodDescr_Type)) {
      def = reinterpret_cast<PyMethodDescrObject*>(fn)->d_method;
    }
    if (def == nullptr || std::strcmp(def->ml_name, s.name) != 0) continue;
    // pybind11 frees its docstrings with free(), so ours is malloc'd too; the old
    // one is left alone (it may be static).
    def->ml_doc = strdup(s.doc);
  }
}

}  // namespace arenagrad::bindings
