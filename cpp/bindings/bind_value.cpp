// The Python `Value`: micrograd's API over arenagrad::Value. Translation only; the
// math lives in the core's op table.
#include <pybind11/detail/exception_translation.h>
#include <pybind11/stl.h>

#include <charconv>
#include <string>

#include "bindings.hpp"
#include "convert.hpp"
#include "value_object.hpp"

namespace arenagrad::bindings {
namespace {

// `self` of a bound method, checked (see bind_value).
Value& self_of(py::handle self) {
  const Value* v = as_value(self);
  if (v == nullptr) throw py::type_error("this method needs a Value as self");
  return const_cast<Value&>(*v);
}

py::object not_implemented() { return py::reinterpret_borrow<py::object>(Py_NotImplemented); }

py::object wrap(Value&& v) { return wrap_value(std::move(v)); }

// `self <op> other`, other a Value or a number. Handles both in one overload:
// pybind11 tries overloads in turn, and a failed first try costs microseconds.
template <Op op>
py::object binary(const Value& self, py::handle other) {
  if (const Value* v = as_value(other)) return wrap(self.apply(op, Operand::of(v->id())));
  double x = 0.0;
  if (real_number(other, x)) return wrap(self.apply(op, Operand::number(x)));
  return not_implemented();
}

// A binary operator bound as a method whose self is checked.
template <py::object (*op)(const Value&, py::handle)>
py::object method(py::handle self, py::handle other) {
  return op(self_of(self), other);
}

// `other <op> self` where other is a number (Python calls __radd__ and friends).
template <Op op>
py::object reflected(const Value& self, py::handle other) {
  double x = 0.0;
  if (real_number(other, x)) return wrap(self.apply_reflected(op, x));
  return not_implemented();
}

py::object power(const Value& self, py::handle exponent, py::handle modulo) {
  if (!modulo.is_none()) throw py::type_error("pow() with a modulus is not supported for Value");
  if (const Value* e = as_value(exponent)) return wrap(self.pow(*e));
  double k = 0.0;
  if (real_number(exponent, k)) return wrap(self.pow(k));
  return not_implemented();
}

std::string float_repr(double x) { return py::repr(py::float_(x)); }

// micrograd writes a power's op as f"**{exponent}": "**2", "**-1", "**0.5".
std::string op_text(const Value& v) {
  if (v.op() == Op::Custom) return v.arena().custom_symbol(v.id());
  std::string text = symbol(v.op());
  if (v.op() == Op::PowConst) {
    char buf[32];
    auto [end, ec] = std::to_chars(buf, buf + sizeof(buf), v.arena().node(v.id()).k);
    if (ec == std::errc()) text.append(buf, end);
  }
  return text;
}

py::tuple children(const Value& v) {
  std::vector<Value> kids = v.children();
  py::tuple out(kids.size());
  for (std::size_t i = 0; i < kids.size(); ++i) out[i] = wrap(std::move(kids[i]));
  return out;
}

// CPython calls a type's number slots directly for `a + b`, `2.0 * a`, `a ** 2`, `-a`;
// pointing them here skips pybind11's general dispatcher (argument vectors, overload
// loop), which was about half the cost of an op. The bound __add__ etc. stay for
// explicit calls and introspection, and give the same results.
PyObject* to_python_error() noexcept {
  try {
    throw;
  } catch (py::error_already_set& e) {
    e.restore();
  } catch (...) {
    py::detail::try_translate_exceptions();  // the module's translators, then pybind11's
  }
  return nullptr;
}

template <Op op>
PyObject* binary_slot(PyObject* left, PyObject* right) noexcept {
  try {
    if (const Value* l = as_value(left)) return binary<op>(*l, right).release().ptr();
    if (const Value* r = as_value(right)) return reflected<op>(*r, left).release().ptr();
    Py_RETURN_NOTIMPLEMENTED;
  } catch (...) {
    return to_python_error();
  }
}

PyObject* power_slot(PyObject* base, PyObject* exponent, PyObject* modulo) noexcept {
  try {
    if (const Value* b = as_value(base)) return power(*b, exponent, modulo).release().ptr();
    if (modulo != Py_None) throw py::type_error("pow() with a modulus is not supported for Value");
    if (const Value* e = as_value(exponent)) return reflected<Op::Pow>(*e, base).release().ptr();
    Py_RETURN_NOTIMPLEMENTED;
  } catch (...) {
    return to_python_error();
  }
}

PyObject* negative_slot(PyObject* self) noexcept {
  try {
    return wrap(-*as_value(self)).release().ptr();
  } catch (...) {
    return to_python_error();
  }
}

// relu() and friends as plain METH_NOARGS methods, for the same reason as the
// slots: they run once per neuron, and pybind11's dispatcher would cost more than
// the op.
template <Op op>
PyObject* unary_method(PyObject* self, PyObject*) noexcept {
  try {
    return wrap(self_of(self).apply(op)).release().ptr();
  } catch (...) {
    return to_python_error();
  }
}

PyMethodDef unary_methods[] = {
    {"relu", &unary_method<Op::Relu>, METH_NOARGS, "relu() -> Value\n\nmax(0, x)."},
    {"tanh", &unary_method<Op::Tanh>, METH_NOARGS, "tanh() -> Value\n\nHyperbolic tangent."},
    {"exp", &unary_method<Op::Exp>, METH_NOARGS,
     "exp() -> Value\n\ne**x; OverflowError where math.exp would raise it."},
    {"log", &unary_method<Op::Log>, METH_NOARGS,
     "log() -> Value\n\nNatural logarithm; ValueError for x <= 0, as math.log."},
    {"sigmoid", &unary_method<Op::Sigmoid>, METH_NOARGS,
     "sigmoid() -> Value\n\n1 / (1 + e**-x), evaluated without overflow."},
};

void install_unary_methods(py::handle cls) {
  auto* type = reinterpret_cast<PyTypeObject*>(cls.ptr());
  for (PyMethodDef& def : unary_methods) {
    py::object method = py::reinterpret_steal<py::object>(PyDescr_NewMethod(type, &def));
    if (!method) throw py::error_already_set();
    cls.attr(def.ml_name) = method;
  }
}

void install_number_slots(py::handle cls) {
  PyNumberMethods* num = reinterpret_cast<PyTypeObject*>(cls.ptr())->tp_as_number;
  num->nb_add = &binary_slot<Op::Add>;
  num->nb_subtract = &binary_slot<Op::Sub>;
  num->nb_multiply = &binary_slot<Op::Mul>;
  num->nb_true_divide = &binary_slot<Op::Div>;
  num->nb_power = &power_slot;
  num->nb_negative = &negative_slot;
}

}  // namespace

void bind_value(py::module_& m) {
  py::class_<Value> cls(m, "Value", value_class_doc, py::custom_type_setup(&setup_value_type));
  value_type = reinterpret_cast<PyTypeObject*>(cls.ptr());
  install_value_object_hooks(cls);
  // Users meet it as arenagrad.Value (pickles and error messages say so too).
  cls.attr("__module__") = "arenagrad";
  def_value_protocol(m, cls);

  // Every method takes `self` as a handle and checks it: pybind11 would hand a
  // Value made by Value.__new__ (never initialised) to a member function as a
  // null pointer.
  cls.def_property(
          "data", [](py::handle self) { return self_of(self).data(); },
          [](py::handle self, py::handle x) {
            Value& v = self_of(self);
            v.set_data(require_real(x, "Value.data"));
            v.arena().set_integral(v.id(), PyLong_CheckExact(x.ptr()));
          },
          "The number this node holds (the forward value).")
      .def_property(
          "grad", [](py::handle self) { return self_of(self).grad(); },
          [](py::handle self, py::handle x) {
            self_of(self).set_grad(require_real(x, "Value.grad"));
          },
          "d(root)/d(this node) from the last backward(); leaves accumulate it.")
      .def_property(
          "label",
          [](py::handle self) {
            const Value& v = self_of(self);
            return v.arena().label(v.id());
          },
          [](py::handle self, py::handle text) {
            Value& v = self_of(self);
            v.arena().set_label(v.id(), require_str(text, "Value.label"));
          },
          "A name for graph drawings (viz.to_dot); empty by default.")
      .def_property_readonly(
          "_prev", [](py::handle self) { return children(self_of(self)); },
          "The operands this node was computed from, in order (empty for a leaf).")
      .def_property_readonly(
          "_op", [](py::handle self) { return op_text(self_of(self)); },
          "The op that made this node: '+', '*', '**2', 'ReLU', ... ('' for a leaf).")
      .def("__repr__",
           [](py::handle self) {
             const Value& v = self_of(self);
             return "Value(data=" + std::string(py::repr(data_object(v))) +
                    ", grad=" + float_repr(v.grad()) + ")";
           })
      .def("__eq__",
           [](py::handle self, py::handle other) -> py::object {
             const Index id = self_of(self).id();
             if (const Value* v = as_value(other)) return py::bool_(v->id() == id);
             return not_implemented();
           })
      .def("__ne__",
           [](py::handle self, py::handle other) -> py::object {
             const Index id = self_of(self).id();
             if (const Value* v = as_value(other)) return py::bool_(v->id() != id);
             return not_implemented();
           })
      .def("__hash__", [](py::handle self) { return static_cast<py::ssize_t>(self_of(self).id()); })
      .def("__add__", &method<binary<Op::Add>>, py::is_operator())
      .def("__sub__", &method<binary<Op::Sub>>, py::is_operator())
      .def("__mul__", &method<binary<Op::Mul>>, py::is_operator())
      .def("__truediv__", &method<binary<Op::Div>>, py::is_operator())
      .def("__radd__", &method<reflected<Op::Add>>, py::is_operator())
      .def("__rsub__", &method<reflected<Op::Sub>>, py::is_operator())
      .def("__rmul__", &method<reflected<Op::Mul>>, py::is_operator())
      .def("__rtruediv__", &method<reflected<Op::Div>>, py::is_operator())
      .def(
          "__pow__",
          [](py::handle self, py::handle exponent, py::handle modulo) {
            return power(self_of(self), exponent, modulo);
          },
          py::arg("exponent"), py::arg("modulo") = py::none(), py::is_operator())
      .def("__rpow__", &method<reflected<Op::Pow>>, py::is_operator())
      .def("__neg__", [](py::handle self) { return -self_of(self); });
  install_number_slots(cls);
  install_unary_methods(cls);
  document_value_signatures(cls);
}

}  // namespace arenagrad::bindings
