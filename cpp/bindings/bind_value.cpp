// The Python `Value`: micrograd's API over arenagrad::Value. Translation only; the
// math lives in the core's op table.
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

py::object not_implemented() {
  return py::reinterpret_borrow<py::object>(Py_NotImplemented);
}

py::object wrap(Value&& v) { return wrap_value(std::move(v)); }

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

}  // namespace

void bind_value(py::module_& m) {
  py::class_<Value> cls(m, "Value", value_class_doc,
                        py::custom_type_setup(&setup_value_type));
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
      .def("__hash__", [](py::handle self) {
        return static_cast<py::ssize_t>(self_of(self).id());
      });
  // Operators, math methods, comparisons and conversions: bind_ops.cpp, whose
  // bind_ops() then writes the text signatures of every method.
}

}  // namespace arenagrad::bindings
