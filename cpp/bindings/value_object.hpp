// One Python object per node, Python-defined rules, and what the cyclic GC sees.
#pragma once

#include <pybind11/pybind11.h>

#include "arenagrad/arena.hpp"
#include "arenagrad/value.hpp"

namespace arenagrad::bindings {

namespace py = pybind11;

// Called by bind_value() while the class is being created (pybind11's
// custom_type_setup): makes Value a GC type with the traverse/clear below.
void setup_value_type(PyHeapTypeObject* heap_type);
// Called once the class exists: hooks pybind11's instance creation and destruction
// (so every object, however made, becomes its node's object) and the core's hooks.
void install_value_object_hooks(py::handle cls);
// For CompiledValue (a Value subclass made only by the replay): its instances are
// registered by register_node_object and unregistered by its own dealloc, hooked
// here, so a graph built on a replay's result leads back to that very object.
void install_compiled_value_hooks(py::handle cls);
void register_node_object(py::handle obj);

// The Python rule (`_backward`) set on a node's object, or nullptr.
PyObject* rule_of(Index node);
// Stores `rule` as the rule of `self`'s node (self must be the node's object).
void set_rule(PyObject* self, Index node, py::handle rule);

// value_protocol.cpp: micrograd's constructor, `_backward`, backward(), copying
// and pickling, and the text signatures help() and inspect.signature show.
extern const char* const value_class_doc;
void def_value_protocol(py::module_& m, py::class_<Value>& cls);
// Rewrites the docstrings of Value's methods and operators into CPython's text
// signature form; call after every method is defined.
void document_value_signatures(py::handle cls);

}  // namespace arenagrad::bindings
