// Pad (and Tile, as a wrap-around pad) as one gather: for every output element i with row-major
// coordinates c_k in dims[], each axis maps c_k to a source coordinate of the (cropped) input
// axis [lo, lo + extent[k]) with lo = max(0, -before[k]):
//   k' = c_k - max(before[k], 0);  inside when 0 <= k' < extent[k]: source lo + k'
//   outside: MODE 0 constant -> the element is `fill`; 1 reflect (no edge repeat, period
//   2 (extent - 1)); 2 edge (clamp); 3 wrap (modulo extent).
// y[i] = x[sum source_k * sstr[k]].  Exactly backends/reference/movement.cpp pad_source().
// Elements are raw bits: 32-bit variant, or 16-bit with BITS16=1. Spec constants: 0 workgroup
// size, 1 MODE. At most 7 axes (the host collapses unpadded axes and splits the rest in passes).
#version 450
#if BITS16
#extension GL_EXT_shader_16bit_storage : require
#define ELEM uint16_t
#else
#define ELEM uint
#endif
layout(local_size_x_id = 0) in;
layout(constant_id = 1) const int MODE = 0;
layout(push_constant) uniform Push {
  uint n;
  uint rank;  // <= 7
  uint fill;  // raw bits of the constant value (low 16 bits for BITS16)
  uint unused;
  uint dims[7];
  int sstr[7];
  int before[7];
  int extent[7];
} pc;
layout(std430, set = 0, binding = 0) readonly buffer X { ELEM x[]; };
layout(std430, set = 0, binding = 1) writeonly buffer Y { ELEM y[]; };

// a mod m in [0, m) for m > 0 (GLSL's % is undefined for negative operands).
int pmod(int a, int m) {
  if (a >= 0) return int(uint(a) % uint(m));
  const int r = int(uint(-a) % uint(m));
  return r == 0 ? 0 : m - r;
}

void main() {
  const uint stride = gl_NumWorkGroups.x * gl_WorkGroupSize.x;
  for (uint i = gl_GlobalInvocationID.x; i < pc.n; i += stride) {
    uint rem = i;
    int s = 0;
    bool outside = false;
    for (int k = int(pc.rank) - 1; k >= 0; --k) {
      const uint dim = pc.dims[k];
      const int c = int(rem % dim);
      rem /= dim;
      const int b = pc.before[k];
      const int lo = max(-b, 0);
      const int n = pc.extent[k];
      int j = c - max(b, 0);
      if (j < 0 || j >= n) {
        if (MODE == 0) {
          outside = true;
          j = 0;
        } else if (MODE == 2) {
          j = j < 0 ? 0 : n - 1;
        } else if (MODE == 3) {
          j = pmod(j, n);
        } else if (n == 1) {
          j = 0;
        } else {
          const int period = 2 * (n - 1);
          j = pmod(j, period);
          if (j >= n) j = period - j;
        }
      }
      s += (lo + j) * pc.sstr[k];
    }
    y[i] = outside ? ELEM(pc.fill) : x[s];
  }
}
