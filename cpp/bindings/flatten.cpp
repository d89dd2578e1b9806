// The one flattener of compiled-function arguments (see flatten.hpp).
#include "flatten.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <string>

#include "convert.hpp"

namespace arenagrad::bindings {
namespace {

using namespace pybind11::literals;

// Deeper nesting than this is refused with RecursionError: the walk recurses, and
// a list that holds itself would otherwise never end.
constexpr int kMaxDepth = 500;

std::string type_name(py::handle h) {
  return py::str(py::type::handle_of(h).attr("__name__"));
}

[[noreturn]] void unsupported(py::handle h) {
  throw py::type_error(
      "compiled function arguments must be Values, real numbers, lists/tuples of them "
      "or "
      "numeric arrays, not '" +
      type_name(h) + "'");
}

// numpy.ndarray once numpy is imported (never imported here: it is slow to import,
// and an array can only reach us if the caller has imported it already).
PyTypeObject* ndarray_type() {
  static PyObject* type = nullptr;
  if (type == nullptr) {
    PyObject* numpy = PyImport_GetModule(py::str("numpy").ptr());
    if (numpy == nullptr) {
      if (PyErr_Occurred()) throw py::error_already_set();
      return nullptr;
    }
    type = PyObject_GetAttrString(numpy, "ndarray");  // kept for the process
    Py_DECREF(numpy);
    if (type == nullptr) throw py::error_already_set();
  }
  return reinterpret_cast<PyTypeObject*>(type);
}

double half_to_double(std::uint16_t h) {
  const int exponent = (h >> 10) & 0x1f;
  const int mantissa = h & 0x3ff;
  double x;
  if (exponent == 0) {
    x = std::ldexp(mantissa, -24);
  } else if (exponent == 31) {
    x = mantissa != 0 ? std::nan("") : HUGE_VAL;
  } else {
    x = std::ldexp(mantissa + 1024, exponent - 25);
  }
  return (h & 0x8000) != 0 ? -x : x;
}

// How to turn one buffer item into a double.
struct ItemFormat {
  char type =
      0;  // struct-module code: d f e g, b h i l q n (signed), B H I L Q N ?, ...
  bool swap = false;  // stored in the other byte order than this machine's
};

bool parse_format(const char* text, ItemFormat& out) {
  std::string f = text != nullptr ? text : "B";
  bool big = false, native = true;
  if (!f.empty() && std::strchr("@=<>!", f[0]) != nullptr) {
    native = f[0] == '@' || f[0] == '=';
    big = f[0] == '>' || f[0] == '!';
    f.erase(0, 1);
  }
  if (f.size() != 1 || std::strchr("dfegbhilqnBHILQN?", f[0]) == nullptr) return false;
  const std::uint16_t probe = 1;
  unsigned char first;
  std::memcpy(&first, &probe, 1);
  const bool machine_big = first == 0;
  out.type = f[0];
  out.swap = !native && big != machine_big;
  return true;
}

double read_item(const char* p, std::size_t size, const ItemFormat& format) {
  unsigned char bytes[32];
  if (size > sizeof bytes)
    throw py::type_error("compiled function arguments: array items too wide");
  std::memcpy(bytes, p, size);
  if (format.swap) std::reverse(bytes, bytes + size);
  const char t = format.type;
  const auto as = [&](auto sample) {
    decltype(sample) x;
    std::memcpy(&x, bytes, sizeof x);
    return static_cast<double>(x);
  };
  if (t == 'd' && size == 8) return as(double{});
  if (t == 'f' && size == 4) return as(float{});
  if (t == 'g' && size == sizeof(long double)) return as((long double){});
  if (t == 'e' && size == 2) {
    std::uint16_t h;
    std::memcpy(&h, bytes, 2);
    return half_to_double(h);
  }
  if (t == '?')
    return std::any_of(bytes, bytes + size, [](unsigned char c) { return c != 0; });
  const bool is_signed = std::strchr("bhilqn", t) != nullptr;
  if (size == 1) return is_signed ? as(std::int8_t{}) : as(std::uint8_t{});
  if (size == 2) return is_signed ? as(std::int16_t{}) : as(std::uint16_t{});
  if (size == 4) return is_signed ? as(std::int32_t{}) : as(std::uint32_t{});
  if (size == 8) return is_signed ? as(std::int64_t{}) : as(std::uint64_t{});
  throw py::type_error("compiled function arguments: unsupported array item size");
}

class Flattener {
 public:
  explicit Flattener(Arguments& out) : out_(out) {}

  void visit(py::handle h) {
    if (++depth_ > kMaxDepth) {
      PyErr_SetString(
          PyExc_RecursionError,
          "compiled function arguments are nested too deeply (or hold themselves)");
      throw py::error_already_set();
    }
    visit_item(h);
    --depth_;
  }

 private:
  void visit_item(py::handle h) {
    PyObject* o = h.ptr();
    if (PyFloat_CheckExact(o)) return out_.add_number(PyFloat_AS_DOUBLE(o));
    if (const Value* v = as_value(h)) {
      try {
        return out_.add_value(*v);
      } catch (const std::invalid_argument& e) {
        throw py::value_error(e.what());
      }
    }
    if (PyList_Check(o)) return visit_list(o);
    if (PyTuple_Check(o)) {
      const Py_ssize_t n = PyTuple_GET_SIZE(o);
      out_.key.push_back(Arguments::kTuple);
      out_.key.push_back(n);
      for (Py_ssize_t i = 0; i < n; ++i)
        visit(PyTuple_GET_ITEM(o, i));  // the tuple holds them
      return;
    }
    if (PyUnicode_Check(o) || PyBytes_Check(o) || PyByteArray_Check(o)) unsupported(h);
    if (PyObject_CheckBuffer(o)) return visit_buffer(h);
    double x = 0.0;
    if (real_number(h, x)) return out_.add_number(x);
    unsupported(h);
  }

  void visit_list(PyObject* list) {
    const Py_ssize_t n = PyList_GET_SIZE(list);
    out_.key.push_back(Arguments::kList);
    out_.key.push_back(n);
    for (Py_ssize_t i = 0; i < n; ++i) {
      if (i >= PyList_GET_SIZE(list)) changed();
      // Our own reference: a __float__ further down may empty the list.
      const py::object item =
          py::reinterpret_borrow<py::object>(PyList_GET_ITEM(list, i));
      visit(item);
    }
    if (PyList_GET_SIZE(list) != n) changed();
  }

  [[noreturn]] static void changed() {
    throw std::runtime_error(
        "a compiled function's argument list changed size while it was read");
  }

  void visit_buffer(py::handle h) {
    Py_buffer view{};
    if (PyObject_GetBuffer(h.ptr(), &view, PyBUF_FORMAT | PyBUF_STRIDES) != 0) {
      PyErr_Clear();
      unsupported(h);
    }
    // Released on every path; the view holds the exporter while we read.
    struct Release {
      Py_buffer* v;
      ~Release() { PyBuffer_Release(v); }
    } release{&view};
    ItemFormat format;
    if (!parse_format(view.format, format)) {
      throw py::type_error(
          std::string("compiled function arguments: arrays must hold real "
                      "numbers, not '") +
          (view.format != nullptr ? view.format : "?") + "' items");
    }
    const auto size = static_cast<std::size_t>(view.itemsize);
    const char* base = static_cast<const char*>(view.buf);
    if (view.ndim == 0) return out_.add_number(read_item(base, size, format));
    const PyTypeObject* ndarray = ndarray_type();
    const bool numpy = ndarray != nullptr &&
                       PyObject_TypeCheck(h.ptr(), const_cast<PyTypeObject*>(ndarray));
    out_.key.push_back(numpy ? Arguments::kArray : Arguments::kBuffer);
    out_.key.push_back(view.ndim);
    Py_ssize_t total = 1;
    for (int d = 0; d < view.ndim; ++d) {
      out_.key.push_back(view.shape[d]);
      total *= view.shape[d];
    }
    // C order over any number of dimensions, following the strides.
    std::vector<Py_ssize_t> index(static_cast<std::size_t>(view.ndim), 0);
    for (Py_ssize_t n = 0; n < total; ++n) {
      Py_ssize_t offset = 0;
      for (int d = 0; d < view.ndim; ++d) offset += index[d] * view.strides[d];
      out_.numbers.push_back(read_item(base + offset, size, format));
      for (int d = view.ndim - 1; d >= 0; --d) {
        if (++index[d] < view.shape[d]) break;
        index[d] = 0;
      }
    }
  }

  Arguments& out_;
  int depth_ = 0;
};

// Rebuilds one argument from the key at `k`, advancing `k`.
class Builder {
 public:
  Builder(const Arguments& flat, std::vector<Value>& leaves)
      : flat_(flat), leaves_(leaves) {}

  py::object build(std::size_t& k) {
    const std::int64_t code = flat_.key.at(k++);
    if (code == Arguments::kScalar) return leaf();
    if (code == Arguments::kList || code == Arguments::kTuple) {
      const auto n = static_cast<std::size_t>(flat_.key.at(k++));
      py::list items(n);
      for (std::size_t i = 0; i < n; ++i) items[i] = build(k);
      if (code == Arguments::kList) return std::move(items);
      return py::tuple(items);
    }
    const auto ndim = static_cast<std::size_t>(flat_.key.at(k++));
    std::vector<std::int64_t> shape(
        flat_.key.begin() + static_cast<std::ptrdiff_t>(k),
        flat_.key.begin() + static_cast<std::ptrdiff_t>(k + ndim));
    k += ndim;
    if (code == Arguments::kArray) return object_array(shape);
    return nested(shape, 0);
  }

 private:
  py::object leaf() {
    leaves_.emplace_back(flat_.numbers.at(leaves_.size()));
    return wrap_value(Value(leaves_.back()));
  }

  py::object nested(const std::vector<std::int64_t>& shape, std::size_t d) {
    py::list items(static_cast<std::size_t>(shape[d]));
    for (std::int64_t i = 0; i < shape[d]; ++i) {
      items[static_cast<std::size_t>(i)] =
          d + 1 == shape.size() ? leaf() : nested(shape, d + 1);
    }
    return std::move(items);
  }

  py::object object_array(const std::vector<std::int64_t>& shape) {
    py::module_ numpy = py::module_::import("numpy");
    py::tuple dims(shape.size());
    std::int64_t total = 1;
    for (std::size_t d = 0; d < shape.size(); ++d) {
      dims[d] = shape[d];
      total *= shape[d];
    }
    py::object array = numpy.attr("empty")(dims, "dtype"_a = "object");
    py::object flat = array.attr("reshape")(-1);  // a view of the fresh array
    for (std::int64_t i = 0; i < total; ++i) flat[py::int_(i)] = leaf();
    return array;
  }

  const Arguments& flat_;
  std::vector<Value>& leaves_;
};

}  // namespace

void flatten_arguments(const py::tuple& args, Arguments& out) {
  Flattener(out).visit(args);
}

py::tuple trace_arguments(const Arguments& flat, std::vector<Value>& leaves) {
  std::size_t k = 0;
  return py::reinterpret_steal<py::tuple>(Builder(flat, leaves).build(k).release());
}

}  // namespace arenagrad::bindings
