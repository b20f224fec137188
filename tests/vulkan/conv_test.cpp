// Vulkan Conv (pointwise GEMM, implicit GEMM, direct/depthwise paths) and ConvTranspose vs the
// reference backend: 1-3 spatial dims, groups, strides, dilations, symmetric and asymmetric pads,
// auto_pad, bias, fused activations, output positions / channels / reduction sizes around the
// 64-wide tiles, float16 storage.
#include <gtest/gtest.h>

#include "vulkan/gpu_compare.h"

namespace edgerun::test {
namespace {

uint32_t g_seed = 1000;

struct ConvSpec {
  Shape x, w;
  std::vector<int64_t> strides, dilations, pads;
  int64_t group = 1;
  std::string auto_pad;
  bool bias = true;
};

OpCall conv_call(const char* op, DataType dt, const ConvSpec& s, int64_t bias_len) {
  OpCall c{op};
  c.inputs = {random_tensor(dt, s.x, g_seed), random_tensor(dt, s.w, g_seed + 1)};
  if (s.bias) c.inputs.push_back(random_tensor(dt, {bias_len}, g_seed + 2));
  g_seed += 3;
  if (!s.strides.empty()) c.attrs.set_ints("strides", s.strides);
  if (!s.dilations.empty()) c.attrs.set_ints("dilations", s.dilations);
  if (!s.pads.empty()) c.attrs.set_ints("pads", s.pads);
  if (!s.auto_pad.empty()) c.attrs.set_string("auto_pad", s.auto_pad);
  if (s.group != 1) c.attrs.set_int("group", s.group);
  c.constant_inputs = {false, true, true};
  return c;
}

int64_t reduction(const Shape& w) {  // Cg * prod(kernel)
  int64_t k = 1;
  for (size_t i = 1; i < w.size(); ++i) k *= w[i];
  return k;
}

std::string describe(const ConvSpec& s) {
  std::string d = "X " + shape_to_string(s.x) + " W " + shape_to_string(s.w) + " group " + std::to_string(s.group);
  if (!s.strides.empty()) d += " strides " + shape_to_string(s.strides);
  if (!s.dilations.empty()) d += " dilations " + shape_to_string(s.dilations);
  if (!s.pads.empty()) d += " pads " + shape_to_string(s.pads);
  if (!s.auto_pad.empty()) d += " " + s.auto_pad;
  if (!s.bias) d += " no bias";
  return d;
}

void check_conv(const ConvSpec& s, DataType dt = DataType::kFloat32, const std::string& act = "",
                std::vector<float> params = {}) {
  OpCall c = conv_call("Conv", dt, s, s.w[0]);
  c.fused_activation = act;
  c.fused_activation_params = std::move(params);
  const int64_t k = reduction(s.w);
  expect_gpu_matches_ref(c, dt == DataType::kFloat16 ? fp16_tol(k) : fp32_tol(k),
                         "Conv " + describe(s) + (act.empty() ? "" : " + " + act) +
                             (dt == DataType::kFloat16 ? " f16" : ""));
}

// Pointwise (1x1, stride 1, no pads): the plain GEMM path. Sizes around the 64-wide tiles.
TEST(VulkanConv, PointwiseTiles) {
  for (int64_t m : {8, 63, 64, 65})
    for (int64_t c : {1, 16, 17, 65})
      for (const Shape& hw : std::vector<Shape>{{7, 9}, {8, 8}, {5, 13}})
        check_conv({{2, c, hw[0], hw[1]}, {m, c, 1, 1}});
}

// The implicit GEMM: kernels, strides, dilations, pads (incl. asymmetric), auto_pad.
TEST(VulkanConv, ImplicitGemm2D) {
  std::vector<ConvSpec> cases = {
      {{1, 3, 9, 9}, {16, 3, 3, 3}, {}, {}, {1, 1, 1, 1}},
      {{2, 7, 10, 11}, {64, 7, 3, 3}, {2, 2}, {}, {1, 1, 1, 1}},
      {{1, 9, 12, 12}, {65, 9, 3, 3}, {1, 1}, {2, 2}, {2, 2, 2, 2}},
      {{1, 4, 11, 8}, {12, 4, 5, 3}, {3, 2}, {1, 2}, {0, 1, 2, 0}},  // asymmetric pads
      {{2, 5, 9, 9}, {16, 5, 3, 3}, {2, 2}, {}, {}, 1, "SAME_UPPER"},
      {{2, 5, 9, 9}, {16, 5, 4, 4}, {2, 2}, {}, {}, 1, "SAME_LOWER"},
      {{1, 5, 10, 9}, {16, 5, 3, 2}, {2, 1}, {}, {}, 1, "VALID"},
      {{1, 6, 8, 8}, {16, 6, 1, 1}, {2, 2}, {}, {}},                 // 1x1 with stride: not pointwise
      {{1, 6, 8, 8}, {16, 6, 1, 1}, {}, {}, {1, 0, 1, 0}},          // 1x1 with pads
      {{1, 3, 9, 9}, {16, 3, 3, 3}, {}, {}, {}, 1, "", false},        // no bias
      {{1, 3, 3, 3}, {16, 3, 3, 3}, {}, {}, {3, 3, 3, 3}},          // pads larger than the kernel
  };
  for (const ConvSpec& s : cases) check_conv(s);
}

// Many output channels and positions: 128x128 tiles.
TEST(VulkanConv, LargeTiles) {
  check_conv({{1, 20, 12, 12}, {128, 20, 3, 3}, {}, {}, {1, 1, 1, 1}});           // 128 x 144
  check_conv({{2, 33, 16, 17}, {129, 33, 1, 1}});                                 // pointwise 129 x 272
  check_conv({{1, 16, 20, 20}, {256, 8, 3, 3}, {2, 2}, {}, {1, 0, 1, 0}, 2}, DataType::kFloat32, "Relu");
  check_conv({{1, 16, 16, 16}, {160, 16, 3, 3}, {}, {}, {1, 1, 1, 1}}, DataType::kFloat16, "Relu");
}

// Few output channels per group and many positions: 16x128 / 32x128 tiles.
TEST(VulkanConv, SkinnyTiles) {
  check_conv({{1, 8, 11, 12}, {16, 8, 3, 3}, {}, {}, {1, 1, 1, 1}});     // 16 x 132
  check_conv({{2, 9, 16, 16}, {32, 9, 1, 1}});                         // pointwise 32 x 256
  check_conv({{1, 6, 8, 16}, {24, 3, 3, 3}, {}, {}, {1, 1, 1, 1}, 2});  // 2 groups of 12 x 128
  check_conv({{1, 5, 3, 3}, {128, 5, 3, 3}, {}, {}, {1, 1, 1, 1}});       // 128 x 9: 128x16 tile
  check_conv({{1, 5, 4, 6}, {100, 5, 3, 3}, {}, {}, {1, 1, 1, 1}}, DataType::kFloat16);  // 100 x 24
}

TEST(VulkanConv, Groups) {
  check_conv({{2, 16, 9, 9}, {32, 8, 3, 3}, {}, {}, {1, 1, 1, 1}, 2});       // GEMM, 2 groups
  check_conv({{1, 12, 8, 8}, {24, 4, 1, 1}, {}, {}, {}, 3});                 // pointwise, 3 groups
  check_conv({{1, 8, 9, 9}, {8, 2, 3, 3}, {}, {}, {1, 1, 1, 1}, 4});         // direct (Mg = 2)
  check_conv({{2, 32, 17, 17}, {32, 1, 3, 3}, {2, 2}, {}, {1, 1, 1, 1}, 32});  // depthwise
  check_conv({{1, 8, 10, 10}, {16, 1, 5, 5}, {}, {2, 2}, {4, 4, 4, 4}, 8});  // depthwise x2, dilated
  check_conv({{1, 1, 28, 28}, {8, 1, 5, 5}, {}, {}, {2, 2, 2, 2}});          // one input channel
}

TEST(VulkanConv, OneAndThreeSpatialDims) {
  check_conv({{2, 5, 33}, {16, 5, 3}, {2}, {}, {1, 2}});
  check_conv({{1, 4, 65}, {65, 4, 1}});
  check_conv({{1, 6, 20}, {6, 1, 4}, {}, {3}, {3, 3}, 6});
  check_conv({{1, 3, 6, 7, 8}, {16, 3, 3, 3, 3}, {1, 2, 1}, {}, {1, 1, 0, 1, 0, 1}});
  check_conv({{1, 8, 5, 6, 7}, {8, 1, 3, 3, 3}, {}, {1, 2, 1}, {1, 2, 1, 1, 2, 1}, 8});
}

TEST(VulkanConv, EmptyBatch) { check_conv({{0, 3, 8, 8}, {16, 3, 3, 3}, {}, {}, {1, 1, 1, 1}}); }

TEST(VulkanConv, FusedActivations) {
  const std::vector<std::pair<std::string, std::vector<float>>> acts = {
      {"Relu", {}},          {"Sigmoid", {}},     {"Tanh", {}},
      {"LeakyRelu", {0.1f}}, {"Clip", {0.0f, 6.0f}}, {"HardSigmoid", {0.2f, 0.5f}},
      {"HardSwish", {}},
  };
  for (const auto& [act, params] : acts) {
    check_conv({{1, 8, 9, 9}, {16, 8, 3, 3}, {}, {}, {1, 1, 1, 1}}, DataType::kFloat32, act, params);  // GEMM
    check_conv({{1, 8, 9, 9}, {8, 1, 3, 3}, {}, {}, {1, 1, 1, 1}, 8}, DataType::kFloat32, act, params);  // direct
  }
  check_conv({{1, 8, 6, 6}, {16, 8, 1, 1}}, DataType::kFloat32, "Clip", {-0.25f, 0.25f});  // pointwise
}

TEST(VulkanConv, Float16Storage) {
  const DataType h = DataType::kFloat16;
  check_conv({{2, 17, 8, 8}, {65, 17, 1, 1}}, h);
  check_conv({{1, 7, 10, 11}, {64, 7, 3, 3}, {2, 2}, {}, {1, 0, 1, 2}}, h, "Relu");
  check_conv({{1, 16, 9, 9}, {16, 1, 3, 3}, {}, {}, {1, 1, 1, 1}, 16}, h, "HardSwish");
  check_conv({{1, 3, 5, 6, 7}, {16, 3, 3, 3, 3}, {}, {}, {1, 1, 1, 1, 1, 1}}, h);
}

// ---- ConvTranspose ----

void check_conv_transpose(const ConvSpec& s, const std::vector<int64_t>& output_padding = {},
                          const std::vector<int64_t>& output_shape = {}, DataType dt = DataType::kFloat32,
                          const std::string& act = "") {
  OpCall c = conv_call("ConvTranspose", dt, s, s.w[1] * s.group);
  if (!output_padding.empty()) c.attrs.set_ints("output_padding", output_padding);
  if (!output_shape.empty()) c.attrs.set_ints("output_shape", output_shape);
  c.fused_activation = act;
  int64_t k = s.x[1];
  for (size_t i = 2; i < s.w.size(); ++i) k *= s.w[i];
  std::string what = "ConvTranspose " + describe(s);
  if (!output_padding.empty()) what += " output_padding " + shape_to_string(output_padding);
  if (!output_shape.empty()) what += " output_shape " + shape_to_string(output_shape);
  expect_gpu_matches_ref(c, dt == DataType::kFloat16 ? fp16_tol(k) : fp32_tol(k), what + " " + act);
}

TEST(VulkanConvTranspose, Attributes) {
  check_conv_transpose({{1, 3, 5, 5}, {3, 2, 3, 3}});
  check_conv_transpose({{2, 4, 5, 6}, {4, 3, 3, 3}, {2, 2}, {}, {1, 1, 1, 1}});
  check_conv_transpose({{1, 4, 5, 6}, {4, 3, 3, 2}, {3, 2}, {}, {0, 1, 2, 0}}, {1, 1});
  check_conv_transpose({{1, 2, 5, 5}, {2, 3, 3, 3}, {1, 1}, {2, 2}});
  check_conv_transpose({{1, 4, 5, 5}, {4, 2, 3, 3}, {2, 2}, {}, {}, 2});
  check_conv_transpose({{1, 3, 4, 4}, {3, 2, 3, 3}, {2, 2}, {}, {}, 1, "SAME_UPPER"});
  check_conv_transpose({{1, 3, 4, 4}, {3, 2, 3, 3}, {2, 2}, {}, {}, 1, "SAME_LOWER"});
  check_conv_transpose({{1, 3, 4, 4}, {3, 2, 3, 3}, {3, 3}, {}, {}}, {}, {10, 8});
  check_conv_transpose({{1, 3, 4, 4}, {3, 2, 3, 3}, {2, 2}, {}, {}, 1, "", false});
}

TEST(VulkanConvTranspose, OneAndThreeDimsActivationFloat16) {
  check_conv_transpose({{2, 3, 7}, {3, 5, 4}, {2}, {}, {1, 0}});
  check_conv_transpose({{1, 2, 3, 4, 5}, {2, 3, 3, 3, 3}, {2, 1, 2}, {}, {1, 0, 1, 0, 1, 1}});
  check_conv_transpose({{1, 4, 5, 5}, {4, 8, 3, 3}, {2, 2}, {}, {1, 1, 1, 1}}, {1, 1}, {}, DataType::kFloat32,
                       "Sigmoid");
  check_conv_transpose({{1, 4, 5, 5}, {4, 8, 3, 3}, {2, 2}, {}, {1, 1, 1, 1}}, {}, {}, DataType::kFloat16, "Relu");
}

TEST(VulkanConv, RefusesWithReasons) {
  OpCall c = conv_call("Conv", DataType::kFloat64, {{1, 2, 4, 4}, {2, 2, 3, 3}}, 2);
  std::string why = vulkan_refusal(c);
  EXPECT_NE(why.find("dtype float64 not supported"), std::string::npos) << why;
  OpCall c4 = conv_call("Conv", DataType::kFloat32, {{1, 2, 3, 3, 3, 3}, {2, 2, 1, 1, 1, 1}}, 2);
  why = vulkan_refusal(c4);
  EXPECT_NE(why.find("4 spatial dims not supported"), std::string::npos) << why;
}

}  // namespace
}  // namespace edgerun::test
