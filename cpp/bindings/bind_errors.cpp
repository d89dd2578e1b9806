// The core's C++ exceptions become the built-in Python exceptions that Python's own
// float arithmetic raises in the same situation.
#include <new>
#include <stdexcept>

#include "arenagrad/errors.hpp"
#include "bindings.hpp"

namespace arenagrad::bindings {

void bind_errors(pybind11::module_&) {
  pybind11::register_exception_translator([](std::exception_ptr p) {
    try {
      if (p) std::rethrow_exception(p);
    } catch (const MathError& e) {
      PyObject* type = PyExc_ValueError;
      if (e.fault() == Fault::ZeroDivision) type = PyExc_ZeroDivisionError;
      if (e.fault() == Fault::Overflow) type = PyExc_OverflowError;
      PyErr_SetString(type, e.what());
    } catch (const std::length_error& e) {
      PyErr_SetString(PyExc_MemoryError, e.what());
    }
  });
}

}  // namespace arenagrad::bindings
