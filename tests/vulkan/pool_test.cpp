// Vulkan pooling vs the reference backend: MaxPool (dilations, ceil_mode, pads, auto_pad, Indices
// with both storage orders, NaN, all-padding windows, int8/uint8), AveragePool (count_include_pad),
// LpPool, global pools over planes around the workgroup size, float16 storage.
#include <gtest/gtest.h>

#include <limits>

#include "vulkan/gpu_compare.h"

namespace edgerun::test {
namespace {

uint32_t g_seed = 5000;

struct PoolSpec {
  Shape x;
  std::vector<int64_t> kernel, strides, dilations, pads;
  std::string auto_pad;
  int64_t ceil_mode = 0;
};

OpCall pool_call(const char* op, DataType dt, const PoolSpec& s) {
  OpCall c{op};
  const bool ints = dt == DataType::kInt8 || dt == DataType::kUInt8;
  c.inputs = {ints ? random_tensor(dt, s.x, g_seed++, dt == DataType::kUInt8 ? 0 : -100, 100)
                   : random_tensor(dt, s.x, g_seed++)};
  c.attrs.set_ints("kernel_shape", s.kernel);
  if (!s.strides.empty()) c.attrs.set_ints("strides", s.strides);
  if (!s.dilations.empty()) c.attrs.set_ints("dilations", s.dilations);
  if (!s.pads.empty()) c.attrs.set_ints("pads", s.pads);
  if (!s.auto_pad.empty()) c.attrs.set_string("auto_pad", s.auto_pad);
  if (s.ceil_mode) c.attrs.set_int("ceil_mode", 1);
  return c;
}

std::string describe(const char* op, const PoolSpec& s) {
  std::string d = std::string(op) + " X " + shape_to_string(s.x) + " kernel " + shape_to_string(s.kernel);
  if (!s.strides.empty()) d += " strides " + shape_to_string(s.strides);
  if (!s.dilations.empty()) d += " dilations " + shape_to_string(s.dilations);
  if (!s.pads.empty()) d += " pads " + shape_to_string(s.pads);
  if (!s.auto_pad.empty()) d += " " + s.auto_pad;
  if (s.ceil_mode) d += " ceil_mode";
  return d;
}

const std::vector<PoolSpec> kWindows = {
    {{2, 3, 9, 9}, {3, 3}},
    {{1, 4, 10, 11}, {3, 3}, {2, 2}, {}, {1, 1, 1, 1}},
    {{1, 2, 10, 11}, {3, 2}, {2, 3}, {}, {0, 1, 2, 0}},                 // asymmetric pads
    {{1, 2, 12, 12}, {3, 3}, {1, 1}, {2, 2}, {2, 2, 2, 2}},              // dilations
    {{1, 2, 11, 11}, {3, 3}, {2, 2}, {}, {}, "", 1},                      // ceil_mode
    {{1, 2, 7, 8}, {3, 3}, {2, 2}, {}, {1, 1, 1, 1}, "", 1},              // ceil_mode, last window on the pad
    {{1, 2, 12, 12}, {2, 3}, {3, 2}, {2, 1}, {1, 0, 1, 2}, "", 1},        // everything
    {{1, 3, 9, 10}, {3, 3}, {2, 2}, {}, {}, "SAME_UPPER"},
    {{1, 3, 9, 10}, {4, 4}, {2, 3}, {}, {}, "SAME_LOWER"},
    {{1, 3, 9, 10}, {3, 2}, {2, 2}, {}, {}, "VALID"},
    {{2, 3, 17}, {4}, {3}, {}, {1, 2}},                                   // 1-D
    {{1, 2, 5, 6, 7}, {2, 3, 2}, {2, 1, 2}, {1, 1, 2}, {0, 1, 1, 1, 0, 1}},  // 3-D
    {{1, 2, 4, 4}, {2, 2}, {1, 1}, {}, {2, 2, 2, 2}},                     // windows entirely in the padding
};

TEST(VulkanPool, MaxPoolWindows) {
  for (const PoolSpec& s : kWindows) {
    for (DataType dt : {DataType::kFloat32, DataType::kFloat16}) {
      OpCall c = pool_call("MaxPool", dt, s);
      expect_gpu_matches_ref(c, exact_tol(), describe("MaxPool", s) + (dt == DataType::kFloat16 ? " f16" : ""));
    }
  }
}

TEST(VulkanPool, MaxPoolIndices) {
  for (const PoolSpec& s : kWindows)
    for (int order = 0; order < 2; ++order) {
      OpCall c = pool_call("MaxPool", DataType::kFloat32, s);
      c.num_outputs = 2;
      c.attrs.set_int("storage_order", order);
      expect_gpu_matches_ref(c, exact_tol(), describe("MaxPool+Indices", s) + " storage_order " + std::to_string(order));
    }
}

TEST(VulkanPool, MaxPoolNaNAndInts) {
  const float nan = std::numeric_limits<float>::quiet_NaN();
  OpCall c{"MaxPool"};
  c.inputs = {make_tensor<float>({1, 1, 2, 4}, {nan, 1.0f, nan, nan, 2.0f, nan, nan, nan})};
  c.attrs.set_ints("kernel_shape", {2, 2});
  c.attrs.set_ints("strides", {1, 2});
  c.num_outputs = 2;
  expect_gpu_matches_ref(c, exact_tol(), "MaxPool NaN never wins");
  // Ties: the first maximum in window order wins (Indices tell).
  OpCall ties{"MaxPool"};
  ties.inputs = {make_tensor<float>({1, 1, 3, 4}, std::vector<float>(12, 0.5f))};
  ties.inputs[0].data_as<float>()[5] = 2.0f;
  ties.inputs[0].data_as<float>()[10] = 2.0f;
  ties.attrs.set_ints("kernel_shape", {2, 3});
  ties.attrs.set_ints("pads", {1, 1, 1, 1});
  ties.num_outputs = 2;
  for (int order = 0; order < 2; ++order) {
    ties.attrs.set_int("storage_order", order);
    expect_gpu_matches_ref(ties, exact_tol(), "MaxPool ties, storage_order " + std::to_string(order));
  }
  for (DataType dt : {DataType::kInt8, DataType::kUInt8})
    for (const PoolSpec& s : {kWindows[1], kWindows[6], kWindows.back()}) {
      OpCall ci = pool_call("MaxPool", dt, s);
      expect_gpu_matches_ref(ci, exact_tol(), describe("MaxPool", s) + " " + dtype_name(dt));
    }
}

TEST(VulkanPool, AverageAndLpPool) {
  for (const PoolSpec& s : kWindows) {
    for (int include_pad = 0; include_pad < 2; ++include_pad) {
      OpCall c = pool_call("AveragePool", DataType::kFloat32, s);
      c.attrs.set_int("count_include_pad", include_pad);
      expect_gpu_matches_ref(c, fp32_tol(12), describe("AveragePool", s) + " count_include_pad " + std::to_string(include_pad));
    }
    for (int64_t p : {1, 2, 3}) {
      OpCall c = pool_call("LpPool", DataType::kFloat32, s);
      c.attrs.set_int("p", p);
      expect_gpu_matches_ref(c, {2e-5, 1e-5}, describe("LpPool", s) + " p " + std::to_string(p));
    }
  }
  OpCall h = pool_call("AveragePool", DataType::kFloat16, kWindows[6]);
  h.attrs.set_int("count_include_pad", 1);
  expect_gpu_matches_ref(h, fp16_tol(12), "AveragePool f16");
  OpCall hl = pool_call("LpPool", DataType::kFloat16, kWindows[1]);
  expect_gpu_matches_ref(hl, fp16_tol(12), "LpPool f16");
}

TEST(VulkanPool, GlobalPools) {
  const std::vector<Shape> shapes = {{1, 1, 1, 1}, {2, 3, 255}, {1, 5, 16, 16}, {3, 2, 257}, {1, 2, 100, 100},
                                     {2, 3, 2, 3, 4}, {0, 3, 4, 4}};
  for (const char* op : {"GlobalAveragePool", "GlobalMaxPool", "GlobalLpPool"})
    for (const Shape& s : shapes)
      for (DataType dt : {DataType::kFloat32, DataType::kFloat16}) {
        OpCall c{op};
        c.inputs = {random_tensor(dt, s, g_seed++)};
        int64_t len = 1;
        for (size_t i = 2; i < s.size(); ++i) len *= s[i];
        const Tol tol = dt == DataType::kFloat16 ? fp16_tol(len) : Tol{2e-5, 1e-6 + 1e-7 * static_cast<double>(len)};
        expect_gpu_matches_ref(c, tol, std::string(op) + " " + shape_to_string(s) + (dt == DataType::kFloat16 ? " f16" : ""));
      }
  OpCall lp3{"GlobalLpPool"};
  lp3.inputs = {random_tensor(DataType::kFloat32, {2, 3, 40}, g_seed++)};
  lp3.attrs.set_int("p", 3);
  expect_gpu_matches_ref(lp3, {2e-5, 1e-5}, "GlobalLpPool p 3");
  const float nan = std::numeric_limits<float>::quiet_NaN();
  OpCall mx{"GlobalMaxPool"};
  mx.inputs = {make_tensor<float>({1, 2, 3}, {1.0f, nan, 3.0f, -1.0f, -2.0f, -0.5f})};
  expect_gpu_matches_ref(mx, exact_tol(), "GlobalMaxPool NaN");
}

TEST(VulkanPool, RefusesWithReasons) {
  OpCall c = pool_call("AveragePool", DataType::kFloat64, kWindows[0]);
  std::string why = vulkan_refusal(c);
  EXPECT_NE(why.find("dtype float64 not supported"), std::string::npos) << why;
}

}  // namespace
}  // namespace edgerun::test
