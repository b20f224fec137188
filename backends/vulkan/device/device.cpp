#include "vulkan/device/device.h"

#include <algorithm>
#include <atomic>
#include <cstring>
#include <mutex>

#include "base/strcat.h"

namespace edgerun::vk {

// ---- shared state (one owner each; children hold a shared_ptr to their parent's state) ----

struct InstanceState {
  std::shared_ptr<VulkanApi> api;
  VkInstance instance = VK_NULL_HANDLE;
  std::vector<VkPhysicalDevice> handles;
  std::vector<PhysicalDeviceInfo> infos;
  ~InstanceState() {
    if (instance && api->vkDestroyInstance) api->vkDestroyInstance(instance, nullptr);
  }
};

// Resources of a submission that timed out: the GPU may still use them, so they live until the
// device goes (and are leaked with it if the GPU never finishes).
// (Raw handles, not a CommandRecorder: that would hold the DeviceState and never let it go.)
// Known limit: buffers the timed-out work uses are owned by the caller and freed by it.
struct AbandonedWork {
  VkCommandPool cmd_pool = VK_NULL_HANDLE;
  VkDescriptorPool desc_pool = VK_NULL_HANDLE;
  VkFence fence = VK_NULL_HANDLE;
  VkQueryPool query_pool = VK_NULL_HANDLE;
};

struct DeviceState {
  std::shared_ptr<InstanceState> inst;
  const VulkanApi* api = nullptr;
  VkDevice device = VK_NULL_HANDLE;
  VkQueue queue = VK_NULL_HANDLE;
  PhysicalDeviceInfo info;
  VkPhysicalDeviceMemoryProperties memory{};
  std::mutex queue_mutex;  // vkQueueSubmit needs external synchronisation
  std::atomic<bool> lost{false};
  std::vector<AbandonedWork> abandoned;  // guarded by queue_mutex
  VkPipelineCache pipeline_cache = VK_NULL_HANDLE;

  ~DeviceState() {
    if (!device) return;
    bool idle = true;
    for (AbandonedWork& w : abandoned)
      if (api->vkWaitForFences(device, 1, &w.fence, VK_TRUE, 2'000'000'000ull) != VK_SUCCESS) idle = false;
    // The GPU never finished: destroying in-use objects is undefined and waiting may hang. Leak.
    if (!idle) return;
    if (pipeline_cache) api->vkDestroyPipelineCache(device, pipeline_cache, nullptr);
    for (AbandonedWork& w : abandoned) {
      api->vkDestroyDescriptorPool(device, w.desc_pool, nullptr);
      api->vkDestroyCommandPool(device, w.cmd_pool, nullptr);
      api->vkDestroyFence(device, w.fence, nullptr);
      if (w.query_pool) api->vkDestroyQueryPool(device, w.query_pool, nullptr);
    }
    api->vkDestroyDevice(device, nullptr);
  }
};

// ---- helpers ----

int device_type_score(VkPhysicalDeviceType type) {
  switch (type) {
    case VK_PHYSICAL_DEVICE_TYPE_DISCRETE_GPU: return 4;
    case VK_PHYSICAL_DEVICE_TYPE_INTEGRATED_GPU: return 3;
    case VK_PHYSICAL_DEVICE_TYPE_VIRTUAL_GPU: return 2;
    case VK_PHYSICAL_DEVICE_TYPE_CPU: return 1;
    default: return 0;
  }
}

const char* device_type_name(VkPhysicalDeviceType type) {
  switch (type) {
    case VK_PHYSICAL_DEVICE_TYPE_DISCRETE_GPU: return "discrete GPU";
    case VK_PHYSICAL_DEVICE_TYPE_INTEGRATED_GPU: return "integrated GPU";
    case VK_PHYSICAL_DEVICE_TYPE_VIRTUAL_GPU: return "virtual GPU";
    case VK_PHYSICAL_DEVICE_TYPE_CPU: return "CPU";
    default: return "other";
  }
}

// ---- Instance ----

Result<Instance> Instance::create(const InstanceOptions& options) {
  ER_ASSIGN_OR_RETURN(std::shared_ptr<VulkanApi> api, load_vulkan(options.library));
  uint32_t loader_version = VK_API_VERSION_1_0;
  if (api->vkEnumerateInstanceVersion) api->vkEnumerateInstanceVersion(&loader_version);
  if (loader_version < VK_API_VERSION_1_2)
    return Status(StatusCode::kUnavailable,
                  str_cat("Vulkan loader is version ", VK_API_VERSION_MAJOR(loader_version), ".",
                          VK_API_VERSION_MINOR(loader_version), "; edgerun needs 1.2"));
  VkApplicationInfo app{};
  app.sType = VK_STRUCTURE_TYPE_APPLICATION_INFO;
  app.pApplicationName = "edgerun";
  app.pEngineName = "edgerun";
  app.apiVersion = VK_API_VERSION_1_2;
  VkInstanceCreateInfo ci{};
  ci.sType = VK_STRUCTURE_TYPE_INSTANCE_CREATE_INFO;
  ci.pApplicationInfo = &app;
  auto state = std::make_shared<InstanceState>();
  state->api = api;
  VkResult r = api->vkCreateInstance(&ci, nullptr, &state->instance);
  if (r != VK_SUCCESS) {
    state->instance = VK_NULL_HANDLE;
    const char* hint = r == VK_ERROR_INCOMPATIBLE_DRIVER ? " (no Vulkan driver/ICD found)" : "";
    return Status(StatusCode::kUnavailable, str_cat("vkCreateInstance: ", vk_result_name(r), hint));
  }
  ER_RETURN_IF_ERROR(api->load_instance(state->instance));

  uint32_t count = 0;
  r = api->vkEnumeratePhysicalDevices(state->instance, &count, nullptr);
  if (r != VK_SUCCESS && r != VK_INCOMPLETE) return vk_error("vkEnumeratePhysicalDevices", r);
  state->handles.resize(count);
  r = api->vkEnumeratePhysicalDevices(state->instance, &count, state->handles.data());
  if (r != VK_SUCCESS && r != VK_INCOMPLETE) return vk_error("vkEnumeratePhysicalDevices", r);
  state->handles.resize(count);
  for (uint32_t i = 0; i < count; ++i) {
    VkPhysicalDeviceProperties p{};
    api->vkGetPhysicalDeviceProperties(state->handles[i], &p);
    PhysicalDeviceInfo info;
    info.index = i;
    info.name = p.deviceName;
    info.type = p.deviceType;
    info.api_version = p.apiVersion;
    info.driver_version = p.driverVersion;
    info.max_storage_buffer_range = p.limits.maxStorageBufferRange;
    info.max_workgroup_count_x = p.limits.maxComputeWorkGroupCount[0];
    info.max_workgroup_size_x = p.limits.maxComputeWorkGroupSize[0];
    info.max_workgroup_invocations = p.limits.maxComputeWorkGroupInvocations;
    for (int k = 0; k < 3; ++k) info.max_workgroup_count[k] = p.limits.maxComputeWorkGroupCount[k];
    info.max_shared_memory = p.limits.maxComputeSharedMemorySize;
    info.min_storage_offset_alignment = std::max<uint64_t>(4, p.limits.minStorageBufferOffsetAlignment);
    info.vendor_id = p.vendorID;
    info.device_id = p.deviceID;
    std::memcpy(info.pipeline_cache_uuid, p.pipelineCacheUUID, sizeof info.pipeline_cache_uuid);
    info.timestamp_period_ns = p.limits.timestampPeriod;
    if (api->vkGetPhysicalDeviceProperties2 && api->vkGetPhysicalDeviceFeatures2 && p.apiVersion >= VK_API_VERSION_1_2) {
      VkPhysicalDeviceMaintenance3Properties m3{};
      m3.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_MAINTENANCE_3_PROPERTIES;
      VkPhysicalDeviceVulkan11Properties p11{};
      p11.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_VULKAN_1_1_PROPERTIES;
      p11.pNext = &m3;
      VkPhysicalDeviceProperties2 p2{};
      p2.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_PROPERTIES_2;
      p2.pNext = &p11;
      api->vkGetPhysicalDeviceProperties2(state->handles[i], &p2);
      info.max_memory_allocation_size = m3.maxMemoryAllocationSize;
      info.subgroup_size = p11.subgroupSize;
      VkPhysicalDeviceVulkan12Features f12{};
      f12.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_VULKAN_1_2_FEATURES;
      VkPhysicalDeviceVulkan11Features f11{};
      f11.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_VULKAN_1_1_FEATURES;
      f11.pNext = &f12;
      VkPhysicalDeviceFeatures2 f2{};
      f2.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_FEATURES_2;
      f2.pNext = &f11;
      api->vkGetPhysicalDeviceFeatures2(state->handles[i], &f2);
      info.storage_16bit = f11.storageBuffer16BitAccess == VK_TRUE;
      info.float16_arithmetic = f12.shaderFloat16 == VK_TRUE;
    }
    info.score = device_type_score(p.deviceType);
    uint32_t nq = 0;
    api->vkGetPhysicalDeviceQueueFamilyProperties(state->handles[i], &nq, nullptr);
    std::vector<VkQueueFamilyProperties> families(nq);
    api->vkGetPhysicalDeviceQueueFamilyProperties(state->handles[i], &nq, families.data());
    bool found = false;
    // Prefer a compute-only family (async compute on GPUs), else any family with compute.
    for (int pass = 0; pass < 2 && !found; ++pass)
      for (uint32_t q = 0; q < nq && !found; ++q) {
        const VkQueueFlags f = families[q].queueFlags;
        if (!(f & VK_QUEUE_COMPUTE_BIT) || families[q].queueCount == 0) continue;
        if (pass == 0 && (f & VK_QUEUE_GRAPHICS_BIT)) continue;
        info.compute_queue_family = q;
        info.timestamps = families[q].timestampValidBits > 0 && p.limits.timestampPeriod > 0;
        found = true;
      }
    if (!found) {
      info.score = -1;
      info.unusable_reason = "no compute queue";
    } else if (p.apiVersion < VK_API_VERSION_1_2) {
      info.score = -1;
      info.unusable_reason = str_cat("Vulkan ", VK_API_VERSION_MAJOR(p.apiVersion), ".",
                                     VK_API_VERSION_MINOR(p.apiVersion), " < 1.2");
    }
    state->infos.push_back(std::move(info));
  }
  return Instance(std::move(state));
}

Instance::~Instance() = default;

const std::vector<PhysicalDeviceInfo>& Instance::devices() const { return state_->infos; }

int Instance::best_device() const {
  int best = -1;
  for (const PhysicalDeviceInfo& d : state_->infos)
    if (d.score >= 0 && (best < 0 || d.score > state_->infos[static_cast<size_t>(best)].score))
      best = static_cast<int>(d.index);
  return best;
}

Result<Device> Instance::create_device(int index, std::span<const uint8_t> pipeline_cache) const {
  if (state_->infos.empty()) return Status(StatusCode::kUnavailable, "no Vulkan physical device");
  if (index < 0) {
    index = best_device();
    if (index < 0) {
      std::string why;
      for (const PhysicalDeviceInfo& d : state_->infos) why += str_cat("; ", d.name, ": ", d.unusable_reason);
      return Status(StatusCode::kUnavailable, str_cat("no usable Vulkan device", why));
    }
  }
  if (static_cast<size_t>(index) >= state_->infos.size())
    return Status(StatusCode::kInvalidArgument,
                  str_cat("Vulkan device ", index, " does not exist (", state_->infos.size(), " found)"));
  const PhysicalDeviceInfo& info = state_->infos[static_cast<size_t>(index)];
  if (info.score < 0)
    return Status(StatusCode::kUnavailable, str_cat("Vulkan device ", info.name, " unusable: ", info.unusable_reason));
  const VulkanApi& api = *state_->api;
  const float priority = 1.0f;
  VkDeviceQueueCreateInfo qci{};
  qci.sType = VK_STRUCTURE_TYPE_DEVICE_QUEUE_CREATE_INFO;
  qci.queueFamilyIndex = info.compute_queue_family;
  qci.queueCount = 1;
  qci.pQueuePriorities = &priority;
  VkDeviceCreateInfo dci{};
  dci.sType = VK_STRUCTURE_TYPE_DEVICE_CREATE_INFO;
  dci.queueCreateInfoCount = 1;
  dci.pQueueCreateInfos = &qci;
  VkPhysicalDeviceVulkan12Features f12{};
  f12.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_VULKAN_1_2_FEATURES;
  f12.shaderFloat16 = info.float16_arithmetic ? VK_TRUE : VK_FALSE;
  VkPhysicalDeviceVulkan11Features f11{};
  f11.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_VULKAN_1_1_FEATURES;
  f11.storageBuffer16BitAccess = info.storage_16bit ? VK_TRUE : VK_FALSE;
  f11.pNext = &f12;
  VkPhysicalDeviceFeatures2 f2{};
  f2.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_FEATURES_2;
  f2.pNext = &f11;
  if (info.storage_16bit || info.float16_arithmetic) dci.pNext = &f2;
  auto state = std::make_shared<DeviceState>();
  state->inst = state_;
  state->api = &api;
  state->info = info;
  VkPhysicalDevice phys = state_->handles[static_cast<size_t>(index)];
  VkResult r = api.vkCreateDevice(phys, &dci, nullptr, &state->device);
  if (r != VK_SUCCESS) {
    state->device = VK_NULL_HANDLE;
    return vk_error(str_cat("vkCreateDevice(", info.name, ")"), r);
  }
  api.vkGetDeviceQueue(state->device, info.compute_queue_family, 0, &state->queue);
  api.vkGetPhysicalDeviceMemoryProperties(phys, &state->memory);
  VkPipelineCacheCreateInfo pcci{};
  pcci.sType = VK_STRUCTURE_TYPE_PIPELINE_CACHE_CREATE_INFO;
  pcci.initialDataSize = pipeline_cache.size();
  pcci.pInitialData = pipeline_cache.empty() ? nullptr : pipeline_cache.data();
  r = api.vkCreatePipelineCache(state->device, &pcci, nullptr, &state->pipeline_cache);
  if (r != VK_SUCCESS && !pipeline_cache.empty()) {  // data refused: start empty
    pcci.initialDataSize = 0;
    pcci.pInitialData = nullptr;
    r = api.vkCreatePipelineCache(state->device, &pcci, nullptr, &state->pipeline_cache);
  }
  if (r != VK_SUCCESS) state->pipeline_cache = VK_NULL_HANDLE;  // pipelines are created without one
  return Device(std::move(state));
}

// ---- Buffer ----

Buffer::Buffer(Buffer&& o) noexcept
    : dev_(std::move(o.dev_)), buffer_(o.buffer_), memory_(o.memory_), size_(o.size_), mapped_(o.mapped_) {
  o.buffer_ = VK_NULL_HANDLE;
  o.memory_ = VK_NULL_HANDLE;
  o.size_ = 0;
  o.mapped_ = nullptr;
}

Buffer& Buffer::operator=(Buffer&& o) noexcept {
  if (this != &o) {
    reset();
    dev_ = std::move(o.dev_);
    buffer_ = std::exchange(o.buffer_, VK_NULL_HANDLE);
    memory_ = std::exchange(o.memory_, VK_NULL_HANDLE);
    size_ = std::exchange(o.size_, 0);
    mapped_ = std::exchange(o.mapped_, nullptr);
  }
  return *this;
}

Buffer::~Buffer() { reset(); }

void Buffer::reset() {
  if (dev_) {
    const VulkanApi& api = *dev_->api;
    if (mapped_) api.vkUnmapMemory(dev_->device, memory_);
    if (buffer_) api.vkDestroyBuffer(dev_->device, buffer_, nullptr);
    if (memory_) api.vkFreeMemory(dev_->device, memory_, nullptr);
  }
  dev_.reset();
  buffer_ = VK_NULL_HANDLE;
  memory_ = VK_NULL_HANDLE;
  size_ = 0;
  mapped_ = nullptr;
}

Status Buffer::write(const void* src, size_t bytes, size_t offset) {
  if (!mapped_ || offset > size_ || bytes > size_ - offset)
    return Status(StatusCode::kOutOfRange, str_cat("Vulkan buffer write of ", bytes, " bytes at ", offset,
                                                   " exceeds its ", size_, " bytes"));
  if (bytes) std::memcpy(static_cast<char*>(mapped_) + offset, src, bytes);
  return Status::Ok();
}

Status Buffer::read(void* dst, size_t bytes, size_t offset) const {
  if (!mapped_ || offset > size_ || bytes > size_ - offset)
    return Status(StatusCode::kOutOfRange, str_cat("Vulkan buffer read of ", bytes, " bytes at ", offset,
                                                   " exceeds its ", size_, " bytes"));
  if (bytes) std::memcpy(dst, static_cast<const char*>(mapped_) + offset, bytes);
  return Status::Ok();
}

Result<Buffer> Device::create_buffer(size_t bytes, MemoryKind kind) const {
  if (state_->lost) return Status(StatusCode::kUnavailable, "Vulkan device lost");
  const size_t alloc = std::max<size_t>(bytes, 4);
  const uint64_t max_alloc = state_->info.max_memory_allocation_size;
  if (kind == MemoryKind::kHost && alloc > state_->info.max_storage_buffer_range)
    return Status(StatusCode::kResourceExhausted,
                  str_cat("Vulkan buffer of ", bytes, " bytes exceeds maxStorageBufferRange ",
                          state_->info.max_storage_buffer_range, " of ", state_->info.name));
  if (max_alloc && alloc > max_alloc)
    return Status(StatusCode::kResourceExhausted,
                  str_cat("Vulkan buffer of ", bytes, " bytes exceeds maxMemoryAllocationSize ", max_alloc, " of ",
                          state_->info.name));
  const VulkanApi& api = *state_->api;
  Buffer b;
  b.dev_ = state_;
  VkBufferCreateInfo bci{};
  bci.sType = VK_STRUCTURE_TYPE_BUFFER_CREATE_INFO;
  bci.size = alloc;
  bci.usage = VK_BUFFER_USAGE_STORAGE_BUFFER_BIT | VK_BUFFER_USAGE_TRANSFER_SRC_BIT | VK_BUFFER_USAGE_TRANSFER_DST_BIT;
  bci.sharingMode = VK_SHARING_MODE_EXCLUSIVE;
  VkResult r = api.vkCreateBuffer(state_->device, &bci, nullptr, &b.buffer_);
  if (r != VK_SUCCESS) {
    b.buffer_ = VK_NULL_HANDLE;
    return vk_error(str_cat("vkCreateBuffer(", bytes, " bytes)"), r);
  }
  VkMemoryRequirements req{};
  api.vkGetBufferMemoryRequirements(state_->device, b.buffer_, &req);
  const VkMemoryPropertyFlags host = VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT | VK_MEMORY_PROPERTY_HOST_COHERENT_BIT;
  // Preference lists per kind: the first memory type that has all the flags of an entry wins.
  std::vector<VkMemoryPropertyFlags> prefs;
  switch (kind) {
    case MemoryKind::kHost: prefs = {host}; break;
    case MemoryKind::kDevice: prefs = {VK_MEMORY_PROPERTY_DEVICE_LOCAL_BIT, 0}; break;
    case MemoryKind::kStaging: prefs = {host | VK_MEMORY_PROPERTY_HOST_CACHED_BIT, host}; break;
  }
  uint32_t type = UINT32_MAX;
  for (VkMemoryPropertyFlags want : prefs)
    for (uint32_t i = 0; i < state_->memory.memoryTypeCount && type == UINT32_MAX; ++i)
      if ((req.memoryTypeBits & (1u << i)) && (state_->memory.memoryTypes[i].propertyFlags & want) == want) type = i;
  if (type == UINT32_MAX)
    return Status(StatusCode::kUnavailable, "Vulkan device has no suitable memory type for buffers");
  VkMemoryAllocateInfo mai{};
  mai.sType = VK_STRUCTURE_TYPE_MEMORY_ALLOCATE_INFO;
  mai.allocationSize = req.size;
  mai.memoryTypeIndex = type;
  r = api.vkAllocateMemory(state_->device, &mai, nullptr, &b.memory_);
  if (r != VK_SUCCESS) {
    b.memory_ = VK_NULL_HANDLE;
    return Status(r == VK_ERROR_OUT_OF_DEVICE_MEMORY || r == VK_ERROR_OUT_OF_HOST_MEMORY ? StatusCode::kResourceExhausted
                                                                                           : StatusCode::kUnavailable,
                  str_cat("vkAllocateMemory(", req.size, " bytes): ", vk_result_name(r)));
  }
  r = api.vkBindBufferMemory(state_->device, b.buffer_, b.memory_, 0);
  if (r != VK_SUCCESS) return vk_error("vkBindBufferMemory", r);
  if ((state_->memory.memoryTypes[type].propertyFlags & host) == host) {
    r = api.vkMapMemory(state_->device, b.memory_, 0, VK_WHOLE_SIZE, 0, &b.mapped_);
    if (r != VK_SUCCESS) {
      b.mapped_ = nullptr;
      return vk_error("vkMapMemory", r);
    }
  }
  b.size_ = bytes;
  return b;
}

Result<std::vector<uint8_t>> Device::pipeline_cache_data() const {
  if (!state_->pipeline_cache) return std::vector<uint8_t>{};
  size_t n = 0;
  VkResult r = state_->api->vkGetPipelineCacheData(state_->device, state_->pipeline_cache, &n, nullptr);
  if (r != VK_SUCCESS) return vk_error("vkGetPipelineCacheData", r);
  std::vector<uint8_t> data(n);
  r = state_->api->vkGetPipelineCacheData(state_->device, state_->pipeline_cache, &n, data.data());
  if (r != VK_SUCCESS && r != VK_INCOMPLETE) return vk_error("vkGetPipelineCacheData", r);
  data.resize(n);
  return data;
}

// ---- ComputePipeline ----

ComputePipeline::ComputePipeline(ComputePipeline&& o) noexcept { *this = std::move(o); }

ComputePipeline& ComputePipeline::operator=(ComputePipeline&& o) noexcept {
  if (this != &o) {
    reset();
    dev_ = std::move(o.dev_);
    set_layout_ = std::exchange(o.set_layout_, VK_NULL_HANDLE);
    layout_ = std::exchange(o.layout_, VK_NULL_HANDLE);
    pipeline_ = std::exchange(o.pipeline_, VK_NULL_HANDLE);
    num_buffers_ = std::exchange(o.num_buffers_, 0);
    push_bytes_ = std::exchange(o.push_bytes_, 0);
  }
  return *this;
}

ComputePipeline::~ComputePipeline() { reset(); }

void ComputePipeline::reset() {
  if (dev_) {
    const VulkanApi& api = *dev_->api;
    if (pipeline_) api.vkDestroyPipeline(dev_->device, pipeline_, nullptr);
    if (layout_) api.vkDestroyPipelineLayout(dev_->device, layout_, nullptr);
    if (set_layout_) api.vkDestroyDescriptorSetLayout(dev_->device, set_layout_, nullptr);
  }
  dev_.reset();
  pipeline_ = VK_NULL_HANDLE;
  layout_ = VK_NULL_HANDLE;
  set_layout_ = VK_NULL_HANDLE;
}

namespace {
struct ShaderModule {  // scoped: only needed while the pipeline is created
  const VulkanApi* api;
  VkDevice device;
  VkShaderModule module = VK_NULL_HANDLE;
  ~ShaderModule() {
    if (module) api->vkDestroyShaderModule(device, module, nullptr);
  }
};
constexpr uint32_t kMaxBindings = 8;
}  // namespace

Result<ComputePipeline> Device::create_pipeline(const PipelineDesc& desc) const {
  if (state_->lost) return Status(StatusCode::kUnavailable, "Vulkan device lost");
  if (desc.spirv.size() < 5 || desc.spirv[0] != 0x07230203u)
    return Status(StatusCode::kInvalidArgument, "not a SPIR-V module (bad magic or too short)");
  if (desc.num_buffers > kMaxBindings)
    return Status(StatusCode::kInvalidArgument, str_cat("pipeline with ", desc.num_buffers, " buffers; max ", kMaxBindings));
  if (desc.push_constant_bytes % 4 != 0 || desc.push_constant_bytes > 128)
    return Status(StatusCode::kInvalidArgument, str_cat("push constants of ", desc.push_constant_bytes, " bytes"));
  const VulkanApi& api = *state_->api;
  ComputePipeline p;
  p.dev_ = state_;
  p.num_buffers_ = desc.num_buffers;
  p.push_bytes_ = desc.push_constant_bytes;

  ShaderModule sm{&api, state_->device};
  VkShaderModuleCreateInfo smci{};
  smci.sType = VK_STRUCTURE_TYPE_SHADER_MODULE_CREATE_INFO;
  smci.codeSize = desc.spirv.size() * sizeof(uint32_t);
  smci.pCode = desc.spirv.data();
  VkResult r = api.vkCreateShaderModule(state_->device, &smci, nullptr, &sm.module);
  if (r != VK_SUCCESS) {
    sm.module = VK_NULL_HANDLE;
    return vk_error("vkCreateShaderModule", r);
  }

  VkDescriptorSetLayoutBinding bindings[kMaxBindings]{};
  for (uint32_t i = 0; i < desc.num_buffers; ++i) {
    bindings[i].binding = i;
    bindings[i].descriptorType = VK_DESCRIPTOR_TYPE_STORAGE_BUFFER;
    bindings[i].descriptorCount = 1;
    bindings[i].stageFlags = VK_SHADER_STAGE_COMPUTE_BIT;
  }
  VkDescriptorSetLayoutCreateInfo dslci{};
  dslci.sType = VK_STRUCTURE_TYPE_DESCRIPTOR_SET_LAYOUT_CREATE_INFO;
  dslci.bindingCount = desc.num_buffers;
  dslci.pBindings = bindings;
  r = api.vkCreateDescriptorSetLayout(state_->device, &dslci, nullptr, &p.set_layout_);
  if (r != VK_SUCCESS) {
    p.set_layout_ = VK_NULL_HANDLE;
    return vk_error("vkCreateDescriptorSetLayout", r);
  }
  VkPushConstantRange range{VK_SHADER_STAGE_COMPUTE_BIT, 0, desc.push_constant_bytes};
  VkPipelineLayoutCreateInfo plci{};
  plci.sType = VK_STRUCTURE_TYPE_PIPELINE_LAYOUT_CREATE_INFO;
  plci.setLayoutCount = 1;
  plci.pSetLayouts = &p.set_layout_;
  plci.pushConstantRangeCount = desc.push_constant_bytes ? 1 : 0;
  plci.pPushConstantRanges = &range;
  r = api.vkCreatePipelineLayout(state_->device, &plci, nullptr, &p.layout_);
  if (r != VK_SUCCESS) {
    p.layout_ = VK_NULL_HANDLE;
    return vk_error("vkCreatePipelineLayout", r);
  }

  std::vector<VkSpecializationMapEntry> entries;
  for (uint32_t i = 0; i < desc.specialization.size(); ++i)
    entries.push_back({i, i * 4u, sizeof(uint32_t)});
  VkSpecializationInfo spec{};
  spec.mapEntryCount = static_cast<uint32_t>(entries.size());
  spec.pMapEntries = entries.data();
  spec.dataSize = desc.specialization.size() * sizeof(uint32_t);
  spec.pData = desc.specialization.data();
  VkComputePipelineCreateInfo cpci{};
  cpci.sType = VK_STRUCTURE_TYPE_COMPUTE_PIPELINE_CREATE_INFO;
  cpci.stage.sType = VK_STRUCTURE_TYPE_PIPELINE_SHADER_STAGE_CREATE_INFO;
  cpci.stage.stage = VK_SHADER_STAGE_COMPUTE_BIT;
  cpci.stage.module = sm.module;
  cpci.stage.pName = "main";
  cpci.stage.pSpecializationInfo = entries.empty() ? nullptr : &spec;
  cpci.layout = p.layout_;
  r = api.vkCreateComputePipelines(state_->device, state_->pipeline_cache, 1, &cpci, nullptr, &p.pipeline_);
  if (r != VK_SUCCESS) {
    p.pipeline_ = VK_NULL_HANDLE;
    return vk_error("vkCreateComputePipelines", r);
  }
  return p;
}

// ---- CommandRecorder ----

CommandRecorder::CommandRecorder(CommandRecorder&& o) noexcept { *this = std::move(o); }

CommandRecorder& CommandRecorder::operator=(CommandRecorder&& o) noexcept {
  if (this != &o) {
    reset();
    dev_ = std::move(o.dev_);
    cmd_pool_ = std::exchange(o.cmd_pool_, VK_NULL_HANDLE);
    desc_pool_ = std::exchange(o.desc_pool_, VK_NULL_HANDLE);
    cmd_ = std::exchange(o.cmd_, VK_NULL_HANDLE);
    query_pool_ = std::exchange(o.query_pool_, VK_NULL_HANDLE);
    queries_ = std::exchange(o.queries_, 0);
    max_dispatches_ = std::exchange(o.max_dispatches_, 0);
    recorded_ = std::exchange(o.recorded_, 0);
    ended_ = std::exchange(o.ended_, false);
  }
  return *this;
}

CommandRecorder::~CommandRecorder() { reset(); }

void CommandRecorder::reset() {
  if (dev_) {
    const VulkanApi& api = *dev_->api;
    if (desc_pool_) api.vkDestroyDescriptorPool(dev_->device, desc_pool_, nullptr);
    if (query_pool_) api.vkDestroyQueryPool(dev_->device, query_pool_, nullptr);
    if (cmd_pool_) api.vkDestroyCommandPool(dev_->device, cmd_pool_, nullptr);  // frees cmd_
  }
  dev_.reset();
  desc_pool_ = VK_NULL_HANDLE;
  cmd_pool_ = VK_NULL_HANDLE;
  cmd_ = VK_NULL_HANDLE;
  query_pool_ = VK_NULL_HANDLE;
}

void CommandRecorder::reset_leaked() {
  query_pool_ = VK_NULL_HANDLE;
  desc_pool_ = VK_NULL_HANDLE;
  cmd_pool_ = VK_NULL_HANDLE;
  cmd_ = VK_NULL_HANDLE;
  dev_.reset();
}

Result<CommandRecorder> Device::begin_commands(uint32_t max_dispatches, uint32_t timestamps) const {
  if (state_->lost) return Status(StatusCode::kUnavailable, "Vulkan device lost");
  if (max_dispatches == 0) return Status(StatusCode::kInvalidArgument, "begin_commands(0)");
  const VulkanApi& api = *state_->api;
  CommandRecorder rec;
  rec.dev_ = state_;
  rec.max_dispatches_ = max_dispatches;
  VkCommandPoolCreateInfo cpci{};
  cpci.sType = VK_STRUCTURE_TYPE_COMMAND_POOL_CREATE_INFO;
  cpci.flags = 0;
  cpci.queueFamilyIndex = state_->info.compute_queue_family;
  VkResult r = api.vkCreateCommandPool(state_->device, &cpci, nullptr, &rec.cmd_pool_);
  if (r != VK_SUCCESS) {
    rec.cmd_pool_ = VK_NULL_HANDLE;
    return vk_error("vkCreateCommandPool", r);
  }
  VkDescriptorPoolSize size{VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, max_dispatches * kMaxBindings};
  VkDescriptorPoolCreateInfo dpci{};
  dpci.sType = VK_STRUCTURE_TYPE_DESCRIPTOR_POOL_CREATE_INFO;
  dpci.maxSets = max_dispatches;
  dpci.poolSizeCount = 1;
  dpci.pPoolSizes = &size;
  r = api.vkCreateDescriptorPool(state_->device, &dpci, nullptr, &rec.desc_pool_);
  if (r != VK_SUCCESS) {
    rec.desc_pool_ = VK_NULL_HANDLE;
    return vk_error("vkCreateDescriptorPool", r);
  }
  VkCommandBufferAllocateInfo cbai{};
  cbai.sType = VK_STRUCTURE_TYPE_COMMAND_BUFFER_ALLOCATE_INFO;
  cbai.commandPool = rec.cmd_pool_;
  cbai.level = VK_COMMAND_BUFFER_LEVEL_PRIMARY;
  cbai.commandBufferCount = 1;
  r = api.vkAllocateCommandBuffers(state_->device, &cbai, &rec.cmd_);
  if (r != VK_SUCCESS) return vk_error("vkAllocateCommandBuffers", r);
  VkCommandBufferBeginInfo bi{};
  bi.sType = VK_STRUCTURE_TYPE_COMMAND_BUFFER_BEGIN_INFO;
  bi.flags = 0;  // may be submitted again (replayed) after it finished
  r = api.vkBeginCommandBuffer(rec.cmd_, &bi);
  if (r != VK_SUCCESS) return vk_error("vkBeginCommandBuffer", r);
  if (timestamps > 0 && state_->info.timestamps) {
    VkQueryPoolCreateInfo qpci{};
    qpci.sType = VK_STRUCTURE_TYPE_QUERY_POOL_CREATE_INFO;
    qpci.queryType = VK_QUERY_TYPE_TIMESTAMP;
    qpci.queryCount = timestamps;
    r = api.vkCreateQueryPool(state_->device, &qpci, nullptr, &rec.query_pool_);
    if (r != VK_SUCCESS) {
      rec.query_pool_ = VK_NULL_HANDLE;
      return vk_error("vkCreateQueryPool", r);
    }
    rec.queries_ = timestamps;
    api.vkCmdResetQueryPool(rec.cmd_, rec.query_pool_, 0, timestamps);
  }
  return rec;
}

Status CommandRecorder::dispatch(const ComputePipeline& pipeline, std::span<Buffer* const> buffers,
                                 const void* push, uint32_t push_bytes, uint32_t groups_x) {
  // Whole buffers, then a global barrier: the range-based dispatch does the work.
  std::vector<BufferRange> ranges;
  for (Buffer* b : buffers) ranges.push_back({b, 0, 0});
  ER_RETURN_IF_ERROR(dispatch(pipeline, ranges, push, push_bytes, groups_x, 1, 1));
  barrier();
  return Status::Ok();
}

Status CommandRecorder::dispatch(const ComputePipeline& pipeline, std::span<const BufferRange> ranges,
                                 const void* push, uint32_t push_bytes, uint32_t gx, uint32_t gy, uint32_t gz) {
  if (!dev_ || ended_) return Status(StatusCode::kInternal, "dispatch on a recorder that is not recording");
  if (pipeline.dev_ != dev_) return Status(StatusCode::kInvalidArgument, "pipeline belongs to another device");
  if (recorded_ >= max_dispatches_)
    return Status(StatusCode::kInternal, str_cat("recorder sized for ", max_dispatches_, " dispatches"));
  if (ranges.size() != pipeline.num_buffers_)
    return Status(StatusCode::kInvalidArgument,
                  str_cat("pipeline binds ", pipeline.num_buffers_, " buffers, got ", ranges.size()));
  if (push_bytes != pipeline.push_bytes_)
    return Status(StatusCode::kInvalidArgument,
                  str_cat("pipeline takes ", pipeline.push_bytes_, " push-constant bytes, got ", push_bytes));
  const PhysicalDeviceInfo& info = dev_->info;
  if (gx == 0 || gy == 0 || gz == 0 || gx > info.max_workgroup_count[0] || gy > info.max_workgroup_count[1] ||
      gz > info.max_workgroup_count[2])
    return Status(StatusCode::kInvalidArgument, str_cat("dispatch of ", gx, "x", gy, "x", gz, " workgroups (device max ",
                                                        info.max_workgroup_count[0], "x", info.max_workgroup_count[1],
                                                        "x", info.max_workgroup_count[2], ")"));
  const VulkanApi& api = *dev_->api;
  VkDescriptorSetAllocateInfo dsai{};
  dsai.sType = VK_STRUCTURE_TYPE_DESCRIPTOR_SET_ALLOCATE_INFO;
  dsai.descriptorPool = desc_pool_;
  dsai.descriptorSetCount = 1;
  dsai.pSetLayouts = &pipeline.set_layout_;
  VkDescriptorSet set = VK_NULL_HANDLE;
  VkResult r = api.vkAllocateDescriptorSets(dev_->device, &dsai, &set);
  if (r != VK_SUCCESS) return vk_error("vkAllocateDescriptorSets", r);
  VkDescriptorBufferInfo infos[kMaxBindings]{};
  VkWriteDescriptorSet writes[kMaxBindings]{};
  for (size_t i = 0; i < ranges.size(); ++i) {
    const Buffer* b = ranges[i].buffer;
    if (!b || !b->handle() || b->dev_ != dev_)
      return Status(StatusCode::kInvalidArgument, str_cat("binding ", i, ": buffer is empty or from another device"));
    const uint64_t cap = std::max<uint64_t>(b->size(), 4);
    uint64_t size = ranges[i].size ? ranges[i].size : cap - std::min(cap, ranges[i].offset);
    size = std::max<uint64_t>(size, 4);
    if (ranges[i].offset > cap || size > cap - ranges[i].offset || ranges[i].offset % info.min_storage_offset_alignment)
      return Status(StatusCode::kInvalidArgument, str_cat("binding ", i, ": range ", ranges[i].offset, "+", size,
                                                          " outside a ", cap, "-byte buffer or misaligned"));
    if (size > info.max_storage_buffer_range)
      return Status(StatusCode::kResourceExhausted,
                    str_cat("binding ", i, ": ", size, " bytes exceed maxStorageBufferRange ", info.max_storage_buffer_range));
    infos[i] = {b->handle(), ranges[i].offset, size};
    writes[i].sType = VK_STRUCTURE_TYPE_WRITE_DESCRIPTOR_SET;
    writes[i].dstSet = set;
    writes[i].dstBinding = static_cast<uint32_t>(i);
    writes[i].descriptorCount = 1;
    writes[i].descriptorType = VK_DESCRIPTOR_TYPE_STORAGE_BUFFER;
    writes[i].pBufferInfo = &infos[i];
  }
  api.vkUpdateDescriptorSets(dev_->device, static_cast<uint32_t>(ranges.size()), writes, 0, nullptr);
  api.vkCmdBindPipeline(cmd_, VK_PIPELINE_BIND_POINT_COMPUTE, pipeline.pipeline_);
  api.vkCmdBindDescriptorSets(cmd_, VK_PIPELINE_BIND_POINT_COMPUTE, pipeline.layout_, 0, 1, &set, 0, nullptr);
  if (push_bytes) api.vkCmdPushConstants(cmd_, pipeline.layout_, VK_SHADER_STAGE_COMPUTE_BIT, 0, push_bytes, push);
  api.vkCmdDispatch(cmd_, gx, gy, gz);
  ++recorded_;
  return Status::Ok();
}

Status CommandRecorder::copy(const Buffer& src, uint64_t src_offset, const Buffer& dst, uint64_t dst_offset,
                             uint64_t bytes) {
  if (!dev_ || ended_) return Status(StatusCode::kInternal, "copy on a recorder that is not recording");
  if (src.dev_ != dev_ || dst.dev_ != dev_) return Status(StatusCode::kInvalidArgument, "copy between devices");
  if (src_offset > src.size() || bytes > src.size() - src_offset || dst_offset > dst.size() ||
      bytes > dst.size() - dst_offset)
    return Status(StatusCode::kOutOfRange, str_cat("copy of ", bytes, " bytes outside its buffers"));
  if (bytes == 0) return Status::Ok();
  VkBufferCopy region{src_offset, dst_offset, bytes};
  dev_->api->vkCmdCopyBuffer(cmd_, src.handle(), dst.handle(), 1, &region);
  return Status::Ok();
}

void CommandRecorder::barrier() {
  if (!dev_ || ended_) return;
  VkMemoryBarrier b{};
  b.sType = VK_STRUCTURE_TYPE_MEMORY_BARRIER;
  b.srcAccessMask = VK_ACCESS_SHADER_WRITE_BIT | VK_ACCESS_TRANSFER_WRITE_BIT;
  b.dstAccessMask = VK_ACCESS_SHADER_READ_BIT | VK_ACCESS_SHADER_WRITE_BIT | VK_ACCESS_TRANSFER_READ_BIT |
                    VK_ACCESS_TRANSFER_WRITE_BIT | VK_ACCESS_HOST_READ_BIT;
  dev_->api->vkCmdPipelineBarrier(
      cmd_, VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT | VK_PIPELINE_STAGE_TRANSFER_BIT,
      VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT | VK_PIPELINE_STAGE_TRANSFER_BIT | VK_PIPELINE_STAGE_HOST_BIT, 0, 1, &b, 0,
      nullptr, 0, nullptr);
}

Status CommandRecorder::timestamp(uint32_t index) {
  if (!dev_ || ended_) return Status(StatusCode::kInternal, "timestamp on a recorder that is not recording");
  if (!query_pool_) return Status::Ok();  // device without timestamps: nothing recorded
  if (index >= queries_) return Status(StatusCode::kInternal, str_cat("timestamp ", index, " of ", queries_));
  dev_->api->vkCmdWriteTimestamp(cmd_, VK_PIPELINE_STAGE_BOTTOM_OF_PIPE_BIT, query_pool_, index);
  return Status::Ok();
}

Result<std::vector<double>> CommandRecorder::read_timestamps_ns() const {
  std::vector<double> out;
  if (!dev_ || !query_pool_) return out;
  std::vector<uint64_t> raw(queries_);
  VkResult r = dev_->api->vkGetQueryPoolResults(dev_->device, query_pool_, 0, queries_, raw.size() * sizeof(uint64_t),
                                                raw.data(), sizeof(uint64_t), VK_QUERY_RESULT_64_BIT);
  if (r != VK_SUCCESS) return vk_error("vkGetQueryPoolResults", r);
  out.reserve(raw.size());
  for (uint64_t t : raw) out.push_back(static_cast<double>(t) * dev_->info.timestamp_period_ns);
  return out;
}

// ---- submission ----

Status Device::submit_and_wait(CommandRecorder& rec, std::chrono::nanoseconds timeout) const {
  if (state_->lost) return Status(StatusCode::kUnavailable, "Vulkan device lost");
  if (rec.dev_ != state_ || !rec.cmd_) return Status(StatusCode::kInvalidArgument, "recorder does not belong to this device");
  const VulkanApi& api = *state_->api;
  VkResult r = VK_SUCCESS;
  if (!rec.ended_) {
    rec.ended_ = true;
    r = api.vkEndCommandBuffer(rec.cmd_);
    if (r != VK_SUCCESS) return vk_error("vkEndCommandBuffer", r);
  }
  VkFenceCreateInfo fci{};
  fci.sType = VK_STRUCTURE_TYPE_FENCE_CREATE_INFO;
  VkFence fence = VK_NULL_HANDLE;
  r = api.vkCreateFence(state_->device, &fci, nullptr, &fence);
  if (r != VK_SUCCESS) return vk_error("vkCreateFence", r);
  VkSubmitInfo si{};
  si.sType = VK_STRUCTURE_TYPE_SUBMIT_INFO;
  si.commandBufferCount = 1;
  si.pCommandBuffers = &rec.cmd_;
  {
    std::lock_guard<std::mutex> lock(state_->queue_mutex);
    r = api.vkQueueSubmit(state_->queue, 1, &si, fence);
  }
  if (r != VK_SUCCESS) {
    api.vkDestroyFence(state_->device, fence, nullptr);
    if (r == VK_ERROR_DEVICE_LOST) state_->lost = true;
    return vk_error("vkQueueSubmit", r);
  }
  const uint64_t ns = timeout.count() <= 0 ? 0 : static_cast<uint64_t>(timeout.count());
  r = api.vkWaitForFences(state_->device, 1, &fence, VK_TRUE, ns);
  if (r == VK_SUCCESS) {
    api.vkDestroyFence(state_->device, fence, nullptr);
    return Status::Ok();
  }
  // Timed out or lost: the GPU may still be using the recorder's objects. Keep them until the
  // device goes, and refuse further work on this device.
  state_->lost = true;
  {
    std::lock_guard<std::mutex> lock(state_->queue_mutex);
    state_->abandoned.push_back(AbandonedWork{rec.cmd_pool_, rec.desc_pool_, fence, rec.query_pool_});
  }
  rec.reset_leaked();
  if (r == VK_TIMEOUT)
    return Status(StatusCode::kUnavailable,
                  str_cat("Vulkan work did not finish within ", ns / 1000000, " ms (fence timeout); device ",
                          state_->info.name, " marked lost"));
  return vk_error("vkWaitForFences", r);
}

bool Device::lost() const { return state_->lost; }

const PhysicalDeviceInfo& Device::info() const { return state_->info; }

Device::~Device() = default;

}  // namespace edgerun::vk
