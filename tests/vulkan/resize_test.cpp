// Vulkan Resize vs the reference backend: nearest (every nearest_mode) / linear / cubic x every
// coordinate_transformation_mode, up- and down-sampling by integral and fractional scales, sizes
// with axes and keep_aspect_ratio_policy, antialias, exclude_outside, tf_crop_and_resize with
// extrapolation, 1-D / 3-D / 5-D inputs, NaN and infinities, float16 storage, integer nearest, and
// the reasons for refused nodes.
#include <gtest/gtest.h>

#include <limits>

#include "vulkan/gpu_compare.h"

namespace edgerun::test {
namespace {

uint32_t g_seed = 11000;

const char* const kCoordModes[] = {"half_pixel", "asymmetric", "align_corners", "pytorch_half_pixel",
                                   "half_pixel_symmetric", "tf_half_pixel_for_nn"};
const char* const kNearestModes[] = {"round_prefer_floor", "round_prefer_ceil", "floor", "ceil"};

Tensor no_input() { return Tensor(); }

OpCall scales_call(Tensor x, const std::vector<float>& scales, const std::string& mode, const std::string& ctm) {
  OpCall c{"Resize"};
  c.inputs = {std::move(x), no_input(), make_tensor<float>({static_cast<int64_t>(scales.size())}, scales)};
  c.attrs.set_string("mode", mode);
  c.attrs.set_string("coordinate_transformation_mode", ctm);
  return c;
}

OpCall sizes_call(Tensor x, const std::vector<int64_t>& sizes, const std::string& mode, const std::string& ctm) {
  OpCall c{"Resize"};
  c.inputs = {std::move(x), no_input(), no_input(), make_tensor<int64_t>({static_cast<int64_t>(sizes.size())}, sizes)};
  c.attrs.set_string("mode", mode);
  c.attrs.set_string("coordinate_transformation_mode", ctm);
  return c;
}

std::string describe(const OpCall& c, const std::string& extra) {
  return "Resize " + c.attrs.get_string("mode") + " " + c.attrs.get_string("coordinate_transformation_mode") + " X " +
         shape_to_string(c.inputs[0].shape()) + " " + extra;
}

std::string floats(const std::vector<float>& v) {
  std::string s;
  for (float f : v) s += (s.empty() ? "" : ",") + std::to_string(f);
  return s;
}

const std::vector<std::vector<float>> kScales = {{1, 1, 2, 2}, {1, 1, 1.5f, 0.6f}, {1, 1, 0.5f, 3}, {1, 1, 0.3f, 1.7f}};

TEST(VulkanResize, NearestEveryModeAndCoordinateTransform) {
  for (const char* ctm : kCoordModes)
    for (const char* nm : kNearestModes)
      for (const auto& sc : kScales) {
        OpCall c = scales_call(random_tensor(DataType::kFloat32, {1, 2, 5, 7}, g_seed++), sc, "nearest", ctm);
        c.attrs.set_string("nearest_mode", nm);
        expect_gpu_matches_ref(c, exact_tol(), describe(c, std::string(nm) + " scales " + floats(sc)));
      }
}

TEST(VulkanResize, LinearAndCubicEveryCoordinateTransform) {
  for (const char* mode : {"linear", "cubic"})
    for (const char* ctm : kCoordModes)
      for (const auto& sc : kScales) {
        OpCall c = scales_call(random_tensor(DataType::kFloat32, {2, 3, 5, 7}, g_seed++), sc, mode, ctm);
        expect_gpu_matches_ref(c, fp32_tol(16), describe(c, "scales " + floats(sc)));
      }
}

TEST(VulkanResize, CubicOptionsAndAntialias) {
  for (const char* mode : {"linear", "cubic"})
    for (const auto& sizes : {std::vector<int64_t>{1, 1, 3, 3}, std::vector<int64_t>{1, 1, 2, 9},
                              std::vector<int64_t>{1, 1, 11, 5}}) {
      OpCall aa = sizes_call(random_tensor(DataType::kFloat32, {1, 1, 8, 8}, g_seed++), sizes, mode, "half_pixel");
      aa.attrs.set_int("antialias", 1);
      expect_gpu_matches_ref(aa, fp32_tol(64), describe(aa, "antialias sizes " + shape_to_string(sizes)));
      if (std::string(mode) == "cubic") {
        OpCall ex = sizes_call(random_tensor(DataType::kFloat32, {1, 1, 8, 8}, g_seed++), sizes, mode, "align_corners");
        ex.attrs.set_int("exclude_outside", 1);
        ex.attrs.set_float("cubic_coeff_a", -0.5f);
        expect_gpu_matches_ref(ex, fp32_tol(16), describe(ex, "exclude_outside A -0.5 sizes " + shape_to_string(sizes)));
      }
    }
}

TEST(VulkanResize, SizesAxesAndAspectRatioPolicies) {
  for (const char* policy : {"stretch", "not_larger", "not_smaller"})
    for (const char* mode : {"nearest", "linear"}) {
      OpCall c = sizes_call(random_tensor(DataType::kFloat32, {1, 2, 4, 6}, g_seed++), {7, 5}, mode, "half_pixel");
      c.attrs.set_ints("axes", {3, 2});
      c.attrs.set_string("keep_aspect_ratio_policy", policy);
      expect_gpu_matches_ref(c, fp32_tol(4), describe(c, std::string("axes 3,2 ") + policy));
      OpCall s = scales_call(random_tensor(DataType::kFloat32, {1, 2, 4, 6}, g_seed++), {2.5f}, mode, "asymmetric");
      s.attrs.set_ints("axes", {-2});
      expect_gpu_matches_ref(s, fp32_tol(4), describe(s, "axes -2 scales 2.5"));
    }
}

TEST(VulkanResize, TfCropAndResizeWithExtrapolation) {
  for (const char* mode : {"nearest", "linear", "cubic"}) {
    OpCall c = sizes_call(random_tensor(DataType::kFloat32, {1, 1, 6, 6}, g_seed++), {1, 1, 5, 4}, mode,
                          "tf_crop_and_resize");
    c.inputs[1] = make_tensor<float>({8}, {0, 0, -0.2f, 0.3f, 1, 1, 1.3f, 0.9f});
    c.attrs.set_float("extrapolation_value", 7.5f);
    expect_gpu_matches_ref(c, fp32_tol(16), describe(c, "roi with extrapolation"));
    OpCall a = sizes_call(random_tensor(DataType::kFloat32, {1, 1, 6, 6}, g_seed++), {3, 3}, mode, "tf_crop_and_resize");
    a.inputs[1] = make_tensor<float>({4}, {0.4f, 0.6f, 0.6f, 0.8f});
    a.attrs.set_ints("axes", {3, 2});
    expect_gpu_matches_ref(a, fp32_tol(16), describe(a, "roi axes 3,2"));
  }
}

TEST(VulkanResize, OtherRanksAndLargeOutputs) {
  // 1-D, 3-D (trilinear), 5-D, and an output larger than one workgroup row.
  OpCall one = scales_call(random_tensor(DataType::kFloat32, {9}, g_seed++), {2.3f}, "linear", "half_pixel");
  expect_gpu_matches_ref(one, fp32_tol(2), describe(one, "1-D"));
  OpCall tri = scales_call(random_tensor(DataType::kFloat32, {1, 2, 3, 4, 5}, g_seed++), {1, 1, 2, 1.5f, 0.7f},
                           "linear", "align_corners");
  expect_gpu_matches_ref(tri, fp32_tol(8), describe(tri, "trilinear"));
  OpCall nn = scales_call(random_tensor(DataType::kFloat32, {1, 3, 5, 4, 3}, g_seed++), {1, 1, 2, 3, 2}, "nearest",
                          "asymmetric");
  expect_gpu_matches_ref(nn, exact_tol(), describe(nn, "5-D nearest"));
  OpCall big = scales_call(random_tensor(DataType::kFloat32, {1, 3, 100, 90}, g_seed++), {1, 1, 4, 4.5f}, "linear",
                           "pytorch_half_pixel");
  expect_gpu_matches_ref(big, fp32_tol(4), describe(big, "large"));
}

TEST(VulkanResize, NanInfAndEmpty) {
  const float inf = std::numeric_limits<float>::infinity(), nan = std::numeric_limits<float>::quiet_NaN();
  Tensor x = make_tensor<float>({1, 1, 2, 3}, {nan, 1, 2, -inf, 4, inf});
  for (const char* mode : {"nearest", "linear", "cubic"}) {
    OpCall c = scales_call(x, {1, 1, 2, 2}, mode, "half_pixel");
    expect_gpu_matches_ref(c, fp32_tol(16), describe(c, "NaN/inf"));
  }
  OpCall e = sizes_call(random_tensor(DataType::kFloat32, {1, 1, 3, 3}, g_seed++), {1, 1, 0, 4}, "linear", "half_pixel");
  expect_gpu_matches_ref(e, exact_tol(), describe(e, "empty output"));
}

TEST(VulkanResize, Float16AndIntegers) {
  for (const char* mode : {"nearest", "linear", "cubic"}) {
    OpCall c = scales_call(random_tensor(DataType::kFloat16, {1, 2, 5, 6}, g_seed++), {1, 1, 1.7f, 0.8f}, mode,
                           "half_pixel");
    expect_gpu_matches_ref(c, fp16_tol(16), describe(c, "float16"));
  }
  for (DataType dt : {DataType::kInt32, DataType::kInt64, DataType::kUInt8}) {
    OpCall c = scales_call(random_tensor(dt, {1, 2, 4, 5}, g_seed++, 0, 200), {1, 1, 2.5f, 0.7f}, "nearest",
                           "asymmetric");
    c.attrs.set_string("nearest_mode", "floor");
    expect_gpu_matches_ref(c, exact_tol(), describe(c, dtype_name(dt)));
    OpCall t = sizes_call(random_tensor(dt, {1, 1, 4, 4}, g_seed++, 0, 200), {1, 1, 3, 5}, "nearest",
                          "tf_crop_and_resize");
    t.inputs[1] = make_tensor<float>({8}, {0, 0, -0.5f, 0.2f, 1, 1, 1.2f, 1.5f});
    t.attrs.set_float("extrapolation_value", 300.4f);  // clamped to uint8's 255
    expect_gpu_matches_ref(t, exact_tol(), describe(t, std::string(dtype_name(dt)) + " extrapolation"));
  }
}

TEST(VulkanResize, RefusalsSayWhy) {
  OpCall lin = scales_call(random_tensor(DataType::kInt32, {1, 1, 2, 2}, 1, 0, 9), {1, 1, 2, 2}, "linear", "half_pixel");
  EXPECT_NE(vulkan_refusal(lin).find("nearest only"), std::string::npos) << vulkan_refusal(lin);
  OpCall dbl = scales_call(random_tensor(DataType::kFloat64, {1, 1, 2, 2}, 1), {1, 1, 2, 2}, "nearest", "half_pixel");
  EXPECT_NE(vulkan_refusal(dbl).find("float64 not supported"), std::string::npos) << vulkan_refusal(dbl);
}

}  // namespace
}  // namespace edgerun::test
