// Vulkan data movement kernels (backends/vulkan/kernels/movement.cpp) vs the reference backend:
// views, Transpose, Concat, Split, Slice, Pad, Tile, Expand, DepthToSpace, SpaceToDepth, Trilu,
// CumSum, Range, ConstantOfShape, EyeLike. Moving elements must be bit-exact for every dtype the
// device holds (float32, float16, int64/int32/bool/uint8/... as 32-bit ints).
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <numeric>
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

// Distinct, dtype-appropriate values (so a misplaced element is always visible).
Tensor values(DataType dt, Shape shape, int seed = 0) {
  Tensor t = Tensor::allocate(dt, std::move(shape)).value();
  for (int64_t i = 0; i < t.numel(); ++i) {
    const int64_t v = i * 7 + seed;
    switch (dt) {
      case DataType::kFloat32: t.data_as<float>()[i] = static_cast<float>(v) * 0.25f - 3.0f; break;
      case DataType::kFloat16: t.data_as<uint16_t>()[i] = float_to_half(static_cast<float>(v % 4000) * 0.5f - 7.0f); break;
      case DataType::kInt64: t.data_as<int64_t>()[i] = v - 1000; break;
      case DataType::kInt32: t.data_as<int32_t>()[i] = static_cast<int32_t>(-v); break;
      case DataType::kInt16: t.data_as<int16_t>()[i] = static_cast<int16_t>(v % 30000 - 15000); break;
      case DataType::kUInt16: t.data_as<uint16_t>()[i] = static_cast<uint16_t>(v % 65536); break;
      case DataType::kInt8: t.data_as<int8_t>()[i] = static_cast<int8_t>(v % 256 - 128); break;
      case DataType::kUInt8: t.data_as<uint8_t>()[i] = static_cast<uint8_t>(v % 256); break;
      case DataType::kUInt32: t.data_as<uint32_t>()[i] = static_cast<uint32_t>(v * 2654435761u) >> 1; break;  // int32 range on the device
      case DataType::kBool: t.data_as<uint8_t>()[i] = (v % 3) == 0; break;
      default: ADD_FAILURE() << "values(): dtype " << dtype_name(dt); break;
    }
  }
  return t;
}

Tensor ints(const std::vector<int64_t>& v) { return make_tensor<int64_t>({static_cast<int64_t>(v.size())}, v); }
Tensor scalar_i64(int64_t v) { return make_tensor<int64_t>({}, {v}); }

// Runs `call` on both backends; every output must match bit for bit (tol == 0) or within tol.
void expect_match(const OpCall& call, const std::string& what, double tol = 0) {
  SCOPED_TRACE(what);
  auto ref = run_op(reference(), call);
  ASSERT_TRUE(ref.ok()) << ref.status().message();
  auto got = run_op(vulkan(), call);
  ASSERT_TRUE(got.ok()) << got.status().message();
  ASSERT_EQ(got->size(), ref->size());
  for (size_t i = 0; i < ref->size(); ++i) {
    const Tensor& r = ref->at(i);
    const Tensor& g = got->at(i);
    ASSERT_EQ(dtype_name(g.dtype()), std::string(dtype_name(r.dtype()))) << "output " << i;
    ASSERT_EQ(shape_to_string(g.shape()), shape_to_string(r.shape())) << "output " << i;
    if (tol == 0) {
      EXPECT_EQ(std::memcmp(r.data(), g.data(), r.nbytes()), 0) << "output " << i << " differs bitwise";
    } else {
      Diff d = compare(r, g);
      EXPECT_FALSE(d.nan_mismatch) << "output " << i;
      EXPECT_LE(d.max_abs, tol) << "output " << i;
    }
  }
}

const DataType kAllTypes[] = {DataType::kFloat32, DataType::kFloat16, DataType::kInt64, DataType::kInt32,
                              DataType::kBool,    DataType::kUInt8,   DataType::kInt8,  DataType::kInt16,
                              DataType::kUInt16,  DataType::kUInt32};

// ---- views ----

TEST(VulkanMovement, Views) {
  for (DataType dt : kAllTypes) {
    const std::string d = dtype_name(dt);
    {
      OpCall c{"Reshape"};
      c.inputs = {values(dt, {2, 3, 4}), ints({4, 0, -1})};
      c.constant_inputs = {false, true};
      expect_match(c, "Reshape " + d);
    }
    {
      OpCall c{"Reshape"};  // shape computed at run time (a host input, not a constant)
      c.inputs = {values(dt, {6, 4}), ints({-1})};
      expect_match(c, "Reshape dynamic " + d);
    }
    for (int64_t axis : {0, 1, 2, -1, -3}) {
      OpCall c{"Flatten"};
      c.inputs = {values(dt, {2, 3, 5})};
      c.attrs.set_int("axis", axis);
      expect_match(c, "Flatten axis " + std::to_string(axis) + " " + d);
    }
    {
      OpCall c{"Squeeze"};
      c.inputs = {values(dt, {1, 3, 1, 2}), ints({-2, 0})};
      c.constant_inputs = {false, true};
      expect_match(c, "Squeeze " + d);
      OpCall all{"Squeeze"};
      all.inputs = {values(dt, {1, 3, 1, 2})};
      expect_match(all, "Squeeze all " + d);
    }
    {
      OpCall c{"Unsqueeze"};
      c.inputs = {values(dt, {3, 2}), ints({0, -1})};
      c.constant_inputs = {false, true};
      expect_match(c, "Unsqueeze " + d);
      OpCall s{"Unsqueeze"};
      s.inputs = {values(dt, {}), ints({0})};
      expect_match(s, "Unsqueeze scalar " + d);
    }
    {
      OpCall c{"Identity"};
      c.inputs = {values(dt, {5, 1, 3})};
      expect_match(c, "Identity " + d);
    }
  }
  OpCall empty{"Reshape"};
  empty.inputs = {values(DataType::kFloat32, {0, 4}), ints({2, 0, 2})};
  empty.attrs.set_int("allowzero", 1);
  expect_match(empty, "Reshape empty");
}

// Dropout at inference is a view; a mask output or training mode is refused (the node stays on the CPU).
TEST(VulkanMovement, DropoutInferenceView) {
  for (DataType dt : {DataType::kFloat32, DataType::kFloat16}) {
    const std::string d = dtype_name(dt);
    OpCall plain{"Dropout"};
    plain.inputs = {values(dt, {4, 5})};
    expect_match(plain, "Dropout " + d);
    OpCall off{"Dropout"};
    off.inputs = {values(dt, {3, 7}), make_tensor<float>({}, {0.5f}), make_tensor<bool>({}, {false})};
    off.constant_inputs = {false, true, true};
    expect_match(off, "Dropout training_mode=false " + d);
  }
  OpCall train{"Dropout"};
  train.inputs = {values(DataType::kFloat32, {3, 7}), make_tensor<float>({}, {0.5f}), make_tensor<bool>({}, {true})};
  train.constant_inputs = {false, true, true};
  auto t = run_op(vulkan(), train);
  ASSERT_FALSE(t.ok());
  EXPECT_NE(t.status().message().find("training-mode Dropout"), std::string::npos) << t.status().message();
  OpCall mask{"Dropout"};
  mask.inputs = {values(DataType::kFloat32, {3, 7})};
  mask.num_outputs = 2;
  auto m = run_op(vulkan(), mask);
  ASSERT_FALSE(m.ok());
  EXPECT_NE(m.status().message().find("mask output"), std::string::npos) << m.status().message();
}

// ---- Transpose ----

TEST(VulkanMovement, TransposeRanks0To6AllTypes) {
  std::mt19937 rng(3);
  const Shape base = {2, 3, 1, 4, 5, 2};
  for (size_t r = 0; r <= 6; ++r) {
    Shape s(base.begin(), base.begin() + static_cast<ptrdiff_t>(r));
    std::vector<int64_t> perm(r);
    std::iota(perm.begin(), perm.end(), 0);
    for (int trial = 0; trial < 3; ++trial) {
      std::shuffle(perm.begin(), perm.end(), rng);
      for (DataType dt : {DataType::kFloat32, DataType::kFloat16, DataType::kInt64, DataType::kBool}) {
        OpCall c{"Transpose"};
        c.inputs = {values(dt, s)};
        c.attrs.set_ints("perm", perm);
        expect_match(c, "Transpose rank " + std::to_string(r) + " " + dtype_name(dt));
      }
    }
    OpCall def{"Transpose"};  // no perm: reverse the axes
    def.inputs = {values(DataType::kFloat32, s)};
    expect_match(def, "Transpose default perm rank " + std::to_string(r));
  }
}

TEST(VulkanMovement, TransposeHighRankAndShapes) {
  // Rank 10 with no mergeable dims: the host loops over the leading dims beyond 8.
  OpCall hi{"Transpose"};
  hi.inputs = {values(DataType::kFloat32, {2, 3, 2, 3, 2, 3, 2, 3, 2, 3})};
  hi.attrs.set_ints("perm", {9, 7, 5, 3, 1, 0, 2, 4, 6, 8});
  expect_match(hi, "Transpose rank 10");
  for (const Shape& s : std::vector<Shape>{{255, 3}, {256, 1}, {257, 2}, {0, 5}, {3, 0}, {1, 1}, {300, 257}}) {
    OpCall c{"Transpose"};
    c.inputs = {values(DataType::kInt32, s)};
    expect_match(c, "Transpose " + shape_to_string(s));
  }
}

// ---- Concat / Split ----

TEST(VulkanMovement, Concat) {
  for (DataType dt : {DataType::kFloat32, DataType::kFloat16, DataType::kInt64, DataType::kUInt8}) {
    for (int64_t axis : {0, 1, 2, -1, -2}) {
      OpCall c{"Concat"};
      Shape a = {2, 3, 4}, b = a, e = a;
      const size_t ax = static_cast<size_t>(axis < 0 ? axis + 3 : axis);
      b[ax] = 5;
      e[ax] = 0;
      c.inputs = {values(dt, a, 1), values(dt, b, 2), values(dt, e, 3), values(dt, a, 4)};
      c.attrs.set_int("axis", axis);
      expect_match(c, std::string("Concat axis ") + std::to_string(axis) + " " + dtype_name(dt));
    }
  }
  OpCall one{"Concat"};
  one.inputs = {values(DataType::kFloat32, {7})};
  one.attrs.set_int("axis", 0);
  expect_match(one, "Concat one input");
  OpCall big{"Concat"};
  big.inputs = {values(DataType::kFloat32, {300, 257}), values(DataType::kFloat32, {300, 3})};
  big.attrs.set_int("axis", 1);
  expect_match(big, "Concat 300x(257+3)");
}

TEST(VulkanMovement, Split) {
  for (DataType dt : {DataType::kFloat32, DataType::kFloat16, DataType::kInt32, DataType::kBool}) {
    const std::string d = dtype_name(dt);
    OpCall sized{"Split"};
    sized.inputs = {values(dt, {3, 7, 2}), ints({2, 0, 5})};
    sized.constant_inputs = {false, true};
    sized.attrs.set_int("axis", 1);
    sized.num_outputs = 3;
    expect_match(sized, "Split sizes " + d);
    OpCall even{"Split"};
    even.inputs = {values(dt, {6, 4})};
    even.attrs.set_int("axis", -2);
    even.num_outputs = 3;
    expect_match(even, "Split even " + d);
    OpCall uneven{"Split"};  // opset 18: num_outputs, last part smaller
    uneven.inputs = {values(dt, {4, 11})};
    uneven.attrs.set_int("axis", 1);
    uneven.attrs.set_int("num_outputs", 3);
    uneven.num_outputs = 3;
    expect_match(uneven, "Split num_outputs " + d);
  }
}

// ---- Slice ----

TEST(VulkanMovement, Slice) {
  struct Case {
    Shape shape;
    std::vector<int64_t> starts, ends, axes, steps;
  };
  const std::vector<Case> cases = {
      {{10}, {2}, {8}, {}, {}},
      {{10}, {-1}, {-11}, {}, {-1}},              // full reverse
      {{10}, {8}, {1}, {0}, {-3}},                // negative step
      {{5, 6, 7}, {1, -100, 2}, {100, 4, -1}, {0, 1, 2}, {2, 1, 2}},
      {{5, 6, 7}, {-2}, {0}, {-2}, {-2}},         // negative axis and step
      {{5, 6, 7}, {3}, {3}, {1}, {1}},            // empty result
      {{4, 300}, {0, 299}, {4, -1000}, {0, 1}, {1, -1}},
      {{2, 3, 4, 5, 6, 7}, {1, 1, 1}, {2, 5, 7}, {1, 3, 5}, {1, 2, 3}},
  };
  for (const Case& k : cases)
    for (DataType dt : {DataType::kFloat32, DataType::kFloat16, DataType::kInt64}) {
      OpCall c{"Slice"};
      c.inputs = {values(dt, k.shape), ints(k.starts), ints(k.ends), k.axes.empty() ? Tensor() : ints(k.axes),
                  k.steps.empty() ? Tensor() : ints(k.steps)};
      c.constant_inputs = {false, true, true, true, true};
      expect_match(c, "Slice " + shape_to_string(k.shape) + " " + dtype_name(dt));
    }
}

// ---- Pad / Tile / Expand ----

TEST(VulkanMovement, PadModes) {
  for (const char* mode : {"constant", "reflect", "edge", "wrap"}) {
    for (DataType dt : {DataType::kFloat32, DataType::kFloat16, DataType::kInt64, DataType::kUInt8}) {
      const std::string what = std::string("Pad ") + mode + " " + dtype_name(dt);
      OpCall c{"Pad"};
      Tensor cv = values(dt, {}, 5);
      c.inputs = {values(dt, {3, 4, 5}), ints({1, 0, 2, 2, 3, 1}), std::string(mode) == "constant" ? cv : Tensor()};
      c.constant_inputs = {false, true, true};
      c.attrs.set_string("mode", mode);
      expect_match(c, what);
      OpCall neg{"Pad"};  // negative pads crop
      neg.inputs = {values(dt, {4, 6}), ints({-1, 2, 1, -3})};
      neg.attrs.set_string("mode", mode);
      expect_match(neg, what + " negative pads");
      OpCall axes{"Pad"};  // opset 18 axes input
      axes.inputs = {values(dt, {2, 3, 4}), ints({1, 3, 2, 0}), Tensor(), ints({-1, 0})};
      axes.attrs.set_string("mode", mode);
      expect_match(axes, what + " axes");
      OpCall wide{"Pad"};  // pads larger than the axis (reflect and wrap repeat periodically)
      wide.inputs = {values(dt, {3, 2}), ints({7, 5, 8, 6})};
      wide.attrs.set_string("mode", mode);
      expect_match(wide, what + " wide");
    }
  }
}

TEST(VulkanMovement, PadRanksAndEdgeCases) {
  for (const char* mode : {"constant", "reflect", "edge", "wrap"}) {
    for (size_t r = 1; r <= 6; ++r) {
      Shape s(r, 3);
      std::vector<int64_t> pads(2 * r);
      for (size_t i = 0; i < pads.size(); ++i) pads[i] = static_cast<int64_t>(i % 3) - (i % 4 == 3 ? 1 : 0);
      OpCall c{"Pad"};
      c.inputs = {values(DataType::kFloat32, s), ints(pads)};
      c.attrs.set_string("mode", mode);
      expect_match(c, std::string("Pad ") + mode + " rank " + std::to_string(r));
    }
    // Rank 8 with every axis padded: more axes than one dispatch takes (passes via scratch).
    OpCall r8{"Pad"};
    r8.inputs = {values(DataType::kInt32, {2, 3, 2, 3, 2, 3, 2, 2}), ints({1, 0, 1, 2, 0, 1, 1, 0, 0, 1, 1, 0, 1, 1, 0, 1})};
    r8.attrs.set_string("mode", mode);
    expect_match(r8, std::string("Pad ") + mode + " rank 8");
    OpCall one{"Pad"};  // axis of size 1
    one.inputs = {values(DataType::kFloat32, {1, 4}), ints({2, 1, 3, 2})};
    one.attrs.set_string("mode", mode);
    expect_match(one, std::string("Pad ") + mode + " size-1 axis");
  }
  OpCall scalar{"Pad"};
  scalar.inputs = {values(DataType::kFloat32, {}), ints({})};
  expect_match(scalar, "Pad rank 0");
  OpCall empty_const{"Pad"};  // an empty input padded with a constant
  empty_const.inputs = {values(DataType::kFloat32, {0, 3}), ints({2, 1, 1, 0}), values(DataType::kFloat32, {}, 9)};
  expect_match(empty_const, "Pad empty input constant");
  OpCall empty_out{"Pad"};
  empty_out.inputs = {values(DataType::kFloat32, {2, 3}), ints({0, -3, 0, 0})};
  expect_match(empty_out, "Pad to empty");
  // Reflect of an empty axis into a non-empty one: both backends refuse the run.
  OpCall bad{"Pad"};
  bad.inputs = {values(DataType::kFloat32, {0, 3}), ints({1, 0, 1, 0})};
  bad.attrs.set_string("mode", "reflect");
  EXPECT_FALSE(run_op(reference(), bad).ok());
  auto got = run_op(vulkan(), bad);
  ASSERT_FALSE(got.ok());
  EXPECT_NE(got.status().message().find("empty axis"), std::string::npos) << got.status().message();
}

TEST(VulkanMovement, TileAndExpand) {
  for (DataType dt : {DataType::kFloat32, DataType::kFloat16, DataType::kInt64, DataType::kBool}) {
    const std::string d = dtype_name(dt);
    for (const auto& [shape, reps] : std::vector<std::pair<Shape, std::vector<int64_t>>>{
             {{3}, {4}}, {{2, 3}, {1, 1}}, {{2, 3}, {3, 2}}, {{2, 1, 3}, {2, 5, 1}}, {{2, 3}, {0, 2}}, {{2, 2, 2, 2}, {2, 1, 3, 2}}}) {
      OpCall c{"Tile"};
      c.inputs = {values(dt, shape), ints(reps)};
      c.constant_inputs = {false, true};
      expect_match(c, "Tile " + shape_to_string(shape) + " " + d);
    }
    for (const auto& [shape, to] : std::vector<std::pair<Shape, std::vector<int64_t>>>{
             {{3, 1}, {2, 1, 6}}, {{1}, {4, 5}}, {{2, 1, 3}, {2, 4, 3}}, {{}, {3, 2}}, {{3, 1}, {3, 0}}, {{1, 1, 1, 1, 1, 2}, {2, 1, 3, 1, 2, 2}}}) {
      OpCall c{"Expand"};
      c.inputs = {values(dt, shape), ints(to)};
      expect_match(c, "Expand " + shape_to_string(shape) + " " + d);
    }
  }
}

// More elements than one dispatch row covers (65535 workgroups of 256): grid-stride loops.
TEST(VulkanMovement, BeyondOneDispatchRow) {
  OpCall c{"Expand"};
  c.inputs = {values(DataType::kInt32, {3, 1}), ints({3, 65535 * 100 + 7})};
  expect_match(c, "Expand to 3 x 6553507");
  OpCall t{"Transpose"};
  t.inputs = {values(DataType::kFloat16, {4100, 4100})};
  expect_match(t, "Transpose 4100x4100 float16");
}

// ---- DepthToSpace / SpaceToDepth / Trilu ----

TEST(VulkanMovement, DepthToSpaceSpaceToDepth) {
  for (DataType dt : {DataType::kFloat32, DataType::kFloat16, DataType::kInt64}) {
    for (const char* mode : {"DCR", "CRD"}) {
      OpCall c{"DepthToSpace"};
      c.inputs = {values(dt, {2, 8, 3, 5})};
      c.attrs.set_int("blocksize", 2);
      c.attrs.set_string("mode", mode);
      expect_match(c, std::string("DepthToSpace ") + mode + " " + dtype_name(dt));
    }
    OpCall s{"SpaceToDepth"};
    s.inputs = {values(dt, {2, 3, 6, 9})};
    s.attrs.set_int("blocksize", 3);
    expect_match(s, std::string("SpaceToDepth ") + dtype_name(dt));
  }
}

TEST(VulkanMovement, Trilu) {
  for (DataType dt : {DataType::kFloat32, DataType::kFloat16, DataType::kInt64, DataType::kBool}) {
    for (int upper : {0, 1})
      for (int64_t k : {-100, -3, -1, 0, 1, 2, 4, 100}) {
        OpCall c{"Trilu"};
        c.inputs = {values(dt, {2, 3, 4, 5}), scalar_i64(k)};
        c.attrs.set_int("upper", upper);
        expect_match(c, "Trilu upper=" + std::to_string(upper) + " k=" + std::to_string(k) + " " + dtype_name(dt));
      }
    OpCall nok{"Trilu"};
    nok.inputs = {values(dt, {7, 3})};
    expect_match(nok, std::string("Trilu no k ") + dtype_name(dt));
    OpCall empty{"Trilu"};
    empty.inputs = {values(dt, {3, 0, 4})};
    expect_match(empty, std::string("Trilu empty ") + dtype_name(dt));
  }
}

// ---- CumSum ----

TEST(VulkanMovement, CumSum) {
  for (DataType dt : {DataType::kFloat32, DataType::kFloat16, DataType::kInt32, DataType::kInt64}) {
    for (int64_t axis : {0, 1, 2, -1})
      for (int ex : {0, 1})
        for (int rev : {0, 1}) {
          OpCall c{"CumSum"};
          c.inputs = {dt == DataType::kFloat32 || dt == DataType::kFloat16 ? random_tensor(dt, {3, 70, 5}, 11, -2, 2)
                                                                           : values(dt, {3, 70, 5}),
                      scalar_i64(axis)};
          c.attrs.set_int("exclusive", ex);
          c.attrs.set_int("reverse", rev);
          expect_match(c, std::string("CumSum ") + dtype_name(dt) + " axis " + std::to_string(axis) +
                              " exclusive " + std::to_string(ex) + " reverse " + std::to_string(rev));
        }
  }
  OpCall one_line{"CumSum"};  // one long line (one invocation)
  one_line.inputs = {random_tensor(DataType::kFloat32, {5000}, 2), make_tensor<int32_t>({}, {0})};
  expect_match(one_line, "CumSum 5000");
  OpCall many{"CumSum"};  // more lines than one workgroup
  many.inputs = {random_tensor(DataType::kFloat32, {2, 3, 300}, 3), make_tensor<int32_t>({1}, {1})};
  expect_match(many, "CumSum 600 lines");
  OpCall empty{"CumSum"};
  empty.inputs = {random_tensor(DataType::kFloat32, {0, 4}, 3), scalar_i64(1)};
  expect_match(empty, "CumSum empty");
}

// ---- generators ----

TEST(VulkanMovement, Range) {
  OpCall f{"Range"};
  f.inputs = {make_tensor<float>({}, {-3.5f}), make_tensor<float>({}, {70.25f}), make_tensor<float>({}, {0.37f})};
  expect_match(f, "Range float", 1e-5);
  OpCall fneg{"Range"};
  fneg.inputs = {make_tensor<float>({}, {10.f}), make_tensor<float>({}, {-5.f}), make_tensor<float>({}, {-1.5f})};
  expect_match(fneg, "Range float negative delta", 1e-6);
  for (DataType dt : {DataType::kInt32, DataType::kInt64}) {
    auto s = [&](int64_t v) { return dt == DataType::kInt32 ? make_tensor<int32_t>({}, {static_cast<int32_t>(v)}) : scalar_i64(v); };
    OpCall c{"Range"};
    c.inputs = {s(-7), s(100000), s(3)};
    expect_match(c, std::string("Range ") + dtype_name(dt));
    OpCall down{"Range"};
    down.inputs = {s(10), s(-10), s(-4)};
    expect_match(down, std::string("Range down ") + dtype_name(dt));
    OpCall empty{"Range"};
    empty.inputs = {s(5), s(5), s(1)};
    expect_match(empty, std::string("Range empty ") + dtype_name(dt));
  }
  // int64 values beyond int32 cannot live on the device: the run fails with the reason.
  OpCall big{"Range"};
  big.inputs = {scalar_i64(int64_t{1} << 40), scalar_i64((int64_t{1} << 40) + 3), scalar_i64(1)};
  auto got = run_op(vulkan(), big);
  ASSERT_FALSE(got.ok());
  EXPECT_NE(got.status().message().find("32-bit"), std::string::npos) << got.status().message();
}

TEST(VulkanMovement, ConstantOfShapeAndEyeLike) {
  const std::vector<Tensor> vals = {make_tensor<float>({1}, {2.5f}), make_tensor<int64_t>({1}, {-7}),
                                    make_tensor<Float16>({1}, {Float16(1.5f)}), make_tensor<bool>({1}, {true}),
                                    make_tensor<int32_t>({1}, {123456})};
  for (const Tensor& v : vals)
    for (const std::vector<int64_t>& shape : std::vector<std::vector<int64_t>>{{3, 4}, {}, {2, 0}, {70000}}) {
      OpCall c{"ConstantOfShape"};
      c.inputs = {ints(shape)};
      c.constant_inputs = {true};
      Attribute a;
      a.kind = Attribute::Kind::kTensor;
      a.t = v;
      c.attrs.set("value", a);
      expect_match(c, std::string("ConstantOfShape ") + dtype_name(v.dtype()) + " " + shape_to_string(shape));
    }
  OpCall def{"ConstantOfShape"};
  def.inputs = {ints({5})};
  expect_match(def, "ConstantOfShape default value");

  for (DataType dt : {DataType::kFloat32, DataType::kFloat16, DataType::kInt64, DataType::kInt32})
    for (int64_t k : {-5, -1, 0, 2, 9}) {
      OpCall c{"EyeLike"};
      c.inputs = {values(dt, {4, 6})};
      c.attrs.set_int("k", k);
      expect_match(c, std::string("EyeLike ") + dtype_name(dt) + " k " + std::to_string(k));
    }
  OpCall as{"EyeLike"};
  as.inputs = {values(DataType::kFloat32, {5, 3})};
  as.attrs.set_int("dtype", static_cast<int64_t>(DataType::kInt64));
  expect_match(as, "EyeLike dtype attribute");
  OpCall big{"EyeLike"};  // the input is only a shape: values beyond int32 and float64 are fine
  big.inputs = {make_tensor<int64_t>({2, 3}, {int64_t{1} << 40, 0, 0, 0, 0, 0})};
  expect_match(big, "EyeLike of an int64 tensor with large values");
  OpCall dbl{"EyeLike"};
  dbl.inputs = {make_tensor<double>({3, 3}, {})};
  dbl.attrs.set_int("dtype", static_cast<int64_t>(DataType::kFloat32));
  expect_match(dbl, "EyeLike of a float64 tensor to float32");
}

// ---- supports() ----

TEST(VulkanMovement, SupportsSaysWhyNot) {
  OpCall dbl{"Transpose"};
  dbl.inputs = {make_tensor<double>({2, 2}, {1, 2, 3, 4})};
  auto r = run_op(vulkan(), dbl);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("dtype float64 not supported"), std::string::npos) << r.status().message();

  OpCall cum{"CumSum"};
  cum.inputs = {values(DataType::kUInt8, {4}), scalar_i64(0)};
  r = run_op(vulkan(), cum);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("CumSum dtype uint8 not supported"), std::string::npos) << r.status().message();
}

}  // namespace
}  // namespace edgerun::test
