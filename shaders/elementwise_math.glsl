// Float32 math for the elementwise shaders (#include "elementwise_math.glsl").
//
// Built only from +, -, *, /, sqrt, floor/ceil/roundEven/trunc and bit operations, with our own
// range reductions and polynomials, so that results do not depend on the precision of a driver's
// exp/log/sin/tanh builtins (Vulkan allows those to be far less accurate than libm, e.g. tanh
// near 0). Accuracy on lavapipe (IEEE + - * / sqrt) vs the reference backend's libm: a few ulp
// (see tests/vulkan/elementwise_test.cpp for the measured bounds). `precise` keeps the compiler
// from re-associating or contracting the steps whose exactness the algorithms rely on.
//
// NaN / Inf tests use the bits: drivers may fold isnan() under fast-math assumptions.
// Polynomial coefficients: Taylor series (exp, expm1, sin, cos, log's atanh series) or our own
// least-squares fits to the relative error (atan, asin, erf, erfcx), computed with numpy/scipy.

#define EM_INF uintBitsToFloat(0x7f800000u)
#define EM_NAN uintBitsToFloat(0x7fc00000u)
const float EM_LOG2E = 1.44269504088896341;
const float EM_LN2 = 0.693147180559945309;
const float EM_LN2_HI = 0.693145751953125;          // 15 significant bits: k * LN2_HI is exact
const float EM_LN2_LO = 1.42860682030941723212e-06;
const float EM_PIO2_F = 1.57079637050628662109375;  // float(pi/2)
const float EM_PIO2_LO = -4.37113900018624283e-08;  // pi/2 - float(pi/2)
const float EM_PI_F = 3.1415927410125732421875;     // float(pi)
const float EM_PI_LO = -8.74227800037248566e-08;    // pi - float(pi)
const float EM_PIO4 = 0.785398163397448310;

bool em_isnan(float x) { return (floatBitsToUint(x) & 0x7fffffffu) > 0x7f800000u; }
bool em_isinf(float x) { return (floatBitsToUint(x) & 0x7fffffffu) == 0x7f800000u; }
bool em_signbit(float x) { return (floatBitsToUint(x) & 0x80000000u) != 0u; }
float em_copysign(float mag, float s) {
  return uintBitsToFloat((floatBitsToUint(mag) & 0x7fffffffu) | (floatBitsToUint(s) & 0x80000000u));
}

// v * 2^n for n in [-252, 254]: two exact power-of-two factors, one final rounding.
float em_scale2(float v, int n) {
  const int n1 = n / 2;
  const int n2 = n - n1;
  return (v * intBitsToFloat((n1 + 127) << 23)) * intBitsToFloat((n2 + 127) << 23);
}

// ---- exp / expm1 ----

// exp(r) - 1 for |r| <= ln2/2 (Taylor to r^9: error < 1e-9 relative).
float em_expm1_poly(float r) {
  const float q = 1.0 / 2.0 + r * (1.0 / 6.0 + r * (1.0 / 24.0 + r * (1.0 / 120.0 + r * (1.0 / 720.0 +
                  r * (1.0 / 5040.0 + r * (1.0 / 40320.0 + r * (1.0 / 362880.0)))))));
  return r + (r * r) * q;
}

float em_exp(float x) {
  if (em_isnan(x)) return x;
  if (x > 88.72283935546875) return EM_INF;
  if (x < -103.972084045410156) return 0.0;
  precise const float k = roundEven(x * EM_LOG2E);
  precise const float r = (x - k * EM_LN2_HI) - k * EM_LN2_LO;
  return em_scale2(1.0 + em_expm1_poly(r), int(k));
}

float em_expm1(float x) {
  if (em_isnan(x)) return x;
  if (x > 88.72283935546875) return EM_INF;
  if (x < -17.5) return -1.0;
  precise const float k = roundEven(x * EM_LOG2E);
  precise const float r = (x - k * EM_LN2_HI) - k * EM_LN2_LO;
  const float em = em_expm1_poly(r);
  if (k == 0.0) return em;
  const int n = int(k);
  if (n > 24) return em_scale2(1.0 + em, n) - 1.0;
  precise const float t = intBitsToFloat((n + 127) << 23);  // 2^n: t - 1 is exact for |n| <= 24
  precise const float res = (t - 1.0) + t * em;
  return res;
}

// ---- log / log1p ----

float em_log(float x) {
  if (em_isnan(x)) return x;
  if (x < 0.0) return EM_NAN;
  if (x == 0.0) return -EM_INF;
  if (em_isinf(x)) return x;
  int e = 0;
  float v = x;
  if (v < 1.17549435e-38) {  // subnormal: scale into the normal range
    v *= 8388608.0;
    e = -23;
  }
  const uint b = floatBitsToUint(v);
  e += int(b >> 23) - 127;
  float m = uintBitsToFloat((b & 0x007fffffu) | 0x3f800000u);  // [1, 2)
  if (m > 1.41421356) {
    m *= 0.5;
    e += 1;
  }
  // log(1+f) = f - (hfsq - s*(hfsq + R)), s = f/(2+f), R = 2s^3/3 + 2s^5/5 + ... (fdlibm's form)
  precise const float f = m - 1.0;
  precise const float s = f / (2.0 + f);
  const float z = s * s;
  const float R = z * (2.0 / 3.0 + z * (2.0 / 5.0 + z * (2.0 / 7.0 + z * (2.0 / 9.0))));
  precise const float hfsq = 0.5 * f * f;
  const float dk = float(e);
  precise const float res = dk * EM_LN2_HI - ((hfsq - (s * (hfsq + R) + dk * EM_LN2_LO)) - f);
  return res;
}

float em_log1p(float x) {
  if (em_isnan(x)) return x;
  if (x == -1.0) return -EM_INF;
  if (x < -1.0) return EM_NAN;
  if (em_isinf(x)) return x;
  precise const float u = 1.0 + x;
  if (u == 1.0) return x;
  precise const float d = u - 1.0;
  return em_log(u) * (x / d);  // Goldberg: corrects for the rounding of 1 + x
}

// ---- sin / cos / tan (argument reduction by pi/2: Cody-Waite, Payne-Hanek for |x| >= 64) ----

const float EM_PIO2_1 = 1.5703125;                 // 8 significant bits
const float EM_PIO2_2 = 4.837512969970703125e-04;  // 11 significant bits
const float EM_PIO2_3 = 7.54978995489188216e-08;

float em_sin_poly(float r) {  // |r| <= pi/4, Taylor to r^11
  const float z = r * r;
  const float q = -1.0 / 6.0 + z * (1.0 / 120.0 + z * (-1.0 / 5040.0 + z * (1.0 / 362880.0 + z * (-1.0 / 39916800.0))));
  return r + r * z * q;
}

float em_cos_poly(float r) {  // |r| <= pi/4, Taylor to r^12
  const float z = r * r;
  const float q = 1.0 / 24.0 + z * (-1.0 / 720.0 + z * (1.0 / 40320.0 + z * (-1.0 / 3628800.0 + z * (1.0 / 479001600.0))));
  return 1.0 - (0.5 * z - z * z * q);
}

// Payne-Hanek: |x| = k*pi/2 + r for |x| >= 2^6 (x finite), from 128 bits of 2/pi around x's
// exponent (the bits of 2/pi: 2/pi = 0.A2F9836E 4E441529 FC2757D1 ... in hex). Returns r (|r| <=
// pi/4), quadrant in q.
float em_reduce_pio2_large(float ax, out int q) {
  const uint TWO_OVER_PI[7] = uint[7](0xa2f9836eu, 0x4e441529u, 0xfc2757d1u, 0xf534ddc0u, 0xdb629599u,
                                      0x3c439041u, 0xfe5163abu);
  const uint bits = floatBitsToUint(ax);
  const uint ia = (bits << 8) | 0x80000000u;  // ax = ia * 2^(E - 32)
  const int E = int(bits >> 23) - 126;
  // y = ax * 2/pi = sum_j ia * W_j * 2^(E - 32(j + 2)): words j < j0 only add multiples of 4
  const int j0 = E >= 34 ? (E - 34) >> 5 : 0;
  const int f = E - 32 * j0;  // y = P * 2^(f - 160), P = ia * W[j0..j0+3] (160 bits), f in [7, 65]
  uint p[5];
  uint carry = 0u;
  for (int k = 3; k >= 0; --k) {
    uint hi, lo;
    umulExtended(ia, TWO_OVER_PI[j0 + k], hi, lo);
    const uint sum = lo + carry;
    p[3 - k] = sum;
    carry = hi + (sum < lo ? 1u : 0u);
  }
  p[4] = carry;
  // shift left by f - 2 so that y's two integer bits (mod 4) are the top bits of p[4]
  int sh = f - 2;
  if (sh >= 32) {
    p[4] = p[3]; p[3] = p[2]; p[2] = p[1]; p[1] = p[0]; p[0] = 0u;
    sh -= 32;
  }
  uint w4 = p[4], w3 = p[3], w2 = p[2];
  if (sh > 0) {
    w4 = (p[4] << sh) | (p[3] >> (32 - sh));
    w3 = (p[3] << sh) | (p[2] >> (32 - sh));
    w2 = (p[2] << sh) | (p[1] >> (32 - sh));
  }
  q = int(w4 >> 30);
  uint fhi = (w4 << 2) | (w3 >> 30);  // 64 fraction bits
  uint flo = (w3 << 2) | (w2 >> 30);
  float sgn = 1.0;
  if ((fhi & 0x80000000u) != 0u) {  // fraction >= 1/2: round to the next quadrant, negate
    q = (q + 1) & 3;
    flo = ~flo + 1u;
    fhi = ~fhi + (flo == 0u ? 1u : 0u);
    sgn = -1.0;
  }
  const float fr = float(fhi) * 2.3283064365386963e-10 + float(flo) * 5.421010862427522e-20;
  return sgn * (fr * 1.57079632679489662);
}

// x = k*pi/2 + r; returns r, quadrant in q (k mod 4). Cody-Waite for |x| < 64 (k*PIO2_1 and
// k*PIO2_2 exact), Payne-Hanek above.
float em_reduce_pio2(float x, out int q) {
  if (abs(x) >= 64.0) {
    int qa;
    const float r = em_reduce_pio2_large(abs(x), qa);
    q = x < 0.0 ? (4 - qa) & 3 : qa;
    return x < 0.0 ? -r : r;
  }
  precise const float k = roundEven(x * 0.636619772367581343);
  precise const float r = ((x - k * EM_PIO2_1) - k * EM_PIO2_2) - k * EM_PIO2_3;
  q = int(k) & 3;
  return r;
}

float em_sin(float x) {
  if (em_isnan(x) || em_isinf(x)) return EM_NAN;
  if (abs(x) <= EM_PIO4) return em_sin_poly(x);
  int q;
  const float r = em_reduce_pio2(x, q);
  if (q == 0) return em_sin_poly(r);
  if (q == 1) return em_cos_poly(r);
  if (q == 2) return -em_sin_poly(r);
  return -em_cos_poly(r);
}

float em_cos(float x) {
  if (em_isnan(x) || em_isinf(x)) return EM_NAN;
  if (abs(x) <= EM_PIO4) return em_cos_poly(x);
  int q;
  const float r = em_reduce_pio2(x, q);
  if (q == 0) return em_cos_poly(r);
  if (q == 1) return -em_sin_poly(r);
  if (q == 2) return -em_cos_poly(r);
  return em_sin_poly(r);
}

float em_tan(float x) {
  if (em_isnan(x) || em_isinf(x)) return EM_NAN;
  if (abs(x) <= EM_PIO4) return em_sin_poly(x) / em_cos_poly(x);
  int q;
  const float r = em_reduce_pio2(x, q);
  const float s = em_sin_poly(r), c = em_cos_poly(r);
  return (q & 1) == 0 ? s / c : -c / s;
}

// ---- atan / asin / acos ----

float em_atan(float x) {
  if (em_isnan(x)) return x;
  const float ax = abs(x);
  float t = ax, base = 0.0, base_lo = 0.0;
  if (ax > 2.41421356237309505) {  // tan(3pi/8)
    t = -1.0 / ax;
    base = EM_PIO2_F;
    base_lo = EM_PIO2_LO;
  } else if (ax > 0.414213562373095049) {  // tan(pi/8)
    t = (ax - 1.0) / (ax + 1.0);
    base = 0.78539818525314331054688;  // float(pi/4)
    base_lo = -2.18556950009312141e-08;
  }
  const float z = t * t;
  // atan(t) = t + t*z*P(z) on |t| <= tan(pi/8) (fit: 8e-9 relative)
  const float p = -0.3333333134651184 + z * (0.19999592006206512 + z * (-0.14265155792236328 +
                  z * (0.1075364202260971 + z * (-0.06478620320558548))));
  precise const float res = base + (t + (t * z * p + base_lo));
  return x < 0.0 ? -res : res;
}

// asin(t) for |t| <= 0.5: t + t*z*P(z) (fit: 1.2e-8 relative).
float em_asin_poly(float t) {
  const float z = t * t;
  const float p = 0.1666666716337204 + z * (0.0750008150935173 + z * (0.044602613896131516 +
                  z * (0.031070001423358917 + z * (0.017275093123316765 + z * 0.0335046723484993))));
  return t + t * z * p;
}

float em_asin(float x) {
  if (em_isnan(x)) return x;
  const float ax = abs(x);
  if (ax > 1.0) return EM_NAN;
  float res;
  if (ax <= 0.5) {
    res = em_asin_poly(ax);
  } else {
    // asin(x) = pi/2 - 2 asin(sqrt((1-x)/2))
    const float s = sqrt(0.5 * (1.0 - ax));
    precise const float r = (EM_PIO2_F - 2.0 * em_asin_poly(s)) + EM_PIO2_LO;
    res = r;
  }
  return x < 0.0 ? -res : res;
}

float em_acos(float x) {
  if (em_isnan(x)) return x;
  if (abs(x) > 1.0) return EM_NAN;
  if (x > 0.5) return 2.0 * em_asin_poly(sqrt(0.5 * (1.0 - x)));
  if (x < -0.5) {
    precise const float r = (EM_PI_F - 2.0 * em_asin_poly(sqrt(0.5 * (1.0 + x)))) + EM_PI_LO;
    return r;
  }
  precise const float r = (EM_PIO2_F - em_asin_poly(x)) + EM_PIO2_LO;
  return r;
}

// ---- hyperbolic ----

float em_sinh(float x) {
  if (em_isnan(x)) return x;
  const float ax = abs(x);
  float r;
  if (ax < 88.0) {
    const float e = em_expm1(ax);
    r = 0.5 * (e + e / (e + 1.0));
  } else {
    const float h = em_exp(0.5 * ax);
    r = (0.5 * h) * h;
  }
  return x < 0.0 ? -r : r;
}

float em_cosh(float x) {
  if (em_isnan(x)) return x;
  const float ax = abs(x);
  if (ax < 88.0) {
    const float e = em_exp(ax);
    return 0.5 * e + 0.5 / e;
  }
  const float h = em_exp(0.5 * ax);
  return (0.5 * h) * h;
}

float em_tanh(float x) {
  if (em_isnan(x)) return x;
  const float ax = abs(x);
  float r = 1.0;
  if (ax < 9.1) {
    const float e = em_expm1(2.0 * ax);
    r = e / (e + 2.0);
  }
  return em_copysign(r, x);
}

float em_asinh(float x) {
  if (em_isnan(x) || em_isinf(x)) return x;
  const float ax = abs(x);
  float r;
  if (ax > 4096.0) {
    r = em_log(ax) + EM_LN2;
  } else if (ax > 2.0) {
    r = em_log(2.0 * ax + 1.0 / (sqrt(ax * ax + 1.0) + ax));
  } else {
    const float t = ax * ax;
    r = em_log1p(ax + t / (1.0 + sqrt(1.0 + t)));
  }
  return em_copysign(r, x);
}

float em_acosh(float x) {
  if (em_isnan(x)) return x;
  if (x < 1.0) return EM_NAN;
  if (em_isinf(x)) return x;
  if (x > 4096.0) return em_log(x) + EM_LN2;
  if (x > 2.0) return em_log(2.0 * x - 1.0 / (x + sqrt(x * x - 1.0)));
  precise const float t = x - 1.0;
  return em_log1p(t + sqrt(2.0 * t + t * t));
}

float em_atanh(float x) {
  if (em_isnan(x)) return x;
  const float ax = abs(x);
  if (ax > 1.0) return EM_NAN;
  if (ax == 1.0) return em_copysign(EM_INF, x);
  float r;
  if (ax < 0.5) {
    const float t = ax + ax;
    r = 0.5 * em_log1p(t + t * ax / (1.0 - ax));
  } else {
    r = 0.5 * em_log1p((ax + ax) / (1.0 - ax));
  }
  return em_copysign(r, x);
}

// ---- erf ----

float em_erf(float x) {
  if (em_isnan(x)) return x;
  const float ax = abs(x);
  if (ax < 1.0) {
    // erf(x) = x * P(x^2) (fit: 1.3e-9 relative)
    const float z = x * x;
    const float p = 1.128379225730896 + z * (-0.3761262893676758 + z * (0.11283600330352783 +
                    z * (-0.02685435116291046 + z * (0.00518925441429019 + z * (-0.0008017749059945345 +
                    z * 7.877413008827716e-05)))));
    return x * p;
  }
  float r = 1.0;
  if (ax < 3.92) {
    // erfc(x) = exp(-x^2) * erfcx(x), erfcx fitted in t = (1/x - 0.625)/0.375 on [1, 4] (1.6e-8)
    const float t = (1.0 / ax - 0.625) * 2.6666666666666667;
    const float q = 0.3059529960155487 + t * (0.14335644245147705 + t * (-0.024242855608463287 +
                    t * (0.0023076527286320925 + t * (0.0004600411048159003 + t * (-0.00034678945667110384 +
                    t * (0.0001240421988768503 + t * (-2.9845403332728893e-05 + t * (-2.695661578400177e-06 +
                    t * 4.601802174875047e-06))))))));
    r = 1.0 - em_exp(-(ax * ax)) * q;
  }
  return x < 0.0 ? -r : r;
}

// ---- pow (C semantics of powf) ----

bool em_is_int(float y) { return floor(y) == y; }
bool em_is_odd_int(float y) {  // |y| < 2^24 odd integer
  return abs(y) < 16777216.0 && em_is_int(y) && (int(abs(y)) & 1) == 1;
}

float em_pow(float x, float y) {
  if (y == 0.0) return 1.0;
  if (x == 1.0) return 1.0;
  if (em_isnan(x) || em_isnan(y)) return EM_NAN;
  const float ax = abs(x);
  if (em_isinf(y)) {
    if (ax == 1.0) return 1.0;
    return (ax > 1.0) == (y > 0.0) ? EM_INF : 0.0;
  }
  const bool odd = em_is_odd_int(y);
  if (x == 0.0) {
    if (y < 0.0) return odd ? em_copysign(EM_INF, x) : EM_INF;
    return odd ? x : 0.0;
  }
  if (em_isinf(x)) {
    const float m = y < 0.0 ? 0.0 : EM_INF;
    return (x < 0.0 && odd) ? -m : m;
  }
  if (x < 0.0 && !em_is_int(y)) return EM_NAN;
  if (y == 0.5) return sqrt(ax);  // correctly rounded (exact squares stay exact)
  float r;
  if (em_is_int(y) && abs(y) <= 64.0) {
    // exact whenever the result is representable: repeated squaring
    int e = int(abs(y));
    float b = ax;
    r = 1.0;
    while (e != 0) {
      if ((e & 1) != 0) r *= b;
      b *= b;
      e >>= 1;
    }
    if (y < 0.0) r = 1.0 / r;
  } else {
    r = em_exp(y * em_log(ax));
  }
  return (x < 0.0 && odd) ? -r : r;
}

// ---- exact fmod (long division on exponents; every subtraction is exact by Sterbenz) ----

float em_fmod(float x, float y) {
  if (em_isnan(x) || em_isnan(y) || em_isinf(x) || y == 0.0) return EM_NAN;
  if (em_isinf(y)) return x;
  float ax = abs(x);
  const float ay = abs(y);
  if (ax < ay) return x;
  for (int it = 0; it < 300 && ax >= ay; ++it) {
    // largest t = ay * 2^k <= ax (scaling by powers of two is exact)
    const int ex = int(floatBitsToUint(ax) >> 23);
    const int ey = max(int(floatBitsToUint(ay) >> 23), 1);
    float t = ay;
    if (ex - ey - 1 > 0) t = em_scale2(ay, ex - ey - 1);
    while (t <= 0.5 * ax) t *= 2.0;
    precise const float d = ax - t;
    ax = d;
  }
  return em_copysign(ax, x);
}

// ---- float16 storage: round to the nearest-even half value in float arithmetic, so that the
// final float -> float16 conversion is exact whatever the device's conversion rounding mode ----

float em_round_half(float v) {
  const uint b = floatBitsToUint(v);
  const uint a = b & 0x7fffffffu;
  if (a >= 0x7f800000u) return v;  // Inf, NaN
  if (a >= 0x38800000u) {          // |v| >= 2^-14: normal half, keep 10 mantissa bits
    const uint r = (a + 0x00000fffu + ((a >> 13) & 1u)) & 0xffffe000u;
    if (r > 0x477fe000u) return em_copysign(EM_INF, v);  // beyond 65504
    return uintBitsToFloat(r | (b & 0x80000000u));
  }
  // subnormal half: multiples of 2^-24
  return em_copysign(roundEven(abs(v) * 16777216.0) * 5.9604644775390625e-08, v);
}
