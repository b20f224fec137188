// Pooling on Vulkan: MaxPool (float32, float16 storage, int8/uint8 as 32-bit ints; dilations,
// ceil_mode, pads / auto_pad, the optional Indices output with storage_order), AveragePool
// (count_include_pad), LpPool, 1-3 spatial dims (shaders/pool.comp, one invocation per output), and
// GlobalAveragePool / GlobalMaxPool / GlobalLpPool (shaders/pool_global.comp, one workgroup per
// plane). Geometry from ops/conv_util.h, as in the reference kernels.
#include <algorithm>
#include <limits>

#include "base/strcat.h"
#include "shaders/pool_f16.spv.h"
#include "shaders/pool_f32.spv.h"
#include "shaders/pool_global_f16.spv.h"
#include "shaders/pool_global_f32.spv.h"
#include "shaders/pool_i32.spv.h"
#include "vulkan/kernels/vulkan_common.h"
#include "vulkan/kernels/window3d.h"

namespace edgerun::vk {

namespace {

enum Mode : uint32_t { kMax = 0, kAvg = 1, kLp = 2 };

struct PoolPush {
  uint32_t total;
  int32_t geo[18];
  int32_t pe[3];
  int32_t p;
  int32_t lowest;
};
static_assert(sizeof(PoolPush) == 96);

struct GlobalPush {
  uint32_t planes, len;
  int32_t p;
};

Support pool_common_supports(const NodeView& n, const VulkanContext& c, bool allow_int8) {
  const std::string& op = n.node.op_type;
  if (!standard_domain(n)) return Support::no(str_cat("vulkan: ", op, " in domain ", n.node.domain, " not supported"));
  std::string r = allow_int8 ? check_dtypes(n, {DataType::kFloat32, DataType::kFloat16, DataType::kInt8, DataType::kUInt8})
                             : check_dtypes(n, {DataType::kFloat32, DataType::kFloat16});
  if (!r.empty()) return Support::no(r);
  if (!n.node.fused_activation.empty())
    return Support::no(str_cat("vulkan: ", op, " with fused activation ", n.node.fused_activation, " not supported"));
  const ShapeInfo& x = n.inputs.empty() ? ShapeInfo{} : n.inputs[0].shape;
  const bool global = op.rfind("Global", 0) == 0;
  if (!global && x.rank_known && (x.rank() < 3 || x.rank() > 5))
    return Support::no(str_cat("vulkan: ", op, " with ", static_cast<int64_t>(x.rank()) - 2,
                               " spatial dims not supported (1 to 3)"));
  if ((op == "LpPool" || op == "GlobalLpPool") && n.node.attrs.get_int("p", 2) <= 0)
    return Support::no(str_cat("vulkan: ", op, " with p <= 0 not supported"));
  if (std::string l = c.check_binding_limits(n); !l.empty()) return Support::no(l);
  return Support::yes();
}

// ---- windowed pools ----

class PoolKernel final : public VkKernel {
 public:
  PoolKernel(const ComputePipeline* p, Mode mode, int32_t lowest) : p_(p), mode_(mode), lowest_(lowest) {}

  Status record(RecordContext& rc) const override {
    const DeviceTensor& y = rc.output(0);
    if (y.numel() == 0) return Status::Ok();
    const DeviceTensor& x = *rc.input(0);
    if (x.shape.size() < 3 || x.shape.size() > 5)
      return rc.error(str_cat("vulkan: X ", shape_to_string(x.shape), " must have rank 3 to 5"));
    const size_t nsp = x.shape.size() - 2;
    auto p = read_window_params(rc.attrs(), nsp, {});
    if (!p.ok()) return rc.error(p.status().message());
    const std::vector<int64_t> in(x.shape.begin() + 2, x.shape.end());
    auto geo = window_geometry(*p, in);
    if (!geo.ok()) return rc.error(geo.status().message());
    auto g = make_window3(*p, in, *geo);
    if (!g.ok()) return rc.error(g.status().message());
    PoolPush pc{};
    pc.total = static_cast<uint32_t>(y.numel());
    g->pack(pc.geo);
    std::copy(g->pe, g->pe + 3, pc.pe);
    pc.p = static_cast<int32_t>(rc.attrs().get_int("p", 2));
    pc.lowest = lowest_;
    const bool want_idx = mode_ == kMax && rc.output_requested(1);
    const DeviceTensor* bind[] = {&x, &y, want_idx ? &rc.output(1) : &x};
    return rc.dispatch(*p_, bind, &pc, sizeof pc, rc.ctx().groups_for(pc.total), 1, 1, want_idx ? 0b110u : 0b010u);
  }

 private:
  const ComputePipeline* p_;  // variant and specialization fixed at create()
  Mode mode_;
  int32_t lowest_;
};

template <Mode kMode>
Support pool_supports(const NodeView& n, const VulkanContext& c) {
  return pool_common_supports(n, c, kMode == kMax);
}

template <Mode kMode>
Result<std::unique_ptr<VkKernel>> pool_create(const NodeView& n, std::shared_ptr<const VulkanContext> c) {
  const DataType dt = n.input_dtype(0);
  std::span<const uint32_t> spv = dt == DataType::kFloat16   ? std::span<const uint32_t>(shaders::kSpirv_pool_f16)
                                  : dt == DataType::kFloat32 ? std::span<const uint32_t>(shaders::kSpirv_pool_f32)
                                                             : std::span<const uint32_t>(shaders::kSpirv_pool_i32);
  const Attributes& a = n.node.attrs;
  const bool want_idx = kMode == kMax && n.node.outputs.size() > 1 && n.node.outputs[1] != kNoValue;
  const uint32_t count_pad = kMode == kAvg && a.get_int("count_include_pad", 0) != 0 ? 1 : 0;
  const uint32_t col_major = kMode == kMax && a.get_int("storage_order", 0) == 1 ? 1 : 0;
  ER_ASSIGN_OR_RETURN(const ComputePipeline* p,
                      c->pipeline(spv, 3, sizeof(PoolPush),
                                  {kMode, count_pad, want_idx ? 1u : 0u, col_major, c->workgroup_size()}));
  const int32_t lowest = dt == DataType::kInt8 ? -128 : 0;
  return std::unique_ptr<VkKernel>(new PoolKernel(p, kMode, lowest));
}

// ---- global pools ----

class GlobalPoolKernel final : public VkKernel {
 public:
  explicit GlobalPoolKernel(const ComputePipeline* p) : p_(p) {}

  Status record(RecordContext& rc) const override {
    const DeviceTensor& y = rc.output(0);
    if (y.numel() == 0) return Status::Ok();
    const DeviceTensor& x = *rc.input(0);
    if (x.shape.size() < 2) return rc.error(str_cat("vulkan: X ", shape_to_string(x.shape), " must have rank >= 3"));
    GlobalPush pc{};
    pc.planes = static_cast<uint32_t>(x.shape[0] * x.shape[1]);
    int64_t len = 1;
    for (size_t d = 2; d < x.shape.size(); ++d) len *= x.shape[d];
    pc.len = static_cast<uint32_t>(len);
    pc.p = static_cast<int32_t>(rc.attrs().get_int("p", 2));
    const DeviceTensor* bind[] = {&x, &y};
    return rc.dispatch(*p_, bind, &pc, sizeof pc,
                       std::min<uint32_t>(pc.planes, std::max<uint32_t>(1, rc.ctx().device.info().max_workgroup_count_x)));
  }

 private:
  const ComputePipeline* p_;
};

Support global_supports(const NodeView& n, const VulkanContext& c) { return pool_common_supports(n, c, false); }

template <Mode kMode>
Result<std::unique_ptr<VkKernel>> global_create(const NodeView& n, std::shared_ptr<const VulkanContext> c) {
  std::span<const uint32_t> spv = n.input_dtype(0) == DataType::kFloat16
                                      ? std::span<const uint32_t>(shaders::kSpirv_pool_global_f16)
                                      : std::span<const uint32_t>(shaders::kSpirv_pool_global_f32);
  // The shared-memory tree needs a power-of-two workgroup.
  uint32_t wg = 1;
  while (wg * 2 <= c->workgroup_size()) wg *= 2;
  // pool_global.comp's MODE: 0 average, 1 max, 2 Lp.
  const uint32_t mode = kMode == kAvg ? 0 : kMode == kMax ? 1 : 2;
  ER_ASSIGN_OR_RETURN(const ComputePipeline* p, c->pipeline(spv, 2, sizeof(GlobalPush), {mode, wg}));
  return std::unique_ptr<VkKernel>(new GlobalPoolKernel(p));
}

const VulkanOp kOps[] = {
    {"MaxPool", pool_supports<kMax>, pool_create<kMax>},
    {"AveragePool", pool_supports<kAvg>, pool_create<kAvg>},
    {"LpPool", pool_supports<kLp>, pool_create<kLp>},
    {"GlobalAveragePool", global_supports, global_create<kAvg>},
    {"GlobalMaxPool", global_supports, global_create<kMax>},
    {"GlobalLpPool", global_supports, global_create<kLp>},
};

}  // namespace

std::span<const VulkanOp> pool_ops() { return kOps; }

}  // namespace edgerun::vk
