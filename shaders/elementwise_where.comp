// Where(cond, X, Y) with 3-way numpy broadcasting: out[i] = cond[ic] != 0 ? x[ix] : y[iy]
// (kernels/elementwise.cpp). Elements are copied unchanged; variants by the storage of X, Y and
// out (T = F32 float, F16 float16_t, I32 int). Specialization constant 0: workgroup size.
// Push constants: element count, rank (1..7) and per output dim (innermost last) its size and the
// strides of cond, X and Y (0 along broadcast dims).
#version 450
#extension GL_EXT_shader_16bit_storage : require

#define F32 0
#define F16 1
#define I32 2
#if T == F32
#define ELEM float
#elif T == F16
#define ELEM float16_t
#else
#define ELEM int
#endif

layout(local_size_x_id = 0) in;
layout(push_constant) uniform Push {
  uint n;
  uint rank;
  uint dims[7];
  uint sc[7];
  uint sx[7];
  uint sy[7];
} pc;

layout(std430, set = 0, binding = 0) readonly buffer BC { int cond[]; };
layout(std430, set = 0, binding = 1) readonly buffer BX { ELEM x[]; };
layout(std430, set = 0, binding = 2) readonly buffer BY { ELEM y[]; };
layout(std430, set = 0, binding = 3) writeonly buffer BO { ELEM o[]; };

void main() {
  const uint stride = gl_NumWorkGroups.x * gl_WorkGroupSize.x;
  const int last = int(pc.rank) - 1;
  for (uint i = gl_GlobalInvocationID.x; i < pc.n; i += stride) {
    uint rem = i, ic = 0u, ix = 0u, iy = 0u;
    for (int d = last; d > 0; --d) {
      const uint q = rem / pc.dims[d];
      const uint r = rem - q * pc.dims[d];
      ic += r * pc.sc[d];
      ix += r * pc.sx[d];
      iy += r * pc.sy[d];
      rem = q;
    }
    ic += rem * pc.sc[0];
    ix += rem * pc.sx[0];
    iy += rem * pc.sy[0];
    o[i] = cond[ic] != 0 ? x[ix] : y[iy];
  }
}
