// The Highway SGEMM micro-kernel (explicit SIMD: AVX2/AVX-512 natively, simd128 in wasm) and the
// two GEMMs built on it.
//
// 1. Conv: pre-packed constant A (the weights) and a fused epilogue:
//      C[M,N] = act(A[M,K] * B[K,N] + bias[m])
//    A is packed once (at prepare) into panels of MR rows, k-major inside a panel
//    (panel[k * MR + r]), zero padded to a multiple of MR rows. B is read in place (row-major, ldb).
// 2. hwy_sgemm: the general C = act(alpha * op(A) * op(B) + beta * C) of MatMul / Gemm. op(A) is
//    packed per call (blocks of MC rows x KC depths), op(B) is read in place (row-major, not
//    transposed) or comes packed (PackedB: constant weights packed at prepare, or a transposed B
//    packed per call). K is split in blocks of KC, the same on every target, so each output is
//    summed in the same order natively and in wasm.
// A register-blocked micro-kernel computes MR x (NV vectors) tiles of C; bias, alpha/beta and the
// activation are applied in registers when a tile is stored.
#pragma once

#include <cstdint>
#include <vector>

#include "cpu/kernels/cpu_common.h"

namespace edgerun {
class ThreadPool;
}

namespace edgerun::cpu {

// Rows per packed panel (compile-time choice per SIMD target).
int64_t packed_mr();

struct PackedA {
  int64_t M = 0, K = 0;
  int64_t panels = 0;      // ceil(M / MR)
  std::vector<float> data;  // panels * K * MR floats
  bool empty() const { return data.empty(); }
};

// Packs the row-major A[M,K] (leading dimension lda).
PackedA pack_a(const float* A, int64_t M, int64_t K, int64_t lda);
// Packs A^T where At is [K,M] row-major (ld lda): the Gemm transA / MatMul-with-constant-A case.
PackedA pack_a_transposed(const float* At, int64_t M, int64_t K, int64_t lda);

// C rows [panel0*MR, min(M, panel1*MR)) and columns [n0, n1):
//   C[m, n] = act(sum_k A[m,k] * B[k,n] + (bias ? bias[m] : 0))
// bias (if given) has M entries. Single-threaded; callers split panels/columns across threads.
void packed_gemm(const PackedA& a, int64_t panel0, int64_t panel1, const float* B, int64_t ldb, int64_t n0,
                 int64_t n1, float* C, int64_t ldc, const float* bias, const Activation& act);

// Threaded over panels and column blocks with the pool (nullptr: single thread).
void packed_gemm_mt(const PackedA& a, const float* B, int64_t ldb, int64_t N, float* C, int64_t ldc,
                    const float* bias, const Activation& act, ThreadPool* pool);

// Columns per PackedB panel: NV vectors of the target (16 on AVX2, 8 in wasm).
int64_t packed_nr();

// op(B) [K,N] packed into panels of packed_nr() columns, k-major inside a panel:
// data[(p * K + k) * NR + j] = op(B)[k, p * NR + j], zero padded to a multiple of NR columns.
struct PackedB {
  int64_t K = 0, N = 0;
  int64_t panels = 0;       // ceil(N / NR)
  std::vector<float> data;  // panels * K * NR floats
};
// B is [K,N] (trans false) or [N,K] (trans true, op(B) = B^T), row-major with leading dim ldb.
PackedB pack_b(const float* B, int64_t K, int64_t N, int64_t ldb, bool trans);

// C[M,N] = act(alpha * op(A) * op(B) + beta * C); beta == 0: C is not read. op(A) is A[M,K] or,
// with ta, A[K,M] (lda). op(B) is `pb` when given (pb->K == K, pb->N == N), else B[K,N] or, with
// tb, B[N,K] (ldb). Threaded over column panels or row panels with the pool (nullptr: one thread).
void hwy_sgemm(bool ta, bool tb, int64_t M, int64_t N, int64_t K, float alpha, const float* A, int64_t lda,
               const float* B, int64_t ldb, const PackedB* pb, float beta, float* C, int64_t ldc, ThreadPool* pool,
               const Activation& act);

}  // namespace edgerun::cpu
