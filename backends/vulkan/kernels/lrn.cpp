// LRN on Vulkan (shaders/lrn.comp): ONNX LRN-1/13, X of rank >= 2 as [N, C, D1, ..., Dk],
// float32 or float16 storage (fp32 math). The window is channels [c - (size-1)/2, c + size-1-(size-1)/2]
// clipped to [0, C), as the reference backend (backends/reference/normalization.cpp) computes it;
// the sum of squares is in fp32 (the reference uses double: results agree to float rounding).
#include <algorithm>
#include <limits>

#include "base/errors.h"
#include "base/strcat.h"
#include "shaders/lrn_f16.spv.h"
#include "shaders/lrn_f32.spv.h"
#include "vulkan/kernels/vulkan_common.h"

namespace edgerun::vk {

namespace {

struct LrnPush {
  uint32_t n = 0, C = 0, inner = 0, lo = 0, hi = 0;
  float alpha_over_size = 0, beta = 0, bias = 0;
};
static_assert(sizeof(LrnPush) == 32, "lrn.comp push constants");

Support lrn_supports(const NodeView& n, const VulkanContext& c) {
  if (!standard_domain(n)) return Support::no(str_cat("vulkan: domain ", n.node.domain, " not supported"));
  if (n.inputs.empty()) return Support::no("vulkan: LRN missing input");
  const DataType dt = n.input_dtype(0);
  if (dt != DataType::kFloat32 && dt != DataType::kFloat16)
    return Support::no(str_cat("vulkan: LRN dtype ", dtype_name(dt), " not supported"));
  if (dt == DataType::kFloat16 && !c.device.info().storage_16bit)
    return Support::no("vulkan: float16 needs 16-bit storage buffers (storageBuffer16BitAccess)");
  if (!n.node.fused_activation.empty())
    return Support::no(str_cat("vulkan: LRN with a fused activation ", n.node.fused_activation, " not supported"));
  const ShapeInfo& s = n.inputs[0].shape;
  if (s.rank_known && s.rank() < 2) return Support::no("vulkan: LRN needs rank >= 2");
  const int64_t size = n.node.attrs.get_int("size", 0);
  if (size <= 0) return Support::no("vulkan: LRN attribute size must be positive");
  if (size > std::numeric_limits<int32_t>::max()) return Support::no(str_cat("vulkan: LRN size ", size, " too large"));
  if (std::string r = c.check_binding_limits(n); !r.empty()) return Support::no(r);
  return Support::yes();
}

class LrnKernel final : public VkKernel {
 public:
  explicit LrnKernel(const ComputePipeline* p) : p_(p) {}

  Status record(RecordContext& rc) const override {
    const DeviceTensor* x = rc.input(0);
    if (!x) return rc.error("vulkan: input 0 is not on the device");
    const Shape& xs = x->shape;
    if (xs.size() < 2) return rc.error("X must have rank >= 2");
    const int64_t numel = x->numel();
    if (numel == 0) return Status::Ok();
    if (static_cast<uint64_t>(numel) > rc.ctx().max_elements(x->storage))
      return rc.error(str_cat("vulkan: LRN input of ", numel, " elements exceeds one binding"));
    const int64_t size = rc.attrs().get_int("size", 0);
    if (size <= 0) return rc.error("attribute size must be positive");
    const int64_t channels = xs[1];
    const int64_t lo = (size - 1) / 2, hi = size - 1 - lo;
    LrnPush p;
    p.n = static_cast<uint32_t>(numel);
    p.C = static_cast<uint32_t>(channels);
    p.inner = static_cast<uint32_t>(numel / (xs[0] * channels));
    // The window never reaches past C - 1 channels either side.
    p.lo = static_cast<uint32_t>(std::min(lo, channels));
    p.hi = static_cast<uint32_t>(std::min(hi, channels));
    const double alpha = rc.attrs().get_float("alpha", 1e-4f);
    p.alpha_over_size = static_cast<float>(alpha / static_cast<double>(size));
    p.beta = rc.attrs().get_float("beta", 0.75f);
    p.bias = rc.attrs().get_float("bias", 1.0f);
    const DeviceTensor* b[] = {x, &rc.output(0)};
    return rc.dispatch(*p_, b, &p, sizeof p, rc.ctx().groups_for(static_cast<uint64_t>(numel)));
  }

 private:
  const ComputePipeline* p_;
};

Result<std::unique_ptr<VkKernel>> lrn_create(const NodeView& n, std::shared_ptr<const VulkanContext> c) {
  const bool f16 = n.input_dtype(0) == DataType::kFloat16;
  std::span<const uint32_t> spirv = f16 ? std::span<const uint32_t>(shaders::kSpirv_lrn_f16)
                                        : std::span<const uint32_t>(shaders::kSpirv_lrn_f32);
  ER_ASSIGN_OR_RETURN(const ComputePipeline* p, c->pipeline(spirv, 2, sizeof(LrnPush), {c->workgroup_size()}));
  return std::unique_ptr<VkKernel>(new LrnKernel(p));
}

const VulkanOp kOps[] = {
    {"LRN", lrn_supports, lrn_create},
};

}  // namespace

std::span<const VulkanOp> lrn_ops() { return kOps; }

}  // namespace edgerun::vk
