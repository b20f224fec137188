// Op bodies of the elementwise shaders, selected by the spec constant OP. The codes must match
// UnaryOp / BinaryOp in backends/vulkan/kernels/elementwise.cpp. Semantics follow the reference
// kernels (backends/reference/{elementwise_unary,elementwise_binary,activation}.cpp): same
// formulas, same comparison order (so NaN and signed zeros come out the same).
// Needs elementwise_int.glsl and elementwise_math.glsl.

// ---- fused activation (node.fused_activation; spec constants ACT, ACT_A, ACT_B) ----
// Kinds as vk::activation_spec: 0 none, 1 Relu, 2 Clip(A,B), 3 LeakyRelu(A), 4 Sigmoid, 5 Tanh,
// 6 HardSigmoid(A,B), 7 HardSwish. Same formulas and comparison order as the executor's
// apply_activation (runtime/src/exec/node_exec.cpp), with this file's exp/tanh. (`a * x + b` is
// not contracted into an fma here; the host compiler may contract it: 1 ulp apart then.)
float ew_act(float x) {
  if (ACT == 1) return x > 0.0 ? x : 0.0;
  if (ACT == 2) {
    const float m = x < ACT_A ? ACT_A : x;  // std::max(x, min)
    return ACT_B < m ? ACT_B : m;           // std::min(., max)
  }
  if (ACT == 3) return x >= 0.0 ? x : x * ACT_A;
  if (ACT == 4) return 1.0 / (1.0 + em_exp(-x));
  if (ACT == 5) return em_tanh(x);
  if (ACT == 6) {
    precise const float v = ACT_A * x + ACT_B;
    const float m = 0.0 < v ? v : 0.0;
    return m < 1.0 ? m : 1.0;
  }
  if (ACT == 7) {
    precise const float v = x / 6.0 + 0.5;
    const float m = 0.0 < v ? v : 0.0;
    return x * (m < 1.0 ? m : 1.0);
  }
  return x;
}

// ---- unary ----
#define U_IDENTITY 0
#define U_ABS 1
#define U_NEG 2
#define U_EXP 3
#define U_LOG 4
#define U_SQRT 5
#define U_RECIPROCAL 6
#define U_FLOOR 7
#define U_CEIL 8
#define U_ROUND 9
#define U_SIGN 10
#define U_SIN 11
#define U_COS 12
#define U_TAN 13
#define U_ASIN 14
#define U_ACOS 15
#define U_ATAN 16
#define U_SINH 17
#define U_COSH 18
#define U_ASINH 19
#define U_ACOSH 20
#define U_ATANH 21
#define U_ERF 22
#define U_RELU 23
#define U_SIGMOID 24
#define U_TANH 25
#define U_SOFTPLUS 26
#define U_SOFTSIGN 27
#define U_HARDSIGMOID 28
#define U_HARDSWISH 29
#define U_LEAKYRELU 30
#define U_ELU 31
#define U_SELU 32
#define U_CELU 33
#define U_THRESHOLDEDRELU 34
#define U_MISH 35
#define U_GELU 36
#define U_GELU_TANH 37
#define U_CLIP 38
#define U_ISNAN 39
#define U_ISINF 40
#define U_NOT 41
#define U_SHRINK 42
#define U_SWISH 43
#define U_BITWISE_NOT 44

float em_sigmoid(float x) {
  if (x >= 0.0) return 1.0 / (1.0 + em_exp(-x));
  const float e = em_exp(x);
  return e / (1.0 + e);
}

float em_softplus(float x) { return x > 0.0 ? x + em_log1p(em_exp(-x)) : em_log1p(em_exp(x)); }

// p0/p1/p2: the op's float parameters (alpha, beta, gamma; Clip: min, max).
float unary_float(float x, float p0, float p1, float p2) {
  if (OP == U_IDENTITY) return x;
  if (OP == U_ABS) return abs(x);
  if (OP == U_NEG) return -x;
  if (OP == U_EXP) return em_exp(x);
  if (OP == U_LOG) return em_log(x);
  if (OP == U_SQRT) return x < 0.0 ? EM_NAN : sqrt(x);
  if (OP == U_RECIPROCAL) return 1.0 / x;
  if (OP == U_FLOOR) return floor(x);
  if (OP == U_CEIL) return ceil(x);
  if (OP == U_ROUND) return roundEven(x);
  if (OP == U_SIGN) return em_isnan(x) ? x : (x > 0.0 ? 1.0 : (x < 0.0 ? -1.0 : 0.0));
  if (OP == U_SIN) return em_sin(x);
  if (OP == U_COS) return em_cos(x);
  if (OP == U_TAN) return em_tan(x);
  if (OP == U_ASIN) return em_asin(x);
  if (OP == U_ACOS) return em_acos(x);
  if (OP == U_ATAN) return em_atan(x);
  if (OP == U_SINH) return em_sinh(x);
  if (OP == U_COSH) return em_cosh(x);
  if (OP == U_ASINH) return em_asinh(x);
  if (OP == U_ACOSH) return em_acosh(x);
  if (OP == U_ATANH) return em_atanh(x);
  if (OP == U_ERF) return em_erf(x);
  if (OP == U_RELU) return x > 0.0 ? x : 0.0;
  if (OP == U_SIGMOID) return em_sigmoid(x);
  if (OP == U_TANH) return em_tanh(x);
  if (OP == U_SOFTPLUS) return em_softplus(x);
  if (OP == U_SOFTSIGN) return x / (1.0 + abs(x));
  if (OP == U_HARDSIGMOID) {
    precise const float v = p0 * x + p1;
    const float m = 0.0 < v ? v : 0.0;  // std::max(0, v): NaN -> 0
    return m < 1.0 ? m : 1.0;
  }
  if (OP == U_HARDSWISH) {
    precise const float v = x / 6.0 + 0.5;
    const float m = 0.0 < v ? v : 0.0;
    return x * (m < 1.0 ? m : 1.0);
  }
  if (OP == U_LEAKYRELU) return x >= 0.0 ? x : p0 * x;
  if (OP == U_ELU) return x >= 0.0 ? x : p0 * em_expm1(x);
  if (OP == U_SELU) {
    precise const float neg = p1 * (p0 * em_exp(x) - p0);
    return x > 0.0 ? p1 * x : neg;
  }
  if (OP == U_CELU) {
    const float neg = p0 * em_expm1(x / p0);
    precise const float r = (x > 0.0 ? x : 0.0) + (neg < 0.0 ? neg : 0.0);
    return r;
  }
  if (OP == U_THRESHOLDEDRELU) return x > p0 ? x : 0.0;
  if (OP == U_MISH) return x * em_tanh(em_softplus(x));
  if (OP == U_GELU) return 0.5 * x * (1.0 + em_erf(x * 0.70710678118654752440));
  if (OP == U_GELU_TANH) {
    precise const float inner = 0.7978845608028654 * (x + 0.044715 * x * x * x);
    return 0.5 * x * (1.0 + em_tanh(inner));
  }
  if (OP == U_CLIP) {
    float v = x;
    if (v < p0) v = p0;  // NaN stays NaN
    if (v > p1) v = p1;  // min > max gives max
    return v;
  }
  if (OP == U_SHRINK) {  // p0 bias, p1 lambd
    if (x < -p1) return x + p0;
    if (x > p1) return x - p0;
    return 0.0;
  }
  if (OP == U_SWISH) return x * em_sigmoid(p0 * x);
  return x;
}

// float -> bool predicates (IsNaN, IsInf with p0 = detect_positive, p1 = detect_negative).
int unary_pred(float x) {
  if (OP == U_ISNAN) return em_isnan(x) ? 1 : 0;
  if (OP == U_ISINF) return em_isinf(x) && (x > 0.0 ? pc.p0 != 0u : pc.p1 != 0u) ? 1 : 0;
  return 0;
}

// Integer (and bool) unary ops; Clip bounds lo/hi already in the dtype's range.
int unary_int(int v, int lo, int hi) {
  if (OP == U_IDENTITY) return v;
  if (OP == U_ABS) return it_unsigned() ? v : (v < 0 ? it_wrap(-v) : v);
  if (OP == U_NEG) return it_wrap(-v);
  if (OP == U_SIGN) return it_unsigned() ? (v != 0 ? 1 : 0) : (v > 0 ? 1 : (v < 0 ? -1 : 0));
  if (OP == U_RELU) return it_unsigned() ? v : (v > 0 ? v : 0);
  if (OP == U_CLIP) {
    int r = v;
    if (it_less(r, lo)) r = lo;
    if (it_less(hi, r)) r = hi;
    return r;
  }
  if (OP == U_NOT) return v == 0 ? 1 : 0;
  if (OP == U_BITWISE_NOT) return it_wrap(~v);
  return v;
}

// ---- binary ----
#define B_ADD 0
#define B_SUB 1
#define B_MUL 2
#define B_DIV 3
#define B_POW 4
#define B_MOD 5
#define B_FMOD 6
#define B_PRELU 7
#define B_MAX 8
#define B_MIN 9
#define B_MEAN_LAST 10
#define B_EQUAL 11
#define B_LESS 12
#define B_LESS_EQUAL 13
#define B_GREATER 14
#define B_GREATER_EQUAL 15
#define B_AND 16
#define B_OR 17
#define B_XOR 18
#define B_SHIFT_LEFT 19
#define B_SHIFT_RIGHT 20
#define B_BIT_AND 21
#define B_BIT_OR 22
#define B_BIT_XOR 23

// a: input 0 (the accumulator for the variadic ops), b: input 1. p0: Mean's input count.
float binary_float(float a, float b, float p0) {
  if (OP == B_ADD) return a + b;
  if (OP == B_SUB) return a - b;
  if (OP == B_MUL) return a * b;
  if (OP == B_DIV) return a / b;
  if (OP == B_POW) return em_pow(a, b);
  if (OP == B_MOD || OP == B_FMOD) {
    float r = em_fmod(a, b);
    if (OP == B_MOD && r != 0.0 && ((r < 0.0) != (b < 0.0))) r = r + b;
    return r;
  }
  if (OP == B_PRELU) return a < 0.0 ? b * a : a;
  if (OP == B_MAX) return (em_isnan(a) || em_isnan(b)) ? EM_NAN : (b > a ? b : a);
  if (OP == B_MIN) return (em_isnan(a) || em_isnan(b)) ? EM_NAN : (b < a ? b : a);
  if (OP == B_MEAN_LAST) {
    precise const float s = a + b;
    return s / p0;
  }
  return a;
}

int binary_compare_float(float a, float b) {
  if (OP == B_EQUAL) return a == b ? 1 : 0;
  if (OP == B_LESS) return a < b ? 1 : 0;
  if (OP == B_LESS_EQUAL) return a <= b ? 1 : 0;
  if (OP == B_GREATER) return a > b ? 1 : 0;
  if (OP == B_GREATER_EQUAL) return a >= b ? 1 : 0;
  return 0;
}

// Integer power by squaring (wraps); negative exponents give 1/x^n truncated.
int int_pow(int base, int e, bool e_unsigned) {
  if (!e_unsigned && e < 0) {
    if (base == 1) return 1;
    if (!it_unsigned() && base == -1) return (e & 1) == 0 ? 1 : -1;
    return 0;
  }
  uint n = uint(e);
  int r = 1, b = base;
  while (n != 0u) {
    if ((n & 1u) != 0u) r *= b;
    b *= b;
    n >>= 1;
  }
  return it_wrap(r);
}

int binary_int(int a, int b, int p0) {
  if (OP == B_ADD) return it_wrap(a + b);
  if (OP == B_SUB) return it_wrap(a - b);
  if (OP == B_MUL) return it_wrap(a * b);
  if (OP == B_DIV) {
    if (b == 0) return 0;  // the reference reports an error; a shader cannot
    if (ITYPE == 5) return int(uint(a) / uint(b));
    if (b == -1) return it_wrap(-a);
    return a / b;
  }
  if (OP == B_MOD || OP == B_FMOD) {
    if (b == 0) return 0;
    if (ITYPE == 5) return int(uint(a) % uint(b));
    int r = b == -1 ? 0 : a - (a / b) * b;  // C remainder: the dividend's sign
    if (OP == B_MOD && !it_unsigned() && r != 0 && ((r < 0) != (b < 0))) r = it_wrap(r + b);
    return r;
  }
  if (OP == B_POW) return int_pow(a, b, ITYPE == 5);
  if (OP == B_PRELU) return (!it_unsigned() && a < 0) ? it_wrap(b * a) : a;
  if (OP == B_MAX) return it_less(a, b) ? b : a;
  if (OP == B_MIN) return it_less(b, a) ? b : a;
  if (OP == B_MEAN_LAST) {
    const int s = it_wrap(a + b);
    return ITYPE == 5 ? int(uint(s) / uint(p0)) : s / p0;
  }
  if (OP == B_EQUAL) return a == b ? 1 : 0;
  if (OP == B_LESS) return it_less(a, b) ? 1 : 0;
  if (OP == B_LESS_EQUAL) return it_less(b, a) ? 0 : 1;
  if (OP == B_GREATER) return it_less(b, a) ? 1 : 0;
  if (OP == B_GREATER_EQUAL) return it_less(a, b) ? 0 : 1;
  if (OP == B_AND) return (a != 0 && b != 0) ? 1 : 0;
  if (OP == B_OR) return (a != 0 || b != 0) ? 1 : 0;
  if (OP == B_XOR) return ((a != 0) != (b != 0)) ? 1 : 0;
  if (OP == B_SHIFT_LEFT) return uint(b) >= it_bits() ? 0 : it_wrap(int(uint(a) << uint(b)));
  if (OP == B_SHIFT_RIGHT) return uint(b) >= it_bits() ? 0 : int(uint(a) >> uint(b));
  if (OP == B_BIT_AND) return a & b;
  if (OP == B_BIT_OR) return a | b;
  if (OP == B_BIT_XOR) return a ^ b;
  return a;
}

// An integer element (of dtype ITYPE) as float.
float it_to_float(int v) { return ITYPE == 5 ? float(uint(v)) : float(v); }

// Pow(int X, float Y): the float result truncated toward zero, saturated to X's dtype (NaN -> 0).
int pow_int_float(int a, float y) {
  const float p = em_pow(it_to_float(a), y);
  if (em_isnan(p)) return 0;
  float lo = -2147483648.0, hi = 2147483647.0;
  if (ITYPE == 1) { lo = -128.0; hi = 127.0; }
  if (ITYPE == 2) { lo = -32768.0; hi = 32767.0; }
  if (ITYPE == 3) { lo = 0.0; hi = 255.0; }
  if (ITYPE == 4) { lo = 0.0; hi = 65535.0; }
  if (ITYPE == 5) {
    if (p <= 0.0) return 0;
    if (p >= 4294967295.0) return -1;
    return int(uint(p));
  }
  if (p <= lo) return int(lo);
  if (p >= hi) return ITYPE == 0 ? 2147483647 : int(hi);
  return int(p);
}
