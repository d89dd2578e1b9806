// arenagrad.dot and arenagrad.vsum: translation of Python sequences into operands
// for the core's fused folds (cpp/src/fused.cpp).
#include <new>
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

// The node of an exact arenagrad.Value, read straight from pybind11's instance
// record (one C++ value, stored inline: the "simple layout"); nullptr for anything
// else, which then takes the general as_value() path. A neuron converts two
// operands per weight, so this saves a generic type-caster call on each.
const Value* exact_value(PyObject* o) {
  if (Py_TYPE(o) != value_type) return nullptr;
  auto* inst = reinterpret_cast<py::detail::instance*>(o);
  if (!inst->simple_layout || !inst->simple_holder_constructed) return nullptr;
  return static_cast<const Value*>(inst->simple_value_holder[0]);
}

Operand operand_of(py::handle h, const char* what, std::size_t index) {
  if (const Value* v = exact_value(h.ptr())) return Operand::of(v->id());
  if (const Value* v = as_value(h)) return Operand::of(v->id());
  double x = 0.0;
  if (real_number(h, x)) return Operand::number(x);
  std::string where = what;
  if (index != static_cast<std::size_t>(-1)) where += "[" + std::to_string(index) + "]";
  throw py::type_error(where + " must be a Value or a real number, not '" +
                       type_name(h) + "'");
}

// A 1-d buffer of doubles (a numpy float64 row) read directly; false if `h` exports
// no buffer or another element type, so the caller falls back to iteration.
bool read_double_buffer(py::handle h, const char* what, std::vector<Operand>& out) {
  const BufferView buffer(h);
  if (!buffer.held() || buffer.format() != "d") return false;
  const Py_buffer& view = buffer.view();
  if (view.ndim == 0) {  // a scalar, not a sequence: not iterable in Python either
    throw py::type_error(std::string(what) + " must be a sequence, not a 0-d array");
  }
  if (view.ndim != 1) {
    throw py::value_error(std::string(what) + " must be 1-d, got an array with " +
                          std::to_string(view.ndim) + " dimensions");
  }
  const char* base = static_cast<const char*>(view.buf);
  for (py::ssize_t i = 0; i < view.shape[0]; ++i) {
    out.push_back(
        Operand::number(*reinterpret_cast<const double*>(base + i * view.strides[0])));
  }
  return true;
}

// Items that convert without running Python code (Values, floats, ints): a list
// of them is safe to read by borrowed pointer. False at the first other item, which
// may run a __float__ that mutates the list or frees what was read.
bool read_plain_items(PyObject* const* items, py::ssize_t n,
                      std::vector<Operand>& out) {
  for (py::ssize_t i = 0; i < n; ++i) {
    PyObject* o = items[i];
    if (const Value* v = exact_value(o)) {
      out.push_back(Operand::of(v->id()));
    } else if (PyFloat_Check(o)) {
      out.push_back(Operand::number(PyFloat_AS_DOUBLE(o)));
    } else if (PyLong_Check(o)) {
      const double x = PyLong_AsDouble(o);
      if (x == -1.0 && PyErr_Occurred()) throw py::error_already_set();
      out.push_back(Operand::number(x));
    } else if (const Value* v = as_value(o)) {
      out.push_back(Operand::of(v->id()));
    } else {
      return false;
    }
  }
  return true;
}

// Fills `out` with the operands of `seq` and returns what keeps them alive until
// the fold has retained their nodes: the operands name nodes by index only, so the
// Values behind them must not die (a generator's, say) before then. Lists of plain
// items are read in place and numpy float64 rows through their buffer; anything
// else is first copied into a tuple, which holds every item while a __float__ (or
// another thread, when one releases the GIL) runs and perhaps changes the list.
py::object collect(py::handle seq, const char* what, std::vector<Operand>& out) {
  out.clear();
  if (as_value(seq) != nullptr) {
    throw py::type_error(std::string(what) +
                         " must be a sequence of Values or numbers, "
                         "not a single Value");
  }
  PyObject* o = seq.ptr();
  if (PyList_Check(o)) {
    out.reserve(static_cast<std::size_t>(PyList_GET_SIZE(o)));
    if (read_plain_items(PySequence_Fast_ITEMS(o), PyList_GET_SIZE(o), out))
      return py::none();
    out.clear();
  } else if (!PyTuple_Check(o) && read_double_buffer(seq, what, out)) {
    return py::none();
  }
  py::object items;
  if (PyTuple_Check(o)) {
    items = py::reinterpret_borrow<py::object>(seq);
  } else {
    PyObject* tuple = PySequence_Tuple(o);
    if (tuple == nullptr) {
      // Not iterable at all gets our message; an iterator that raised keeps its error.
      if (Py_TYPE(o)->tp_iter == nullptr && !PySequence_Check(o) &&
          PyErr_ExceptionMatches(PyExc_TypeError)) {
        PyErr_Clear();
        throw py::type_error(std::string(what) +
                             " must be a sequence of Values or numbers, not '" +
                             type_name(seq) + "'");
      }
      throw py::error_already_set();
    }
    items = py::reinterpret_steal<py::object>(tuple);
  }
  const py::ssize_t n = PyTuple_GET_SIZE(items.ptr());
  out.reserve(static_cast<std::size_t>(n));
  for (py::ssize_t i = 0; i < n; ++i) {
    out.push_back(operand_of(PyTuple_GET_ITEM(items.ptr(), i), what,
                             static_cast<std::size_t>(i)));
  }
  return items;
}

py::object result_of(Operand r) {
  if (r.node == kNoNode) return py::float_(r.constant);
  return wrap_value(Value::adopt(default_arena(), r.node));
}

py::object dot(py::handle weights, py::handle inputs, py::handle bias) {
  // Local, not static, scratch: a __float__ written in Python may call dot() again.
  std::vector<Operand> w, x;
  const Operand b = operand_of(bias, "dot() bias", static_cast<std::size_t>(-1));
  const py::object keep_w = collect(weights, "dot() weights", w);
  const py::object keep_x = collect(inputs, "dot() inputs", x);
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
  const py::object keep = collect(values, "vsum() values", terms);
  if (terms.empty()) return py::reinterpret_borrow<py::object>(start);
  return result_of(fold_sum(default_arena(), s, terms.data(), terms.size()));
}

// Both functions are plain METH_FASTCALL builtins rather than pybind11 functions:
// a neuron calls dot() once, so its fixed cost is the fused path's overhead, and
// pybind11's generic dispatcher roughly doubles it for a short row.
// Binds positional and keyword arguments to `keywords` (two or three names, the
// last with a default), then runs Impl, turning C++ exceptions into Python ones.
template <py::object (*Impl)(py::handle, py::handle, py::handle)>
PyObject* fastcall(const char* name, const char* const* keywords,
                   PyObject* default_last, PyObject* const* args, Py_ssize_t nargs,
                   PyObject* kwnames) {
  const Py_ssize_t given = PyVectorcall_NARGS(nargs);
  const Py_ssize_t arity = keywords[2] == nullptr ? 2 : 3;
  PyObject* slots[3] = {nullptr, nullptr, nullptr};
  slots[arity - 1] = default_last;  // the last parameter has a default
  try {
    if (given > arity) {
      throw py::type_error(std::string(name) + "() takes at most " +
                           std::to_string(arity) + " arguments (" +
                           std::to_string(given) + " given)");
    }
    for (Py_ssize_t i = 0; i < given; ++i) slots[i] = args[i];
    const Py_ssize_t nkw = kwnames == nullptr ? 0 : PyTuple_GET_SIZE(kwnames);
    for (Py_ssize_t k = 0; k < nkw; ++k) {
      const char* key = PyUnicode_AsUTF8(PyTuple_GET_ITEM(kwnames, k));
      if (key == nullptr) throw py::error_already_set();
      Py_ssize_t at = 0;
      while (at < arity && std::string(keywords[at]) != key) ++at;
      if (at == arity) {
        throw py::type_error(std::string(name) +
                             "() got an unexpected keyword argument '" + key + "'");
      }
      if (at < given) {
        throw py::type_error(std::string(name) +
                             "() got multiple values for argument '" + key + "'");
      }
      slots[at] = args[given + k];
    }
    for (Py_ssize_t i = 0; i < arity; ++i) {
      if (slots[i] == nullptr) {
        throw py::type_error(std::string(name) + "() missing required argument '" +
                             keywords[i] + "'");
      }
    }
    return Impl(slots[0], slots[1], arity == 3 ? slots[2] : nullptr).release().ptr();
  } catch (py::error_already_set& e) {
    e.restore();
  } catch (const py::builtin_exception& e) {
    e.set_error();
  } catch (const std::bad_alloc&) {
    PyErr_NoMemory();  // as Value's operators report it
  } catch (const std::length_error& e) {
    PyErr_SetString(PyExc_MemoryError, e.what());
  } catch (const std::exception& e) {
    PyErr_SetString(PyExc_RuntimeError, e.what());
  }
  return nullptr;
}

py::object dot3(py::handle w, py::handle x, py::handle bias) { return dot(w, x, bias); }
py::object vsum2(py::handle values, py::handle start, py::handle) {
  return vsum(values, start);
}

PyObject* zero() {
  static PyObject* value = PyFloat_FromDouble(0.0);  // immortal for the process
  return value;
}

const char* const kDotKeywords[] = {"weights", "inputs", "bias"};
const char* const kSumKeywords[] = {"values", "start", nullptr};

PyObject* dot_entry(PyObject*, PyObject* const* args, Py_ssize_t nargs,
                    PyObject* kwnames) {
  return fastcall<&dot3>("dot", kDotKeywords, zero(), args, nargs, kwnames);
}

PyObject* vsum_entry(PyObject*, PyObject* const* args, Py_ssize_t nargs,
                     PyObject* kwnames) {
  return fastcall<&vsum2>("vsum", kSumKeywords, zero(), args, nargs, kwnames);
}

PyMethodDef kDot = {
    "dot", reinterpret_cast<PyCFunction>(reinterpret_cast<void (*)()>(&dot_entry)),
    METH_FASTCALL | METH_KEYWORDS,
    "dot(weights, inputs, bias=0.0)\n--\n\n"
    "bias + w0*x0 + w1*x1 + ... in one call.\n\n"
    "Records the same nodes, in the same order, as\n"
    "``sum((wi * xi for wi, xi in zip(weights, inputs)), bias)``, so data and\n"
    "gradients are bit-identical to that expression. Elements may be Values or\n"
    "real numbers (numbers become constant leaves, as in ``w * 2.0``); lists,\n"
    "tuples, 1-d numpy arrays and other iterables are accepted. Lengths must\n"
    "match (ValueError). With no Value anywhere the result is a float."};

PyMethodDef kSum = {
    "vsum", reinterpret_cast<PyCFunction>(reinterpret_cast<void (*)()>(&vsum_entry)),
    METH_FASTCALL | METH_KEYWORDS,
    "vsum(values, start=0.0)\n--\n\n"
    "start + v0 + v1 + ... in one call.\n\n"
    "Records the same nodes as ``functools.reduce(operator.add, values, start)``\n"
    "(which is what ``sum(values, start)`` does for Values). An empty sequence\n"
    "returns ``start`` itself."};

}  // namespace

void bind_fused(py::module_& m) {
  for (PyMethodDef* def : {&kDot, &kSum}) {
    PyObject* fn = PyCFunction_NewEx(def, nullptr, m.attr("__name__").ptr());
    if (fn == nullptr) throw py::error_already_set();
    m.add_object(def->ml_name, py::reinterpret_steal<py::object>(fn));
  }
}

}  // namespace arenagrad::bindings
