// Device memory of GPU regions: with static shapes the activation arena is planned (and the
// command buffer recorded) at session creation and reported in SessionReport::gpu_arena_bytes;
// with dynamic shapes it is planned on the first run of each shape (report: 0); tensors larger
// than one binding (maxStorageBufferRange) are refused per node with a reason.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "edgerun/session.h"
#include "support/model_builder.h"

namespace edgerun {
namespace {

using test::ModelBuilder;

SessionOptions gpu_options() {
  SessionOptions o;
  o.backend = "vulkan";
  o.pipeline_cache = false;
  return o;
}

// x -> Relu -> Mul(2) -> Sigmoid -> Add(x) -> Relu -> Mul(0.5) -> y: the intermediates of the
// chain die one after another, so a liveness plan reuses memory (x lives to the Add).
ModelBuilder chain_model(const std::vector<test::DimSpec>& dims) {
  ModelBuilder b;
  b.opset(13);
  b.input("x", DataType::kFloat32, dims);
  b.initializer("two", test::float_tensor({1}, {2.0f}));
  b.initializer("half", test::float_tensor({1}, {0.5f}));
  b.node("Relu", {"x"}, {"a"}, {}, "relu_a");
  b.node("Mul", {"a", "two"}, {"b"}, {}, "mul_b");
  b.node("Sigmoid", {"b"}, {"c"}, {}, "sigmoid_c");
  b.node("Add", {"c", "x"}, {"d"}, {}, "add_d");
  b.node("Relu", {"d"}, {"e"}, {}, "relu_e");
  b.node("Mul", {"e", "half"}, {"y"}, {}, "mul_y");
  b.output("y", DataType::kFloat32, dims);
  return b;
}

Tensor ramp(Shape shape) {
  Tensor t = Tensor::allocate(DataType::kFloat32, std::move(shape)).value();
  float* p = t.data_as<float>();
  for (int64_t i = 0; i < t.numel(); ++i) p[i] = static_cast<float>((i * 37) % 101) / 25.0f - 2.0f;
  return t;
}

float expected(float x) { return 0.5f * std::max(0.0f, 1.0f / (1.0f + std::exp(-2.0f * std::max(0.0f, x))) + x); }

void expect_chain_output(const Tensor& x, const Tensor& y) {
  ASSERT_EQ(y.shape(), x.shape());
  const float* px = x.data_as<float>();
  const float* py = y.data_as<float>();
  for (int64_t i = 0; i < x.numel(); ++i) ASSERT_NEAR(py[i], expected(px[i]), 1e-5f) << "element " << i;
}

TEST(VulkanMemory, StaticShapesArePlannedAtLoad) {
  auto s = test::make_session(chain_model({1, 4, 16, 16}), gpu_options());
  ASSERT_TRUE(s.ok()) << s.status().message();
  const SessionReport& r = s->report();
  if (r.gpu_device.empty()) GTEST_SKIP() << "no Vulkan device on this machine: " << (r.backend_notes.empty() ? "" : r.backend_notes[0]);
  ASSERT_EQ(r.gpu_regions, 1);
  ASSERT_EQ(r.data_nodes_gpu, 6);
  const uint64_t value_bytes = 1 * 4 * 16 * 16 * sizeof(float);
  // x and at least one chain value live at once; the 7 device values without reuse.
  EXPECT_GE(r.gpu_arena_bytes, 2 * value_bytes);
  EXPECT_GE(r.gpu_arena_naive_bytes, 7 * value_bytes);
  EXPECT_LT(r.gpu_arena_bytes, r.gpu_arena_naive_bytes) << "the liveness plan reuses nothing";
  EXPECT_EQ(r.gpu_largest_binding_bytes, value_bytes);
  EXPECT_GT(r.gpu_binding_limit_bytes, value_bytes);

  // The first run replays what was recorded at load, in the arena the report describes.
  const Tensor x = ramp({1, 4, 16, 16});
  RunProfile profile;
  auto y = s->run(std::vector<Tensor>{x}, &profile);
  ASSERT_TRUE(y.ok()) << y.status().message();
  expect_chain_output(x, (*y)[0]);
  ASSERT_EQ(profile.regions.size(), 1u);
  EXPECT_EQ(profile.regions[0].arena_bytes, r.gpu_arena_bytes);
  EXPECT_FALSE(profile.regions[0].recorded) << "the command buffer was not recorded at load";
  auto y2 = s->run(std::vector<Tensor>{x}, &profile);
  ASSERT_TRUE(y2.ok()) << y2.status().message();
  expect_chain_output(x, (*y2)[0]);
  EXPECT_EQ(profile.regions[0].arena_bytes, r.gpu_arena_bytes);
}

TEST(VulkanMemory, DynamicShapesArePlannedOnTheFirstRun) {
  auto s = test::make_session(chain_model({"N", 4, 16, 16}), gpu_options());
  ASSERT_TRUE(s.ok()) << s.status().message();
  const SessionReport& r = s->report();
  if (r.gpu_device.empty()) GTEST_SKIP() << "no Vulkan device on this machine: " << (r.backend_notes.empty() ? "" : r.backend_notes[0]);
  ASSERT_EQ(r.gpu_regions, 1);
  EXPECT_EQ(r.gpu_arena_bytes, 0u);
  EXPECT_EQ(r.gpu_arena_naive_bytes, 0u);
  uint64_t arena_n2 = 0;
  for (int64_t n : {2, 3, 2}) {
    const Tensor x = ramp({n, 4, 16, 16});
    RunProfile profile;
    auto y = s->run(std::vector<Tensor>{x}, &profile);
    ASSERT_TRUE(y.ok()) << y.status().message();
    expect_chain_output(x, (*y)[0]);
    ASSERT_EQ(profile.regions.size(), 1u);
    EXPECT_TRUE(profile.regions[0].recorded) << "N=" << n << ": a new shape is recorded";
    EXPECT_GE(profile.regions[0].arena_bytes, 2 * static_cast<uint64_t>(n) * 4 * 16 * 16 * sizeof(float));
    if (n == 2 && arena_n2 == 0) arena_n2 = profile.regions[0].arena_bytes;
    if (n == 2) {
      EXPECT_EQ(profile.regions[0].arena_bytes, arena_n2);
    }
  }
}

// The most elements of float32 one binding holds (0 when there is no Vulkan device).
uint64_t binding_limit_floats(std::string* device) {
  auto s = test::make_session(chain_model({1, 4}), gpu_options());
  if (!s.ok() || s->report().gpu_device.empty()) return 0;
  *device = s->report().gpu_device;
  return std::min<uint64_t>(s->report().gpu_binding_limit_bytes / sizeof(float), (uint64_t{1} << 31) - 1);
}

TEST(VulkanMemory, TensorOverOneBindingIsRefusedPerNode) {
  std::string device;
  const uint64_t limit = binding_limit_floats(&device);
  if (limit == 0) GTEST_SKIP() << "no Vulkan device on this machine";
  // x fits one binding; Tile doubles it into a tensor that does not; Relu reads that one.
  const int64_t half = static_cast<int64_t>(limit / 2 + 1);
  ModelBuilder b;
  b.opset(13);
  b.input("x", DataType::kFloat32, {1, half});
  b.initializer("reps", test::int64_tensor({2}, {1, 2}));
  b.node("Relu", {"x"}, {"a"}, {}, "small_relu");
  b.node("Tile", {"a", "reps"}, {"big"}, {}, "big_tile");
  b.node("Relu", {"big"}, {"y"}, {}, "big_relu");
  b.output("y", DataType::kFloat32, {1, 2 * half});
  // Creation only: nothing of that size is allocated at load.
  auto s = test::make_session(b, gpu_options());
  ASSERT_TRUE(s.ok()) << s.status().message();
  const uint64_t big_bytes = static_cast<uint64_t>(2 * half) * sizeof(float);
  for (const NodePlacement& n : s->report().nodes) {
    if (n.name == "small_relu") {
      EXPECT_EQ(n.backend, "vulkan") << n.reason;
      continue;
    }
    SCOPED_TRACE(n.name);
    EXPECT_NE(n.backend, "vulkan");
    EXPECT_NE(n.reason.find("node '" + n.name + "' (" + n.op_type + ")"), std::string::npos) << n.reason;
    EXPECT_NE(n.reason.find(std::to_string(big_bytes) + " bytes"), std::string::npos) << n.reason;
    EXPECT_NE(n.reason.find("maxStorageBufferRange"), std::string::npos) << n.reason;
  }
  // --no-fallback: creation fails and names the nodes.
  SessionOptions strict = gpu_options();
  strict.no_fallback = true;
  auto t = test::make_session(b, strict);
  ASSERT_FALSE(t.ok());
  EXPECT_NE(t.status().message().find("big_tile"), std::string::npos) << t.status().message();
  EXPECT_NE(t.status().message().find("big_relu"), std::string::npos) << t.status().message();
}

TEST(VulkanMemory, DynamicTensorOverOneBindingFailsTheRunWithAReason) {
  std::string device;
  const uint64_t limit = binding_limit_floats(&device);
  if (limit == 0) GTEST_SKIP() << "no Vulkan device on this machine";
  if (limit > (uint64_t{1} << 26))
    GTEST_SKIP() << "the binding limit of " << device << " needs a host input over " << limit * 4
                 << " bytes: too large for a unit test";
  // [N, 1024] with N over the limit: the size is only known at run time.
  auto s = test::make_session(chain_model({"N", 1024}), gpu_options());
  ASSERT_TRUE(s.ok()) << s.status().message();
  ASSERT_EQ(s->report().gpu_regions, 1);
  const int64_t n = static_cast<int64_t>(limit / 1024 + 1);
  auto x = Tensor::allocate(DataType::kFloat32, {n, 1024});
  ASSERT_TRUE(x.ok());
  std::fill(x->data_as<float>(), x->data_as<float>() + x->numel(), 1.0f);
  auto y = s->run(std::vector<Tensor>{*x});
  ASSERT_FALSE(y.ok());
  EXPECT_EQ(y.status().code(), StatusCode::kResourceExhausted) << y.status().message();
  EXPECT_NE(y.status().message().find("maxStorageBufferRange"), std::string::npos) << y.status().message();
  EXPECT_NE(y.status().message().find("'x'"), std::string::npos) << y.status().message();
  // A smaller shape still runs afterwards.
  const Tensor small = ramp({3, 1024});
  auto z = s->run(std::vector<Tensor>{small});
  ASSERT_TRUE(z.ok()) << z.status().message();
  expect_chain_output(small, (*z)[0]);
}

}  // namespace
}  // namespace edgerun
