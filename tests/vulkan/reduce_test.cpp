// Vulkan reductions and line normalisations vs the reference backend: Reduce* over every axes
// subset with keepdims both ways and noop_with_empty_axes, reduced lengths around the workgroup
// size (both the invocation-per-output and workgroup-per-output paths), empty sets, NaN / inf,
// float16 storage, integer and bool inputs; ArgMax/ArgMin with ties, NaN and select_last_index;
// Softmax/LogSoftmax/Hardmax in both axis semantics (opset 11 coerce-to-2-D and opset 13 single
// axis); LpNormalization; MeanVarianceNormalization; the reasons for refused nodes.
#include <gtest/gtest.h>

#include <limits>
#include <optional>

#include "base/float_types.h"
#include "vulkan/gpu_compare.h"

namespace edgerun::test {
namespace {

uint32_t g_seed = 9000;

const char* const kReduceOps[] = {"ReduceSum", "ReduceMean", "ReduceMax",      "ReduceMin",      "ReduceProd",
                                  "ReduceL1",  "ReduceL2",   "ReduceLogSum",   "ReduceLogSumExp", "ReduceSumSquare"};

// Inputs where every op is well conditioned: positive for the logs, near 1 for products.
Tensor reduce_input(const std::string& op, DataType dt, const Shape& s) {
  if (op == "ReduceLogSum") return random_tensor(dt, s, g_seed++, 0.1, 2.0);
  if (op == "ReduceProd") return random_tensor(dt, s, g_seed++, 0.8, 1.25);
  return random_tensor(dt, s, g_seed++, -2.0, 2.0);
}

OpCall reduce_call(const std::string& op, Tensor x, const std::vector<int64_t>& axes, bool keepdims, bool noop = false,
                   bool axes_input = true) {
  OpCall c{op};
  c.inputs = {std::move(x)};
  if (axes_input) c.inputs.push_back(make_tensor<int64_t>({static_cast<int64_t>(axes.size())}, axes));
  c.attrs.set_int("keepdims", keepdims ? 1 : 0);
  if (noop) c.attrs.set_int("noop_with_empty_axes", 1);
  return c;
}

std::string describe(const std::string& op, const Shape& s, const std::vector<int64_t>& axes, bool keepdims) {
  return op + " X " + shape_to_string(s) + " axes " + shape_to_string(axes) + (keepdims ? " keepdims" : "");
}

// Elements per reduced set (empty axes: all).
int64_t reduced_count(const Shape& s, const std::vector<int64_t>& axes) {
  int64_t n = 1;
  if (axes.empty()) {
    for (int64_t d : s) n *= d;
    return n;
  }
  for (int64_t a : axes) n *= s[static_cast<size_t>(a < 0 ? a + static_cast<int64_t>(s.size()) : a)];
  return n;
}

TEST(VulkanReduce, EveryOpEveryAxesSubset) {
  for (const Shape& s : {Shape{3, 4, 5}, Shape{2, 3, 4, 5}}) {
    const int64_t r = static_cast<int64_t>(s.size());
    for (int64_t bits = 0; bits < (1 << r); ++bits) {
      std::vector<int64_t> axes;
      for (int64_t d = 0; d < r; ++d)
        if (bits & (1 << d)) axes.push_back(bits % 3 == 0 ? d - r : d);  // some negative
      for (const char* op : kReduceOps)
        for (bool keep : {true, false}) {
          OpCall c = reduce_call(op, reduce_input(op, DataType::kFloat32, s), axes, keep);
          expect_gpu_matches_ref(c, fp32_tol(reduced_count(s, axes)), describe(op, s, axes, keep));
        }
    }
  }
}

TEST(VulkanReduce, EmptyAxesReduceAllOrNothing) {
  const Shape s = {2, 3, 4};
  for (const char* op : kReduceOps) {
    // Empty axes input: reduce everything, or (noop_with_empty_axes) nothing.
    expect_gpu_matches_ref(reduce_call(op, reduce_input(op, DataType::kFloat32, s), {}, true), fp32_tol(24),
                           std::string(op) + " empty axes");
    expect_gpu_matches_ref(reduce_call(op, reduce_input(op, DataType::kFloat32, s), {}, false, true), fp32_tol(1),
                           std::string(op) + " noop_with_empty_axes");
    // No axes input at all (as the importer leaves an opset < 13/18 node without the attribute).
    expect_gpu_matches_ref(reduce_call(op, reduce_input(op, DataType::kFloat32, s), {}, false, false, false),
                           fp32_tol(24), std::string(op) + " axes omitted");
  }
}

// Reduced lengths around the workgroup size (256) and the invocation/workgroup switch (16, 128),
// over the innermost axis (contiguous) and the outermost (strided).
TEST(VulkanReduce, LengthsAroundWorkgroupBoundaries) {
  for (int64_t len : {1, 7, 16, 17, 127, 128, 129, 255, 256, 257, 1000, 4097}) {
    for (int64_t outer : {1, 3, 1500}) {
      if (len * outer > 2000000) continue;
      for (const char* op : {"ReduceSum", "ReduceMax", "ReduceMean", "ReduceLogSumExp", "ReduceL2"}) {
        const Shape last = {outer, len};
        expect_gpu_matches_ref(reduce_call(op, reduce_input(op, DataType::kFloat32, last), {1}, true),
                               fp32_tol(len), describe(op, last, {1}, true));
        const Shape first = {len, outer};
        expect_gpu_matches_ref(reduce_call(op, reduce_input(op, DataType::kFloat32, first), {0}, false),
                               fp32_tol(len), describe(op, first, {0}, false));
      }
    }
  }
}

// More outputs than one dispatch dimension holds (65535 workgroups) in both modes.
TEST(VulkanReduce, ManyOutputsGridStride) {
  for (int64_t len : {17, 130}) {
    const Shape s = {65536 + 9, len};
    expect_gpu_matches_ref(reduce_call("ReduceSum", random_tensor(DataType::kFloat32, s, g_seed++), {1}, false),
                           fp32_tol(len), describe("ReduceSum", s, {1}, false));
  }
}

TEST(VulkanReduce, EmptySetsGiveTheIdentity) {
  for (const char* op : kReduceOps) {
    const Shape s = {2, 0, 4};
    expect_gpu_matches_ref(reduce_call(op, Tensor::allocate(DataType::kFloat32, s).value(), {1}, true), exact_tol(),
                           describe(op, s, {1}, true));
    // Empty output (a kept axis of size 0).
    expect_gpu_matches_ref(reduce_call(op, Tensor::allocate(DataType::kFloat32, s).value(), {2}, false), exact_tol(),
                           describe(op, s, {2}, false));
  }
}

TEST(VulkanReduce, NanAndInfinities) {
  const float inf = std::numeric_limits<float>::infinity(), nan = std::numeric_limits<float>::quiet_NaN();
  // Rows: NaN first, NaN later, all -inf, +inf and -inf, +inf, plain.
  const Tensor x = make_tensor<float>({6, 4}, {nan, 1, 2, 3,     1, 2, nan, 3,   -inf, -inf, -inf, -inf,
                                               inf, -inf, 1, 2,  inf, 1, 2, 3,   -1, -2, 0.5f, 4});
  for (const char* op : kReduceOps) {
    expect_gpu_matches_ref(reduce_call(op, x, {1}, true), fp32_tol(4), std::string(op) + " NaN/inf rows");
    // Long rows (workgroup mode): NaN / inf at varying positions. Values near 1, so that the
    // product stays in float range (a product that underflows fp32 but not the reference's double
    // meets inf as 0 * inf = NaN).
    Tensor big = random_tensor(DataType::kFloat32, {4, 600}, g_seed++, 0.9, 1.1);
    big.data_as<float>()[0 * 600 + 599] = nan;
    big.data_as<float>()[1 * 600 + 300] = inf;
    big.data_as<float>()[2 * 600 + 0] = -inf;
    expect_gpu_matches_ref(reduce_call(op, big, {1}, false), fp32_tol(600), std::string(op) + " long NaN/inf rows");
  }
}

TEST(VulkanReduce, Float16Storage) {
  for (const Shape& s : {Shape{3, 4, 5}, Shape{2, 300}}) {
    for (const std::vector<int64_t>& axes : {std::vector<int64_t>{-1}, std::vector<int64_t>{0}, std::vector<int64_t>{}})
      for (const char* op : kReduceOps) {
        OpCall c = reduce_call(op, reduce_input(op, DataType::kFloat16, s), axes, true);
        expect_gpu_matches_ref(c, fp16_tol(reduced_count(s, axes)), describe(op, s, axes, true) + " float16");
      }
  }
}

TEST(VulkanReduce, IntegerAndBoolInputs) {
  for (DataType dt : {DataType::kInt32, DataType::kInt64, DataType::kInt8, DataType::kUInt8}) {
    const double lo = dt == DataType::kUInt8 ? 0 : -50;
    for (const char* op : {"ReduceSum", "ReduceMean", "ReduceMax", "ReduceMin", "ReduceProd", "ReduceL1",
                           "ReduceSumSquare"})
      for (const Shape& s : {Shape{3, 4, 5}, Shape{2, 300}})
        for (const std::vector<int64_t>& axes : {std::vector<int64_t>{1}, std::vector<int64_t>{0}}) {
          // Products of -1/0/1 never overflow (the reference wraps at 64 bits, the GPU at 32).
          const bool prod = std::string(op) == "ReduceProd";
          Tensor x = random_tensor(dt, s, g_seed++, prod ? std::max(lo, -1.0) : lo, prod ? 2 : 50);
          expect_gpu_matches_ref(reduce_call(op, x, axes, true), exact_tol(),
                                 describe(op, s, axes, true) + " " + dtype_name(dt));
        }
  }
  for (const char* op : {"ReduceMax", "ReduceMin"}) {
    Tensor b = random_tensor(DataType::kBool, {4, 200}, g_seed++);
    expect_gpu_matches_ref(reduce_call(op, b, {1}, true), exact_tol(), std::string(op) + " bool");
    expect_gpu_matches_ref(reduce_call(op, Tensor::allocate(DataType::kBool, {3, 0}).value(), {1}, true),
                           exact_tol(), std::string(op) + " bool empty set");
    expect_gpu_matches_ref(reduce_call(op, Tensor::allocate(DataType::kInt32, {3, 0}).value(), {1}, true),
                           exact_tol(), std::string(op) + " int32 empty set");
  }
}

TEST(VulkanReduce, RefusalsSayWhy) {
  OpCall l2 = reduce_call("ReduceL2", make_tensor<int32_t>({2, 2}, {1, 2, 3, 4}), {1}, true);
  EXPECT_NE(vulkan_refusal(l2).find("int32 not supported"), std::string::npos) << vulkan_refusal(l2);
  OpCall dbl = reduce_call("ReduceSum", random_tensor(DataType::kFloat64, {2, 2}, 1), {1}, true);
  EXPECT_NE(vulkan_refusal(dbl).find("float64 not supported"), std::string::npos) << vulkan_refusal(dbl);
  OpCall lse = reduce_call("ReduceLogSumExp", make_tensor<int64_t>({2, 2}, {1, 2, 3, 4}), {1}, true);
  EXPECT_NE(vulkan_refusal(lse).find("int64 not supported"), std::string::npos) << vulkan_refusal(lse);
  OpCall i64max = reduce_call("ReduceMax", Tensor::allocate(DataType::kInt64, {2, 0}).value(), {1}, true);
  EXPECT_NE(vulkan_refusal(i64max).find("int32 storage"), std::string::npos) << vulkan_refusal(i64max);
}

// ---- ArgMax / ArgMin ----

OpCall arg_call(const char* op, Tensor x, int64_t axis, bool keepdims, bool last) {
  OpCall c{op};
  c.inputs = {std::move(x)};
  c.attrs.set_int("axis", axis);
  c.attrs.set_int("keepdims", keepdims ? 1 : 0);
  if (last) c.attrs.set_int("select_last_index", 1);
  return c;
}

// Integer-valued floats in a small range: many ties.
Tensor tie_tensor(DataType dt, const Shape& s) {
  Tensor t = random_tensor(DataType::kInt32, s, g_seed++, -3, 3);
  Tensor out = Tensor::allocate(dt, s).value();
  for (int64_t i = 0; i < t.numel(); ++i) {
    const int32_t v = t.data_as<int32_t>()[i];
    if (dt == DataType::kFloat32) out.data_as<float>()[i] = static_cast<float>(v);
    else if (dt == DataType::kFloat16) out.data_as<Float16>()[i] = Float16(static_cast<float>(v));
    else if (dt == DataType::kInt64) out.data_as<int64_t>()[i] = v;
    else out.data_as<int32_t>()[i] = v;
  }
  return out;
}

TEST(VulkanArg, AxesKeepdimsTiesLastIndex) {
  for (const char* op : {"ArgMax", "ArgMin"})
    for (DataType dt : {DataType::kFloat32, DataType::kFloat16, DataType::kInt32, DataType::kInt64})
      for (const Shape& s : {Shape{3, 4, 5}, Shape{2, 300}, Shape{7}})
        for (int64_t axis = -static_cast<int64_t>(s.size()); axis < static_cast<int64_t>(s.size()); ++axis)
          for (bool keep : {true, false})
            for (bool last : {false, true}) {
              OpCall c = arg_call(op, tie_tensor(dt, s), axis, keep, last);
              expect_gpu_matches_ref(c, exact_tol(),
                                     std::string(op) + " " + dtype_name(dt) + " X " + shape_to_string(s) + " axis " +
                                         std::to_string(axis) + (keep ? " keepdims" : "") + (last ? " last" : ""));
            }
}

TEST(VulkanArg, RefusalsSayWhy) {
  OpCall b = arg_call("ArgMax", random_tensor(DataType::kBool, {2, 3}, 1), 1, true, false);
  EXPECT_NE(vulkan_refusal(b).find("bool not supported"), std::string::npos) << vulkan_refusal(b);
}

TEST(VulkanArg, LongAxesAndNaN) {
  const float nan = std::numeric_limits<float>::quiet_NaN();
  for (const char* op : {"ArgMax", "ArgMin"})
    for (int64_t len : {255, 256, 257, 1000})
      for (bool last : {false, true}) {
        Tensor x = tie_tensor(DataType::kFloat32, {5, len});
        float* p = x.data_as<float>();
        p[0 * len + 0] = nan;        // NaN first: the reference answers 0
        p[1 * len + len / 2] = nan;  // NaN later: ignored
        for (int64_t j = 0; j < len; ++j) p[2 * len + j] = nan;
        p[3 * len + len - 1] = std::numeric_limits<float>::infinity();
        p[4 * len + 3] = -std::numeric_limits<float>::infinity();
        expect_gpu_matches_ref(arg_call(op, x, 1, true, last), exact_tol(),
                               std::string(op) + " NaN rows len " + std::to_string(len) + (last ? " last" : ""));
      }
}

// ---- Softmax / LogSoftmax / Hardmax ----

OpCall softmax_call(const char* op, Tensor x, std::optional<int64_t> axis, int version) {
  OpCall c{op};
  c.inputs = {std::move(x)};
  if (axis) c.attrs.set_int("axis", *axis);
  c.since_version = version;
  return c;
}

TEST(VulkanSoftmax, BothAxisSemanticsEveryAxis) {
  for (const char* op : {"Softmax", "LogSoftmax", "Hardmax"})
    for (int version : {11, 13})
      for (const Shape& s : {Shape{3, 4, 5}, Shape{2, 3, 4, 5}}) {
        const int64_t r = static_cast<int64_t>(s.size());
        // opset 11 allows axis == rank (everything in the outer dim).
        const int64_t hi = version < 13 ? r : r - 1;
        for (int64_t axis = -r; axis <= hi; ++axis) {
          OpCall c = softmax_call(op, random_tensor(DataType::kFloat32, s, g_seed++, -4, 4), axis, version);
          expect_gpu_matches_ref(c, fp32_tol(8), std::string(op) + " opset " + std::to_string(version) + " X " +
                                                     shape_to_string(s) + " axis " + std::to_string(axis));
        }
        OpCall def = softmax_call(op, random_tensor(DataType::kFloat32, s, g_seed++, -4, 4), std::nullopt, version);
        expect_gpu_matches_ref(def, fp32_tol(8),
                               std::string(op) + " opset " + std::to_string(version) + " default axis " + shape_to_string(s));
      }
}

TEST(VulkanSoftmax, RowLengthsAroundWorkgroupBoundaries) {
  for (const char* op : {"Softmax", "LogSoftmax", "Hardmax"})
    for (int64_t len : {1, 16, 17, 127, 128, 129, 255, 256, 257, 3000})
      for (int64_t rows : {1, 5, 2000}) {
        if (rows * len > 1000000) continue;
        OpCall c = softmax_call(op, random_tensor(DataType::kFloat32, {rows, len}, g_seed++, -10, 10), -1, 13);
        expect_gpu_matches_ref(c, fp32_tol(len), std::string(op) + " rows " + std::to_string(rows) + " len " +
                                                     std::to_string(len));
        // The same lengths along a strided axis.
        OpCall t = softmax_call(op, random_tensor(DataType::kFloat32, {len, rows}, g_seed++, -10, 10), 0, 13);
        expect_gpu_matches_ref(t, fp32_tol(len), std::string(op) + " axis 0 len " + std::to_string(len) + " x " +
                                                     std::to_string(rows));
      }
}

TEST(VulkanSoftmax, NanInfAndLargeNumbers) {
  const float inf = std::numeric_limits<float>::infinity(), nan = std::numeric_limits<float>::quiet_NaN();
  const Tensor x = make_tensor<float>({6, 4}, {nan, 1, 2, 3,       1, 2, nan, 3,    -inf, -inf, -inf, -inf,
                                               -inf, 0, 1, -inf,   1e30f, 1e30f, -1e30f, 0,   10000, 10001, 10002, 10003});
  for (const char* op : {"Softmax", "LogSoftmax", "Hardmax"}) {
    expect_gpu_matches_ref(softmax_call(op, x, -1, 13), fp32_tol(4), std::string(op) + " special rows");
    Tensor big = random_tensor(DataType::kFloat32, {3, 700}, g_seed++, -3, 3);
    big.data_as<float>()[0] = nan;
    big.data_as<float>()[700 + 350] = -inf;
    big.data_as<float>()[2 * 700 + 699] = inf;
    expect_gpu_matches_ref(softmax_call(op, big, -1, 13), fp32_tol(700), std::string(op) + " long special rows");
  }
}

TEST(VulkanSoftmax, Float16Storage) {
  for (const char* op : {"Softmax", "LogSoftmax", "Hardmax"})
    for (const Shape& s : {Shape{3, 4, 5}, Shape{4, 300}})
      for (int64_t axis : {0, -1}) {
        Tensor x = op == std::string("Hardmax") ? tie_tensor(DataType::kFloat16, s)
                                                : random_tensor(DataType::kFloat16, s, g_seed++, -4, 4);
        expect_gpu_matches_ref(softmax_call(op, x, axis, 13), fp16_tol(1),
                               std::string(op) + " float16 X " + shape_to_string(s) + " axis " + std::to_string(axis));
      }
}

TEST(VulkanSoftmax, RefusalsSayWhy) {
  OpCall dbl = softmax_call("Softmax", random_tensor(DataType::kFloat64, {2, 3}, 1), -1, 13);
  EXPECT_NE(vulkan_refusal(dbl).find("float64 not supported"), std::string::npos) << vulkan_refusal(dbl);
}

// ---- LpNormalization / MeanVarianceNormalization ----

TEST(VulkanLineNorm, LpNormalizationAxesAndZeroLines) {
  for (int64_t p : {1, 2})
    for (const Shape& s : {Shape{2, 3, 4}, Shape{3, 500}})
      for (int64_t axis = -static_cast<int64_t>(s.size()); axis < static_cast<int64_t>(s.size()); ++axis)
        for (DataType dt : {DataType::kFloat32, DataType::kFloat16}) {
          OpCall c{"LpNormalization"};
          Tensor x = random_tensor(dt, s, g_seed++);
          if (dt == DataType::kFloat32) x.data_as<float>()[0] = 0;
          c.inputs = {x};
          c.attrs.set_int("p", p);
          c.attrs.set_int("axis", axis);
          expect_gpu_matches_ref(c, dt == DataType::kFloat16 ? fp16_tol(1) : fp32_tol(s.back()),
                                 "LpNormalization p " + std::to_string(p) + " X " + shape_to_string(s) + " axis " +
                                     std::to_string(axis) + " " + dtype_name(dt));
        }
  // A line of zeros normalises to zeros.
  OpCall z{"LpNormalization"};
  z.inputs = {make_tensor<float>({2, 3}, {0, 0, 0, 1, 2, 3})};
  expect_gpu_matches_ref(z, fp32_tol(3), "LpNormalization zero line");
}

TEST(VulkanLineNorm, MeanVarianceNormalization) {
  for (const std::vector<int64_t>& axes :
       {std::vector<int64_t>{0, 2, 3}, std::vector<int64_t>{2, 3}, std::vector<int64_t>{1}, std::vector<int64_t>{-1, 0}})
    for (const Shape& s : {Shape{2, 3, 4, 5}, Shape{3, 2, 20, 20}})
      for (DataType dt : {DataType::kFloat32, DataType::kFloat16}) {
        OpCall c{"MeanVarianceNormalization"};
        c.inputs = {random_tensor(dt, s, g_seed++, -3, 3)};
        if (axes != std::vector<int64_t>{0, 2, 3}) c.attrs.set_ints("axes", axes);
        expect_gpu_matches_ref(c, dt == DataType::kFloat16 ? fp16_tol(1) : Tol{1e-4, 1e-5},
                               "MVN X " + shape_to_string(s) + " axes " + shape_to_string(axes) + " " + dtype_name(dt));
      }
}

}  // namespace
}  // namespace edgerun::test
