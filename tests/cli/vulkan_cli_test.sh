#!/usr/bin/env bash
# The Vulkan backend through the CLI: the digits model on the GPU (lavapipe in CI) gives the same
# class as on the CPU, `info` reports placement and regions, and without any Vulkan driver
# (VK_DRIVER_FILES=/nonexistent) `run` works on the CPU while `info` says why; --no-fallback
# turns the missing GPU into an error. The pipeline cache is written to and reloaded from a
# private folder.
#
#   tests/cli/vulkan_cli_test.sh EDGERUN
set -u
[ $# -ge 1 ] || { echo "usage: $0 EDGERUN" >&2; exit 2; }
EDGERUN=$(realpath "$1")
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
MODEL="$ROOT/models/digits/digits.onnx"
SAMPLE="$ROOT/models/digits/samples/digit_7.npy"
CACHE=$(mktemp -d)
trap 'rm -rf "$CACHE"' EXIT
pass=0
fail=0
check() {  # check LABEL WANT_RC WANT_TEXT RC OUTPUT
  if [ "$4" -eq "$2" ] && grep -qF -- "$3" <<<"$5"; then
    pass=$((pass + 1)); echo "PASS $1"
  else
    fail=$((fail + 1)); echo "FAIL $1: want exit $2 and '$3', got exit $4: $(head -c 800 <<<"$5" | tr '\n' ' ')"
  fi
}

out=$(timeout 120 "$EDGERUN" run "$MODEL" --input "image=$SAMPLE" --backend vulkan --cache-dir "$CACHE" 2>&1); rc=$?
check "run on vulkan" 0 "predicted class: 7" $rc "$out"
check "cold pipeline cache" 0 "none yet (cold start)" $rc "$out"
out=$(timeout 120 "$EDGERUN" run "$MODEL" --input "image=$SAMPLE" --backend vulkan --cache-dir "$CACHE" 2>&1); rc=$?
check "pipeline cache reloaded" 0 "pipeline cache $CACHE" $rc "$out"
check "pipeline cache loaded" 0 ": loaded " $rc "$out"
out=$(timeout 120 "$EDGERUN" info "$MODEL" --backend vulkan --no-pipeline-cache 2>&1); rc=$?
check "info shows the GPU" 0 "data-carrying nodes on the GPU" $rc "$out"
check "info shows regions" 0 "GPU region(s)" $rc "$out"

out=$(VK_DRIVER_FILES=/nonexistent VK_ICD_FILENAMES=/nonexistent timeout 120 "$EDGERUN" run "$MODEL" --input "image=$SAMPLE" 2>&1); rc=$?
check "no Vulkan: run on cpu" 0 "predicted class: 7" $rc "$out"
out=$(VK_DRIVER_FILES=/nonexistent VK_ICD_FILENAMES=/nonexistent timeout 120 "$EDGERUN" info "$MODEL" 2>&1); rc=$?
check "no Vulkan: info says why" 0 "vulkan unavailable: vkCreateInstance: VK_ERROR_INCOMPATIBLE_DRIVER" $rc "$out"
out=$(VK_DRIVER_FILES=/nonexistent VK_ICD_FILENAMES=/nonexistent timeout 120 "$EDGERUN" run "$MODEL" --input "image=$SAMPLE" --backend vulkan 2>&1); rc=$?
check "no Vulkan, --backend vulkan: falls back with a note" 0 "running on the cpu backend" $rc "$out"
out=$(VK_DRIVER_FILES=/nonexistent VK_ICD_FILENAMES=/nonexistent timeout 120 "$EDGERUN" run "$MODEL" --input "image=$SAMPLE" --backend vulkan --no-fallback 2>&1); rc=$?
check "no Vulkan, --no-fallback: error" 1 "vulkan unavailable" $rc "$out"

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
