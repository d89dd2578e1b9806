// arenagrad._core.grad: translation of Python lists into the core's grad() (grad.hpp).
// Argument checking that needs Python's vocabulary lives in arenagrad/functional.py.
#include <pybind11/pybind11.h>

#include <string>
#include <vector>

#include "arenagrad/grad.hpp"
#include "bindings.hpp"
#include "convert.hpp"

namespace arenagrad::bindings {
namespace {

std::string type_name(py::handle h) {
  return py::str(py::type::handle_of(h).attr("__name__"));
}

std::vector<Value> values_of(const py::list& items, const char* what) {
  std::vector<Value> out;
  out.reserve(items.size());
  for (std::size_t i = 0; i < items.size(); ++i) {
    const Value* v = as_value(items[i]);
    if (v == nullptr) {
      throw py::type_error(std::string(what) + "[" + std::to_string(i) +
                           "] must be a Value, not '" + type_name(items[i]) + "'");
    }
    out.push_back(*v);  // a handle: the node stays alive whatever Python does next
  }
  return out;
}

// Seeds are Values (kept as nodes, so create_graph can differentiate through them)
// or real numbers; a __float__ may run Python, so this happens before the sweep.
std::vector<Deriv> seeds_of(const py::list& items) {
  std::vector<Deriv> out;
  out.reserve(items.size());
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (const Value* v = as_value(items[i])) {
      out.emplace_back(*v);
      continue;
    }
    const std::string what = "grad_outputs[" + std::to_string(i) + "]";
    out.emplace_back(require_real(items[i], what.c_str()));
  }
  return out;
}

py::list grad_entry(const py::list& outputs, const py::list& seeds,
                    const py::list& inputs, bool create_graph) {
  const std::vector<Deriv> s = seeds_of(seeds);
  const std::vector<Value> out = values_of(outputs, "outputs");
  const std::vector<Value> in = values_of(inputs, "inputs");
  std::vector<Value> results = grad(out, s, in, create_graph);
  py::list py_results(results.size());
  for (std::size_t i = 0; i < results.size(); ++i)
    py_results[i] = wrap_value(std::move(results[i]));
  return py_results;
}

}  // namespace

void bind_grad(py::module_& m) {
  py::register_exception_translator([](std::exception_ptr p) {
    try {
      if (p) std::rethrow_exception(p);
    } catch (const NotDifferentiable& e) {
      PyErr_SetString(PyExc_TypeError, e.what());
    }
  });
  m.def("grad", &grad_entry, py::arg("outputs"), py::arg("seeds"), py::arg("inputs"),
        py::arg("create_graph"),
        "grad(outputs, seeds, inputs, create_graph)\n\n"
        "d(sum of seed * output) / d input for each input, as Values; arenagrad.grad "
        "is the\n"
        "documented entry point.");
}

}  // namespace arenagrad::bindings
