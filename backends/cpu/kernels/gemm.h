// Row-major SGEMM (hwy_sgemm of packed_gemm.h, the Highway micro-kernel), split over the thread pool:
//   C[M,N] = alpha * op(A) * op(B) + beta * C   (beta == 0: C is not read)
// op(A) is A[M,K] (lda) or, transposed, A[K,M]; op(B) is B[K,N] (ldb) or B[N,K].
// If `act` is given, it is applied to each finished block of C.
#pragma once

#include <cstdint>

#include "cpu/kernels/cpu_common.h"

namespace edgerun {
class ThreadPool;
}

namespace edgerun::cpu {

void sgemm(bool trans_a, bool trans_b, int64_t M, int64_t N, int64_t K, float alpha, const float* A, int64_t lda,
           const float* B, int64_t ldb, float beta, float* C, int64_t ldc, ThreadPool* pool,
           const Activation* act = nullptr);

// Single-threaded core of sgemm.
void sgemm_st(bool trans_a, bool trans_b, int64_t M, int64_t N, int64_t K, float alpha, const float* A, int64_t lda,
              const float* B, int64_t ldb, float beta, float* C, int64_t ldc);

}  // namespace edgerun::cpu
