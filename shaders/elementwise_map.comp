// Elementwise unary ops: y[i] = OP(x[i]) (kernels/elementwise.cpp, UnaryOp codes).
// Variants (shaders/elementwise.variants): IN and OUT storage, each F32 (float), F16 (float16_t,
// computed in fp32, rounded once to nearest-even half) or I32 (int: every integer dtype and bool).
// Specialization constants: 0 workgroup size, 1 op, 2 integer dtype code (ITYPE: results wrap to
// it), 4..6 fused activation (ew_act in elementwise_ops.glsl; float outputs only).
// Push constants: element count and three 32-bit parameters (float bits for float ops: alpha,
// beta, gamma / clip bounds; ints for the integer Clip). Grid-stride loop: any n.
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
  uint p0, p1, p2;
} pc;

#if IN == F32
layout(std430, set = 0, binding = 0) readonly buffer X { float x[]; };
#elif IN == F16
layout(std430, set = 0, binding = 0) readonly buffer X { float16_t x[]; };
#else
layout(std430, set = 0, binding = 0) readonly buffer X { int x[]; };
#endif
#if OUT == F32
layout(std430, set = 0, binding = 1) writeonly buffer Y { float y[]; };
#elif OUT == F16
layout(std430, set = 0, binding = 1) writeonly buffer Y { float16_t y[]; };
#else
layout(std430, set = 0, binding = 1) writeonly buffer Y { int y[]; };
#endif

#include "elementwise_int.glsl"
#include "elementwise_math.glsl"
#include "elementwise_ops.glsl"

void main() {
  const uint stride = gl_NumWorkGroups.x * gl_WorkGroupSize.x;
  for (uint i = gl_GlobalInvocationID.x; i < pc.n; i += stride) {
#if IN == I32
    y[i] = unary_int(x[i], int(pc.p0), int(pc.p1));
#else
    const float v = float(x[i]);
#if OUT == I32
    y[i] = unary_pred(v);
#elif OUT == F16
    // activation on the rounded half value, as the executor applies it to the float16 output
    y[i] = float16_t(em_round_half(ew_act(em_round_half(
        unary_float(v, uintBitsToFloat(pc.p0), uintBitsToFloat(pc.p1), uintBitsToFloat(pc.p2))))));
#else
    y[i] = ew_act(unary_float(v, uintBitsToFloat(pc.p0), uintBitsToFloat(pc.p1), uintBitsToFloat(pc.p2)));
#endif
#endif
  }
}
