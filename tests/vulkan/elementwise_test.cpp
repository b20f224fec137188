// Vulkan elementwise kernels vs the reference backend: every unary/binary/variadic op, Where and
// Cast, on float32, float16 storage and the integer dtypes, with workgroup-boundary sizes
// (255/256/257), broadcasting up to rank 8, empty and scalar tensors, special values (NaN, Inf,
// signed zeros, subnormals) and attribute variants. IEEE ops (+ - * /, sqrt, comparisons, floor...)
// must match bit for bit on lavapipe; the transcendental functions (own polynomials in
// shaders/elementwise_math.glsl) within the per-op bounds below, which the test prints as measured.
#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <cstring>
#include <limits>
#include <random>
#include <thread>

#include "base/element.h"
#include "base/float_types.h"
#include "reference/reference_backend.h"
#include "support/op_test.h"
#include "vulkan/vulkan_backend.h"

namespace edgerun::test {
namespace {

const Backend& vulkan() {
  static Result<std::unique_ptr<Backend>> b = make_vulkan_backend();
  EXPECT_TRUE(b.ok()) << b.status().message();
  return **b;
}

const Backend& reference() {
  static std::unique_ptr<Backend> b = make_reference_backend();
  return *b;
}

constexpr float kInf = std::numeric_limits<float>::infinity();
constexpr float kNaN = std::numeric_limits<float>::quiet_NaN();

// ---- tensors of any dtype ----

void set_elem(Tensor& t, int64_t i, double v) {
  switch (t.dtype()) {
    case DataType::kFloat32: t.data_as<float>()[i] = static_cast<float>(v); break;
    case DataType::kFloat16: t.data_as<uint16_t>()[i] = float_to_half(static_cast<float>(v)); break;
    case DataType::kFloat64: t.data_as<double>()[i] = v; break;
    case DataType::kInt8: t.data_as<int8_t>()[i] = static_cast<int8_t>(v); break;
    case DataType::kInt16: t.data_as<int16_t>()[i] = static_cast<int16_t>(v); break;
    case DataType::kInt32: t.data_as<int32_t>()[i] = static_cast<int32_t>(v); break;
    case DataType::kInt64: t.data_as<int64_t>()[i] = static_cast<int64_t>(v); break;
    case DataType::kUInt8: t.data_as<uint8_t>()[i] = static_cast<uint8_t>(v); break;
    case DataType::kUInt16: t.data_as<uint16_t>()[i] = static_cast<uint16_t>(v); break;
    case DataType::kUInt32: t.data_as<uint32_t>()[i] = static_cast<uint32_t>(v); break;
    case DataType::kUInt64: t.data_as<uint64_t>()[i] = static_cast<uint64_t>(v); break;
    case DataType::kBool: t.data_as<uint8_t>()[i] = v != 0; break;
    default: ADD_FAILURE() << "set_elem: dtype " << dtype_name(t.dtype());
  }
}

Tensor values(DataType dt, Shape shape, const std::vector<double>& v) {
  Tensor t = Tensor::allocate(dt, std::move(shape)).value();
  for (int64_t i = 0; i < t.numel(); ++i) set_elem(t, i, v[static_cast<size_t>(i) % v.size()]);
  return t;
}

// Uniform in [lo, hi) (integers: floor); the first elements are replaced by `specials`.
Tensor rnd(DataType dt, Shape shape, uint32_t seed, double lo, double hi, const std::vector<double>& specials = {}) {
  Tensor t = Tensor::allocate(dt, std::move(shape)).value();
  std::mt19937 rng(seed);
  std::uniform_real_distribution<double> u(lo, hi);
  const bool fl = dt == DataType::kFloat32 || dt == DataType::kFloat16 || dt == DataType::kFloat64;
  for (int64_t i = 0; i < t.numel(); ++i) {
    const double v = u(rng);
    set_elem(t, i, fl ? v : std::floor(v));
  }
  for (size_t i = 0; i < specials.size() && static_cast<int64_t>(i) < t.numel(); ++i) set_elem(t, static_cast<int64_t>(i), specials[i]);
  return t;
}

const std::vector<double> kFloatSpecials = {0.0, -0.0, kInf, -kInf, kNaN, 1e-30, -1e-30, 1e-40, 3e38, -3e38};

// ---- comparison ----

struct Tol {
  double rtol = 0, atol = 0;
};

struct Err {
  double max_abs = 0, max_rel = 0;
};

// |got - ref| <= atol + rtol*|ref| per element; NaN must meet NaN, infinities must be equal.
// Returns the measured max errors (over finite elements).
Err expect_close(const Tensor& ref, const Tensor& got, Tol tol, const std::string& what) {
  Err e;
  EXPECT_EQ(ref.dtype(), got.dtype()) << what;
  EXPECT_EQ(ref.shape(), got.shape()) << what;
  if (ref.dtype() != got.dtype() || ref.shape() != got.shape()) return e;
  int64_t bad = 0, first = -1;
  for (int64_t i = 0; i < ref.numel(); ++i) {
    const double r = element_as_double(ref, i), g = element_as_double(got, i);
    bool ok;
    if (std::isnan(r) || std::isnan(g)) {
      ok = std::isnan(r) && std::isnan(g);
    } else if (std::isinf(r) || std::isinf(g)) {
      ok = r == g;
    } else {
      const double d = std::fabs(g - r);
      e.max_abs = std::max(e.max_abs, d);
      if (r != 0) e.max_rel = std::max(e.max_rel, d / std::fabs(r));
      ok = d <= tol.atol + tol.rtol * std::fabs(r);
    }
    if (!ok && bad++ == 0) first = i;
  }
  EXPECT_EQ(bad, 0) << what << ": " << bad << " of " << ref.numel() << " elements differ; first at " << first
                    << ": ref " << (first >= 0 ? element_as_double(ref, first) : 0.0) << " got "
                    << (first >= 0 ? element_as_double(got, first) : 0.0) << " (rtol " << tol.rtol << ", atol "
                    << tol.atol << ")";
  return e;
}

std::string describe(const OpCall& call) {
  std::string s = call.op + "(";
  for (size_t i = 0; i < call.inputs.size(); ++i) {
    const Tensor& t = call.inputs[i];
    s += (i ? ", " : "") + (t.defined() ? std::string(dtype_name(t.dtype())) + shape_to_string(t.shape()) : "-");
  }
  return s + ")";
}

// Runs `call` on both backends; compares every output. Returns the measured errors of output 0.
Err check(const OpCall& call, Tol tol = {}, const std::string& note = "") {
  const std::string what = describe(call) + note;
  auto ref = run_op(reference(), call);
  EXPECT_TRUE(ref.ok()) << what << ": reference: " << ref.status().message();
  if (!ref.ok()) return {};
  auto got = run_op(vulkan(), call);
  EXPECT_TRUE(got.ok()) << what << ": vulkan: " << got.status().message();
  if (!got.ok()) return {};
  EXPECT_EQ(ref->size(), got->size()) << what;
  Err e;
  for (size_t i = 0; i < ref->size() && i < got->size(); ++i) {
    Err ei = expect_close(ref->at(i), got->at(i), tol, what + " output " + std::to_string(i));
    if (i == 0) e = ei;
  }
  return e;
}

std::string refusal(const OpCall& call) {
  auto r = run_op(vulkan(), call);
  return r.ok() ? std::string() : r.status().message();
}

Attributes attrs_f(std::initializer_list<std::pair<const char*, float>> kv) {
  Attributes a;
  for (const auto& [k, v] : kv) a.set_float(k, v);
  return a;
}

// Workgroup size is 256: tile-1/tile/tile+1, multi-group, rank 4, empty, scalar.
const std::vector<Shape> kShapes = {{255}, {256}, {257}, {2, 3, 4, 5}, {3, 1000}, {0, 3}, {}};

// ---- unary float ops ----

struct UnaryCase {
  const char* op;
  double lo, hi;
  Tol tol;  // float32; float16 results must be within one half ulp
  Attributes attrs = {};
  const char* note = "";
};

const Tol kExact{0, 0};
const Tol kOneUlp{2.4e-7, 6e-8};  // one rounding of a*x apart (up to an ulp of b when a*x + b cancels)
// Transcendental functions: our polynomials vs libm, a few float ulp (measured on lavapipe).
const Tol kUlp{4e-7, 1e-38};

std::vector<UnaryCase> unary_cases() {
  Attributes approx_tanh;
  approx_tanh.set_string("approximate", "tanh");
  return {
      {"Abs", -10, 10, kExact},
      {"Neg", -10, 10, kExact},
      {"Sign", -10, 10, kExact},
      {"Floor", -10, 10, kExact},
      {"Ceil", -10, 10, kExact},
      {"Round", -6, 6, kExact},
      {"Sqrt", 0, 100, kExact},
      {"Reciprocal", -10, 10, kExact},
      {"Relu", -10, 10, kExact},
      {"LeakyRelu", -10, 10, kExact},
      {"LeakyRelu", -10, 10, kExact, attrs_f({{"alpha", 0.3f}}), " alpha=0.3"},
      {"ThresholdedRelu", -3, 3, kExact, attrs_f({{"alpha", 0.5f}}), " alpha=0.5"},
      {"Softsign", -10, 10, kExact},
      // alpha*x + beta: the host compiler may contract the reference's into an fma (1 ulp apart)
      {"HardSigmoid", -6, 6, kOneUlp},
      {"HardSigmoid", -6, 6, kOneUlp, attrs_f({{"alpha", 0.1f}, {"beta", 0.4f}}), " alpha=0.1 beta=0.4"},
      {"HardSwish", -6, 6, kExact},
      {"Shrink", -2, 2, kExact, attrs_f({{"bias", 0.25f}, {"lambd", 0.75f}}), " bias=0.25 lambd=0.75"},
      {"Exp", -20, 20, kUlp},
      {"Log", 0, 100, kUlp},
      {"Sin", -10, 10, {4e-7, 1e-7}},
      {"Cos", -10, 10, {4e-7, 1e-7}},
      {"Tan", -10, 10, {6e-7, 1e-7}},
      {"Asin", -1, 1, kUlp},
      {"Acos", -1, 1, kUlp},
      {"Atan", -20, 20, kUlp},
      {"Sinh", -10, 10, kUlp},
      {"Cosh", -10, 10, kUlp},
      {"Asinh", -100, 100, kUlp},
      {"Acosh", 1, 100, kUlp},
      {"Atanh", -1, 1, kUlp},
      {"Erf", -5, 5, kUlp},
      {"Sigmoid", -20, 20, kUlp},
      {"Tanh", -10, 10, kUlp},
      {"Softplus", -20, 20, kUlp},
      {"Elu", -5, 5, kUlp},
      {"Elu", -5, 5, kUlp, attrs_f({{"alpha", 0.5f}}), " alpha=0.5"},
      // gamma*(alpha*exp(x) - alpha) cancels near 0: an exp ulp is 1.8e-7 * alpha*gamma absolute
      {"Selu", -5, 5, {4e-7, 4e-7}},
      {"Selu", -5, 5, {4e-7, 1.2e-6}, attrs_f({{"alpha", 2.0f}, {"gamma", 3.0f}}), " alpha=2 gamma=3"},
      {"Celu", -5, 5, kUlp},
      {"Celu", -5, 5, kUlp, attrs_f({{"alpha", 2.0f}}), " alpha=2"},
      {"Mish", -10, 10, kUlp},
      {"Swish", -10, 10, kUlp, attrs_f({{"alpha", 1.5f}}), " alpha=1.5"},
      // 0.5*x*(1 + erf(x/sqrt2)): for x << 0 the sum cancels, so one ulp of erf/tanh near -1
      // (6e-8) is 0.5*|x|*6e-8 absolute
      {"Gelu", -6, 6, {4e-7, 4e-7}},
      {"Gelu", -6, 6, {4e-7, 4e-7}, approx_tanh, " approximate=tanh"},
  };
}

TEST(VulkanElementwise, UnaryFloat32MatchesReference) {
  uint32_t seed = 1;
  for (const UnaryCase& c : unary_cases()) {
    Err worst;
    for (const Shape& s : kShapes) {
      OpCall call{c.op};
      call.attrs = c.attrs;
      call.inputs = {rnd(DataType::kFloat32, s, seed++, c.lo, c.hi, kFloatSpecials)};
      Err e = check(call, c.tol, c.note);
      worst.max_abs = std::max(worst.max_abs, e.max_abs);
      worst.max_rel = std::max(worst.max_rel, e.max_rel);
    }
    if (c.tol.rtol > kOneUlp.rtol)
      std::printf("  %-16s%-26s float32 in [%g, %g): max rel err %.2e, max abs err %.2e\n", c.op, c.note, c.lo, c.hi,
                  worst.max_rel, worst.max_abs);
  }
}

// Large arguments for the periodic and exponential functions.
TEST(VulkanElementwise, UnaryFloat32WideRanges) {
  uint32_t seed = 500;
  struct Wide { const char* op; double lo, hi; Tol tol; };
  const Wide cases[] = {
      {"Sin", -60, 60, kUlp},                  {"Cos", -60, 60, kUlp},
      {"Sin", -1000, 1000, kUlp},              {"Cos", -1000, 1000, kUlp},
      {"Tan", -1e6, 1e6, {6e-7, 1e-7}},        {"Sin", -3e38, 3e38, kUlp},
      {"Cos", -3e38, 3e38, kUlp},
      {"Exp", -104, 89, kUlp},                 {"Log", 1e-38, 3e38, kUlp},
      {"Sinh", -90, 90, kUlp},                 {"Cosh", -90, 90, kUlp},
      {"Tanh", -0.01, 0.01, kUlp},             {"Sigmoid", -100, 100, kUlp},
      {"Softplus", -100, 100, kUlp},           {"Atan", -1e6, 1e6, kUlp},
      {"Asinh", -1e30, 1e30, kUlp},            {"Acosh", 1, 1e30, kUlp},
      {"Erf", -0.01, 0.01, kUlp},              {"Atanh", -0.01, 0.01, kUlp},
  };
  for (const Wide& c : cases) {
    OpCall call{c.op};
    call.inputs = {rnd(DataType::kFloat32, {4099}, seed++, c.lo, c.hi)};
    Err e = check(call, c.tol, " in [" + std::to_string(c.lo) + ", " + std::to_string(c.hi) + ")");
    std::printf("  %-10s float32 in [%g, %g): max rel err %.2e, max abs err %.2e\n", c.op, c.lo, c.hi, e.max_rel, e.max_abs);
  }
}

// float16 storage: computed in fp32, rounded once; the reference does the same, so results may
// differ by one half ulp only where the fp32 results straddle a rounding boundary.
TEST(VulkanElementwise, UnaryFloat16MatchesReference) {
  uint32_t seed = 1000;
  for (const UnaryCase& c : unary_cases()) {
    for (const Shape& s : {Shape{257}, Shape{2, 3, 4, 5}, Shape{0}}) {
      OpCall call{c.op};
      call.attrs = c.attrs;
      call.inputs = {rnd(DataType::kFloat16, s, seed++, c.lo, c.hi, {0.0, -0.0, kInf, -kInf, kNaN, 6e-8})};
      check(call, c.tol.rtol == 0 ? kExact : Tol{1e-3, std::max(1e-7, c.tol.atol)}, c.note);
    }
  }
}

TEST(VulkanElementwise, ClipWithHostBounds) {
  for (DataType dt : {DataType::kFloat32, DataType::kFloat16}) {
    const std::vector<double> sp = {kNaN, kInf, -kInf, -0.0};
    for (int variant = 0; variant < 4; ++variant) {
      OpCall call{"Clip"};
      Tensor lo = values(dt, {}, {-0.5}), hi = values(dt, {}, {0.25});
      call.inputs = {rnd(dt, {257}, 7 + variant, -1, 1, sp), variant & 1 ? lo : Tensor(), variant & 2 ? hi : Tensor()};
      call.constant_inputs = {false, true, true};
      check(call, kExact, " variant " + std::to_string(variant));
    }
    OpCall swapped{"Clip"};  // min > max gives max
    swapped.inputs = {rnd(dt, {300}, 3, -2, 2), values(dt, {}, {1.0}), values(dt, {}, {-1.0})};
    check(swapped, kExact, " min > max");
  }
  for (DataType dt : {DataType::kInt8, DataType::kInt32, DataType::kInt64, DataType::kUInt8, DataType::kUInt16}) {
    OpCall call{"Clip"};
    const bool u = dt == DataType::kUInt8 || dt == DataType::kUInt16;
    call.inputs = {rnd(dt, {257}, 11, u ? 0 : -100, 100), values(dt, {}, {u ? 5.0 : -7.0}), values(dt, {}, {50})};
    check(call, kExact);
    OpCall only_min{"Clip"};
    only_min.inputs = {rnd(dt, {100}, 12, u ? 0 : -100, 100), values(dt, {}, {u ? 9.0 : -9.0})};
    check(only_min, kExact, " min only");
  }
}

TEST(VulkanElementwise, UnaryIntegerOps) {
  struct D { DataType dt; double lo, hi; std::vector<double> edges; };
  const D dts[] = {
      {DataType::kInt8, -128, 128, {-128, 127, 0, -1}},
      {DataType::kInt16, -32768, 32768, {-32768, 32767, 0}},
      {DataType::kInt32, -1e9, 1e9, {-2147483648.0, 2147483647.0, 0}},
      {DataType::kInt64, -1e9, 1e9, {-2147483647.0, 2147483647.0, 0}},
      {DataType::kUInt8, 0, 256, {0, 255}},
      {DataType::kUInt16, 0, 65536, {0, 65535}},
      {DataType::kUInt32, 0, 2e9, {0, 2147483647.0}},
  };
  uint32_t seed = 2000;
  for (const D& d : dts)
    for (const char* op : {"Abs", "Neg", "Sign", "Relu", "BitwiseNot"}) {
      for (const Shape& s : {Shape{257}, Shape{0}, Shape{}}) {
        OpCall call{op};
        call.inputs = {rnd(d.dt, s, seed++, d.lo, d.hi, d.edges)};
        check(call, kExact);
      }
    }
  OpCall not_op{"Not"};
  not_op.inputs = {rnd(DataType::kBool, {257}, 5, 0, 1)};
  check(not_op, kExact);
}

TEST(VulkanElementwise, Predicates) {
  for (DataType dt : {DataType::kFloat32, DataType::kFloat16}) {
    const std::vector<double> sp = {kNaN, kInf, -kInf, 0.0, -0.0, 1.0, -1.0, 65504};
    OpCall isnan{"IsNaN"};
    isnan.inputs = {rnd(dt, {257}, 1, -1, 1, sp)};
    check(isnan, kExact);
    for (int pos = 0; pos < 2; ++pos)
      for (int neg = 0; neg < 2; ++neg) {
        OpCall isinf{"IsInf"};
        isinf.attrs.set_int("detect_positive", pos);
        isinf.attrs.set_int("detect_negative", neg);
        isinf.inputs = {rnd(dt, {257}, 2, -1, 1, sp)};
        check(isinf, kExact, " pos=" + std::to_string(pos) + " neg=" + std::to_string(neg));
      }
  }
}

// ---- binary ----

// Shape pairs: same shape (tile boundaries), trailing/leading/middle broadcasts, scalars, rank 8,
// empty, and a wide one.
const std::vector<std::pair<Shape, Shape>> kPairs = {
    {{255}, {255}}, {{256}, {256}}, {{257}, {257}},       {{2, 3, 4, 5}, {5}},  {{2, 1, 4, 1}, {3, 1, 5}},
    {{}, {257}},    {{257}, {}},    {{1}, {256}},         {{4, 1, 6}, {4, 5, 1}}, {{0, 3}, {3}},
    {{2, 1, 2, 1, 2, 1, 2, 3}, {1, 2, 1, 2, 1, 2, 1, 3}}, {{3, 700}, {700}},   {{3, 700}, {3, 1}},
};

TEST(VulkanElementwise, BinaryFloatMatchesReference) {
  uint32_t seed = 3000;
  struct B { const char* op; double lo, hi; double blo, bhi; Tol tol; Attributes attrs = {}; const char* note = ""; };
  Attributes fmod1;
  fmod1.set_int("fmod", 1);
  const B cases[] = {
      {"Add", -10, 10, -10, 10, kExact},
      {"Sub", -10, 10, -10, 10, kExact},
      {"Mul", -10, 10, -10, 10, kExact},
      {"Div", -10, 10, -10, 10, kExact},
      {"Max", -10, 10, -10, 10, kExact},
      {"Min", -10, 10, -10, 10, kExact},
      {"Mod", -10, 10, -4, 4, kExact, fmod1, " fmod=1"},
      {"Mod", -10, 10, -4, 4, kExact, {}, " fmod=0"},
      {"Pow", 0, 4, -3, 3, {1e-6, 1e-30}},
      {"Pow", -4, 4, -3, 3, {1e-6, 1e-30}, {}, " negative bases"},
  };
  for (const B& c : cases)
    for (const auto& [sa, sb] : kPairs) {
      OpCall call{c.op};
      call.attrs = c.attrs;
      call.inputs = {rnd(DataType::kFloat32, sa, seed, c.lo, c.hi), rnd(DataType::kFloat32, sb, seed + 1, c.blo, c.bhi)};
      seed += 2;
      if (std::string(c.note) == " negative bases") {  // integer exponents so that results are real
        Tensor& y = call.inputs[1];
        for (int64_t i = 0; i < y.numel(); ++i) y.data_as<float>()[i] = std::round(y.data_as<float>()[i]);
      }
      check(call, c.tol, c.note);
      OpCall f16 = call;  // float16 storage, same values
      for (Tensor& t : f16.inputs) {
        Tensor h = Tensor::allocate(DataType::kFloat16, t.shape()).value();
        for (int64_t i = 0; i < t.numel(); ++i) set_elem(h, i, t.data_as<float>()[i]);
        t = h;
      }
      check(f16, c.tol.rtol == 0 ? kExact : Tol{1e-3, 1e-7}, c.note);
    }
}

TEST(VulkanElementwise, BinarySpecialValues) {
  const std::vector<double> a = {0, -0.0, kInf, -kInf, kNaN, 1, -1, 1e38, -1e38, 1e-40, 2, 0.5, -3, 3, 7.5, -7.5};
  std::vector<double> aa, bb;
  for (double x : a)
    for (double y : a) {
      aa.push_back(x);
      bb.push_back(y);
    }
  const Shape s = {static_cast<int64_t>(aa.size())};
  Attributes fmod1;
  fmod1.set_int("fmod", 1);
  for (const char* op : {"Add", "Sub", "Mul", "Div", "Max", "Min", "Pow", "Mod", "Equal", "Less", "LessOrEqual", "Greater",
                         "GreaterOrEqual", "PRelu"}) {
    OpCall call{op};
    call.inputs = {values(DataType::kFloat32, s, aa), values(DataType::kFloat32, s, bb)};
    if (std::string(op) == "Mod") call.attrs = fmod1;
    check(call, std::string(op) == "Pow" ? Tol{1e-6, 1e-30} : kExact, " specials");
  }
}

TEST(VulkanElementwise, ComparisonsAndLogic) {
  uint32_t seed = 4000;
  for (const char* op : {"Equal", "Less", "LessOrEqual", "Greater", "GreaterOrEqual"}) {
    for (DataType dt : {DataType::kFloat32, DataType::kFloat16, DataType::kInt32, DataType::kInt64, DataType::kInt8,
                        DataType::kUInt8, DataType::kUInt16, DataType::kUInt32, DataType::kBool}) {
      for (const auto& [sa, sb] : kPairs) {
        OpCall call{op};
        call.inputs = {rnd(dt, sa, seed, 0, 4), rnd(dt, sb, seed + 1, 0, 4)};  // small range: many ties
        seed += 2;
        check(call, kExact);
      }
    }
  }
  for (const char* op : {"And", "Or", "Xor"})
    for (const auto& [sa, sb] : kPairs) {
      OpCall call{op};
      call.inputs = {rnd(DataType::kBool, sa, seed, 0, 1), rnd(DataType::kBool, sb, seed + 1, 0, 1)};
      seed += 2;
      check(call, kExact);
    }
}

TEST(VulkanElementwise, BinaryIntegerOps) {
  struct D { DataType dt; double lo, hi; };
  const D dts[] = {{DataType::kInt8, -128, 128},   {DataType::kInt16, -32768, 32768}, {DataType::kInt32, -1e9, 1e9},
                   {DataType::kInt64, -30000, 30000}, {DataType::kUInt8, 0, 256},    {DataType::kUInt16, 0, 65536},
                   {DataType::kUInt32, 0, 2e9}};
  Attributes fmod1;
  fmod1.set_int("fmod", 1);
  uint32_t seed = 5000;
  for (const D& d : dts) {
    const bool u = d.lo == 0;
    for (const char* op : {"Add", "Sub", "Mul", "Div", "Mod", "Fmod", "Max", "Min", "BitwiseAnd", "BitwiseOr",
                           "BitwiseXor"}) {
      std::string name = op;
      OpCall call{name == "Fmod" ? "Mod" : op};
      if (name == "Fmod") call.attrs = fmod1;
      for (const auto& [sa, sb] : kPairs) {
        Tensor b = rnd(d.dt, sb, seed + 1, u ? 1 : -50, 50);
        if (name == "Div" || name == "Mod" || name == "Fmod")  // no zero divisors (the reference errors)
          for (int64_t i = 0; i < b.numel(); ++i)
            if (element_as_double(b, i) == 0) set_elem(b, i, u ? 3 : -1);
        call.inputs = {rnd(d.dt, sa, seed, d.lo, d.hi, {d.lo, d.hi - 1}), b};
        seed += 2;
        check(call, kExact, name == "Fmod" ? " fmod=1" : "");
      }
    }
  }
  // INT_MIN / -1 and % -1 wrap like the reference
  for (DataType dt : {DataType::kInt8, DataType::kInt16, DataType::kInt32}) {
    const double mn = dt == DataType::kInt8 ? -128 : dt == DataType::kInt16 ? -32768 : -2147483648.0;
    for (const char* op : {"Div", "Mod"}) {
      OpCall call{op};
      call.inputs = {values(dt, {4}, {mn, mn, 7, -7}), values(dt, {4}, {-1, 1, -2, 2})};
      check(call, kExact, " edge");
    }
  }
  for (DataType dt : {DataType::kUInt8, DataType::kUInt16, DataType::kUInt32})
    for (const char* dir : {"LEFT", "RIGHT"}) {
      OpCall call{"BitShift"};
      call.attrs.set_string("direction", dir);
      call.inputs = {rnd(dt, {3, 257}, seed++, 0, 200), rnd(dt, {257}, seed++, 0, 40)};
      check(call, kExact, std::string(" ") + dir);
    }
}

TEST(VulkanElementwise, PowMixedDtypes) {
  uint32_t seed = 6000;
  // float base, integer exponent (the test_pow_types_* node tests)
  for (DataType e : {DataType::kInt32, DataType::kInt64, DataType::kUInt32, DataType::kInt8}) {
    OpCall call{"Pow"};
    const bool u = e == DataType::kUInt32;
    call.inputs = {rnd(DataType::kFloat32, {3, 257}, seed, -3, 3), rnd(e, {257}, seed + 1, u ? 0 : -6, 7)};
    seed += 2;
    check(call, {1e-6, 1e-30}, " float^int");
    OpCall h = call;
    h.inputs[0] = rnd(DataType::kFloat16, {3, 257}, seed++, -3, 3);
    check(h, {1e-3, 1e-7}, " float16^int");
  }
  // integer base: integer exponent (wraps) and float exponent (truncated, saturated)
  for (DataType b : {DataType::kInt32, DataType::kInt64, DataType::kInt8, DataType::kUInt8}) {
    const bool u = b == DataType::kUInt8;
    OpCall ii{"Pow"};
    ii.inputs = {rnd(b, {3, 257}, seed, u ? 0 : -9, 10), rnd(b, {257}, seed + 1, u ? 0 : -3, 8)};
    if (b == DataType::kInt64)  // keep results within the int32 range the device holds int64 in
      ii.inputs[1] = rnd(b, {257}, seed + 1, -3, 6);
    seed += 2;
    check(ii, kExact, " int^int");
    OpCall fi{"Pow"};
    fi.inputs = {rnd(b, {3, 257}, seed, u ? 0 : -9, 10), values(DataType::kFloat32, {3, 1}, {3.0, 0.5, -1.0})};
    if (b == DataType::kInt64)  // no 0^-1 = inf: saturates to INT64_MAX, beyond what the device holds
      fi.inputs[1] = values(DataType::kFloat32, {3, 1}, {3.0, 0.5, 2.0});
    seed += 2;
    check(fi, kExact, " int^float");
  }
}

TEST(VulkanElementwise, PReluBroadcastsSlope) {
  uint32_t seed = 7000;
  for (DataType dt : {DataType::kFloat32, DataType::kFloat16, DataType::kInt32}) {
    for (const Shape& slope : {Shape{1}, Shape{5}, Shape{3, 1, 1}, Shape{2, 3, 4, 5}}) {
      OpCall call{"PRelu"};
      call.inputs = {rnd(dt, {2, 3, 4, 5}, seed, -10, 10), rnd(dt, slope, seed + 1, -2, 2)};
      seed += 2;
      check(call, kExact);
    }
  }
  OpCall legacy{"PRelu"};  // PRelu-6: a 1-D slope applies along axis 1
  legacy.since_version = 6;
  legacy.inputs = {rnd(DataType::kFloat32, {2, 3, 4, 5}, 1, -1, 1), rnd(DataType::kFloat32, {3}, 2, 0, 1)};
  check(legacy, kExact, " opset 6");
}

TEST(VulkanElementwise, LegacyBroadcastWithAxis) {
  OpCall call{"Add"};
  call.since_version = 6;
  call.attrs.set_int("broadcast", 1);
  call.attrs.set_int("axis", 1);
  call.inputs = {rnd(DataType::kFloat32, {2, 3, 4, 5}, 1, -1, 1), rnd(DataType::kFloat32, {3, 4}, 2, -1, 1)};
  check(call, kExact, " opset 6 axis=1");
}

TEST(VulkanElementwise, FusedActivations) {
  struct A { const char* act; std::vector<float> params; Tol tol; };
  const A acts[] = {{"Relu", {}, kExact},          {"Clip", {-0.5f, 0.5f}, kExact}, {"LeakyRelu", {0.2f}, kExact},
                    {"Sigmoid", {}, kUlp},         {"Tanh", {}, kUlp},            {"HardSigmoid", {0.2f, 0.5f}, kOneUlp},
                    {"HardSwish", {}, kExact}};
  uint32_t seed = 8000;
  for (const A& a : acts)
    for (const char* op : {"Add", "Mul", "Sum"})
      for (DataType dt : {DataType::kFloat32, DataType::kFloat16}) {
        OpCall call{op};
        call.fused_activation = a.act;
        call.fused_activation_params = a.params;
        call.inputs = {rnd(dt, {4, 257}, seed, -4, 4), rnd(dt, {257}, seed + 1, -4, 4)};
        if (std::string(op) == "Sum") call.inputs.push_back(rnd(dt, {4, 1}, seed + 2, -4, 4));
        seed += 3;
        check(call, dt == DataType::kFloat16 && a.tol.rtol > 0 ? Tol{1e-3, 1e-7} : a.tol, std::string(" +") + a.act);
      }
}

TEST(VulkanElementwise, VariadicFolds) {
  uint32_t seed = 9000;
  const std::vector<Shape> shapes = {{3, 1, 257}, {257}, {4, 1}, {1, 257}, {}};
  for (const char* op : {"Sum", "Mean", "Max", "Min"})
    for (DataType dt : {DataType::kFloat32, DataType::kFloat16, DataType::kInt32, DataType::kInt8, DataType::kUInt16}) {
      for (size_t n = 1; n <= shapes.size(); ++n) {
        OpCall call{op};
        const bool fl = dt == DataType::kFloat32 || dt == DataType::kFloat16;
        for (size_t k = 0; k < n; ++k)
          call.inputs.push_back(rnd(dt, shapes[k], seed++, fl ? -10 : (dt == DataType::kUInt16 ? 0 : -100), 100,
                                    fl && k == 1 ? std::vector<double>{kNaN, -0.0, 0.0} : std::vector<double>{}));
        check(call, kExact, " " + std::to_string(n) + " inputs");
      }
      OpCall empty{op};
      empty.inputs = {rnd(dt, {0, 4}, 1, 0, 1), rnd(dt, {4}, 2, 0, 1), rnd(dt, {1}, 3, 0, 1)};
      check(empty, kExact, " empty");
    }
}

TEST(VulkanElementwise, WhereBroadcasts) {
  uint32_t seed = 10000;
  for (DataType dt : {DataType::kFloat32, DataType::kFloat16, DataType::kInt32, DataType::kInt64, DataType::kBool,
                      DataType::kUInt8}) {
    const std::vector<std::array<Shape, 3>> shapes = {
        {Shape{257}, Shape{257}, Shape{257}}, {Shape{3, 1, 5}, Shape{4, 1}, Shape{5}}, {Shape{}, Shape{256}, Shape{}},
        {Shape{2, 1, 2, 1, 2, 1, 3}, Shape{1, 2, 1, 2, 1, 2, 3}, Shape{3}}, {Shape{0}, Shape{1}, Shape{1}}};
    for (const auto& s : shapes) {
      OpCall call{"Where"};
      const bool fl = dt == DataType::kFloat32 || dt == DataType::kFloat16;
      const double lo = fl || dt == DataType::kInt32 || dt == DataType::kInt64 ? -50 : 0;
      call.inputs = {rnd(DataType::kBool, s[0], seed, 0, 1),
                     rnd(dt, s[1], seed + 1, lo, 50, fl ? std::vector<double>{kNaN, -0.0} : std::vector<double>{}),
                     rnd(dt, s[2], seed + 2, lo, 50)};
      seed += 3;
      check(call, kExact);
    }
  }
}

// ---- Cast ----

TEST(VulkanElementwise, CastBetweenDeviceDtypes) {
  const DataType dts[] = {DataType::kFloat32, DataType::kFloat16, DataType::kInt8,   DataType::kInt16, DataType::kInt32,
                          DataType::kInt64,   DataType::kUInt8,   DataType::kUInt16, DataType::kUInt32, DataType::kBool};
  uint32_t seed = 11000;
  for (DataType from : dts)
    for (DataType to : dts) {
      const bool ffrom = from == DataType::kFloat32 || from == DataType::kFloat16;
      // floats: fractions, negatives (-> unsigned wrap), values beyond the narrow targets (wrap),
      // NaN/Inf; int64 targets only get values within the int32 range the device holds
      std::vector<double> sp;
      double lo = -300, hi = 300;
      if (ffrom) {
        sp = {kNaN, kInf, -kInf, -0.0, 0.5, -0.5, 1.5, -2.5, 65504, 70000, -70000, 1e-8};
        if (to == DataType::kInt64) sp = {kNaN, -0.0, 0.5, -0.5, 1.5, -2.5, 65504, 1e-8};
        if (from == DataType::kFloat32 && to != DataType::kInt64) sp.insert(sp.end(), {3e9, -3e9, 1e20, -1e20, 2147483520.0});
      } else if (from == DataType::kUInt8 || from == DataType::kUInt16 || from == DataType::kUInt32 || from == DataType::kBool) {
        lo = 0;
      }
      if (from == DataType::kInt8) { lo = -128; hi = 128; }
      if (from == DataType::kUInt8) hi = 256;
      if (from == DataType::kInt32 || from == DataType::kInt64) sp = {2147483647.0, -2147483647.0, 65536 + 255, -65536 - 129};
      if (from == DataType::kUInt32) sp = {2147483647.0, 65536 + 255};
      if ((from == DataType::kInt32 || from == DataType::kUInt32 || from == DataType::kInt64) && to == DataType::kInt64)
        sp.clear();  // fine either way; keep the list short
      for (const Shape& s : {Shape{257}, Shape{0}}) {
        OpCall call{"Cast"};
        call.attrs.set_int("to", static_cast<int64_t>(to));
        call.inputs = {rnd(from, s, seed++, lo, hi, sp)};
        check(call, kExact, std::string(" to ") + dtype_name(to));
      }
      OpCall like{"CastLike"};
      like.inputs = {rnd(from, {33}, seed++, lo, hi), rnd(to, {2}, seed++, 0, 1)};
      check(like, kExact);
    }
}

// ---- Identity, large tensors, refusals ----

TEST(VulkanElementwise, IdentityIsAView) {
  for (DataType dt : {DataType::kFloat32, DataType::kFloat16, DataType::kInt64, DataType::kBool}) {
    OpCall call{"Identity"};
    call.inputs = {rnd(dt, {3, 257}, 1, -5, 5)};
    check(call, kExact);
  }
}

// More elements than one dispatch row of workgroups covers (65535 * 256): the grid-stride loops.
TEST(VulkanElementwise, BeyondOneDispatchRow) {
  const int64_t n = 65535LL * 256 + 1000;
  OpCall add{"Add"};
  add.inputs = {rnd(DataType::kFloat32, {n}, 1, -1, 1), values(DataType::kFloat32, {1}, {0.5})};
  check(add, kExact);
  OpCall neg{"Neg"};
  neg.inputs = {rnd(DataType::kFloat32, {n}, 2, -1, 1)};
  check(neg, kExact);
}

TEST(VulkanElementwise, SupportsSaysWhyNot) {
  auto expect_refused = [](const OpCall& call, const std::string& needle) {
    const std::string r = refusal(call);
    EXPECT_NE(r.find(needle), std::string::npos) << describe(call) << ": '" << r << "' should mention '" << needle << "'";
  };
  OpCall f64{"Add"};
  f64.inputs = {make_tensor<double>({2}, {1, 2}), make_tensor<double>({2}, {3, 4})};
  expect_refused(f64, "float64");
  OpCall exp64{"Exp"};
  exp64.inputs = {make_tensor<double>({2}, {1, 2})};
  expect_refused(exp64, "float64");
  OpCall u64{"Add"};
  u64.inputs = {values(DataType::kUInt64, {2}, {1, 2}), values(DataType::kUInt64, {2}, {1, 2})};
  expect_refused(u64, "uint64");
  OpCall pow_mixed{"Pow"};
  pow_mixed.inputs = {rnd(DataType::kFloat16, {2}, 1, 0, 1), rnd(DataType::kFloat32, {2}, 2, 0, 1)};
  expect_refused(pow_mixed, "Pow of float16 by float32");
  OpCall exp_int{"Exp"};
  exp_int.inputs = {values(DataType::kInt32, {2}, {1, 2})};
  expect_refused(exp_int, "int32");
  OpCall rank9{"Add"};
  rank9.inputs = {rnd(DataType::kFloat32, {1, 2, 1, 2, 1, 2, 1, 2, 1}, 1, 0, 1), rnd(DataType::kFloat32, {2}, 2, 0, 1)};
  expect_refused(rank9, "rank 9");
  OpCall act{"Equal"};
  act.fused_activation = "Relu";
  act.inputs = {rnd(DataType::kFloat32, {2}, 1, 0, 1), rnd(DataType::kFloat32, {2}, 2, 0, 1)};
  expect_refused(act, "fused activation");
  OpCall to_f64{"Cast"};
  to_f64.attrs.set_int("to", static_cast<int64_t>(DataType::kFloat64));
  to_f64.inputs = {rnd(DataType::kFloat32, {2}, 1, 0, 1)};
  expect_refused(to_f64, "float64");
}

TEST(VulkanElementwise, ConcurrentRunsShareTheDevice) {
  const Backend& b = vulkan();  // one device, submissions from several threads
  std::vector<std::thread> threads;
  std::vector<int> failures(4, 0);
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&, t] {
      for (int i = 0; i < 10; ++i) {
        OpCall call{i % 2 ? "Mul" : "Sigmoid"};
        const Shape s = {1000 + t * 37 + i};
        call.inputs = {random_tensor(DataType::kFloat32, s, 10 * t + i)};
        if (i % 2) call.inputs.push_back(random_tensor(DataType::kFloat32, {1}, 99 + i));
        auto ref = run_op(reference(), call);
        auto got = run_op(b, call);
        if (!ref.ok() || !got.ok() || compare(ref->at(0), got->at(0)).max_rel > 1e-6) ++failures[static_cast<size_t>(t)];
      }
    });
  for (auto& th : threads) th.join();
  for (int f : failures) EXPECT_EQ(f, 0);
}

}  // namespace
}  // namespace edgerun::test
