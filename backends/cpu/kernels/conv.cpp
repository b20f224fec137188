// Conv 1-D/2-D (NCHW, float32). The algorithm is chosen in create_kernel from the weight shape
// and attributes:
//   pointwise  (1x1, stride 1, no pads): Y[n] = W * X[n], a direct GEMM over column blocks;
//   depthwise  (group == C_in == C_out): 3x3 read in place (border vectors masked; small
//              stride-1 pad-1 planes as flat arrays), other kernels over zero-padded planes;
//   winograd   (3x3, stride 1, dilation 1, group 1, constant weights, >= 16 channels): F(2x2, 3x3);
//   im2col     (everything else, grouped too): im2col of a column block + the packed Highway GEMM.
// Bias and the fused activation are applied to each block right after it is computed.
// Conv weights are used in ONNX's layout, which already is the row-major GEMM A matrix
// ([M, C/group * kh * kw]); constant weights are copied into the kernel at prepare.
#include <algorithm>
#include <cstring>
#include <optional>

#include "base/thread_pool.h"
#include "cpu/kernels/cpu_common.h"
#include "cpu/kernels/gemm.h"
#include "cpu/kernels/packed_gemm.h"
#include "cpu/kernels/simd.h"
#include "cpu/kernels/winograd.h"

namespace edgerun::cpu {

namespace {

namespace hn = simd::hn;

enum class ConvAlgo { kPointwise, kDepthwise, kIm2col };

struct ConvGeom {
  int64_t N, C, H, W;        // input
  int64_t M, OH, OW;         // output channels and size
  int64_t kh, kw, sh, sw, dh, dw;
  int64_t pt, pl, pb, pr;    // pads
  int64_t group;
  bool one_d;                // rank-3 input (treated as H = 1)
};

struct ConvAttrs {
  std::string auto_pad;
  std::vector<int64_t> dilations, kernel_shape, pads, strides;
  int64_t group = 1;
};

ConvAttrs read_attrs(const Node& node) {
  ConvAttrs a;
  a.auto_pad = node.attrs.get_string("auto_pad", "NOTSET");
  a.dilations = node.attrs.get_ints("dilations");
  a.kernel_shape = node.attrs.get_ints("kernel_shape");
  a.pads = node.attrs.get_ints("pads");
  a.strides = node.attrs.get_ints("strides");
  a.group = node.attrs.get_int("group", 1);
  return a;
}

// Computes the geometry for input shape xs and weight shape ws; error names the node.
Result<ConvGeom> make_geom(const Node& node, const ConvAttrs& a, const Shape& xs, const Shape& ws) {
  const std::string& L = node.label();
  if (xs.size() != 3 && xs.size() != 4)
    return unsupported(L, ": cpu Conv handles 1-D and 2-D convolutions, input has shape ", shape_to_string(xs));
  if (ws.size() != xs.size())
    return invalid_argument(L, ": weight rank ", ws.size(), " does not match input rank ", xs.size());
  const size_t ns = xs.size() - 2;
  auto get = [&](const std::vector<int64_t>& v, size_t i, int64_t def) { return v.empty() ? def : v[i]; };
  if ((!a.dilations.empty() && a.dilations.size() != ns) || (!a.strides.empty() && a.strides.size() != ns) ||
      (!a.kernel_shape.empty() && a.kernel_shape.size() != ns) || (!a.pads.empty() && a.pads.size() != 2 * ns))
    return invalid_argument(L, ": attribute lengths do not match ", ns, " spatial dimension(s)");
  ConvGeom g{};
  g.one_d = ns == 1;
  g.N = xs[0];
  g.C = xs[1];
  g.H = ns == 2 ? xs[2] : 1;
  g.W = xs.back();
  g.M = ws[0];
  g.group = a.group;
  if (g.group <= 0) return invalid_argument(L, ": group must be positive, got ", g.group);
  if (ws[1] * g.group != g.C)
    return invalid_argument(L, ": input has ", g.C, " channels but weight expects ", ws[1], " x group ", g.group);
  if (g.M % g.group != 0) return invalid_argument(L, ": ", g.M, " output channels not divisible by group ", g.group);
  g.kh = ns == 2 ? ws[2] : 1;
  g.kw = ws.back();
  for (size_t i = 0; i < ns; ++i)
    if (!a.kernel_shape.empty() && a.kernel_shape[i] != ws[2 + i])
      return invalid_argument(L, ": kernel_shape does not match the weight shape ", shape_to_string(ws));
  g.sh = ns == 2 ? get(a.strides, 0, 1) : 1;
  g.sw = get(a.strides, ns - 1, 1);
  g.dh = ns == 2 ? get(a.dilations, 0, 1) : 1;
  g.dw = get(a.dilations, ns - 1, 1);
  if (g.sh <= 0 || g.sw <= 0 || g.dh <= 0 || g.dw <= 0 || g.kh <= 0 || g.kw <= 0)
    return invalid_argument(L, ": strides, dilations and kernel dims must be positive");
  int64_t pads[4] = {0, 0, 0, 0};  // t, l, b, r
  const int64_t in[2] = {g.H, g.W}, k[2] = {g.kh, g.kw}, s[2] = {g.sh, g.sw}, d[2] = {g.dh, g.dw};
  int64_t out[2];
  for (int i = 0; i < 2; ++i) {
    const bool spatial = ns == 2 || i == 1;
    const size_t ai = ns == 2 ? static_cast<size_t>(i) : 0;
    const int64_t ek = (k[i] - 1) * d[i] + 1;
    if (a.auto_pad == "SAME_UPPER" || a.auto_pad == "SAME_LOWER") {
      out[i] = (in[i] + s[i] - 1) / s[i];
      const int64_t total = std::max<int64_t>(0, (out[i] - 1) * s[i] + ek - in[i]);
      const int64_t small = total / 2, big = total - small;
      pads[i] = a.auto_pad == "SAME_UPPER" ? small : big;
      pads[i + 2] = total - pads[i];
    } else {
      if (a.auto_pad == "NOTSET" && spatial && !a.pads.empty()) {
        pads[i] = a.pads[ai];
        pads[i + 2] = a.pads[ai + ns];
      } else if (a.auto_pad != "NOTSET" && a.auto_pad != "VALID") {
        return invalid_argument(L, ": unknown auto_pad '", a.auto_pad, "'");
      }
      if (pads[i] < 0 || pads[i + 2] < 0) return invalid_argument(L, ": negative pads are not supported");
      const int64_t span = in[i] + pads[i] + pads[i + 2] - ek;
      if (span < 0) return invalid_argument(L, ": kernel larger than the padded input");
      out[i] = span / s[i] + 1;
    }
  }
  g.pt = pads[0]; g.pl = pads[1]; g.pb = pads[2]; g.pr = pads[3];
  g.OH = out[0];
  g.OW = out[1];
  return g;
}

ConvAlgo choose_algo(int64_t C, int64_t M, int64_t group, int64_t kh, int64_t kw, int64_t sh, int64_t sw,
                     bool no_pads) {
  if (group == C && group == M && C > 1) return ConvAlgo::kDepthwise;
  if (kh == 1 && kw == 1 && sh == 1 && sw == 1 && no_pads) return ConvAlgo::kPointwise;
  return ConvAlgo::kIm2col;
}

// Columns per GEMM block. Whole rows were fastest (measured on MobileNetV2), so blocks
// only bound the im2col buffer (K x nb <= 1M floats) and give every thread work.
int64_t column_block(int64_t P, int64_t K, bool im2col, int64_t outer_tasks, int threads) {
  int64_t nb = P;
  if (im2col) nb = std::min(nb, std::max<int64_t>(64, (int64_t{1} << 20) / std::max<int64_t>(K, 1) / 16 * 16));
  if (threads > 1 && outer_tasks < threads) {
    const int64_t per = (P + threads - 1) / threads;
    nb = std::min(nb, std::max<int64_t>(64, (per + 15) / 16 * 16));
  }
  return std::max<int64_t>(1, std::min(nb, P));
}

// im2col of output positions [p0, p1) of one group: col[(c*kh + i)*kw + j][p - p0].
void im2col(const float* x, const ConvGeom& g, int64_t Cg, int64_t p0, int64_t p1, float* col) {
  const int64_t nb = p1 - p0;
  for (int64_t c = 0; c < Cg; ++c) {
    const float* src = x + c * g.H * g.W;
    for (int64_t i = 0; i < g.kh; ++i) {
      for (int64_t j = 0; j < g.kw; ++j) {
        float* dst = col + ((c * g.kh + i) * g.kw + j) * nb;
        int64_t p = p0;
        while (p < p1) {
          const int64_t oh = p / g.OW, ow = p % g.OW;
          const int64_t run = std::min(g.OW - ow, p1 - p);
          float* out = dst + (p - p0);
          const int64_t ih = oh * g.sh - g.pt + i * g.dh;
          if (ih < 0 || ih >= g.H) {
            std::memset(out, 0, sizeof(float) * static_cast<size_t>(run));
          } else {
            const float* row = src + ih * g.W;
            const int64_t off = j * g.dw - g.pl;  // iw = (ow + q) * sw + off
            if (g.sw == 1) {
              // valid q: 0 <= ow + q + off < W
              const int64_t qlo = std::clamp<int64_t>(-(ow + off), 0, run);
              const int64_t qhi = std::clamp<int64_t>(g.W - (ow + off), qlo, run);
              if (qlo > 0) std::memset(out, 0, sizeof(float) * static_cast<size_t>(qlo));
              if (qhi > qlo) std::memcpy(out + qlo, row + ow + qlo + off, sizeof(float) * static_cast<size_t>(qhi - qlo));
              if (run > qhi) std::memset(out + qhi, 0, sizeof(float) * static_cast<size_t>(run - qhi));
            } else if (g.sw == 2) {
              // valid q: 0 <= 2 * (ow + q) + off < W; the interior is an even-lane gather
              const int64_t b0 = 2 * ow + off;
              const int64_t qlo = std::clamp<int64_t>((-b0 + 1) / 2, 0, run);
              const int64_t qhi = std::clamp<int64_t>((g.W - b0 + 1) / 2, qlo, run);
              for (int64_t q = 0; q < qlo; ++q) out[q] = 0.0f;
              const float* src = row + b0 + 2 * qlo;
              float* o = out + qlo;
              const int64_t n = qhi - qlo;
              const simd::DF df;
              const int64_t L = static_cast<int64_t>(hn::Lanes(df));
              int64_t i = 0;
              for (; i + L < n; i += L)  // reads src[2i, 2i + 2L) <= src[2(n - 1)]
                hn::StoreU(hn::ConcatEven(df, hn::LoadU(df, src + 2 * i + L), hn::LoadU(df, src + 2 * i)), df, o + i);
              for (; i < n; ++i) o[i] = src[2 * i];
              for (int64_t q = qhi; q < run; ++q) out[q] = 0.0f;
            } else {
              for (int64_t q = 0; q < run; ++q) {
                const int64_t iw = (ow + q) * g.sw + off;
                out[q] = (iw >= 0 && iw < g.W) ? row[iw] : 0.0f;
              }
            }
          }
          p += run;
        }
      }
    }
  }
}

// ---------------------------------------------------------------- depthwise
// One output plane of a depthwise conv. Tap (i, j) of output (oh, ow) reads
// tap_base[i*kw + j][oh * rstride + ow] (contiguous across ow): for stride 1 the bases point into
// the zero-padded plane, for stride 2 into its even/odd de-interleaved copies.
template <class D, class Fin>
void depthwise_plane(D d, const float* const* tap_base, int64_t rstride, const float* w, float bias,
                     const ConvGeom& g, float* y, const Fin& fin) {
  using V = hn::Vec<D>;
  const int64_t Ln = static_cast<int64_t>(hn::Lanes(d));
  const int64_t taps = g.kh * g.kw;
  const bool k3 = taps == 9;
  for (int64_t oh = 0; oh < g.OH; ++oh) {
    const int64_t ro = oh * rstride;
    float* yr = y + oh * g.OW;
    for (int64_t ow = 0; ow < g.OW; ow += Ln) {
      V acc = hn::Set(d, bias);
      const int64_t o = ro + ow;
      if (k3) {
        acc = hn::MulAdd(hn::Set(d, w[0]), hn::LoadU(d, tap_base[0] + o), acc);
        acc = hn::MulAdd(hn::Set(d, w[1]), hn::LoadU(d, tap_base[1] + o), acc);
        acc = hn::MulAdd(hn::Set(d, w[2]), hn::LoadU(d, tap_base[2] + o), acc);
        acc = hn::MulAdd(hn::Set(d, w[3]), hn::LoadU(d, tap_base[3] + o), acc);
        acc = hn::MulAdd(hn::Set(d, w[4]), hn::LoadU(d, tap_base[4] + o), acc);
        acc = hn::MulAdd(hn::Set(d, w[5]), hn::LoadU(d, tap_base[5] + o), acc);
        acc = hn::MulAdd(hn::Set(d, w[6]), hn::LoadU(d, tap_base[6] + o), acc);
        acc = hn::MulAdd(hn::Set(d, w[7]), hn::LoadU(d, tap_base[7] + o), acc);
        acc = hn::MulAdd(hn::Set(d, w[8]), hn::LoadU(d, tap_base[8] + o), acc);
      } else {
        for (int64_t t = 0; t < taps; ++t) acc = hn::MulAdd(hn::Set(d, w[t]), hn::LoadU(d, tap_base[t] + o), acc);
      }
      acc = fin(acc);
      if (ow + Ln <= g.OW) hn::StoreU(acc, d, yr + ow);
      else hn::BlendedStore(acc, hn::FirstN(d, static_cast<size_t>(g.OW - ow)), d, yr + ow);
    }
  }
}

// Dispatches the epilogue once per plane so the common activations are not a switch per vector.
template <class D>
void plane_with_act(D d, const float* const* tap_base, int64_t rstride, const float* w, float bias, const ConvGeom& g,
                    float* y, const Activation& act) {
  using V = hn::Vec<D>;
  switch (act.kind) {
    case ActKind::kNone:
      depthwise_plane(d, tap_base, rstride, w, bias, g, y, [](V v) { return v; });
      return;
    case ActKind::kRelu:
      depthwise_plane(d, tap_base, rstride, w, bias, g, y,
                      [d](V v) { return hn::IfThenElseZero(hn::Gt(v, hn::Zero(d)), v); });
      return;
    case ActKind::kClip: {
      const V lo = hn::Set(d, act.a), hi = hn::Set(d, act.b);
      depthwise_plane(d, tap_base, rstride, w, bias, g, y, [lo, hi](V v) { return hn::Min(hi, hn::Max(lo, v)); });
      return;
    }
    default:
      depthwise_plane(d, tap_base, rstride, w, bias, g, y, [d, &act](V v) { return simd::Act(d, v, act); });
  }
}

// Scalar depthwise plane for strides other than 1 and 2 (rare).
void depthwise_plane_scalar(const float* pp, int64_t ps, const float* w, float bias, const ConvGeom& g, float* y,
                            const Activation& act) {
  for (int64_t oh = 0; oh < g.OH; ++oh) {
    for (int64_t ow = 0; ow < g.OW; ++ow) {
      const float* base = pp + oh * g.sh * ps + ow * g.sw;
      float s = bias;
      for (int64_t i = 0; i < g.kh; ++i)
        for (int64_t j = 0; j < g.kw; ++j) s += w[i * g.kw + j] * base[i * g.dh * ps + j * g.dw];
      y[oh * g.OW + ow] = s;
    }
    apply_activation(y + oh * g.OW, g.OW, act);
  }
}

// 3x3 depthwise (dilation 1, column stride 1 or 2, any row stride and pads) read straight from
// the input: rows above/below the input read a zero row, the border columns are computed scalar,
// the interior with full vectors and one masked vector for the remainder.
using simd::EpiAny;
using simd::EpiClip;
using simd::EpiNone;
using simd::EpiRelu;

struct Dw3Rows {
  const float* r[3];
};

// Loads the three taps of one input row for a vector of outputs starting at input column p
// (column stride SW); every address read lies in [p, p + span) (see dw3_plane).
template <int SW, class D>
HWY_INLINE void dw3_taps(D d, const float* p, hn::Vec<D>* t0, hn::Vec<D>* t1, hn::Vec<D>* t2) {
  const size_t L = hn::Lanes(d);
  if constexpr (SW == 1) {
    *t0 = hn::LoadU(d, p);
    *t1 = hn::LoadU(d, p + 1);
    *t2 = hn::LoadU(d, p + 2);
  } else {
    const auto lo = hn::LoadU(d, p), hi = hn::LoadU(d, p + L);
    const auto lo2 = hn::LoadU(d, p + 2), hi2 = hn::LoadU(d, p + 2 + L);
    *t0 = hn::ConcatEven(d, hi, lo);
    *t1 = hn::ConcatOdd(d, hi, lo);
    *t2 = hn::ConcatEven(d, hi2, lo2);
  }
}

// Lanes [a, b) of d (clamped to [0, Lanes)).
template <class D>
HWY_INLINE hn::Mask<D> range_mask(D d, int64_t a, int64_t b) {
  const int64_t L = static_cast<int64_t>(hn::Lanes(d));
  a = std::clamp<int64_t>(a, 0, L);
  b = std::clamp<int64_t>(b, a, L);
  return hn::AndNot(hn::FirstN(d, static_cast<size_t>(a)), hn::FirstN(d, static_cast<size_t>(b)));
}

// A border vector: outputs [ow, ow + cnt) with per-load masks (input columns outside [0, W) load
// zero; those addresses are not accessed). The masks depend only on the columns, so they are
// computed once per plane. Stride 1: masks of taps 0..2; stride 2: the lo/hi pair at iw and the
// lo/hi pair at iw + 2.
template <class D>
struct Dw3Edge {
  int64_t ow = 0, iw = 0, cnt = 0;
  hn::Mask<D> m[4];
};

template <int SW, class D>
HWY_INLINE Dw3Edge<D> dw3_edge(D d, int64_t ow, int64_t pl, int64_t W, int64_t cnt) {
  const int64_t L = static_cast<int64_t>(hn::Lanes(d));
  Dw3Edge<D> e;
  e.ow = ow;
  e.cnt = cnt;
  const int64_t iw = e.iw = ow * SW - pl;
  if constexpr (SW == 1) {
    for (int j = 0; j < 3; ++j) e.m[j] = range_mask(d, -iw - j, std::min(cnt, W - iw - j));
    e.m[3] = e.m[2];
  } else {
    const int64_t e01 = std::min(2 * cnt, W - iw), e2 = std::min(2 * cnt - 1, W - iw - 2);
    e.m[0] = range_mask(d, -iw, e01);
    e.m[1] = range_mask(d, -iw - L, e01 - L);
    e.m[2] = range_mask(d, -iw - 2, e2);
    e.m[3] = range_mask(d, -iw - 2 - L, e2 - L);
  }
  return e;
}

template <int SW, class D, class Fin>
HWY_INLINE void dw3_vec_edge(D d, const Dw3Rows& rows, const Dw3Edge<D>& e, const hn::Vec<D>* wv,
                             const hn::Vec<D>& bias, float* yr, const Fin& fin) {
  using V = hn::Vec<D>;
  const size_t L = hn::Lanes(d);
  V acc = bias;
  for (int i = 0; i < 3; ++i) {
    const float* p = rows.r[i] + e.iw;
    V t0, t1, t2;
    if constexpr (SW == 1) {
      t0 = hn::MaskedLoad(e.m[0], d, p);
      t1 = hn::MaskedLoad(e.m[1], d, p + 1);
      t2 = hn::MaskedLoad(e.m[2], d, p + 2);
    } else {
      const V lo = hn::MaskedLoad(e.m[0], d, p), hi = hn::MaskedLoad(e.m[1], d, p + L);
      const V lo2 = hn::MaskedLoad(e.m[2], d, p + 2), hi2 = hn::MaskedLoad(e.m[3], d, p + 2 + L);
      t0 = hn::ConcatEven(d, hi, lo);
      t1 = hn::ConcatOdd(d, hi, lo);
      t2 = hn::ConcatEven(d, hi2, lo2);
    }
    acc = hn::MulAdd(wv[3 * i], t0, acc);
    acc = hn::MulAdd(wv[3 * i + 1], t1, acc);
    acc = hn::MulAdd(wv[3 * i + 2], t2, acc);
  }
  hn::BlendedStore(fin(d, acc), hn::FirstN(d, static_cast<size_t>(e.cnt)), d, yr + e.ow);
}

template <int SW, class D, class Fin>
HWY_INLINE void dw3_vec(D d, const Dw3Rows& rows, int64_t iw, const hn::Vec<D>* wv, const hn::Vec<D>& bias,
                        float* out, const Fin& fin) {
  using V = hn::Vec<D>;
  V acc = bias;
  for (int i = 0; i < 3; ++i) {
    V t0, t1, t2;
    dw3_taps<SW>(d, rows.r[i] + iw, &t0, &t1, &t2);
    acc = hn::MulAdd(wv[3 * i], t0, acc);
    acc = hn::MulAdd(wv[3 * i + 1], t1, acc);
    acc = hn::MulAdd(wv[3 * i + 2], t2, acc);
  }
  hn::StoreU(fin(d, acc), d, out);
}

template <int SW, class D, class Fin>
void dw3_plane(D d, const float* x, const float* zero_row, const float* w, float bias, const ConvGeom& g, float* y,
               const Fin& fin) {
  using V = hn::Vec<D>;
  const int64_t L = static_cast<int64_t>(hn::Lanes(d));
  V wv[9];
  for (int t = 0; t < 9; ++t) wv[t] = hn::Set(d, w[t]);
  const V bv = hn::Set(d, bias);
  // Output columns whose three taps are all inside the row: [c0, c1).
  const int64_t c0 = std::min<int64_t>(g.OW, (g.pl + SW - 1) / SW);
  const int64_t c1 = std::max<int64_t>(c0, std::min<int64_t>(g.OW, g.W - 3 + g.pl >= 0 ? (g.W - 3 + g.pl) / SW + 1 : 0));
  // Full vectors need their last load inside the row: stride 1 reads [iw, iw + L + 2),
  // stride 2 reads [iw, iw + 2L + 2) (the second pair reads one float past the last tap).
  const int64_t span = SW == 1 ? L + 2 : 2 * L + 2;
  // Column plan: border vectors left of c0, full vectors, border vectors for the rest.
  constexpr int kMaxEdges = 4;
  Dw3Edge<D> left[kMaxEdges], right[kMaxEdges];
  int nl = 0, nr = 0;
  int64_t ow = 0;
  for (; ow < c0 && nl < kMaxEdges; ow += L) left[nl++] = dw3_edge<SW>(d, ow, g.pl, g.W, std::min(L, g.OW - ow));
  const int64_t f0 = ow;
  while (ow >= c0 && ow + L <= c1 && ow * SW - g.pl + span <= g.W) ow += L;
  const int64_t f1 = std::max(f0, ow);
  for (ow = f1; ow < g.OW && nr < kMaxEdges; ow += L) right[nr++] = dw3_edge<SW>(d, ow, g.pl, g.W, std::min(L, g.OW - ow));
  const bool planned = f0 >= c0 && ow >= g.OW;
  for (int64_t oh = 0; oh < g.OH; ++oh) {
    Dw3Rows rows;
    for (int64_t i = 0; i < 3; ++i) {
      const int64_t ih = oh * g.sh - g.pt + i;
      rows.r[i] = ih >= 0 && ih < g.H ? x + ih * g.W : zero_row;
    }
    float* yr = y + oh * g.OW;
    if (HWY_UNLIKELY(!planned)) {  // huge pads / tiny rows: masks per vector
      for (int64_t o = 0; o < g.OW; o += L)
        dw3_vec_edge<SW>(d, rows, dw3_edge<SW>(d, o, g.pl, g.W, std::min(L, g.OW - o)), wv, bv, yr, fin);
      continue;
    }
    for (int k = 0; k < nl; ++k) dw3_vec_edge<SW>(d, rows, left[k], wv, bv, yr, fin);
    for (int64_t o = f0; o < f1; o += L) dw3_vec<SW>(d, rows, o * SW - g.pl, wv, bv, yr + o, fin);
    for (int k = 0; k < nr; ++k) dw3_vec_edge<SW>(d, rows, right[k], wv, bv, yr, fin);
  }
}

template <int SW, class D>
void dw3_plane_act(D d, const float* x, const float* zero_row, const float* w, float bias, const ConvGeom& g, float* y,
                   const Activation& act) {
  switch (act.kind) {
    case ActKind::kNone: return dw3_plane<SW>(d, x, zero_row, w, bias, g, y, EpiNone{});
    case ActKind::kRelu: return dw3_plane<SW>(d, x, zero_row, w, bias, g, y, EpiRelu{});
    case ActKind::kClip: return dw3_plane<SW>(d, x, zero_row, w, bias, g, y, EpiClip{act.a, act.b});
    default: return dw3_plane<SW>(d, x, zero_row, w, bias, g, y, EpiAny{&act});
  }
}

bool dw3_applies(const ConvGeom& g) {
  return g.kh == 3 && g.kw == 3 && g.dh == 1 && g.dw == 1 && (g.sw == 1 || g.sw == 2);
}

// Widest row the flat 3x3 kernel below takes (wider planes lose more to the plane copy than
// they save on border vectors).
constexpr int64_t kDw3FlatMaxW = 32;

// The calling thread's buffer for a flat kernel (kind 0: stride 1, 1: stride 2) of n floats for
// the geometry (a, b). The zero guards and masks depend only on the geometry, and the kernels
// rewrite only the plane interiors, so they are built once and kept across chunks and calls;
// *fresh says that the buffer was just zeroed for a new geometry and needs its masks.
float* flat_buffer(int kind, int64_t a, int64_t b, size_t n, bool* fresh) {
  struct Buf {
    int64_t a = -1, b = -1;
    std::vector<float> v;
  };
  thread_local Buf bufs[2];
  Buf& f = bufs[kind];
  *fresh = f.a != a || f.b != b || f.v.size() != n;
  if (*fresh) {
    f.a = a;
    f.b = b;
    f.v.assign(n, 0.0f);
  }
  return f.v.data();
}

// 3x3 stride-1 depthwise with one pixel of padding on every side (OH = H, OW = W), for small
// planes. The plane is read as a flat array: output p = oh * W + ow takes tap (i, j) from
// x[p + (i - 1) * W + (j - 1)], the same offset for every output, so every vector (across rows)
// is the same 9 loads with no per-row edge vectors. Each plane is copied into a buffer with zeros
// before and after it (rows -1 and H read zeros); the taps of column j = 0 are cleared where
// ow = 0 and those of column j = 2 where ow = W - 1 (they wrapped into the neighbouring row),
// with per-position bit masks built once per geometry (flat_buffer). The taps are summed in the same order as in
// dw3_plane (bias, then taps 0..8), so the results are the same.
template <class D, class Fin>
HWY_INLINE void dw3_flat_plane(D d, const float* xb, int64_t W, int64_t P, const float* mlo, const float* mhi,
                               const hn::Vec<D>* wv, const hn::Vec<D>& bv, float* y, const Fin& fin) {
  using V = hn::Vec<D>;
  const int64_t L = static_cast<int64_t>(hn::Lanes(d));
  for (int64_t p = 0; p < P; p += L) {
    const float* q = xb + p;
    const V ml = hn::LoadU(d, mlo + p), mh = hn::LoadU(d, mhi + p);
    V acc = bv;
    acc = hn::MulAdd(wv[0], hn::And(hn::LoadU(d, q - W - 1), ml), acc);
    acc = hn::MulAdd(wv[1], hn::LoadU(d, q - W), acc);
    acc = hn::MulAdd(wv[2], hn::And(hn::LoadU(d, q - W + 1), mh), acc);
    acc = hn::MulAdd(wv[3], hn::And(hn::LoadU(d, q - 1), ml), acc);
    acc = hn::MulAdd(wv[4], hn::LoadU(d, q), acc);
    acc = hn::MulAdd(wv[5], hn::And(hn::LoadU(d, q + 1), mh), acc);
    acc = hn::MulAdd(wv[6], hn::And(hn::LoadU(d, q + W - 1), ml), acc);
    acc = hn::MulAdd(wv[7], hn::LoadU(d, q + W), acc);
    acc = hn::MulAdd(wv[8], hn::And(hn::LoadU(d, q + W + 1), mh), acc);
    acc = fin(d, acc);
    if (p + L <= P) hn::StoreU(acc, d, y + p);
    else hn::BlendedStore(acc, hn::FirstN(d, static_cast<size_t>(P - p)), d, y + p);
  }
}

// Taken for rows up to kDw3FlatMaxW wide with 128-bit vectors (wasm simd128: MobileNetV2's 7x7,
// 14x14 and 28x28 depthwise convs 2.2x, 1.7x and 1.25x faster; 56x56 the same, 112x112 slower:
// the plane copy), and for rows at most half a vector wide otherwise (AVX-512: 7x7 1.15x faster;
// 14x14 and 28x28 ~5% slower, one row is about one vector there).
bool dw3_flat_applies(const ConvGeom& g, int64_t lanes) {
  return g.kh == 3 && g.kw == 3 && g.dh == 1 && g.dw == 1 && g.sh == 1 && g.sw == 1 && g.pt == 1 && g.pl == 1 &&
         g.pb == 1 && g.pr == 1 && g.W >= 2 && g.W <= kDw3FlatMaxW && (lanes <= 4 || 2 * g.W <= lanes);
}

template <class Fin>
void dw3_flat_planes(const float* x, const float* w, const float* bias, const ConvGeom& g, float* y, int64_t b0,
                     int64_t b1, const Fin& fin) {
  const simd::DF d;
  using V = hn::Vec<simd::DF>;
  const int64_t L = static_cast<int64_t>(hn::Lanes(d));
  const int64_t W = g.W, P = g.H * g.W;
  const int64_t Pr = (P + L - 1) / L * L;  // positions the vectors cover
  const int64_t lead = (W + 1 + L - 1) / L * L;  // zeros before the plane (>= W + 1)
  const int64_t len = lead + Pr + W + 1 + L;     // the last vector reads up to Pr - 1 + W + 1
  bool fresh = false;
  float* buf = flat_buffer(0, W, P, static_cast<size_t>(len + 2 * Pr), &fresh);
  float* mlo = buf + len;
  float* mhi = mlo + Pr;
  if (fresh) {
    const uint32_t ones = 0xFFFFFFFFu, none = 0;
    for (int64_t p = 0, ow = 0; p < Pr; ++p, ow = ow + 1 == W ? 0 : ow + 1) {
      std::memcpy(mlo + p, ow != 0 ? &ones : &none, sizeof(float));
      std::memcpy(mhi + p, ow != W - 1 ? &ones : &none, sizeof(float));
    }
  }
  float* xb = buf + lead;
  V wv[9];
  for (int64_t b = b0; b < b1; ++b) {
    const int64_t c = b % g.C;
    std::memcpy(xb, x + b * P, sizeof(float) * static_cast<size_t>(P));
    for (int t = 0; t < 9; ++t) wv[t] = hn::Set(d, w[c * 9 + t]);
    dw3_flat_plane(d, xb, W, P, mlo, mhi, wv, hn::Set(d, bias ? bias[c] : 0.0f), y + b * P, fin);
  }
}

// The same for stride 2 (pads 1, even H and W, so OH = H / 2 and OW = W / 2): each plane is split
// into its four (row parity, column parity) sub-planes of OH x OW, and tap (i, j) of output
// p = oh * OW + ow reads one of them at p + di * OW + dj with di, dj in {-1, 0}: input row
// 2 * oh + i - 1 is odd row oh - 1, even row oh or odd row oh; likewise the columns. The taps of
// column j = 0 are cleared where ow = 0. Same summation order as dw3_plane.
template <class D, class Fin>
HWY_INLINE void dw3_flat2_plane(D d, const float* const* s, int64_t OW, int64_t P, const float* mlo,
                                const hn::Vec<D>* wv, const hn::Vec<D>& bv, float* y, const Fin& fin) {
  using V = hn::Vec<D>;
  const int64_t L = static_cast<int64_t>(hn::Lanes(d));
  const float* ee = s[0];
  const float* eo = s[1];
  const float* oe = s[2];
  const float* oo = s[3];
  for (int64_t p = 0; p < P; p += L) {
    const V ml = hn::LoadU(d, mlo + p);
    V acc = bv;
    acc = hn::MulAdd(wv[0], hn::And(hn::LoadU(d, oo + p - OW - 1), ml), acc);
    acc = hn::MulAdd(wv[1], hn::LoadU(d, oe + p - OW), acc);
    acc = hn::MulAdd(wv[2], hn::LoadU(d, oo + p - OW), acc);
    acc = hn::MulAdd(wv[3], hn::And(hn::LoadU(d, eo + p - 1), ml), acc);
    acc = hn::MulAdd(wv[4], hn::LoadU(d, ee + p), acc);
    acc = hn::MulAdd(wv[5], hn::LoadU(d, eo + p), acc);
    acc = hn::MulAdd(wv[6], hn::And(hn::LoadU(d, oo + p - 1), ml), acc);
    acc = hn::MulAdd(wv[7], hn::LoadU(d, oe + p), acc);
    acc = hn::MulAdd(wv[8], hn::LoadU(d, oo + p), acc);
    acc = fin(d, acc);
    if (p + L <= P) hn::StoreU(acc, d, y + p);
    else hn::BlendedStore(acc, hn::FirstN(d, static_cast<size_t>(P - p)), d, y + p);
  }
}

// Taken with 128-bit vectors only (wasm simd128: MobileNetV2's 28x28 -> 14x14 and 14x14 -> 7x7
// depthwise convs 1.25x and 1.17x faster; with AVX-512 they were 2x and 1.5x slower: the
// de-interleave of such short rows is scalar, while dw3_plane needs one vector per row).
bool dw3_flat2_applies(const ConvGeom& g, int64_t lanes) {
  return g.kh == 3 && g.kw == 3 && g.dh == 1 && g.dw == 1 && g.sh == 2 && g.sw == 2 && g.pt == 1 && g.pl == 1 &&
         g.pb == 1 && g.pr == 1 && g.H % 2 == 0 && g.W % 2 == 0 && g.W >= 4 && g.OW <= kDw3FlatMaxW && lanes <= 4;
}

template <class Fin>
void dw3_flat2_planes(const float* x, const float* w, const float* bias, const ConvGeom& g, float* y, int64_t b0,
                      int64_t b1, const Fin& fin) {
  const simd::DF d;
  using V = hn::Vec<simd::DF>;
  const int64_t L = static_cast<int64_t>(hn::Lanes(d));
  const int64_t OW = g.OW, P = g.OH * g.OW;
  const int64_t Pr = (P + L - 1) / L * L;
  const int64_t lead = (OW + 1 + L - 1) / L * L;  // zeros before each sub-plane (>= OW + 1)
  const int64_t stride = lead + Pr + L;           // reads reach p + L - 1 < Pr
  bool fresh = false;
  float* buf = flat_buffer(1, OW, P, static_cast<size_t>(4 * stride + Pr), &fresh);
  float* mlo = buf + 4 * stride;
  if (fresh) {
    const uint32_t ones = 0xFFFFFFFFu, none = 0;
    for (int64_t p = 0, ow = 0; p < Pr; ++p, ow = ow + 1 == OW ? 0 : ow + 1)
      std::memcpy(mlo + p, ow != 0 ? &ones : &none, sizeof(float));
  }
  float* sub[4];
  for (int k = 0; k < 4; ++k) sub[k] = buf + k * stride + lead;
  const float* csub[4] = {sub[0], sub[1], sub[2], sub[3]};
  V wv[9];
  for (int64_t b = b0; b < b1; ++b) {
    const int64_t c = b % g.C;
    const float* xp = x + b * g.H * g.W;
    for (int64_t h = 0; h < g.H; ++h) {
      const float* src = xp + h * g.W;
      float* de = sub[2 * (h & 1)] + (h >> 1) * OW;
      float* dod = sub[2 * (h & 1) + 1] + (h >> 1) * OW;
      int64_t k = 0;
      for (; k + L <= OW; k += L) {
        V ve, vo;
        hn::LoadInterleaved2(d, src + 2 * k, ve, vo);
        hn::StoreU(ve, d, de + k);
        hn::StoreU(vo, d, dod + k);
      }
      for (; k < OW; ++k) {
        de[k] = src[2 * k];
        dod[k] = src[2 * k + 1];
      }
    }
    for (int t = 0; t < 9; ++t) wv[t] = hn::Set(d, w[c * 9 + t]);
    dw3_flat2_plane(d, csub, OW, P, mlo, wv, hn::Set(d, bias ? bias[c] : 0.0f), y + b * P, fin);
  }
}

// Calls f with the epilogue matching `act`: the kernels are instantiated for the common
// activations, with the generic one as the fallback.
template <class F>
void with_epilogue(const Activation& act, F&& f) {
  switch (act.kind) {
    case ActKind::kNone: return f(EpiNone{});
    case ActKind::kRelu: return f(EpiRelu{});
    case ActKind::kClip: return f(EpiClip{act.a, act.b});
    default: return f(EpiAny{&act});
  }
}

void depthwise3x3(const float* x, const float* w, const float* bias, const ConvGeom& g, float* y, ThreadPool* pool,
                  const Activation& act) {
  const simd::DF df;
  const int64_t L = static_cast<int64_t>(hn::Lanes(df));
  // narrow rows use 8-lane vectors (half the work per vector)
  const bool narrow = L > 8 && g.OW <= 8;
  const int64_t planes = g.N * g.C;
  const double work = double(g.OH) * double(g.OW) * 9.0;
  const int64_t grain = std::max<int64_t>(1, static_cast<int64_t>(20000.0 / (work + 1)));
  if (dw3_flat_applies(g, L)) {
    parallel_for_dynamic(pool, planes, grain, [&](int64_t b0, int64_t b1) {
      with_epilogue(act, [&](auto epi) { dw3_flat_planes(x, w, bias, g, y, b0, b1, epi); });
    });
    return;
  }
  if (dw3_flat2_applies(g, L)) {
    parallel_for_dynamic(pool, planes, grain, [&](int64_t b0, int64_t b1) {
      with_epilogue(act, [&](auto epi) { dw3_flat2_planes(x, w, bias, g, y, b0, b1, epi); });
    });
    return;
  }
  parallel_for_dynamic(pool, planes, grain, [&](int64_t b0, int64_t b1) {
    float* zero_row = scratch(static_cast<size_t>(g.W) + 64, 1);
    std::fill(zero_row, zero_row + g.W + 64, 0.0f);
    for (int64_t b = b0; b < b1; ++b) {
      const int64_t c = b % g.C;
      const float* xp = x + b * g.H * g.W;
      const float* wc = w + c * 9;
      const float bc = bias ? bias[c] : 0.0f;
      float* yp = y + b * g.OH * g.OW;
      if (narrow) {
        const hn::CappedTag<float, 8> d8;
        if (g.sw == 1) dw3_plane_act<1>(d8, xp, zero_row, wc, bc, g, yp, act);
        else dw3_plane_act<2>(d8, xp, zero_row, wc, bc, g, yp, act);
      } else {
        if (g.sw == 1) dw3_plane_act<1>(df, xp, zero_row, wc, bc, g, yp, act);
        else dw3_plane_act<2>(df, xp, zero_row, wc, bc, g, yp, act);
      }
    }
  });
}

void depthwise(const float* x, const float* w, const float* bias, const ConvGeom& g, float* y, ThreadPool* pool,
               const Activation& act) {
  if (dw3_applies(g)) {
    depthwise3x3(x, w, bias, g, y, pool, act);
    return;
  }
  const simd::DF df;
  const int64_t Lmax = static_cast<int64_t>(hn::Lanes(df));
  const bool narrow = g.OW <= 8 && Lmax > 8;
  const int64_t Ln = narrow ? std::min<int64_t>(8, Lmax) : Lmax;
  const int64_t owr = (g.OW + Ln - 1) / Ln * Ln;  // rounded up: vector loops over-read into padding
  // Padded plane: rows needed and columns needed by the rounded-up output width (+ slack).
  const int64_t ph = std::max(g.H + g.pt + g.pb, (g.OH - 1) * g.sh + (g.kh - 1) * g.dh + 1);
  const int64_t ps = (std::max(g.W + g.pl + g.pr, (owr - 1) * g.sw + (g.kw - 1) * g.dw + 1) + 2 * Lmax + 1) / 2 * 2;
  const int64_t ps2 = ps / 2;  // row stride of the de-interleaved planes (stride 2)
  const int64_t planes = g.N * g.C;
  const int64_t taps = g.kh * g.kw;
  const double work = double(g.OH) * double(g.OW) * double(taps);
  const int64_t grain = std::max<int64_t>(1, static_cast<int64_t>(20000.0 / (work + 1)));
  parallel_for(pool, planes, grain, [&](int64_t b0, int64_t b1) {
    float* pp = scratch(static_cast<size_t>(ph * ps) + 64, 1);
    // zero the whole plane once; the interior is overwritten per plane, the border stays zero
    std::fill(pp, pp + ph * ps + 64, 0.0f);
    float* pe = nullptr;
    float* po = nullptr;
    if (g.sw == 2) {
      pe = scratch(static_cast<size_t>(ph * ps2) + 64, 2);
      po = scratch(static_cast<size_t>(ph * ps2) + 64, 3);
    }
    std::vector<const float*> tap_base(static_cast<size_t>(taps));
    int64_t rstride = ps * g.sh;
    for (int64_t i = 0; i < g.kh; ++i)
      for (int64_t j = 0; j < g.kw; ++j) {
        const int64_t col = j * g.dw;
        if (g.sw == 2) tap_base[i * g.kw + j] = (col % 2 == 0 ? pe : po) + i * g.dh * ps2 + col / 2;
        else tap_base[i * g.kw + j] = pp + i * g.dh * ps + col;
      }
    if (g.sw == 2) rstride = ps2 * g.sh;
    for (int64_t b = b0; b < b1; ++b) {
      const int64_t c = b % g.C;
      const float* xp = x + b * g.H * g.W;
      for (int64_t h = 0; h < g.H; ++h)
        std::memcpy(pp + (h + g.pt) * ps + g.pl, xp + h * g.W, sizeof(float) * static_cast<size_t>(g.W));
      if (g.sw == 2) {
        // de-interleave every padded row into even / odd columns
        const int64_t L = Lmax;
        for (int64_t r = 0; r < ph; ++r) {
          const float* src = pp + r * ps;
          float* e = pe + r * ps2;
          float* od = po + r * ps2;
          int64_t i = 0;
          for (; i + L <= ps2; i += L) {
            simd::VF ve, vo;
            hn::LoadInterleaved2(df, src + 2 * i, ve, vo);
            hn::StoreU(ve, df, e + i);
            hn::StoreU(vo, df, od + i);
          }
          for (; i < ps2; ++i) {
            e[i] = src[2 * i];
            od[i] = src[2 * i + 1];
          }
        }
      }
      const float* wc = w + c * taps;
      const float bc = bias ? bias[c] : 0.0f;
      float* yp = y + b * g.OH * g.OW;
      if (g.sw != 1 && g.sw != 2) depthwise_plane_scalar(pp, ps, wc, bc, g, yp, act);
      else if (narrow) plane_with_act(hn::CappedTag<float, 8>(), tap_base.data(), rstride, wc, bc, g, yp, act);
      else plane_with_act(df, tap_base.data(), rstride, wc, bc, g, yp, act);
    }
  });
}

// ---------------------------------------------------------------- kernel
class ConvKernel final : public Kernel {
 public:
  ConvKernel(ConvAttrs attrs, Activation act, std::optional<ConvAlgo> algo, std::vector<float> wconst,
             std::vector<float> bconst, bool has_wconst, bool has_bconst, std::vector<PackedA> packed,
             WinogradWeights wino)
      : attrs_(std::move(attrs)), act_(act), algo_(algo), w_(std::move(wconst)), b_(std::move(bconst)),
        has_w_(has_wconst), has_b_(has_bconst), packed_(std::move(packed)), wino_(std::move(wino)) {}
  bool fuses_activation() const override { return true; }

  Status run(KernelContext& ctx) const override {
    const Tensor& x = *ctx.input(0);
    const Tensor& wt = *ctx.input(1);
    const Tensor* bt = ctx.input(2);
    if (bt && !bt->defined()) bt = nullptr;
    const std::string& L = ctx.node().label();
    if (x.dtype() != DataType::kFloat32 || wt.dtype() != DataType::kFloat32 ||
        (bt && bt->dtype() != DataType::kFloat32))
      return unsupported(L, ": cpu Conv runs float32 only");
    ER_ASSIGN_OR_RETURN(ConvGeom g, make_geom(ctx.node(), attrs_, x.shape(), wt.shape()));
    if (bt && bt->numel() != g.M) return invalid_argument(L, ": bias has ", bt->numel(), " values, expected ", g.M);
    Shape ys = {g.N, g.M};
    if (!g.one_d) ys.push_back(g.OH);
    ys.push_back(g.OW);
    ER_ASSIGN_OR_RETURN(Tensor * yt, output_of_shape(ctx, 0, DataType::kFloat32, ys));
    const float* xd = x.data_as<float>();
    const float* wd = has_w_ ? w_.data() : wt.data_as<float>();
    const float* bd = has_b_ ? b_.data() : (bt ? bt->data_as<float>() : nullptr);
    float* yd = yt->data_as<float>();
    if (yt->numel() == 0) return Status::Ok();
    const bool no_pads = g.pt == 0 && g.pl == 0 && g.pb == 0 && g.pr == 0;
    const ConvAlgo algo = algo_ && !(*algo_ == ConvAlgo::kPointwise && !no_pads)
                              ? *algo_
                              : choose_algo(g.C, g.M, g.group, g.kh, g.kw, g.sh, g.sw, no_pads);
    if (algo == ConvAlgo::kDepthwise) {
      depthwise(xd, wd, bd, g, yd, ctx.pool(), act_);
      return Status::Ok();
    }
    // 3x3, stride 1, dilation 1, group 1 with weights transformed at prepare: Winograd F(2x2, 3x3)
    if (!wino_.empty() && !g.one_d && g.group == 1 && g.kh == 3 && g.kw == 3 && g.sh == 1 && g.sw == 1 && g.dh == 1 &&
        g.dw == 1 && g.C == wino_.C && g.M == wino_.M && winograd_suitable(g.C, g.M, g.OH, g.OW)) {
      winograd_conv3x3(wino_, xd, g.N, g.H, g.W, g.pt, g.pl, g.OH, g.OW, bd, act_, yd, ctx.pool());
      return Status::Ok();
    }
    const int64_t Cg = g.C / g.group, Mg = g.M / g.group;
    const int64_t K = Cg * g.kh * g.kw;
    const int64_t P = g.OH * g.OW;
    const int64_t HW = g.H * g.W;
    const bool pointwise = algo == ConvAlgo::kPointwise;
    // Weights packed at prepare (constant weights of the expected shape): packed GEMM with the
    // bias and activation fused into its stores.
    const bool use_packed = static_cast<int64_t>(packed_.size()) == g.group && packed_[0].M == Mg && packed_[0].K == K;
    if (use_packed && pointwise) {
      for (int64_t n = 0; n < g.N; ++n)
        for (int64_t gi = 0; gi < g.group; ++gi)
          packed_gemm_mt(packed_[static_cast<size_t>(gi)], xd + (n * g.C + gi * Cg) * HW, HW, P,
                         yd + (n * g.M + gi * Mg) * P, P, bd ? bd + gi * Mg : nullptr, act_, ctx.pool());
      return Status::Ok();
    }
    const int64_t nb = column_block(P, K, !pointwise, g.N * g.group, ctx.pool() ? ctx.pool()->num_threads() : 1);
    const int64_t nblocks = (P + nb - 1) / nb;
    const int64_t tasks = g.N * g.group * nblocks;
    const Activation act = act_;
    parallel_for_dynamic(ctx.pool(), tasks, 1, [&](int64_t t0, int64_t t1) {
      for (int64_t t = t0; t < t1; ++t) {
        const int64_t blk = t % nblocks;
        const int64_t gi = (t / nblocks) % g.group;
        const int64_t n = t / (nblocks * g.group);
        const int64_t p0 = blk * nb, p1 = std::min(P, p0 + nb);
        const float* xg = xd + (n * g.C + gi * Cg) * HW;
        const float* wg = wd + gi * Mg * K;
        float* yg = yd + (n * g.M + gi * Mg) * P;
        if (pointwise) {
          sgemm_st(false, false, Mg, p1 - p0, K, 1.0f, wg, K, xg + p0, HW, 0.0f, yg + p0, P);
        } else {
          float* col = scratch(static_cast<size_t>(K * (p1 - p0)), 0);
          im2col(xg, g, Cg, p0, p1, col);
          if (use_packed) {
            const PackedA& pa = packed_[static_cast<size_t>(gi)];
            packed_gemm(pa, 0, pa.panels, col, p1 - p0, 0, p1 - p0, yg + p0, P, bd ? bd + gi * Mg : nullptr, act);
            continue;
          }
          sgemm_st(false, false, Mg, p1 - p0, K, 1.0f, wg, K, col, p1 - p0, 0.0f, yg + p0, P);
        }
        for (int64_t m = 0; m < Mg; ++m)
          bias_activation(yg + m * P + p0, p1 - p0, bd ? bd[gi * Mg + m] : 0.0f, act);
      }
    });
    return Status::Ok();
  }

 private:
  ConvAttrs attrs_;
  Activation act_;
  std::optional<ConvAlgo> algo_;
  std::vector<float> w_, b_;
  bool has_w_, has_b_;
  std::vector<PackedA> packed_;  // per group, for pointwise / im2col with constant weights
  WinogradWeights wino_;         // constant 3x3 stride-1 weights, transformed for winograd_conv3x3
};

Support conv_supports(const NodeView& n) {
  Support s = require_float32(n);
  if (!s.ok) return s;
  if (n.inputs.size() < 2) return no(n, "expects 2 or 3 inputs");
  const ShapeInfo& ws = n.inputs[1].shape;
  if (ws.rank_known && ws.rank() != 3 && ws.rank() != 4)
    return no(n, str_cat(ws.rank() - 2, "-D convolution not supported by cpu; runs on reference"));
  const ShapeInfo& xs = n.inputs[0].shape;
  if (xs.rank_known && xs.rank() != 3 && xs.rank() != 4)
    return no(n, str_cat("input rank ", xs.rank(), " not supported by cpu (1-D/2-D only); runs on reference"));
  const std::string ap = n.node.attrs.get_string("auto_pad", "NOTSET");
  if (ap != "NOTSET" && ap != "VALID" && ap != "SAME_UPPER" && ap != "SAME_LOWER")
    return no(n, str_cat("auto_pad '", ap, "' not supported"));
  for (int64_t p : n.node.attrs.get_ints("pads"))
    if (p < 0) return no(n, "negative pads not supported by cpu; runs on reference");
  if (!n.node.fused_activation.empty() && !parse_activation(n.node).ok())
    return no(n, str_cat("fused activation ", n.node.fused_activation, " not supported by cpu"));
  return Support::yes();
}

Result<std::unique_ptr<Kernel>> conv_create(const NodeView& n) {
  ER_ASSIGN_OR_RETURN(Activation act, parse_activation(n.node));
  ConvAttrs attrs = read_attrs(n.node);
  std::optional<ConvAlgo> algo;
  Shape ws;
  if (known_shape(n.inputs[1], &ws) && ws.size() >= 3) {
    const int64_t C = ws[1] * attrs.group;
    const int64_t kh = ws.size() == 4 ? ws[2] : 1, kw = ws.back();
    const size_t ns = ws.size() - 2;
    const int64_t sh = ns == 2 && !attrs.strides.empty() ? attrs.strides[0] : 1;
    const int64_t sw = !attrs.strides.empty() ? attrs.strides.back() : 1;
    bool no_pads = attrs.auto_pad == "NOTSET" || attrs.auto_pad == "VALID";
    for (int64_t p : attrs.pads) no_pads = no_pads && p == 0;
    algo = choose_algo(C, ws[0], attrs.group, kh, kw, sh, sw, no_pads);
  }
  std::vector<float> wc, bc;
  const Tensor* w = n.constant(1);
  const Tensor* b = n.inputs.size() > 2 ? n.constant(2) : nullptr;
  bool has_w = w && w->dtype() == DataType::kFloat32;
  const bool has_b = b && b->dtype() == DataType::kFloat32;
  if (has_w) wc.assign(w->data_as<float>(), w->data_as<float>() + w->numel());
  if (has_b) bc.assign(b->data_as<float>(), b->data_as<float>() + b->numel());
  std::vector<PackedA> packed;
  WinogradWeights wino;
  const auto all_one = [](const std::vector<int64_t>& v) {
    return std::all_of(v.begin(), v.end(), [](int64_t e) { return e == 1; });
  };
  if (has_w && algo && *algo == ConvAlgo::kIm2col && attrs.group == 1 && ws.size() == 4 && ws == w->shape() &&
      ws[2] == 3 && ws[3] == 3 && all_one(attrs.strides) && all_one(attrs.dilations) &&
      winograd_suitable(ws[1], ws[0], 2, 2)) {
    // the run-time fallback (other shapes) reads the weights from the constant input itself
    wino = winograd_weights(wc.data(), ws[0], ws[1]);
    wc.clear();
    wc.shrink_to_fit();
    has_w = false;
  }
  if (has_w && algo && *algo != ConvAlgo::kDepthwise && w->rank() >= 3 && ws == w->shape() &&
      attrs.group > 0 && ws[0] % attrs.group == 0) {
    const int64_t Mg = ws[0] / attrs.group;
    int64_t K = 1;
    for (size_t i = 1; i < ws.size(); ++i) K *= ws[i];
    for (int64_t gi = 0; gi < attrs.group; ++gi) packed.push_back(pack_a(wc.data() + gi * Mg * K, Mg, K, K));
    wc.clear();  // the packed copy replaces the plain one
    wc.shrink_to_fit();
    has_w = false;
  }
  return make_kernel<ConvKernel>(std::move(attrs), act, algo, std::move(wc), std::move(bc), has_w, has_b,
                                 std::move(packed), std::move(wino));
}

const CpuOp kOps[] = {
    {"Conv", conv_supports, conv_create},
};
}  // namespace

std::span<const CpuOp> conv_ops() { return kOps; }

}  // namespace edgerun::cpu
