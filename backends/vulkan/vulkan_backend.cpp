#include "vulkan/vulkan_backend.h"

#include <map>

#include "base/strcat.h"
#include "vulkan/kernels/vulkan_common.h"
#include "vulkan/pipeline_cache.h"
#include "vulkan/region.h"

namespace edgerun {

namespace {

// The kernel families (kernels/<family>.cpp). Add a family's table here.
std::span<const vk::VulkanOp> (*const kFamilies[])() = {
    vk::elementwise_ops, vk::conv_ops,     vk::matmul_ops, vk::pool_ops,  vk::norm_ops,
    vk::reduce_ops,      vk::resize_ops,   vk::movement_ops, vk::gather_ops, vk::quant_ops,
    vk::lrn_ops};

// One node run as a one-node region (the Kernel contract: tests and op-by-op use).
class SingleNodeKernel final : public Kernel {
 public:
  SingleNodeKernel(std::unique_ptr<vk::VulkanRegion> r, std::vector<int> input_index)
      : region_(std::move(r)), input_index_(std::move(input_index)) {}
  bool fuses_activation() const override { return true; }  // vulkan kernels apply it or refuse the node
  Status run(KernelContext& ctx) const override {
    std::vector<const Tensor*> ins;
    for (int i : input_index_) ins.push_back(ctx.all_inputs()[static_cast<size_t>(i)]);
    std::vector<Tensor> outs;
    ER_RETURN_IF_ERROR(region_->run(ins, &outs));
    size_t k = 0;
    for (size_t o = 0; o < ctx.num_outputs(); ++o)
      if (ctx.output_requested(o)) ctx.set_output(o, std::move(outs[k++]));
    return Status::Ok();
  }

 private:
  std::unique_ptr<vk::VulkanRegion> region_;
  std::vector<int> input_index_;  // region input i = node input input_index_[i]
};

class Region final : public RegionKernel {
 public:
  explicit Region(std::unique_ptr<vk::VulkanRegion> r) : region_(std::move(r)) {}
  Status run(std::span<const Tensor* const> inputs, std::vector<Tensor>* outputs, RegionProfile* profile) const override {
    vk::RegionRunStats st;
    ER_RETURN_IF_ERROR(region_->run(inputs, outputs, profile ? &st : nullptr));
    if (profile) {
      profile->node_gpu_ms = std::move(st.node_gpu_ms);
      profile->upload_bytes = st.upload_bytes;
      profile->download_bytes = st.download_bytes;
      profile->upload_ms = st.upload_ms;
      profile->download_ms = st.download_ms;
      profile->submit_wait_ms = st.submit_wait_ms;
      profile->record_ms = st.record_ms;
      profile->recorded = st.recorded;
      profile->arena_bytes = st.arena_bytes;
    }
    return Status::Ok();
  }
  uint64_t constant_bytes() const override { return region_->constant_bytes(); }
  Memory planned_memory() const override {
    const vk::VulkanRegion::Memory m = region_->planned_memory();
    return {m.planned, m.arena_bytes, m.naive_bytes, m.largest_binding, m.binding_limit};
  }

 private:
  std::unique_ptr<vk::VulkanRegion> region_;
};

class VulkanBackend final : public Backend {
 public:
  VulkanBackend(std::shared_ptr<const vk::VulkanContext> c, std::string cache_path, std::vector<std::string> notes)
      : c_(std::move(c)), cache_path_(std::move(cache_path)), notes_(std::move(notes)) {
    for (auto family : kFamilies)
      for (const vk::VulkanOp& op : family()) ops_[op.op] = &op;
  }
  ~VulkanBackend() override {
    // Persist what the driver compiled, for the next process.
    if (cache_path_.empty() || c_->pipeline_stats().created == 0 || c_->device.lost()) return;
    auto data = c_->device.pipeline_cache_data();
    std::string note;
    if (data.ok()) vk::save_pipeline_cache(cache_path_, c_->device.info(), *data, &note);
  }
  std::vector<std::string> notes() const override { return notes_; }
  std::pair<int, double> pipeline_creation() const override {
    const auto s = c_->pipeline_stats();
    return {s.created, s.ms};
  }
  const char* name() const override { return "vulkan"; }

  Support supports(const NodeView& n) const override {
    const vk::VulkanOp* op = find(n.node);
    if (!op) return Support::no(str_cat("no vulkan kernel for ", n.node.domain.empty() ? "" : n.node.domain + "::", n.node.op_type));
    for (size_t i = 0; i < n.inputs.size(); ++i) {
      if ((op->host_inputs >> i) & 1u) continue;
      const DataType dt = n.input_dtype(i);
      if (dt == DataType::kUndefined) continue;
      if (n.inputs[i].kind != ValueKind::kTensor) return Support::no(str_cat("vulkan: input ", i, " is not a tensor"));
      if (!vk::gpu_dtype(dt)) return Support::no(str_cat("vulkan: input ", i, " dtype ", dtype_name(dt), " not supported"));
      if (dt == DataType::kFloat16 && !c_->device.info().storage_16bit)
        return Support::no("vulkan: float16 needs 16-bit storage, which this device lacks");
    }
    for (size_t i = 0; i < n.outputs.size(); ++i) {
      const DataType dt = n.outputs[i].dtype;
      if (dt == DataType::kUndefined) continue;
      if (n.outputs[i].kind != ValueKind::kTensor) return Support::no(str_cat("vulkan: output ", i, " is not a tensor"));
      if (!vk::gpu_dtype(dt)) return Support::no(str_cat("vulkan: output ", i, " dtype ", dtype_name(dt), " not supported"));
      if (!n.outputs[i].shape.rank_known)
        return Support::no(str_cat("vulkan: output ", i, " rank unknown before running (data-dependent shape)"));
    }
    if (std::string r = over_binding_limit(n, op); !r.empty()) return Support::no(r);
    return op->supports(n, *c_);
  }

  Result<std::unique_ptr<Kernel>> create_kernel(const NodeView& n) const override {
    Support s = supports(n);
    if (!s.ok) return Status(StatusCode::kUnsupported, str_cat(n.node.label(), ": ", s.reason));
    vk::RegionGraph g;
    g.nodes = {&n.node};
    std::vector<int> input_index;
    std::map<ValueId, const Tensor*> constants;
    std::map<ValueId, ValueInfo> infos;
    for (size_t i = 0; i < n.inputs.size(); ++i) {
      const ValueId v = n.node.inputs[i];
      if (v == kNoValue) continue;
      infos[v] = n.inputs[i];
      if (n.constant(i)) {
        constants[v] = n.constant(i);
      } else if (std::find(g.inputs.begin(), g.inputs.end(), v) == g.inputs.end()) {
        g.inputs.push_back(v);
        input_index.push_back(static_cast<int>(i));
      }
    }
    for (size_t o = 0; o < n.outputs.size(); ++o)
      if (n.node.outputs[o] != kNoValue) {
        g.outputs.push_back(n.node.outputs[o]);
        infos[n.node.outputs[o]] = n.outputs[o];
      }
    g.constant = [constants](ValueId v) -> const Tensor* {
      auto it = constants.find(v);
      return it == constants.end() ? nullptr : it->second;
    };
    g.info = [infos](ValueId v) {
      auto it = infos.find(v);
      return it == infos.end() ? ValueInfo{} : it->second;
    };
    const Node* node = &n.node;
    g.name = [node](ValueId v) { return str_cat(node->label(), " value ", v); };
    ER_ASSIGN_OR_RETURN(auto region, vk::VulkanRegion::create(c_, std::move(g), [this](const Node& x) { return find(x); }));
    return std::unique_ptr<Kernel>(new SingleNodeKernel(std::move(region), std::move(input_index)));
  }

  bool runs_regions() const override { return true; }

  Result<std::unique_ptr<RegionKernel>> compile_region(const Graph& graph, std::span<const Node* const> nodes,
                                                       std::span<const ValueId> inputs,
                                                       std::span<const ValueId> outputs) const override {
    vk::RegionGraph g;
    g.nodes.assign(nodes.begin(), nodes.end());
    g.inputs.assign(inputs.begin(), inputs.end());
    g.outputs.assign(outputs.begin(), outputs.end());
    const Graph* gp = &graph;
    g.constant = [gp](ValueId v) { return gp->constant(v); };
    g.info = [gp](ValueId v) { return gp->value(v).info; };
    g.name = [gp](ValueId v) { return gp->value(v).name; };
    ER_ASSIGN_OR_RETURN(auto region, vk::VulkanRegion::create(c_, std::move(g), [this](const Node& x) { return find(x); }));
    return std::unique_ptr<RegionKernel>(new Region(std::move(region)));
  }

  uint32_t host_inputs(const Node& node) const override {
    const vk::VulkanOp* op = find(node);
    return op ? op->host_inputs : 0;
  }

  std::string device_description() const override {
    const vk::PhysicalDeviceInfo& i = c_->device.info();
    return str_cat(i.name, " (", vk::device_type_name(i.type), ", Vulkan ", VK_API_VERSION_MAJOR(i.api_version), ".",
                   VK_API_VERSION_MINOR(i.api_version), ".", VK_API_VERSION_PATCH(i.api_version),
                   i.storage_16bit ? ", 16-bit storage" : "", i.float16_arithmetic ? ", fp16 arithmetic" : "",
                   i.timestamps ? ", timestamps" : "", ", maxStorageBufferRange ", i.max_storage_buffer_range, ")");
  }

  const vk::VulkanContext& context() const { return *c_; }

 private:
  // "" when every statically known tensor of `n` that lives on the device fits one binding, else
  // the reason naming the node, its op and the tensor's size. (Larger tensors are not split.)
  std::string over_binding_limit(const NodeView& n, const vk::VulkanOp* op) const {
    auto check = [&](const ValueInfo& vi, const char* what, size_t i) -> std::string {
      if (vi.kind != ValueKind::kTensor || !vk::gpu_dtype(vi.dtype) || !vi.shape.fully_known()) return "";
      const vk::Storage st = vk::storage_of(vi.dtype);
      Result<int64_t> numel = checked_numel(vi.shape.concrete());
      if (numel.ok() && static_cast<uint64_t>(*numel) <= c_->max_elements(st)) return "";
      const std::string size =
          numel.ok() ? str_cat(static_cast<uint64_t>(*numel) * vk::storage_bytes(st), " bytes") : std::string("too large");
      return str_cat("vulkan: ", n.node.label(), " ", what, " ", i, " ", dtype_name(vi.dtype), vi.shape.to_string(),
                     " is ", size, ", over one binding (maxStorageBufferRange ", c_->device.info().max_storage_buffer_range,
                     " bytes)");
    };
    for (size_t i = 0; i < n.inputs.size(); ++i) {
      if ((op->host_inputs >> i) & 1u) continue;
      if (std::string r = check(n.inputs[i], "input", i); !r.empty()) return r;
    }
    for (size_t i = 0; i < n.outputs.size(); ++i)
      if (std::string r = check(n.outputs[i], "output", i); !r.empty()) return r;
    return "";
  }

  const vk::VulkanOp* find(const Node& n) const {
    if (!n.domain.empty() && n.domain != "ai.onnx") return nullptr;
    auto it = ops_.find(n.op_type);
    return it == ops_.end() ? nullptr : it->second;
  }
  std::shared_ptr<const vk::VulkanContext> c_;
  std::string cache_path_;
  std::vector<std::string> notes_;
  std::map<std::string, const vk::VulkanOp*> ops_;
};

}  // namespace

Result<std::unique_ptr<Backend>> make_vulkan_backend(const VulkanBackendOptions& options) {
  vk::InstanceOptions io;
  io.library = options.library;
  ER_ASSIGN_OR_RETURN(vk::Instance instance, vk::Instance::create(io));
  if (options.skip_cpu_devices && options.device < 0) {
    const int best = instance.best_device();
    if (best >= 0 && instance.devices()[static_cast<size_t>(best)].type == VK_PHYSICAL_DEVICE_TYPE_CPU)
      return Status(StatusCode::kUnavailable,
                    str_cat("only a CPU-type Vulkan device (", instance.devices()[static_cast<size_t>(best)].name,
                            ") is present; it is slower than the cpu backend (use --backend vulkan to force it)"));
  }
  const int index = options.device >= 0 ? options.device : instance.best_device();
  std::vector<std::string> notes;
  std::string cache_path;
  std::vector<uint8_t> cache;
  if (!options.cache_dir.empty() && index >= 0 && static_cast<size_t>(index) < instance.devices().size()) {
    const vk::PhysicalDeviceInfo& info = instance.devices()[static_cast<size_t>(index)];
    cache_path = vk::pipeline_cache_path(options.cache_dir, info);
    std::string note;
    cache = vk::load_pipeline_cache(cache_path, info, &note);
    notes.push_back("vulkan: " + note);
  }
  ER_ASSIGN_OR_RETURN(vk::Device device, instance.create_device(options.device, cache));
  // The device keeps the instance state alive; `instance` itself may go.
  auto c = std::make_shared<const vk::VulkanContext>(std::move(device));
  return std::unique_ptr<Backend>(new VulkanBackend(std::move(c), std::move(cache_path), std::move(notes)));
}

std::vector<std::string> vulkan_ops() {
  std::vector<std::string> names;
  for (auto family : kFamilies)
    for (const vk::VulkanOp& op : family()) names.push_back(op.op);
  return names;
}

}  // namespace edgerun
