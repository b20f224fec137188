// LRN (ONNX LRN-1/13) over X viewed as [N, C, inner] (inner = product of the dims after C):
//   y[n, c, i] = x[n, c, i] / pow(bias + alpha / size * sum_{k = max(0, c - lo)}^{min(C - 1, c + hi)} x[n, k, i]^2, beta)
// with lo = (size - 1) / 2, hi = size - 1 - lo (as the reference backend). One invocation per
// element (grid-stride loop: any n). pow is em_pow (C powf semantics, our own exp/log: driver
// builtins may be far less accurate); fp32 math, float16 results rounded once to nearest-even.
// Defines: FP16=1 (float16 storage of X and Y).
// Specialization constants: 0 = workgroup size. Bindings: 0 X, 1 Y.
#version 450
#extension GL_GOOGLE_include_directive : require
#if FP16
#extension GL_EXT_shader_16bit_storage : require
#define STORE_T float16_t
#else
#define STORE_T float
#endif

layout(local_size_x_id = 0) in;

layout(push_constant) uniform Push {
  uint n;      // elements of X
  uint C;      // channels (dim 1)
  uint inner;  // elements per (n, c) block
  uint lo;     // channels below c in the window
  uint hi;     // channels above c in the window
  float alpha_over_size;
  float beta;
  float bias;
} pc;

layout(std430, set = 0, binding = 0) readonly buffer X { STORE_T x[]; };
layout(std430, set = 0, binding = 1) writeonly buffer Y { STORE_T y[]; };

#include "elementwise_math.glsl"

void main() {
  const uint stride = gl_NumWorkGroups.x * gl_WorkGroupSize.x;
  for (uint i = gl_GlobalInvocationID.x; i < pc.n; i += stride) {
    const uint c = (i / pc.inner) % pc.C;
    const uint base = i - c * pc.inner;
    const uint k0 = c > pc.lo ? c - pc.lo : 0u;
    const uint k1 = min(pc.C - 1u, c + pc.hi);
    float sq = 0.0;
    for (uint k = k0; k <= k1; ++k) {
      const float v = float(x[base + k * pc.inner]);
      sq += v * v;
    }
    const float r = float(x[i]) / em_pow(pc.bias + pc.alpha_over_size * sq, pc.beta);
#if FP16
    y[i] = float16_t(em_round_half(r));
#else
    y[i] = r;
#endif
  }
}
