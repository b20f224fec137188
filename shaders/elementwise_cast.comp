// Cast / CastLike between the device storages (kernels/elementwise.cpp): IN and OUT are F32
// (float), F16 (float16_t) or I32 (every integer dtype and bool), as the reference casts:
//   float -> integer: truncation toward zero, saturated to the int64 range, NaN -> 0, then the
//                     target's low bits (two's complement wrap); float -> bool: x != 0 (NaN true)
//   integer -> integer: the target's low bits; -> bool: x != 0
//   -> float16: rounded once to nearest-even (in software: exact on every device)
// Specialization constants: 0 workgroup size, 2 target integer dtype (ITYPE codes of
// elementwise_int.glsl, 6 = bool), 3 source is uint32 (1) or not (0). Push constant: count.
#version 450
#extension GL_GOOGLE_include_directive : require
#extension GL_EXT_shader_16bit_storage : require

#define F32 0
#define F16 1
#define I32 2

layout(local_size_x_id = 0) in;
layout(constant_id = 2) const int ITYPE = 0;
layout(constant_id = 3) const int SRC_UNSIGNED = 0;
layout(push_constant) uniform Push { uint n; } pc;

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

// Low 32 bits of the float truncated toward zero (saturated to UINT64_MAX / INT64_MIN; the low 32
// bits of integers >= 2^32 are 0).
int float_to_int_bits(float f) {
  if (em_isnan(f)) return 0;
  const float t = trunc(f);
  if (abs(t) < 2147483648.0) return int(t);
  if (t >= 18446744073709551616.0) return -1;  // UINT64_MAX (the reference's unsigned saturation)
  if (t <= -9223372036854775808.0) return 0;   // INT64_MIN
  const uint b = floatBitsToUint(abs(t));
  const int k = int((b >> 23) & 0xffu) - 150;  // |t| = m * 2^k, k >= 8 (|t| >= 2^31)
  const uint m = (b & 0x007fffffu) | 0x00800000u;
  const uint low = k >= 32 ? 0u : (m << uint(k));
  return t < 0.0 ? int(0u - low) : int(low);
}

void main() {
  const uint stride = gl_NumWorkGroups.x * gl_WorkGroupSize.x;
  for (uint i = gl_GlobalInvocationID.x; i < pc.n; i += stride) {
#if IN == I32
    const int v = x[i];
#if OUT == I32
    y[i] = ITYPE == 6 ? (v != 0 ? 1 : 0) : it_wrap(v);
#else
    const float f = SRC_UNSIGNED != 0 ? float(uint(v)) : float(v);
#if OUT == F16
    y[i] = float16_t(em_round_half(f));
#else
    y[i] = f;
#endif
#endif
#else
    const float f = float(x[i]);
#if OUT == I32
    y[i] = ITYPE == 6 ? ((em_isnan(f) || f != 0.0) ? 1 : 0) : it_wrap(float_to_int_bits(f));
#elif OUT == F16
    y[i] = float16_t(em_round_half(f));
#else
    y[i] = f;
#endif
#endif
  }
}
