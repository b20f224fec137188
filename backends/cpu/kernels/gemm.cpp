// MatMul and Gemm on the Highway SGEMM of packed_gemm.cpp (hwy_sgemm): explicit SIMD on every
// target (AVX2/AVX-512 natively, simd128 in wasm). Constant B operands (weights) are packed once
// when the kernel is created; other operands are packed per call (A) or read in place (B).
// Eigen's GEMM ran these before: it has no wasm SIMD path (autovectorised only: hwy_sgemm is
// 2.5-3x faster there), and natively hwy_sgemm measured 1.2-2x faster too on 64x384x1536,
// 256^3 and 49x4608x512 products (1 and 2 threads), slower only on the 1x1280x1000 GEMV (by ~5 us).
// One kernel on both sides also sums every output in the same order natively and in wasm.
#include "cpu/kernels/gemm.h"

#include <algorithm>
#include <cstring>
#include <optional>

#include "base/thread_pool.h"
#include "cpu/kernels/packed_gemm.h"
#include "ops/shape_util.h"

namespace edgerun::cpu {

void sgemm_st(bool ta, bool tb, int64_t M, int64_t N, int64_t K, float alpha, const float* A, int64_t lda,
              const float* B, int64_t ldb, float beta, float* C, int64_t ldc) {
  hwy_sgemm(ta, tb, M, N, K, alpha, A, lda, B, ldb, nullptr, beta, C, ldc, nullptr, Activation{});
}

void sgemm(bool ta, bool tb, int64_t M, int64_t N, int64_t K, float alpha, const float* A, int64_t lda,
           const float* B, int64_t ldb, float beta, float* C, int64_t ldc, ThreadPool* pool, const Activation* act) {
  hwy_sgemm(ta, tb, M, N, K, alpha, A, lda, B, ldb, nullptr, beta, C, ldc, pool, act ? *act : Activation{});
}

namespace {

// ---------------------------------------------------------------- MatMul
Support matmul_supports(const NodeView& n) {
  Support s = require_float32(n);
  if (!s.ok) return s;
  if (n.inputs.size() != 2) return no(n, "expects 2 inputs");
  if (!n.node.fused_activation.empty() && !parse_activation(n.node).ok())
    return no(n, str_cat("fused activation ", n.node.fused_activation, " not supported by cpu"));
  return Support::yes();
}

class MatMulKernel final : public Kernel {
 public:
  MatMulKernel(Activation act, std::optional<PackedB> pb) : act_(act), pb_(std::move(pb)) {}
  bool fuses_activation() const override { return true; }
  Status run(KernelContext& ctx) const override {
    const Tensor& a = *ctx.input(0);
    const Tensor& b = *ctx.input(1);
    if (a.dtype() != DataType::kFloat32 || b.dtype() != DataType::kFloat32)
      return unsupported(ctx.node().label(), ": cpu MatMul runs float32 only");
    if (a.rank() < 1 || b.rank() < 1) return invalid_argument(ctx.node().label(), ": MatMul inputs must have rank >= 1");
    Shape as = a.shape(), bs = b.shape();
    const bool a1 = as.size() == 1, b1 = bs.size() == 1;
    if (a1) as.insert(as.begin(), 1);
    if (b1) bs.push_back(1);
    const int64_t M = as[as.size() - 2], K = as.back(), N = bs.back();
    if (bs[bs.size() - 2] != K)
      return invalid_argument(ctx.node().label(), ": MatMul inner dimensions differ: ", shape_to_string(a.shape()),
                              " x ", shape_to_string(b.shape()));
    Shape abatch(as.begin(), as.end() - 2), bbatch(bs.begin(), bs.end() - 2);
    ER_ASSIGN_OR_RETURN(Shape batch, broadcast_shapes(abatch, bbatch));
    Shape out = batch;
    if (!a1) out.push_back(M);
    if (!b1) out.push_back(N);
    ER_ASSIGN_OR_RETURN(Tensor * y, output_of_shape(ctx, 0, DataType::kFloat32, out));
    const float* pa = a.data_as<float>();
    const float* pb = b.data_as<float>();
    float* py = y->data_as<float>();
    int64_t nbatch = 1;
    for (int64_t d : batch) nbatch *= d;
    if (nbatch == 0 || M == 0 || N == 0) return Status::Ok();
    int64_t bbatch_n = 1;
    for (int64_t d : bbatch) bbatch_n *= d;
    int64_t abatch_n = 1;
    for (int64_t d : abatch) abatch_n *= d;
    // B shared by all batches and A's batches contiguous: one GEMM of [nbatch*M, K] x [K, N].
    if (bbatch_n == 1 && abatch_n == nbatch) {
      const PackedB* packed = pb_ && pb_->K == K && pb_->N == N ? &*pb_ : nullptr;
      hwy_sgemm(false, false, nbatch * M, N, K, 1.0f, pa, K, pb, N, packed, 0.0f, py, N, ctx.pool(), act_);
      return Status::Ok();
    }
    // General batched: broadcast offsets per batch index.
    const size_t r = batch.size();
    std::vector<int64_t> sa(r, 0), sb(r, 0);
    {
      int64_t st = M * K;
      for (size_t i = 0; i < abatch.size(); ++i) {
        const size_t d = abatch.size() - 1 - i;
        sa[r - 1 - i] = abatch[d] == 1 ? 0 : st;
        st *= abatch[d];
      }
      st = K * N;
      for (size_t i = 0; i < bbatch.size(); ++i) {
        const size_t d = bbatch.size() - 1 - i;
        sb[r - 1 - i] = bbatch[d] == 1 ? 0 : st;
        st *= bbatch[d];
      }
    }
    auto offsets = [&](int64_t idx, int64_t* oa, int64_t* ob) {
      *oa = 0; *ob = 0;
      for (size_t i = r; i-- > 0;) {
        const int64_t c = idx % batch[i];
        idx /= batch[i];
        *oa += c * sa[i];
        *ob += c * sb[i];
      }
    };
    const Activation act = act_;
    const double per = 2.0 * double(M) * double(N) * double(K);
    if (ctx.pool() && nbatch > 1 && per < 4e6) {
      parallel_for(ctx.pool(), nbatch, std::max<int64_t>(1, static_cast<int64_t>(2e5 / (per + 1))), [&](int64_t b0, int64_t b1) {
        for (int64_t bi = b0; bi < b1; ++bi) {
          int64_t oa, ob;
          offsets(bi, &oa, &ob);
          hwy_sgemm(false, false, M, N, K, 1.0f, pa + oa, K, pb + ob, N, nullptr, 0.0f, py + bi * M * N, N, nullptr,
                    act);
        }
      });
    } else {
      for (int64_t bi = 0; bi < nbatch; ++bi) {
        int64_t oa, ob;
        offsets(bi, &oa, &ob);
        hwy_sgemm(false, false, M, N, K, 1.0f, pa + oa, K, pb + ob, N, nullptr, 0.0f, py + bi * M * N, N, ctx.pool(),
                  act);
      }
    }
    return Status::Ok();
  }

 private:
  Activation act_;
  std::optional<PackedB> pb_;  // constant 2-D B packed at prepare
};

// A constant float32 2-D input i of a MatMul/Gemm packed for hwy_sgemm (op(B) = B or B^T).
std::optional<PackedB> pack_constant_b(const NodeView& n, size_t i, bool trans) {
  const Tensor* b = n.constant(i);
  if (!b || b->dtype() != DataType::kFloat32 || b->rank() != 2 || b->numel() == 0) return std::nullopt;
  const int64_t K = trans ? b->dim(1) : b->dim(0), N = trans ? b->dim(0) : b->dim(1);
  return pack_b(b->data_as<float>(), K, N, b->dim(1), trans);
}

Result<std::unique_ptr<Kernel>> matmul_create(const NodeView& n) {
  ER_ASSIGN_OR_RETURN(Activation act, parse_activation(n.node));
  return make_kernel<MatMulKernel>(act, pack_constant_b(n, 1, false));
}

// ---------------------------------------------------------------- Gemm
Support gemm_supports(const NodeView& n) {
  Support s = require_float32(n);
  if (!s.ok) return s;
  if (n.inputs.size() < 2) return no(n, "expects 2 or 3 inputs");
  if (!n.node.fused_activation.empty() && !parse_activation(n.node).ok())
    return no(n, str_cat("fused activation ", n.node.fused_activation, " not supported by cpu"));
  return Support::yes();
}

class GemmKernel final : public Kernel {
 public:
  GemmKernel(bool ta, bool tb, float alpha, float beta, Activation act, std::optional<PackedB> pb)
      : ta_(ta), tb_(tb), alpha_(alpha), beta_(beta), act_(act), pb_(std::move(pb)) {}
  bool fuses_activation() const override { return true; }
  Status run(KernelContext& ctx) const override {
    const Tensor& a = *ctx.input(0);
    const Tensor& b = *ctx.input(1);
    const Tensor* c = ctx.input(2);
    if (c && !c->defined()) c = nullptr;
    if (a.rank() != 2 || b.rank() != 2)
      return invalid_argument(ctx.node().label(), ": Gemm inputs A and B must be 2-D, got ", shape_to_string(a.shape()),
                              " and ", shape_to_string(b.shape()));
    const int64_t M = ta_ ? a.dim(1) : a.dim(0), K = ta_ ? a.dim(0) : a.dim(1);
    const int64_t Kb = tb_ ? b.dim(1) : b.dim(0), N = tb_ ? b.dim(0) : b.dim(1);
    if (K != Kb)
      return invalid_argument(ctx.node().label(), ": Gemm inner dimensions differ (", K, " vs ", Kb, ")");
    ER_ASSIGN_OR_RETURN(Tensor * y, output_of_shape(ctx, 0, DataType::kFloat32, {M, N}));
    float* py = y->data_as<float>();
    float beta = 0.0f;
    if (c && beta_ != 0.0f && c->numel() > 0) {
      if (c->dtype() != DataType::kFloat32) return unsupported(ctx.node().label(), ": cpu Gemm runs float32 only");
      const Shape& cs = c->shape();
      if (cs.size() > 2) return invalid_argument(ctx.node().label(), ": Gemm C must have rank <= 2");
      const int64_t cm = cs.size() == 2 ? cs[0] : 1;
      const int64_t cn = cs.empty() ? 1 : cs.back();
      if ((cm != 1 && cm != M) || (cn != 1 && cn != N))
        return invalid_argument(ctx.node().label(), ": Gemm C of shape ", shape_to_string(cs),
                                " does not broadcast to ", M, "x", N);
      const float* pc = c->data_as<float>();
      for (int64_t m = 0; m < M; ++m) {
        const float* row = pc + (cm == 1 ? 0 : m * cn);
        float* out = py + m * N;
        if (cn == 1) std::fill(out, out + N, beta_ * row[0]);
        else if (beta_ == 1.0f) std::memcpy(out, row, sizeof(float) * static_cast<size_t>(N));
        else for (int64_t j = 0; j < N; ++j) out[j] = beta_ * row[j];
      }
      beta = 1.0f;
    }
    const PackedB* packed = pb_ && pb_->K == K && pb_->N == N ? &*pb_ : nullptr;
    hwy_sgemm(ta_, tb_, M, N, K, alpha_, a.data_as<float>(), a.dim(1), b.data_as<float>(), b.dim(1), packed, beta, py,
              N, ctx.pool(), act_);
    return Status::Ok();
  }

 private:
  bool ta_, tb_;
  float alpha_, beta_;
  Activation act_;
  std::optional<PackedB> pb_;  // constant B packed at prepare
};

Result<std::unique_ptr<Kernel>> gemm_create(const NodeView& n) {
  ER_ASSIGN_OR_RETURN(Activation act, parse_activation(n.node));
  const Attributes& at = n.node.attrs;
  const bool tb = at.get_int("transB", 0) != 0;
  return make_kernel<GemmKernel>(at.get_int("transA", 0) != 0, tb, at.get_float("alpha", 1.0f),
                                 at.get_float("beta", 1.0f), act, pack_constant_b(n, 1, tb));
}

const CpuOp kOps[] = {
    {"MatMul", matmul_supports, matmul_create},
    {"Gemm", gemm_supports, gemm_create},
};
}  // namespace

std::span<const CpuOp> gemm_ops() { return kOps; }

}  // namespace edgerun::cpu
