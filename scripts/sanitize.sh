#!/usr/bin/env bash
# The sanitizer half of the test suite (scripts/test.sh runs it after the
# main suite; run it alone to iterate): attn built with clang-19,
# AddressSanitizer and UndefinedBehaviorSanitizer (ATTN_SANITIZE) into
# ATTN_SANITIZE_BUILD_DIR (default <repo>/build-sanitize), the lit suites run
# with those tools, then the libFuzzer harness of attn-opt's parse -> verify
# -> rewrite pipeline for ATTN_FUZZ_SECONDS (default 120) on a corpus of the
# repository's .mlir files. Writes its lit log to the build directory; exits
# non-zero on any failure, sanitizer report or fuzzer finding.
set -euo pipefail
ATTN_SETUP_NO_BUILD=1 source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"

SAN_DIR=${ATTN_SANITIZE_BUILD_DIR:-$ATTN_ROOT/build-sanitize}
FUZZ_SECONDS=${ATTN_FUZZ_SECONDS:-120}
LIT=/usr/lib/llvm-19/build/utils/lit/lit.py

# LLVM's allocators poison memory when the including code has ASan; libMLIR
# (Debian's, not instrumented) then hands out poisoned memory: user
# poisoning is off. Halide's Function graphs leak by design (cycles).
export ASAN_OPTIONS=allow_user_poisoning=0:detect_leaks=1
export LSAN_OPTIONS=suppressions=$ATTN_ROOT/scripts/lsan.supp
export UBSAN_OPTIONS=print_stacktrace=1

mkdir -p "$SAN_DIR"
rm -f "$SAN_DIR/test.log"
if [ ! -f "$SAN_DIR/build.ninja" ]; then
  echo "sanitize: configuring $SAN_DIR (clang-19, ASan + UBSan)"
  cmake -G Ninja -S "$ATTN_ROOT" -B "$SAN_DIR" -DCMAKE_BUILD_TYPE=Release \
    -DCMAKE_C_COMPILER=clang-19 -DCMAKE_CXX_COMPILER=clang++-19 \
    -DATTN_SANITIZE=ON >"$SAN_DIR/configure.log" 2>&1 \
    || { cat "$SAN_DIR/configure.log" >&2; exit 1; }
fi
echo "sanitize: building in $SAN_DIR (ninja -j$ATTN_JOBS)"
if ! ninja -C "$SAN_DIR" -j"$ATTN_JOBS" attn-test-deps attn-opt-fuzzer \
    >"$SAN_DIR/build.log" 2>&1; then
  grep -E -B2 -A20 "FAILED|ERROR|runtime error" "$SAN_DIR/build.log" | head -80 >&2
  echo "sanitize: error: the sanitizer build failed; see $SAN_DIR/build.log" >&2
  exit 1
fi

log="$SAN_DIR/test.log"
set +e
python3 "$LIT" -sv --time-tests "$SAN_DIR/test" "$SAN_DIR/test/Unit" >"$log" 2>&1
litStatus=$?
set -e
grep -E "^(FAIL|UNRESOLVED|XPASS|TIMEOUT):" "$log" || true
tail -6 "$log"

echo "sanitize: fuzzing attn-opt for ${FUZZ_SECONDS}s"
corpus="$SAN_DIR/fuzz/corpus"
rm -rf "$SAN_DIR/fuzz" && mkdir -p "$corpus" "$SAN_DIR/fuzz/findings"
# Seeds: every .mlir file of the repository behind a few first bytes (the
# byte that picks the pipeline).
n=0
while IFS= read -r -d '' f; do
  for b in 0 37 74 111 148 185 222; do
    { printf "\\$(printf '%03o' $b)"; cat "$f"; } >"$corpus/$n"
    n=$((n + 1))
  done
done < <(find "$ATTN_ROOT/test" "$ATTN_ROOT/examples" "$ATTN_ROOT/bench" \
           -name '*.mlir' -print0 | sort -z)
set +e
(cd "$SAN_DIR/fuzz/findings" &&
 "$SAN_DIR/bin/attn-opt-fuzzer" "$corpus" -max_total_time="$FUZZ_SECONDS" \
   -max_len=20000 -rss_limit_mb=4096 -timeout=30 -print_final_stats=1 \
   >"$SAN_DIR/fuzz/fuzz.log" 2>&1)
fuzzStatus=$?
set -e
grep -E "^Done|stat::number_of_executed_units|ERROR|attn-opt-fuzzer:" "$SAN_DIR/fuzz/fuzz.log" | head -20
if [ "$fuzzStatus" -ne 0 ]; then
  echo "sanitize: error: the fuzzer found a failure; see $SAN_DIR/fuzz/fuzz.log" \
       "and the input in $SAN_DIR/fuzz/findings" >&2
fi
if [ "$litStatus" -ne 0 ] || [ "$fuzzStatus" -ne 0 ]; then
  exit 1
fi
