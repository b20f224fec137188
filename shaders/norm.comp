// Row normalisations: LayerNormalization, RMSNormalization, InstanceNormalization and
// GroupNormalization. X is `rows` contiguous rows of `len` elements; per row
//   mean = sum(x) / len (0 for RMS), var = sum((x - mean)^2) / len, inv = 1 / sqrt(var + eps)
//   y = (x - mean) * inv * scale[.] + bias[.]
// and optionally mean / inv are written per row (LayerNormalization's outputs 1 and 2, float32).
//
// Defines: FP16=1 (float16 storage of X, scale, bias, Y; fp32 math).
// Specialization constants: 0 = workgroup size (a power of two), 1 = workgroup mode (one
// workgroup per row; else one invocation per row), 2 = RMS (no mean), 3 = has bias,
// 4 = write statistics. Push constant pmode = parameter indexing:
//   0: broadcast: element i of X (flat) reads scale[sum_d coord_d * sst[d]] (bias: bst) over the
//      collapsed dims `dims` (rank <= 8; LayerNormalization / RMSNormalization);
//   1: per channel: c = (row % G) * cg + j / inner (Instance: G = C, cg = 1; Group opset >= 21);
//   2: per group: c = row % G (GroupNormalization opset 18).
// Bindings: 0 X, 1 scale, 2 bias (scale again when absent), 3 Y, 4 mean, 5 inv (scratch when absent).
#version 450
#if FP16
#extension GL_EXT_shader_16bit_storage : require
#define STORE_T float16_t
#else
#define STORE_T float
#endif

layout(local_size_x_id = 0) in;
layout(constant_id = 1) const bool WG_MODE = false;
layout(constant_id = 2) const bool RMS = false;
layout(constant_id = 3) const bool HAS_BIAS = true;
layout(constant_id = 4) const bool STATS = false;

layout(push_constant) uniform Push {
  uint rows;
  uint len;
  float eps;
  uint G;
  uint cg;
  uint inner;
  uint rank;
  uint pmode;  // parameter indexing (below)
  uint dims[8];
  uint sst[8];
  uint bst[8];
} pc;

layout(std430, set = 0, binding = 0) readonly buffer X { STORE_T x[]; };
layout(std430, set = 0, binding = 1) readonly buffer S { STORE_T scale[]; };
layout(std430, set = 0, binding = 2) readonly buffer B { STORE_T bias[]; };
layout(std430, set = 0, binding = 3) writeonly buffer Y { STORE_T y[]; };
layout(std430, set = 0, binding = 4) writeonly buffer M { float mean_out[]; };
layout(std430, set = 0, binding = 5) writeonly buffer I { float inv_out[]; };

shared float sh[gl_WorkGroupSize.x];

float wg_sum(float v) {
  const uint t = gl_LocalInvocationID.x;
  sh[t] = v;
  barrier();
  for (uint s = gl_WorkGroupSize.x / 2; s > 0; s >>= 1) {
    if (t < s) sh[t] += sh[t + s];
    barrier();
  }
  const float r = sh[0];
  barrier();
  return r;
}

// Scale and bias offsets of element j of row `row`.
uvec2 param_offsets(uint row, uint j) {
  if (pc.pmode == 1) {
    const uint c = (row % pc.G) * pc.cg + j / pc.inner;
    return uvec2(c, c);
  }
  if (pc.pmode == 2) {
    const uint c = row % pc.G;
    return uvec2(c, c);
  }
  uint i = row * pc.len + j;
  uvec2 off = uvec2(0);
  for (uint d = pc.rank; d-- > 0;) {
    const uint c = i % pc.dims[d];
    i /= pc.dims[d];
    off += c * uvec2(pc.sst[d], pc.bst[d]);
  }
  return off;
}

void row_norm(uint row, uint first, uint step, bool wg) {
  const uint base = row * pc.len;
  const float n = float(pc.len);
  float mean = 0.0;
  if (!RMS) {
    float s = 0.0;
    for (uint j = first; j < pc.len; j += step) s += float(x[base + j]);
    if (wg) s = wg_sum(s);
    mean = s / n;
  }
  float v = 0.0;
  for (uint j = first; j < pc.len; j += step) {
    const float d = float(x[base + j]) - mean;
    v += d * d;
  }
  if (wg) v = wg_sum(v);
  const float inv = 1.0 / sqrt(v / n + pc.eps);
  for (uint j = first; j < pc.len; j += step) {
    const uvec2 p = param_offsets(row, j);
    float r = (float(x[base + j]) - mean) * inv * float(scale[p.x]);
    if (HAS_BIAS) r += float(bias[p.y]);
    y[base + j] = STORE_T(r);
  }
  if (STATS && first == 0) {
    mean_out[row] = mean;
    inv_out[row] = inv;
  }
}

void main() {
  if (WG_MODE) {
    for (uint row = gl_WorkGroupID.x; row < pc.rows; row += gl_NumWorkGroups.x)
      row_norm(row, gl_LocalInvocationID.x, gl_WorkGroupSize.x, true);
  } else {
    const uint stride = gl_NumWorkGroups.x * gl_WorkGroupSize.x;
    for (uint row = gl_GlobalInvocationID.x; row < pc.rows; row += stride) row_norm(row, 0, 1, false);
  }
}
