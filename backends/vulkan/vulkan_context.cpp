// VulkanContext (pipeline cache of the backend instance, weight uploads), storage types and the
// helpers kernels use in supports().
#include <algorithm>
#include <chrono>
#include <cstring>
#include <limits>
#include <map>
#include <tuple>

#include "base/float_types.h"
#include "base/strcat.h"
#include "vulkan/kernels/vulkan_common.h"
#include "vulkan/transfer.h"

namespace edgerun::vk {

Storage storage_of(DataType dt) {
  switch (dt) {
    case DataType::kFloat32: return Storage::kF32;
    case DataType::kFloat16: return Storage::kF16;
    default: return Storage::kI32;
  }
}

uint32_t storage_bytes(Storage s) { return s == Storage::kF16 ? 2 : 4; }

const char* storage_name(Storage s) {
  switch (s) {
    case Storage::kF32: return "f32";
    case Storage::kF16: return "f16";
    case Storage::kI32: return "i32";
  }
  return "?";
}

bool gpu_dtype(DataType dt) {
  switch (dt) {
    case DataType::kFloat32:
    case DataType::kFloat16:
    case DataType::kInt64:
    case DataType::kInt32:
    case DataType::kBool:
    case DataType::kInt8:
    case DataType::kUInt8:
    case DataType::kInt16:
    case DataType::kUInt16:
    case DataType::kUInt32: return true;
    default: return false;
  }
}

int64_t DeviceTensor::numel() const {
  int64_t n = 1;
  for (int64_t d : shape) n *= d;
  return n;
}

bool standard_domain(const NodeView& n) { return n.node.domain.empty() || n.node.domain == "ai.onnx"; }

std::string check_dtypes(const NodeView& n, std::initializer_list<DataType> allowed, uint32_t skip_mask) {
  for (size_t i = 0; i < n.inputs.size(); ++i) {
    if (skip_mask & (1u << i)) continue;
    const DataType dt = n.input_dtype(i);
    if (dt == DataType::kUndefined) continue;  // omitted optional input
    if (std::find(allowed.begin(), allowed.end(), dt) == allowed.end())
      return str_cat("vulkan: ", n.node.op_type, " input ", i, " dtype ", dtype_name(dt), " not supported");
  }
  return "";
}

namespace {
uint32_t float_bits(float f) {
  uint32_t u;
  std::memcpy(&u, &f, 4);
  return u;
}
}  // namespace

bool activation_supported(const Node& n) {
  const std::string& a = n.fused_activation;
  return a.empty() || a == "Relu" || a == "Clip" || a == "LeakyRelu" || a == "Sigmoid" || a == "Tanh" ||
         a == "HardSigmoid" || a == "HardSwish";
}

std::vector<uint32_t> activation_spec(const Node& n) {
  const std::string& a = n.fused_activation;
  const auto& p = n.fused_activation_params;
  auto param = [&](size_t i, float d) { return i < p.size() ? p[i] : d; };
  if (a == "Relu") return {1, 0, 0};
  if (a == "Clip") return {2, float_bits(param(0, -std::numeric_limits<float>::infinity())),
                           float_bits(param(1, std::numeric_limits<float>::infinity()))};
  if (a == "LeakyRelu") return {3, float_bits(param(0, 0.01f)), 0};
  if (a == "Sigmoid") return {4, 0, 0};
  if (a == "Tanh") return {5, 0, 0};
  if (a == "HardSigmoid") return {6, float_bits(param(0, 0.2f)), float_bits(param(1, 0.5f))};
  if (a == "HardSwish") return {7, 0, 0};
  return {0, 0, 0};
}

// ---- VulkanContext ----

struct VulkanContext::Impl {
  std::mutex mutex;
  using Key = std::tuple<const uint32_t*, size_t, uint32_t, uint32_t, std::vector<uint32_t>>;
  std::map<Key, std::unique_ptr<ComputePipeline>> pipelines;
  PipelineStats stats;
};

VulkanContext::VulkanContext(Device d) : device(std::move(d)), impl(std::make_unique<Impl>()) {}
VulkanContext::~VulkanContext() = default;

uint32_t VulkanContext::workgroup_size() const {
  const PhysicalDeviceInfo& i = device.info();
  return std::max<uint32_t>(1, std::min({256u, i.max_workgroup_size_x, i.max_workgroup_invocations}));
}

uint32_t VulkanContext::groups_for(uint64_t n) const {
  const uint64_t wg = workgroup_size();
  const uint64_t groups = std::max<uint64_t>(1, (n + wg - 1) / wg);
  return static_cast<uint32_t>(std::min<uint64_t>(groups, std::max<uint32_t>(1, device.info().max_workgroup_count_x)));
}

uint64_t VulkanContext::max_elements(Storage s) const {
  return std::min<uint64_t>(device.info().max_storage_buffer_range / storage_bytes(s),
                            static_cast<uint64_t>(std::numeric_limits<int32_t>::max()));
}

std::string VulkanContext::check_binding_limits(const NodeView& n) const {
  auto check = [&](const ValueInfo& vi, const char* what, size_t i) -> std::string {
    if (vi.dtype == DataType::kUndefined || !vi.shape.fully_known()) return "";
    Result<int64_t> numel = checked_numel(vi.shape.concrete());
    if (numel.ok() && static_cast<uint64_t>(*numel) <= max_elements(storage_of(vi.dtype))) return "";
    return str_cat("vulkan: ", what, " ", i, " ", vi.shape.to_string(), " exceeds one binding (maxStorageBufferRange ",
                   device.info().max_storage_buffer_range, " bytes)");
  };
  for (size_t i = 0; i < n.inputs.size(); ++i)
    if (std::string r = check(n.inputs[i], "input", i); !r.empty()) return r;
  for (size_t i = 0; i < n.outputs.size(); ++i)
    if (std::string r = check(n.outputs[i], "output", i); !r.empty()) return r;
  return "";
}

Result<const ComputePipeline*> VulkanContext::pipeline(std::span<const uint32_t> spirv, uint32_t num_buffers,
                                                       uint32_t push_bytes, std::vector<uint32_t> spec) const {
  std::lock_guard<std::mutex> lock(impl->mutex);
  Impl::Key key{spirv.data(), spirv.size(), num_buffers, push_bytes, spec};
  auto it = impl->pipelines.find(key);
  if (it != impl->pipelines.end()) return it->second.get();
  const auto t0 = std::chrono::steady_clock::now();
  ER_ASSIGN_OR_RETURN(ComputePipeline p, device.create_pipeline({spirv, num_buffers, push_bytes, std::move(spec)}));
  impl->stats.ms += std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
  ++impl->stats.created;
  auto owned = std::make_unique<ComputePipeline>(std::move(p));
  const ComputePipeline* raw = owned.get();
  impl->pipelines.emplace(std::move(key), std::move(owned));
  return raw;
}

VulkanContext::PipelineStats VulkanContext::pipeline_stats() const {
  std::lock_guard<std::mutex> lock(impl->mutex);
  return impl->stats;
}

namespace {
struct OwnedDeviceTensor {
  Buffer buffer;
  DeviceTensor tensor;
};
}  // namespace

Result<std::shared_ptr<const DeviceTensor>> VulkanContext::upload(const Tensor& t) const {
  if (!gpu_dtype(t.dtype())) return Status(StatusCode::kUnsupported, str_cat("vulkan: cannot upload ", dtype_name(t.dtype())));
  auto owned = std::make_shared<OwnedDeviceTensor>();
  const Storage st = storage_of(t.dtype());
  const uint64_t bytes = static_cast<uint64_t>(t.numel()) * storage_bytes(st);
  ER_ASSIGN_OR_RETURN(owned->buffer, device.create_buffer(std::max<uint64_t>(bytes, 4), MemoryKind::kDevice));
  std::vector<uint8_t> staged(bytes);
  ER_RETURN_IF_ERROR(to_storage(t, staged.data(), "constant"));
  ER_RETURN_IF_ERROR(write_device(*this, owned->buffer, 0, staged.data(), bytes));
  owned->tensor = DeviceTensor{&owned->buffer, 0, bytes, t.dtype(), st, t.shape()};
  return std::shared_ptr<const DeviceTensor>(owned, &owned->tensor);
}

Status write_device(const VulkanContext& ctx, Buffer& dst, uint64_t offset, const void* data, uint64_t bytes) {
  if (bytes == 0) return Status::Ok();
  if (dst.mapped()) return dst.write(data, bytes, offset);
  ER_ASSIGN_OR_RETURN(Buffer staging, ctx.device.create_buffer(bytes, MemoryKind::kStaging));
  ER_RETURN_IF_ERROR(staging.write(data, bytes));
  ER_ASSIGN_OR_RETURN(CommandRecorder rec, ctx.device.begin_commands(1));
  ER_RETURN_IF_ERROR(rec.copy(staging, 0, dst, offset, bytes));
  rec.barrier();
  return ctx.device.submit_and_wait(rec, fence_timeout(ctx.device.info().type));
}

// ---- host <-> storage conversion ----

namespace {
template <class T>
Status ints_to_i32(const Tensor& t, int32_t* out, const std::string& what) {
  const T* p = t.data_as<T>();
  for (int64_t i = 0, n = t.numel(); i < n; ++i) {
    if constexpr (sizeof(T) >= 4) {
      if (static_cast<int64_t>(p[i]) < std::numeric_limits<int32_t>::min() ||
          static_cast<int64_t>(p[i]) > std::numeric_limits<int32_t>::max())
        return Status(StatusCode::kOutOfRange, str_cat("vulkan: ", what, " holds ", static_cast<int64_t>(p[i]),
                                                       " at element ", i, ", outside the GPU's int32 range"));
    }
    out[i] = static_cast<int32_t>(p[i]);
  }
  return Status::Ok();
}
template <class T>
void i32_to_ints(const int32_t* in, Tensor& t) {
  T* p = t.data_as<T>();
  for (int64_t i = 0, n = t.numel(); i < n; ++i) p[i] = static_cast<T>(in[i]);
}
}  // namespace

Status to_storage(const Tensor& t, void* out, const std::string& what) {
  const size_t n = static_cast<size_t>(t.numel());
  int32_t* o = static_cast<int32_t*>(out);
  switch (t.dtype()) {
    case DataType::kFloat32: std::memcpy(out, t.data(), n * 4); return Status::Ok();
    case DataType::kFloat16: std::memcpy(out, t.data(), n * 2); return Status::Ok();
    case DataType::kInt64: return ints_to_i32<int64_t>(t, o, what);
    case DataType::kInt32: std::memcpy(out, t.data(), n * 4); return Status::Ok();
    case DataType::kUInt32: return ints_to_i32<uint32_t>(t, o, what);
    case DataType::kBool: {
      const uint8_t* p = static_cast<const uint8_t*>(t.data());
      for (size_t i = 0; i < n; ++i) o[i] = p[i] ? 1 : 0;
      return Status::Ok();
    }
    case DataType::kInt8: return ints_to_i32<int8_t>(t, o, what);
    case DataType::kUInt8: return ints_to_i32<uint8_t>(t, o, what);
    case DataType::kInt16: return ints_to_i32<int16_t>(t, o, what);
    case DataType::kUInt16: return ints_to_i32<uint16_t>(t, o, what);
    default: return Status(StatusCode::kUnsupported, str_cat("vulkan: ", what, " dtype ", dtype_name(t.dtype())));
  }
}

Status from_storage(const void* in, Tensor& t) {
  const size_t n = static_cast<size_t>(t.numel());
  const int32_t* p = static_cast<const int32_t*>(in);
  switch (t.dtype()) {
    case DataType::kFloat32: std::memcpy(t.data(), in, n * 4); return Status::Ok();
    case DataType::kFloat16: std::memcpy(t.data(), in, n * 2); return Status::Ok();
    case DataType::kInt32: std::memcpy(t.data(), in, n * 4); return Status::Ok();
    case DataType::kInt64: i32_to_ints<int64_t>(p, t); return Status::Ok();
    case DataType::kUInt32: i32_to_ints<uint32_t>(p, t); return Status::Ok();
    case DataType::kBool: {
      uint8_t* o = static_cast<uint8_t*>(t.data());
      for (size_t i = 0; i < n; ++i) o[i] = p[i] != 0;
      return Status::Ok();
    }
    case DataType::kInt8: i32_to_ints<int8_t>(p, t); return Status::Ok();
    case DataType::kUInt8: i32_to_ints<uint8_t>(p, t); return Status::Ok();
    case DataType::kInt16: i32_to_ints<int16_t>(p, t); return Status::Ok();
    case DataType::kUInt16: i32_to_ints<uint16_t>(p, t); return Status::Ok();
    default: return Status(StatusCode::kUnsupported, str_cat("vulkan: download of dtype ", dtype_name(t.dtype())));
  }
}

}  // namespace edgerun::vk
