#!/usr/bin/env bash
# The web part of the test command (scripts/test.sh calls it at its end; it also runs on its own):
#  1. installs missing Debian packages (Emscripten, binaryen, node, Chromium, ONNX test data);
#  2. builds the presets `wasm` and `wasm-threads` (the CLI and the library module of each,
#     copied to web/dist/) and prints every .wasm's size, raw and gzip -9;
#  3. `npm ci` in web/ (when web/node_modules does not match package-lock.json);
#  4. `npm test` (node API tests) and the Chromium tests (playwright-core, /usr/bin/chromium;
#     screenshots in build/web-artifacts/);
#  5. the ONNX conformance suites and real models through the wasm CLI under node, cpu backend,
#     with the same expected lists and tolerances as the native cpu tests (tests/conformance.cmake),
#     single-threaded; the real models also through the threaded CLI with --threads 2.
# Every step runs under `timeout`; all steps run (a failed build skips what needs it) and a summary
# follows. Exits non-zero if anything failed.
# Usage: scripts/test_web.sh [--skip-build] [--skip-conformance]
set -uo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD

SKIP_BUILD=0 SKIP_CONFORMANCE=0
for a in "$@"; do
  case "$a" in
    --skip-build) SKIP_BUILD=1 ;;
    --skip-conformance) SKIP_CONFORMANCE=1 ;;
    *) echo "usage: scripts/test_web.sh [--skip-build] [--skip-conformance]" >&2; exit 2 ;;
  esac
done

T0=$(date +%s)
declare -a RESULTS=()
FAILED=0
log() { echo "edgerun test_web: $*"; }
# step NAME COMMAND...: runs it, records PASS/FAIL/SKIP (exit 77) and its time.
step() {
  local name=$1; shift
  local t=$(date +%s)
  log "--- $name"
  "$@"
  local rc=$?
  local dt=$(( $(date +%s) - t ))
  if [ $rc -eq 0 ]; then RESULTS+=("PASS  ${dt}s  $name")
  elif [ $rc -eq 77 ]; then RESULTS+=("SKIP  ${dt}s  $name")
  else RESULTS+=("FAIL  ${dt}s  $name (exit $rc)"); FAILED=1; fi
  return $rc
}
skip() { RESULTS+=("SKIP  0s  $1 ($2)"); log "--- $1: skipped: $2"; }

# ---------------------------------------------------------------------------------------------
# 1. Packages (the same pattern as scripts/setup.sh and scripts/build_wasm.sh).
install_packages() {
  local packages=(cmake ninja-build libprotozero-dev libeigen3-dev libhwy-dev emscripten binaryen nodejs chromium
                  libonnx-testdata)
  local missing=() p
  for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  log "installing ${missing[*]}"
  local sudo=""
  if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null; then sudo="sudo"; else
      log "need root (or sudo) to install: ${missing[*]}" >&2; return 1; fi
  fi
  export DEBIAN_FRONTEND=noninteractive
  timeout 600 $sudo apt-get update -qq && timeout 1200 $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}
step "packages" install_packages || { log "cannot install packages"; exit 1; }

# Emscripten 3.1.6 needs Debian's acorn when it optimises under nodesource's node.
export NODE_PATH=/usr/share/nodejs

# ---------------------------------------------------------------------------------------------
# 2. Build both presets: CLI (edgerun) and library module (edgerun_web -> web/dist/).
BUILT=1
build_preset() {
  local preset=$1
  timeout 600 cmake --preset "$preset" >/dev/null || return 1
  timeout 3000 cmake --build --preset "$preset" --target edgerun edgerun_web
}
print_sizes() {
  local f raw gz
  for f in build/wasm/native/edgerun.wasm build/wasm/web/edgerun_web.wasm \
           build/wasm-threads/native/edgerun.wasm build/wasm-threads/web/edgerun_web_threads.wasm; do
    [ -f "$f" ] || { log "missing $f"; return 1; }
    raw=$(stat -c %s "$f"); gz=$(gzip -9 -c "$f" | wc -c)
    awk -v f="$f" -v r="$raw" -v g="$gz" 'BEGIN { printf "edgerun test_web: size %-44s %8d bytes raw (%.2f MB), %7d bytes gzip -9 (%.2f MB)\n", f, r, r / 1e6, g, g / 1e6 }'
    # The full-op-set module must stay within 3 MB (raw).
    [ "$raw" -le 3000000 ] || { log "$f is over 3 MB"; return 1; }
  done
}
if [ $SKIP_BUILD -eq 1 ]; then
  skip "build wasm, wasm-threads" "--skip-build"
else
  step "build preset wasm (CLI + edgerun_web)" build_preset wasm || BUILT=0
  step "build preset wasm-threads (CLI + edgerun_web_threads)" build_preset wasm-threads || BUILT=0
fi
step "wasm sizes (each <= 3 MB raw)" print_sizes || true

# ---------------------------------------------------------------------------------------------
# 3.-4. npm ci, node API tests, browser tests.
NPM_OK=1
npm_ci() {
  # Up to date already (npm ls checks node_modules against package.json/package-lock.json)?
  if [ -d web/node_modules ] && (cd web && timeout 60 npm ls --depth=0 >/dev/null 2>&1); then
    log "web/node_modules is up to date"; return 0
  fi
  (cd web && timeout 600 npm ci --no-audit --no-fund --loglevel=error)
}
step "npm ci (web/)" npm_ci || NPM_OK=0

if [ $BUILT -eq 1 ]; then
  step "npm test (node API tests)" bash -c 'cd web && timeout 300 npm test --silent'
  if [ $NPM_OK -eq 1 ]; then
    step "browser tests (Chromium, playwright-core)" bash -c 'cd web && timeout 600 node --test test/browser/'
  else
    skip "browser tests" "npm ci failed"
  fi
else
  skip "npm test, browser tests" "the build failed"
fi

# ---------------------------------------------------------------------------------------------
# 5. Conformance through the wasm CLI under node (tests/onnx/run_suite.sh, as natively).
SHARED=$(cd "$ROOT/.." && pwd)/shared
DEBIAN=/usr/share/libonnx-testdata/data
EXPECTED=tests/onnx/expected
wrapper() {  # build/<preset>/edgerun-node: the CLI as one executable for run_suite.sh
  local dir=build/$1
  printf '#!/bin/sh\nexec node --no-experimental-fetch "%s/native/edgerun.js" "$@"\n' "$ROOT/$dir" > "$dir/edgerun-node"
  chmod +x "$dir/edgerun-node"
  echo "$dir/edgerun-node"
}
suite() {  # suite PRESET DATA EXPECTED_LIST [validate args]
  local preset=$1 data=$2 expected=$3; shift 3
  timeout 1800 tests/onnx/run_suite.sh "$(wrapper "$preset")" "$data" cpu "$expected" --no-isolate "$@"
}
validate() {  # validate PRESET DIR [args]: every case must pass
  local preset=$1 dir=$2; shift 2
  timeout 600 "$(wrapper "$preset")" validate "$dir" --backend cpu --no-isolate --quiet "$@"
}
if [ $SKIP_CONFORMANCE -eq 1 ]; then
  skip "conformance" "--skip-conformance"
elif [ $BUILT -eq 0 ]; then
  skip "conformance" "the build failed"
else
  [ -d "$SHARED" ] || log "$SHARED is absent: the shared ONNX suites and models are skipped (run_suite.sh prints SKIPPED)"
  for s in node simple pytorch-converted pytorch-operator light; do
    step "wasm cpu: shared/onnx-tests/$s" suite wasm "$SHARED/onnx-tests/$s" "$EXPECTED/shared-$s.cpu.txt"
  done
  step "wasm cpu: shared/models" suite wasm "$SHARED/models" "$EXPECTED/shared-models.cpu.txt" --rtol 1e-3 --atol 1e-4
  step "wasm-threads cpu --threads 2: shared/models" suite wasm-threads "$SHARED/models" "$EXPECTED/shared-models.cpu.txt" \
    --rtol 1e-3 --atol 1e-4 --threads 2
  for s in node simple pytorch-converted pytorch-operator; do
    step "wasm cpu: debian libonnx-testdata/$s" suite wasm "$DEBIAN/$s" "$EXPECTED/debian-$s.cpu.txt"
  done
  step "wasm cpu: models/digits" validate wasm models/digits --atol 1e-4
  step "wasm-threads cpu --threads 2: models/digits" validate wasm-threads models/digits --atol 1e-4 --threads 2
  step "wasm cpu: tests/data/local_functions" validate wasm tests/data/local_functions
fi

# ---------------------------------------------------------------------------------------------
log "summary ($(( $(date +%s) - T0 )) s):"
for r in "${RESULTS[@]}"; do echo "  $r"; done
if [ $FAILED -ne 0 ]; then log "FAILED"; exit 1; fi
log "all passed"
