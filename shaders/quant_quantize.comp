// QuantizeLinear to an integer type, exactly as the reference:
//   s = scale[p], v = x[i] / s (IEEE division rounded to nearest even, computed with integer
//   arithmetic because Vulkan's division may be 2.5 ulp off), with PREC16 x, s and v rounded to
//   float16 first; y = clamp(roundEven(v) + zp[p], lo, hi); NaN -> 0.
// p as in quant_dequantize.comp (per-tensor, per-axis or blocked). x: float32 or, with
// X16=1, float16; scale: float32 or, with SCALE16=1, float16; zero point and y: int storage.
// Spec constants: 0 workgroup size, 1 HAS_ZP, 2 PREC16.
#version 450
#extension GL_EXT_shader_16bit_storage : require
layout(local_size_x_id = 0) in;
layout(constant_id = 1) const int HAS_ZP = 0;
layout(constant_id = 2) const int PREC16 = 0;
layout(push_constant) uniform Push {
  uint n;
  uint inner;
  uint axis_dim;
  uint block;
  uint scale_axis_dim;
  uint mode;  // 0 per-tensor / per-axis (per-tensor: inner = axis_dim = 1), 1 blocked
  int lo;
  int hi;
} pc;
#if X16
layout(std430, set = 0, binding = 0) readonly buffer X { uint16_t x[]; };
#else
layout(std430, set = 0, binding = 0) readonly buffer X { float x[]; };
#endif
#if SCALE16
layout(std430, set = 0, binding = 1) readonly buffer S { uint16_t scale[]; };
#else
layout(std430, set = 0, binding = 1) readonly buffer S { float scale[]; };
#endif
layout(std430, set = 0, binding = 2) readonly buffer Z { int zp[]; };  // the scale again when absent
layout(std430, set = 0, binding = 3) writeonly buffer Y { int y[]; };

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
float f16_round(float v) { return f16_bits_to_f32(f32_to_f16_bits(v)); }

bool is_nan(float v) { return (floatBitsToUint(v) & 0x7FFFFFFFu) > 0x7F800000u; }

// a / b in IEEE binary32, rounded to nearest even (subnormals included).
float div_rn(float a, float b) {
  const uint ua = floatBitsToUint(a), ub = floatBitsToUint(b);
  const uint sign = (ua ^ ub) & 0x80000000u;
  const uint ea = (ua >> 23) & 0xFFu, eb = (ub >> 23) & 0xFFu;
  uint ma = ua & 0x7FFFFFu, mb = ub & 0x7FFFFFu;
  if (is_nan(a) || is_nan(b)) return uintBitsToFloat(0x7FC00000u);
  const bool a_inf = ea == 0xFFu, b_inf = eb == 0xFFu;
  const bool a_zero = ea == 0u && ma == 0u, b_zero = eb == 0u && mb == 0u;
  if ((a_inf && b_inf) || (a_zero && b_zero)) return uintBitsToFloat(0x7FC00000u);
  if (a_inf || b_zero) return uintBitsToFloat(sign | 0x7F800000u);
  if (b_inf || a_zero) return uintBitsToFloat(sign);
  // value = m * 2^(x - 150) with m in [2^23, 2^24)
  int xa = int(ea), xb = int(eb);
  if (ea == 0u) {
    const int sh = 23 - findMSB(ma);
    ma <<= uint(sh);
    xa = 1 - sh;
  } else {
    ma |= 0x800000u;
  }
  if (eb == 0u) {
    const int sh = 23 - findMSB(mb);
    mb <<= uint(sh);
    xb = 1 - sh;
  } else {
    mb |= 0x800000u;
  }
  // q = floor(ma * 2^25 / mb) in [2^24, 2^26) by long division in steps of 8, 8, 8 and 1 bits
  // (the remainder stays below mb < 2^24, so every shifted remainder fits 32 bits).
  uint r = ma, q = 0u;
  for (int step = 0; step < 4; ++step) {
    const uint sh = step < 3 ? 8u : 1u;
    const uint num = r << sh;
    q = (q << sh) | (num / mb);
    r = num % mb;
  }
  uint mant, round_bit;
  bool sticky = r != 0u;
  int biased;
  if (q >= (1u << 25)) {
    mant = q >> 2;
    round_bit = (q >> 1) & 1u;
    sticky = sticky || (q & 1u) != 0u;
    biased = xa - xb + 127;
  } else {
    mant = q >> 1;
    round_bit = q & 1u;
    biased = xa - xb + 126;
  }
  if (biased >= 255) return uintBitsToFloat(sign | 0x7F800000u);
  if (biased <= 0) {  // subnormal result: round at a higher bit
    const int sh = 1 - biased;
    if (sh > 25) return uintBitsToFloat(sign);
    const uint lost = mant & ((1u << uint(sh)) - 1u);
    sticky = sticky || round_bit != 0u || (lost & ((1u << uint(sh - 1)) - 1u)) != 0u;
    round_bit = (lost >> uint(sh - 1)) & 1u;
    mant >>= uint(sh);
    biased = 0;
  }
  if (round_bit != 0u && (sticky || (mant & 1u) != 0u)) mant += 1u;
  if (biased > 0 && mant == (1u << 24)) {
    mant >>= 1;
    biased += 1;
    if (biased >= 255) return uintBitsToFloat(sign | 0x7F800000u);
  }
  if (biased == 0) return uintBitsToFloat(sign | mant);  // may carry into the smallest normal
  return uintBitsToFloat(sign | (uint(biased) << 23) | (mant & 0x7FFFFFu));
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
#if X16
    float xv = f16_bits_to_f32(uint(x[i]));
#else
    float xv = x[i];
#endif
#if SCALE16
    float s = f16_bits_to_f32(uint(scale[p]));
#else
    float s = scale[p];
#endif
    if (PREC16 != 0) {
      xv = f16_round(xv);
      s = f16_round(s);
    }
    float v = div_rn(xv, s);
    if (PREC16 != 0) v = f16_round(v);
    int q = 0;
    if (!is_nan(v)) {
      precise const float r = roundEven(v) + (HAS_ZP != 0 ? float(zp[p]) : 0.0);
      q = r <= float(pc.lo) ? pc.lo : (r >= float(pc.hi) ? pc.hi : int(r));
    }
    y[i] = q;
  }
}
