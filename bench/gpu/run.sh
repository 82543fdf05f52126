#!/usr/bin/env bash
# The GPU benchmark, on a machine with an NVIDIA GPU, PyTorch and no attn
# toolchain: runs the attn_gpu_bench built here (carried as a binary), then
# PyTorch on the same inputs, printing times and errors vs fp64.
#   bench/gpu/run.sh ATTN_GPU_BENCH OUTDIR [B = 4] [max T = 65536]
set -euo pipefail
BENCH=$1
OUT=$2
B=${3:-4}
MAXT=${4:-65536}
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
mkdir -p "$OUT"
nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader
"$BENCH" "$WORK" "$B" "$MAXT" | tee "$OUT/attn_gpu.csv"
python3 "$(dirname "${BASH_SOURCE[0]}")/torch_gpu.py" "$WORK" "$OUT/attn_gpu.csv" \
  "$OUT/gpu_bench.csv" "$B"
