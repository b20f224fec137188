// Line normalisations: Softmax, LogSoftmax, Hardmax, LpNormalization (p = 1, 2) and
// MeanVarianceNormalization. Each kept index k names a line (the elements of its reduced set,
// addressed like shaders/reduce.comp: up to 4 kept and 4 reduced groups of size/stride); the
// output has the input's layout and every element of the line is written.
//
// Defines: FP16=1 (float16 storage, fp32 math).
// Specialization constants: 0 = workgroup size (a power of two), 1 = op (below), 2 = workgroup
// mode (one workgroup per line with shared-memory reductions; else one invocation per line).
// Semantics (backends/reference/{softmax,normalization}.cpp): Softmax subtracts the line's max
// (a NaN anywhere makes the whole line NaN, as exp(NaN) poisons the sum); Hardmax puts 1 at the
// first index of the largest value (index 0 when element 0 is NaN); LpNormalization writes 0 for a
// zero norm; MVN uses (x - mean) / (sqrt(var) + 1e-9) with the population variance.
#version 450
#if FP16
#extension GL_EXT_shader_16bit_storage : require
#define STORE_T float16_t
#else
#define STORE_T float
#endif

layout(local_size_x_id = 0) in;
layout(constant_id = 1) const int OP = 0;
layout(constant_id = 2) const bool WG_MODE = false;

const int SOFTMAX = 0, LOGSOFTMAX = 1, HARDMAX = 2, LP1 = 3, LP2 = 4, MVN = 5;

layout(push_constant) uniform Push {
  uint n_out;  // lines
  uint n_red;  // elements per line
  uint kd[4];
  uint ks[4];
  uint rd[4];
  uint rs[4];
} pc;

layout(std430, set = 0, binding = 0) readonly buffer X { STORE_T x[]; };
layout(std430, set = 0, binding = 1) writeonly buffer Y { STORE_T y[]; };

uint kept_offset(uint k) {
  uint off = 0;
  for (int g = 3; g >= 0; --g) {
    off += (k % pc.kd[g]) * pc.ks[g];
    k /= pc.kd[g];
  }
  return off;
}

uint red_offset(uint r) {
  uint off = 0;
  for (int g = 3; g >= 0; --g) {
    off += (r % pc.rd[g]) * pc.rs[g];
    r /= pc.rd[g];
  }
  return off;
}

float load(uint i) { return float(x[i]); }
#define kInf uintBitsToFloat(0x7f800000u)

// Hardmax: is (v, j) before (bv, bj) in "largest value, then smallest index" order (NaN never)?
bool better(float v, int j, float bv, int bj) {
  if (isnan(v)) return false;
  if (bj < 0) return true;
  return v > bv || (v == bv && j < bj);
}

shared float sh[gl_WorkGroupSize.x];
shared int sh_i[gl_WorkGroupSize.x];

// Workgroup sum (is_max: max ignoring NaN). The result is returned to every invocation.
float wg_reduce(float v, bool is_max) {
  const uint t = gl_LocalInvocationID.x;
  sh[t] = v;
  barrier();
  for (uint s = gl_WorkGroupSize.x / 2; s > 0; s >>= 1) {
    if (t < s) sh[t] = is_max ? (sh[t + s] > sh[t] ? sh[t + s] : sh[t]) : sh[t] + sh[t + s];
    barrier();
  }
  const float r = sh[0];
  barrier();
  return r;
}

// Workgroup argmax in `better` order; returns the winning index (-1: none).
int wg_argmax(float v, int j) {
  const uint t = gl_LocalInvocationID.x;
  sh[t] = v;
  sh_i[t] = j;
  barrier();
  for (uint s = gl_WorkGroupSize.x / 2; s > 0; s >>= 1) {
    if (t < s && sh_i[t + s] >= 0 && better(sh[t + s], sh_i[t + s], sh[t], sh_i[t])) {
      sh[t] = sh[t + s];
      sh_i[t] = sh_i[t + s];
    }
    barrier();
  }
  const int r = sh_i[0];
  barrier();
  return r;
}

// The line of kept index k. `first`/`step`: this invocation's share of the line.
void line(uint k, uint first, uint step, bool wg) {
  const uint base = kept_offset(k);
  const uint n = pc.n_red;
  if (OP == HARDMAX) {
    float bv = 0.0;
    int bj = -1;
    for (uint r = first; r < n; r += step) {
      const float v = load(base + red_offset(r));
      if (better(v, int(r), bv, bj)) {
        bv = v;
        bj = int(r);
      }
    }
    if (wg) bj = wg_argmax(bv, bj);
    if (isnan(load(base)) || bj < 0) bj = 0;
    for (uint r = first; r < n; r += step) y[base + red_offset(r)] = STORE_T(int(r) == bj ? 1.0 : 0.0);
    return;
  }
  if (OP == SOFTMAX || OP == LOGSOFTMAX) {
    float m = -kInf;
    for (uint r = first; r < n; r += step) {
      const float v = load(base + red_offset(r));
      m = v > m ? v : m;
    }
    if (wg) m = wg_reduce(m, true);
    float s = 0.0;
    for (uint r = first; r < n; r += step) s += exp(load(base + red_offset(r)) - m);
    if (wg) s = wg_reduce(s, false);
    if (OP == SOFTMAX) {
      for (uint r = first; r < n; r += step) {
        const uint o = base + red_offset(r);
        y[o] = STORE_T(exp(load(o) - m) / s);
      }
    } else {
      const float lse = log(s);
      for (uint r = first; r < n; r += step) {
        const uint o = base + red_offset(r);
        y[o] = STORE_T(load(o) - m - lse);
      }
    }
    return;
  }
  if (OP == LP1 || OP == LP2) {
    float s = 0.0;
    for (uint r = first; r < n; r += step) {
      const float v = load(base + red_offset(r));
      s += OP == LP1 ? abs(v) : v * v;
    }
    if (wg) s = wg_reduce(s, false);
    const float norm = OP == LP2 ? sqrt(s) : s;
    for (uint r = first; r < n; r += step) {
      const uint o = base + red_offset(r);
      y[o] = STORE_T(norm == 0.0 ? 0.0 : load(o) / norm);
    }
    return;
  }
  // MVN
  float s = 0.0;
  for (uint r = first; r < n; r += step) s += load(base + red_offset(r));
  if (wg) s = wg_reduce(s, false);
  const float mean = s / float(n);
  float v = 0.0;
  for (uint r = first; r < n; r += step) {
    const float d = load(base + red_offset(r)) - mean;
    v += d * d;
  }
  if (wg) v = wg_reduce(v, false);
  const float inv = 1.0 / (sqrt(v / float(n)) + 1e-9);
  for (uint r = first; r < n; r += step) {
    const uint o = base + red_offset(r);
    y[o] = STORE_T((load(o) - mean) * inv);
  }
}

void main() {
  if (WG_MODE) {
    for (uint k = gl_WorkGroupID.x; k < pc.n_out; k += gl_NumWorkGroups.x)
      line(k, gl_LocalInvocationID.x, gl_WorkGroupSize.x, true);
  } else {
    const uint stride = gl_NumWorkGroups.x * gl_WorkGroupSize.x;
    for (uint k = gl_GlobalInvocationID.x; k < pc.n_out; k += stride) line(k, 0, 1, false);
  }
}
