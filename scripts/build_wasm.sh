#!/usr/bin/env bash
# Builds the WebAssembly variant of edgerun with Debian's Emscripten (CMake preset "wasm",
# build/wasm; with --threads also the pthreads preset "wasm-threads", build/wasm-threads) and
# reports the size of each .wasm, raw and gzip -9. Installs missing Debian packages first.
# Default targets: the CLI (edgerun) and the JS API's library module (edgerun_web, copied to
# web/dist/: edgerun_web.* from "wasm", edgerun_web_threads.* from "wasm-threads").
# Usage: scripts/build_wasm.sh [--threads|--threads-only] [targets...]
# Then:  timeout 600 node --no-experimental-fetch build/wasm/native/edgerun.js validate DIR --no-isolate
set -euo pipefail
cd "$(dirname "$0")/.."

PRESETS=(wasm)
case "${1:-}" in
  --threads) PRESETS=(wasm wasm-threads); shift ;;
  --threads-only) PRESETS=(wasm-threads); shift ;;
esac
TARGETS=("$@")
[ ${#TARGETS[@]} -gt 0 ] || TARGETS=(edgerun edgerun_web)

PACKAGES=(cmake ninja-build libprotozero-dev libeigen3-dev libhwy-dev emscripten binaryen nodejs)
missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "edgerun build_wasm: installing ${missing[*]}"
  SUDO=""
  if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null; then SUDO="sudo"; else
      echo "edgerun build_wasm: need root (or sudo) to install: ${missing[*]}" >&2; exit 1; fi
  fi
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# Emscripten 3.1.6 needs acorn from Debian's node modules when it optimises (-O1 and above).
export NODE_PATH=/usr/share/nodejs

for preset in "${PRESETS[@]}"; do
  start=$(date +%s)
  cmake --preset "$preset" >/dev/null
  cmake --build --preset "$preset" --target "${TARGETS[@]}"
  echo "edgerun build_wasm: preset $preset built in $(( $(date +%s) - start )) s"
  dir=build/$preset
  while IFS= read -r -d '' f; do
    raw=$(stat -c %s "$f")
    gz=$(gzip -9 -c "$f" | wc -c)
    awk -v f="$f" -v r="$raw" -v g="$gz" 'BEGIN { printf "edgerun build_wasm: %-40s %9d bytes raw (%.2f MiB), %9d bytes gzip -9 (%.2f MiB)\n", f, r, r / 1048576, g, g / 1048576 }'
  done < <(find "$dir" -name '*.wasm' -not -path '*/CMakeFiles/*' -print0 2>/dev/null | sort -z)
done
