// Translating Python objects into the core's types.
#pragma once

#include <pybind11/pybind11.h>

#include <exception>
#include <memory>
#include <string>
#include <typeinfo>

#include "arenagrad/value.hpp"

namespace arenagrad::bindings {

namespace py = pybind11;

// Set once by bind_value(); lets the hot path test for a Value by type pointer.
extern PyTypeObject* value_type;
// Value's pybind11 record: finds the Value part of an instance with several
// pybind11 bases (class X(_CompiledFunction, Value)).
extern py::detail::type_info* value_type_info;

// The Value a Python object holds, or nullptr if it is not a Value. Reads the
// instance record directly (one C++ value stored inline, pybind11's "simple
// layout"): this runs on every operator, and the general caster costs a noticeable
// share of an op.
inline const Value* as_value(py::handle h) {
  PyObject* o = h.ptr();
  if (Py_TYPE(o) != value_type && !PyObject_TypeCheck(o, value_type)) return nullptr;
  auto* inst = reinterpret_cast<py::detail::instance*>(o);
  if (inst->simple_layout) {
    if (inst->simple_holder_constructed) {
      return static_cast<const Value*>(inst->simple_value_holder[0]);
    }
  } else {
    // The Value's own holder, not the first base's (issue 13, defect 17).
    auto v_h = inst->get_value_and_holder(value_type_info, false);
    if (v_h && v_h.holder_constructed()) return v_h.value_ptr<Value>();
  }
  // Only Value.__new__ without __init__ gets here.
  throw py::type_error("Value was not initialised: call Value(x), not Value.__new__");
}

// `.data` as repr shows it: an int where the Value was given one (micrograd keeps
// `Value(0).data` an int and prints `Value(data=0, ...)`), a float otherwise.
// `.data` itself is always a float (typed code and the stubs rely on that).
py::object data_object(const Value& v);

// A new arenagrad.Value object holding v (value_object.cpp).
py::object new_value_object(Value&& v);

// The Python object of a Value: the node's existing object when it has one (one
// object per node, so `c._prev[0] is a`), else a new one. Every function that
// returns a Value to Python should go through here (py::cast makes a correct
// object too, only slower).
inline py::object wrap_value(Value&& v) {
  if (void* h = v.arena().handle(v.id())) {
    return py::reinterpret_borrow<py::object>(static_cast<PyObject*>(h));
  }
  return new_value_object(std::move(v));
}

// libstdc++ is loaded with the extension, so its per-thread exception state is
// allocated on a thread's first throw; when that throw is a std::bad_alloc, glibc
// finds no memory for it and aborts the process. Touching the state early (at import,
// and whenever a thread makes a Value object) allocates it while memory is there.
inline void prepare_thread_for_exceptions() noexcept {
  // volatile: libstdc++ declares the call pure, so an unused result drops it.
  volatile int in_flight = std::uncaught_exceptions();
  static_cast<void>(in_flight);
}

// A new, empty instance of a pybind11 class with one C++ base (the simple layout,
// which allocates nothing more). pybind11's make_new_instance does not check what
// tp_alloc returned, so out of memory there would crash instead of raising.
inline PyObject* allocate_instance(PyTypeObject* type) {
  PyObject* self = type->tp_alloc(type, 0);
  if (self == nullptr) throw py::error_already_set();
  reinterpret_cast<py::detail::instance*>(self)->allocate_layout();
  return self;
}

// py::cast(T&&) for a class bound with the default holder, without pybind11's leak:
// if registering the new instance runs out of memory, pybind11 frees the value's
// memory without destroying it (a CompiledValue's node and its run's arguments
// would never be released). Here the value is destroyed and the error propagates.
template <class T>
py::object new_instance(T&& value) {
  prepare_thread_for_exceptions();
  const py::detail::type_info* info = py::detail::get_type_info(typeid(T));
  py::object owner = py::reinterpret_steal<py::object>(allocate_instance(info->type));
  PyObject* self = owner.ptr();
  auto* inst = reinterpret_cast<py::detail::instance*>(self);
  auto v_h = inst->get_value_and_holder(info, true);
  auto held = std::make_unique<T>(std::forward<T>(value));
  v_h.value_ptr() = held.get();
  try {
    info->init_instance(inst, nullptr);
  } catch (...) {
    v_h.value_ptr() = nullptr;
    throw;
  }
  static_cast<void>(held.release());  // the instance's holder owns it now
  return owner;
}

// Objects that are not int/float but still real numbers: numpy scalars and 0-d
// arrays, Fraction, Decimal. Errors raised by a __float__ propagate as they are.
bool other_real_number(py::handle h, double& out);

// True and `out` set if `h` is a real number; false if it is some other type.
inline bool real_number(py::handle h, double& out) {
  PyObject* o = h.ptr();
  if (PyFloat_Check(o)) {
    out = PyFloat_AS_DOUBLE(o);
    return true;
  }
  if (PyLong_Check(o)) {
    out = PyLong_AsDouble(o);  // OverflowError for ints beyond a double
    if (out == -1.0 && PyErr_Occurred()) throw py::error_already_set();
    return true;
  }
  return other_real_number(h, out);
}

// Like real_number, but a non-number is a TypeError naming `what` and the type.
double require_real(py::handle h, const char* what);

// A numpy array (any object exporting a strided buffer) held for reading and
// released on scope exit; held() is false for objects that export none.
class BufferView {
 public:
  explicit BufferView(py::handle h) {
    if (!PyObject_CheckBuffer(h.ptr())) return;
    if (PyObject_GetBuffer(h.ptr(), &view_, PyBUF_FORMAT | PyBUF_STRIDES) == 0) {
      held_ = true;
    } else {
      PyErr_Clear();  // not readable this way: the caller falls back to iteration
    }
  }
  ~BufferView() {
    if (held_) PyBuffer_Release(&view_);
  }
  BufferView(const BufferView&) = delete;
  BufferView& operator=(const BufferView&) = delete;

  bool held() const { return held_; }
  const Py_buffer& view() const { return view_; }
  // The item format without a native byte-order prefix: "d", "f", "q", ...
  std::string format() const {
    std::string f = view_.format != nullptr ? view_.format : "B";
    if (!f.empty() && (f[0] == '@' || f[0] == '=' || f[0] == '<')) f.erase(0, 1);
    return f;
  }

 private:
  Py_buffer view_{};
  bool held_ = false;
};

// A str as UTF-8; TypeError for other types, UnicodeEncodeError for lone surrogates.
std::string require_str(py::handle h, const char* what);

}  // namespace arenagrad::bindings
