// Conv and ConvTranspose on Vulkan (float32, and float16 storage with fp32 accumulation), 1-3
// spatial dims, groups, strides, dilations, pads / auto_pad, bias, fused activation.
//
// Conv picks one of three shaders per concrete shape:
//   - pointwise (1x1x1 kernel, stride 1, no padding): a tiled GEMM W[Mg, Cg] x X[Cg, P] per
//     (image, group) (gemm.comp CONV=1, CONV_MODE 1);
//   - few channels per group (depthwise: Cg == 1, or Mg < 8), or a device without room for the
//     tiled shader's 16x16 workgroup: direct convolution, one invocation per output (conv_direct.comp);
//   - otherwise: the tiled implicit GEMM, im2col computed on the fly while staging B tiles
//     (gemm.comp CONV=1, CONV_MODE 0).
// ConvTranspose is a gather, one invocation per output (conv_transpose.comp).
// The geometry (pads from auto_pad, output sizes) comes from ops/conv_util.h, as in the reference.
#include <algorithm>

#include "base/strcat.h"
#include "shaders/conv_direct_f16.spv.h"
#include "shaders/conv_direct_f32.spv.h"
#include "shaders/conv_gemm_f16.spv.h"
#include "shaders/conv_gemm_f32.spv.h"
#include "shaders/conv_transpose_f16.spv.h"
#include "shaders/conv_transpose_f32.spv.h"
#include "vulkan/kernels/gemm_tiles.h"
#include "vulkan/kernels/vulkan_common.h"
#include "vulkan/kernels/window3d.h"

namespace edgerun::vk {

namespace {

// gemm.comp with CONV=1.
struct GemmPush {
  int32_t M, N, K, batches, groups, C, Cg, Mtot;
  int32_t geo[18];
};
static_assert(sizeof(GemmPush) == 104);

// conv_direct.comp and conv_transpose.comp.
struct DirectPush {
  uint32_t total;
  int32_t C, M, Cg, Mg;
  int32_t geo[18];
};
static_assert(sizeof(DirectPush) == 92);

Support conv_common_supports(const NodeView& n, const VulkanContext& c) {
  const std::string& op = n.node.op_type;
  if (!standard_domain(n)) return Support::no(str_cat("vulkan: ", op, " in domain ", n.node.domain, " not supported"));
  if (std::string r = check_dtypes(n, {DataType::kFloat32, DataType::kFloat16}); !r.empty()) return Support::no(r);
  if (!activation_supported(n.node))
    return Support::no(str_cat("vulkan: ", op, " with fused activation ", n.node.fused_activation, " not supported"));
  for (size_t i = 0; i < 2 && i < n.inputs.size(); ++i) {
    const ShapeInfo& s = n.inputs[i].shape;
    if (s.rank_known && (s.rank() < 3 || s.rank() > 5))
      return Support::no(str_cat("vulkan: ", op, " with ", static_cast<int64_t>(s.rank()) - 2,
                                 " spatial dims not supported (1 to 3)"));
  }
  if (n.node.attrs.get_int("group", 1) <= 0) return Support::no(str_cat("vulkan: ", op, " with group <= 0 not supported"));
  if (std::string r = c.check_binding_limits(n); !r.empty()) return Support::no(r);
  return Support::yes();
}

bool is_f16(const NodeView& n) { return n.input_dtype(0) == DataType::kFloat16; }

std::vector<uint32_t> spec_with(const Node& node, std::initializer_list<uint32_t> extra) {
  std::vector<uint32_t> s = activation_spec(node);
  s.insert(s.end(), extra.begin(), extra.end());
  return s;
}

std::vector<int64_t> spatial(const Shape& s) { return std::vector<int64_t>(s.begin() + 2, s.end()); }

Status check_ranks(const RecordContext& rc, const DeviceTensor& x, const DeviceTensor& w) {
  if (x.shape.size() < 3 || x.shape.size() > 5 || w.shape.size() != x.shape.size())
    return rc.error(str_cat("vulkan: X ", shape_to_string(x.shape), " and W ", shape_to_string(w.shape),
                            " must have the same rank, 3 to 5"));
  return Status::Ok();
}

// ---- Conv ----

class ConvKernel final : public VkKernel {
 public:
  // gemm_spec: the fused activation and HAS_BIAS; CONV_MODE and the tile shape are added per shape.
  ConvKernel(std::span<const uint32_t> gemm, std::vector<uint32_t> gemm_spec, const ComputePipeline* direct)
      : gemm_(gemm), gemm_spec_(std::move(gemm_spec)), direct_(direct) {}

  Status record(RecordContext& rc) const override {
    const DeviceTensor& y = rc.output(0);
    if (y.numel() == 0) return Status::Ok();
    const DeviceTensor& x = *rc.input(0);
    const DeviceTensor& w = *rc.input(1);
    ER_RETURN_IF_ERROR(check_ranks(rc, x, w));
    const int64_t group = rc.attrs().get_int("group", 1);
    const int64_t N = x.shape[0], C = x.shape[1], M = w.shape[0], Cg = w.shape[1];
    if (group <= 0 || M % group != 0 || Cg * group != C)
      return rc.error(str_cat("vulkan: X ", shape_to_string(x.shape), ", W ", shape_to_string(w.shape), " and group ",
                              group, " are inconsistent"));
    const std::vector<int64_t> ksp = spatial(w.shape), in = spatial(x.shape);
    auto p = read_window_params(rc.attrs(), ksp.size(), ksp);
    if (!p.ok()) return rc.error(p.status().message());
    if (p->kernel != ksp) return rc.error("kernel_shape does not match W");
    auto geo = window_geometry(*p, in);
    if (!geo.ok()) return rc.error(geo.status().message());
    auto g = make_window3(*p, in, *geo);
    if (!g.ok()) return rc.error(g.status().message());
    const int64_t Mg = M / group, P = g->out_plane(), KK = g->ksize();
    const DeviceTensor* bias = rc.input(2) ? rc.input(2) : &x;  // any buffer when there is no bias
    const DeviceTensor* bind[] = {nullptr, nullptr, bias, &y};

    if (Cg == 1 || Mg < 8 || !tiled_gemm_fits(rc.ctx().device.info())) {
      DirectPush pc{};
      pc.total = static_cast<uint32_t>(y.numel());
      pc.C = static_cast<int32_t>(C);
      pc.M = static_cast<int32_t>(M);
      pc.Cg = static_cast<int32_t>(Cg);
      pc.Mg = static_cast<int32_t>(Mg);
      g->pack(pc.geo);
      bind[0] = &x;
      bind[1] = &w;
      return rc.dispatch(*direct_, bind, &pc, sizeof pc, rc.ctx().groups_for(pc.total));
    }
    bool pointwise = KK == 1;
    for (int i = 0; i < 3; ++i) pointwise = pointwise && g->s[i] == 1 && g->pb[i] == 0 && g->in[i] == g->out[i];
    GemmPush pc{};
    pc.M = static_cast<int32_t>(Mg);
    pc.N = static_cast<int32_t>(P);
    pc.K = static_cast<int32_t>(Cg * KK);
    pc.batches = static_cast<int32_t>(N * group);
    pc.groups = static_cast<int32_t>(group);
    pc.C = static_cast<int32_t>(C);
    pc.Cg = static_cast<int32_t>(Cg);
    pc.Mtot = static_cast<int32_t>(M);
    g->pack(pc.geo);
    bind[0] = &w;
    bind[1] = &x;
    const GemmTiles t = pick_gemm_tiles(rc.ctx().device.info(), Mg, P);
    std::vector<uint32_t> spec = gemm_spec_;
    spec.insert(spec.end(), {pointwise ? 1u : 0u, t.tm, t.tn});
    ER_ASSIGN_OR_RETURN(const ComputePipeline* pipe, rc.ctx().pipeline(gemm_, 4, sizeof(GemmPush), std::move(spec)));
    return rc.dispatch(*pipe, bind, &pc, sizeof pc, clamp_groups((P + t.cols() - 1) / t.cols()),
                       clamp_groups((Mg + t.rows() - 1) / t.rows()), clamp_groups(N * group));
  }

 private:
  std::span<const uint32_t> gemm_;
  std::vector<uint32_t> gemm_spec_;
  const ComputePipeline* direct_;
};

Support conv_supports(const NodeView& n, const VulkanContext& c) { return conv_common_supports(n, c); }

Result<std::unique_ptr<VkKernel>> conv_create(const NodeView& n, std::shared_ptr<const VulkanContext> c) {
  const bool f16 = is_f16(n);
  const uint32_t has_bias = n.inputs.size() > 2 && n.input_dtype(2) != DataType::kUndefined ? 1 : 0;
  std::span<const uint32_t> gemm = f16 ? std::span<const uint32_t>(shaders::kSpirv_conv_gemm_f16)
                                       : std::span<const uint32_t>(shaders::kSpirv_conv_gemm_f32);
  std::span<const uint32_t> direct = f16 ? std::span<const uint32_t>(shaders::kSpirv_conv_direct_f16)
                                         : std::span<const uint32_t>(shaders::kSpirv_conv_direct_f32);
  // The GEMM pipelines (mode and tile shape depend on the concrete shape) are made at record time.
  ER_ASSIGN_OR_RETURN(const ComputePipeline* dp, c->pipeline(direct, 4, sizeof(DirectPush),
                                                             spec_with(n.node, {has_bias, c->workgroup_size()})));
  return std::unique_ptr<VkKernel>(new ConvKernel(gemm, spec_with(n.node, {has_bias}), dp));
}

// ---- ConvTranspose ----

class ConvTransposeKernel final : public VkKernel {
 public:
  explicit ConvTransposeKernel(const ComputePipeline* p) : p_(p) {}

  Status record(RecordContext& rc) const override {
    const DeviceTensor& y = rc.output(0);
    if (y.numel() == 0) return Status::Ok();
    const DeviceTensor& x = *rc.input(0);
    const DeviceTensor& w = *rc.input(1);
    ER_RETURN_IF_ERROR(check_ranks(rc, x, w));
    const int64_t group = rc.attrs().get_int("group", 1);
    const int64_t C = x.shape[1], Mg = w.shape[1];
    if (group <= 0 || w.shape[0] != C || C % group != 0)
      return rc.error(str_cat("vulkan: X ", shape_to_string(x.shape), ", W ", shape_to_string(w.shape), " and group ",
                              group, " are inconsistent"));
    const int64_t M = Mg * group, Cg = C / group;
    const std::vector<int64_t> ksp = spatial(w.shape), in = spatial(x.shape);
    const size_t nsp = ksp.size();
    auto p = read_window_params(rc.attrs(), nsp, ksp);
    if (!p.ok()) return rc.error(p.status().message());
    if (p->kernel != ksp) return rc.error("kernel_shape does not match W");
    std::vector<int64_t> op = rc.attrs().get_ints("output_padding", std::vector<int64_t>(nsp, 0));
    if (op.empty()) op.assign(nsp, 0);
    std::vector<int64_t> os = rc.attrs().get_ints("output_shape");
    if (os.size() == nsp + 2) os.erase(os.begin(), os.begin() + 2);
    if (op.size() != nsp || (!os.empty() && os.size() != nsp)) return rc.error("bad output_padding / output_shape");
    std::vector<DimGeom> geo(nsp);
    for (size_t i = 0; i < nsp; ++i) {
      auto d = conv_transpose_dim(*p, i, in[i], op[i], os.empty() ? -1 : os[i]);
      if (!d.ok()) return rc.error(d.status().message());
      geo[i] = *d;
    }
    auto g = make_window3(*p, in, geo);
    if (!g.ok()) return rc.error(g.status().message());
    if (y.shape.size() != x.shape.size() || y.shape[1] != M)
      return rc.error(str_cat("vulkan: output shape ", shape_to_string(y.shape), " does not match the geometry"));
    DirectPush pc{};
    pc.total = static_cast<uint32_t>(y.numel());
    pc.C = static_cast<int32_t>(C);
    pc.M = static_cast<int32_t>(M);
    pc.Cg = static_cast<int32_t>(Cg);
    pc.Mg = static_cast<int32_t>(Mg);
    g->pack(pc.geo);
    const DeviceTensor* bias = rc.input(2) ? rc.input(2) : &x;
    const DeviceTensor* bind[] = {&x, &w, bias, &y};
    return rc.dispatch(*p_, bind, &pc, sizeof pc, rc.ctx().groups_for(pc.total));
  }

 private:
  const ComputePipeline* p_;
};

Support conv_transpose_supports(const NodeView& n, const VulkanContext& c) { return conv_common_supports(n, c); }

Result<std::unique_ptr<VkKernel>> conv_transpose_create(const NodeView& n, std::shared_ptr<const VulkanContext> c) {
  const uint32_t has_bias = n.inputs.size() > 2 && n.input_dtype(2) != DataType::kUndefined ? 1 : 0;
  std::span<const uint32_t> spv = is_f16(n) ? std::span<const uint32_t>(shaders::kSpirv_conv_transpose_f16)
                                            : std::span<const uint32_t>(shaders::kSpirv_conv_transpose_f32);
  ER_ASSIGN_OR_RETURN(const ComputePipeline* p, c->pipeline(spv, 4, sizeof(DirectPush),
                                                            spec_with(n.node, {has_bias, c->workgroup_size()})));
  return std::unique_ptr<VkKernel>(new ConvTransposeKernel(p));
}

const VulkanOp kOps[] = {
    {"Conv", conv_supports, conv_create},
    {"ConvTranspose", conv_transpose_supports, conv_transpose_create},
};

}  // namespace

std::span<const VulkanOp> conv_ops() { return kOps; }

}  // namespace edgerun::vk
