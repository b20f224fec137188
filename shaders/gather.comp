// Index gathers (Gather, GatherElements, GatherND) moving raw bits: 32-bit elements, or 16-bit
// with BITS16=1. Indices are 32-bit ints (int64 indices are stored as int32 on the device);
// negative indices count from the end. An index outside [-n, n) yields 0 (the reference backend
// fails the run instead; a shader cannot, so it never reads outside the input).
// Spec constants: 0 workgroup size, 1 MODE. Push constants per MODE, for every output i < n:
//   0 Gather:          a = inner, b = k (index count), c = n_axis
//                      y[(o*k + j)*inner + e] = x[(o*n_axis + idx[j])*inner + e]
//   1 GatherElements:  a = rank, b = axis, c = n_axis, dims = indices shape, str = x strides
//                      y[i] = x[sum_{d != axis} c_d*str[d] + idx[i]*str[axis]]
//   2 GatherND:        a = slice, b = last (index tuple length), c = tuples per batch,
//                      d = batch stride, dims[j]/str[j] = x dim/stride of indexed axis j
//                      y[t*slice + e] = x[(t / c)*d + sum_j idx[t*last + j]*str[j] + e]
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
  uint a;
  uint b;
  uint c;
  int d;
  uint dims[8];
  int str[8];
} pc;
layout(std430, set = 0, binding = 0) readonly buffer X { ELEM x[]; };
layout(std430, set = 0, binding = 1) readonly buffer I { int ind[]; };
layout(std430, set = 0, binding = 2) writeonly buffer Y { ELEM y[]; };

// Wraps a negative index; false when outside [-n, n).
bool wrap(inout int idx, int n) {
  if (idx < 0) idx += n;
  return idx >= 0 && idx < n;
}

void main() {
  const uint stride = gl_NumWorkGroups.x * gl_WorkGroupSize.x;
  for (uint i = gl_GlobalInvocationID.x; i < pc.n; i += stride) {
    bool ok = true;
    int src = 0;
    if (MODE == 0) {
      const uint inner = pc.a, k = pc.b;
      const uint e = i % inner;
      const uint t = i / inner;
      const uint j = t % k;
      const uint o = t / k;
      int idx = ind[j];
      ok = wrap(idx, int(pc.c));
      src = (int(o) * int(pc.c) + idx) * int(inner) + int(e);
    } else if (MODE == 1) {
      const int axis = int(pc.b);
      uint rem = i;
      for (int k = int(pc.a) - 1; k >= 0; --k) {
        const uint dim = pc.dims[k];
        int co = int(rem % dim);
        rem /= dim;
        if (k == axis) {
          co = ind[i];
          ok = wrap(co, int(pc.c));
        }
        src += co * pc.str[k];
      }
    } else {
      const uint slice = pc.a, last = pc.b;
      const uint e = i % slice;
      const uint t = i / slice;
      src = int(t / pc.c) * pc.d + int(e);
      for (uint j = 0u; j < last; ++j) {
        int idx = ind[t * last + j];
        ok = ok && wrap(idx, int(pc.dims[j]));
        src += idx * pc.str[j];
      }
    }
    y[i] = ok ? x[src] : ELEM(0u);
  }
}
