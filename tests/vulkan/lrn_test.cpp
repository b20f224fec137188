// Vulkan LRN vs the reference backend: window sizes 1, 3, 5 and even 4, fewer channels than the
// window, default and custom alpha/beta/bias (integer and negative beta, bias 0), ranks 2..5,
// element counts around the workgroup size (255/256/257) and multi-group, empty tensors, float16
// storage, and refusals with their reasons.
#include <gtest/gtest.h>

#include <limits>

#include "base/float_types.h"
#include "vulkan/gpu_compare.h"

namespace edgerun::test {
namespace {

uint32_t g_seed = 9100;

// fp32 sum of squares over at most `size` channels and our own pow (a few ulp) vs double.
Tol lrn_tol() { return {2e-6, 1e-7}; }
// fp16 storage: inputs identical, one rounding of the result to half.
Tol lrn_f16_tol() { return {1e-3, 1e-6}; }

OpCall lrn_call(const Shape& x, int64_t size, DataType dt = DataType::kFloat32, double lo = -3, double hi = 3) {
  OpCall c{"LRN"};
  c.inputs = {random_tensor(dt, x, g_seed++, lo, hi)};
  c.attrs.set_int("size", size);
  return c;
}

std::string describe(const OpCall& c) {
  std::string s = "LRN X " + std::string(dtype_name(c.inputs[0].dtype())) + shape_to_string(c.inputs[0].shape()) +
                  " size " + std::to_string(c.attrs.get_int("size", 0));
  for (const char* a : {"alpha", "beta", "bias"})
    if (c.attrs.has(a)) s += std::string(" ") + a + "=" + std::to_string(c.attrs.get_float(a, 0));
  return s;
}

TEST(VulkanLrn, WindowSizesAndChannelCounts) {
  // size 1, odd 3 and 5, even 4 (window [c-1, c+2]), and C below / equal to / above the window.
  for (int64_t size : {1, 2, 3, 4, 5, 7})
    for (int64_t channels : {1, 2, 3, 4, 5, 6, 13}) {
      OpCall c = lrn_call({2, channels, 3, 4}, size);
      c.attrs.set_float("alpha", 0.5f);  // large enough that every channel of the window shows
      expect_gpu_matches_ref(c, lrn_tol(), describe(c));
    }
}

TEST(VulkanLrn, AttributeVariants) {
  struct A { float alpha, beta, bias; };
  const A cases[] = {
      {1e-4f, 0.75f, 1.0f},   // the defaults, explicitly
      {0.5f, 0.75f, 2.0f},    // large alpha: the sum matters
      {2.0f, 1.0f, 0.5f},     // integer beta
      {1.0f, 2.0f, 1.0f},
      {0.3f, -0.5f, 1.0f},    // negative beta
      {1.0f, 0.5f, 0.0f},     // bias 0: x / sqrt(mean square)
      {1e-3f, 0.0f, 1.0f},    // beta 0: identity
  };
  for (const A& a : cases)
    for (int64_t size : {3, 4}) {
      OpCall c = lrn_call({1, 7, 5, 5}, size);
      c.attrs.set_float("alpha", a.alpha);
      c.attrs.set_float("beta", a.beta);
      c.attrs.set_float("bias", a.bias);
      expect_gpu_matches_ref(c, lrn_tol(), describe(c));
    }
  // Attributes absent: alpha 1e-4, beta 0.75, bias 1 (values large enough for alpha to show).
  OpCall c = lrn_call({2, 5, 4, 4}, 5, DataType::kFloat32, -40, 40);
  expect_gpu_matches_ref(c, lrn_tol(), describe(c) + " default attributes");
}

TEST(VulkanLrn, RanksTwoToFive) {
  for (const Shape& x : {Shape{3, 9}, Shape{2, 6, 7}, Shape{1, 5, 3, 4}, Shape{2, 4, 3, 2, 5}}) {
    OpCall c = lrn_call(x, 3);
    c.attrs.set_float("alpha", 0.2f);
    expect_gpu_matches_ref(c, lrn_tol(), describe(c));
  }
}

TEST(VulkanLrn, WorkgroupBoundariesAndManyGroups) {
  // numel 255 / 256 / 257 (workgroup 256), and an AlexNet-sized layer (grid-stride loop).
  for (const Shape& x : {Shape{1, 5, 51}, Shape{1, 4, 64}, Shape{1, 1, 257}, Shape{1, 96, 55, 55}}) {
    OpCall c = lrn_call(x, 5);
    c.attrs.set_float("alpha", 1e-2f);
    expect_gpu_matches_ref(c, lrn_tol(), describe(c));
  }
}

TEST(VulkanLrn, EmptyTensors) {
  for (const Shape& x : {Shape{0, 3, 4, 4}, Shape{2, 0, 4}, Shape{2, 3, 0, 5}}) {
    OpCall c = lrn_call(x, 3);
    auto got = run_op(vulkan_backend_for_tests(), c);
    ASSERT_TRUE(got.ok()) << describe(c) << ": " << got.status().message();
    EXPECT_EQ(got->at(0).shape(), x);
  }
}

TEST(VulkanLrn, SpecialValues) {
  OpCall c = lrn_call({1, 4, 3}, 3);
  float* p = c.inputs[0].data_as<float>();
  p[0] = std::numeric_limits<float>::quiet_NaN();  // NaN spreads over its window
  p[4] = std::numeric_limits<float>::infinity();
  p[8] = 0.0f;
  p[9] = -0.0f;
  expect_gpu_matches_ref(c, lrn_tol(), describe(c) + " with NaN/Inf/zeros");
}

TEST(VulkanLrn, Float16Storage) {
  for (const Shape& x : {Shape{2, 6, 5, 5}, Shape{1, 3, 257}, Shape{1, 8, 2, 3, 2}})
    for (int64_t size : {1, 3, 4, 5}) {
      OpCall c = lrn_call(x, size, DataType::kFloat16);
      c.attrs.set_float("alpha", 0.1f);
      auto got = run_op(vulkan_backend_for_tests(), c);
      ASSERT_TRUE(got.ok()) << describe(c) << ": " << got.status().message();
      EXPECT_EQ(got->at(0).dtype(), DataType::kFloat16);
      expect_gpu_matches_ref(c, lrn_f16_tol(), describe(c));
    }
}

TEST(VulkanLrn, RefusalsNameWhatIsMissing) {
  OpCall f64 = lrn_call({1, 3, 2, 2}, 3, DataType::kFloat64);
  EXPECT_NE(vulkan_refusal(f64).find("dtype float64"), std::string::npos) << vulkan_refusal(f64);
}

}  // namespace
}  // namespace edgerun::test
