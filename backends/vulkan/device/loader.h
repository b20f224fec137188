// Vulkan loader: libvulkan.so.1 is opened with dlopen at run time (no link-time dependency), so the
// same binary runs where Vulkan is absent. Function pointers are loaded by hand (VK_NO_PROTOTYPES).
//
//   ER_ASSIGN_OR_RETURN(std::shared_ptr<VulkanApi> api, load_vulkan());   // global functions only
//   api->load_instance(instance);                                          // then the rest
//
// No op knowledge lives in backends/vulkan/device/.
#pragma once

#define VK_NO_PROTOTYPES
#include <vulkan/vulkan.h>

#include <memory>
#include <string>

#include "edgerun/status.h"

namespace edgerun::vk {

// Functions available before an instance exists.
#define EDGERUN_VK_GLOBAL_FNS(X) \
  X(vkCreateInstance)            \
  X(vkEnumerateInstanceVersion)

// Instance- and device-level functions, resolved through vkGetInstanceProcAddr(instance).
#define EDGERUN_VK_INSTANCE_FNS(X)            \
  X(vkDestroyInstance)                        \
  X(vkEnumeratePhysicalDevices)               \
  X(vkGetPhysicalDeviceProperties)            \
  X(vkGetPhysicalDeviceQueueFamilyProperties) \
  X(vkGetPhysicalDeviceMemoryProperties)      \
  X(vkCreateDevice)                           \
  X(vkDestroyDevice)                          \
  X(vkGetDeviceQueue)                         \
  X(vkDeviceWaitIdle)                         \
  X(vkCreateBuffer)                           \
  X(vkDestroyBuffer)                          \
  X(vkGetBufferMemoryRequirements)            \
  X(vkAllocateMemory)                         \
  X(vkFreeMemory)                             \
  X(vkBindBufferMemory)                       \
  X(vkMapMemory)                              \
  X(vkUnmapMemory)                            \
  X(vkCreateShaderModule)                     \
  X(vkDestroyShaderModule)                    \
  X(vkCreateDescriptorSetLayout)              \
  X(vkDestroyDescriptorSetLayout)             \
  X(vkCreatePipelineLayout)                   \
  X(vkDestroyPipelineLayout)                  \
  X(vkCreateComputePipelines)                 \
  X(vkDestroyPipeline)                        \
  X(vkCreateDescriptorPool)                   \
  X(vkDestroyDescriptorPool)                  \
  X(vkAllocateDescriptorSets)                 \
  X(vkUpdateDescriptorSets)                   \
  X(vkCreateCommandPool)                      \
  X(vkDestroyCommandPool)                     \
  X(vkAllocateCommandBuffers)                 \
  X(vkBeginCommandBuffer)                     \
  X(vkEndCommandBuffer)                       \
  X(vkCmdBindPipeline)                        \
  X(vkCmdBindDescriptorSets)                  \
  X(vkCmdPushConstants)                       \
  X(vkCmdDispatch)                            \
  X(vkCmdPipelineBarrier)                     \
  X(vkQueueSubmit)                            \
  X(vkCreateFence)                            \
  X(vkDestroyFence)                           \
  X(vkWaitForFences)                          \
  X(vkResetFences)                            \
  X(vkGetPhysicalDeviceFeatures2)             \
  X(vkGetPhysicalDeviceProperties2)           \
  X(vkCmdCopyBuffer)                          \
  X(vkCreatePipelineCache)                    \
  X(vkDestroyPipelineCache)                   \
  X(vkGetPipelineCacheData)                   \
  X(vkCreateQueryPool)                        \
  X(vkDestroyQueryPool)                       \
  X(vkCmdResetQueryPool)                      \
  X(vkCmdWriteTimestamp)                      \
  X(vkGetQueryPoolResults)

// The loaded library and its function table. Shared (read-only after loading) by every object
// made from it; the library is closed when the last owner goes.
struct VulkanApi {
  VulkanApi() = default;
  VulkanApi(const VulkanApi&) = delete;
  VulkanApi& operator=(const VulkanApi&) = delete;
  ~VulkanApi();

  // Resolves every EDGERUN_VK_INSTANCE_FNS entry; a missing one is an error naming it.
  Status load_instance(VkInstance instance);

  void* library = nullptr;
  PFN_vkGetInstanceProcAddr vkGetInstanceProcAddr = nullptr;
#define EDGERUN_VK_DECLARE_(name) PFN_##name name = nullptr;
  EDGERUN_VK_GLOBAL_FNS(EDGERUN_VK_DECLARE_)
  EDGERUN_VK_INSTANCE_FNS(EDGERUN_VK_DECLARE_)
#undef EDGERUN_VK_DECLARE_
};

// Opens libvulkan.so.1 (or `library_name`) and resolves the global functions.
// kUnavailable with the dlopen reason when there is no loader.
Result<std::shared_ptr<VulkanApi>> load_vulkan(const char* library_name = "libvulkan.so.1");

// "VK_ERROR_INCOMPATIBLE_DRIVER (-9)" etc.
std::string vk_result_name(VkResult r);
// A Status for a failed call: "<what>: VK_ERROR_... (-N)"; kUnavailable, or kResourceExhausted
// for out-of-memory results.
Status vk_error(const std::string& what, VkResult r);

}  // namespace edgerun::vk
