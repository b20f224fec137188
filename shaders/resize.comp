// Resize: each output element is the weighted sum over the tensor product of its per-axis taps
// (input index, weight), or a copy of the single tap in nearest mode, or extrapolation_value when
// an axis maps outside the input (tf_crop_and_resize). The taps are computed on the host in double
// exactly as the reference backend does (backends/vulkan/kernels/resize.cpp) and uploaded as a
// table (int32, weights as float bits):
//   header, per axis d < rank: out_dim, in_stride, entry offset, taps per entry (T)
//   entries, per axis and output coordinate: count (-1: extrapolate), then T x (index, weight bits)
// Defines: FP16=1 (float16 storage), INT=1 (int storage; nearest only).
// Specialization constants: 0 = workgroup size, 1 = nearest (copy the single tap).
// Bindings: 0 X, 1 table, 2 Y. Push: output elements, rank, extrapolation value.
// An entry with no taps (all weights zero) gives 0, as the reference's empty sum.
#version 450
#if FP16
#extension GL_EXT_shader_16bit_storage : require
#define STORE_T float16_t
#elif INT
#define STORE_T int
#else
#define STORE_T float
#endif

layout(local_size_x_id = 0) in;
layout(constant_id = 1) const bool NEAREST = true;

layout(push_constant) uniform Push {
  uint n;
  uint rank;
  uint extrapolation;  // float bits (INT: the int value)
} pc;

layout(std430, set = 0, binding = 0) readonly buffer X { STORE_T x[]; };
layout(std430, set = 0, binding = 1) readonly buffer T { int tab[]; };
layout(std430, set = 0, binding = 2) writeonly buffer Y { STORE_T y[]; };

const uint kMaxRank = 8;

void main() {
  const uint stride = gl_NumWorkGroups.x * gl_WorkGroupSize.x;
  for (uint i = gl_GlobalInvocationID.x; i < pc.n; i += stride) {
    uint entry[kMaxRank];
    uint rem = i;
    bool extrapolate = false;
    for (uint d = pc.rank; d-- > 0;) {
      const uint od = uint(tab[4 * d]);
      const uint c = rem % od;
      rem /= od;
      entry[d] = uint(tab[4 * d + 2]) + c * (1 + 2 * uint(tab[4 * d + 3]));
      if (tab[entry[d]] < 0) extrapolate = true;
    }
    if (extrapolate) {
#if INT
      y[i] = int(pc.extrapolation);
#else
      y[i] = STORE_T(uintBitsToFloat(pc.extrapolation));
#endif
      continue;
    }
    if (NEAREST) {
      uint off = 0;
      for (uint d = 0; d < pc.rank; ++d) off += uint(tab[entry[d] + 1]) * uint(tab[4 * d + 1]);
      y[i] = x[off];
      continue;
    }
#if !INT
    // Odometer over the taps of every axis: t[d] in [0, count_d).
    uint t[kMaxRank];
    bool empty = false;
    for (uint d = 0; d < pc.rank; ++d) {
      t[d] = 0;
      if (tab[entry[d]] == 0) empty = true;
    }
    float acc = 0.0;
    while (!empty) {
      float w = 1.0;
      uint off = 0;
      for (uint d = 0; d < pc.rank; ++d) {
        const uint e = entry[d] + 1 + 2 * t[d];
        off += uint(tab[e]) * uint(tab[4 * d + 1]);
        w *= intBitsToFloat(tab[e + 1]);
      }
      acc += w * float(x[off]);
      bool done = true;
      for (uint d = pc.rank; d-- > 0;) {
        if (++t[d] < uint(tab[entry[d]])) {
          done = false;
          break;
        }
        t[d] = 0;
      }
      if (done) break;
    }
    y[i] = STORE_T(acc);
#endif
  }
}
