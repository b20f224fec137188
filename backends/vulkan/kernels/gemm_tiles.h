// Tile shape of shaders/gemm.comp (MatMul/Gemm and Conv's GEMM paths): a 16x16 workgroup computes
// (16*tm) x (16*tn) outputs: 128x128 for large products where the device has the shared memory
// (twice the work per shared-memory load of 64x64: 2.5x faster on lavapipe), 64x64 otherwise, and
// tiles that fit skinny products better.
#pragma once

#include <cstdint>

#include "vulkan/device/device.h"

namespace edgerun::vk {

struct GemmTiles {
  uint32_t tm = 4, tn = 4;  // outputs per invocation along M and N (specialization constants 5, 6)
  int64_t rows() const { return 16 * tm; }
  int64_t cols() const { return 16 * tn; }
};

// Shared memory of the tiled shader: As[16][16 * tm + 1] and Bs[16][16 * tn + 1] floats.
inline uint64_t gemm_shared_bytes(GemmTiles t) { return 16 * 4 * ((16 * t.tm + 1) + (16 * t.tn + 1)); }

inline GemmTiles pick_gemm_tiles(const PhysicalDeviceInfo& dev, int64_t m, int64_t n) {
  if (m >= 128 && n >= 128 && dev.max_shared_memory >= gemm_shared_bytes({8, 8})) return {8, 8};
  if (m <= 16 && n > 64) return {1, 8};
  if (m <= 32 && n > 64) return {2, 8};
  if (n <= 16 && m > 64) return {8, 1};
  if (n <= 32 && m > 64) return {8, 2};
  return {4, 4};
}

// The tiled shader's 16x16 workgroup exceeds the Vulkan minimum limits (128 invocations): on a
// device that does not allow it, MatMul/Gemm and Conv use their one-invocation-per-output shaders.
inline bool tiled_gemm_fits(const PhysicalDeviceInfo& i) {
  return i.max_workgroup_invocations >= 256 && i.max_workgroup_size_x >= 16;
}

}  // namespace edgerun::vk
