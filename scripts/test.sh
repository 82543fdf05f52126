#!/usr/bin/env bash
# Sets up what is missing (packages, configure, build), then runs the whole
# test suite: the lit suites (dialect, reference, codegen, examples) and the
# gtest unit tests. Ends with "N passed, N failed[, N skipped]".
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
passed=$(( $(count Passed) + $(count "Expectedly Failed") ))
failed=$(( $(count Failed) + $(count Unresolved) + $(count "Timed Out") + $(count "Unexpectedly Passed") ))
skipped=$(( $(count Unsupported) ))
echo "$passed passed, $failed failed, $skipped skipped"
if [ "$status" -ne 0 ] || [ "$failed" -ne 0 ] || [ "$passed" -eq 0 ]; then
  exit 1
fi
