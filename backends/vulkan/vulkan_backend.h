// The Vulkan backend: GPU kernels (kernels/*.cpp, one family per file) on a Vulkan compute device
// found at run time (libvulkan.so.1 through dlopen). The session runs its nodes in regions
// (compile_region); single nodes run through the Kernel contract (tests, op by op).
//
//   Result<std::unique_ptr<Backend>> vk = make_vulkan_backend();
//   if (!vk.ok()) log(vk.status().message());   // e.g. "vkCreateInstance: VK_ERROR_INCOMPATIBLE_DRIVER (-9) ..."
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "backend/backend.h"

namespace edgerun {

struct VulkanBackendOptions {
  int device = -1;                            // physical device index; -1: the best-scored one
  const char* library = "libvulkan.so.1";     // the Vulkan loader to dlopen
  // --backend auto: refuse when the best device is CPU-type (lavapipe, SwiftShader): slower than
  // the cpu backend. Ignored when `device` names one explicitly.
  bool skip_cpu_devices = false;
  // Folder of the persistent pipeline cache (vulkan-pipelines-<vendor>-<device>.bin): loaded
  // and validated at creation, written back when the backend goes if pipelines were created.
  // Empty: no persistent cache.
  std::string cache_dir;
};

// Creates the instance, picks and opens the device and builds the pipelines. Any failure (no
// loader, no driver, no usable device, pipeline creation) is a kUnavailable-style Status with the
// reason; nothing aborts.
Result<std::unique_ptr<Backend>> make_vulkan_backend(const VulkanBackendOptions& options = {});

// Ops with a Vulkan kernel (each kernel's supports() has the finer conditions).
std::vector<std::string> vulkan_ops();

}  // namespace edgerun
