#!/usr/bin/env bash
# Long-run checks (memory flat over 10,000 training steps, a 10,000,000-node chain,
# 1,000 repeated backward passes). Minutes; not part of the unit tests.
#   scripts/soak.sh            # full
#   scripts/soak.sh --quick    # seconds
set -euo pipefail
cd "$(dirname "$0")/.."
exec python benchmarks/soak.py "$@"
