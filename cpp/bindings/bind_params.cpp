// arenagrad._core.zero_grads and sgd_step: the optimizers' per-step loops in one call.
#include <string>
#include <vector>

#include "arenagrad/params.hpp"
#include "bindings.hpp"
#include "convert.hpp"

namespace arenagrad::bindings {
namespace {

// The nodes of a list or tuple of Values; TypeError naming the first non-Value.
std::vector<Index> nodes_of(py::handle params) {
  py::object fast = py::reinterpret_steal<py::object>(
      PySequence_Fast(params.ptr(), "params must be a list or tuple of Values"));
  if (!fast) throw py::error_already_set();
  const Py_ssize_t n = PySequence_Fast_GET_SIZE(fast.ptr());
  PyObject** items = PySequence_Fast_ITEMS(fast.ptr());
  std::vector<Index> ids(static_cast<std::size_t>(n));
  for (Py_ssize_t i = 0; i < n; ++i) {
    const Value* v = as_value(items[i]);
    if (v == nullptr) {
      const std::string type = py::str(py::type::handle_of(items[i]).attr("__name__"));
      throw py::type_error("params[" + std::to_string(i) + "] must be a Value, not '" +
                           type + "'");
    }
    ids[static_cast<std::size_t>(i)] = v->id();
  }
  return ids;
}

}  // namespace

void bind_params(py::module_& m) {
  m.def(
      "zero_grads",
      [](py::handle params) { zero_grads(default_arena(), nodes_of(params)); },
      py::arg("params"), "Sets every Value's grad to 0.0.");
  m.def(
      "sgd_step",
      // Handles, not doubles: pybind11's float caster turns an OverflowError or a
      // failing __float__ into a generic TypeError; require_real keeps them.
      [](py::handle params, py::handle lr, py::handle weight_decay) {
        const double rate = require_real(lr, "lr");
        const double decay = require_real(weight_decay, "weight_decay");
        sgd_step(default_arena(), nodes_of(params), rate, decay);
      },
      py::arg("params"), py::arg("lr"), py::arg("weight_decay") = py::float_(0.0),
      "data -= lr * (grad + weight_decay * data) for every Value.");
}

}  // namespace arenagrad::bindings
