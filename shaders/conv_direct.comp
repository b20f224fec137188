// Direct convolution, one invocation per output element (grid-stride loop): used for depthwise
// and other few-channels-per-group convolutions, where the tiled implicit GEMM (gemm.comp) would
// leave most of its 64-row tile idle. 1-3 spatial dims as 3-D (leading size-1 dims). fp32
// accumulation in the reference kernel's order (bias, then channel, kd, kh, kw).
//
// Bindings: 0 X [N, C, D, H, W], 1 W [M, Cg, KD, KH, KW], 2 bias [M] (any buffer when HAS_BIAS == 0),
// 3 Y [N, M, OD, OH, OW]. Specialization constants: 0-2 fused activation, 3 HAS_BIAS, 4 workgroup size.
#version 450
#extension GL_GOOGLE_include_directive : require
#ifdef FP16
#extension GL_EXT_shader_16bit_storage : require
#define STORE_T float16_t
#else
#define STORE_T float
#endif

layout(local_size_x_id = 4) in;
layout(constant_id = 0) const int ACT = 0;
layout(constant_id = 1) const float ACT_A = 0;
layout(constant_id = 2) const float ACT_B = 0;
layout(constant_id = 3) const int HAS_BIAS = 0;
#include "activation.glsl"

layout(std430, set = 0, binding = 0) readonly buffer BufX { STORE_T x[]; };
layout(std430, set = 0, binding = 1) readonly buffer BufW { STORE_T w[]; };
layout(std430, set = 0, binding = 2) readonly buffer BufB { STORE_T bias[]; };
layout(std430, set = 0, binding = 3) writeonly buffer BufY { STORE_T y[]; };

layout(push_constant) uniform Push {
  uint total;  // N * M * OD * OH * OW
  int C, M, Cg, Mg;
  int in_d, in_h, in_w;
  int out_d, out_h, out_w;
  int k_d, k_h, k_w;
  int s_d, s_h, s_w;
  int dl_d, dl_h, dl_w;
  int p_d, p_h, p_w;
} pc;

void main() {
  const uint stride = gl_NumWorkGroups.x * gl_WorkGroupSize.x;
  const int in_hw = pc.in_h * pc.in_w, in_plane = pc.in_d * in_hw;
  const int kk = pc.k_d * pc.k_h * pc.k_w;
  for (uint idx = gl_GlobalInvocationID.x; idx < pc.total; idx += stride) {
    int t = int(idx);
    const int ow = t % pc.out_w;
    t /= pc.out_w;
    const int oh = t % pc.out_h;
    t /= pc.out_h;
    const int od = t % pc.out_d;
    t /= pc.out_d;
    const int m = t % pc.M, n = t / pc.M;
    const int g = m / pc.Mg;
    float acc = HAS_BIAS != 0 ? float(bias[m]) : 0.0;
    const int id0 = od * pc.s_d - pc.p_d, ih0 = oh * pc.s_h - pc.p_h, iw0 = ow * pc.s_w - pc.p_w;
    for (int icg = 0; icg < pc.Cg; ++icg) {
      const int xb = (n * pc.C + g * pc.Cg + icg) * in_plane;
      const int wb = (m * pc.Cg + icg) * kk;
      for (int kd = 0; kd < pc.k_d; ++kd) {
        const int id = id0 + kd * pc.dl_d;
        if (uint(id) >= uint(pc.in_d)) continue;
        for (int kh = 0; kh < pc.k_h; ++kh) {
          const int ih = ih0 + kh * pc.dl_h;
          if (uint(ih) >= uint(pc.in_h)) continue;
          const int xr = xb + id * in_hw + ih * pc.in_w;
          const int wr = wb + (kd * pc.k_h + kh) * pc.k_w;
          for (int kw = 0; kw < pc.k_w; ++kw) {
            const int iw = iw0 + kw * pc.dl_w;
            if (uint(iw) >= uint(pc.in_w)) continue;
            acc += float(w[wr + kw]) * float(x[xr + iw]);
          }
        }
      }
    }
    y[idx] = STORE_T(apply_act(acc));
  }
}
