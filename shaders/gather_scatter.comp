// ScatterElements / ScatterND into y, which already holds a copy of the data input. The
// reference applies the updates one by one in index order; here every invocation owns a set of
// targets that no other invocation touches and applies its updates in that same order, so the
// result (duplicates and reductions included) matches the reference exactly:
//   MODE 0 ScatterElements: one invocation per line of `indices` along the axis (all other
//     coordinates fixed): push a = lines, b = rank, c = axis, d = indices' axis extent,
//     e = data's axis extent, dims = indices shape, str = data strides.
//   MODE 1 ScatterND: one invocation per element e of a slice, looping over the index tuples:
//     push a = slice, b = tuples, c = k (tuple length), dims[j]/str[j] = data dim/stride j.
// Indices outside [-n, n) are skipped (the reference fails the run instead).
// Spec constants: 0 workgroup size, 1 MODE, 2 REDUCTION (0 none, 1 add, 2 mul, 3 max, 4 min).
// Variants: float32 (default), FP16=1 (float16 storage, reductions in float, rounded to half to
// nearest even), INT=1 (32-bit int, wrapping).
#version 450
#if FP16
#extension GL_EXT_shader_16bit_storage : require
#define ELEM uint16_t
#define VAL float
#elif INT
#define ELEM int
#define VAL int
#else
#define ELEM float
#define VAL float
#endif
layout(local_size_x_id = 0) in;
layout(constant_id = 1) const int MODE = 0;
layout(constant_id = 2) const int REDUCTION = 0;
layout(push_constant) uniform Push {
  uint a;
  uint b;
  uint c;
  uint d;
  uint e;
  uint dims[8];
  int str[8];
} pc;
layout(std430, set = 0, binding = 0) readonly buffer I { int ind[]; };
layout(std430, set = 0, binding = 1) readonly buffer U { ELEM upd[]; };
layout(std430, set = 0, binding = 2) buffer Y { ELEM y[]; };

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
#define TO_VAL(v) f16_bits_to_f32(uint(v))
#define TO_ELEM(v) uint16_t(f32_to_f16_bits(v))
#else
#define TO_VAL(v) (v)
#define TO_ELEM(v) (v)
#endif

bool wrap(inout int idx, int n) {
  if (idx < 0) idx += n;
  return idx >= 0 && idx < n;
}

// y[t] = reduce(y[t], upd[u]) exactly as the reference's scatter_apply.
void apply(int t, uint u) {
  if (REDUCTION == 0) {
    y[t] = upd[u];
    return;
  }
  const VAL a = TO_VAL(y[t]);
  const VAL v = TO_VAL(upd[u]);
  if (REDUCTION == 1) y[t] = TO_ELEM(a + v);
  else if (REDUCTION == 2) y[t] = TO_ELEM(a * v);
  else if (REDUCTION == 3) { if (v > a) y[t] = upd[u]; }  // the update's exact bits, as the reference
  else if (v < a) y[t] = upd[u];
}

void main() {
  const uint stride = gl_NumWorkGroups.x * gl_WorkGroupSize.x;
  if (MODE == 0) {
    const int axis = int(pc.c);
    for (uint line = gl_GlobalInvocationID.x; line < pc.a; line += stride) {
      uint rem = line;
      int xoff = 0;
      uint ioff = 0u, istr = 1u, iaxis = 0u;
      for (int k = int(pc.b) - 1; k >= 0; --k) {
        const uint dim = pc.dims[k];
        if (k == axis) {
          iaxis = istr;
        } else {
          const uint c = rem % dim;
          rem /= dim;
          xoff += int(c) * pc.str[k];
          ioff += c * istr;
        }
        istr *= dim;
      }
      for (uint s = 0u; s < pc.d; ++s) {
        const uint io = ioff + s * iaxis;
        int idx = ind[io];
        if (!wrap(idx, int(pc.e))) continue;
        apply(xoff + idx * pc.str[axis], io);
      }
    }
  } else {
    const uint slice = pc.a, tuples = pc.b, k = pc.c;
    for (uint e = gl_GlobalInvocationID.x; e < slice; e += stride) {
      for (uint t = 0u; t < tuples; ++t) {
        int off = 0;
        bool ok = true;
        for (uint j = 0u; j < k; ++j) {
          int idx = ind[t * k + j];
          ok = ok && wrap(idx, int(pc.dims[j]));
          off += idx * pc.str[j];
        }
        if (ok) apply(off + int(e), t * slice + e);
      }
    }
  }
}
