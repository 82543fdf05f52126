#!/usr/bin/env bash
# The CPU benchmark, end to end: installs what it needs (Debian packages),
# builds, runs attn_bench (attn kernels, OpenBLAS + loops, sgemm peak),
# the PyTorch eager baseline, then prints one table and plots.
#   bench/run.sh [max T = 65536] [kernels, comma-separated]
# Writes build/bench/bench.csv and build/bench/bench.png.
set -euo pipefail
ATTN_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=../scripts/setup.sh
source "$ATTN_ROOT/scripts/setup.sh"
ATTN_PACKAGES+=(libopenblas-dev python3-torch python3-matplotlib)
attn_install_packages
attn_build
# The Adams2019-scheduled kernels too (built only here, not by the tests).
cmake -S "$ATTN_ROOT" -B "$ATTN_BUILD_DIR" -DATTN_BENCH_ADAMS2019=ON >/dev/null
ninja -C "$ATTN_BUILD_DIR" -j"$ATTN_JOBS" attn_bench >/dev/null

MAX_T=${1:-65536}
KERNELS=${2:-softmax,linear,linear_causal,galerkin,aft_simple}
OUT="$ATTN_BUILD_DIR/bench"
mkdir -p "$OUT"
# OpenMP threads of the baseline sleep when idle instead of spinning
# against OpenBLAS's own threads.
export OMP_WAIT_POLICY=passive
"$ATTN_BUILD_DIR/bin/attn_bench" --max-t "$MAX_T" --kernels "$KERNELS" \
  --csv "$OUT/bench.csv" | tee "$OUT/attn_bench.txt"
PEAK=$(sed -n 's/^CSV: .* (peak \([0-9.]*\) GFLOP\/s)$/\1/p' "$OUT/attn_bench.txt")
/usr/bin/python3 "$ATTN_ROOT/bench/torch_baseline.py" "$OUT/bench.csv" "$MAX_T" "$KERNELS"
echo
/usr/bin/python3 "$ATTN_ROOT/bench/report.py" "$OUT/bench.csv" "$OUT/bench.png" "$PEAK"
