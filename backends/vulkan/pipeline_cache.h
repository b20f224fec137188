// The persistent VkPipelineCache file. Layout (little-endian):
//   "EDGERUN-VKPC" | u32 format version | u32 vendorID | u32 deviceID | u32 driverVersion |
//   u8[16] pipelineCacheUUID | u8[32] SHA-256 of every shader of this build | u64 data size |
//   u8[32] SHA-256 of the data | data (what vkGetPipelineCacheData returned)
// A file whose device/driver identity or shader hash does not match, or that is truncated or
// fails its checksum, is ignored with a note saying why (then rewritten after the session).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "vulkan/device/device.h"

namespace edgerun::vk {

// Default folder: $EDGERUN_CACHE_DIR, else $XDG_CACHE_HOME/edgerun, else $HOME/.cache/edgerun
// ("" when none of them is set).
std::string default_cache_dir();
// The cache file for a device in `dir`.
std::string pipeline_cache_path(const std::string& dir, const PhysicalDeviceInfo& info);
// SHA-256 over every embedded shader variant.
std::array<uint8_t, 32> shader_set_hash();

// Reads and validates the file: the pipeline-cache data, or empty with `note` saying why.
std::vector<uint8_t> load_pipeline_cache(const std::string& path, const PhysicalDeviceInfo& info, std::string* note);
// Writes `data` (atomically: temporary file + rename). Returns false with `note` on failure.
bool save_pipeline_cache(const std::string& path, const PhysicalDeviceInfo& info, const std::vector<uint8_t>& data,
                         std::string* note);

}  // namespace edgerun::vk
