// Windowed pooling (MaxPool, AveragePool, LpPool), one invocation per output element (grid-stride
// loop); 1-3 spatial dims as 3-D (leading size-1 dims). The window visits its in-range taps in the
// reference kernel's order (d, h, w), so sums and argmax ties come out the same.
//
// Bindings: 0 X [N, C, D, H, W], 1 Y [N, C, OD, OH, OW], 2 Indices (int, MaxPool with WANT_IDX;
// any buffer otherwise). INT=1 stores int (MaxPool on int8/uint8, kept as 32-bit ints on the device).
// Specialization constants: 0 MODE (0 max, 1 average, 2 Lp), 1 COUNT_PAD (AveragePool's
// count_include_pad), 2 WANT_IDX, 3 COL_MAJOR (storage_order 1), 4 workgroup size.
#version 450
#ifdef FP16
#extension GL_EXT_shader_16bit_storage : require
#define STORE_T float16_t
#elif defined(INT)
#define STORE_T int
#else
#define STORE_T float
#endif

layout(local_size_x_id = 4) in;
layout(constant_id = 0) const int MODE = 0;
layout(constant_id = 1) const int COUNT_PAD = 0;
layout(constant_id = 2) const int WANT_IDX = 0;
layout(constant_id = 3) const int COL_MAJOR = 0;

layout(std430, set = 0, binding = 0) readonly buffer BufX { STORE_T x[]; };
layout(std430, set = 0, binding = 1) writeonly buffer BufY { STORE_T y[]; };
layout(std430, set = 0, binding = 2) writeonly buffer BufI { int indices[]; };

layout(push_constant) uniform Push {
  uint total;  // N * C * OD * OH * OW
  int in_d, in_h, in_w;
  int out_d, out_h, out_w;
  int k_d, k_h, k_w;
  int s_d, s_h, s_w;
  int dl_d, dl_h, dl_w;
  int p_d, p_h, p_w;  // begin pads
  int e_d, e_h, e_w;  // end pads (count_include_pad counts taps inside the padded extent)
  int p;              // LpPool's p
  int lowest;         // INT: the dtype's lowest value (MaxPool of an all-padding window)
} pc;

// Taps j in [0, k) of a window starting at `start` with start + j * dl < limit.
int taps_below(int start, int limit, int k, int dl) {
  if (limit <= start) return 0;
  return min(k, (limit - start + dl - 1) / dl);
}

void main() {
  const uint stride = gl_NumWorkGroups.x * gl_WorkGroupSize.x;
  const int in_hw = pc.in_h * pc.in_w, in_plane = pc.in_d * in_hw;
  for (uint idx = gl_GlobalInvocationID.x; idx < pc.total; idx += stride) {
    int t = int(idx);
    const int ow = t % pc.out_w;
    t /= pc.out_w;
    const int oh = t % pc.out_h;
    t /= pc.out_h;
    const int od = t % pc.out_d;
    const int plane = t / pc.out_d;
    const int xo = plane * in_plane;
    const int sd = od * pc.s_d - pc.p_d, sh = oh * pc.s_h - pc.p_h, sw = ow * pc.s_w - pc.p_w;
    // In-range taps per axis: [j0, j1).
    const int jd0 = taps_below(sd, 0, pc.k_d, pc.dl_d), jd1 = taps_below(sd, pc.in_d, pc.k_d, pc.dl_d);
    const int jh0 = taps_below(sh, 0, pc.k_h, pc.dl_h), jh1 = taps_below(sh, pc.in_h, pc.k_h, pc.dl_h);
    const int jw0 = taps_below(sw, 0, pc.k_w, pc.dl_w), jw1 = taps_below(sw, pc.in_w, pc.k_w, pc.dl_w);
    if (MODE == 0) {
#ifdef INT
      int best = pc.lowest;
#else
      float best = 0.0;
#endif
      bool found = false;
      int bidx = -1;
      for (int jd = jd0; jd < jd1; ++jd) {
        const int id = sd + jd * pc.dl_d;
        for (int jh = jh0; jh < jh1; ++jh) {
          const int ih = sh + jh * pc.dl_h;
          const int row = xo + id * in_hw + ih * pc.in_w;
          for (int jw = jw0; jw < jw1; ++jw) {
            const int iw = sw + jw * pc.dl_w;
#ifdef INT
            const int v = x[row + iw];
            if (!found || v > best) {
#else
            const float v = float(x[row + iw]);
            if (!isnan(v) && (!found || v > best)) {  // NaN never wins
#endif
              best = v;
              found = true;
              bidx = COL_MAJOR != 0 ? xo + id + ih * pc.in_d + iw * pc.in_d * pc.in_h : row + iw;
            }
          }
        }
      }
#if defined(INT)
      y[idx] = best;
#elif defined(FP16)
      y[idx] = found ? STORE_T(best) : STORE_T(uintBitsToFloat(0xff800000u));  // lowest float -> -inf in fp16
#else
      y[idx] = found ? best : -3.40282347e38;
#endif
      if (WANT_IDX != 0) indices[idx] = bidx;
    } else {
#ifndef INT
      float sum = 0.0;
      for (int jd = jd0; jd < jd1; ++jd) {
        const int id = sd + jd * pc.dl_d;
        for (int jh = jh0; jh < jh1; ++jh) {
          const int row = xo + id * in_hw + (sh + jh * pc.dl_h) * pc.in_w;
          for (int jw = jw0; jw < jw1; ++jw) {
            const float v = float(x[row + sw + jw * pc.dl_w]);
            if (MODE == 1) sum += v;
            else if (pc.p == 1) sum += abs(v);
            else if (pc.p == 2) sum += v * v;
            else sum += pow(abs(v), float(pc.p));
          }
        }
      }
      float r;
      if (MODE == 1) {
        int cnt;
        if (COUNT_PAD != 0)
          cnt = taps_below(sd, pc.in_d + pc.e_d, pc.k_d, pc.dl_d) * taps_below(sh, pc.in_h + pc.e_h, pc.k_h, pc.dl_h) *
                taps_below(sw, pc.in_w + pc.e_w, pc.k_w, pc.dl_w);
        else
          cnt = max(jd1 - jd0, 0) * max(jh1 - jh0, 0) * max(jw1 - jw0, 0);
        r = sum / float(cnt);
      } else {
        r = pc.p == 1 ? sum : pc.p == 2 ? sqrt(sum) : pow(sum, 1.0 / float(pc.p));
      }
      y[idx] = STORE_T(r);
#endif
    }
  }
}
