// Host <-> device element conversion (int-like types are 32-bit integers on the device) and
// one-off writes into device buffers.
#pragma once

#include <string>

#include "vulkan/kernels/vulkan_common.h"

namespace edgerun::vk {

// Writes t's elements in their storage type to `out` (numel * storage_bytes). Int64/uint32 values
// outside the int32 range are an error naming `what`.
Status to_storage(const Tensor& t, void* out, const std::string& what);
// Reads numel elements of t's storage type from `in` into t (already allocated with its dtype).
Status from_storage(const void* in, Tensor& t);
// Copies `bytes` into `dst` at `offset` (directly when mapped, else through a staging buffer).
Status write_device(const VulkanContext& ctx, Buffer& dst, uint64_t offset, const void* data, uint64_t bytes);

}  // namespace edgerun::vk
