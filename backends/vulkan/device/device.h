// Vulkan device layer: RAII, move-only wrappers with no op knowledge. Every object has exactly one
// owner; child objects keep their parent's state alive (a Buffer keeps its device, a device its
// instance), so destruction order is always safe. Nothing throws or aborts: every failure is a
// Status that says why (no loader, VK_ERROR_INCOMPATIBLE_DRIVER, no device, out of memory, ...).
//
//   ER_ASSIGN_OR_RETURN(vk::Instance inst, vk::Instance::create());
//   ER_ASSIGN_OR_RETURN(vk::Device dev, inst.create_device());         // best-scored device
//   ER_ASSIGN_OR_RETURN(vk::Buffer buf, dev.create_buffer(bytes));
//   ER_ASSIGN_OR_RETURN(vk::ComputePipeline p, dev.create_pipeline({spirv, 2, 4, {256, 0}}));
//   ER_ASSIGN_OR_RETURN(vk::CommandRecorder rec, dev.begin_commands(1));   // record ...
//   ER_RETURN_IF_ERROR(rec.dispatch(p, {&in, &out}, &n, sizeof n, groups));
//   ER_RETURN_IF_ERROR(dev.submit_and_wait(rec, std::chrono::seconds(10)));  // ... then submit
//
// Thread safety: a Device may be used from several threads (queue submission is serialised
// inside); a CommandRecorder or Buffer belongs to one thread at a time.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "vulkan/device/loader.h"

namespace edgerun::vk {

// Physical-device preference: discrete (4) > integrated (3) > virtual (2) > CPU (1) > other (0).
int device_type_score(VkPhysicalDeviceType type);
const char* device_type_name(VkPhysicalDeviceType type);

struct PhysicalDeviceInfo {
  uint32_t index = 0;  // in vkEnumeratePhysicalDevices order
  std::string name;
  VkPhysicalDeviceType type = VK_PHYSICAL_DEVICE_TYPE_OTHER;
  uint32_t api_version = 0;
  uint32_t driver_version = 0;
  int score = 0;                 // device_type_score(type); -1 when unusable
  std::string unusable_reason;   // why score is -1 (no compute queue, Vulkan < 1.2)
  uint32_t compute_queue_family = 0;
  uint64_t max_storage_buffer_range = 0;
  uint32_t max_workgroup_count_x = 0;
  uint32_t max_workgroup_size_x = 0;
  uint32_t max_workgroup_invocations = 0;
  uint32_t max_workgroup_count[3] = {0, 0, 0};
  uint32_t max_shared_memory = 0;
  uint64_t min_storage_offset_alignment = 4;   // minStorageBufferOffsetAlignment
  uint64_t max_memory_allocation_size = 0;     // maxMemoryAllocationSize (0: unknown)
  uint32_t vendor_id = 0, device_id = 0;
  uint8_t pipeline_cache_uuid[16] = {};
  uint32_t subgroup_size = 0;
  bool storage_16bit = false;                  // storageBuffer16BitAccess
  bool float16_arithmetic = false;             // shaderFloat16
  bool timestamps = false;                     // compute queue writes timestamps
  float timestamp_period_ns = 1.0f;
};

struct InstanceState;
struct DeviceState;
class Device;

// Where a buffer's memory lives. kHost: host-visible, coherent, mapped (the groundwork default).
// kDevice: device-local (mapped too when the device offers device-local host-visible memory, as
// integrated GPUs and lavapipe do). kStaging: host-visible for uploads and read-back (cached if possible).
enum class MemoryKind { kHost, kDevice, kStaging };

struct InstanceOptions {
  const char* library = "libvulkan.so.1";  // tests point this elsewhere to simulate "no loader"
};

class Instance {
 public:
  // Loads the library, creates a Vulkan 1.2 instance and lists the physical devices.
  static Result<Instance> create(const InstanceOptions& options = {});
  Instance(Instance&&) noexcept = default;
  Instance& operator=(Instance&&) noexcept = default;
  Instance(const Instance&) = delete;
  Instance& operator=(const Instance&) = delete;
  ~Instance();

  const std::vector<PhysicalDeviceInfo>& devices() const;
  // Index of the best usable device (highest score, then lowest index); -1 if none.
  int best_device() const;
  // A logical device with one compute queue on device `index` (-1: best_device()), with 16-bit
  // storage and fp16 arithmetic enabled where supported. `pipeline_cache` seeds the VkPipelineCache
  // (the caller has validated it; the driver checks its own header too).
  Result<Device> create_device(int index = -1, std::span<const uint8_t> pipeline_cache = {}) const;

 private:
  explicit Instance(std::shared_ptr<InstanceState> s) : state_(std::move(s)) {}
  std::shared_ptr<InstanceState> state_;
};

// A storage buffer in host-visible, host-coherent memory, persistently mapped. (Device-local
// memory with staging copies comes with the arena allocator; on lavapipe and integrated GPUs
// all memory is host-visible anyway.)
class Buffer {
 public:
  Buffer() = default;
  Buffer(Buffer&& o) noexcept;
  Buffer& operator=(Buffer&& o) noexcept;
  Buffer(const Buffer&) = delete;
  Buffer& operator=(const Buffer&) = delete;
  ~Buffer();

  VkBuffer handle() const { return buffer_; }
  bool valid() const { return buffer_ != VK_NULL_HANDLE; }
  size_t size() const { return size_; }
  void* mapped() const { return mapped_; }
  // Bounds-checked copies to/from the mapped memory.
  Status write(const void* src, size_t bytes, size_t offset = 0);
  Status read(void* dst, size_t bytes, size_t offset = 0) const;

 private:
  friend class Device;
  friend class CommandRecorder;
  void reset();
  std::shared_ptr<DeviceState> dev_;
  VkBuffer buffer_ = VK_NULL_HANDLE;
  VkDeviceMemory memory_ = VK_NULL_HANDLE;
  size_t size_ = 0;
  void* mapped_ = nullptr;
};

struct PipelineDesc {
  std::span<const uint32_t> spirv;       // entry point "main"
  uint32_t num_buffers = 0;              // storage buffers at set 0, bindings 0..n-1
  uint32_t push_constant_bytes = 0;
  std::vector<uint32_t> specialization;  // constant_id i = specialization[i] (32-bit each)
};

// A compute pipeline with its descriptor-set and pipeline layouts. Immutable once created.
class ComputePipeline {
 public:
  ComputePipeline() = default;
  ComputePipeline(ComputePipeline&& o) noexcept;
  ComputePipeline& operator=(ComputePipeline&& o) noexcept;
  ComputePipeline(const ComputePipeline&) = delete;
  ComputePipeline& operator=(const ComputePipeline&) = delete;
  ~ComputePipeline();

  uint32_t num_buffers() const { return num_buffers_; }
  uint32_t push_constant_bytes() const { return push_bytes_; }

 private:
  friend class Device;
  friend class CommandRecorder;
  void reset();
  std::shared_ptr<DeviceState> dev_;
  VkDescriptorSetLayout set_layout_ = VK_NULL_HANDLE;
  VkPipelineLayout layout_ = VK_NULL_HANDLE;
  VkPipeline pipeline_ = VK_NULL_HANDLE;
  uint32_t num_buffers_ = 0;
  uint32_t push_bytes_ = 0;
};

// A byte range of a buffer, bound as one storage buffer.
struct BufferRange {
  const Buffer* buffer = nullptr;
  uint64_t offset = 0;
  uint64_t size = 0;  // 0: to the end of the buffer
};

// One command buffer being recorded (with its own command and descriptor pools). Recording is
// separate from submitting: Device::submit_and_wait ends and submits it.
class CommandRecorder {
 public:
  CommandRecorder() = default;
  CommandRecorder(CommandRecorder&& o) noexcept;
  CommandRecorder& operator=(CommandRecorder&& o) noexcept;
  CommandRecorder(const CommandRecorder&) = delete;
  CommandRecorder& operator=(const CommandRecorder&) = delete;
  ~CommandRecorder();

  // Binds `buffers` to bindings 0..n-1, pushes `push`, dispatches `groups_x` workgroups and adds
  // a compute->compute/host barrier so the next dispatch (or the host) sees the results.
  Status dispatch(const ComputePipeline& pipeline, std::span<Buffer* const> buffers, const void* push,
                  uint32_t push_bytes, uint32_t groups_x);
  // Binds ranges (no barrier added: call barrier() where data flows); 3-D workgroup grid.
  Status dispatch(const ComputePipeline& pipeline, std::span<const BufferRange> ranges, const void* push,
                  uint32_t push_bytes, uint32_t gx, uint32_t gy, uint32_t gz);
  // Buffer-to-buffer copy (transfer stage).
  Status copy(const Buffer& src, uint64_t src_offset, const Buffer& dst, uint64_t dst_offset, uint64_t bytes);
  // Makes every earlier compute/transfer write visible to later compute/transfer/host access.
  void barrier();
  // Timestamp `index` (< the count given to begin_commands) after the work recorded so far.
  Status timestamp(uint32_t index);
  // After the submission finished: the timestamps in nanoseconds (empty if the device has none).
  Result<std::vector<double>> read_timestamps_ns() const;
  uint32_t dispatches() const { return recorded_; }
  bool ended() const { return ended_; }

 private:
  friend class Device;
  void reset();
  void reset_leaked();  // forgets the handles without destroying them (the GPU never finished)
  std::shared_ptr<DeviceState> dev_;
  VkCommandPool cmd_pool_ = VK_NULL_HANDLE;
  VkDescriptorPool desc_pool_ = VK_NULL_HANDLE;
  VkCommandBuffer cmd_ = VK_NULL_HANDLE;
  VkQueryPool query_pool_ = VK_NULL_HANDLE;
  uint32_t queries_ = 0;
  uint32_t max_dispatches_ = 0;
  uint32_t recorded_ = 0;
  bool ended_ = false;
};

class Device {
 public:
  Device(Device&&) noexcept = default;
  Device& operator=(Device&&) noexcept = default;
  Device(const Device&) = delete;
  Device& operator=(const Device&) = delete;
  ~Device();

  const PhysicalDeviceInfo& info() const;
  // A storage buffer of `bytes` (at least 4 bytes are allocated, so empty tensors bind too).
  Result<Buffer> create_buffer(size_t bytes, MemoryKind kind = MemoryKind::kHost) const;
  Result<ComputePipeline> create_pipeline(const PipelineDesc& desc) const;
  // A recorder for up to `max_dispatches` dispatches (each with up to 8 buffers) and `timestamps`
  // timestamp queries (0: none; ignored when the device has no timestamps).
  Result<CommandRecorder> begin_commands(uint32_t max_dispatches, uint32_t timestamps = 0) const;
  // Ends (if still recording) and submits the recorded commands, then waits for their fence for at
  // most `timeout`. A recorder may be submitted again (replayed) once the previous submission
  // finished. On a timeout or device loss the device is marked lost (later calls fail fast) and
  // the recorder's resources are kept alive until the device goes, since the GPU may still use them.
  Status submit_and_wait(CommandRecorder& rec, std::chrono::nanoseconds timeout) const;
  // The persistent pipeline cache every pipeline is created with: its current data (to save),
  // and how it was seeded (create_device's initial data accepted by the driver or not).
  Result<std::vector<uint8_t>> pipeline_cache_data() const;
  // True after a fence timeout or VK_ERROR_DEVICE_LOST.
  bool lost() const;

 private:
  friend class Instance;
  explicit Device(std::shared_ptr<DeviceState> s) : state_(std::move(s)) {}
  std::shared_ptr<DeviceState> state_;
};

}  // namespace edgerun::vk
