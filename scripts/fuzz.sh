#!/usr/bin/env bash
# Build and run the libFuzzer target tests/fuzz/fuzz_ops.cpp for a bounded time.
#
#   scripts/fuzz.sh                         # 60 s
#   ARENAGRAD_FUZZ_SECONDS=600 scripts/fuzz.sh
#
# The target runs under AddressSanitizer (+ LeakSanitizer) and UBSan; it exits
# non-zero on a crash, a leak, a sanitizer report or a broken invariant, and this
# script passes that status on. Crash inputs are written to build/fuzz/artifacts/.
# The corpus (build/fuzz/corpus/) is kept between runs so coverage accumulates.
set -euo pipefail

cd "$(dirname "$0")/.."
seconds="${ARENAGRAD_FUZZ_SECONDS:-60}"
seed="${ARENAGRAD_FUZZ_SEED:-1}"
build=build/fuzz

cmake --preset fuzz >/dev/null
# Builds in this tree may run concurrently (editable install, other scripts): serialise them.
flock /tmp/arenagrad-build.lock cmake --build --preset fuzz -j2 >/dev/null

mkdir -p "$build/corpus" "$build/artifacts"
log="$build/fuzz.log"
echo "fuzz_ops: running for ${seconds}s (seed $seed); log in $log"
status=0
ASAN_OPTIONS="detect_leaks=1:abort_on_error=1" \
UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1" \
  "$build/tests/fuzz/fuzz_ops" "$build/corpus" \
    -max_total_time="$seconds" -seed="$seed" -max_len=4096 \
    -artifact_prefix="$build/artifacts/" -print_final_stats=1 \
    >"$log" 2>&1 || status=$?

executions=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
coverage=$(grep -o 'cov: [0-9]*' "$log" | tail -1 || true)
echo "fuzz_ops: ${executions:-?} executions in ${seconds}s, ${coverage:-cov: ?}," \
     "corpus $(ls "$build/corpus" | wc -l) inputs, exit status $status"
if [ "$status" -ne 0 ]; then
  echo "fuzz_ops FAILED; the end of the log:" >&2
  tail -40 "$log" >&2
fi
exit "$status"
