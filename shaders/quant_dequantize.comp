// DequantizeLinear: y[i] = (float(x[i]) - float(zp[p])) * scale[p], exactly as the reference:
// the difference in float, the product rounded once to float (then to half when the scale is
// float16), stored as float32 or float16 (round to nearest even). x and the zero point are int
// storage (int8/uint8/int16/uint16/int32 as 32-bit ints).
// p: per-tensor 0, per-axis (i / inner) % axis_dim (mode 0; per-tensor is axis_dim = 1), blocked (mode 1)
// ((o * scale_axis_dim + a / block) * inner + i % inner with o = i / (inner * axis_dim)).
// Defines: SCALE16=1 float16 scale, OUT16=1 float16 output. Spec constants: 0 workgroup size,
// 1 HAS_ZP.
#version 450
#extension GL_EXT_shader_16bit_storage : require
layout(local_size_x_id = 0) in;
layout(constant_id = 1) const int HAS_ZP = 0;
layout(push_constant) uniform Push {
  uint n;
  uint inner;
  uint axis_dim;
  uint block;
  uint scale_axis_dim;
  uint mode;  // 0 per-tensor / per-axis (per-tensor: inner = axis_dim = 1), 1 blocked
} pc;
layout(std430, set = 0, binding = 0) readonly buffer X { int x[]; };
#if SCALE16
layout(std430, set = 0, binding = 1) readonly buffer S { uint16_t scale[]; };
#else
layout(std430, set = 0, binding = 1) readonly buffer S { float scale[]; };
#endif
layout(std430, set = 0, binding = 2) readonly buffer Z { int zp[]; };  // the scale again when absent
#if OUT16
layout(std430, set = 0, binding = 3) writeonly buffer Y { uint16_t y[]; };
#else
layout(std430, set = 0, binding = 3) writeonly buffer Y { float y[]; };
#endif

float f16_bits_to_f32(uint h) {
  const uint s = (h & 0x8000u) << 16;
  const uint e = (h >> 10) & 0x1Fu;
  const uint m = h & 0x3FFu;
  if (e == 0u) {
    const float v = float(m) * 5.9604644775390625e-8;  // m * 2^-24, exact
    return s != 0u ? -v : v;
  }
  if (e == 31u) return uintBitsToFloat(s | 0x7F800000u | (m << 13));
  return uintBitsToFloat(s | ((e + 112u) << 23) | (m << 13));
}

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
uint param_index(uint i) {
  const uint a = (i / pc.inner) % pc.axis_dim;
  if (pc.mode == 0u) return a;
  const uint o = i / (pc.inner * pc.axis_dim);
  return (o * pc.scale_axis_dim + a / pc.block) * pc.inner + i % pc.inner;
}

void main() {
  const uint stride = gl_NumWorkGroups.x * gl_WorkGroupSize.x;
  for (uint i = gl_GlobalInvocationID.x; i < pc.n; i += stride) {
    const uint p = param_index(i);
#if SCALE16
    const float s = f16_bits_to_f32(uint(scale[p]));
#else
    const float s = scale[p];
#endif
    const float d = float(x[i]) - (HAS_ZP != 0 ? float(zp[p]) : 0.0);
    precise float v = d * s;
#if SCALE16
    v = f16_bits_to_f32(f32_to_f16_bits(v));
#endif
#if OUT16
    y[i] = uint16_t(f32_to_f16_bits(v));
#else
    y[i] = v;
#endif
  }
}
