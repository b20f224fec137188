// Vulkan indexing kernels (backends/vulkan/kernels/gather.cpp) vs the reference backend:
// Gather, GatherElements, GatherND, ScatterElements, ScatterND with int32/int64 (negative)
// indices, every device dtype, duplicates and reductions; plus what out-of-range indices do.
#include <gtest/gtest.h>

#include <cstring>
#include <random>

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

// Distinct values per element.
Tensor values(DataType dt, Shape shape, int seed = 0) {
  Tensor t = Tensor::allocate(dt, std::move(shape)).value();
  for (int64_t i = 0; i < t.numel(); ++i) {
    const int64_t v = i * 5 + seed;
    switch (dt) {
      case DataType::kFloat32: t.data_as<float>()[i] = static_cast<float>(v) * 0.5f - 11.0f; break;
      case DataType::kFloat16: t.data_as<uint16_t>()[i] = float_to_half(static_cast<float>(v % 2000) * 0.25f - 9.0f); break;
      case DataType::kInt64: t.data_as<int64_t>()[i] = v - 500; break;
      case DataType::kInt32: t.data_as<int32_t>()[i] = static_cast<int32_t>(3 * v - 77); break;
      case DataType::kUInt8: t.data_as<uint8_t>()[i] = static_cast<uint8_t>(v % 251); break;
      case DataType::kInt8: t.data_as<int8_t>()[i] = static_cast<int8_t>(v % 200 - 100); break;
      case DataType::kBool: t.data_as<uint8_t>()[i] = (v % 3) == 1; break;
      default: ADD_FAILURE() << "values(): dtype " << dtype_name(dt); break;
    }
  }
  return t;
}

// Random indices in [-n, n) as int64 or int32.
Tensor indices(DataType dt, Shape shape, int64_t n, uint32_t seed) {
  Tensor t = Tensor::allocate(dt, std::move(shape)).value();
  std::mt19937 rng(seed);
  for (int64_t i = 0; i < t.numel(); ++i) {
    const int64_t v = static_cast<int64_t>(rng() % static_cast<uint32_t>(2 * n)) - n;
    if (dt == DataType::kInt64) t.data_as<int64_t>()[i] = v;
    else t.data_as<int32_t>()[i] = static_cast<int32_t>(v);
  }
  return t;
}

Tensor i64(Shape shape, const std::vector<int64_t>& v) { return make_tensor<int64_t>(std::move(shape), v); }

// Bit-exact (tol == 0) or within tol.
void expect_match(const OpCall& call, const std::string& what, double tol = 0) {
  SCOPED_TRACE(what);
  auto ref = run_op(reference(), call);
  ASSERT_TRUE(ref.ok()) << ref.status().message();
  auto got = run_op(vulkan(), call);
  ASSERT_TRUE(got.ok()) << got.status().message();
  ASSERT_EQ(got->size(), ref->size());
  const Tensor& r = ref->at(0);
  const Tensor& g = got->at(0);
  ASSERT_EQ(dtype_name(g.dtype()), std::string(dtype_name(r.dtype())));
  ASSERT_EQ(shape_to_string(g.shape()), shape_to_string(r.shape()));
  if (tol == 0) {
    EXPECT_EQ(std::memcmp(r.data(), g.data(), r.nbytes()), 0) << "differs bitwise";
  } else {
    Diff d = compare(r, g);
    EXPECT_FALSE(d.nan_mismatch);
    EXPECT_LE(d.max_abs, tol);
  }
}

const DataType kDataTypes[] = {DataType::kFloat32, DataType::kFloat16, DataType::kInt64, DataType::kUInt8,
                               DataType::kBool};

TEST(VulkanGather, GatherAxesRanksAndTypes) {
  uint32_t seed = 1;
  for (DataType dt : kDataTypes)
    for (DataType it : {DataType::kInt64, DataType::kInt32}) {
      const Shape s = {4, 3, 5, 2};
      for (int64_t axis = -4; axis < 4; ++axis) {
        const int64_t n = s[static_cast<size_t>(axis < 0 ? axis + 4 : axis)];
        for (const Shape& is : std::vector<Shape>{{}, {7}, {2, 3}, {0}}) {
          OpCall c{"Gather"};
          c.inputs = {values(dt, s), indices(it, is, n, seed++)};
          c.attrs.set_int("axis", axis);
          expect_match(c, std::string("Gather ") + dtype_name(dt) + " idx " + dtype_name(it) + " axis " +
                              std::to_string(axis) + " indices " + shape_to_string(is));
        }
      }
    }
  for (size_t r = 1; r <= 6; ++r) {
    Shape s(r, 3);
    OpCall c{"Gather"};
    c.inputs = {values(DataType::kFloat32, s), indices(DataType::kInt64, {2, 2}, 3, seed++)};
    c.attrs.set_int("axis", static_cast<int64_t>(r) - 1);
    expect_match(c, "Gather rank " + std::to_string(r));
  }
}

TEST(VulkanGather, GatherLarge) {
  OpCall c{"Gather"};  // 70000 x 3 rows picked by 70000 indices
  c.inputs = {values(DataType::kFloat32, {70000, 3}), indices(DataType::kInt64, {70000}, 70000, 9)};
  expect_match(c, "Gather 70000x3 axis 0");
  OpCall e{"Gather"};  // embedding-style lookup, float16, 2-D indices
  e.inputs = {values(DataType::kFloat16, {1000, 64}), indices(DataType::kInt32, {8, 300}, 1000, 10)};
  expect_match(e, "Gather embedding float16");
  OpCall a1{"Gather"};
  a1.inputs = {values(DataType::kInt64, {3, 70000}), indices(DataType::kInt64, {5}, 70000, 11)};
  a1.attrs.set_int("axis", 1);
  expect_match(a1, "Gather 3x70000 axis 1");
}

// The reference fails on an index outside [-n, n); the device cannot fail a recorded run, so it
// writes 0 for that element and never reads out of bounds (documented in kernels/gather.cpp).
TEST(VulkanGather, OutOfRangeIndicesGiveZero) {
  OpCall c{"Gather"};
  c.inputs = {make_tensor<float>({3, 2}, {1, 2, 3, 4, 5, 6}), i64({4}, {1, 3, -4, -1})};
  auto ref = run_op(reference(), c);
  EXPECT_FALSE(ref.ok());
  auto got = run_op(vulkan(), c);
  ASSERT_TRUE(got.ok()) << got.status().message();
  const float* y = got->at(0).data_as<float>();
  const std::vector<float> want = {3, 4, 0, 0, 0, 0, 5, 6};
  for (size_t i = 0; i < want.size(); ++i) EXPECT_EQ(y[i], want[i]) << i;
}

TEST(VulkanGather, GatherElements) {
  uint32_t seed = 100;
  for (DataType dt : kDataTypes)
    for (int64_t axis : {0, 1, 2, -1, -3}) {
      const Shape s = {4, 5, 6};
      Shape is = {3, 5, 2};  // may be smaller than the data on every axis but `axis`
      const size_t a = static_cast<size_t>(axis < 0 ? axis + 3 : axis);
      is[a] = 7;
      OpCall c{"GatherElements"};
      c.inputs = {values(dt, s), indices(seed % 2 ? DataType::kInt64 : DataType::kInt32, is, s[a], seed)};
      ++seed;
      c.attrs.set_int("axis", axis);
      expect_match(c, std::string("GatherElements ") + dtype_name(dt) + " axis " + std::to_string(axis));
    }
  OpCall one{"GatherElements"};
  one.inputs = {values(DataType::kFloat32, {300}), indices(DataType::kInt64, {1000}, 300, 5)};
  expect_match(one, "GatherElements 1-D");
  OpCall r6{"GatherElements"};
  r6.inputs = {values(DataType::kInt32, {2, 3, 2, 3, 2, 3}), indices(DataType::kInt64, {2, 2, 2, 3, 1, 4}, 3, 6)};
  r6.attrs.set_int("axis", 5);
  expect_match(r6, "GatherElements rank 6");
}

TEST(VulkanGather, GatherND) {
  uint32_t seed = 200;
  for (DataType dt : kDataTypes) {
    for (int64_t last = 1; last <= 3; ++last) {
      OpCall c{"GatherND"};
      const Shape s = {4, 3, 5};
      Tensor ind = Tensor::allocate(DataType::kInt64, {2, 3, last}).value();
      std::mt19937 rng(seed++);
      for (int64_t i = 0; i < ind.numel(); ++i) {
        const int64_t n = s[static_cast<size_t>(i % last)];
        ind.data_as<int64_t>()[i] = static_cast<int64_t>(rng() % static_cast<uint32_t>(2 * n)) - n;
      }
      c.inputs = {values(dt, s), ind};
      expect_match(c, std::string("GatherND ") + dtype_name(dt) + " last " + std::to_string(last));
    }
    for (int64_t b = 1; b <= 2; ++b) {
      OpCall c{"GatherND"};
      const Shape s = {2, 3, 4, 5};
      Shape is(s.begin(), s.begin() + b);
      is.push_back(3);
      is.push_back(1);
      Tensor ind = indices(DataType::kInt32, is, s[static_cast<size_t>(b)], seed++);
      c.inputs = {values(dt, s), ind};
      c.attrs.set_int("batch_dims", b);
      expect_match(c, std::string("GatherND batch_dims ") + std::to_string(b) + " " + dtype_name(dt));
    }
  }
}

TEST(VulkanGather, ScatterElements) {
  uint32_t seed = 300;
  for (const char* red : {"none", "add", "mul", "max", "min"})
    for (DataType dt : {DataType::kFloat32, DataType::kFloat16, DataType::kInt64, DataType::kInt32})
      for (int64_t axis : {0, 1, -1}) {
        const Shape s = {5, 6, 4};
        Shape is = {3, 6, 2};
        const size_t a = static_cast<size_t>(axis < 0 ? axis + 3 : axis);
        is[a] = 9;  // more updates than the axis: duplicates
        OpCall c{"ScatterElements"};
        // Small values: products of duplicate updates stay exact (and within int32) on both sides.
        Tensor upd = random_tensor(dt, is, seed, -2, 3);
        c.inputs = {random_tensor(dt, s, seed + 7, -3, 4), indices(DataType::kInt64, is, s[a], seed + 1), upd};
        seed += 2;
        c.attrs.set_int("axis", axis);
        c.attrs.set_string("reduction", red);
        expect_match(c, std::string("ScatterElements ") + red + " " + dtype_name(dt) + " axis " + std::to_string(axis));
      }
  OpCall b{"ScatterElements"};
  b.inputs = {values(DataType::kBool, {4, 4}), indices(DataType::kInt32, {2, 4}, 4, 7), values(DataType::kBool, {2, 4}, 1)};
  expect_match(b, "ScatterElements bool");
  OpCall empty{"ScatterElements"};
  empty.inputs = {values(DataType::kFloat32, {4, 4}), indices(DataType::kInt64, {0, 4}, 4, 7),
                  values(DataType::kFloat32, {0, 4})};
  expect_match(empty, "ScatterElements no updates");
}

TEST(VulkanGather, ScatterND) {
  uint32_t seed = 400;
  for (const char* red : {"none", "add", "mul", "max", "min"})
    for (DataType dt : {DataType::kFloat32, DataType::kFloat16, DataType::kInt32})
      for (int64_t k = 1; k <= 3; ++k) {
        const Shape s = {4, 5, 6};
        Tensor ind = Tensor::allocate(DataType::kInt64, {7, k}).value();  // 7 tuples: duplicates likely
        std::mt19937 rng(seed++);
        for (int64_t i = 0; i < ind.numel(); ++i) {
          const int64_t n = s[static_cast<size_t>(i % k)];
          ind.data_as<int64_t>()[i] = static_cast<int64_t>(rng() % static_cast<uint32_t>(2 * n)) - n;
        }
        Shape us = {7};
        us.insert(us.end(), s.begin() + k, s.end());
        Tensor upd = random_tensor(dt, us, seed++, -2, 3);
        OpCall c{"ScatterND"};
        c.inputs = {random_tensor(dt, s, seed++, -3, 4), ind, upd};
        c.attrs.set_string("reduction", red);
        expect_match(c, std::string("ScatterND ") + red + " " + dtype_name(dt) + " k " + std::to_string(k));
      }
}

TEST(VulkanGather, SupportsSaysWhyNot) {
  OpCall f{"Gather"};
  f.inputs = {make_tensor<double>({3}, {1, 2, 3}), i64({1}, {0})};
  auto r = run_op(vulkan(), f);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("float64 not supported"), std::string::npos) << r.status().message();
  OpCall add{"ScatterElements"};
  add.inputs = {values(DataType::kUInt8, {4}), i64({1}, {0}), values(DataType::kUInt8, {1})};
  add.attrs.set_string("reduction", "add");
  r = run_op(vulkan(), add);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("reduction add on uint8 not supported"), std::string::npos) << r.status().message();
}

}  // namespace
}  // namespace edgerun::test
