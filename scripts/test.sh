#!/usr/bin/env bash
# Sets up what is missing (packages, configure, build), then runs the whole
# test suite: the lit suites (dialect, reference, codegen, bad inputs,
# examples) and the gtest unit tests; then the same suites with attn built
# with AddressSanitizer + UndefinedBehaviorSanitizer, and a bounded fuzz run
# of attn-opt (scripts/sanitize.sh; ATTN_SANITIZE=0 skips that half).
# Ends with "N passed, N failed[, N skipped]" over both halves.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"

LIT=/usr/lib/llvm-19/build/utils/lit/lit.py
log="$ATTN_BUILD_DIR/test.log"
set +e
python3 "$LIT" -sv --time-tests "$ATTN_BUILD_DIR/test" "$ATTN_BUILD_DIR/test/Unit" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
set -e

count() { # count <label>: the number after "<label>:" in lit's summary
  grep -E "^\s+$1\s*:" "$log" | head -1 | sed -E 's/.*:\s*([0-9]+).*/\1/' | grep -E '^[0-9]+$' || echo 0
}
tally() { # tally <lit log>: "passed failed skipped"
  log=$1
  echo "$(( $(count Passed) + $(count "Expectedly Failed") ))" \
       "$(( $(count Failed) + $(count Unresolved) + $(count "Timed Out") + $(count "Unexpectedly Passed") ))" \
       "$(( $(count Unsupported) ))"
}
read -r passed failed skipped < <(tally "$log")
echo "main suite: $passed passed, $failed failed, $skipped skipped"

sanStatus=0
if [ "${ATTN_SANITIZE:-1}" != 0 ]; then
  echo
  echo "== the suites again with ASan + UBSan, and the fuzzer (scripts/sanitize.sh)"
  set +e
  bash "$ATTN_ROOT/scripts/sanitize.sh"
  sanStatus=$?
  set -e
  sanLog="${ATTN_SANITIZE_BUILD_DIR:-$ATTN_ROOT/build-sanitize}/test.log"
  if [ -f "$sanLog" ]; then
    read -r p f s < <(tally "$sanLog")
    echo "sanitizer suite: $p passed, $f failed, $s skipped"
    passed=$((passed + p)); failed=$((failed + f)); skipped=$((skipped + s))
  fi
  # A failed sanitizer build or fuzz run counts as a failure too.
  [ "$sanStatus" -ne 0 ] && [ "$failed" -eq 0 ] && failed=1
fi
echo "$passed passed, $failed failed, $skipped skipped"
if [ "$status" -ne 0 ] || [ "$sanStatus" -ne 0 ] || [ "$failed" -ne 0 ] || [ "$passed" -eq 0 ]; then
  exit 1
fi
