// Vulkan QuantizeLinear / DequantizeLinear (backends/vulkan/kernels/quant.cpp) vs the reference
// backend, bit for bit: per-tensor, per-axis and blocked parameters, int8/uint8/int16/uint16 (and
// int32 for DequantizeLinear), float32/float16 data and scales, with and without zero point,
// rounding ties (half to even), saturation, NaN and infinities.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <limits>
#include <random>

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

// Random integers of a quantized dtype (its full range).
Tensor qvalues(DataType dt, Shape shape, uint32_t seed) {
  Tensor t = Tensor::allocate(dt, std::move(shape)).value();
  std::mt19937 rng(seed);
  for (int64_t i = 0; i < t.numel(); ++i) {
    const uint32_t r = rng();
    switch (dt) {
      case DataType::kUInt8: t.data_as<uint8_t>()[i] = static_cast<uint8_t>(r); break;
      case DataType::kInt8: t.data_as<int8_t>()[i] = static_cast<int8_t>(r); break;
      case DataType::kUInt16: t.data_as<uint16_t>()[i] = static_cast<uint16_t>(r); break;
      case DataType::kInt16: t.data_as<int16_t>()[i] = static_cast<int16_t>(r); break;
      case DataType::kInt32: t.data_as<int32_t>()[i] = static_cast<int32_t>(r); break;
      default: ADD_FAILURE() << "qvalues(): dtype " << dtype_name(dt); break;
    }
  }
  return t;
}

// Positive scales with inexact quotients (and float16-representable when dt is float16).
Tensor scales(DataType dt, Shape shape, uint32_t seed) {
  Tensor t = Tensor::allocate(dt, std::move(shape)).value();
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> u(0.003f, 0.7f);
  for (int64_t i = 0; i < t.numel(); ++i) {
    const float v = u(rng);
    if (dt == DataType::kFloat16) t.data_as<uint16_t>()[i] = float_to_half(v);
    else t.data_as<float>()[i] = v;
  }
  return t;
}

void expect_exact(const OpCall& call, const std::string& what) {
  SCOPED_TRACE(what);
  auto ref = run_op(reference(), call);
  ASSERT_TRUE(ref.ok()) << ref.status().message();
  auto got = run_op(vulkan(), call);
  ASSERT_TRUE(got.ok()) << got.status().message();
  const Tensor& r = ref->at(0);
  const Tensor& g = got->at(0);
  ASSERT_EQ(dtype_name(g.dtype()), std::string(dtype_name(r.dtype())));
  ASSERT_EQ(shape_to_string(g.shape()), shape_to_string(r.shape()));
  int64_t bad = 0;
  for (int64_t i = 0; i < r.numel(); ++i) {
    const size_t es = dtype_size(r.dtype());
    if (std::memcmp(static_cast<const char*>(r.data()) + i * es, static_cast<const char*>(g.data()) + i * es, es) != 0 &&
        bad++ < 5)
      ADD_FAILURE() << "element " << i << ": reference " << element_as_double(r, i) << ", vulkan " << element_as_double(g, i);
  }
  EXPECT_EQ(bad, 0);
}

struct ParamCase {
  Shape x, scale;
  int64_t axis, block;
};
const std::vector<ParamCase> kParams = {
    {{2, 3, 4}, {}, 1, 0},      // per-tensor, scalar scale
    {{2, 3, 4}, {1}, 1, 0},     // per-tensor, 1-element scale
    {{2, 3, 4}, {3}, 1, 0},     // per-axis
    {{2, 3, 4}, {2}, 0, 0},
    {{2, 3, 4}, {4}, -1, 0},
    {{6, 5}, {2, 5}, 0, 4},     // blocked: ceil(6 / 4) = 2 blocks on axis 0
    {{3, 7}, {3, 3}, 1, 3},     // blocked on the last axis
    {{300, 257}, {257}, 1, 0},  // several workgroups
    {{0, 3}, {3}, 1, 0},        // empty
};

TEST(VulkanQuant, DequantizeLinear) {
  uint32_t seed = 1;
  for (const ParamCase& p : kParams)
    for (DataType xt : {DataType::kUInt8, DataType::kInt8, DataType::kInt16, DataType::kUInt16, DataType::kInt32})
      for (DataType st : {DataType::kFloat32, DataType::kFloat16})
        for (bool zp : {false, true}) {
          if (xt == DataType::kInt32 && zp) continue;
          OpCall c{"DequantizeLinear"};
          c.inputs = {qvalues(xt, p.x, seed), scales(st, p.scale, seed + 1), zp ? qvalues(xt, p.scale, seed + 2) : Tensor()};
          c.constant_inputs = {false, true, true};
          seed += 3;
          c.attrs.set_int("axis", p.axis);
          if (p.block) c.attrs.set_int("block_size", p.block);
          expect_exact(c, std::string("DequantizeLinear ") + dtype_name(xt) + " scale " + dtype_name(st) +
                              (zp ? " zp" : "") + " x " + shape_to_string(p.x) + " scale " + shape_to_string(p.scale));
        }
  // output_dtype float16 with a float32 scale (opset 23)
  OpCall o{"DequantizeLinear"};
  o.inputs = {qvalues(DataType::kUInt8, {50}, 3), make_tensor<float>({}, {0.0371f}), make_tensor<uint8_t>({}, {128})};
  o.attrs.set_int("output_dtype", static_cast<int64_t>(DataType::kFloat16));
  expect_exact(o, "DequantizeLinear output_dtype float16");
}

// x values: random, exact ties of the quotient (k + 0.5) and values far beyond the range.
Tensor qinputs(DataType dt, const Shape& shape, const Tensor& scale, uint32_t seed) {
  Tensor t = Tensor::allocate(dt, shape).value();
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> u(-1.0f, 1.0f);
  const float s0 = scale.dtype() == DataType::kFloat16 ? half_to_float(scale.data_as<uint16_t>()[0]) : scale.data_as<float>()[0];
  for (int64_t i = 0; i < t.numel(); ++i) {
    float v;
    switch (i % 4) {
      case 0: v = u(rng) * 40.0f; break;                                           // in range
      case 1: v = (static_cast<float>(static_cast<int>(rng() % 300) - 150) + 0.5f) * s0; break;  // ties (per-tensor)
      case 2: v = u(rng) * 100000.0f; break;                                       // saturates
      default: v = u(rng); break;
    }
    if (dt == DataType::kFloat16) t.data_as<uint16_t>()[i] = float_to_half(v);
    else t.data_as<float>()[i] = v;
  }
  return t;
}

TEST(VulkanQuant, QuantizeLinear) {
  uint32_t seed = 500;
  for (const ParamCase& p : kParams)
    for (DataType xt : {DataType::kFloat32, DataType::kFloat16})
      for (DataType st : {DataType::kFloat32, DataType::kFloat16})
        for (DataType yt : {DataType::kUInt8, DataType::kInt8, DataType::kInt16, DataType::kUInt16})
          for (bool zp : {false, true}) {
            OpCall c{"QuantizeLinear"};
            Tensor s = scales(st, p.scale, seed);
            c.inputs = {qinputs(xt, p.x, s, seed + 1), s, zp ? qvalues(yt, p.scale, seed + 2) : Tensor()};
            seed += 3;
            c.constant_inputs = {false, true, true};
            c.attrs.set_int("axis", p.axis);
            if (p.block) c.attrs.set_int("block_size", p.block);
            if (!zp) c.attrs.set_int("output_dtype", static_cast<int64_t>(yt));
            expect_exact(c, std::string("QuantizeLinear ") + dtype_name(xt) + " scale " + dtype_name(st) + " -> " +
                                dtype_name(yt) + (zp ? " zp" : "") + " x " + shape_to_string(p.x) + " scale " +
                                shape_to_string(p.scale));
          }
}

TEST(VulkanQuant, QuantizeLinearTiesAndSpecials) {
  const float inf = std::numeric_limits<float>::infinity();
  const float nan = std::numeric_limits<float>::quiet_NaN();
  // Quotients exactly on .5 round to even; NaN gives 0 (plus the zero point), infinities saturate.
  std::vector<float> xs = {0.5f, 1.5f, 2.5f, -0.5f, -1.5f, -2.5f, 126.5f, 127.5f, -128.5f, 254.5f, 255.5f,
                           inf,  -inf, nan,  0.0f,  -0.0f, 1e-30f, -1e-30f, 3e38f, -3e38f};
  for (float s : {1.0f, 0.5f, 0.1f, 3.0f, 1e-20f}) {
    std::vector<float> scaled;
    for (float v : xs) scaled.push_back(v * s);
    for (DataType yt : {DataType::kUInt8, DataType::kInt8}) {
      OpCall c{"QuantizeLinear"};
      c.inputs = {make_tensor<float>({static_cast<int64_t>(scaled.size())}, scaled), make_tensor<float>({}, {s}),
                  yt == DataType::kUInt8 ? make_tensor<uint8_t>({}, {3}) : make_tensor<int8_t>({}, {-3})};
      expect_exact(c, std::string("ties/specials scale ") + std::to_string(s) + " " + dtype_name(yt));
    }
  }
  // Division results near every rounding boundary for a scale whose reciprocal is inexact.
  std::vector<float> near;
  for (int k = -130; k < 130; ++k)
    for (int d = -3; d <= 3; ++d) near.push_back(std::nextafter((k + 0.5f) * 0.3f, d < 0 ? -1e9f : 1e9f) + d * 1e-7f);
  OpCall c{"QuantizeLinear"};
  c.inputs = {make_tensor<float>({static_cast<int64_t>(near.size())}, near), make_tensor<float>({}, {0.3f}),
              make_tensor<int8_t>({}, {0})};
  expect_exact(c, "quotients around .5 with scale 0.3");
  // precision float16 for float32 data: x, scale and quotient are rounded to float16 first.
  OpCall p{"QuantizeLinear"};
  p.inputs = {make_tensor<float>({static_cast<int64_t>(near.size())}, near), make_tensor<float>({}, {0.3f}),
              make_tensor<int8_t>({}, {1})};
  p.attrs.set_int("precision", static_cast<int64_t>(DataType::kFloat16));
  expect_exact(p, "precision float16");
}

TEST(VulkanQuant, SupportsSaysWhyNot) {
  OpCall fp8{"QuantizeLinear"};
  fp8.inputs = {make_tensor<float>({2}, {1, 2}), make_tensor<float>({}, {0.5f})};
  fp8.attrs.set_int("output_dtype", static_cast<int64_t>(DataType::kFloat8E4M3FN));
  auto r = run_op(vulkan(), fp8);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("float8e4m3fn not supported"), std::string::npos) << r.status().message();
  OpCall i4{"DequantizeLinear"};
  Tensor x = Tensor::allocate(DataType::kInt4, {2}).value();
  i4.inputs = {x, make_tensor<float>({}, {0.5f})};
  r = run_op(vulkan(), i4);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("int4 not supported"), std::string::npos) << r.status().message();
}

}  // namespace
}  // namespace edgerun::test
