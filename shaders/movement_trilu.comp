// Trilu: for every i < n of x viewed as [mats, rows, cols], keep x[i] where
//   upper: col - row >= k      lower: col - row <= k
// and write 0 elsewhere (raw bits: 0 is +0.0 / int 0). 32-bit elements, or 16-bit with
// BITS16=1. Spec constants: 0 workgroup size, 1 UPPER (0/1).
#version 450
#if BITS16
#extension GL_EXT_shader_16bit_storage : require
#define ELEM uint16_t
#else
#define ELEM uint
#endif
layout(local_size_x_id = 0) in;
layout(constant_id = 1) const int UPPER = 1;
layout(push_constant) uniform Push {
  uint n;
  uint rows;
  uint cols;
  int k;  // clamped by the host to [-rows - 1, cols + 1]
} pc;
layout(std430, set = 0, binding = 0) readonly buffer X { ELEM x[]; };
layout(std430, set = 0, binding = 1) writeonly buffer Y { ELEM y[]; };

void main() {
  const uint stride = gl_NumWorkGroups.x * gl_WorkGroupSize.x;
  for (uint i = gl_GlobalInvocationID.x; i < pc.n; i += stride) {
    const int col = int(i % pc.cols);
    const int row = int((i / pc.cols) % pc.rows);
    const int diff = col - row;
    const bool keep = UPPER != 0 ? diff >= pc.k : diff <= pc.k;
    y[i] = keep ? x[i] : ELEM(0u);
  }
}
