#!/usr/bin/env bash
# Sets up what is missing, then runs the main job on the bundled example
# (examples/linear_attention/model.mlir): verify and rewrite it with
# attn-opt, check the rewritten and compiled forms against the reference
# interpreter with attn-run, compile it with attn-compile into a static
# library, and run the program that links it.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"

MODEL="$ATTN_ROOT/examples/linear_attention/model.mlir"
OUT="$ATTN_BUILD_DIR/demo"
mkdir -p "$OUT"
T=${ATTN_DEMO_T:-4096}

echo
echo "== 1. attn-opt: parse, verify, rewrite"
PASSES="--canonicalize --cse"
attn-opt $PASSES "$MODEL" -o "$OUT/model.opt.mlir"
echo "passes applied: ${PASSES//--/}"
echo "functions: $(grep -o 'func.func @[a-z_]*' "$OUT/model.opt.mlir" | cut -d@ -f2 | tr '\n' ' ')"

echo
echo "== 2. attn-run: compiled (Halide JIT) vs reference interpreter, T=256"
for f in linear_attention causal_linear_attention; do
  attn-run "$OUT/model.opt.mlir" --entry $f --dynamic-size 256 --backend=halide \
    --compare "$MODEL" | grep -E "^(@|compare)"
done

echo
echo "== 3. attn-compile: CPU object code"
attn-compile "$OUT/model.opt.mlir" -o "$OUT/libmodel.a" --header "$OUT/model.h" --target=cpu
echo "wrote $OUT/libmodel.a ($(du -k "$OUT/libmodel.a" | cut -f1) KiB) and $OUT/model.h:"
grep -E "^int (linear|causal)[a-z_]*\(" "$OUT/model.h" || true

echo
echo "== 4. the linked program (examples/linear_attention, built with attn_add_library), T=$T"
"$ATTN_BUILD_DIR/bin/linear_attention_app" "$T"
