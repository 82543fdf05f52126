#!/usr/bin/env bash
# Installs what is missing (Debian packages), configures and builds attn.
# Idempotent and quiet when everything is in place. Sourced by demo.sh and
# test.sh; run it alone to only build.
#   ATTN_BUILD_DIR  build directory (default: <repo>/build)
#   ATTN_JOBS       parallel build jobs (default: 2)
set -euo pipefail

ATTN_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
ATTN_BUILD_DIR=${ATTN_BUILD_DIR:-$ATTN_ROOT/build}
ATTN_JOBS=${ATTN_JOBS:-2}

ATTN_PACKAGES=(
  cmake ninja-build g++ python3 python3-numpy
  llvm-19-dev llvm-19-tools libmlir-19-dev mlir-19-tools
  libhalide14-0-dev libgtest-dev libopenblas-dev
  clang-19 libclang-rt-19-dev
)

attn_missing_packages() {
  local p
  for p in "${ATTN_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" \
      || echo "$p"
  done
}

attn_install_packages() {
  local missing
  missing=$(attn_missing_packages)
  [ -z "$missing" ] && return 0
  echo "setup: installing Debian packages: $(echo $missing)"
  local sudo=""
  if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
      sudo="sudo -n"
    else
      echo "setup: error: need root (or passwordless sudo) to install: $missing" >&2
      return 1
    fi
  fi
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -qq
  # shellcheck disable=SC2086
  $sudo apt-get install -y -qq $missing </dev/null
}

attn_build() {
  mkdir -p "$ATTN_BUILD_DIR"
  if [ ! -f "$ATTN_BUILD_DIR/build.ninja" ]; then
    echo "setup: configuring $ATTN_BUILD_DIR"
    cmake -G Ninja -S "$ATTN_ROOT" -B "$ATTN_BUILD_DIR" \
      -DCMAKE_BUILD_TYPE=Release >"$ATTN_BUILD_DIR/configure.log" 2>&1 \
      || { cat "$ATTN_BUILD_DIR/configure.log" >&2; return 1; }
  fi
  echo "setup: building in $ATTN_BUILD_DIR (ninja -j$ATTN_JOBS)"
  if ! ninja -C "$ATTN_BUILD_DIR" -j"$ATTN_JOBS" >"$ATTN_BUILD_DIR/build.log" 2>&1; then
    grep -E -A20 "FAILED|error" "$ATTN_BUILD_DIR/build.log" | head -60 >&2
    echo "setup: error: the build failed; see $ATTN_BUILD_DIR/build.log" >&2
    return 1
  fi
}

attn_install_packages
# scripts/sanitize.sh builds its own tree only.
if [ "${ATTN_SETUP_NO_BUILD:-0}" = 0 ]; then
  attn_build
fi
export PATH="$ATTN_BUILD_DIR/bin:$PATH"
