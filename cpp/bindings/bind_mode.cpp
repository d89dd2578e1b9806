// arenagrad._core.is_grad_enabled / set_grad_enabled (the core's no_grad flag) and
// Value.detach. The Python context manager is arenagrad.no_grad (mode.py).
#include "arenagrad/value.hpp"
#include "bindings.hpp"

namespace py = pybind11;

namespace arenagrad::bindings {

void bind_mode(py::module_& m) {
  m.def(
      "is_grad_enabled", [] { return default_arena().grad_enabled(); },
      "True unless inside arenagrad.no_grad(): whether ops record a graph.");
  m.def(
      "set_grad_enabled",
      [](bool on) {
        const bool previous = default_arena().grad_enabled();
        default_arena().set_grad_enabled(on);
        return previous;
      },
      py::arg("enabled"),
      "Turns graph recording on or off for the whole process; returns the previous "
      "setting.");
  py::object value_type = m.attr("Value");
  value_type.attr("detach") = py::cpp_function(
      [](const Value& self) { return Value(self.data(), self.arena()); },
      py::name("detach"), py::is_method(value_type),
      "A new leaf holding this value's data, with no graph behind it.");
}

}  // namespace arenagrad::bindings
