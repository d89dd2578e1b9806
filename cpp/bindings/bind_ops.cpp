// Value's operators, math methods, comparisons and conversions, and the module's
// op functions (atan2, minimum, maximum), all generated from ops.def's ARENAGRAD_API
// entries. Hot paths are CPython number slots and METH_NOARGS methods: pybind11's
// general dispatcher (argument vectors, overload loop) would cost more than the op.
#include <pybind11/detail/exception_translation.h>

#include <charconv>
#include <string>
#include <vector>

#include "bindings.hpp"
#include "convert.hpp"
#include "value_object.hpp"

namespace arenagrad::bindings {
namespace {

// `self` of a method, checked: Value.__new__ without __init__ holds no Value.
const Value& self_of(py::handle self) {
  const Value* v = as_value(self);
  if (v == nullptr) throw py::type_error("this method needs a Value as self");
  return *v;
}

py::object not_implemented() {
  return py::reinterpret_borrow<py::object>(Py_NotImplemented);
}

// A new result's Python object (one object per node: value_object.cpp).
py::object wrap(Value&& v) { return wrap_value(std::move(v)); }

// The pending C++ exception as a Python error (for slots and raw methods).
PyObject* to_python_error() noexcept {
  try {
    throw;
  } catch (py::error_already_set& e) {
    e.restore();
  } catch (...) {
    py::detail::try_translate_exceptions();  // the module's translators, then
                                             // pybind11's
  }
  return nullptr;
}

std::string type_name(py::handle h) {
  return py::str(py::type::handle_of(h).attr("__name__"));
}

// ---- binary operators: `self <op> other` and `other <op> self`, other a Value or a
// number.

template <Op op>
py::object binary(const Value& self, py::handle other) {
  if (const Value* v = as_value(other))
    return wrap(self.apply(op, Operand::of(v->id())));
  double x = 0.0;
  if (real_number(other, x)) return wrap(self.apply(op, Operand::number(x)));
  return not_implemented();
}

template <Op op>
py::object reflected(const Value& self, py::handle other) {
  double x = 0.0;
  if (real_number(other, x)) return wrap(self.apply_reflected(op, x));
  return not_implemented();
}

template <py::object (*fn)(const Value&, py::handle)>
py::object method(py::handle self, py::handle other) {
  return fn(self_of(self), other);
}

py::object power(const Value& self, py::handle exponent, py::handle modulo) {
  if (!modulo.is_none())
    throw py::type_error("pow() with a modulus is not supported for Value");
  if (const Value* e = as_value(exponent)) return wrap(self.pow(*e));
  double k = 0.0;
  if (real_number(exponent, k)) return wrap(self.pow(k));
  return not_implemented();
}

template <Op op>
PyObject* binary_slot(PyObject* left, PyObject* right) noexcept {
  try {
    if (const Value* l = as_value(left)) return binary<op>(*l, right).release().ptr();
    if (const Value* r = as_value(right))
      return reflected<op>(*r, left).release().ptr();
    Py_RETURN_NOTIMPLEMENTED;
  } catch (...) {
    return to_python_error();
  }
}

PyObject* power_slot(PyObject* base, PyObject* exponent, PyObject* modulo) noexcept {
  try {
    if (const Value* b = as_value(base))
      return power(*b, exponent, modulo).release().ptr();
    if (modulo != Py_None)
      throw py::type_error("pow() with a modulus is not supported for Value");
    if (const Value* e = as_value(exponent))
      return reflected<Op::Pow>(*e, base).release().ptr();
    Py_RETURN_NOTIMPLEMENTED;
  } catch (...) {
    return to_python_error();
  }
}

template <Op op>
PyObject* unary_slot(PyObject* self) noexcept {
  try {
    return wrap(self_of(self).apply(op)).release().ptr();
  } catch (...) {
    return to_python_error();
  }
}

// float(v) and int(v) would silently drop the graph: say what to use instead.
PyObject* float_slot(PyObject*) noexcept {
  PyErr_SetString(PyExc_TypeError,
                  "a Value is not a float: use v.data (or v.item()) for the number, or "
                  "Value methods such as v.exp() to stay in the graph");
  return nullptr;
}
PyObject* int_slot(PyObject*) noexcept {
  PyErr_SetString(PyExc_TypeError,
                  "a Value is not an int: use int(v.data) for the number");
  return nullptr;
}

// The operators ops.def marks Operator, with their slot. Pow and PowConst share
// __pow__ (the exponent's type picks the op).
template <Op op>
void install_binary_operator(py::class_<Value>& cls, const std::string& dunder,
                             binaryfunc* slot) {
  cls.def(dunder.c_str(), &method<binary<op>>, py::is_operator());
  cls.def(("__r" + dunder.substr(2)).c_str(), &method<reflected<op>>,
          py::is_operator());
  (void)slot;
}

struct SlotPlan {
  std::vector<std::pair<binaryfunc*, binaryfunc>> binary;
};

template <Op op>
void install_operator(py::class_<Value>& cls, PyNumberMethods* num, SlotPlan& plan) {
  const std::string ident = info(op).ident;
  if constexpr (op == Op::Pow) {
    cls.def(
        "__pow__",
        [](py::handle self, py::handle exponent, py::handle modulo) {
          return power(self_of(self), exponent, modulo);
        },
        py::arg("exponent"), py::arg("modulo") = py::none(), py::is_operator());
    cls.def("__rpow__", &method<reflected<Op::Pow>>, py::is_operator());
  } else if constexpr (op == Op::PowConst) {
    // bound with Pow
  } else if constexpr (arity(op) == 1) {
    cls.def(ident.c_str(),
            [](py::handle self) { return wrap(self_of(self).apply(op)); });
  } else {
    binaryfunc* slot = ident == "__add__"       ? &num->nb_add
                       : ident == "__sub__"     ? &num->nb_subtract
                       : ident == "__mul__"     ? &num->nb_multiply
                       : ident == "__truediv__" ? &num->nb_true_divide
                                                : nullptr;
    if (slot == nullptr)
      throw std::logic_error("arenagrad: no number slot for " + ident);
    install_binary_operator<op>(cls, ident, slot);
    plan.binary.emplace_back(slot, &binary_slot<op>);
  }
}

// ---- methods

template <Op op>
PyObject* unary_method(PyObject* self, PyObject*) noexcept {
  try {
    return wrap(self_of(self).apply(op)).release().ptr();
  } catch (...) {
    return to_python_error();
  }
}

// Positional or keyword arguments of a METH_FASTCALL | METH_KEYWORDS method, by name.
void parse_args(const char* fn, PyObject* const* args, Py_ssize_t nargs,
                PyObject* kwnames, std::initializer_list<const char*> names,
                std::vector<PyObject*>& out) {
  out.assign(names.size(), nullptr);
  if (static_cast<std::size_t>(nargs) > names.size()) {
    throw py::type_error(std::string(fn) + "() takes at most " +
                         std::to_string(names.size()) + " arguments (" +
                         std::to_string(nargs) + " given)");
  }
  for (Py_ssize_t i = 0; i < nargs; ++i) out[i] = args[i];
  const Py_ssize_t nkw = kwnames == nullptr ? 0 : PyTuple_GET_SIZE(kwnames);
  for (Py_ssize_t j = 0; j < nkw; ++j) {
    const std::string key = py::str(PyTuple_GET_ITEM(kwnames, j));
    std::size_t i = 0;
    for (const char* name : names) {
      if (key == name) break;
      ++i;
    }
    if (i == names.size()) {
      throw py::type_error(std::string(fn) + "() got an unexpected keyword argument '" +
                           key + "'");
    }
    if (out[i] != nullptr) {
      throw py::type_error(std::string(fn) + "() got multiple values for argument '" +
                           key + "'");
    }
    out[i] = args[nargs + j];
  }
}

double constant_arg(PyObject* arg, const char* what, double fallback) {
  if (arg == nullptr) return fallback;
  if (as_value(arg) != nullptr) {
    throw py::type_error(std::string(what) +
                         " must be a number, not a Value (use its .data)");
  }
  return require_real(arg, what);
}

// v.leaky_relu(slope=0.01), v.elu(alpha=1.0): a unary op with a constant.
template <Op op>
PyObject* method_k(PyObject* self, PyObject* const* args, Py_ssize_t nargs,
                   PyObject* kwnames) noexcept {
  try {
    const OpInfo& api = info(op);
    const Value& v = self_of(self);
    // The common calls, v.leaky_relu() and v.leaky_relu(0.2), without parsing.
    if (kwnames == nullptr && nargs == 0)
      return wrap(v.apply(op, {}, api.k_default)).release().ptr();
    if (kwnames == nullptr && nargs == 1 && PyFloat_CheckExact(args[0])) {
      return wrap(v.apply(op, {}, PyFloat_AS_DOUBLE(args[0]))).release().ptr();
    }
    std::vector<PyObject*> got;
    parse_args(api.ident, args, nargs, kwnames, {api.k_name}, got);
    const std::string what = std::string(api.ident) + "() " + api.k_name;
    const double k = constant_arg(got[0], what.c_str(), api.k_default);
    return wrap(v.apply(op, {}, k)).release().ptr();
  } catch (...) {
    return to_python_error();
  }
}

// v.clamp(lo=None, hi=None): one Clamp node, hi its constant operand, lo its k.
PyObject* clamp_method(PyObject* self, PyObject* const* args, Py_ssize_t nargs,
                       PyObject* kwnames) noexcept {
  try {
    std::vector<PyObject*> got;
    parse_args("clamp", args, nargs, kwnames, {"lo", "hi"}, got);
    const auto bound = [](PyObject* arg, const char* what, double none) {
      return arg == nullptr || arg == Py_None ? none : constant_arg(arg, what, none);
    };
    const double lo = bound(got[0], "clamp() lo", -kInf);
    const double hi = bound(got[1], "clamp() hi", kInf);
    return wrap(self_of(self).clamp(lo, hi)).release().ptr();
  } catch (...) {
    return to_python_error();
  }
}

PyObject* item_method(PyObject* self, PyObject*) noexcept {
  try {
    return PyFloat_FromDouble(self_of(self).data());
  } catch (...) {
    return to_python_error();
  }
}

// f"{v:.4f}" formats v.data; an empty spec gives repr's text, as format(obj, "") does.
PyObject* format_method(PyObject* self, PyObject* spec) noexcept {
  try {
    if (!PyUnicode_Check(spec)) throw py::type_error("format spec must be a str");
    if (PyUnicode_GET_LENGTH(spec) == 0) return PyObject_Repr(self);
    py::float_ x(self_of(self).data());
    return PyObject_Format(x.ptr(), spec);
  } catch (...) {
    return to_python_error();
  }
}

// <, <=, >, >= compare .data (so max(values), sorted(values) and `if loss < best:`
// work and return the Values themselves); == and != stay node identity (bind_value).
template <int cmp>
PyObject* compare(PyObject* self, PyObject* other) noexcept {
  try {
    const double a = self_of(self).data();
    double b = 0.0;
    if (const Value* v = as_value(other)) {
      b = v->data();
    } else if (!real_number(other, b)) {
      Py_RETURN_NOTIMPLEMENTED;
    }
    bool r = false;
    switch (cmp) {
      case Py_LT:
        r = a < b;
        break;
      case Py_LE:
        r = a <= b;
        break;
      case Py_GT:
        r = a > b;
        break;
      default:
        r = a >= b;
        break;
    }
    return PyBool_FromLong(r);
  } catch (...) {
    return to_python_error();
  }
}

// ---- module functions: arenagrad.atan2(y, x), minimum(a, b), maximum(a, b)

template <Op op>
PyObject* binary_function(PyObject*, PyObject* const* args, Py_ssize_t nargs) noexcept {
  try {
    const char* fn = info(op).ident;
    if (nargs != 2) {
      throw py::type_error(std::string(fn) + "() takes exactly 2 arguments (" +
                           std::to_string(nargs) + " given)");
    }
    if (const Value* a = as_value(args[0])) {
      py::object r = binary<op>(*a, args[1]);
      if (r.ptr() != Py_NotImplemented) return r.release().ptr();
    } else if (const Value* b = as_value(args[1])) {
      py::object r = reflected<op>(*b, args[0]);
      if (r.ptr() != Py_NotImplemented) return r.release().ptr();
    } else {
      // Two numbers: a float, with the same errors (no node is recorded).
      double x = 0.0, y = 0.0;
      if (real_number(args[0], x) && real_number(args[1], y)) {
        const double out = forward(op, x, y, 0.0);
        if (const Fault f = fault_of(op, x, y, 0.0, out); f != Fault::None)
          throw_fault(f, op, x, y, 0.0);
        return PyFloat_FromDouble(out);
      }
    }
    throw py::type_error(std::string(fn) +
                         "() arguments must be Values or real numbers, not '" +
                         type_name(args[0]) + "' and '" + type_name(args[1]) + "'");
  } catch (...) {
    return to_python_error();
  }
}

// Docstrings: "sqrt() -> Value\n\nSquare root; ...\n\nDerivative: sqrt'(0) = inf.",
// behind CPython's text signature ("sqrt($self, /)\n--\n\n"), which help() and
// inspect.signature read and strip from __doc__.
const char* docstring(const OpInfo& api, const std::string& signature,
                      bool method = true) {
  const std::size_t open = signature.find('('), close = signature.find(')');
  std::string params = signature.substr(open + 1, close - open - 1);
  if (method)
    params = params.empty() ? "$self, /" : "$self, /, " + params;
  else
    params += ", /";
  std::string text = signature.substr(0, open) + "(" + params + ")\n--\n\n" +
                     signature + "\n\n" + api.doc;
  if (*api.convention != '\0')
    text += "\n\nDerivative: " + std::string(api.convention) + ".";
  return (new std::string(std::move(text)))
      ->c_str();  // never freed: the type points at it
}

std::vector<PyMethodDef>& method_defs() {
  // Never freed, and reserved once in bind_ops before any entry is added: the type
  // points into it.
  static auto* defs = new std::vector<PyMethodDef>();
  return *defs;
}

void add_method(py::handle cls, PyMethodDef def) {
  auto& defs = method_defs();
  if (defs.size() == defs.capacity())
    throw std::logic_error("arenagrad: too many methods");
  defs.push_back(def);
  auto* type = reinterpret_cast<PyTypeObject*>(cls.ptr());
  py::object m =
      py::reinterpret_steal<py::object>(PyDescr_NewMethod(type, &defs.back()));
  if (!m) throw py::error_already_set();
  cls.attr(def.ml_name) = m;
}

// numpy's object-array ufuncs call a method named after the ufunc: np.arcsin(arr)
// calls x.arcsin(). The table uses math's names; these are numpy's spellings.
const char* numpy_alias(const std::string& ident) {
  for (const char* name : {"asin", "acos", "atan", "asinh", "acosh", "atanh"}) {
    if (ident == name) {
      return (new std::string("arc" + ident.substr(1)))
          ->c_str();  // never freed, as above
    }
  }
  return nullptr;
}

void add_function(py::module_& m, PyMethodDef def) {
  auto& defs = method_defs();
  if (defs.size() == defs.capacity())
    throw std::logic_error("arenagrad: too many methods");
  defs.push_back(def);
  py::object f = py::reinterpret_steal<py::object>(
      PyCFunction_NewEx(&defs.back(), nullptr, m.attr("__name__").ptr()));
  if (!f) throw py::error_already_set();
  m.attr(def.ml_name) = f;
}

const char* kind_name(Api kind) {
  switch (kind) {
    case Api::Leaf:
      return "leaf";
    case Api::Operator:
      return "operator";
    case Api::Method:
      return "method";
    case Api::MethodK:
      return "method";
    case Api::Function:
      return "function";
    case Api::Clamp:
      return "method";
    case Api::Helper:
      return "helper";
    case Api::Helper2:
      return "helper";
  }
  return "?";
}

py::object number_or_none(double x) {
  return std::isfinite(x) || std::isinf(x) ? py::object(py::float_(x)) : py::none();
}

// arenagrad.ops(): the table, for tests and tools that iterate over every op.
py::list op_table() {
  py::list out;
  for (const OpInfo& api : kOpInfo) {
    if (api.kind == Api::Leaf) continue;
    py::dict d;
    d["name"] = name(api.op);
    d["python"] = api.ident;
    d["symbol"] = symbol(api.op);
    d["arity"] = arity(api.op);
    d["kind"] = kind_name(api.kind);
    d["constant"] = *api.k_name != '\0' ? py::object(py::str(api.k_name)) : py::none();
    d["constant_default"] =
        *api.k_name != '\0' ? number_or_none(api.k_default) : py::none();
    d["domain"] = py::make_tuple(py::make_tuple(api.a_lo, api.a_hi),
                                 py::make_tuple(api.b_lo, api.b_hi));
    d["doc"] = api.doc;
    d["convention"] = api.convention;
    out.append(std::move(d));
  }
  return out;
}

}  // namespace

void bind_ops(py::module_& m) {
  py::class_<Value> cls = py::reinterpret_borrow<py::class_<Value>>(m.attr("Value"));
  auto* type = reinterpret_cast<PyTypeObject*>(cls.ptr());
  PyNumberMethods* num = type->tp_as_number;
  method_defs().reserve(2 * kOpCount + 16);
  SlotPlan plan;

  // Operators and their pybind11-bound dunders (explicit calls, introspection).
#define ARENAGRAD_BIND_Operator(Name) install_operator<Op::Name>(cls, num, plan);
#define ARENAGRAD_BIND_Method(Name)                                                   \
  add_method(cls, {info(Op::Name).ident, &unary_method<Op::Name>, METH_NOARGS,        \
                   docstring(info(Op::Name),                                          \
                             std::string(info(Op::Name).ident) + "() -> Value")});    \
  if (const char* alias = numpy_alias(info(Op::Name).ident)) {                        \
    add_method(cls, {alias, &unary_method<Op::Name>, METH_NOARGS,                     \
                     docstring(info(Op::Name), std::string(alias) + "() -> Value")}); \
  }
#define ARENAGRAD_BIND_MethodK(Name)                                               \
  add_method(                                                                      \
      cls,                                                                         \
      {info(Op::Name).ident,                                                       \
       reinterpret_cast<PyCFunction>(                                              \
           reinterpret_cast<void (*)()>(&method_k<Op::Name>)),                     \
       METH_FASTCALL | METH_KEYWORDS,                                              \
       docstring(                                                                  \
           info(Op::Name),                                                         \
           std::string(info(Op::Name).ident) + "(" + info(Op::Name).k_name + "=" + \
               py::str(py::float_(info(Op::Name).k_default)).cast<std::string>() + \
               ") -> Value")});
#define ARENAGRAD_BIND_Function(Name)                                    \
  add_function(                                                          \
      m, {info(Op::Name).ident,                                          \
          reinterpret_cast<PyCFunction>(                                 \
              reinterpret_cast<void (*)()>(&binary_function<Op::Name>)), \
          METH_FASTCALL,                                                 \
          docstring(info(Op::Name),                                      \
                    std::string(info(Op::Name).ident) + "(a, b) -> Value", false)});
#define ARENAGRAD_BIND_Clamp(Name)                                                 \
  add_method(                                                                      \
      cls,                                                                         \
      {info(Op::Name).ident,                                                       \
       reinterpret_cast<PyCFunction>(reinterpret_cast<void (*)()>(&clamp_method)), \
       METH_FASTCALL | METH_KEYWORDS,                                              \
       docstring(info(Op::Name), "clamp(lo=None, hi=None) -> Value")});
#define ARENAGRAD_BIND_Leaf(Name)
#define ARENAGRAD_BIND_Helper(Name)
#define ARENAGRAD_BIND_Helper2(Name)
#define ARENAGRAD_API(Name, ident, kind, k_name, k_default, a_lo, a_hi, b_lo, b_hi, \
                      doc, convention)                                              \
  ARENAGRAD_BIND_##kind(Name)
#include "arenagrad/ops.def"
#undef ARENAGRAD_API
#undef ARENAGRAD_BIND_Operator
#undef ARENAGRAD_BIND_Method
#undef ARENAGRAD_BIND_MethodK
#undef ARENAGRAD_BIND_Function
#undef ARENAGRAD_BIND_Clamp
#undef ARENAGRAD_BIND_Leaf
#undef ARENAGRAD_BIND_Helper
#undef ARENAGRAD_BIND_Helper2

  add_method(cls, {"item", &item_method, METH_NOARGS,
                   "item() -> float\n\nThe number, v.data (PyTorch's habit)."});
  add_method(cls, {"__format__", &format_method, METH_O,
                   "Formats v.data: f\"{v:.4f}\"; an empty spec gives repr(v)."});
  add_method(
      cls, {"__lt__", &compare<Py_LT>, METH_O, "v < w compares .data; returns bool."});
  add_method(
      cls, {"__le__", &compare<Py_LE>, METH_O, "v <= w compares .data; returns bool."});
  add_method(
      cls, {"__gt__", &compare<Py_GT>, METH_O, "v > w compares .data; returns bool."});
  add_method(
      cls, {"__ge__", &compare<Py_GE>, METH_O, "v >= w compares .data; returns bool."});
  cls.def("__abs__", [](py::handle self) { return wrap(self_of(self).abs()); });
  cls.def("__float__", [](py::handle) {
    float_slot(nullptr);
    throw py::error_already_set();
  });
  cls.def("__int__", [](py::handle) {
    int_slot(nullptr);
    throw py::error_already_set();
  });

  m.def("ops", &op_table,
        "ops() -> list[dict]\n\nEvery op in the table (cpp/include/arenagrad/ops.def): "
        "name, "
        "Python name, symbol, arity, kind, constant, domain, doc and derivative "
        "convention.");

  // Slots last: setting a dunder attribute on the type re-derives its slot.
  for (auto& [slot, fn] : plan.binary) *slot = fn;
  num->nb_power = &power_slot;
  num->nb_negative = &unary_slot<Op::Neg>;
  num->nb_absolute = &unary_slot<Op::Abs>;
  num->nb_float = &float_slot;
  num->nb_int = &int_slot;
  document_value_signatures(cls);
}

}  // namespace arenagrad::bindings
