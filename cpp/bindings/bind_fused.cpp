// arenagrad.dot and arenagrad.vsum: translation of Python sequences into operands
// for the core's fused folds (cpp/src/fused.cpp).
#include <string>
#include <vector>

#include "arenagrad/fused.hpp"
#include "bindings.hpp"
#include "convert.hpp"

namespace arenagrad::bindings {
namespace {

std::string type_name(py::handle h) {
  return py::str(py::type::handle_of(h).attr("__name__"));
}

Operand operand_of(py::handle h, const char* what, std::size_t index) {
  if (const Value* v = as_value(h)) return Operand::of(v->id());
  double x = 0.0;
  if (real_number(h, x)) return Operand::number(x);
  std::string where = what;
  if (index != static_cast<std::size_t>(-1)) where += "[" + std::to_string(index) + "]";
  throw py::type_error(where + " must be a Value or a real number, not '" + type_name(h) +
                       "'");
}

// A 1-d buffer of doubles (a numpy float64 row) read directly; false if `h` exports
// no buffer or another element type, so the caller falls back to iteration.
bool read_double_buffer(py::handle h, const char* what, std::vector<Operand>& out) {
  if (!PyObject_CheckBuffer(h.ptr())) return false;
  Py_buffer view;
  if (PyObject_GetBuffer(h.ptr(), &view, PyBUF_FORMAT | PyBUF_STRIDES) != 0) {
    PyErr_Clear();
    return false;
  }
  struct Release {
    Py_buffer* v;
    ~Release() { PyBuffer_Release(v); }
  } release{&view};
  const std::string format = view.format ? view.format : "B";
  if (format != "d" && format != "<d" && format != "=d" && format != "@d") return false;
  if (view.ndim != 1) {
    throw py::value_error(std::string(what) + " must be 1-d, got an array with " +
                          std::to_string(view.ndim) + " dimensions");
  }
  const char* base = static_cast<const char*>(view.buf);
  for (py::ssize_t i = 0; i < view.shape[0]; ++i) {
    out.push_back(Operand::number(*reinterpret_cast<const double*>(base + i * view.strides[0])));
  }
  return true;
}

// Lists and tuples are read in place; numpy rows through their buffer; any other
// iterable is materialised once.
void collect(py::handle seq, const char* what, std::vector<Operand>& out) {
  out.clear();
  if (as_value(seq) != nullptr) {
    throw py::type_error(std::string(what) + " must be a sequence of Values or numbers, "
                         "not a single Value");
  }
  if (!PyList_Check(seq.ptr()) && !PyTuple_Check(seq.ptr()) &&
      read_double_buffer(seq, what, out)) {
    return;
  }
  PyObject* fast = PySequence_Fast(seq.ptr(), "");
  if (fast == nullptr) {
    PyErr_Clear();
    throw py::type_error(std::string(what) + " must be a sequence of Values or numbers, not '" +
                         type_name(seq) + "'");
  }
  const py::object keep = py::reinterpret_steal<py::object>(fast);
  const py::ssize_t n = PySequence_Fast_GET_SIZE(fast);
  PyObject** items = PySequence_Fast_ITEMS(fast);
  out.reserve(static_cast<std::size_t>(n));
  for (py::ssize_t i = 0; i < n; ++i) {
    out.push_back(operand_of(items[i], what, static_cast<std::size_t>(i)));
  }
}

py::object result_of(Operand r) {
  if (r.node == kNoNode) return py::float_(r.constant);
  return py::cast(Value::adopt(default_arena(), r.node));
}

py::object dot(py::handle weights, py::handle inputs, py::handle bias) {
  // Local, not static, scratch: a __float__ written in Python may call dot() again.
  std::vector<Operand> w, x;
  const Operand b = operand_of(bias, "dot() bias", static_cast<std::size_t>(-1));
  collect(weights, "dot() weights", w);
  collect(inputs, "dot() inputs", x);
  if (w.size() != x.size()) {
    throw py::value_error("dot() needs as many weights as inputs, got " +
                          std::to_string(w.size()) + " weights and " +
                          std::to_string(x.size()) + " inputs");
  }
  if (w.empty()) return py::reinterpret_borrow<py::object>(bias);
  return result_of(fold_dot(default_arena(), b, w.data(), x.data(), w.size()));
}

py::object vsum(py::handle values, py::handle start) {
  std::vector<Operand> terms;
  const Operand s = operand_of(start, "vsum() start", static_cast<std::size_t>(-1));
  collect(values, "vsum() values", terms);
  if (terms.empty()) return py::reinterpret_borrow<py::object>(start);
  return result_of(fold_sum(default_arena(), s, terms.data(), terms.size()));
}

}  // namespace

void bind_fused(py::module_& m) {
  m.def("dot", &dot, py::arg("weights"), py::arg("inputs"), py::arg("bias") = 0.0,
        "bias + w0*x0 + w1*x1 + ... in one call.\n\n"
        "Records the same nodes, in the same order, as\n"
        "``sum((wi * xi for wi, xi in zip(weights, inputs)), bias)``, so data and\n"
        "gradients are bit-identical to that expression. Elements may be Values or\n"
        "real numbers (numbers become constant leaves, as in ``w * 2.0``); lists,\n"
        "tuples, 1-d numpy arrays and other iterables are accepted. Lengths must\n"
        "match (ValueError). With no Value anywhere the result is a float.");
  m.def("vsum", &vsum, py::arg("values"), py::arg("start") = 0.0,
        "start + v0 + v1 + ... in one call.\n\n"
        "Records the same nodes as ``functools.reduce(operator.add, values, start)``\n"
        "(which is what ``sum(values, start)`` does for Values). An empty sequence\n"
        "returns ``start`` itself.");
}

}  // namespace arenagrad::bindings
