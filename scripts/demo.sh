#!/usr/bin/env bash
# Sets up what is missing, then runs the main job on the bundled example
# (examples/linear_attention/model.mlir): rewrite it to linear time with
# attn-opt (saying what each pass did), check the rewritten and compiled
# forms against the original on the reference interpreter with attn-run,
# compile it with attn-compile into a static library, and run the program
# that links it.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"

MODEL="$ATTN_ROOT/examples/linear_attention/model.mlir"
OUT="$ATTN_BUILD_DIR/demo"
mkdir -p "$OUT"
T=${ATTN_DEMO_T:-4096}

echo
echo "== 1. attn-opt: the exact linear-time rewrites (what attn-linearize runs), explained"
PASSES=(--attn-decompose=explain "--attn-reassociate=assume-seq-len=4096 explain"
        --attn-causal-to-cumsum=explain "--attn-chunk=size=64 explain" --canonicalize --cse)
attn-opt "${PASSES[@]}" --mlir-print-op-on-diagnostic=false "$MODEL" \
  -o "$OUT/model.opt.mlir" 2>"$OUT/remarks.txt"
echo "passes applied: ${PASSES[*]}"
grep -o "remark: .*" "$OUT/remarks.txt" | grep -v "not reassociated" | sed 's/^/  /'
echo "functions: $(grep -o 'func.func @[a-z_]*' "$OUT/model.opt.mlir" | cut -d@ -f2 | tr '\n' ' ')"
echo "T x T products left: $(grep -c 'x?x?xf32' "$OUT/model.opt.mlir" || true)"

echo
echo "== 2. attn-run: rewritten and compiled (Halide JIT, fp32) vs the original on the reference interpreter (fp64), T=256"
for f in linear_attention causal_linear_attention; do
  attn-run "$OUT/model.opt.mlir" --entry $f --dynamic-size 256 --backend=halide \
    --compare "$MODEL" | grep -E "^(@|compare)"
done

echo
echo "== 3. attn-compile: CPU object code"
attn-compile "$OUT/model.opt.mlir" -o "$OUT/libmodel.a" --header "$OUT/model.h" --target=cpu
echo "wrote $OUT/libmodel.a ($(du -k "$OUT/libmodel.a" | cut -f1) KiB) and $OUT/model.h:"
grep -E "^int (linear|causal)[a-z_]*\(struct" "$OUT/model.h" || true

echo
echo "== 4. the linked program (examples/linear_attention, built with attn_add_library), T=$T"
"$ATTN_BUILD_DIR/bin/linear_attention_app" "$T"
