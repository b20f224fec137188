// CumSum along one axis of x viewed as [outer, n, inner]: one invocation per line (outer x inner),
// summing sequentially in the reference's order (so float results are bit-identical):
//   acc = 0; for s in 0..n: j = REVERSE ? n-1-s : s; y[j] = EXCLUSIVE ? acc : acc + x[j]; acc += x[j]
// Variants: float32 (default), FP16=1 (float16 storage, accumulated in float, each output rounded
// to half to nearest even), INT=1 (32-bit int, wrapping). Spec constants: 0 workgroup size,
// 1 EXCLUSIVE, 2 REVERSE.
#version 450
#if FP16
#extension GL_EXT_shader_16bit_storage : require
#define ELEM uint16_t
#define ACC float
#elif INT
#define ELEM int
#define ACC int
#else
#define ELEM float
#define ACC float
#endif
layout(local_size_x_id = 0) in;
layout(constant_id = 1) const int EXCLUSIVE = 0;
layout(constant_id = 2) const int REVERSE = 0;
layout(push_constant) uniform Push {
  uint lines;  // outer * inner
  uint n;
  uint inner;
} pc;
layout(std430, set = 0, binding = 0) readonly buffer X { ELEM x[]; };
layout(std430, set = 0, binding = 1) writeonly buffer Y { ELEM y[]; };

#if FP16
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
#define LOAD(i) f16_bits_to_f32(uint(x[i]))
#define STORE(i, v) y[i] = uint16_t(f32_to_f16_bits(v))
#else
#define LOAD(i) x[i]
#define STORE(i, v) y[i] = (v)
#endif

void main() {
  const uint stride = gl_NumWorkGroups.x * gl_WorkGroupSize.x;
  for (uint line = gl_GlobalInvocationID.x; line < pc.lines; line += stride) {
    const uint o = line / pc.inner;
    const uint in_ = line % pc.inner;
    const uint base = o * pc.n * pc.inner + in_;
    ACC acc = ACC(0);
    for (uint s = 0u; s < pc.n; ++s) {
      const uint j = REVERSE != 0 ? pc.n - 1u - s : s;
      const uint off = base + j * pc.inner;
      const ACC v = LOAD(off);
      if (EXCLUSIVE != 0) {
        STORE(off, acc);
        acc += v;
      } else {
        acc += v;
        STORE(off, acc);
      }
    }
  }
}
