// Elementwise binary ops with numpy broadcasting: c[i] = OP(a[ia], b[ib]) (kernels/elementwise.cpp,
// BinaryOp codes). Variants (shaders/elementwise.variants) set the storage of A, B and C: F32
// (float), F16 (float16_t: computed in fp32, rounded once to nearest-even half) or I32 (every
// integer dtype and bool). Mixed variants: comparisons (float -> I32), Pow with an integer
// exponent (F32/F16 ^ I32) or an integer base (I32 ^ F32), float accumulators of float16 folds.
// Specialization constants: 0 workgroup size, 1 op, 2 integer dtype (ITYPE, elementwise_int.glsl),
// 4..6 fused activation (ew_act in elementwise_ops.glsl; float outputs only).
// Push constants: element count, rank (1..8) and per output dim (innermost last) its size and the
// element strides of A and B (0 along broadcast dims); p0: Mean's input count (float or int).
#version 450
#extension GL_GOOGLE_include_directive : require
#extension GL_EXT_shader_16bit_storage : require

#define F32 0
#define F16 1
#define I32 2

layout(local_size_x_id = 0) in;
layout(constant_id = 1) const int OP = 0;
layout(constant_id = 2) const int ITYPE = 0;
layout(constant_id = 4) const int ACT = 0;
layout(constant_id = 5) const float ACT_A = 0.0;
layout(constant_id = 6) const float ACT_B = 0.0;

layout(push_constant) uniform Push {
  uint n;
  uint rank;
  uint p0, p1;
  uint dims[8];
  uint sa[8];
  uint sb[8];
} pc;

#if A == F32
layout(std430, set = 0, binding = 0) readonly buffer BA { float a[]; };
#elif A == F16
layout(std430, set = 0, binding = 0) readonly buffer BA { float16_t a[]; };
#else
layout(std430, set = 0, binding = 0) readonly buffer BA { int a[]; };
#endif
#if B == F32
layout(std430, set = 0, binding = 1) readonly buffer BB { float b[]; };
#elif B == F16
layout(std430, set = 0, binding = 1) readonly buffer BB { float16_t b[]; };
#else
layout(std430, set = 0, binding = 1) readonly buffer BB { int b[]; };
#endif
#if C == F32
layout(std430, set = 0, binding = 2) writeonly buffer BC { float c[]; };
#elif C == F16
layout(std430, set = 0, binding = 2) writeonly buffer BC { float16_t c[]; };
#else
layout(std430, set = 0, binding = 2) writeonly buffer BC { int c[]; };
#endif

#include "elementwise_int.glsl"
#include "elementwise_math.glsl"
#include "elementwise_ops.glsl"

void store_float(uint i, float r) {
#if C == F16
  const float h = em_round_half(r);
  c[i] = float16_t(ACT == 0 ? h : em_round_half(ew_act(h)));
#elif C == F32
  c[i] = ew_act(r);
#endif
}

void main() {
  const uint stride = gl_NumWorkGroups.x * gl_WorkGroupSize.x;
  const int last = int(pc.rank) - 1;
  for (uint i = gl_GlobalInvocationID.x; i < pc.n; i += stride) {
    uint rem = i, ia = 0u, ib = 0u;
    for (int d = last; d > 0; --d) {
      const uint q = rem / pc.dims[d];
      const uint r = rem - q * pc.dims[d];
      ia += r * pc.sa[d];
      ib += r * pc.sb[d];
      rem = q;
    }
    ia += rem * pc.sa[0];
    ib += rem * pc.sb[0];
#if A != I32 && B != I32
    const float x = float(a[ia]), y = float(b[ib]);
#if C == I32
    c[i] = binary_compare_float(x, y);
#else
    store_float(i, binary_float(x, y, uintBitsToFloat(pc.p0)));
#endif
#elif A == I32 && B == I32
    c[i] = binary_int(a[ia], b[ib], int(pc.p0));
#elif B == I32
    // Pow(float X, integer Y); ITYPE is Y's dtype
    store_float(i, em_pow(float(a[ia]), it_to_float(b[ib])));
#else
    // Pow(integer X, float Y); ITYPE is X's dtype
    c[i] = pow_int_float(a[ia], float(b[ib]));
#endif
  }
}
