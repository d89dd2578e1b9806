#!/usr/bin/env bash
# Runs every arenagrad test: the pytest suite, the GoogleTest suite through ctest
# (plain and under AddressSanitizer + UndefinedBehaviorSanitizer + LeakSanitizer),
# the core-heavy pytest files against a sanitizer build of the extension, a bounded
# libFuzzer run and the soak. Installs what it needs first, into ./.venv-test
# (and ./.venv-asan for the sanitizer build).
#
#   bash scripts/test.sh            everything (what CI runs)
#   bash scripts/test.sh --quick    the edit loop: lint, pytest and the plain ctest only
#   ARENAGRAD_FUZZ_EXAMPLES=N       random graphs the property tests check (default 2000)
#   ARENAGRAD_FUZZ_SECONDS=N        libFuzzer run time (default 60)
#   PYTHON=python3.12 bash scripts/test.sh
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
quick=0
[ "${1:-}" = "--quick" ] && quick=1

note() { printf '\n==> %s\n' "$*"; }
stages=0
step() {  # a test stage: counted in the closing line
  stages=$((stages + 1))
  note "$*"
}

# --- System packages: GoogleTest (ctest), graphviz's dot (viz tests), clang (fuzzer).
need_apt=()
[ -f /usr/include/gtest/gtest.h ] || [ -f /usr/local/include/gtest/gtest.h ] || need_apt+=(libgtest-dev)
command -v dot >/dev/null || need_apt+=(graphviz)
command -v clang++-14 >/dev/null || need_apt+=(clang-14 libclang-rt-14-dev)
command -v clang-format-14 >/dev/null || need_apt+=(clang-format-14)
if [ ${#need_apt[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    note "Installing system packages: ${need_apt[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need_apt[@]}" >/dev/null
  else
    echo "Missing system packages: ${need_apt[*]}" >&2
    echo "Install them (Debian/Ubuntu: sudo apt-get install ${need_apt[*]}) and run this again." >&2
    exit 1
  fi
fi

# --- Python: a private virtual environment with the package and its test extra.
note "Installing arenagrad and its test dependencies into .venv-test"
python=${PYTHON:-python3}
[ -x .venv-test/bin/python ] || "$python" -m venv .venv-test
export PATH="$root/.venv-test/bin:$PATH"
python -m pip install -q --upgrade pip
python -m pip install -q ".[test]"
# The optional PyTorch reference checks run when pip can find a torch wheel without an
# index (a local wheel on this project's machines): never a multi-GB download.
torch_dir=$(mktemp -d)
if python -c "import torch" 2>/dev/null; then
  :
elif python -m pip download -q --no-deps --no-index -d "$torch_dir" torch 2>/dev/null; then
  note "Installing the local torch wheel for the optional PyTorch checks"
  python -m pip install -q "$torch_dir"/torch-*.whl
else
  note "No local torch wheel: the optional PyTorch checks skip"
fi
rm -rf "$torch_dir"

step "lint: ruff, and clang-format-14 in check mode over cpp/ and tests/"
ruff check python tests benchmarks examples
find cpp tests \( -name '*.cpp' -o -name '*.hpp' \) -print0 |
  xargs -0 clang-format-14 --dry-run --Werror

step "pytest"
python -m pytest

step "mypy: the README's Python blocks and examples/ type-check"
python scripts/check_readme_types.py

step "ctest: C++ core (cmake --workflow --preset dev)"
cmake --workflow --preset dev

if [ "$quick" = 1 ]; then
  printf '\nstages: %d passed, 0 failed (quick: sanitizers, fuzzing and the soak skipped)\n' "$stages"
  exit 0
fi

step "ctest: C++ core under ASan + UBSan + LSan (cmake --workflow --preset asan)"
cmake --workflow --preset asan

step "pytest against the extension built with ASan + UBSan (threads, hostile input, fuzzed DAGs, ...)"
bash scripts/asan_python.sh

step "libFuzzer: random op sequences through the core under ASan + UBSan + LSan"
ARENAGRAD_FUZZ_SECONDS=${ARENAGRAD_FUZZ_SECONDS:-60} bash scripts/fuzz.sh

step "soak: 10,000 training steps at flat RSS, a 10,000,000-node chain, 1,000 backward passes"
python benchmarks/soak.py

# Any failure above stops the script (set -e), so reaching here means every stage passed.
printf '\nstages: %d passed, 0 failed\n' "$stages"
