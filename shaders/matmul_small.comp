// MatMul / Gemm for skinny or small matrices (GEMV-like shapes, many tiny batched products): one
// invocation per output element, a plain dot product over K in the reference kernel's order, no
// shared memory or barriers (the tiled gemm.comp would leave most of its 64x64 tile idle).
// Same bindings, specialization constants and push constants as gemm.comp without CONV.
#version 450
#extension GL_GOOGLE_include_directive : require
#ifdef FP16
#extension GL_EXT_shader_16bit_storage : require
#define STORE_T float16_t
#else
#define STORE_T float
#endif

layout(local_size_x_id = 5) in;
layout(constant_id = 0) const int ACT = 0;
layout(constant_id = 1) const float ACT_A = 0;
layout(constant_id = 2) const float ACT_B = 0;
layout(constant_id = 3) const int HAS_C = 0;
#include "activation.glsl"

layout(std430, set = 0, binding = 0) readonly buffer BufA { STORE_T a_data[]; };
layout(std430, set = 0, binding = 1) readonly buffer BufB { STORE_T b_data[]; };
layout(std430, set = 0, binding = 2) readonly buffer BufC { STORE_T c_data[]; };
layout(std430, set = 0, binding = 3) writeonly buffer BufY { STORE_T y_data[]; };

layout(push_constant) uniform Push {
  int M, N, K;
  int a_sm, a_sk;
  int b_sk, b_sn;
  int c_sm, c_sn;
  float alpha, beta;
  int batches;
  int bd[4];
  int as[5], bs[5];
} pc;

void main() {
  const uint stride = gl_NumWorkGroups.x * gl_WorkGroupSize.x;
  const uint total = uint(pc.batches) * uint(pc.M) * uint(pc.N);
  for (uint idx = gl_GlobalInvocationID.x; idx < total; idx += stride) {
    const int i = int(idx);
    const int n = i % pc.N, t = i / pc.N;
    const int m = t % pc.M, z = t / pc.M;
    int a_row = m * pc.a_sm, b_col = n * pc.b_sn;
    int zz = z;
    for (int d = 4; d >= 1; --d) {
      const int q = zz / pc.bd[d - 1], b = zz - q * pc.bd[d - 1];
      a_row += b * pc.as[d];
      b_col += b * pc.bs[d];
      zz = q;
    }
    a_row += zz * pc.as[0];
    b_col += zz * pc.bs[0];
    float acc = 0.0;
    for (int k = 0; k < pc.K; ++k) acc += float(a_data[a_row + k * pc.a_sk]) * float(b_data[b_col + k * pc.b_sk]);
    float v = pc.alpha * acc;
    if (HAS_C != 0) v += pc.beta * float(c_data[m * pc.c_sm + n * pc.c_sn]);
    y_data[i] = STORE_T(apply_act(v));
  }
}
