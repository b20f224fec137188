// Vulkan normalisations vs the reference backend: LayerNormalization (every axis, Scale/B of
// several broadcast shapes, without B, Mean/InvStdDev outputs), RMSNormalization,
// InstanceNormalization, GroupNormalization (opset 18 per-group and 21 per-channel parameters),
// BatchNormalization (rank 2..5, fused activation); row lengths around the workgroup size (both the
// invocation-per-row and workgroup-per-row paths), float16 storage, refusals with reasons.
#include <gtest/gtest.h>

#include <optional>

#include "vulkan/gpu_compare.h"

namespace edgerun::test {
namespace {

uint32_t g_seed = 7000;

// Statistics in fp32 vs double: the normalised values carry ~len * 2^-24 relative error.
Tol norm_tol(int64_t len) { return {2e-5, 1e-5 + 1e-7 * static_cast<double>(len)}; }

Shape tail(const Shape& s, size_t from) { return Shape(s.begin() + static_cast<std::ptrdiff_t>(from), s.end()); }

OpCall layernorm_call(const Shape& x, int64_t axis, const Shape& scale, std::optional<Shape> bias, int outputs,
                      DataType dt = DataType::kFloat32, const char* op = "LayerNormalization") {
  OpCall c{op};
  c.inputs = {random_tensor(dt, x, g_seed++, -3, 3), random_tensor(dt, scale, g_seed++, 0.5, 1.5)};
  if (bias) c.inputs.push_back(random_tensor(dt, *bias, g_seed++));
  c.attrs.set_int("axis", axis);
  c.num_outputs = outputs;
  return c;
}

std::string describe(const char* op, const Shape& x, int64_t axis, const Shape& scale) {
  return std::string(op) + " X " + shape_to_string(x) + " axis " + std::to_string(axis) + " scale " +
         shape_to_string(scale);
}

TEST(VulkanNorm, LayerNormEveryAxisAndParameterShape) {
  for (const Shape& x : {Shape{3, 4}, Shape{2, 3, 5}, Shape{2, 3, 4, 5}}) {
    const int64_t r = static_cast<int64_t>(x.size());
    for (int64_t axis = -r; axis < r; ++axis) {
      const size_t a = static_cast<size_t>(axis < 0 ? axis + r : axis);
      int64_t len = 1;
      for (size_t d = a; d < x.size(); ++d) len *= x[d];
      // Scale over the normalised dims, over X entirely, and over the last dim only.
      for (const Shape& sc : {tail(x, a), x, tail(x, x.size() - 1)}) {
        expect_gpu_matches_ref(layernorm_call(x, axis, sc, sc, 3), norm_tol(len),
                               describe("LayerNormalization", x, axis, sc) + " with stats");
        expect_gpu_matches_ref(layernorm_call(x, axis, sc, std::nullopt, 1), norm_tol(len),
                               describe("LayerNormalization", x, axis, sc) + " without B");
      }
      // B broadcast differently from Scale.
      expect_gpu_matches_ref(layernorm_call(x, axis, tail(x, a), Shape{1}, 1), norm_tol(len),
                             describe("LayerNormalization", x, axis, tail(x, a)) + " B [1]");
    }
  }
}

TEST(VulkanNorm, LayerNormRowLengthsAroundWorkgroupBoundaries) {
  for (int64_t len : {1, 16, 17, 127, 128, 129, 255, 256, 257, 1000, 4100})
    for (int64_t rows : {1, 7, 1500}) {
      if (rows * len > 2000000) continue;
      const Shape x = {rows, len};
      expect_gpu_matches_ref(layernorm_call(x, -1, {len}, Shape{len}, 3), norm_tol(len),
                             describe("LayerNormalization", x, -1, {len}));
      expect_gpu_matches_ref(layernorm_call(x, -1, {len}, std::nullopt, 1, DataType::kFloat32, "RMSNormalization"),
                             norm_tol(len), describe("RMSNormalization", x, -1, {len}));
    }
}

TEST(VulkanNorm, LayerNormStatsEpsilonAndConstantRows) {
  OpCall c = layernorm_call({4, 6}, 1, {6}, Shape{6}, 3);
  c.attrs.set_float("epsilon", 0.5f);
  expect_gpu_matches_ref(c, norm_tol(6), "LayerNormalization epsilon 0.5");
  // Constant rows: variance 0, the result is the bias.
  OpCall k = layernorm_call({3, 8}, 1, {8}, Shape{8}, 3);
  for (int64_t i = 0; i < 24; ++i) k.inputs[0].data_as<float>()[i] = static_cast<float>(i / 8);
  expect_gpu_matches_ref(k, norm_tol(8), "LayerNormalization constant rows");
  // Only Mean requested (2 outputs).
  expect_gpu_matches_ref(layernorm_call({5, 9}, -1, {9}, Shape{9}, 2), norm_tol(9), "LayerNormalization Y, Mean");
}

TEST(VulkanNorm, RmsNormEveryAxis) {
  for (const Shape& x : {Shape{3, 4}, Shape{2, 3, 4, 5}}) {
    const int64_t r = static_cast<int64_t>(x.size());
    for (int64_t axis = -r; axis < r; ++axis) {
      const size_t a = static_cast<size_t>(axis < 0 ? axis + r : axis);
      for (const Shape& sc : {tail(x, a), x}) {
        OpCall c = layernorm_call(x, axis, sc, std::nullopt, 1, DataType::kFloat32, "RMSNormalization");
        c.attrs.set_float("epsilon", 1e-3f);
        expect_gpu_matches_ref(c, norm_tol(64), describe("RMSNormalization", x, axis, sc));
      }
    }
  }
}

TEST(VulkanNorm, Float16Storage) {
  for (const Shape& x : {Shape{2, 3, 5}, Shape{3, 600}}) {
    expect_gpu_matches_ref(layernorm_call(x, -1, {x.back()}, Shape{x.back()}, 3, DataType::kFloat16), fp16_tol(1),
                           describe("LayerNormalization", x, -1, {x.back()}) + " float16");
    expect_gpu_matches_ref(
        layernorm_call(x, -1, {x.back()}, std::nullopt, 1, DataType::kFloat16, "RMSNormalization"), fp16_tol(1),
        describe("RMSNormalization", x, -1, {x.back()}) + " float16");
  }
}

// ---- InstanceNormalization / GroupNormalization ----

OpCall channel_call(const char* op, const Shape& x, int64_t params, DataType dt = DataType::kFloat32) {
  OpCall c{op};
  c.inputs = {random_tensor(dt, x, g_seed++, -2, 2), random_tensor(dt, {params}, g_seed++, 0.5, 1.5),
              random_tensor(dt, {params}, g_seed++)};
  return c;
}

TEST(VulkanNorm, InstanceNormalization) {
  for (const Shape& x : {Shape{1, 2, 1, 3}, Shape{2, 3, 4, 5}, Shape{2, 3, 300}, Shape{1, 4, 17, 17}, Shape{3, 2}})
    for (DataType dt : {DataType::kFloat32, DataType::kFloat16}) {
      int64_t inner = 1;
      for (size_t d = 2; d < x.size(); ++d) inner *= x[d];
      OpCall c = channel_call("InstanceNormalization", x, x[1], dt);
      c.attrs.set_float("epsilon", 1e-2f);
      expect_gpu_matches_ref(c, dt == DataType::kFloat16 ? fp16_tol(1) : norm_tol(inner),
                             "InstanceNormalization X " + shape_to_string(x) + " " + dtype_name(dt));
    }
}

TEST(VulkanNorm, GroupNormalizationPerGroupAndPerChannel) {
  for (const Shape& x : {Shape{3, 4, 2, 2}, Shape{2, 6, 5, 7}, Shape{1, 8, 40}})
    for (int64_t groups : {int64_t{1}, int64_t{2}, x[1]})
      for (int version : {18, 21}) {
        OpCall c = channel_call("GroupNormalization", x, version < 21 ? groups : x[1]);
        c.attrs.set_int("num_groups", groups);
        c.since_version = version;
        expect_gpu_matches_ref(c, norm_tol(x[1] / groups * 100), "GroupNormalization opset " + std::to_string(version) +
                                                                     " X " + shape_to_string(x) + " groups " +
                                                                     std::to_string(groups));
      }
  OpCall h = channel_call("GroupNormalization", {2, 6, 9}, 6, DataType::kFloat16);
  h.attrs.set_int("num_groups", 3);
  expect_gpu_matches_ref(h, fp16_tol(1), "GroupNormalization float16");
}

// ---- BatchNormalization ----

OpCall batchnorm_call(const Shape& x, DataType dt = DataType::kFloat32) {
  OpCall c{"BatchNormalization"};
  const int64_t ch = x[1];
  c.inputs = {random_tensor(dt, x, g_seed++, -3, 3), random_tensor(dt, {ch}, g_seed++, 0.5, 1.5),
              random_tensor(dt, {ch}, g_seed++), random_tensor(dt, {ch}, g_seed++),
              random_tensor(dt, {ch}, g_seed++, 0.1, 2.0)};
  return c;
}

TEST(VulkanNorm, BatchNormalization) {
  for (const Shape& x : {Shape{2, 3}, Shape{2, 3, 4, 5}, Shape{1, 16, 7}, Shape{1, 3, 2, 3, 4}, Shape{0, 3, 2}})
    for (DataType dt : {DataType::kFloat32, DataType::kFloat16}) {
      OpCall c = batchnorm_call(x, dt);
      c.attrs.set_float("epsilon", 1e-3f);
      expect_gpu_matches_ref(c, dt == DataType::kFloat16 ? fp16_tol(1) : fp32_tol(4),
                             "BatchNormalization X " + shape_to_string(x) + " " + dtype_name(dt));
    }
}

TEST(VulkanNorm, BatchNormalizationFusedActivation) {
  OpCall c = batchnorm_call({2, 4, 5, 5});
  c.fused_activation = "Relu";
  auto got = run_op(vulkan_backend_for_tests(), c);
  ASSERT_TRUE(got.ok()) << got.status().message();
  OpCall plain = c;
  plain.fused_activation.clear();
  auto ref = run_op(*make_reference_backend(), plain);
  ASSERT_TRUE(ref.ok()) << ref.status().message();
  Tensor relu = ref->at(0).clone().value();
  int64_t negatives = 0;
  for (int64_t i = 0; i < relu.numel(); ++i) {
    float& v = relu.data_as<float>()[i];
    if (v < 0) ++negatives, v = 0;
  }
  ASSERT_GT(negatives, 0) << "the test input must exercise the activation";
  expect_close(relu, got->at(0), fp32_tol(4), "BatchNormalization + Relu");
}

TEST(VulkanNorm, RefusalsSayWhy) {
  OpCall train = batchnorm_call({2, 3, 4});
  train.attrs.set_int("training_mode", 1);
  EXPECT_NE(vulkan_refusal(train).find("training_mode"), std::string::npos) << vulkan_refusal(train);
  OpCall dbl = layernorm_call({2, 3}, -1, {3}, Shape{3}, 1, DataType::kFloat64);
  EXPECT_NE(vulkan_refusal(dbl).find("float64 not supported"), std::string::npos) << vulkan_refusal(dbl);
  OpCall stash = layernorm_call({2, 3}, -1, {3}, Shape{3}, 3);
  stash.attrs.set_int("stash_type", 10);  // float16 statistics
  EXPECT_NE(vulkan_refusal(stash).find("stash_type"), std::string::npos) << vulkan_refusal(stash);
}

}  // namespace
}  // namespace edgerun::test
