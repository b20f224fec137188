// The Vulkan kernel contract. Nodes placed on the GPU are grouped into regions (maximal runs of
// consecutive GPU nodes); a region runs as one command buffer: uploads of its inputs, one or more
// dispatches per node, downloads of its outputs. Kernels never see host<->device copies: they
// record dispatches on device tensors that the region has allocated (from its liveness-planned
// arena) with the shapes the op's shape rule gives.
//
// A kernel family file (kernels/<family>.cpp) exports a table of VulkanOp rows:
//
//   const VulkanOp kOps[] = {{"Relu", unary_supports, unary_create}, ...};
//   std::span<const VulkanOp> elementwise_ops() { return kOps; }
//
// and vulkan_backend.cpp lists the families. supports() must be exact: a node that it accepts
// must run (the planner trusts it; a failing record() fails the run).
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <vector>

#include "backend/backend.h"
#include "vulkan/device/device.h"

namespace edgerun::vk {

// How a tensor's elements are stored on the device. Integer-like ONNX types (int64, int32, bool,
// (u)int8, (u)int16, uint32) are stored as 32-bit integers: the region converts at upload and
// download (int64 values outside the int32 range are an upload error that names the tensor).
enum class Storage : uint8_t { kF32, kF16, kI32 };
Storage storage_of(DataType dt);            // kF32 for float32, kF16 for float16, kI32 for int-like
uint32_t storage_bytes(Storage s);          // 4 or 2
bool gpu_dtype(DataType dt);                // float32, float16 (with 16-bit storage), int-like above
const char* storage_name(Storage s);

// A tensor in device memory: a byte range of a buffer (offset aligned to the device's
// minStorageBufferOffsetAlignment). Bound to a shader as a storage buffer of `storage` elements.
struct DeviceTensor {
  const Buffer* buffer = nullptr;
  uint64_t offset = 0;
  uint64_t bytes = 0;      // numel * storage_bytes (the binding range is at least 4 bytes)
  DataType dtype = DataType::kUndefined;  // logical ONNX dtype
  Storage storage = Storage::kF32;
  Shape shape;
  int64_t numel() const;
};

// Everything the kernels of one backend instance share. The device outlives every kernel.
class VulkanContext {
 public:
  explicit VulkanContext(Device d);
  ~VulkanContext();
  Device device;

  // Workgroup size used by the 1-D kernels (256, clamped to the device's limits).
  uint32_t workgroup_size() const;
  // Workgroups to cover n items with a grid-stride loop (>= 1, <= maxComputeWorkGroupCount[0]).
  uint32_t groups_for(uint64_t n) const;
  // Elements of `s` one binding can hold (maxStorageBufferRange), capped at 2^31-1 (shader indices).
  uint64_t max_elements(Storage s) const;
  // supports() helper: "" if every statically known input/output of `n` fits one binding, else the reason.
  std::string check_binding_limits(const NodeView& n) const;

  // A compute pipeline for `spirv` (entry "main"; storage buffers at set 0, bindings 0..num_buffers-1;
  // push constants of push_bytes; specialization constant i = spec[i]). Cached: the same
  // (spirv, num_buffers, push_bytes, spec) returns the same pipeline. Uses the persistent
  // VkPipelineCache. Thread-safe. The pipeline lives as long as the context.
  Result<const ComputePipeline*> pipeline(std::span<const uint32_t> spirv, uint32_t num_buffers, uint32_t push_bytes,
                                          std::vector<uint32_t> spec = {}) const;

  // A device tensor holding `t` (converted to its storage type), for kernels that keep their own
  // prepared weights (e.g. repacked). Lives as long as the returned shared_ptr.
  Result<std::shared_ptr<const DeviceTensor>> upload(const Tensor& t) const;

  // Pipelines created so far and the time spent creating them (for `edgerun bench`).
  struct PipelineStats {
    int created = 0;
    double ms = 0;
  };
  PipelineStats pipeline_stats() const;

  struct Impl;
  std::unique_ptr<Impl> impl;
};

// A fence that is not signalled within this time means a hung or lost device. A CPU-type device
// (lavapipe, SwiftShader) shares the cores with everything else and runs a big region (VGG-19 is
// one command buffer) for tens of seconds on a loaded machine: it gets more time, still bounded.
inline constexpr std::chrono::seconds kFenceTimeout{60};
inline constexpr std::chrono::seconds kFenceTimeoutCpuDevice{240};
inline std::chrono::seconds fence_timeout(VkPhysicalDeviceType type) {
  return type == VK_PHYSICAL_DEVICE_TYPE_CPU ? kFenceTimeoutCpuDevice : kFenceTimeout;
}

class Recording;  // the region's command buffer being recorded (opaque to kernels)

// What a kernel sees while recording one node.
class RecordContext {
 public:
  RecordContext(const Node& node, const VulkanContext& ctx, std::vector<const DeviceTensor*> inputs,
                std::vector<const Tensor*> host, std::vector<DeviceTensor>* outputs, Recording* rec)
      : node_(node), ctx_(ctx), inputs_(std::move(inputs)), host_(std::move(host)), outputs_(outputs), rec_(rec) {}

  const Node& node() const { return node_; }
  const Attributes& attrs() const { return node_.attrs; }
  const VulkanContext& ctx() const { return ctx_; }
  size_t num_inputs() const { return inputs_.size(); }
  // The input on the device; nullptr for an omitted optional input or a host-only input.
  const DeviceTensor* input(size_t i) const { return i < inputs_.size() ? inputs_[i] : nullptr; }
  // The input's host data: set for constants and for the op's host_inputs; else nullptr.
  const Tensor* host(size_t i) const { return i < host_.size() ? host_[i] : nullptr; }
  size_t num_outputs() const { return outputs_->size(); }
  bool output_requested(size_t i) const { return i < node_.outputs.size() && node_.outputs[i] != kNoValue; }
  // Output i, allocated with the shape the op's shape rule gives (unrequested outputs too).
  const DeviceTensor& output(size_t i) const { return (*outputs_)[i]; }

  // Records a dispatch of `groups` workgroups. Barriers are added where data flows (a binding
  // that overlaps a range written by an earlier dispatch that has not been waited for).
  // `writes` = bindings the shader writes (default: the last one).
  Status dispatch(const ComputePipeline& p, std::span<const DeviceTensor* const> bindings, const void* push,
                  uint32_t push_bytes, uint32_t gx, uint32_t gy = 1, uint32_t gz = 1, uint32_t writes = 0);
  // Device scratch memory for a multi-pass kernel (valid until the run ends).
  Result<DeviceTensor> scratch(DataType dt, const Shape& shape);

  Status error(const std::string& msg) const;

 private:
  const Node& node_;
  const VulkanContext& ctx_;
  std::vector<const DeviceTensor*> inputs_;
  std::vector<const Tensor*> host_;
  std::vector<DeviceTensor>* outputs_;
  Recording* rec_;
};

// A prepared node (pipelines built, weights prepared) that records its dispatches.
class VkKernel {
 public:
  virtual ~VkKernel() = default;
  // Records the node's work for the shapes in `rc`. Called once per shape signature; the
  // recorded commands are replayed while shapes (and host inputs) stay the same.
  virtual Status record(RecordContext& rc) const = 0;
};

enum VulkanOpFlags : uint32_t {
  kVkNone = 0,
  // Output 0 is input 0 with the shape rule's shape, sharing its device memory (Reshape, Flatten,
  // Squeeze, Unsqueeze, Identity): no dispatch; `create` may be nullptr.
  kVkView = 1u << 0,
};

struct VulkanOp {
  const char* op;
  Support (*supports)(const NodeView& n, const VulkanContext& ctx);
  Result<std::unique_ptr<VkKernel>> (*create)(const NodeView& n, std::shared_ptr<const VulkanContext> ctx);
  // Bit i: input i is read on the host only (shape-like: Reshape's shape, Slice's starts, Resize's
  // scales, reduction axes...). Such an input must be a constant or computed on the host; it is
  // never uploaded. The planner keeps its producer on the host.
  uint32_t host_inputs = 0;
  uint32_t flags = kVkNone;
};

// Kernel families (one file each in kernels/).
std::span<const VulkanOp> elementwise_ops();
std::span<const VulkanOp> norm_ops();    // kernels/norm.cpp: LayerNorm, RMSNorm, Instance/Group/BatchNormalization
std::span<const VulkanOp> reduce_ops();  // kernels/reduce.cpp: Reduce*, ArgMax/Min, Softmax family, LpNorm, MVN
std::span<const VulkanOp> resize_ops();  // kernels/resize.cpp: Resize (Upsample via the importer)
std::span<const VulkanOp> conv_ops();    // kernels/conv.cpp: Conv, ConvTranspose
std::span<const VulkanOp> matmul_ops();  // kernels/matmul.cpp: MatMul, Gemm
std::span<const VulkanOp> pool_ops();    // kernels/pool.cpp: MaxPool, AveragePool, LpPool, Global*Pool
std::span<const VulkanOp> movement_ops();  // kernels/movement.cpp: views, Transpose, Concat, Split, Slice, Pad, Tile, Expand, ...
std::span<const VulkanOp> gather_ops();    // kernels/gather.cpp: Gather, GatherElements, GatherND, ScatterElements, ScatterND
std::span<const VulkanOp> quant_ops();     // kernels/quant.cpp: QuantizeLinear, DequantizeLinear
std::span<const VulkanOp> lrn_ops();       // kernels/lrn.cpp: LRN

// Fused activation (node.fused_activation) as 3 specialization constants for shaders/activation.glsl:
// {kind, alpha bits, beta bits}. kind: 0 none, 1 Relu, 2 Clip, 3 LeakyRelu, 4 Sigmoid, 5 Tanh,
// 6 HardSigmoid, 7 HardSwish. A kernel that fuses must apply it; activation_supported() says
// whether the node's fused activation is one of these.
std::vector<uint32_t> activation_spec(const Node& n);
bool activation_supported(const Node& n);

// Helpers for supports() functions.
bool standard_domain(const NodeView& n);
// "" when every present input i (skipping host_inputs bits) has a dtype in `allowed`; else the reason.
std::string check_dtypes(const NodeView& n, std::initializer_list<DataType> allowed, uint32_t skip_mask = 0);

}  // namespace edgerun::vk
