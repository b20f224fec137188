// Range: y[i] = start + i * delta for i < n.
// Variants: float32 (default), FP16=1 (float16 storage: computed in float, rounded to half to
// nearest even), INT=1 (32-bit int, wrapping like the reference's cast of the int64 value).
// Floats use fma(i, delta, start): one rounding of the exact value where the hardware fuses it
// (the reference computes in double and rounds once). Spec constant 0: workgroup size.
#version 450
#if FP16
#extension GL_EXT_shader_16bit_storage : require
#define ELEM uint16_t
#elif INT
#define ELEM int
#else
#define ELEM float
#endif
layout(local_size_x_id = 0) in;
layout(push_constant) uniform Push {
  uint n;
  uint start;  // raw bits: float or int
  uint delta;
} pc;
layout(std430, set = 0, binding = 0) writeonly buffer Y { ELEM y[]; };

#if FP16
// float -> IEEE half bits, round to nearest even; overflow -> inf; NaN stays NaN.
uint f32_to_f16_bits(float v) {
  const uint b = floatBitsToUint(v);
  const uint sign = (b >> 16) & 0x8000u;
  const uint e = (b >> 23) & 0xFFu;
  const uint m = b & 0x7FFFFFu;
  if (e == 0xFFu) return sign | 0x7C00u | (m != 0u ? 0x200u : 0u);
  const int he = int(e) - 112;
  if (he >= 31) return sign | 0x7C00u;
  if (he <= 0) {
    const uint shift = 126u - e;  // >= 14
    if (shift > 25u) return sign;
    const uint mf = m | 0x800000u;
    uint hm = mf >> shift;
    const uint rest = mf & ((1u << shift) - 1u);
    const uint half_ulp = 1u << (shift - 1u);
    if (rest > half_ulp || (rest == half_ulp && (hm & 1u) != 0u)) hm += 1u;
    return sign | hm;
  }
  uint hm = m >> 13;
  const uint rest = m & 0x1FFFu;
  uint he2 = uint(he);
  if (rest > 0x1000u || (rest == 0x1000u && (hm & 1u) != 0u)) hm += 1u;
  if (hm == 0x400u) {
    hm = 0u;
    he2 += 1u;
    if (he2 >= 31u) return sign | 0x7C00u;
  }
  return sign | (he2 << 10) | hm;
}
#endif

void main() {
  const uint stride = gl_NumWorkGroups.x * gl_WorkGroupSize.x;
  for (uint i = gl_GlobalInvocationID.x; i < pc.n; i += stride) {
#if INT
    y[i] = int(pc.start) + int(i) * int(pc.delta);
#else
    const float v = fma(float(i), uintBitsToFloat(pc.delta), uintBitsToFloat(pc.start));
#if FP16
    y[i] = uint16_t(f32_to_f16_bits(v));
#else
    y[i] = v;
#endif
#endif
  }
}
