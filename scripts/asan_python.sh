#!/usr/bin/env bash
# The Python extension itself under AddressSanitizer + UndefinedBehaviorSanitizer:
# builds arenagrad with ARENAGRAD_SANITIZE=ON into .venv-asan and runs the pytest
# files that drive the core hardest (threads, hostile input, lifetime, fuzzed DAGs,
# fused ops, compiled replay) with the sanitizer runtimes preloaded into Python.
#
#   bash scripts/asan_python.sh
#   ARENAGRAD_FUZZ_EXAMPLES=300   random graphs for the property tests here (default 300)
set -euo pipefail
cd "$(dirname "$0")/.."

python=${PYTHON:-python3}
[ -x .venv-asan/bin/python ] || "$python" -m venv .venv-asan
venv=.venv-asan/bin/python
"$venv" -m pip install -q --upgrade pip
"$venv" -m pip install -q pytest hypothesis numpy
"$venv" -m pip install -q . -Cbuild-dir=build/asan-python -Ccmake.build-type=RelWithDebInfo \
  -Ccmake.define.ARENAGRAD_SANITIZE=ON

# CPython keeps memory until exit on purpose, so leak reports would be noise here;
# the C++ suite and the fuzzer run with LeakSanitizer on.
export ASAN_OPTIONS="detect_leaks=0:abort_on_error=1"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
LD_PRELOAD="$(g++ -print-file-name=libasan.so) $(g++ -print-file-name=libubsan.so)" \
ARENAGRAD_FUZZ_EXAMPLES=${ARENAGRAD_FUZZ_EXAMPLES:-300} \
  "$venv" -m pytest -q -p no:cacheprovider \
    tests/python/test_threads.py tests/python/test_hostile_input.py \
    tests/python/test_lifetime.py tests/python/test_backward_semantics.py \
    tests/python/test_value_api.py tests/python/test_errors.py \
    tests/python/test_fused.py tests/python/test_compile.py \
    tests/python/test_fuzz_graphs.py tests/python/test_param_updates.py \
    tests/python/test_entry_points.py
