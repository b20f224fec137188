#!/usr/bin/env bash
# Set up, build, and run the whole test suite (unit, op, ONNX conformance, models, CLI).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
ctest --preset native "$@"
scripts/test_web.sh
