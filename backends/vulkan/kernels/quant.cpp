// Quantization kernels on Vulkan: DequantizeLinear and QuantizeLinear (per-tensor, per-axis and
// blocked scales), bit-exact with the reference backend.
//
// Integer tensors (int8/uint8/int16/uint16/int32) are 32-bit ints on the device; the scale is
// float32 or float16, the zero point an int tensor of the quantized dtype. Both are ordinary
// device inputs (constants are uploaded once), read per element through the parameter index.
// QuantizeLinear divides with integer arithmetic (shaders/quant_quantize.comp div_rn) because
// Vulkan allows 2.5 ulp for a float division and the reference rounds the correctly rounded
// quotient half to even. fp8/int4/int2 outputs and bfloat16/double parameters are not device
// dtypes: supports() refuses them. QLinearConv/QLinearMatMul (the fused QDQ forms) stay on the
// CPU backend.
#include <algorithm>

#include "base/strcat.h"
#include "ops/shape_util.h"
#include "shaders/quant_dq_s16_y16.spv.h"
#include "shaders/quant_dq_s16_y32.spv.h"
#include "shaders/quant_dq_s32_y16.spv.h"
#include "shaders/quant_dq_s32_y32.spv.h"
#include "shaders/quant_q_x16_s16.spv.h"
#include "shaders/quant_q_x16_s32.spv.h"
#include "shaders/quant_q_x32_s16.spv.h"
#include "shaders/quant_q_x32_s32.spv.h"
#include "vulkan/kernels/vulkan_common.h"

namespace edgerun::vk {

namespace {

bool present(const NodeView& n, size_t i) { return i < n.node.inputs.size() && n.node.inputs[i] != kNoValue; }

bool is_quant_int(DataType dt) {
  return dt == DataType::kInt8 || dt == DataType::kUInt8 || dt == DataType::kInt16 || dt == DataType::kUInt16;
}

bool is_device_float(DataType dt, const VulkanContext& c) {
  return dt == DataType::kFloat32 || (dt == DataType::kFloat16 && c.device.info().storage_16bit);
}

struct QuantPush {
  uint32_t n, inner, axis_dim, block, scale_axis_dim, mode;
  int32_t lo, hi;
};

// The reference's QuantParamMap (backends/reference/quantize.cpp make_param_map) for the
// concrete shapes, as push constants.
Status param_map(const RecordContext& rc, const Shape& x, const Shape& scale, QuantPush* p) {
  const int64_t block = rc.attrs().get_int("block_size", 0);
  if (block < 0) return rc.error("block_size must be >= 0");
  int64_t scale_n = 1;
  for (int64_t d : scale) scale_n *= d;
  p->inner = p->axis_dim = p->block = p->scale_axis_dim = 1;
  p->mode = 0;
  if (scale_n == 1 && scale.size() <= 1 && block == 0) return Status::Ok();
  const int64_t r = static_cast<int64_t>(x.size());
  if (r == 0) return rc.error("per-axis quantization needs a non-scalar input");
  auto ax = normalize_axis(rc.attrs().get_int("axis", 1), r);
  if (!ax.ok()) return rc.error(ax.status().message());
  const size_t axis = static_cast<size_t>(*ax);
  int64_t inner = 1;
  for (size_t d = axis + 1; d < x.size(); ++d) inner *= x[d];
  p->inner = static_cast<uint32_t>(std::max<int64_t>(inner, 1));
  p->axis_dim = static_cast<uint32_t>(std::max<int64_t>(x[axis], 1));
  if (block == 0) {
    if (scale.size() != 1 || scale[0] != x[axis]) return rc.error("per-axis scale must be 1-D with x.shape[axis] elements");
    return Status::Ok();
  }
  if (scale.size() != x.size()) return rc.error("blocked scale must have the rank of x");
  for (size_t d = 0; d < x.size(); ++d) {
    if (d == axis) {
      if (scale[d] != (x[d] + block - 1) / block)
        return rc.error("blocked scale dimension on axis must be ceil(x.shape[axis] / block_size)");
    } else if (scale[d] != x[d]) {
      return rc.error("blocked scale must match x except on axis");
    }
  }
  p->mode = 1;
  p->block = static_cast<uint32_t>(block);
  p->scale_axis_dim = static_cast<uint32_t>(std::max<int64_t>(scale[axis], 1));
  return Status::Ok();
}

Support common_support(const NodeView& n, const VulkanContext& c) {
  if (!standard_domain(n)) return Support::no(str_cat("vulkan: domain ", n.node.domain, " not supported"));
  if (!present(n, 0) || !present(n, 1)) return Support::no(str_cat("vulkan: ", n.node.op_type, " needs x and the scale"));
  for (size_t i = 0; i < n.inputs.size(); ++i)
    if (present(n, i) && n.inputs[i].kind != ValueKind::kTensor)
      return Support::no(str_cat("vulkan: ", n.node.op_type, " input ", i, " is not a tensor"));
  if (n.node.attrs.get_int("block_size", 0) < 0) return Support::no("vulkan: block_size must be >= 0");
  const DataType st = n.input_dtype(1);
  if (!is_device_float(st, c)) return Support::no(str_cat("vulkan: dtype ", dtype_name(st), " not supported (scale)"));
  return Support::yes();
}

class QuantKernel final : public VkKernel {
 public:
  QuantKernel(std::shared_ptr<const VulkanContext> c, const ComputePipeline* p, bool quantize)
      : c_(std::move(c)), p_(p), quantize_(quantize) {}

  Status record(RecordContext& rc) const override {
    const DeviceTensor* x = rc.input(0);
    const DeviceTensor* s = rc.input(1);
    const DeviceTensor* z = rc.input(2);
    if (!x || !s) return rc.error("x and the scale must be on the device");
    const DeviceTensor& y = rc.output(0);
    QuantPush push{};
    ER_RETURN_IF_ERROR(param_map(rc, x->shape, s->shape, &push));
    if (z && z->numel() != s->numel()) return rc.error("zero point shape must match the scale's");
    if (quantize_) {
      switch (y.dtype) {
        case DataType::kUInt8: push.lo = 0; push.hi = 255; break;
        case DataType::kInt8: push.lo = -128; push.hi = 127; break;
        case DataType::kUInt16: push.lo = 0; push.hi = 65535; break;
        case DataType::kInt16: push.lo = -32768; push.hi = 32767; break;
        default: return rc.error(str_cat("output dtype ", dtype_name(y.dtype), " not supported"));
      }
    }
    const int64_t n = x->numel();
    if (n == 0) return Status::Ok();
    push.n = static_cast<uint32_t>(n);
    const DeviceTensor* bind[] = {x, s, z ? z : s, &y};
    return rc.dispatch(*p_, bind, &push, sizeof push, rc.ctx().groups_for(static_cast<uint64_t>(n)));
  }

 private:
  std::shared_ptr<const VulkanContext> c_;
  const ComputePipeline* p_;
  bool quantize_;
};

// ---- DequantizeLinear ----

Support dq_supports(const NodeView& n, const VulkanContext& c) {
  Support s = common_support(n, c);
  if (!s.ok) return s;
  const DataType xt = n.input_dtype(0);
  if (!is_quant_int(xt) && xt != DataType::kInt32)
    return Support::no(str_cat("vulkan: DequantizeLinear of ", dtype_name(xt), " not supported"));
  if (present(n, 2) && n.input_dtype(2) != xt) return Support::no("vulkan: zero point dtype must match x's");
  const DataType yt = n.outputs.empty() ? DataType::kUndefined : n.outputs[0].dtype;
  if (!is_device_float(yt, c)) return Support::no(str_cat("vulkan: dtype ", dtype_name(yt), " not supported (output)"));
  std::string lim = c.check_binding_limits(n);
  if (!lim.empty()) return Support::no(lim);
  return Support::yes();
}

Result<std::unique_ptr<VkKernel>> dq_create(const NodeView& n, std::shared_ptr<const VulkanContext> c) {
  const bool s16 = n.input_dtype(1) == DataType::kFloat16;
  const bool y16 = n.outputs.at(0).dtype == DataType::kFloat16;
  std::span<const uint32_t> spv = s16 ? (y16 ? std::span<const uint32_t>(shaders::kSpirv_quant_dq_s16_y16)
                                             : std::span<const uint32_t>(shaders::kSpirv_quant_dq_s16_y32))
                                      : (y16 ? std::span<const uint32_t>(shaders::kSpirv_quant_dq_s32_y16)
                                             : std::span<const uint32_t>(shaders::kSpirv_quant_dq_s32_y32));
  ER_ASSIGN_OR_RETURN(const ComputePipeline* p,
                      c->pipeline(spv, 4, sizeof(QuantPush), {c->workgroup_size(), present(n, 2) ? 1u : 0u}));
  return std::unique_ptr<VkKernel>(new QuantKernel(std::move(c), p, false));
}

// ---- QuantizeLinear ----

// The precision the reference computes in: the precision attribute, else x's dtype.
DataType q_precision(const NodeView& n) {
  const auto prec = static_cast<DataType>(n.node.attrs.get_int("precision", 0));
  return prec == DataType::kUndefined ? n.input_dtype(0) : prec;
}

Support q_supports(const NodeView& n, const VulkanContext& c) {
  Support s = common_support(n, c);
  if (!s.ok) return s;
  const DataType xt = n.input_dtype(0);
  if (!is_device_float(xt, c)) return Support::no(str_cat("vulkan: QuantizeLinear of ", dtype_name(xt), " not supported"));
  const DataType prec = q_precision(n);
  if (prec != DataType::kFloat32 && prec != DataType::kFloat16)
    return Support::no(str_cat("vulkan: QuantizeLinear precision ", dtype_name(prec), " not supported"));
  const DataType yt = n.outputs.empty() ? DataType::kUndefined : n.outputs[0].dtype;
  if (!is_quant_int(yt)) return Support::no(str_cat("vulkan: QuantizeLinear to ", dtype_name(yt), " not supported"));
  if (present(n, 2) && n.input_dtype(2) != yt) return Support::no("vulkan: zero point dtype must match the output's");
  std::string lim = c.check_binding_limits(n);
  if (!lim.empty()) return Support::no(lim);
  return Support::yes();
}

Result<std::unique_ptr<VkKernel>> q_create(const NodeView& n, std::shared_ptr<const VulkanContext> c) {
  const bool x16 = n.input_dtype(0) == DataType::kFloat16;
  const bool s16 = n.input_dtype(1) == DataType::kFloat16;
  std::span<const uint32_t> spv = x16 ? (s16 ? std::span<const uint32_t>(shaders::kSpirv_quant_q_x16_s16)
                                             : std::span<const uint32_t>(shaders::kSpirv_quant_q_x16_s32))
                                      : (s16 ? std::span<const uint32_t>(shaders::kSpirv_quant_q_x32_s16)
                                             : std::span<const uint32_t>(shaders::kSpirv_quant_q_x32_s32));
  const uint32_t prec16 = q_precision(n) == DataType::kFloat16 ? 1 : 0;
  ER_ASSIGN_OR_RETURN(const ComputePipeline* p,
                      c->pipeline(spv, 4, sizeof(QuantPush), {c->workgroup_size(), present(n, 2) ? 1u : 0u, prec16}));
  return std::unique_ptr<VkKernel>(new QuantKernel(std::move(c), p, true));
}

const VulkanOp kOps[] = {
    {"DequantizeLinear", dq_supports, dq_create},
    {"QuantizeLinear", q_supports, q_create},
};

}  // namespace

std::span<const VulkanOp> quant_ops() { return kOps; }

}  // namespace edgerun::vk
