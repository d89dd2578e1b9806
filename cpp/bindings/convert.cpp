#include "convert.hpp"

#include <string>

namespace arenagrad::bindings {

PyTypeObject* value_type = nullptr;
py::detail::type_info* value_type_info = nullptr;

namespace {

// numbers.Complex and numbers.Real, looked up once and kept for the process.
bool is_complex_not_real(py::handle h) {
  static PyObject* complex_abc = nullptr;
  static PyObject* real_abc = nullptr;
  if (complex_abc == nullptr) {
    py::module_ numbers = py::module_::import("numbers");
    complex_abc = py::object(numbers.attr("Complex")).release().ptr();
    real_abc = py::object(numbers.attr("Real")).release().ptr();
  }
  const int complex_ = PyObject_IsInstance(h.ptr(), complex_abc);
  if (complex_ < 0) throw py::error_already_set();
  if (complex_ == 0) return false;
  const int real = PyObject_IsInstance(h.ptr(), real_abc);
  if (real < 0) throw py::error_already_set();
  return real == 0;
}

}  // namespace

bool other_real_number(py::handle h, double& out) {
  PyObject* o = h.ptr();
  if (PyObject_TypeCheck(o, value_type)) return false;
  if (PyUnicode_Check(o) || PyBytes_Check(o) || PyComplex_Check(o)) return false;
  PyNumberMethods* num = Py_TYPE(o)->tp_as_number;
  if (num == nullptr || num->nb_float == nullptr) return false;
  if (is_complex_not_real(h)) return false;  // numpy.complex128 has __float__ too
  // An array converts only when it holds exactly one number as a scalar (ndim 0).
  if (py::hasattr(h, "ndim") && py::hasattr(h, "shape")) {
    py::object ndim = h.attr("ndim");
    if (!PyLong_Check(ndim.ptr()) || PyLong_AsLong(ndim.ptr()) != 0) return false;
  }
  out = PyFloat_AsDouble(o);
  if (out == -1.0 && PyErr_Occurred()) throw py::error_already_set();
  return true;
}

double require_real(py::handle h, const char* what) {
  double x = 0.0;
  if (real_number(h, x)) return x;
  const std::string type = py::str(py::type::handle_of(h).attr("__name__"));
  throw py::type_error(
      std::string(what) +
      " must be a real number (int, float or a type with __float__), not '" + type +
      "'");
}

std::string require_str(py::handle h, const char* what) {
  if (!PyUnicode_Check(h.ptr())) {
    const std::string type = py::str(py::type::handle_of(h).attr("__name__"));
    throw py::type_error(std::string(what) + " must be a str, not '" + type + "'");
  }
  Py_ssize_t size = 0;
  const char* utf8 = PyUnicode_AsUTF8AndSize(h.ptr(), &size);
  if (utf8 == nullptr) throw py::error_already_set();
  return std::string(utf8, static_cast<std::size_t>(size));
}

}  // namespace arenagrad::bindings
