// Elementwise float32 kernels with Highway: binary Add/Sub/Mul/Div with numpy broadcasting
// (shapes are collapsed so the inner loop is vector-vector, vector-scalar or scalar-vector;
// same-shape, scalar and per-channel broadcasts all reduce to those) and unary activations/math.
// All of them apply a fused activation in the same pass.
#include <algorithm>
#include <cmath>

#include "base/thread_pool.h"
#include "cpu/kernels/cpu_common.h"
#include "cpu/kernels/simd.h"
#include "ops/shape_util.h"

namespace edgerun::cpu {

namespace {

namespace hn = simd::hn;
using simd::DF;
using simd::VF;

constexpr int64_t kChunk = 16384;  // elements per parallel task

// ---------------------------------------------------------------- binary
enum class BinOp { kAdd, kSub, kMul, kDiv };

template <BinOp op>
HWY_INLINE VF bin(VF a, VF b) {
  if constexpr (op == BinOp::kAdd) return hn::Add(a, b);
  else if constexpr (op == BinOp::kSub) return hn::Sub(a, b);
  else if constexpr (op == BinOp::kMul) return hn::Mul(a, b);
  else return hn::Div(a, b);
}

// out[i] = act(a[i*SA] op b[i*SB]) for SA, SB in {0, 1}.
template <BinOp op, bool kAct, bool SA, bool SB>
void bin_row_t(const float* a, const float* b, float* y, int64_t n, const Activation& act) {
  const DF d;
  const int64_t L = static_cast<int64_t>(hn::Lanes(d));
  const VF va = hn::Set(d, a[0]), vb = hn::Set(d, b[0]);
  auto finish = [&](VF v) {
    if constexpr (kAct) return simd::Act(d, v, act);
    else return v;
  };
  int64_t i = 0;
  for (; i + L <= n; i += L) {
    const VF xa = SA ? hn::LoadU(d, a + i) : va;
    const VF xb = SB ? hn::LoadU(d, b + i) : vb;
    hn::StoreU(finish(bin<op>(xa, xb)), d, y + i);
  }
  if (i < n) {
    const auto m = hn::FirstN(d, static_cast<size_t>(n - i));
    const VF xa = SA ? hn::MaskedLoad(m, d, a + i) : va;
    const VF xb = SB ? hn::MaskedLoad(m, d, b + i) : vb;
    hn::BlendedStore(finish(bin<op>(xa, xb)), m, d, y + i);
  }
}

template <BinOp op, bool kAct>
void bin_row(const float* a, int64_t sa, const float* b, int64_t sb, float* y, int64_t n, const Activation& act) {
  if (sa && sb) bin_row_t<op, kAct, true, true>(a, b, y, n, act);
  else if (sa) bin_row_t<op, kAct, true, false>(a, b, y, n, act);
  else if (sb) bin_row_t<op, kAct, false, true>(a, b, y, n, act);
  else bin_row_t<op, kAct, false, false>(a, b, y, n, act);
}


template <BinOp op>
class BinaryKernel final : public Kernel {
 public:
  explicit BinaryKernel(Activation act) : act_(act) {}
  bool fuses_activation() const override { return true; }
  Status run(KernelContext& ctx) const override {
    const Tensor& a = *ctx.input(0);
    const Tensor& b = *ctx.input(1);
    if (a.dtype() != DataType::kFloat32 || b.dtype() != DataType::kFloat32)
      return unsupported(ctx.node().label(), ": cpu elementwise kernels run float32 only");
    ER_ASSIGN_OR_RETURN(Shape out, broadcast_shapes(a.shape(), b.shape()));
    ER_ASSIGN_OR_RETURN(Tensor * y, output_of_shape(ctx, 0, DataType::kFloat32, out));
    const int64_t total = y->numel();
    if (total == 0) return Status::Ok();
    Collapsed c = collapse_broadcast(out, broadcast_strides(a.shape(), out), broadcast_strides(b.shape(), out));
    // inner loop strides must be 0 or 1; otherwise add a unit inner dim (strided rows)
    if ((c.sa.back() != 0 && c.sa.back() != 1) || (c.sb.back() != 0 && c.sb.back() != 1)) {
      c.dims.push_back(1); c.sa.push_back(0); c.sb.push_back(0);
    }
    const float* pa = a.data_as<float>();
    const float* pb = b.data_as<float>();
    float* py = y->data_as<float>();
    const size_t r = c.dims.size();
    const int64_t n = c.dims.back();
    const int64_t rows = total / n;
    const int64_t cs = std::min(n, kChunk);
    const int64_t per_row = (n + cs - 1) / cs;
    const Activation act = act_;
    const bool has_act = act.kind != ActKind::kNone;
    const int64_t grain = std::max<int64_t>(1, kChunk / std::max<int64_t>(cs, 1));
    parallel_for_dynamic(ctx.pool(), rows * per_row, grain, [&](int64_t t0, int64_t t1) {
      for (int64_t t = t0; t < t1; ++t) {
        const int64_t row = t / per_row, k = t % per_row;
        int64_t oa = 0, ob = 0, idx = row;
        for (size_t i = r - 1; i-- > 0;) {
          const int64_t ci = idx % c.dims[i];
          idx /= c.dims[i];
          oa += ci * c.sa[i];
          ob += ci * c.sb[i];
        }
        const int64_t i0 = k * cs, len = std::min(cs, n - i0);
        const int64_t sa = c.sa.back(), sb = c.sb.back();
        const float* ra = pa + oa + i0 * sa;
        const float* rb = pb + ob + i0 * sb;
        float* ry = py + row * n + i0;
        if (has_act) bin_row<op, true>(ra, sa, rb, sb, ry, len, act);
        else bin_row<op, false>(ra, sa, rb, sb, ry, len, act);
      }
    });
    return Status::Ok();
  }

 private:
  Activation act_;
};

Support elementwise_supports(const NodeView& n) {
  Support s = require_float32(n);
  if (!s.ok) return s;
  if (!n.node.fused_activation.empty() && !parse_activation(n.node).ok())
    return no(n, str_cat("fused activation ", n.node.fused_activation, " not supported by cpu"));
  return Support::yes();
}

template <BinOp op>
Result<std::unique_ptr<Kernel>> binary_create(const NodeView& n) {
  ER_ASSIGN_OR_RETURN(Activation act, parse_activation(n.node));
  return make_kernel<BinaryKernel<op>>(act);
}

// ---------------------------------------------------------------- unary
enum class UnOp { kRelu, kLeakyRelu, kSigmoid, kTanh, kClip, kHardSigmoid, kHardSwish, kExp, kErf, kGelu, kGeluTanh };

struct UnParams {
  UnOp op;
  float a = 0, b = 0;
};

template <UnOp op>
HWY_INLINE VF un(DF d, VF x, const UnParams& p) {
  if constexpr (op == UnOp::kRelu) return hn::IfThenElseZero(hn::Gt(x, hn::Zero(d)), x);
  else if constexpr (op == UnOp::kLeakyRelu) return hn::IfThenElse(hn::Ge(x, hn::Zero(d)), x, hn::Mul(x, hn::Set(d, p.a)));
  else if constexpr (op == UnOp::kSigmoid) return simd::Sigmoid(d, x);
  else if constexpr (op == UnOp::kTanh) return hn::Tanh(d, x);
  else if constexpr (op == UnOp::kClip) return hn::Min(hn::Set(d, p.b), hn::Max(hn::Set(d, p.a), x));
  else if constexpr (op == UnOp::kHardSigmoid)
    return hn::Min(hn::Set(d, 1.0f), hn::Max(hn::Zero(d), hn::MulAdd(hn::Set(d, p.a), x, hn::Set(d, p.b))));
  else if constexpr (op == UnOp::kHardSwish)
    return hn::Mul(x, hn::Min(hn::Set(d, 1.0f), hn::Max(hn::Zero(d), hn::MulAdd(x, hn::Set(d, 1.0f / 6.0f), hn::Set(d, 0.5f)))));
  else if constexpr (op == UnOp::kExp) return simd::ExpSafe(d, x);
  else if constexpr (op == UnOp::kErf) return simd::Erf(d, x);
  else if constexpr (op == UnOp::kGelu) {
    const VF e = simd::Erf(d, hn::Mul(x, hn::Set(d, 0.70710678118654752440f)));
    return hn::Mul(hn::Mul(hn::Set(d, 0.5f), x), hn::Add(hn::Set(d, 1.0f), e));
  } else {  // kGeluTanh
    const VF x3 = hn::Mul(hn::Mul(x, x), x);
    const VF in = hn::Mul(hn::Set(d, 0.7978845608028654f), hn::MulAdd(hn::Set(d, 0.044715f), x3, x));
    return hn::Mul(hn::Mul(hn::Set(d, 0.5f), x), hn::Add(hn::Set(d, 1.0f), hn::Tanh(d, in)));
  }
}

template <UnOp op>
void un_range(const float* x, float* y, int64_t n, const UnParams& p, const Activation& act) {
  const DF d;
  if (act.kind == ActKind::kNone) simd::Map(x, y, n, [&](VF v) { return un<op>(d, v, p); });
  else simd::Map(x, y, n, [&](VF v) { return simd::Act(d, un<op>(d, v, p), act); });
}

using UnRangeFn = void (*)(const float*, float*, int64_t, const UnParams&, const Activation&);

UnRangeFn un_fn(UnOp op) {
  switch (op) {
    case UnOp::kRelu: return un_range<UnOp::kRelu>;
    case UnOp::kLeakyRelu: return un_range<UnOp::kLeakyRelu>;
    case UnOp::kSigmoid: return un_range<UnOp::kSigmoid>;
    case UnOp::kTanh: return un_range<UnOp::kTanh>;
    case UnOp::kClip: return un_range<UnOp::kClip>;
    case UnOp::kHardSigmoid: return un_range<UnOp::kHardSigmoid>;
    case UnOp::kHardSwish: return un_range<UnOp::kHardSwish>;
    case UnOp::kExp: return un_range<UnOp::kExp>;
    case UnOp::kErf: return un_range<UnOp::kErf>;
    case UnOp::kGelu: return un_range<UnOp::kGelu>;
    case UnOp::kGeluTanh: return un_range<UnOp::kGeluTanh>;
  }
  return nullptr;
}

class UnaryKernel final : public Kernel {
 public:
  UnaryKernel(UnParams p, Activation act) : p_(p), act_(act), fn_(un_fn(p.op)) {}
  bool fuses_activation() const override { return true; }
  Status run(KernelContext& ctx) const override {
    const Tensor& x = *ctx.input(0);
    if (x.dtype() != DataType::kFloat32)
      return unsupported(ctx.node().label(), ": cpu elementwise kernels run float32 only");
    UnParams p = p_;
    if (p.op == UnOp::kClip) {
      p.a = -HUGE_VALF;
      p.b = HUGE_VALF;
      for (size_t i = 1; i <= 2; ++i) {
        const Tensor* t = ctx.input(i);
        if (!t || !t->defined()) continue;
        if (t->dtype() != DataType::kFloat32 || t->numel() != 1)
          return invalid_argument(ctx.node().label(), ": Clip ", i == 1 ? "min" : "max",
                                  " must be a float32 scalar, got ", dtype_name(t->dtype()), shape_to_string(t->shape()));
        (i == 1 ? p.a : p.b) = t->data_as<float>()[0];
      }
    }
    ER_ASSIGN_OR_RETURN(Tensor * y, output_of_shape(ctx, 0, DataType::kFloat32, x.shape()));
    const int64_t n = x.numel();
    const float* px = x.data_as<float>();
    float* py = y->data_as<float>();
    const Activation act = act_;
    const UnRangeFn fn = fn_;
    const int64_t tasks = (n + kChunk - 1) / kChunk;
    parallel_for_dynamic(ctx.pool(), tasks, 1, [&](int64_t t0, int64_t t1) {
      const int64_t i0 = t0 * kChunk, i1 = std::min(n, t1 * kChunk);
      fn(px + i0, py + i0, i1 - i0, p, act);
    });
    return Status::Ok();
  }

 private:
  UnParams p_;
  Activation act_;
  UnRangeFn fn_;
};

Support unary_supports(const NodeView& n) {
  Support s = elementwise_supports(n);
  if (!s.ok) return s;
  if (n.node.op_type == "Gelu") {
    const std::string ap = n.node.attrs.get_string("approximate", "none");
    if (ap != "none" && ap != "tanh") return no(n, str_cat("approximate '", ap, "' not supported"));
  }
  return Support::yes();
}

template <UnOp op>
Result<std::unique_ptr<Kernel>> unary_create(const NodeView& n) {
  ER_ASSIGN_OR_RETURN(Activation act, parse_activation(n.node));
  UnParams p{op};
  const Attributes& at = n.node.attrs;
  if constexpr (op == UnOp::kLeakyRelu) p.a = at.get_float("alpha", 0.01f);
  if constexpr (op == UnOp::kHardSigmoid) {
    p.a = at.get_float("alpha", 0.2f);
    p.b = at.get_float("beta", 0.5f);
  }
  if constexpr (op == UnOp::kGelu)
    if (at.get_string("approximate", "none") == "tanh") p.op = UnOp::kGeluTanh;
  return make_kernel<UnaryKernel>(p, act);
}

const CpuOp kOps[] = {
    {"Add", elementwise_supports, binary_create<BinOp::kAdd>},
    {"Sub", elementwise_supports, binary_create<BinOp::kSub>},
    {"Mul", elementwise_supports, binary_create<BinOp::kMul>},
    {"Div", elementwise_supports, binary_create<BinOp::kDiv>},
    {"Relu", unary_supports, unary_create<UnOp::kRelu>},
    {"LeakyRelu", unary_supports, unary_create<UnOp::kLeakyRelu>},
    {"Sigmoid", unary_supports, unary_create<UnOp::kSigmoid>},
    {"Tanh", unary_supports, unary_create<UnOp::kTanh>},
    {"Clip", unary_supports, unary_create<UnOp::kClip>},
    {"HardSigmoid", unary_supports, unary_create<UnOp::kHardSigmoid>},
    {"HardSwish", unary_supports, unary_create<UnOp::kHardSwish>},
    {"Exp", unary_supports, unary_create<UnOp::kExp>},
    {"Erf", unary_supports, unary_create<UnOp::kErf>},
    {"Gelu", unary_supports, unary_create<UnOp::kGelu>},
};
}  // namespace

std::span<const CpuOp> elementwise_ops() { return kOps; }

}  // namespace edgerun::cpu
