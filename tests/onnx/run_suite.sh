#!/usr/bin/env bash
# run_suite.sh EDGERUN DATA_DIR BACKEND EXPECTED_LIST [extra validate args]
# Runs `edgerun validate` over a folder of ONNX backend-test cases and fails if any case in the
# expected list does not pass (or anything crashes). Exits 77 (ctest: skipped) with a printed
# reason when the data folder is absent on this machine, or (backend vulkan) when no Vulkan device is.
set -uo pipefail
edgerun=$1 data=$2 backend=$3 expected=$4
shift 4
if [ ! -d "$data" ]; then
  echo "SKIPPED: test data folder '$data' is not present on this machine"
  exit 77
fi
if [ "$backend" = vulkan ]; then
  # No Vulkan device on this machine (no loader / no driver): say why and skip.
  probe=$("$edgerun" info "$(dirname "$0")/../../models/digits/digits.onnx" --backend vulkan 2>&1 | grep -m1 "vulkan unavailable")
  if [ -n "$probe" ]; then
    echo "SKIPPED: no Vulkan device: $probe"
    exit 77
  fi
fi
if [ ! -f "$expected" ]; then
  echo "error: expected list '$expected' is missing (create it with --write-expected)"
  exit 1
fi
out=$(mktemp)
"$edgerun" validate "$data" --backend "$backend" --expected "$expected" --tolerances "$(dirname "$0")/tolerances.txt" --quiet --jobs 2 "$@" > "$out" 2>&1
rc=$?
grep -E "^(REGRESSION|CRASH)" "$out" | head -50
grep -E "cases (pass|crashed)" "$out"
tail -n 1 "$out"
if grep -q "^CRASH" "$out"; then rc=1; fi
rm -f "$out"
exit $rc
