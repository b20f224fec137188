// Reductions (ReduceSum ... ReduceSumSquare, ArgMax/ArgMin): y[k] = reduce over the reduced set of
// kept index k. The C++ side (backends/vulkan/kernels/reduce.cpp) describes the input as up to 4
// kept groups and 4 reduced groups (merged dims: size, element stride); unused groups have size 1.
// The output is contiguous in kept order.
//
// Defines: FP16=1 (float16 storage, fp32 math), INT=1 (int storage and math, 32-bit wrapping),
//          ARG=1 (ArgMax/ArgMin: int output = the index along the reduced axis).
// Specialization constants: 0 = workgroup size (a power of two), 1 = op (below), 2 = workgroup
// mode (one workgroup per output, tree reduction in shared memory; else one invocation per
// output), 3 = select_last_index (ArgMax/ArgMin).
// Float semantics follow the reference backend: Max/Min propagate NaN; LogSumExp subtracts the
// largest (non-NaN) value unless it is infinite; empty sets give the identity (Sum 0, Prod 1,
// Max -inf, Min +inf, Mean NaN, LogSum -inf, LogSumExp -inf); integer Max/Min identities come in
// pc.ident; integer Mean of an empty set is 0.
// ArgMax/ArgMin: the first (or last) index of the extreme non-NaN value; a NaN at index 0 gives 0
// (exactly the sequential `v > best` scan of the reference).
#version 450
#if FP16
#extension GL_EXT_shader_16bit_storage : require
#define STORE_T float16_t
#elif INT
#define STORE_T int
#else
#define STORE_T float
#endif
#if INT
#define VAL int
#else
#define VAL float
#endif

layout(local_size_x_id = 0) in;
layout(constant_id = 1) const int OP = 0;
layout(constant_id = 2) const bool WG_MODE = false;
layout(constant_id = 3) const bool LAST = false;

const int SUM = 0, MEAN = 1, MAX = 2, MIN = 3, PROD = 4, L1 = 5, L2 = 6, LOGSUM = 7, LOGSUMEXP = 8, SUMSQ = 9,
          ARGMAX = 10, ARGMIN = 11;

layout(push_constant) uniform Push {
  uint n_out;  // kept elements (outputs)
  uint n_red;  // elements per reduced set
  uint kd[4];  // kept groups: size, stride (outermost first)
  uint ks[4];
  uint rd[4];  // reduced groups
  uint rs[4];
  int ident;   // INT Max/Min: identity of the logical dtype
} pc;

layout(std430, set = 0, binding = 0) readonly buffer X { STORE_T x[]; };
#if ARG
layout(std430, set = 0, binding = 1) writeonly buffer Y { int y[]; };
#else
layout(std430, set = 0, binding = 1) writeonly buffer Y { STORE_T y[]; };
#endif

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

VAL load(uint i) { return VAL(x[i]); }

#define kInf uintBitsToFloat(0x7f800000u)

#if ARG
// ---- ArgMax / ArgMin: (value, index) pairs; index -1 = none yet ----
bool better(VAL v, int j, VAL bv, int bj) {
#if !INT
  if (isnan(v)) return false;
#endif
  if (bj < 0) return true;
  if (OP == ARGMAX ? v > bv : v < bv) return true;
  return v == bv && (LAST ? j > bj : j < bj);
}

shared VAL sh_v[gl_WorkGroupSize.x];
shared int sh_i[gl_WorkGroupSize.x];

void finish(uint k, uint base, int bj) {
#if !INT
  if (isnan(load(base))) bj = 0;  // the reference's scan never leaves a NaN at index 0
#endif
  y[k] = max(bj, 0);
}

void main() {
  if (WG_MODE) {
    const uint t = gl_LocalInvocationID.x;
    for (uint k = gl_WorkGroupID.x; k < pc.n_out; k += gl_NumWorkGroups.x) {
      const uint base = kept_offset(k);
      VAL bv = VAL(0);
      int bj = -1;
      for (uint r = t; r < pc.n_red; r += gl_WorkGroupSize.x) {
        const VAL v = load(base + red_offset(r));
        if (better(v, int(r), bv, bj)) {
          bv = v;
          bj = int(r);
        }
      }
      sh_v[t] = bv;
      sh_i[t] = bj;
      barrier();
      for (uint s = gl_WorkGroupSize.x / 2; s > 0; s >>= 1) {
        if (t < s && sh_i[t + s] >= 0 && better(sh_v[t + s], sh_i[t + s], sh_v[t], sh_i[t])) {
          sh_v[t] = sh_v[t + s];
          sh_i[t] = sh_i[t + s];
        }
        barrier();
      }
      if (t == 0) finish(k, base, sh_i[0]);
      barrier();
    }
  } else {
    const uint stride = gl_NumWorkGroups.x * gl_WorkGroupSize.x;
    for (uint k = gl_GlobalInvocationID.x; k < pc.n_out; k += stride) {
      const uint base = kept_offset(k);
      VAL bv = VAL(0);
      int bj = -1;
      for (uint r = 0; r < pc.n_red; ++r) {
        const VAL v = load(base + red_offset(r));
        if (better(v, int(r), bv, bj)) {
          bv = v;
          bj = int(r);
        }
      }
      finish(k, base, bj);
    }
  }
}

#else
// ---- value reductions ----
VAL init() {
#if INT
  if (OP == MAX || OP == MIN) return pc.ident;
  return OP == PROD ? 1 : 0;
#else
  if (OP == MAX) return -kInf;
  if (OP == MIN) return kInf;
  return OP == PROD ? 1.0 : 0.0;
#endif
}

// Accumulates element v (LogSumExp: exp(v - shift)).
VAL step(VAL a, VAL v, float shift) {
#if INT
  if (OP == MAX) return max(a, v);
  if (OP == MIN) return min(a, v);
#else
  if (OP == MAX) return isnan(a) ? a : (isnan(v) ? v : max(a, v));
  if (OP == MIN) return isnan(a) ? a : (isnan(v) ? v : min(a, v));
  if (OP == LOGSUMEXP) return a + exp(v - shift);
#endif
  if (OP == PROD) return a * v;
  if (OP == L1) return a + abs(v);
  if (OP == L2 || OP == SUMSQ) return a + v * v;
  return a + v;  // Sum, Mean, LogSum
}

VAL combine(VAL a, VAL b) {
#if INT
  if (OP == MAX) return max(a, b);
  if (OP == MIN) return min(a, b);
#else
  if (OP == MAX) return isnan(a) ? a : (isnan(b) ? b : max(a, b));
  if (OP == MIN) return isnan(a) ? a : (isnan(b) ? b : min(a, b));
#endif
  if (OP == PROD) return a * b;
  return a + b;
}

VAL finish(VAL a, float shift) {
#if INT
  if (OP == MEAN) return pc.n_red == 0 ? 0 : a / int(pc.n_red);
  return a;
#else
  if (OP == MEAN) return a / float(pc.n_red);
  if (OP == L2) return sqrt(a);
  if (OP == LOGSUM) return log(a);
  if (OP == LOGSUMEXP) return shift + log(a);
  return a;
#endif
}

// Largest non-NaN value (std::max(m, v) keeps m when v is NaN); -inf when none.
float max_ignoring_nan(float m, float v) { return v > m ? v : m; }

shared VAL sh[gl_WorkGroupSize.x];

// Tree reduction across the workgroup; `lse_max` combines with max_ignoring_nan instead.
VAL wg_reduce(VAL v, bool lse_max) {
  const uint t = gl_LocalInvocationID.x;
  sh[t] = v;
  barrier();
  for (uint s = gl_WorkGroupSize.x / 2; s > 0; s >>= 1) {
    if (t < s) {
#if INT
      sh[t] = combine(sh[t], sh[t + s]);
#else
      sh[t] = lse_max ? max_ignoring_nan(sh[t], sh[t + s]) : combine(sh[t], sh[t + s]);
#endif
    }
    barrier();
  }
  const VAL r = sh[0];
  barrier();
  return r;
}

float lse_shift(float m) { return isinf(m) ? 0.0 : m; }

void main() {
  if (WG_MODE) {
    const uint t = gl_LocalInvocationID.x;
    for (uint k = gl_WorkGroupID.x; k < pc.n_out; k += gl_NumWorkGroups.x) {
      const uint base = kept_offset(k);
      float shift = 0.0;
#if !INT
      if (OP == LOGSUMEXP) {
        float m = -kInf;
        for (uint r = t; r < pc.n_red; r += gl_WorkGroupSize.x) m = max_ignoring_nan(m, load(base + red_offset(r)));
        shift = lse_shift(wg_reduce(m, true));
      }
#endif
      VAL a = init();
      for (uint r = t; r < pc.n_red; r += gl_WorkGroupSize.x) a = step(a, load(base + red_offset(r)), shift);
      a = wg_reduce(a, false);
      if (t == 0) y[k] = STORE_T(finish(a, shift));
    }
  } else {
    const uint stride = gl_NumWorkGroups.x * gl_WorkGroupSize.x;
    for (uint k = gl_GlobalInvocationID.x; k < pc.n_out; k += stride) {
      const uint base = kept_offset(k);
      float shift = 0.0;
#if !INT
      if (OP == LOGSUMEXP) {
        float m = -kInf;
        for (uint r = 0; r < pc.n_red; ++r) m = max_ignoring_nan(m, load(base + red_offset(r)));
        shift = lse_shift(m);
      }
#endif
      VAL a = init();
      for (uint r = 0; r < pc.n_red; ++r) a = step(a, load(base + red_offset(r)), shift);
      y[k] = STORE_T(finish(a, shift));
    }
  }
}
#endif
