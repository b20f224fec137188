// Tiled SGEMM with shared memory, used by MatMul/Gemm (matmul.variants) and, compiled with CONV=1,
// by Conv as an implicit GEMM (conv.variants). Accumulation is in fp32; FP16=1 stores float16_t.
//
//   Y[z](m, n) = act(alpha * sum_k A[z](m, k) * B[z](k, n) + beta * C(m, n))        (MatMul/Gemm)
//   Y[n, g*Mg + m, p] = act(bias[g*Mg + m] + sum_k W[g*Mg + m, k] * im2col(X)[n, g](k, p))  (Conv)
//
// A workgroup of 16x16 invocations computes a (16*TM)x(16*TN) output tile, TMxTN outputs per
// invocation (rows ly + 16*i, columns lx + 16*j), stepping through K in slices of 16 staged in
// shared memory. 8x8 (128x128 tiles) for large products, 4x4 (64x64) by default; skinny shapes use
// 1x8, 2x8, 8x1 or 8x2 so that few tile rows/columns sit idle (kernels/gemm_tiles.h). Tiles and batches are visited with grid-stride loops, so any size runs
// within the dispatch limits.
//
// Bindings: 0 A (W for Conv), 1 B (X for Conv), 2 C (Gemm's C / Conv's bias; any buffer when
// HAS_C == 0), 3 Y. Specialization constants: 0-2 the fused activation (activation.glsl),
// 3 HAS_C, 4 CONV_MODE (Conv only: 0 general implicit GEMM over 1-3 spatial dims, 1 pointwise:
// 1x1x1 kernel, stride 1, no padding, so B is X's [Cg, P] plane block itself), 5 TM, 6 TN (1, 2,
// 4 or 8).
#version 450
#extension GL_GOOGLE_include_directive : require
#ifdef FP16
#extension GL_EXT_shader_16bit_storage : require
#define STORE_T float16_t
#else
#define STORE_T float
#endif

layout(local_size_x = 16, local_size_y = 16, local_size_z = 1) in;

layout(constant_id = 0) const int ACT = 0;
layout(constant_id = 1) const float ACT_A = 0;
layout(constant_id = 2) const float ACT_B = 0;
layout(constant_id = 3) const int HAS_C = 0;
layout(constant_id = 4) const int CONV_MODE = 0;
layout(constant_id = 5) const int TM = 4;
layout(constant_id = 6) const int TN = 4;
#include "activation.glsl"

layout(std430, set = 0, binding = 0) readonly buffer BufA { STORE_T a_data[]; };
layout(std430, set = 0, binding = 1) readonly buffer BufB { STORE_T b_data[]; };
layout(std430, set = 0, binding = 2) readonly buffer BufC { STORE_T c_data[]; };
layout(std430, set = 0, binding = 3) writeonly buffer BufY { STORE_T y_data[]; };

#ifdef CONV
layout(push_constant) uniform Push {
  int M;        // output channels per group (GEMM rows)
  int N;        // output positions per image, out_d * out_h * out_w (GEMM columns)
  int K;        // Cg * k_d * k_h * k_w
  int batches;  // images * groups
  int groups;
  int C;        // input channels
  int Cg;       // input channels per group
  int Mtot;     // output channels
  int in_d, in_h, in_w;
  int out_d, out_h, out_w;
  int k_d, k_h, k_w;
  int s_d, s_h, s_w;
  int dl_d, dl_h, dl_w;
  int p_d, p_h, p_w;  // begin pads
} pc;
#else
layout(push_constant) uniform Push {
  int M, N, K;
  int a_sm, a_sk;    // A(m, k) = a_data[a_off + m * a_sm + k * a_sk]
  int b_sk, b_sn;    // B(k, n) = b_data[b_off + k * b_sk + n * b_sn]
  int c_sm, c_sn;    // C(m, n) = c_data[m * c_sm + n * c_sn] (0 strides broadcast)
  float alpha, beta;
  int batches;       // batch matrices: bd[0] * ... * bd[4] (up to 5 collapsed batch dims)
  int bd[4];         // bd[1..4] (z = (((b0 * bd1 + b1) * bd2 + b2) * bd3 + b3) * bd4 + b4)
  int as[5], bs[5];  // A and B offsets per batch index (elements; 0 where broadcast)
} pc;

// Element offsets of batch z's A and B matrices.
void batch_offsets(int z, out int a_off, out int b_off) {
  a_off = 0;
  b_off = 0;
  for (int d = 4; d >= 1; --d) {
    const int q = z / pc.bd[d - 1], b = z - q * pc.bd[d - 1];
    a_off += b * pc.as[d];
    b_off += b * pc.bs[d];
    z = q;
  }
  a_off += z * pc.as[0];
  b_off += z * pc.bs[0];
}
#endif

const int BM = 16 * TM, BN = 16 * TN, BK = 16;
shared float As[BK][BM + 1];
shared float Bs[BK][BN + 1];

void do_tile(int z, int m0, int n0, int lx, int ly, int tid) {
  float acc[TM][TN];
  for (int i = 0; i < TM; ++i)
    for (int j = 0; j < TN; ++j) acc[i][j] = 0.0;

#ifdef CONV
  const int n_img = z / pc.groups, g = z - n_img * pc.groups;
  const int a_off = g * pc.M * pc.K;
  const int in_plane = pc.in_d * pc.in_h * pc.in_w;
  const int x_off = (n_img * pc.C + g * pc.Cg) * in_plane;
  const int khw = pc.k_h * pc.k_w, kk = pc.k_d * khw;
  // This invocation always loads B column n0 + (tid % BN) (BN divides 256): its window origin is fixed per tile.
  const int bcol = tid % BN;
  const int p = n0 + bcol;
  int id0 = 0, ih0 = 0, iw0 = 0;
  if (CONV_MODE == 0 && p < pc.N) {
    const int ohw = pc.out_h * pc.out_w;
    const int od = p / ohw, r = p - od * ohw, oh = r / pc.out_w, ow = r - oh * pc.out_w;
    id0 = od * pc.s_d - pc.p_d;
    ih0 = oh * pc.s_h - pc.p_h;
    iw0 = ow * pc.s_w - pc.p_w;
  }
  const bool a_kfast = true;
  const bool b_nfast = true;
#else
  int a_off, b_off;
  batch_offsets(z, a_off, b_off);
  // Load order: consecutive invocations walk the operand's contiguous dimension.
  const bool a_kfast = pc.a_sk == 1;
  const bool b_nfast = pc.b_sk != 1 || (pc.b_sn == 1 && pc.N > 1);
#endif

  for (int k0 = 0; k0 < pc.K; k0 += BK) {
    // A slice [BM x BK] -> As[k][m]: element e = tid + 256 * i
    for (int i = 0; i < TM; ++i) {
      const int e = tid + 256 * i;
      int m, k;
      if (a_kfast) {
        k = e % BK;
        m = e / BK;
      } else {
        m = e % BM;
        k = e / BM;
      }
      const int gm = m0 + m, gk = k0 + k;
      float v = 0.0;
#ifdef CONV
      if (gm < pc.M && gk < pc.K) v = float(a_data[a_off + gm * pc.K + gk]);
#else
      if (gm < pc.M && gk < pc.K) v = float(a_data[a_off + gm * pc.a_sm + gk * pc.a_sk]);
#endif
      As[k][m] = v;
    }
    // B slice [BK x BN] -> Bs[k][n]: element e = tid + 256 * i
    for (int i = 0; i < TN; ++i) {
      const int e = tid + 256 * i;
      int k, n;
      if (b_nfast) {
        n = e % BN;
        k = e / BN;
      } else {
        k = e % BK;
        n = e / BK;
      }
      const int gk = k0 + k, gn = n0 + n;
      float v = 0.0;
#ifdef CONV
      if (gk < pc.K && gn < pc.N) {
        if (CONV_MODE == 1) {
          v = float(b_data[x_off + gk * pc.N + gn]);
        } else {
          const int c = gk / kk, r = gk - c * kk;
          const int kd = r / khw, r2 = r - kd * khw;
          const int kh = r2 / pc.k_w, kw = r2 - kh * pc.k_w;
          const int id = id0 + kd * pc.dl_d, ih = ih0 + kh * pc.dl_h, iw = iw0 + kw * pc.dl_w;
          if (uint(id) < uint(pc.in_d) && uint(ih) < uint(pc.in_h) && uint(iw) < uint(pc.in_w))
            v = float(b_data[x_off + c * in_plane + (id * pc.in_h + ih) * pc.in_w + iw]);
        }
      }
#else
      if (gk < pc.K && gn < pc.N) v = float(b_data[b_off + gk * pc.b_sk + gn * pc.b_sn]);
#endif
      Bs[k][n] = v;
    }
    barrier();
    for (int k = 0; k < BK; ++k) {
      float av[TM], bv[TN];
      for (int i = 0; i < TM; ++i) av[i] = As[k][ly + 16 * i];
      for (int j = 0; j < TN; ++j) bv[j] = Bs[k][lx + 16 * j];
      for (int i = 0; i < TM; ++i)
        for (int j = 0; j < TN; ++j) acc[i][j] += av[i] * bv[j];
    }
    barrier();
  }

  for (int i = 0; i < TM; ++i) {
    const int m = m0 + ly + 16 * i;
    if (m >= pc.M) continue;
#ifdef CONV
    const int ch = g * pc.M + m;
    const float bias = HAS_C != 0 ? float(c_data[ch]) : 0.0;
    const int y_row = (n_img * pc.Mtot + ch) * pc.N;
#else
    const int y_row = z * pc.M * pc.N + m * pc.N;
#endif
    for (int j = 0; j < TN; ++j) {
      const int n = n0 + lx + 16 * j;
      if (n >= pc.N) continue;
#ifdef CONV
      float v = acc[i][j] + bias;
#else
      float v = pc.alpha * acc[i][j];
      if (HAS_C != 0) v += pc.beta * float(c_data[m * pc.c_sm + n * pc.c_sn]);
#endif
      y_data[y_row + n] = STORE_T(apply_act(v));
    }
  }
}

void main() {
  const int lx = int(gl_LocalInvocationID.x), ly = int(gl_LocalInvocationID.y);
  const int tid = ly * 16 + lx;
  const int tiles_m = (pc.M + BM - 1) / BM, tiles_n = (pc.N + BN - 1) / BN;
  // Workgroup-uniform loops: every barrier() above is reached by the whole workgroup.
  for (int z = int(gl_WorkGroupID.z); z < pc.batches; z += int(gl_NumWorkGroups.z))
    for (int tm = int(gl_WorkGroupID.y); tm < tiles_m; tm += int(gl_NumWorkGroups.y))
      for (int tn = int(gl_WorkGroupID.x); tn < tiles_n; tn += int(gl_NumWorkGroups.x))
        do_tile(z, tm * BM, tn * BN, lx, ly, tid);
}
