// Vulkan MatMul / Gemm (tiled SGEMM, shaders/gemm.comp) vs the reference backend: sizes around the
// 64x64 tile and the 16-deep K slice, batch broadcasting (incl. 5 non-mergeable batch
// dims and more batches than one dispatch dimension), 1-D operands, Gemm attributes and C
// broadcasting, fused activations, float16 storage.
#include <gtest/gtest.h>

#include "vulkan/gpu_compare.h"

namespace edgerun::test {
namespace {

uint32_t g_seed = 1;

OpCall gemm_call(DataType dt, int64_t m, int64_t n, int64_t k, bool ta, bool tb) {
  OpCall c{"Gemm"};
  c.inputs = {random_tensor(dt, ta ? Shape{k, m} : Shape{m, k}, g_seed),
              random_tensor(dt, tb ? Shape{n, k} : Shape{k, n}, g_seed + 1)};
  g_seed += 2;
  c.attrs.set_int("transA", ta);
  c.attrs.set_int("transB", tb);
  return c;
}

OpCall matmul(DataType dt, const Shape& a, const Shape& b) {
  OpCall c{"MatMul"};
  c.inputs = {random_tensor(dt, a, g_seed), random_tensor(dt, b, g_seed + 1)};
  g_seed += 2;
  return c;
}

std::string str(const Shape& s) { return shape_to_string(s); }

TEST(VulkanMatMul, TileBoundaries) {
  const int64_t sizes[] = {1, 63, 64, 65, 127};
  const int64_t ks[] = {1, 15, 16, 17, 64, 65, 127};
  int i = 0;
  for (int64_t m : sizes)
    for (int64_t n : sizes) {
      const int64_t k = ks[i++ % 7];
      OpCall c = matmul(DataType::kFloat32, {m, k}, {k, n});
      expect_gpu_matches_ref(c, fp32_tol(k), "MatMul " + str({m, k}) + " x " + str({k, n}));
    }
}

// Large products use 128x128 tiles (where the device has 16.5 KiB of shared memory).
TEST(VulkanMatMul, LargeTiles) {
  const int64_t sizes[] = {128, 129, 255, 256, 257};
  const int64_t ks[] = {1, 16, 33, 128, 300};
  int i = 0;
  for (int64_t m : sizes)
    for (int64_t n : sizes) {
      const int64_t k = ks[i++ % 5];
      OpCall c = matmul(DataType::kFloat32, {m, k}, {k, n});
      expect_gpu_matches_ref(c, fp32_tol(k), "MatMul " + str({m, k}) + " x " + str({k, n}));
    }
  OpCall h = matmul(DataType::kFloat16, {2, 130, 70}, {70, 200});
  h.fused_activation = "Tanh";
  expect_gpu_matches_ref(h, fp16_tol(70), "MatMul f16 [2,130,70] x [70,200] + Tanh");
  OpCall g = gemm_call(DataType::kFloat32, 300, 140, 64, true, true);
  expect_gpu_matches_ref(g, fp32_tol(64), "Gemm 300x140x64 transA transB");
}

// Skinny products use 16x128, 32x128, 128x16 and 128x32 tiles (kernels/gemm_tiles.h).
TEST(VulkanMatMul, SkinnyTiles) {
  const int64_t shapes[][3] = {{16, 127, 20}, {16, 128, 33}, {9, 129, 17}, {32, 255, 16}, {17, 257, 65},
                               {127, 16, 31}, {129, 9, 40}, {200, 12, 17}, {130, 30, 64}, {257, 32, 5}};
  for (const auto& d : shapes) {
    OpCall c = matmul(DataType::kFloat32, {d[0], d[2]}, {d[2], d[1]});
    expect_gpu_matches_ref(c, fp32_tol(d[2]), "MatMul " + str({d[0], d[2]}) + " x " + str({d[2], d[1]}));
    OpCall h = matmul(DataType::kFloat16, {2, d[0], d[2]}, {d[2], d[1]});
    expect_gpu_matches_ref(h, fp16_tol(d[2]), "MatMul f16 " + str({2, d[0], d[2]}) + " x " + str({d[2], d[1]}));
  }
}

TEST(VulkanMatMul, LongK) {
  for (int64_t k : {255, 1000, 2049}) {
    OpCall c = matmul(DataType::kFloat32, {33, k}, {k, 70});
    expect_gpu_matches_ref(c, fp32_tol(k), "MatMul K " + std::to_string(k));
  }
}

TEST(VulkanMatMul, BatchAndBroadcast) {
  const std::vector<std::pair<Shape, Shape>> cases = {
      {{2, 3, 5, 7}, {2, 3, 7, 4}},        // plain batch
      {{2, 3, 5, 7}, {7, 4}},              // B broadcast
      {{7}, {2, 7, 66}},                   // 1-D A
      {{3, 65, 7}, {7}},                   // 1-D B
      {{7}, {7}},                          // 1-D x 1-D -> scalar
      {{4, 1, 9, 16}, {1, 5, 16, 65}},     // both broadcast
      {{1, 1, 3, 8}, {2, 2, 8, 3}},        // size-1 batch dims
      {{2, 1, 2, 1, 2, 3, 4}, {1, 2, 1, 2, 1, 4, 5}},  // 5 non-mergeable batch dims (the most: rank 7)
      {{70, 1, 3, 1, 2, 3, 4}, {1, 2, 1, 2, 1, 4, 9}},
      {{3, 1, 3, 1, 5, 6}, {1, 2, 1, 2, 6, 7}},
  };
  for (const auto& [a, b] : cases) {
    OpCall c = matmul(DataType::kFloat32, a, b);
    expect_gpu_matches_ref(c, fp32_tol(a.back()), "MatMul " + str(a) + " x " + str(b));
  }
}

TEST(VulkanMatMul, MoreBatchesThanOneDispatchDimension) {
  OpCall c = matmul(DataType::kFloat32, {70000, 1, 3}, {70000, 3, 2});
  expect_gpu_matches_ref(c, fp32_tol(3), "MatMul 70000 batches");
}

TEST(VulkanMatMul, EmptyAndZeroK) {
  expect_gpu_matches_ref(matmul(DataType::kFloat32, {0, 5}, {5, 3}), exact_tol(), "M = 0");
  expect_gpu_matches_ref(matmul(DataType::kFloat32, {2, 0, 5}, {5, 3}), exact_tol(), "batch M = 0");
  // K = 0: the result is all zeros.
  expect_gpu_matches_ref(matmul(DataType::kFloat32, {4, 0}, {0, 3}), exact_tol(), "K = 0");
}

TEST(VulkanMatMul, FusedActivations) {
  const std::vector<std::pair<std::string, std::vector<float>>> acts = {
      {"Relu", {}},          {"Sigmoid", {}},        {"Tanh", {}},
      {"LeakyRelu", {0.1f}}, {"Clip", {-0.5f, 0.7f}}, {"HardSigmoid", {0.3f, 0.4f}},
      {"HardSwish", {}},
  };
  for (const auto& [act, params] : acts) {
    OpCall c = matmul(DataType::kFloat32, {2, 65, 20}, {20, 33});
    c.fused_activation = act;
    c.fused_activation_params = params;
    expect_gpu_matches_ref(c, fp32_tol(20), "MatMul + " + act);
  }
}

TEST(VulkanMatMul, Float16Storage) {
  for (const auto& [a, b] : std::vector<std::pair<Shape, Shape>>{
           {{65, 33}, {33, 64}}, {{2, 3, 17, 40}, {40, 9}}, {{40}, {40, 5}}, {{1, 127}, {127, 63}}}) {
    OpCall c = matmul(DataType::kFloat16, a, b);
    expect_gpu_matches_ref(c, fp16_tol(a.back()), "MatMul f16 " + str(a) + " x " + str(b));
  }
  OpCall c = matmul(DataType::kFloat16, {64, 64}, {64, 65});
  c.fused_activation = "HardSwish";
  expect_gpu_matches_ref(c, fp16_tol(64), "MatMul f16 + HardSwish");
}

TEST(VulkanMatMul, RefusesWithReasons) {
  OpCall ints{"MatMul"};
  ints.inputs = {make_tensor<int32_t>({2, 2}, {1, 2, 3, 4}), make_tensor<int32_t>({2, 2}, {1, 0, 0, 1})};
  std::string why = vulkan_refusal(ints);
  EXPECT_NE(why.find("dtype int32 not supported"), std::string::npos) << why;
  OpCall rank8 = matmul(DataType::kFloat32, {2, 1, 2, 1, 2, 1, 3, 4}, {4, 5});
  why = vulkan_refusal(rank8);
  EXPECT_NE(why.find("rank 8 not supported"), std::string::npos) << why;
  OpCall dbl = matmul(DataType::kFloat64, {2, 2}, {2, 2});
  why = vulkan_refusal(dbl);
  EXPECT_NE(why.find("dtype float64 not supported"), std::string::npos) << why;
}

// ---- Gemm ----

OpCall gemm(DataType dt, int64_t m, int64_t n, int64_t k, bool ta, bool tb, const Shape* c_shape) {
  OpCall c{"Gemm"};
  c.inputs = {random_tensor(dt, ta ? Shape{k, m} : Shape{m, k}, g_seed),
              random_tensor(dt, tb ? Shape{n, k} : Shape{k, n}, g_seed + 1)};
  if (c_shape) c.inputs.push_back(random_tensor(dt, *c_shape, g_seed + 2));
  g_seed += 3;
  c.attrs.set_int("transA", ta);
  c.attrs.set_int("transB", tb);
  return c;
}

TEST(VulkanGemm, TransposesAndTiles) {
  const int64_t dims[][3] = {{1, 1, 1}, {63, 65, 17}, {64, 64, 64}, {65, 63, 127}, {127, 1, 33}, {3, 130, 5}};
  for (const auto& d : dims)
    for (int ta = 0; ta < 2; ++ta)
      for (int tb = 0; tb < 2; ++tb) {
        OpCall c = gemm(DataType::kFloat32, d[0], d[1], d[2], ta, tb, nullptr);
        expect_gpu_matches_ref(c, fp32_tol(d[2]),
                               str({d[0], d[1], d[2]}) + " transA " + std::to_string(ta) + " transB " + std::to_string(tb));
      }
}

TEST(VulkanGemm, AlphaBetaAndCBroadcast) {
  const int64_t m = 65, n = 34, k = 19;
  const std::vector<Shape> cs = {{}, {1}, {n}, {m, 1}, {1, n}, {m, n}, {1, 1}};
  for (const Shape& cshape : cs) {
    OpCall c = gemm(DataType::kFloat32, m, n, k, false, true, &cshape);
    c.attrs.set_float("alpha", 0.75f);
    c.attrs.set_float("beta", -1.5f);
    expect_gpu_matches_ref(c, fp32_tol(k), "Gemm C " + str(cshape));
  }
  // beta = 0 still reads C (0 * inf is NaN in the reference too).
  const Shape cshape = {n};
  OpCall c = gemm(DataType::kFloat32, 4, n, 3, true, false, &cshape);
  c.inputs[2].data_as<float>()[5] = std::numeric_limits<float>::infinity();
  c.attrs.set_float("beta", 0.0f);
  expect_gpu_matches_ref(c, fp32_tol(3), "Gemm beta 0 with inf in C");
}

TEST(VulkanGemm, FusedActivationAndFloat16) {
  const Shape cshape = {40};
  OpCall c = gemm(DataType::kFloat32, 70, 40, 50, false, true, &cshape);
  c.fused_activation = "LeakyRelu";
  c.fused_activation_params = {0.2f};
  c.constant_inputs = {false, true, true};
  expect_gpu_matches_ref(c, fp32_tol(50), "Gemm + LeakyRelu, constant weights");
  for (int tb = 0; tb < 2; ++tb) {
    OpCall h = gemm(DataType::kFloat16, 33, 40, 70, false, tb, &cshape);
    h.attrs.set_float("alpha", 0.5f);
    h.fused_activation = "Relu";
    expect_gpu_matches_ref(h, fp16_tol(70), "Gemm f16 + Relu, transB " + std::to_string(tb));
  }
}

}  // namespace
}  // namespace edgerun::test
