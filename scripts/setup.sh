#!/usr/bin/env bash
# Installs missing Debian packages and builds edgerun (CMake preset "native", build/native).
# Safe to run repeatedly: installs only what is missing, rebuilds incrementally.
# Arguments, if any, are build targets (default: everything).
set -euo pipefail
cd "$(dirname "$0")/.."

PACKAGES=(build-essential cmake ninja-build pkg-config ccache libprotozero-dev libeigen3-dev libhwy-dev
          libgtest-dev libgmock-dev libbenchmark-dev libonnx-testdata
          libvulkan-dev mesa-vulkan-drivers glslang-tools spirv-tools)
missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "edgerun setup: installing ${missing[*]}"
  SUDO=""
  if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null; then SUDO="sudo"; else
      echo "edgerun setup: need root (or sudo) to install: ${missing[*]}" >&2; exit 1; fi
  fi
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

cmake --preset native >/dev/null
if [ $# -gt 0 ]; then
  cmake --build --preset native --target "$@"
else
  cmake --build --preset native
fi
