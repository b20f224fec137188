#include "cpu/kernels/packed_gemm.h"

#include <algorithm>

#include "base/thread_pool.h"
#include "cpu/kernels/simd.h"

namespace edgerun::cpu {

namespace {

namespace hn = simd::hn;
using DF = simd::DF;
using VF = simd::VF;

// Register blocking: MR rows x NV vectors of accumulators, plus NV B vectors and one broadcast.
#if HWY_MAX_BYTES >= 64
constexpr int kMR = 8;  // 32 vector registers: 24 accumulators
constexpr int kNV = 3;
#elif HWY_TARGET == HWY_WASM
// wasm SIMD: engines map v128 to the 16 xmm registers of x86-64 (one kept as scratch), and
// MulAdd is a Mul and an Add (no FMA), which needs a temporary: 6x2 accumulators spill. Measured
// in node (256^3 MatMul): 4x2 about 1.8x faster than 6x2; 5x2, 3x3 and 4x3 no better than 4x2.
constexpr int kMR = 4;
constexpr int kNV = 2;
#else
constexpr int kMR = 6;  // 16 vector registers: 12 accumulators
constexpr int kNV = 2;
#endif

// K block: depths summed in registers per pass over a tile of C; partial sums are added in C.
// The same on every target, so native and wasm sum every output in the same order (one pass,
// k = 0, 1, ..., K-1, for every K up to kKC). Blocks of 256 measured no faster natively and ~5%
// slower in node (ResNet-18, 4608-deep products) than one pass, so the limit only bounds the
// buffers: hwy_sgemm packs MC x KC floats of A per pass, MC chosen so that they stay near 512 KiB.
// M block of the conv path (A pre-packed): kMC rows; 64 or 512 rows made no difference.
constexpr int64_t kKC = 8192;
constexpr int64_t kMC = kMR * 16;

int64_t nr() { return kNV * static_cast<int64_t>(hn::Lanes(DF())); }

// How a finished tile is stored: C = epi(alpha * acc + cscale * C_old + bias[row]).
// C_old is read only when cscale != 0; alpha = 1 and bias = nullptr skip their step.
struct StoreArgs {
  const float* bias = nullptr;  // per row of C, offset to the tile's first row
  float alpha = 1.0f;
  float cscale = 0.0f;
};

// One MR x NV*L tile from a packed A panel (kMR floats per depth) and B rows at stride ldb:
// NV vectors, the last one masked to `tail` lanes when kMasked. Rows >= mr are computed but not
// stored (MR may be less than kMR: then only the panel's first MR rows are read).
template <int MR, int NV, bool kMasked, class Epi>
HWY_INLINE void tile(const float* HWY_RESTRICT ap, const float* HWY_RESTRICT b, int64_t ldb, int64_t K,
                     float* HWY_RESTRICT c, int64_t ldc, int mr, size_t tail, const StoreArgs& st, const Epi& epi) {
  const DF d;
  const size_t L = hn::Lanes(d);
  VF acc[MR][NV];
  for (int r = 0; r < MR; ++r)
    for (int v = 0; v < NV; ++v) acc[r][v] = hn::Zero(d);
  [[maybe_unused]] const auto m = hn::FirstN(d, tail);
  // Pointer bumps, not k * ldb: Emscripten compiles with LLVM's loop strength reduction off.
  // (Unrolling by 4 measured 1.5x slower in node: the engine's register allocator spills. The
  // body is written out, not a lambda over acc: gcc then kept acc on the stack, 2.4x slower.)
  const float* HWY_RESTRICT bk = b;
  const float* HWY_RESTRICT ak = ap;
  for (int64_t k = 0; k < K; ++k, bk += ldb, ak += kMR) {
    VF bv[NV];
    for (int v = 0; v < NV; ++v) {
      if (kMasked && v == NV - 1) bv[v] = hn::MaskedLoad(m, d, bk + v * L);
      else bv[v] = hn::LoadU(d, bk + v * L);
    }
    for (int r = 0; r < MR; ++r) {
      const VF a = hn::Set(d, ak[r]);
      for (int v = 0; v < NV; ++v) acc[r][v] = hn::MulAdd(a, bv[v], acc[r][v]);
    }
  }
  // (a guard, not a break: with a constant trip count the loop unrolls and acc stays in registers;
  // with the break clang kept a copy of acc on the stack, zeroed by a memset call per tile)
  for (int r = 0; r < MR; ++r) {
    if (r >= mr) continue;
    float* cr = c + r * ldc;
    for (int v = 0; v < NV; ++v) {
      VF o = acc[r][v];
      if (st.alpha != 1.0f) o = hn::Mul(o, hn::Set(d, st.alpha));
      if (st.cscale != 0.0f) {
        const VF old = kMasked && v == NV - 1 ? hn::MaskedLoad(m, d, cr + v * L) : hn::LoadU(d, cr + v * L);
        o = st.cscale == 1.0f ? hn::Add(o, old) : hn::Add(o, hn::Mul(old, hn::Set(d, st.cscale)));
      }
      // bias added after the dot product (the order Eigen / MLAS use: matches them more closely
      // when the sum nearly cancels the bias)
      if (st.bias) o = hn::Add(o, hn::Set(d, st.bias[r]));
      o = epi(d, o);
      if (kMasked && v == NV - 1) hn::BlendedStore(o, m, d, cr + v * L);
      else hn::StoreU(o, d, cr + v * L);
    }
  }
}

// A tile of mr rows: the smallest of 1, 2, 4 and kMR rows that covers mr, so few-row products
// (batch-1 Gemm, a last partial panel) do no wasted work.
template <int NV, bool kMasked, class Epi>
HWY_INLINE void tile_rows(const float* ap, const float* b, int64_t ldb, int64_t K, float* c, int64_t ldc, int mr,
                          size_t tail, const StoreArgs& st, const Epi& epi) {
  if (mr == 1) return tile<1, NV, kMasked>(ap, b, ldb, K, c, ldc, mr, tail, st, epi);
  if (mr == 2) return tile<2, NV, kMasked>(ap, b, ldb, K, c, ldc, mr, tail, st, epi);
  if constexpr (kMR > 4) {
    if (mr <= 4) return tile<4, NV, kMasked>(ap, b, ldb, K, c, ldc, mr, tail, st, epi);
  }
  tile<kMR, NV, kMasked>(ap, b, ldb, K, c, ldc, mr, tail, st, epi);
}

// Tail of fewer than NV*L columns: nv vectors, the last possibly partial.
template <int NV, class Epi>
HWY_INLINE void tail_tile(const float* ap, const float* b, int64_t ldb, int64_t K, float* c, int64_t ldc, int mr,
                          int64_t cols, const StoreArgs& st, const Epi& epi) {
  if constexpr (NV >= 1) {
    const int64_t L = static_cast<int64_t>(hn::Lanes(DF()));
    if (cols > (NV - 1) * L) {
      const size_t t = static_cast<size_t>(cols - (NV - 1) * L);
      if (t == static_cast<size_t>(L)) tile_rows<NV, false>(ap, b, ldb, K, c, ldc, mr, t, st, epi);
      else tile_rows<NV, true>(ap, b, ldb, K, c, ldc, mr, t, st, epi);
    } else {
      tail_tile<NV - 1>(ap, b, ldb, K, c, ldc, mr, cols, st, epi);
    }
  }
}

// Few leftover columns (< one vector): vectorise along M instead (one 8-lane k-slice of the
// panel times a broadcast of B[k, j]), with four partial sums to hide the FMA latency.
// (AVX-512 only, where a vector is 16 columns wide.)
constexpr bool kMVecTail = kMR == 8;
constexpr int64_t kMVecTailMax = 4;  // columns; wider remainders use the masked tile

template <class Epi>
HWY_NOINLINE void tail_cols_mvec(const float* HWY_RESTRICT ap, const float* HWY_RESTRICT b, int64_t ldb, int64_t K,
                                 float* HWY_RESTRICT c, int64_t ldc, int mr, int64_t cols, const StoreArgs& st,
                                 const Epi& epi) {
  const hn::CappedTag<float, 8> d8;
  using V8 = hn::Vec<decltype(d8)>;
  if constexpr (kMVecTail && hn::MaxLanes(d8) == 8) {
    HWY_ALIGN float bias8[8] = {0, 0, 0, 0, 0, 0, 0, 0};
    for (int r = 0; r < mr; ++r) bias8[r] = st.bias ? st.bias[r] : 0.0f;
    for (int64_t j = 0; j < cols; ++j) {
      const float* bj = b + j;
      V8 a0 = hn::Zero(d8), a1 = hn::Zero(d8), a2 = hn::Zero(d8), a3 = hn::Zero(d8);
      int64_t k = 0;
      for (; k + 4 <= K; k += 4) {
        a0 = hn::MulAdd(hn::LoadU(d8, ap + k * 8), hn::Set(d8, bj[k * ldb]), a0);
        a1 = hn::MulAdd(hn::LoadU(d8, ap + (k + 1) * 8), hn::Set(d8, bj[(k + 1) * ldb]), a1);
        a2 = hn::MulAdd(hn::LoadU(d8, ap + (k + 2) * 8), hn::Set(d8, bj[(k + 2) * ldb]), a2);
        a3 = hn::MulAdd(hn::LoadU(d8, ap + (k + 3) * 8), hn::Set(d8, bj[(k + 3) * ldb]), a3);
      }
      for (; k < K; ++k) a0 = hn::MulAdd(hn::LoadU(d8, ap + k * 8), hn::Set(d8, bj[k * ldb]), a0);
      V8 sum = hn::Add(hn::Add(a0, a1), hn::Add(a2, a3));
      if (st.alpha != 1.0f) sum = hn::Mul(sum, hn::Set(d8, st.alpha));
      if (st.cscale != 0.0f) {
        HWY_ALIGN float old[8] = {0, 0, 0, 0, 0, 0, 0, 0};
        for (int r = 0; r < mr; ++r) old[r] = c[r * ldc + j];
        sum = hn::Add(sum, hn::Mul(hn::Load(d8, old), hn::Set(d8, st.cscale)));
      }
      sum = epi(d8, hn::Add(sum, hn::Load(d8, bias8)));
      HWY_ALIGN float out[8];
      hn::Store(sum, d8, out);
      for (int r = 0; r < mr; ++r) c[r * ldc + j] = out[r];
    }
  }
}

// Where the current depth block of B is: packed panels (NR columns, `pstride` floats from one
// panel to the next) or row-major in place (ldb).
struct BBlock {
  const float* base;  // at the block's first depth, column 0
  int64_t ldb;        // in place: row stride
  int64_t pstride;    // packed: panel stride; 0 when in place
};

// wasm: a B read in place (conv's im2col columns, MatMul's B) is copied slab by slab (kc x NR)
// into a contiguous buffer when several row panels reuse it (one cache line per two depths
// instead of one per depth, no stride): measured in node on ResNet-18's 3x3 convs, 10-20% faster
// (7.3 vs 8.6 ms on 7x7x512->512, 6.7 vs 8.0 ms on 56x56x64->64). Natively no gain was measured
// (hardware prefetch), and with the copy compiled in, gcc spilled the AVX-512 accumulators of
// the inlined tile to the stack (2.4x slower): the code is not compiled there at all.
#define EDGERUN_COPY_B (HWY_TARGET == HWY_WASM)
#if EDGERUN_COPY_B
// A thread's buffer for B slabs (at least n floats).
HWY_NOINLINE float* slab_buffer(size_t n) {
  thread_local std::vector<float> buf;
  if (buf.size() < n) buf.resize(n);
  return buf.data();
}

// Copies kc rows of `cols` (<= NR) floats at stride ldb into dst (NR floats per row, zero padded).
HWY_NOINLINE void copy_slab(const float* HWY_RESTRICT src, int64_t ldb, int64_t kc, int64_t cols,
                            float* HWY_RESTRICT dst) {
  const DF d;
  const int64_t L = static_cast<int64_t>(hn::Lanes(d));
  const int64_t NR = kNV * L;
  for (int64_t k = 0; k < kc; ++k, src += ldb, dst += NR) {
    if (cols == NR) {
      for (int64_t j = 0; j < NR; j += L) hn::StoreU(hn::LoadU(d, src + j), d, dst + j);
    } else {
      std::copy(src, src + cols, dst);
      std::fill(dst + cols, dst + NR, 0.0f);
    }
  }
}
#endif

// One depth block (kc depths) of C rows [m0, m1) x columns [n0, n1) (n0 a multiple of NR when B
// is packed). The A panel of rows [m, m + kMR) starts at ap0 + (m - m0) / kMR * apstride.
template <class Epi>
void kblock(const float* ap0, int64_t apstride, int64_t m0, int64_t m1, const BBlock& b, int64_t n0, int64_t n1,
            int64_t kc, float* C, int64_t ldc, const StoreArgs& st, const Epi& epi) {
  const int64_t L = static_cast<int64_t>(hn::Lanes(DF()));
  const int64_t NR = kNV * L;
#if EDGERUN_COPY_B  // B in place and reused by several row panels: copy slab by slab

  float* slab = nullptr;
  if (!b.pstride && m1 - m0 > kMR) slab = slab_buffer(static_cast<size_t>(kc * NR));
#endif
  for (int64_t n = n0; n < n1; n += NR) {
    const int64_t cols = std::min(NR, n1 - n);
    const float* bp = b.pstride ? b.base + (n / NR) * b.pstride : b.base + n;
#if EDGERUN_COPY_B
    int64_t ldb = b.pstride ? NR : b.ldb;
    if (slab) {
      copy_slab(bp, ldb, kc, cols, slab);
      bp = slab;
      ldb = NR;
    }
#else
    const int64_t ldb = b.pstride ? NR : b.ldb;
#endif
    for (int64_t m = m0; m < m1; m += kMR) {
      const float* ap = ap0 + (m - m0) / kMR * apstride;
      const int mr = static_cast<int>(std::min<int64_t>(kMR, m1 - m));
      StoreArgs s = st;
      if (s.bias) s.bias += m;
      float* cp = C + m * ldc + n;
      if (cols == NR) {
        tile_rows<kNV, false>(ap, bp, ldb, kc, cp, ldc, mr, 0, s, epi);
      } else if (kMVecTail && mr == kMR && cols % L != 0 && cols % L <= kMVecTailMax) {
        const int64_t full = cols / L * L;
        if (full > 0) tail_tile<kNV>(ap, bp, ldb, kc, cp, ldc, mr, full, s, epi);
        tail_cols_mvec(ap, bp + full, ldb, kc, cp + full, ldc, mr, cols - full, s, epi);
      } else {
        tail_tile<kNV>(ap, bp, ldb, kc, cp, ldc, mr, cols, s, epi);
      }
    }
  }
}

// Conv path: pre-packed A (panels p0..p1), B in place.
template <class Epi>
void packed_impl(const PackedA& a, int64_t p0, int64_t p1, const float* B, int64_t ldb, int64_t n0, int64_t n1,
                 float* C, int64_t ldc, const float* bias, const Epi& epi) {
  const int64_t K = a.K;
  const int64_t m_end = std::min(a.M, p1 * kMR);
  for (int64_t k0 = 0; k0 < K; k0 += kKC) {
    const int64_t kc = std::min(kKC, K - k0);
    const bool last = k0 + kc >= K;
    const StoreArgs st{last ? bias : nullptr, 1.0f, k0 == 0 ? 0.0f : 1.0f};
    const BBlock bb{B + k0 * ldb, ldb, 0};
    for (int64_t mb = p0 * kMR; mb < m_end; mb += kMC) {
      const int64_t me = std::min(m_end, mb + kMC);
      const float* ap = a.data.data() + (mb / kMR) * K * kMR + k0 * kMR;
      if (last) kblock(ap, K * kMR, mb, me, bb, n0, n1, kc, C, ldc, st, epi);
      else kblock(ap, K * kMR, mb, me, bb, n0, n1, kc, C, ldc, st, simd::EpiNone{});
    }
  }
}

// ---------------------------------------------------------------- hwy_sgemm internals

// Packs op(A) rows [m0, m1), depths [k0, k0 + kc) into kMR-row panels of kc * kMR floats
// (panel[k * kMR + r]), the last panel zero padded.
void pack_a_block(const float* A, int64_t lda, bool ta, int64_t m0, int64_t m1, int64_t k0, int64_t kc, float* dst) {
  const int64_t panels = (m1 - m0 + kMR - 1) / kMR;
  for (int64_t p = 0; p < panels; ++p) {
    float* pd = dst + p * kc * kMR;
    const int64_t r0 = m0 + p * kMR;
    const int rows = static_cast<int>(std::min<int64_t>(kMR, m1 - r0));
    if (rows < kMR) std::fill(pd, pd + kc * kMR, 0.0f);
    if (!ta) {
      for (int r = 0; r < rows; ++r) {
        const float* src = A + (r0 + r) * lda + k0;
        for (int64_t k = 0; k < kc; ++k) pd[k * kMR + r] = src[k];
      }
    } else {
      for (int64_t k = 0; k < kc; ++k) {
        const float* src = A + (k0 + k) * lda + r0;
        for (int r = 0; r < rows; ++r) pd[k * kMR + r] = src[r];
      }
    }
  }
}

struct SgemmArgs {
  bool ta;
  int64_t M, N, K;
  float alpha;
  const float* A;
  int64_t lda;
  const float* B;  // in place (not transposed) when pb is null
  int64_t ldb;
  const PackedB* pb;
  float beta;
  float* C;
  int64_t ldc;
};

template <class Epi>
void sgemm_block(const SgemmArgs& g, int64_t m0, int64_t m1, int64_t n0, int64_t n1, const Epi& epi) {
  thread_local std::vector<float> abuf;
  const int64_t kcmax = std::min(kKC, g.K);
  const int64_t mstep = std::clamp<int64_t>((int64_t{1} << 17) / kcmax / kMR * kMR, kMR, 512 / kMR * kMR);
  const int64_t mc = std::min(mstep, m1 - m0);
  const size_t need = static_cast<size_t>((mc + kMR - 1) / kMR * kMR * kcmax);
  if (abuf.size() < need) abuf.resize(need);
  const int64_t NR = nr();
  for (int64_t k0 = 0; k0 < g.K; k0 += kKC) {
    const int64_t kc = std::min(kKC, g.K - k0);
    const bool last = k0 + kc >= g.K;
    const StoreArgs st{nullptr, g.alpha, k0 == 0 ? g.beta : 1.0f};
    const BBlock bb = g.pb ? BBlock{g.pb->data.data() + k0 * NR, 0, g.K * NR} : BBlock{g.B + k0 * g.ldb, g.ldb, 0};
    for (int64_t mb = m0; mb < m1; mb += mstep) {
      const int64_t me = std::min(m1, mb + mstep);
      pack_a_block(g.A, g.lda, g.ta, mb, me, k0, kc, abuf.data());
      if (last) kblock(abuf.data(), kc * kMR, mb, me, bb, n0, n1, kc, g.C, g.ldc, st, epi);
      else kblock(abuf.data(), kc * kMR, mb, me, bb, n0, n1, kc, g.C, g.ldc, st, simd::EpiNone{});
    }
  }
}

void sgemm_range(const SgemmArgs& g, int64_t m0, int64_t m1, int64_t n0, int64_t n1, const Activation& act) {
  switch (act.kind) {
    case ActKind::kNone: return sgemm_block(g, m0, m1, n0, n1, simd::EpiNone{});
    case ActKind::kRelu: return sgemm_block(g, m0, m1, n0, n1, simd::EpiRelu{});
    default: return sgemm_block(g, m0, m1, n0, n1, simd::EpiAny{&act});
  }
}

}  // namespace

int64_t packed_mr() { return kMR; }
int64_t packed_nr() { return nr(); }

PackedA pack_a(const float* A, int64_t M, int64_t K, int64_t lda) {
  PackedA p;
  p.M = M;
  p.K = K;
  p.panels = (M + kMR - 1) / kMR;
  p.data.assign(static_cast<size_t>(p.panels * K * kMR), 0.0f);
  for (int64_t m = 0; m < M; ++m) {
    float* dst = p.data.data() + (m / kMR) * K * kMR + m % kMR;
    for (int64_t k = 0; k < K; ++k) dst[k * kMR] = A[m * lda + k];
  }
  return p;
}

PackedA pack_a_transposed(const float* At, int64_t M, int64_t K, int64_t lda) {
  PackedA p;
  p.M = M;
  p.K = K;
  p.panels = (M + kMR - 1) / kMR;
  p.data.assign(static_cast<size_t>(p.panels * K * kMR), 0.0f);
  for (int64_t k = 0; k < K; ++k)
    for (int64_t m = 0; m < M; ++m) p.data[static_cast<size_t>((m / kMR) * K * kMR + k * kMR + m % kMR)] = At[k * lda + m];
  return p;
}

void packed_gemm(const PackedA& a, int64_t panel0, int64_t panel1, const float* B, int64_t ldb, int64_t n0,
                 int64_t n1, float* C, int64_t ldc, const float* bias, const Activation& act) {
  panel1 = std::min(panel1, a.panels);
  if (panel0 >= panel1 || n0 >= n1) return;
  if (a.K <= 0) {  // no depths: C = act(bias)
    for (int64_t m = panel0 * kMR; m < std::min(a.M, panel1 * kMR); ++m) {
      std::fill(C + m * ldc + n0, C + m * ldc + n1, bias ? bias[m] : 0.0f);
      apply_activation(C + m * ldc + n0, n1 - n0, act);
    }
    return;
  }
  switch (act.kind) {
    case ActKind::kNone: return packed_impl(a, panel0, panel1, B, ldb, n0, n1, C, ldc, bias, simd::EpiNone{});
    case ActKind::kRelu: return packed_impl(a, panel0, panel1, B, ldb, n0, n1, C, ldc, bias, simd::EpiRelu{});
    case ActKind::kClip:
      return packed_impl(a, panel0, panel1, B, ldb, n0, n1, C, ldc, bias, simd::EpiClip{act.a, act.b});
    default: return packed_impl(a, panel0, panel1, B, ldb, n0, n1, C, ldc, bias, simd::EpiAny{&act});
  }
}

void packed_gemm_mt(const PackedA& a, const float* B, int64_t ldb, int64_t N, float* C, int64_t ldc,
                    const float* bias, const Activation& act, ThreadPool* pool) {
  if (a.panels == 0 || N <= 0) return;
  const int threads = pool ? pool->num_threads() : 1;
  const double flops = 2.0 * double(a.M) * double(N) * double(std::max<int64_t>(a.K, 1));
  if (threads <= 1 || flops < 2e5) {
    packed_gemm(a, 0, a.panels, B, ldb, 0, N, C, ldc, bias, act);
    return;
  }
  // Split columns (in whole tiles) or row panels. Each column chunk streams all of A (M x K) and
  // each row chunk all of B (K x N): split columns when B is the larger (early layers of a CNN,
  // many pixels) or there are too few panels, else rows (late layers: 7x7 or 14x14 pixels and
  // hundreds of channels, where column chunks of a tile or two re-read A each time).
  const int64_t NR = nr();
  const int64_t ntiles = (N + NR - 1) / NR;
  if (ntiles >= threads && (N >= a.M || a.panels < 2 * threads)) {
    parallel_for_dynamic(pool, ntiles, 1, [&](int64_t t0, int64_t t1) {
      packed_gemm(a, 0, a.panels, B, ldb, t0 * NR, std::min(N, t1 * NR), C, ldc, bias, act);
    });
  } else {
    parallel_for_dynamic(pool, a.panels, 1, [&](int64_t q0, int64_t q1) {
      packed_gemm(a, q0, q1, B, ldb, 0, N, C, ldc, bias, act);
    });
  }
}

// ---------------------------------------------------------------- hwy_sgemm

PackedB pack_b(const float* B, int64_t K, int64_t N, int64_t ldb, bool trans) {
  const int64_t NR = nr();
  PackedB p;
  p.K = K;
  p.N = N;
  p.panels = (N + NR - 1) / NR;
  p.data.assign(static_cast<size_t>(p.panels * K * NR), 0.0f);
  for (int64_t q = 0; q < p.panels; ++q) {
    float* dst = p.data.data() + q * K * NR;
    const int64_t c0 = q * NR;
    const int64_t cols = std::min(NR, N - c0);
    if (!trans) {
      for (int64_t k = 0; k < K; ++k) std::copy(B + k * ldb + c0, B + k * ldb + c0 + cols, dst + k * NR);
    } else {
      for (int64_t j = 0; j < cols; ++j) {
        const float* src = B + (c0 + j) * ldb;
        for (int64_t k = 0; k < K; ++k) dst[k * NR + j] = src[k];
      }
    }
  }
  return p;
}

void hwy_sgemm(bool ta, bool tb, int64_t M, int64_t N, int64_t K, float alpha, const float* A, int64_t lda,
               const float* B, int64_t ldb, const PackedB* pb, float beta, float* C, int64_t ldc, ThreadPool* pool,
               const Activation& act) {
  if (M <= 0 || N <= 0) return;
  if (K <= 0) {
    for (int64_t m = 0; m < M; ++m) {
      float* row = C + m * ldc;
      if (beta == 0.0f) std::fill(row, row + N, 0.0f);
      else for (int64_t j = 0; j < N; ++j) row[j] *= beta;
      apply_activation(row, N, act);
    }
    return;
  }
  // A transposed B that is not packed yet: pack it once here (the workers share it).
  PackedB local;
  if (!pb && tb) {
    local = pack_b(B, K, N, ldb, true);
    pb = &local;
  }
  const SgemmArgs g{ta, M, N, K, alpha, A, lda, B, ldb, pb, beta, C, ldc};
  const int threads = pool ? pool->num_threads() : 1;
  const double flops = 2.0 * double(M) * double(N) * double(K);
  if (threads <= 1 || flops < 2e5) {
    sgemm_range(g, 0, M, 0, N, act);
    return;
  }
  // Split columns in whole panels when there are enough of them (or more than row panels), else
  // rows in whole panels; a few chunks per thread.
  const int64_t NR = nr();
  const int64_t ntiles = (N + NR - 1) / NR;
  const int64_t mpanels = (M + kMR - 1) / kMR;
  const int64_t want = std::max<int64_t>(1, std::min<int64_t>(static_cast<int64_t>(flops / 1e5), threads * 4));
  if (ntiles >= threads || ntiles >= mpanels) {
    const int64_t per = std::max<int64_t>(1, ntiles / want);
    const int64_t chunks = (ntiles + per - 1) / per;
    parallel_for_dynamic(pool, chunks, 1, [&](int64_t c0, int64_t c1) {
      sgemm_range(g, 0, M, c0 * per * NR, std::min(N, c1 * per * NR), act);
    });
  } else {
    const int64_t per = std::max<int64_t>(1, mpanels / want);
    const int64_t chunks = (mpanels + per - 1) / per;
    parallel_for_dynamic(pool, chunks, 1, [&](int64_t c0, int64_t c1) {
      sgemm_range(g, c0 * per * kMR, std::min(M, c1 * per * kMR), 0, N, act);
    });
  }
}

}  // namespace edgerun::cpu
