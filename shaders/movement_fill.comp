// Generators that write raw bits (ConstantOfShape, EyeLike): for every i < n,
//   MODE 0 (fill): y[i] = value
//   MODE 1 (eye):  y[i] = (col - row == k) ? value : 0, with row = i / cols, col = i % cols
// 32-bit elements, or 16-bit with BITS16=1 (value's low 16 bits). Spec constants: 0 workgroup
// size, 1 MODE.
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
  uint value;  // raw bits
  uint cols;   // eye
  int k;       // eye: diagonal offset (clamped by the host to [-rows, cols])
} pc;
layout(std430, set = 0, binding = 0) writeonly buffer Y { ELEM y[]; };

void main() {
  const uint stride = gl_NumWorkGroups.x * gl_WorkGroupSize.x;
  for (uint i = gl_GlobalInvocationID.x; i < pc.n; i += stride) {
    if (MODE == 0) {
      y[i] = ELEM(pc.value);
    } else {
      const int row = int(i / pc.cols);
      const int col = int(i % pc.cols);
      y[i] = ELEM(col - row == pc.k ? pc.value : 0u);
    }
  }
}
