// Elementwise kernels on Vulkan (minimal set until the elementwise family lands): Add and Mul
// (float32, same shape) and Relu (float32).
#include "base/strcat.h"
#include "shaders/elementwise_binary.spv.h"
#include "shaders/elementwise_unary.spv.h"
#include "vulkan/kernels/vulkan_common.h"

namespace edgerun::vk {

namespace {

class OneDKernel final : public VkKernel {
 public:
  OneDKernel(const ComputePipeline* p, size_t n_in) : p_(p), n_in_(n_in) {}
  Status record(RecordContext& rc) const override {
    const DeviceTensor& out = rc.output(0);
    const uint32_t n = static_cast<uint32_t>(out.numel());
    std::vector<const DeviceTensor*> b;
    for (size_t i = 0; i < n_in_; ++i) b.push_back(rc.input(i));
    b.push_back(&out);
    return rc.dispatch(*p_, b, &n, sizeof n, rc.ctx().groups_for(n));
  }

 private:
  const ComputePipeline* p_;
  size_t n_in_;
};

Support float_same_shape(const NodeView& n, const VulkanContext& c, size_t count) {
  if (!standard_domain(n)) return Support::no("vulkan: domain not supported");
  if (n.inputs.size() != count) return Support::no(str_cat("vulkan: expects ", count, " inputs"));
  if (std::string r = check_dtypes(n, {DataType::kFloat32}); !r.empty()) return Support::no(r);
  if (!n.node.fused_activation.empty()) return Support::no("vulkan: fused activation not supported here");
  if (count == 2) {
    const ShapeInfo& x = n.inputs[0].shape;
    const ShapeInfo& y = n.inputs[1].shape;
    if (!x.fully_known() || !y.fully_known() || x.concrete() != y.concrete())
      return Support::no("vulkan: broadcasting not supported yet");
  }
  if (std::string r = c.check_binding_limits(n); !r.empty()) return Support::no(r);
  return Support::yes();
}

Support binary_supports(const NodeView& n, const VulkanContext& c) { return float_same_shape(n, c, 2); }
Support unary_supports(const NodeView& n, const VulkanContext& c) { return float_same_shape(n, c, 1); }

template <uint32_t kOp>
Result<std::unique_ptr<VkKernel>> binary_create(const NodeView&, std::shared_ptr<const VulkanContext> c) {
  ER_ASSIGN_OR_RETURN(const ComputePipeline* p,
                      c->pipeline(shaders::kSpirv_elementwise_binary, 3, sizeof(uint32_t), {c->workgroup_size(), kOp}));
  return std::unique_ptr<VkKernel>(new OneDKernel(p, 2));
}

Result<std::unique_ptr<VkKernel>> relu_create(const NodeView&, std::shared_ptr<const VulkanContext> c) {
  ER_ASSIGN_OR_RETURN(const ComputePipeline* p,
                      c->pipeline(shaders::kSpirv_elementwise_unary, 2, sizeof(uint32_t), {c->workgroup_size(), 0}));
  return std::unique_ptr<VkKernel>(new OneDKernel(p, 1));
}

const VulkanOp kOps[] = {
    {"Add", binary_supports, binary_create<0>},
    {"Mul", binary_supports, binary_create<1>},
    {"Relu", unary_supports, relu_create},
};

}  // namespace

std::span<const VulkanOp> elementwise_ops() { return kOps; }

}  // namespace edgerun::vk
