#!/usr/bin/env bash
# Regenerates the conformance expected lists (tests/onnx/expected/) from the current build:
# every case that passes now becomes a case that must keep passing. Review the diff before
# committing: a case that disappears from a list is a regression.
set -uo pipefail
cd "$(dirname "$0")/.."
edgerun=build/native/native/edgerun
out=tests/onnx/expected
tol=tests/onnx/tolerances.txt
debian=/usr/share/libonnx-testdata/data
shared=../shared
for backend in cpu reference; do
  for suite in node simple pytorch-converted pytorch-operator; do
    [ -d "$debian/$suite" ] && "$edgerun" validate "$debian/$suite" --backend $backend --jobs 2 --quiet --tolerances $tol \
      --write-expected "$out/debian-$suite.$backend.txt" | tail -n 1 | sed "s|^|debian $suite $backend: |"
    [ -d "$shared/onnx-tests/$suite" ] && "$edgerun" validate "$shared/onnx-tests/$suite" --backend $backend --jobs 2 --quiet \
      --tolerances $tol --write-expected "$out/shared-$suite.$backend.txt" | tail -n 1 | sed "s|^|shared $suite $backend: |"
  done
  [ -d "$shared/onnx-tests/light" ] && "$edgerun" validate "$shared/onnx-tests/light" --backend $backend --jobs 2 --quiet \
    --write-expected "$out/shared-light.$backend.txt" | tail -n 1 | sed "s|^|shared light $backend: |"
  [ -d "$shared/models" ] && "$edgerun" validate "$shared/models" --backend $backend --jobs 2 --quiet --rtol 1e-3 --atol 1e-4 \
    --write-expected "$out/shared-models.$backend.txt" | tail -n 1 | sed "s|^|shared models $backend: |"
done
# Vulkan (needs a Vulkan device, e.g. lavapipe): with fallback the cpu lists apply; strict mode
# (--no-fallback: cases that run entirely on the GPU) has its own lists.
if "$edgerun" info models/digits/digits.onnx --backend vulkan 2>&1 | grep -q "vulkan unavailable"; then
  echo "no Vulkan device: the vulkan-strict lists are left as they are"
else
  for suite in node simple pytorch-converted pytorch-operator; do
    [ -d "$debian/$suite" ] && "$edgerun" validate "$debian/$suite" --backend vulkan --no-fallback --jobs 2 --quiet --tolerances $tol \
      --write-expected "$out/debian-$suite.vulkan-strict.txt" | tail -n 1 | sed "s|^|debian $suite vulkan-strict: |"
    [ -d "$shared/onnx-tests/$suite" ] && "$edgerun" validate "$shared/onnx-tests/$suite" --backend vulkan --no-fallback --jobs 2 --quiet \
      --tolerances $tol --write-expected "$out/shared-$suite.vulkan-strict.txt" | tail -n 1 | sed "s|^|shared $suite vulkan-strict: |"
  done
  [ -d "$shared/onnx-tests/light" ] && "$edgerun" validate "$shared/onnx-tests/light" --backend vulkan --no-fallback --jobs 2 --quiet \
    --write-expected "$out/shared-light.vulkan-strict.txt" | tail -n 1 | sed "s|^|shared light vulkan-strict: |"
  [ -d "$shared/models" ] && "$edgerun" validate "$shared/models" --backend vulkan --no-fallback --jobs 2 --quiet --rtol 1e-3 --atol 1e-4 \
    --write-expected "$out/shared-models.vulkan-strict.txt" | tail -n 1 | sed "s|^|shared models vulkan-strict: |"
fi
true
