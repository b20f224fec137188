// MatMul and Gemm on Vulkan (float32, and float16 storage with fp32 accumulation): the tiled
// shared-memory SGEMM of shaders/gemm.comp (64x64 tiles, 4x4 outputs per invocation, or
// skinnier tiles for skinny products: kernels/gemm_tiles.h), or for
// skinny/small products (GEMV shapes, many tiny batched matrices) shaders/matmul_small.comp (one
// invocation per output); operands addressed through strides (Gemm's transA/transB need no copy),
// fused activation.
//
// MatMul: numpy semantics: 1-D operands are promoted ([K] -> [1, K] for A, [K, 1] for B), batch
// dims broadcast. Batch dims are collapsed where both operands are contiguous across them and
// indexed in the shader (up to 5: operands of rank <= 7).
// Gemm: Y = alpha * A' * B' + beta * C, C broadcast to [M, N] through 0 strides.
#include <algorithm>
#include <limits>

#include "base/strcat.h"
#include "ops/shape_util.h"
#include "shaders/matmul_f16.spv.h"
#include "shaders/matmul_f32.spv.h"
#include "shaders/matmul_small_f16.spv.h"
#include "shaders/matmul_small_f32.spv.h"
#include "vulkan/kernels/gemm_tiles.h"
#include "vulkan/kernels/vulkan_common.h"
#include "vulkan/kernels/window3d.h"

namespace edgerun::vk {

namespace {

// gemm.comp without CONV.
struct GemmPush {
  int32_t M, N, K;
  int32_t a_sm, a_sk, b_sk, b_sn, c_sm, c_sn;
  float alpha, beta;
  int32_t batches;
  int32_t bd[4];          // batch dims 1..4 (dim 0 is implied by batches)
  int32_t as[5], bs[5];   // A and B element offsets per batch index
};
static_assert(sizeof(GemmPush) == 104);

constexpr size_t kMaxBatchDims = 5;  // after collapsing; rank <= 7 guarantees it

Support matmul_common_supports(const NodeView& n, const VulkanContext& c) {
  const std::string& op = n.node.op_type;
  if (!standard_domain(n)) return Support::no(str_cat("vulkan: ", op, " in domain ", n.node.domain, " not supported"));
  if (std::string r = check_dtypes(n, {DataType::kFloat32, DataType::kFloat16}); !r.empty()) return Support::no(r);
  if (!activation_supported(n.node))
    return Support::no(str_cat("vulkan: ", op, " with fused activation ", n.node.fused_activation, " not supported"));
  if (std::string r = c.check_binding_limits(n); !r.empty()) return Support::no(r);
  return Support::yes();
}

// The pipelines of one node: the small-product one, and the tiled shader with its base
// specialization (fused activation, HAS_C, CONV_MODE 0), to which the tile shape is added per shape.
struct Pipelines {
  std::span<const uint32_t> tiled;
  std::vector<uint32_t> tiled_spec;
  const ComputePipeline* small = nullptr;
};

Result<Pipelines> make_pipelines(const NodeView& n, const VulkanContext& c, uint32_t has_c) {
  const bool f16 = n.input_dtype(0) == DataType::kFloat16;
  Pipelines p;
  p.tiled = f16 ? std::span<const uint32_t>(shaders::kSpirv_matmul_f16) : std::span<const uint32_t>(shaders::kSpirv_matmul_f32);
  p.tiled_spec = activation_spec(n.node);
  p.tiled_spec.insert(p.tiled_spec.end(), {has_c, 0u});
  std::vector<uint32_t> spec = p.tiled_spec;
  spec.push_back(c.workgroup_size());  // matmul_small.comp's workgroup size (constant 5)
  ER_ASSIGN_OR_RETURN(p.small, c.pipeline(f16 ? std::span<const uint32_t>(shaders::kSpirv_matmul_small_f16)
                                              : std::span<const uint32_t>(shaders::kSpirv_matmul_small_f32),
                                          4, sizeof(GemmPush), std::move(spec)));
  return p;
}

// Small products leave most of a tile idle (and each tile costs barriers): one invocation per output instead.
bool use_small(int64_t m, int64_t n) { return m < 8 || n < 8 || m * n <= 1024; }

Status dispatch_gemm(RecordContext& rc, const Pipelines& p, std::span<const DeviceTensor* const> bind,
                     const GemmPush& pc) {
  if (use_small(pc.M, pc.N) || !tiled_gemm_fits(rc.ctx().device.info())) {
    const uint64_t total = static_cast<uint64_t>(pc.batches) * static_cast<uint64_t>(pc.M) * static_cast<uint64_t>(pc.N);
    return rc.dispatch(*p.small, bind, &pc, sizeof pc, rc.ctx().groups_for(total));
  }
  const GemmTiles t = pick_gemm_tiles(rc.ctx().device.info(), pc.M, pc.N);
  std::vector<uint32_t> spec = p.tiled_spec;
  spec.insert(spec.end(), {t.tm, t.tn});
  ER_ASSIGN_OR_RETURN(const ComputePipeline* tiled, rc.ctx().pipeline(p.tiled, 4, sizeof(GemmPush), std::move(spec)));
  return rc.dispatch(*tiled, bind, &pc, sizeof pc, clamp_groups((pc.N + t.cols() - 1) / t.cols()),
                     clamp_groups((pc.M + t.rows() - 1) / t.rows()), clamp_groups(pc.batches));
}

bool fits_i32(int64_t v) { return v >= 0 && v <= std::numeric_limits<int32_t>::max(); }

// ---- MatMul ----

class MatMulKernel final : public VkKernel {
 public:
  explicit MatMulKernel(Pipelines p) : p_(std::move(p)) {}

  Status record(RecordContext& rc) const override {
    const DeviceTensor& y = rc.output(0);
    if (y.numel() == 0) return Status::Ok();
    const DeviceTensor& a = *rc.input(0);
    const DeviceTensor& b = *rc.input(1);
    Shape sa = a.shape, sb = b.shape;
    if (sa.empty() || sb.empty()) return rc.error("vulkan: MatMul operands must have rank >= 1");
    if (sa.size() == 1) sa.insert(sa.begin(), 1);
    if (sb.size() == 1) sb.push_back(1);
    const int64_t M = sa[sa.size() - 2], K = sa.back(), N = sb.back();
    if (sb[sb.size() - 2] != K)
      return rc.error(str_cat("vulkan: inner dimensions differ: A ", shape_to_string(a.shape), ", B ",
                              shape_to_string(b.shape)));
    const Shape ba(sa.begin(), sa.end() - 2), bb(sb.begin(), sb.end() - 2);
    ER_ASSIGN_OR_RETURN(Shape batch, broadcast_shapes(ba, bb));
    const std::vector<int64_t> sta = broadcast_strides(ba, batch), stb = broadcast_strides(bb, batch);
    // Batch dims as (size, A stride, B stride) in elements, size-1 dims dropped, contiguous runs merged.
    struct Dim {
      int64_t n, sa, sb;
    };
    std::vector<Dim> dims;
    for (size_t i = 0; i < batch.size(); ++i) {
      if (batch[i] == 1) continue;
      const Dim d{batch[i], sta[i] * M * K, stb[i] * K * N};
      if (!dims.empty() && dims.back().sa == d.sa * d.n && dims.back().sb == d.sb * d.n) {
        dims.back().n *= d.n;
        dims.back().sa = d.sa;
        dims.back().sb = d.sb;
      } else {
        dims.push_back(d);
      }
    }
    if (dims.size() > kMaxBatchDims)
      return rc.error(str_cat("vulkan: MatMul with ", dims.size(), " batch dims (at most ", kMaxBatchDims, ")"));
    int64_t total = 1;
    for (const Dim& d : dims) total *= d.n;
    if (!fits_i32(total) || !fits_i32(M) || !fits_i32(N) || !fits_i32(K))
      return rc.error("vulkan: MatMul sizes exceed 32-bit indices");
    GemmPush pc{};
    pc.M = static_cast<int32_t>(M);
    pc.N = static_cast<int32_t>(N);
    pc.K = static_cast<int32_t>(K);
    pc.a_sm = static_cast<int32_t>(K);
    pc.a_sk = 1;
    pc.b_sk = static_cast<int32_t>(N);
    pc.b_sn = 1;
    pc.alpha = 1.0f;
    pc.beta = 0.0f;
    pc.batches = static_cast<int32_t>(total);
    // Right-aligned into the shader's 5 batch slots; unused leading slots have size 1.
    std::fill(pc.bd, pc.bd + 4, 1);
    for (size_t i = 0; i < dims.size(); ++i) {
      const size_t slot = kMaxBatchDims - dims.size() + i;
      if (slot > 0) pc.bd[slot - 1] = static_cast<int32_t>(dims[i].n);
      pc.as[slot] = static_cast<int32_t>(dims[i].sa);
      pc.bs[slot] = static_cast<int32_t>(dims[i].sb);
    }
    const DeviceTensor* bind[] = {&a, &b, &a, &y};  // no C: binding 2 is any buffer
    return dispatch_gemm(rc, p_, bind, pc);
  }

 private:
  Pipelines p_;
};

Support matmul_supports(const NodeView& n, const VulkanContext& c) {
  Support s = matmul_common_supports(n, c);
  if (!s.ok) return s;
  // More than 5 batch dims could leave more than 5 after collapsing: refused up front.
  for (size_t i = 0; i < 2 && i < n.inputs.size(); ++i) {
    const ShapeInfo& sh = n.inputs[i].shape;
    if (!sh.rank_known) return Support::no(str_cat("vulkan: MatMul input ", i, " rank unknown before running"));
    if (sh.rank() > kMaxBatchDims + 2)
      return Support::no(str_cat("vulkan: MatMul input ", i, " of rank ", sh.rank(), " not supported (at most ",
                                 kMaxBatchDims + 2, ")"));
  }
  return Support::yes();
}

Result<std::unique_ptr<VkKernel>> matmul_create(const NodeView& n, std::shared_ptr<const VulkanContext> c) {
  ER_ASSIGN_OR_RETURN(Pipelines p, make_pipelines(n, *c, 0));
  return std::unique_ptr<VkKernel>(new MatMulKernel(std::move(p)));
}

// ---- Gemm ----

class GemmKernel final : public VkKernel {
 public:
  explicit GemmKernel(Pipelines p) : p_(std::move(p)) {}

  Status record(RecordContext& rc) const override {
    const DeviceTensor& y = rc.output(0);
    if (y.numel() == 0) return Status::Ok();
    const DeviceTensor& a = *rc.input(0);
    const DeviceTensor& b = *rc.input(1);
    const DeviceTensor* c = rc.input(2);
    if (a.shape.size() != 2 || b.shape.size() != 2) return rc.error("vulkan: Gemm's A and B must be 2-D");
    const bool ta = rc.attrs().get_int("transA", 0) != 0;
    const bool tb = rc.attrs().get_int("transB", 0) != 0;
    const int64_t M = ta ? a.shape[1] : a.shape[0], K = ta ? a.shape[0] : a.shape[1];
    const int64_t N = tb ? b.shape[0] : b.shape[1];
    if ((tb ? b.shape[1] : b.shape[0]) != K) return rc.error("vulkan: inner dimensions of A and B differ");
    GemmPush pc{};
    pc.M = static_cast<int32_t>(M);
    pc.N = static_cast<int32_t>(N);
    pc.K = static_cast<int32_t>(K);
    pc.a_sm = static_cast<int32_t>(ta ? 1 : K);
    pc.a_sk = static_cast<int32_t>(ta ? M : 1);
    pc.b_sk = static_cast<int32_t>(tb ? 1 : N);
    pc.b_sn = static_cast<int32_t>(tb ? K : 1);
    pc.alpha = rc.attrs().get_float("alpha", 1.0f);
    pc.beta = rc.attrs().get_float("beta", 1.0f);
    if (c) {
      if (c->shape.size() > 2) return rc.error("vulkan: Gemm's C must have rank <= 2");
      auto bs = broadcast_shapes(c->shape, Shape{M, N});
      if (!bs.ok() || *bs != Shape{M, N})
        return rc.error(str_cat("vulkan: C ", shape_to_string(c->shape), " does not broadcast to [", M, ", ", N, "]"));
      const std::vector<int64_t> st = broadcast_strides(c->shape, Shape{M, N});
      pc.c_sm = static_cast<int32_t>(st[0]);
      pc.c_sn = static_cast<int32_t>(st[1]);
    }
    pc.batches = 1;
    std::fill(pc.bd, pc.bd + 4, 1);
    const DeviceTensor* bind[] = {&a, &b, c ? c : &a, &y};
    return dispatch_gemm(rc, p_, bind, pc);
  }

 private:
  Pipelines p_;  // HAS_C set when the node has C
};

Support gemm_supports(const NodeView& n, const VulkanContext& c) {
  Support s = matmul_common_supports(n, c);
  if (!s.ok) return s;
  for (size_t i = 0; i < 2 && i < n.inputs.size(); ++i)
    if (n.inputs[i].shape.rank_known && n.inputs[i].shape.rank() != 2)
      return Support::no(str_cat("vulkan: Gemm input ", i, " of rank ", n.inputs[i].shape.rank(), " not supported"));
  return Support::yes();
}

Result<std::unique_ptr<VkKernel>> gemm_create(const NodeView& n, std::shared_ptr<const VulkanContext> c) {
  const uint32_t has_c = n.inputs.size() > 2 && n.input_dtype(2) != DataType::kUndefined ? 1 : 0;
  ER_ASSIGN_OR_RETURN(Pipelines p, make_pipelines(n, *c, has_c));
  return std::unique_ptr<VkKernel>(new GemmKernel(std::move(p)));
}

const VulkanOp kOps[] = {
    {"MatMul", matmul_supports, matmul_create},
    {"Gemm", gemm_supports, gemm_create},
};

}  // namespace

std::span<const VulkanOp> matmul_ops() { return kOps; }

}  // namespace edgerun::vk
