// Normalisation kernels on Vulkan (shaders/norm.comp, shaders/norm_batch.comp):
//   LayerNormalization (Scale/B broadcast to X; the Mean/InvStdDev outputs when stash_type is
//   float32), RMSNormalization, InstanceNormalization, GroupNormalization (per-group parameters in
//   opset 18, per-channel from 21) and BatchNormalization (inference; training_mode=1 refused; the
//   node's fused activation applied).
// X, the parameters and Y are float32 or float16 (fp32 math); statistics are computed in fp32
// (the reference uses double: results agree to float rounding).
// (Softmax, LpNormalization and MeanVarianceNormalization live in reduce.cpp: they share its
// kept/reduced addressing.)
#include <algorithm>

#include "base/errors.h"
#include "base/strcat.h"
#include "ops/shape_util.h"
#include "shaders/norm_batch_f16.spv.h"
#include "shaders/norm_batch_f32.spv.h"
#include "shaders/norm_f16.spv.h"
#include "shaders/norm_f32.spv.h"
#include "vulkan/kernels/vulkan_common.h"

namespace edgerun::vk {

namespace {

constexpr size_t kMaxRank = 8;

uint32_t pow2_workgroup(const VulkanContext& c) {
  uint32_t w = 1;
  while (w * 2 <= c.workgroup_size()) w *= 2;
  return w;
}

bool input_present(const NodeView& n, size_t i) {
  return i < n.node.inputs.size() && n.node.inputs[i] != kNoValue && n.input_dtype(i) != DataType::kUndefined;
}

bool output_present(const Node& node, size_t i) { return i < node.outputs.size() && node.outputs[i] != kNoValue; }

// Checks shared by every op here: domain, X float32/float16 (with 16-bit storage), the present
// inputs in [1, n_params] of X's dtype, rank known and <= 8, binding limits.
Support float_checks(const NodeView& n, const VulkanContext& c, size_t max_inputs) {
  if (!standard_domain(n)) return Support::no(str_cat("vulkan: domain ", n.node.domain, " not supported"));
  if (n.inputs.empty()) return Support::no("vulkan: missing input");
  const DataType dt = n.input_dtype(0);
  if (dt != DataType::kFloat32 && dt != DataType::kFloat16)
    return Support::no(str_cat("vulkan: ", n.node.op_type, " dtype ", dtype_name(dt), " not supported"));
  if (dt == DataType::kFloat16 && !c.device.info().storage_16bit)
    return Support::no("vulkan: float16 needs 16-bit storage buffers (storageBuffer16BitAccess)");
  if (n.inputs.size() > max_inputs) return Support::no(str_cat("vulkan: ", n.node.op_type, " has too many inputs"));
  for (size_t i = 1; i < n.inputs.size(); ++i)
    if (input_present(n, i) && n.input_dtype(i) != dt)
      return Support::no(str_cat("vulkan: ", n.node.op_type, " input ", i, " dtype ", dtype_name(n.input_dtype(i)),
                                 " differs from X's ", dtype_name(dt)));
  const ShapeInfo& s = n.inputs[0].shape;
  if (!s.rank_known) return Support::no(str_cat("vulkan: ", n.node.op_type, " needs the input rank"));
  if (s.rank() > kMaxRank) return Support::no(str_cat("vulkan: ", n.node.op_type, " of rank ", s.rank(), " > 8 not supported"));
  if (std::string r = c.check_binding_limits(n); !r.empty()) return Support::no(r);
  return Support::yes();
}

// ---- LayerNormalization / RMSNormalization / InstanceNormalization / GroupNormalization ----

struct NormPush {
  uint32_t rows = 0, len = 0;
  float eps = 0;
  uint32_t G = 1, cg = 1, inner = 1, rank = 0, pmode = 0;
  uint32_t dims[kMaxRank] = {}, sst[kMaxRank] = {}, bst[kMaxRank] = {};
};
static_assert(sizeof(NormPush) == 128, "norm.comp push constants");

enum class NormKind { kLayer, kRms, kInstance, kGroup };

NormKind norm_kind(const std::string& op) {
  if (op == "RMSNormalization") return NormKind::kRms;
  if (op == "InstanceNormalization") return NormKind::kInstance;
  if (op == "GroupNormalization") return NormKind::kGroup;
  return NormKind::kLayer;
}

bool wants_stats(const Node& node) { return output_present(node, 1) || output_present(node, 2); }

Support norm_supports(const NodeView& n, const VulkanContext& c) {
  const NormKind kind = norm_kind(n.node.op_type);
  Support s = float_checks(n, c, kind == NormKind::kRms ? 2 : 3);
  if (!s.ok) return s;
  if (!n.node.fused_activation.empty())
    return Support::no(str_cat("vulkan: ", n.node.op_type, " with a fused activation not supported"));
  if (!input_present(n, 1)) return Support::no(str_cat("vulkan: ", n.node.op_type, " needs its scale input"));
  if ((kind == NormKind::kInstance || kind == NormKind::kGroup) && !input_present(n, 2))
    return Support::no(str_cat("vulkan: ", n.node.op_type, " needs its bias input"));
  if (kind == NormKind::kLayer && wants_stats(n.node) && n.node.attrs.get_int("stash_type", 1) != 1)
    return Support::no("vulkan: LayerNormalization Mean/InvStdDev outputs only with stash_type=1 (float32)");
  if (kind == NormKind::kLayer || kind == NormKind::kRms) {
    const int64_t r = static_cast<int64_t>(n.inputs[0].shape.rank());
    if (!normalize_axis(n.node.attrs.get_int("axis", -1), r).ok()) return Support::no("vulkan: axis out of range");
    for (size_t i = 1; i < n.inputs.size(); ++i)
      if (input_present(n, i) && (!n.inputs[i].shape.rank_known || static_cast<int64_t>(n.inputs[i].shape.rank()) > r))
        return Support::no(str_cat("vulkan: ", n.node.op_type, " input ", i, " must have a known rank <= X's"));
  } else {
    if (n.inputs[0].shape.rank() < 2) return Support::no(str_cat("vulkan: ", n.node.op_type, " needs rank >= 2"));
    if (kind == NormKind::kGroup && n.node.attrs.get_int("num_groups", 0) <= 0)
      return Support::no("vulkan: GroupNormalization num_groups must be positive");
  }
  return Support::yes();
}

class NormKernel final : public VkKernel {
 public:
  NormKernel(const ComputePipeline* thread, const ComputePipeline* wg, NormKind kind, bool has_bias, bool stats)
      : thread_(thread), wg_(wg), kind_(kind), has_bias_(has_bias), stats_(stats) {}

  Status record(RecordContext& rc) const override {
    const DeviceTensor* x = rc.input(0);
    const DeviceTensor* scale = rc.input(1);
    const DeviceTensor* bias = has_bias_ ? rc.input(2) : scale;
    if (!x || !scale || !bias) return rc.error("vulkan: inputs are not on the device");
    const Shape& xs = x->shape;
    const int64_t rank = static_cast<int64_t>(xs.size());
    NormPush p;
    p.eps = rc.attrs().get_float("epsilon", 1e-5f);
    int64_t rows = 1, len = 1;
    if (kind_ == NormKind::kLayer || kind_ == NormKind::kRms) {
      ER_ASSIGN_OR_RETURN(int64_t axis, normalize_axis(rc.attrs().get_int("axis", -1), rank));
      for (int64_t d = 0; d < rank; ++d) (d < axis ? rows : len) *= xs[static_cast<size_t>(d)];
      ER_RETURN_IF_ERROR(broadcast_params(rc, xs, scale->shape, has_bias_ ? &bias->shape : nullptr, &p));
    } else {
      const int64_t n = xs[0], c = xs[1];
      const int64_t inner = n * c == 0 ? 0 : x->numel() / (n * c);
      int64_t g = c, expect = c;
      p.pmode = 1;
      if (kind_ == NormKind::kGroup) {
        g = rc.attrs().get_int("num_groups", 0);
        if (g <= 0 || c % g != 0) return rc.error(str_cat("num_groups ", g, " must be positive and divide C = ", c));
        const int v = rc.node().since_version;
        const bool per_group = (v > 0 && v < 21) || (v == 0 && scale->numel() == g && g != c);
        if (per_group) {
          p.pmode = 2;
          expect = g;
        }
      }
      if (scale->numel() != expect || bias->numel() != expect)
        return rc.error(str_cat("scale and bias must have ", expect, " elements"));
      rows = n * g;
      len = g == 0 ? 0 : (c / g) * inner;
      p.G = static_cast<uint32_t>(std::max<int64_t>(g, 1));
      p.cg = static_cast<uint32_t>(g == 0 ? 1 : c / g);
      p.inner = static_cast<uint32_t>(std::max<int64_t>(inner, 1));
    }
    p.rows = static_cast<uint32_t>(rows);
    p.len = static_cast<uint32_t>(len);
    if (rows == 0) return Status::Ok();
    const DeviceTensor* mean = nullptr;
    const DeviceTensor* inv = nullptr;
    DeviceTensor dummy;
    if (stats_) {
      ER_ASSIGN_OR_RETURN(dummy, rc.scratch(DataType::kFloat32, {rows}));
      mean = rc.num_outputs() > 1 && rc.output_requested(1) ? &rc.output(1) : &dummy;
      inv = rc.num_outputs() > 2 && rc.output_requested(2) ? &rc.output(2) : &dummy;
      if (mean->numel() != rows || inv->numel() != rows) return rc.error("vulkan: statistics outputs have the wrong size");
    } else {
      ER_ASSIGN_OR_RETURN(dummy, rc.scratch(DataType::kFloat32, {1}));
      mean = inv = &dummy;
    }
    if (len == 0 && !stats_) return Status::Ok();
    const DeviceTensor* b[] = {x, scale, bias, &rc.output(0), mean, inv};
    const uint32_t writes = (1u << 3) | (stats_ ? (1u << 4) | (1u << 5) : 0u);
    const bool wg = len >= 128 || (len > 16 && rows <= 1024);
    if (wg) {
      const uint32_t groups = static_cast<uint32_t>(
          std::min<int64_t>(rows, std::max<uint32_t>(1, rc.ctx().device.info().max_workgroup_count_x)));
      return rc.dispatch(*wg_, b, &p, sizeof p, groups, 1, 1, writes);
    }
    return rc.dispatch(*thread_, b, &p, sizeof p, rc.ctx().groups_for(static_cast<uint64_t>(rows)), 1, 1, writes);
  }

 private:
  // Broadcast strides of Scale (and B) over X, with X's dims of size 1 dropped and adjacent dims
  // merged where both parameters continue contiguously (or stay broadcast).
  static Status broadcast_params(RecordContext& rc, const Shape& xs, const Shape& ss, const Shape* bs, NormPush* p) {
    auto bcast = [&](const Shape& t, const char* what) -> Result<std::vector<int64_t>> {
      auto b = broadcast_shapes(xs, t);
      if (!b.ok() || *b != xs)
        return invalid_argument(rc.node().label(), ": ", what, " ", shape_to_string(t), " does not broadcast to X ",
                                shape_to_string(xs));
      return broadcast_strides(t, xs);
    };
    ER_ASSIGN_OR_RETURN(std::vector<int64_t> s, bcast(ss, "scale"));
    std::vector<int64_t> b(xs.size(), 0);
    if (bs) {
      ER_ASSIGN_OR_RETURN(b, bcast(*bs, "bias"));
    }
    std::vector<int64_t> dims, sst, bst;
    for (size_t d = 0; d < xs.size(); ++d) {
      if (xs[d] == 1) continue;
      if (!dims.empty() && sst.back() == s[d] * xs[d] && bst.back() == b[d] * xs[d]) {
        dims.back() *= xs[d];
        sst.back() = s[d];
        bst.back() = b[d];
        continue;
      }
      dims.push_back(xs[d]);
      sst.push_back(s[d]);
      bst.push_back(b[d]);
    }
    p->rank = static_cast<uint32_t>(dims.size());
    for (size_t i = 0; i < dims.size(); ++i) {
      p->dims[i] = static_cast<uint32_t>(dims[i]);
      p->sst[i] = static_cast<uint32_t>(sst[i]);
      p->bst[i] = static_cast<uint32_t>(bst[i]);
    }
    return Status::Ok();
  }

  const ComputePipeline* thread_;
  const ComputePipeline* wg_;
  NormKind kind_;
  bool has_bias_, stats_;
};

Result<std::unique_ptr<VkKernel>> norm_create(const NodeView& n, std::shared_ptr<const VulkanContext> c) {
  const NormKind kind = norm_kind(n.node.op_type);
  const bool f16 = n.input_dtype(0) == DataType::kFloat16;
  std::span<const uint32_t> spirv = f16 ? std::span<const uint32_t>(shaders::kSpirv_norm_f16)
                                        : std::span<const uint32_t>(shaders::kSpirv_norm_f32);
  const bool has_bias = kind != NormKind::kRms && input_present(n, 2);
  const bool stats = kind == NormKind::kLayer && wants_stats(n.node);
  const uint32_t w = pow2_workgroup(*c);
  auto spec = [&](bool wg) {
    return std::vector<uint32_t>{w, wg ? 1u : 0u, kind == NormKind::kRms ? 1u : 0u, has_bias ? 1u : 0u, stats ? 1u : 0u};
  };
  ER_ASSIGN_OR_RETURN(const ComputePipeline* thread, c->pipeline(spirv, 6, sizeof(NormPush), spec(false)));
  ER_ASSIGN_OR_RETURN(const ComputePipeline* wg, c->pipeline(spirv, 6, sizeof(NormPush), spec(true)));
  return std::unique_ptr<VkKernel>(new NormKernel(thread, wg, kind, has_bias, stats));
}

// ---- BatchNormalization ----

struct BatchPush {
  uint32_t n = 0, C = 0, inner = 0;
  float eps = 0;
};

Support batchnorm_supports(const NodeView& n, const VulkanContext& c) {
  Support s = float_checks(n, c, 5);
  if (!s.ok) return s;
  if (n.node.attrs.get_int("training_mode", 0) != 0)
    return Support::no("vulkan: BatchNormalization training_mode=1 not supported (inference only)");
  for (size_t i = 1; i < 5; ++i)
    if (!input_present(n, i)) return Support::no(str_cat("vulkan: BatchNormalization input ", i, " missing"));
  for (size_t i = 1; i < n.node.outputs.size(); ++i)
    if (output_present(n.node, i))
      return Support::no("vulkan: BatchNormalization statistics outputs (older opsets) not supported");
  if (n.inputs[0].shape.rank() < 2) return Support::no("vulkan: BatchNormalization needs rank >= 2");
  if (!activation_supported(n.node))
    return Support::no(str_cat("vulkan: fused activation ", n.node.fused_activation, " not supported"));
  return Support::yes();
}

class BatchNormKernel final : public VkKernel {
 public:
  explicit BatchNormKernel(const ComputePipeline* p) : p_(p) {}
  Status record(RecordContext& rc) const override {
    const DeviceTensor* x = rc.input(0);
    if (!x) return rc.error("vulkan: input 0 is not on the device");
    const int64_t c = x->shape[1];
    for (size_t i = 1; i < 5; ++i) {
      const DeviceTensor* t = rc.input(i);
      if (!t) return rc.error(str_cat("vulkan: input ", i, " is not on the device"));
      if (t->numel() != c) return rc.error(str_cat("input ", i, " has ", t->numel(), " elements, expected ", c));
    }
    const int64_t numel = x->numel();
    if (numel == 0) return Status::Ok();
    BatchPush p;
    p.n = static_cast<uint32_t>(numel);
    p.C = static_cast<uint32_t>(c);
    p.inner = static_cast<uint32_t>(numel / (x->shape[0] * c));
    p.eps = rc.attrs().get_float("epsilon", 1e-5f);
    const DeviceTensor* b[] = {x, rc.input(1), rc.input(2), rc.input(3), rc.input(4), &rc.output(0)};
    return rc.dispatch(*p_, b, &p, sizeof p, rc.ctx().groups_for(static_cast<uint64_t>(numel)));
  }

 private:
  const ComputePipeline* p_;
};

Result<std::unique_ptr<VkKernel>> batchnorm_create(const NodeView& n, std::shared_ptr<const VulkanContext> c) {
  const bool f16 = n.input_dtype(0) == DataType::kFloat16;
  std::span<const uint32_t> spirv = f16 ? std::span<const uint32_t>(shaders::kSpirv_norm_batch_f16)
                                        : std::span<const uint32_t>(shaders::kSpirv_norm_batch_f32);
  std::vector<uint32_t> spec = {c->workgroup_size()};
  for (uint32_t v : activation_spec(n.node)) spec.push_back(v);
  ER_ASSIGN_OR_RETURN(const ComputePipeline* p, c->pipeline(spirv, 6, sizeof(BatchPush), spec));
  return std::unique_ptr<VkKernel>(new BatchNormKernel(p));
}

const VulkanOp kOps[] = {
    {"LayerNormalization", norm_supports, norm_create},
    {"RMSNormalization", norm_supports, norm_create},
    {"InstanceNormalization", norm_supports, norm_create},
    {"GroupNormalization", norm_supports, norm_create},
    {"BatchNormalization", batchnorm_supports, batchnorm_create},
};

}  // namespace

std::span<const VulkanOp> norm_ops() { return kOps; }

}  // namespace edgerun::vk
