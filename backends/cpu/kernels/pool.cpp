// MaxPool / AveragePool (1-D, 2-D; NCHW float32) over zero/-inf padded input planes with
// Highway, and GlobalAveragePool / GlobalMaxPool (any rank >= 3). Split over planes (n, c).
#include <algorithm>
#include <cstring>
#include <limits>

#include "base/thread_pool.h"
#include "cpu/kernels/cpu_common.h"
#include "cpu/kernels/simd.h"
#include "ops/conv_util.h"

namespace edgerun::cpu {

namespace {

namespace hn = simd::hn;
using simd::DF;
using simd::VF;

struct PoolGeom {
  int64_t N, C, H, W, OH, OW, kh, kw, sh, sw, dh, dw, pt, pl, pb, pr;
  bool one_d;
};

Result<PoolGeom> pool_geom(const KernelContext& ctx, const Tensor& x) {
  const std::string& L = ctx.node().label();
  if (x.rank() != 3 && x.rank() != 4)
    return unsupported(L, ": cpu pooling handles 1-D and 2-D inputs, got ", shape_to_string(x.shape()));
  const size_t nsp = static_cast<size_t>(x.rank() - 2);
  auto p = read_window_params(ctx.attrs(), nsp, {});
  if (!p.ok()) return invalid_argument(L, ": ", p.status().message());
  const std::vector<int64_t> in(x.shape().begin() + 2, x.shape().end());
  auto geo = window_geometry(*p, in);
  if (!geo.ok()) return invalid_argument(L, ": ", geo.status().message());
  PoolGeom g{};
  g.one_d = nsp == 1;
  g.N = x.dim(0);
  g.C = x.dim(1);
  g.H = nsp == 2 ? in[0] : 1;
  g.W = in.back();
  const size_t wi = nsp - 1;
  g.kw = p->kernel[wi]; g.sw = p->strides[wi]; g.dw = p->dilations[wi];
  g.pl = (*geo)[wi].pad_begin; g.pr = (*geo)[wi].pad_end; g.OW = (*geo)[wi].out;
  if (nsp == 2) {
    g.kh = p->kernel[0]; g.sh = p->strides[0]; g.dh = p->dilations[0];
    g.pt = (*geo)[0].pad_begin; g.pb = (*geo)[0].pad_end; g.OH = (*geo)[0].out;
  } else {
    g.kh = g.sh = g.dh = 1; g.pt = g.pb = 0; g.OH = 1;
  }
  return g;
}

// Taps j in [0, k) at start + j*d that fall in [lo, hi).
int64_t taps_in(int64_t start, int64_t k, int64_t d, int64_t lo, int64_t hi) {
  auto below = [&](int64_t limit) -> int64_t {
    if (limit <= start) return 0;
    return std::min(k, (limit - start + d - 1) / d);
  };
  return below(hi) - below(lo);
}

template <bool kMax>
void pool_plane(const float* pp, int64_t ps, const PoolGeom& g, const float* cnt_row, const float* cnt_col, float* y) {
  const DF d;
  const int64_t L = static_cast<int64_t>(hn::Lanes(d));
  const VF init = hn::Set(d, kMax ? std::numeric_limits<float>::lowest() : 0.0f);
  for (int64_t oh = 0; oh < g.OH; ++oh) {
    const float* r0 = pp + oh * g.sh * ps;
    float* yr = y + oh * g.OW;
    for (int64_t ow = 0; ow < g.OW; ow += L) {
      VF acc = init;
      for (int64_t i = 0; i < g.kh; ++i) {
        const float* row = r0 + i * g.dh * ps;
        for (int64_t j = 0; j < g.kw; ++j) {
          VF v;
          if (g.sw == 1) {
            v = hn::LoadU(d, row + ow + j * g.dw);
          } else if (g.sw == 2) {
            VF odd;
            hn::LoadInterleaved2(d, row + 2 * ow + j * g.dw, v, odd);
          } else {
            HWY_ALIGN float tmp[hn::MaxLanes(d)];
            for (int64_t q = 0; q < L; ++q) tmp[q] = row[(ow + q) * g.sw + j * g.dw];
            v = hn::Load(d, tmp);
          }
          if constexpr (kMax) acc = hn::IfThenElse(hn::Gt(v, acc), v, acc);  // NaN never wins
          else acc = hn::Add(acc, v);
        }
      }
      if constexpr (!kMax) acc = hn::Div(acc, hn::Mul(hn::Set(d, cnt_row[oh]), hn::LoadU(d, cnt_col + ow)));
      if (ow + L <= g.OW) hn::StoreU(acc, d, yr + ow);
      else hn::BlendedStore(acc, hn::FirstN(d, static_cast<size_t>(g.OW - ow)), d, yr + ow);
    }
  }
}

template <bool kMax>
class PoolKernel final : public Kernel {
 public:
  explicit PoolKernel(bool include_pad) : include_pad_(include_pad) {}
  Status run(KernelContext& ctx) const override {
    const Tensor& x = *ctx.input(0);
    if (x.dtype() != DataType::kFloat32) return unsupported(ctx.node().label(), ": cpu pooling runs float32 only");
    if (ctx.output_requested(1)) return unsupported(ctx.node().label(), ": cpu MaxPool has no Indices output");
    ER_ASSIGN_OR_RETURN(PoolGeom g, pool_geom(ctx, x));
    Shape ys = {g.N, g.C};
    if (!g.one_d) ys.push_back(g.OH);
    ys.push_back(g.OW);
    ER_ASSIGN_OR_RETURN(Tensor * yt, output_of_shape(ctx, 0, DataType::kFloat32, ys));
    if (yt->numel() == 0) return Status::Ok();
    const DF d;
    const int64_t L = static_cast<int64_t>(hn::Lanes(d));
    const int64_t owr = (g.OW + L - 1) / L * L;
    const int64_t ph = std::max(g.H + g.pt + g.pb, (g.OH - 1) * g.sh + (g.kh - 1) * g.dh + 1);
    const int64_t ps = std::max(g.W + g.pl + g.pr, (owr - 1) * g.sw + (g.kw - 1) * g.dw + 1 + L);
    // per-axis window sizes for AveragePool (count_include_pad counts the pads, not what ceil_mode adds)
    std::vector<float> cnt_row(static_cast<size_t>(g.OH)), cnt_col(static_cast<size_t>(owr), 1.0f);
    for (int64_t o = 0; o < g.OH; ++o) {
      const int64_t s = o * g.sh - g.pt;
      cnt_row[o] = static_cast<float>(include_pad_ ? taps_in(s, g.kh, g.dh, -g.pt, g.H + g.pb)
                                                   : taps_in(s, g.kh, g.dh, 0, g.H));
    }
    for (int64_t o = 0; o < g.OW; ++o) {
      const int64_t s = o * g.sw - g.pl;
      cnt_col[o] = static_cast<float>(include_pad_ ? taps_in(s, g.kw, g.dw, -g.pl, g.W + g.pr)
                                                   : taps_in(s, g.kw, g.dw, 0, g.W));
    }
    const float padv = kMax ? -HUGE_VALF : 0.0f;
    const float* px = x.data_as<float>();
    float* py = yt->data_as<float>();
    const int64_t planes = g.N * g.C;
    const double work = double(g.OH) * double(g.OW) * double(g.kh * g.kw);
    const int64_t grain = std::max<int64_t>(1, static_cast<int64_t>(20000.0 / (work + 1)));
    parallel_for(ctx.pool(), planes, grain, [&](int64_t b0, int64_t b1) {
      float* pp = scratch(static_cast<size_t>(ph * ps) + 64, 1);
      std::fill(pp, pp + ph * ps + 64, padv);
      for (int64_t b = b0; b < b1; ++b) {
        const float* xp = px + b * g.H * g.W;
        for (int64_t h = 0; h < g.H; ++h)
          std::memcpy(pp + (h + g.pt) * ps + g.pl, xp + h * g.W, sizeof(float) * static_cast<size_t>(g.W));
        pool_plane<kMax>(pp, ps, g, cnt_row.data(), cnt_col.data(), py + b * g.OH * g.OW);
      }
    });
    return Status::Ok();
  }

 private:
  bool include_pad_;
};

Support pool_supports(const NodeView& n) {
  Support s = require_float32(n);
  if (!s.ok) return s;
  const ShapeInfo& xs = n.inputs[0].shape;
  if (xs.rank_known && xs.rank() != 3 && xs.rank() != 4)
    return no(n, str_cat("rank ", xs.rank(), " input not supported by cpu (1-D/2-D only); runs on reference"));
  if (n.node.outputs.size() > 1 && n.node.outputs[1] != kNoValue)
    return no(n, "Indices output not supported by cpu; runs on reference");
  if (n.node.attrs.get_int("storage_order", 0) != 0) return no(n, "storage_order 1 not supported by cpu");
  return Support::yes();
}

Result<std::unique_ptr<Kernel>> maxpool_create(const NodeView&) { return make_kernel<PoolKernel<true>>(false); }
Result<std::unique_ptr<Kernel>> avgpool_create(const NodeView& n) {
  return make_kernel<PoolKernel<false>>(n.node.attrs.get_int("count_include_pad", 0) != 0);
}

// ---------------------------------------------------------------- global pools
template <bool kMax>
class GlobalPoolKernel final : public Kernel {
 public:
  Status run(KernelContext& ctx) const override {
    const Tensor& x = *ctx.input(0);
    if (x.dtype() != DataType::kFloat32) return unsupported(ctx.node().label(), ": cpu pooling runs float32 only");
    if (x.rank() < 3) return invalid_argument(ctx.node().label(), ": input must have rank >= 3");
    Shape ys = x.shape();
    int64_t plane = 1;
    for (size_t i = 2; i < ys.size(); ++i) {
      plane *= ys[i];
      ys[i] = 1;
    }
    ER_ASSIGN_OR_RETURN(Tensor * yt, output_of_shape(ctx, 0, DataType::kFloat32, ys));
    const float* px = x.data_as<float>();
    float* py = yt->data_as<float>();
    const int64_t planes = x.dim(0) * x.dim(1);
    const int64_t grain = std::max<int64_t>(1, 16384 / std::max<int64_t>(plane, 1));
    parallel_for_dynamic(ctx.pool(), planes, grain, [&](int64_t b0, int64_t b1) {
      const DF d;
      const int64_t L = static_cast<int64_t>(hn::Lanes(d));
      for (int64_t b = b0; b < b1; ++b) {
        const float* p = px + b * plane;
        if constexpr (kMax) {
          VF acc = hn::Set(d, std::numeric_limits<float>::lowest());
          int64_t i = 0;
          for (; i + L <= plane; i += L) {
            const VF v = hn::LoadU(d, p + i);
            acc = hn::IfThenElse(hn::Gt(v, acc), v, acc);
          }
          float m = hn::GetLane(hn::MaxOfLanes(d, acc));
          for (; i < plane; ++i)
            if (p[i] > m) m = p[i];
          py[b] = m;
        } else {
          VF a0 = hn::Zero(d), a1 = hn::Zero(d);
          int64_t i = 0;
          for (; i + 2 * L <= plane; i += 2 * L) {
            a0 = hn::Add(a0, hn::LoadU(d, p + i));
            a1 = hn::Add(a1, hn::LoadU(d, p + i + L));
          }
          float s = hn::GetLane(hn::SumOfLanes(d, hn::Add(a0, a1)));
          for (; i < plane; ++i) s += p[i];
          py[b] = s / static_cast<float>(plane);
        }
      }
    });
    return Status::Ok();
  }
};

Support global_supports(const NodeView& n) { return require_float32(n); }
Result<std::unique_ptr<Kernel>> gap_create(const NodeView&) { return make_kernel<GlobalPoolKernel<false>>(); }
Result<std::unique_ptr<Kernel>> gmp_create(const NodeView&) { return make_kernel<GlobalPoolKernel<true>>(); }

const CpuOp kOps[] = {
    {"MaxPool", pool_supports, maxpool_create},
    {"AveragePool", pool_supports, avgpool_create},
    {"GlobalAveragePool", global_supports, gap_create},
    {"GlobalMaxPool", global_supports, gmp_create},
};
}  // namespace

std::span<const CpuOp> pool_ops() { return kOps; }

}  // namespace edgerun::cpu
