// One bind_* function per concept; module.cpp calls them in order.
#pragma once

#include <pybind11/pybind11.h>

namespace arenagrad::bindings {

void bind_errors(pybind11::module_& m);
void bind_value(pybind11::module_& m);
void bind_ops(pybind11::module_& m);  // after bind_value: adds to Value
void bind_arena(pybind11::module_& m);
void bind_params(pybind11::module_& m);
void bind_fused(pybind11::module_& m);
void bind_program(pybind11::module_& m);
void bind_grad(pybind11::module_& m);
void bind_mode(pybind11::module_& m);

}  // namespace arenagrad::bindings
