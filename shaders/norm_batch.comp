// BatchNormalization (inference): y = x * a[c] + b[c] with a = scale / sqrt(var + eps),
// b = bias - mean * a, c = (i / inner) % C; then the node's fused activation (activation.glsl).
// Defines: FP16=1 (float16 storage of every binding; fp32 math).
// Specialization constants: 0 = workgroup size, 1..3 = fused activation (kind, alpha, beta).
// Bindings: 0 X, 1 scale, 2 bias, 3 mean, 4 var, 5 Y. Grid-stride loop over the elements.
#version 450
#extension GL_GOOGLE_include_directive : require
#if FP16
#extension GL_EXT_shader_16bit_storage : require
#define STORE_T float16_t
#else
#define STORE_T float
#endif

layout(local_size_x_id = 0) in;
layout(constant_id = 1) const int ACT = 0;
layout(constant_id = 2) const float ACT_A = 0;
layout(constant_id = 3) const float ACT_B = 0;
#include "activation.glsl"

layout(push_constant) uniform Push {
  uint n;      // elements of X
  uint C;      // channels
  uint inner;  // elements per (n, c) block
  float eps;
} pc;

layout(std430, set = 0, binding = 0) readonly buffer X { STORE_T x[]; };
layout(std430, set = 0, binding = 1) readonly buffer S { STORE_T scale[]; };
layout(std430, set = 0, binding = 2) readonly buffer B { STORE_T bias[]; };
layout(std430, set = 0, binding = 3) readonly buffer M { STORE_T mean[]; };
layout(std430, set = 0, binding = 4) readonly buffer V { STORE_T var[]; };
layout(std430, set = 0, binding = 5) writeonly buffer Y { STORE_T y[]; };

void main() {
  const uint stride = gl_NumWorkGroups.x * gl_WorkGroupSize.x;
  for (uint i = gl_GlobalInvocationID.x; i < pc.n; i += stride) {
    const uint c = (i / pc.inner) % pc.C;
    const float a = float(scale[c]) / sqrt(float(var[c]) + pc.eps);
    const float b = float(bias[c]) - float(mean[c]) * a;
    y[i] = STORE_T(apply_act(float(x[i]) * a + b));
  }
}
