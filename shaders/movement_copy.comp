// Strided element copy (data movement: Transpose, Slice, Expand, Concat, Split, DepthToSpace,
// SpaceToDepth, ...). For every i < n, with (c_0..c_{rank-1}) the row-major coordinates of i in
// dims[]:  y[dbase + sum c_k * dstr[k]] = x[sbase + sum c_k * sstr[k]].
// Strides may be negative (Slice with negative steps) or zero (Expand). Elements are moved as
// raw bits, so one variant per element width serves every dtype: 32-bit (float, int) and, with
// BITS16=1, 16-bit (float16). Specialization constant 0: workgroup size.
#version 450
#if BITS16
#extension GL_EXT_shader_16bit_storage : require
#define ELEM uint16_t
#else
#define ELEM uint
#endif
layout(local_size_x_id = 0) in;
layout(push_constant) uniform Push {
  uint n;
  uint rank;  // <= 8
  int sbase;
  int dbase;
  uint dims[8];
  int sstr[8];
  int dstr[8];
} pc;
layout(std430, set = 0, binding = 0) readonly buffer X { ELEM x[]; };
layout(std430, set = 0, binding = 1) writeonly buffer Y { ELEM y[]; };

void main() {
  const uint stride = gl_NumWorkGroups.x * gl_WorkGroupSize.x;
  for (uint i = gl_GlobalInvocationID.x; i < pc.n; i += stride) {
    uint rem = i;
    int s = pc.sbase;
    int d = pc.dbase;
    for (int k = int(pc.rank) - 1; k >= 0; --k) {
      const uint dim = pc.dims[k];
      const int c = int(rem % dim);
      rem /= dim;
      s += c * pc.sstr[k];
      d += c * pc.dstr[k];
    }
    y[d] = x[s];
  }
}
