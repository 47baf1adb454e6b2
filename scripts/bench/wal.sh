#!/usr/bin/env bash
# WAL figures (issue "Store"): builds wal_bench optimised and runs it.
#   scripts/bench/wal.sh [series] [batches]
set -euo pipefail
cd "$(dirname "$0")/../.."
BUILD_DIR=${BUILD_DIR:-build/release}
cmake -S . -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=Release -DCISTERN_TESTS=OFF >/dev/null
ninja -C "$BUILD_DIR" -j2 wal_bench >/dev/null
taskset -c 0 "$BUILD_DIR/agent/wal/wal_bench" "$@"
