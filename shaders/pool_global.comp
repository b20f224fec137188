// Global pooling (GlobalAveragePool, GlobalMaxPool, GlobalLpPool): one workgroup per (n, c) plane
// (grid-stride over planes), each invocation folds a strided part of the plane, then a shared-memory
// tree combines the partial results. fp32 accumulation.
//
// Bindings: 0 X [planes, len], 1 Y [planes]. Specialization constants: 0 MODE (0 average, 1 max,
// 2 Lp), 1 workgroup size (a power of two).
#version 450
#ifdef FP16
#extension GL_EXT_shader_16bit_storage : require
#define STORE_T float16_t
#else
#define STORE_T float
#endif

layout(local_size_x_id = 1) in;
layout(constant_id = 0) const int MODE = 0;
layout(constant_id = 1) const uint WG = 256;

layout(std430, set = 0, binding = 0) readonly buffer BufX { STORE_T x[]; };
layout(std430, set = 0, binding = 1) writeonly buffer BufY { STORE_T y[]; };

layout(push_constant) uniform Push {
  uint planes;
  uint len;
  int p;  // Lp
} pc;

shared float part[WG];

// Max as the reference: a NaN, once seen, is the result.
float max_nan(float acc, float v) { return ((v > acc || isnan(v)) && !isnan(acc)) ? v : acc; }

void main() {
  const uint lid = gl_LocalInvocationID.x;
  for (uint plane = gl_WorkGroupID.x; plane < pc.planes; plane += gl_NumWorkGroups.x) {
    const uint base = plane * pc.len;
    float acc = MODE == 1 ? uintBitsToFloat(0xff800000u) : 0.0;
    for (uint i = lid; i < pc.len; i += WG) {
      const float v = float(x[base + i]);
      if (MODE == 0) acc += v;
      else if (MODE == 1) acc = max_nan(acc, v);
      else if (pc.p == 2) acc += v * v;
      else if (pc.p == 1) acc += abs(v);
      else acc += pow(abs(v), float(pc.p));
    }
    part[lid] = acc;
    barrier();
    for (uint s = WG / 2; s > 0; s >>= 1) {
      if (lid < s) part[lid] = MODE == 1 ? max_nan(part[lid], part[lid + s]) : part[lid] + part[lid + s];
      barrier();
    }
    if (lid == 0) {
      float r = part[0];
      if (MODE == 0) r /= float(pc.len);
      else if (MODE == 2) r = pc.p == 1 ? r : pc.p == 2 ? sqrt(r) : pow(r, 1.0 / float(pc.p));
      y[plane] = STORE_T(r);
    }
    barrier();  // part[] is reused by the next plane
  }
}
