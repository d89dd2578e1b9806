// arenagrad._core: the pybind11 face of the C++ core.
#include <pybind11/pybind11.h>

#include "bindings.hpp"
#include "convert.hpp"

#ifndef ARENAGRAD_VERSION
#error "ARENAGRAD_VERSION must be defined by the build"
#endif

PYBIND11_MODULE(_core, m) {
  arenagrad::bindings::prepare_thread_for_exceptions();
  m.doc() = "arenagrad's C++ core: arena-allocated scalar autodiff.";
  m.attr("__version__") = ARENAGRAD_VERSION;
  arenagrad::bindings::bind_errors(m);
  arenagrad::bindings::bind_value(m);
  arenagrad::bindings::bind_ops(m);
  arenagrad::bindings::bind_arena(m);
  arenagrad::bindings::bind_params(m);
  arenagrad::bindings::bind_fused(m);
  arenagrad::bindings::bind_program(m);
  arenagrad::bindings::bind_grad(m);
  arenagrad::bindings::bind_mode(m);
}
