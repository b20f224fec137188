// Winograd F(2x2, 3x3) convolution (see winograd.h).
#include "cpu/kernels/winograd.h"

#include <algorithm>
#include <cstring>

#include "base/thread_pool.h"
#include "cpu/kernels/simd.h"

namespace edgerun::cpu {

namespace {

namespace hn = simd::hn;
using DF = simd::DF;
using VF = simd::VF;

// Geometry of one convolution: T_H x T_W tiles of 2x2 outputs (row-major tile index t), processed
// in blocks of nb consecutive tiles (the columns of the block's GEMMs).
struct Geo {
  int64_t C, M, H, W, pt, pl, OH, OW;
  int64_t TH, TW;
  int64_t PW;  // row stride of the zero-padded input rows (tile columns rounded up to vectors)
};

std::vector<float>& tls(int i) {
  thread_local std::vector<float> bufs[3];
  return bufs[i];
}

float* tls_floats(int i, size_t n) {
  std::vector<float>& b = tls(i);
  if (b.size() < n) b.resize(n);
  return b.data();
}

// Input transform of channels [c0, c1) for the tiles [t0, t1) (row-major over T_H x T_W) of one
// image: V[xi][c][t - t0] = (B^T d B)[xi] of the 4x4 input tile at rows 2 ty - pt + (0..3),
// columns 2 tx - pl + (0..3). V has C * nb floats per xi (nb = t1 - t0).
void input_transform(const Geo& g, const float* xn, int64_t t0, int64_t t1, int64_t c0, int64_t c1, float* V) {
  const DF d;
  const int64_t L = static_cast<int64_t>(hn::Lanes(d));
  const int64_t nb = t1 - t0;
  const int64_t ty_a = t0 / g.TW, ty_b = (t1 - 1) / g.TW;  // tile rows touched
  const int64_t prow = 2 * (ty_b - ty_a + 1) + 2;
  float* plane = tls_floats(2, static_cast<size_t>(prow * g.PW));
  const int64_t vstride = g.C * nb;  // from one xi to the next
  for (int64_t c = c0; c < c1; ++c) {
    const float* xc = xn + c * g.H * g.W;
    for (int64_t pr = 0; pr < prow; ++pr) {
      float* dst = plane + pr * g.PW;
      std::fill(dst, dst + g.PW, 0.0f);
      const int64_t ih = 2 * ty_a + pr - g.pt;
      if (ih < 0 || ih >= g.H) continue;
      // input column iw lands at padded column iw + pl
      std::memcpy(dst + g.pl, xc + ih * g.W, sizeof(float) * static_cast<size_t>(g.W));
    }
    float* vc = V + c * nb;
    for (int64_t ty = ty_a; ty <= ty_b; ++ty) {
      const int64_t tx_a = std::max<int64_t>(t0 - ty * g.TW, 0), tx_b = std::min<int64_t>(t1 - ty * g.TW, g.TW);
      for (int64_t tx = tx_a; tx < tx_b; tx += L) {
        VF t[4][4];  // t[i][j]: row i of the tile after the horizontal transform
        for (int i = 0; i < 4; ++i) {
          const float* p = plane + (2 * (ty - ty_a) + i) * g.PW + 2 * tx;
          const VF lo = hn::LoadU(d, p), hi = hn::LoadU(d, p + L);
          const VF lo2 = hn::LoadU(d, p + 2), hi2 = hn::LoadU(d, p + 2 + L);
          const VF a0 = hn::ConcatEven(d, hi, lo), a1 = hn::ConcatOdd(d, hi, lo);
          const VF a2 = hn::ConcatEven(d, hi2, lo2), a3 = hn::ConcatOdd(d, hi2, lo2);
          t[i][0] = hn::Sub(a0, a2);
          t[i][1] = hn::Add(a1, a2);
          t[i][2] = hn::Sub(a2, a1);
          t[i][3] = hn::Sub(a1, a3);
        }
        float* out = vc + ty * g.TW + tx - t0;
        const int64_t cnt = std::min(L, tx_b - tx);
        const auto m = hn::FirstN(d, static_cast<size_t>(cnt));
        for (int j = 0; j < 4; ++j) {
          const VF v[4] = {hn::Sub(t[0][j], t[2][j]), hn::Add(t[1][j], t[2][j]), hn::Sub(t[2][j], t[1][j]),
                           hn::Sub(t[1][j], t[3][j])};
          for (int i = 0; i < 4; ++i) {
            float* o = out + (i * 4 + j) * vstride;
            if (cnt == L) hn::StoreU(v[i], d, o);
            else hn::BlendedStore(v[i], m, d, o);
          }
        }
      }
    }
  }
}

// Output transform of output channels [m0, m1) for the tiles [t0, t1): y = epi(A^T Mx A + bias)
// into the 2x2 outputs of every tile that lie inside OH x OW.
template <class Epi>
void output_transform(const Geo& g, const float* Mb, int64_t t0, int64_t t1, int64_t m0, int64_t m1,
                      const float* bias, const Epi& epi, float* yn) {
  const DF d;
  const int64_t L = static_cast<int64_t>(hn::Lanes(d));
  const int64_t nb = t1 - t0;
  const int64_t mstride = g.M * nb;
  const int64_t ty_a = t0 / g.TW, ty_b = (t1 - 1) / g.TW;
  HWY_ALIGN float tmp[2 * hn::MaxLanes(DF())];
  for (int64_t mo = m0; mo < m1; ++mo) {
    const VF b = hn::Set(d, bias ? bias[mo] : 0.0f);
    float* ym = yn + mo * g.OH * g.OW;
    for (int64_t ty = ty_a; ty <= ty_b; ++ty) {
      const int64_t oy = 2 * ty;
      const int64_t tx_a = std::max<int64_t>(t0 - ty * g.TW, 0), tx_b = std::min<int64_t>(t1 - ty * g.TW, g.TW);
      for (int64_t tx = tx_a; tx < tx_b; tx += L) {
        const float* p = Mb + mo * nb + ty * g.TW + tx - t0;  // may read L - 1 past the range: slack
        VF s[2][4];
        for (int j = 0; j < 4; ++j) {
          const VF x0 = hn::LoadU(d, p + (0 * 4 + j) * mstride), x1 = hn::LoadU(d, p + (1 * 4 + j) * mstride);
          const VF x2 = hn::LoadU(d, p + (2 * 4 + j) * mstride), x3 = hn::LoadU(d, p + (3 * 4 + j) * mstride);
          s[0][j] = hn::Add(hn::Add(x0, x1), x2);
          s[1][j] = hn::Sub(hn::Sub(x1, x2), x3);
        }
        const int64_t cnt = std::min(2 * std::min(L, tx_b - tx), g.OW - 2 * tx);  // outputs in this row
        for (int a = 0; a < 2; ++a) {
          if (oy + a >= g.OH) break;
          const VF y0 = epi(d, hn::Add(hn::Add(hn::Add(s[a][0], s[a][1]), s[a][2]), b));
          const VF y1 = epi(d, hn::Add(hn::Sub(hn::Sub(s[a][1], s[a][2]), s[a][3]), b));
          float* dst = ym + (oy + a) * g.OW + 2 * tx;
          if (cnt == 2 * L) {
            hn::StoreInterleaved2(y0, y1, d, dst);
          } else {
            hn::StoreInterleaved2(y0, y1, d, tmp);
            std::memcpy(dst, tmp, sizeof(float) * static_cast<size_t>(cnt));
          }
        }
      }
    }
  }
}

void output_any(const Geo& g, const float* Mb, int64_t t0, int64_t t1, int64_t m0, int64_t m1, const float* bias,
                const Activation& act, float* yn) {
  switch (act.kind) {
    case ActKind::kNone: return output_transform(g, Mb, t0, t1, m0, m1, bias, simd::EpiNone{}, yn);
    case ActKind::kRelu: return output_transform(g, Mb, t0, t1, m0, m1, bias, simd::EpiRelu{}, yn);
    case ActKind::kClip: return output_transform(g, Mb, t0, t1, m0, m1, bias, simd::EpiClip{act.a, act.b}, yn);
    default: return output_transform(g, Mb, t0, t1, m0, m1, bias, simd::EpiAny{&act}, yn);
  }
}

// The tiles [t0, t1) of one image. `inner` (may be null) threads the block's three stages.
void run_block(const WinogradWeights& wt, const Geo& g, const float* xn, int64_t t0, int64_t t1, const float* bias,
               const Activation& act, float* yn, ThreadPool* inner) {
  const int64_t L = static_cast<int64_t>(hn::Lanes(DF()));
  const int64_t nb = t1 - t0;
  float* V = tls_floats(0, static_cast<size_t>(16 * g.C * nb + 2 * L));
  float* Mb = tls_floats(1, static_cast<size_t>(16 * g.M * nb + 2 * L));
  parallel_for_dynamic(inner, g.C, std::max<int64_t>(1, g.C / 8), [&](int64_t c0, int64_t c1) {
    input_transform(g, xn, t0, t1, c0, c1, V);
  });
  parallel_for_dynamic(inner, 16, 1, [&](int64_t x0, int64_t x1) {
    for (int64_t xi = x0; xi < x1; ++xi) {
      const PackedA& u = wt.u[static_cast<size_t>(xi)];
      packed_gemm(u, 0, u.panels, V + xi * g.C * nb, nb, 0, nb, Mb + xi * g.M * nb, nb, nullptr, Activation{});
    }
  });
  parallel_for_dynamic(inner, g.M, std::max<int64_t>(1, g.M / 8), [&](int64_t m0, int64_t m1) {
    output_any(g, Mb, t0, t1, m0, m1, bias, act, yn);
  });
}

}  // namespace

WinogradWeights winograd_weights(const float* w, int64_t M, int64_t C) {
  WinogradWeights r;
  r.M = M;
  r.C = C;
  std::vector<float> u(static_cast<size_t>(16 * M * C));  // u[xi][m][c]
  for (int64_t m = 0; m < M; ++m) {
    for (int64_t c = 0; c < C; ++c) {
      const float* g = w + (m * C + c) * 9;
      double gg[4][3];  // G g
      for (int k = 0; k < 3; ++k) {
        const double g0 = g[k], g1 = g[3 + k], g2 = g[6 + k];
        gg[0][k] = g0;
        gg[1][k] = 0.5 * (g0 + g1 + g2);
        gg[2][k] = 0.5 * (g0 - g1 + g2);
        gg[3][k] = g2;
      }
      for (int i = 0; i < 4; ++i) {
        const double a0 = gg[i][0], a1 = gg[i][1], a2 = gg[i][2];
        const double row[4] = {a0, 0.5 * (a0 + a1 + a2), 0.5 * (a0 - a1 + a2), a2};  // (G g) G^T
        for (int j = 0; j < 4; ++j) u[static_cast<size_t>(((i * 4 + j) * M + m) * C + c)] = static_cast<float>(row[j]);
      }
    }
  }
  r.u.reserve(16);
  for (int xi = 0; xi < 16; ++xi) r.u.push_back(pack_a(u.data() + static_cast<size_t>(xi) * M * C, M, C, C));
  return r;
}

bool winograd_suitable(int64_t C, int64_t M, int64_t OH, int64_t OW) {
  return C >= 16 && M >= 16 && OH >= 2 && OW >= 2;
}

void winograd_conv3x3(const WinogradWeights& wt, const float* x, int64_t N, int64_t H, int64_t W, int64_t pt,
                      int64_t pl, int64_t OH, int64_t OW, const float* bias, const Activation& act, float* y,
                      ThreadPool* pool) {
  if (N <= 0 || OH <= 0 || OW <= 0 || wt.M <= 0) return;
  const int64_t L = static_cast<int64_t>(hn::Lanes(DF()));
  Geo g{};
  g.C = wt.C;
  g.M = wt.M;
  g.H = H;
  g.W = W;
  g.pt = pt;
  g.pl = pl;
  g.OH = OH;
  g.OW = OW;
  g.TH = (OH + 1) / 2;
  g.TW = (OW + 1) / 2;
  // columns read by the vector loads: 2 * (TW rounded up to L) + 2 + L, and at least pl + W
  g.PW = std::max(2 * ((g.TW + L - 1) / L * L) + 2 + L, pl + W);
  // Tiles per block (the GEMMs' columns): V and M of a block (16 (C + M) nb floats) near 1 MiB,
  // a multiple of the GEMM's column tile and at least two of them (else all tiles); with
  // threads, a multiple of the thread count of blocks, or, for few tiles, one block whose 16
  // GEMMs and transforms are split between the threads.
  const int threads = pool ? pool->num_threads() : 1;
  const int64_t NR = packed_nr();
  const int64_t T = g.TH * g.TW;
  const auto round_up = [](int64_t v, int64_t m) { return (v + m - 1) / m * m; };
  int64_t nb = std::min(T, std::max(2 * NR, round_up(16384 / (g.C + g.M), NR)));
  int64_t blocks = (T + nb - 1) / nb;
  if (threads > 1 && N * blocks >= 2) {
    blocks = round_up(blocks, threads);
    nb = std::min(T, round_up((T + blocks - 1) / blocks, NR));
    blocks = (T + nb - 1) / nb;
  }
  const int64_t tasks = N * blocks;
  auto task = [&](int64_t t, ThreadPool* inner) {
    const int64_t n = t / blocks, b = t % blocks;
    const int64_t ta = b * nb, tb = std::min(T, ta + nb);
    run_block(wt, g, x + n * g.C * H * W, ta, tb, bias, act, y + n * g.M * OH * OW, inner);
  };
  if (threads > 1 && (tasks >= 4 * threads || (tasks >= threads && tasks % threads == 0))) {
    parallel_for_dynamic(pool, tasks, 1, [&](int64_t t0, int64_t t1) {
      for (int64_t t = t0; t < t1; ++t) task(t, nullptr);
    });
  } else {
    for (int64_t t = 0; t < tasks; ++t) task(t, threads > 1 ? pool : nullptr);
  }
}

}  // namespace edgerun::cpu
