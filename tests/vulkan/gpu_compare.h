// Test helpers for the Vulkan kernel tests (conv, matmul, pool): run one op on the Vulkan backend
// and on the reference backend, compare every output within a tolerance.
#pragma once

#include <gtest/gtest.h>

#include <cmath>
#include <string>

#include "base/element.h"
#include "reference/reference_backend.h"
#include "support/op_test.h"
#include "vulkan/vulkan_backend.h"

namespace edgerun::test {

inline const Backend& vulkan_backend_for_tests() {
  static Result<std::unique_ptr<Backend>> b = make_vulkan_backend();
  EXPECT_TRUE(b.ok()) << b.status().message();
  return **b;
}

// |got - ref| <= atol + rtol * |ref| per element; NaN must meet NaN, infinities must be equal.
struct Tol {
  double rtol, atol;
};
// fp32: sums of k products of values in [-1, 1] are reordered on the GPU (tiles, fma).
inline Tol fp32_tol(int64_t k) { return {1e-5, 1e-6 + 2e-7 * static_cast<double>(k)}; }
// fp16 storage: one fp16 rounding of an fp32 result (2^-11 relative) that may fall either way.
inline Tol fp16_tol(int64_t k) { return {3e-3, 1e-3 + 1e-6 * static_cast<double>(k)}; }
inline Tol exact_tol() { return {0, 0}; }

inline void expect_close(const Tensor& ref, const Tensor& got, Tol tol, const std::string& what) {
  ASSERT_EQ(ref.dtype(), got.dtype()) << what;
  ASSERT_EQ(ref.shape(), got.shape()) << what << ": ref " << shape_to_string(ref.shape()) << " got "
                                      << shape_to_string(got.shape());
  int64_t bad = 0, first = -1;
  for (int64_t i = 0; i < ref.numel(); ++i) {
    const double r = element_as_double(ref, i), g = element_as_double(got, i);
    bool ok;
    if (std::isnan(r) || std::isnan(g)) ok = std::isnan(r) && std::isnan(g);
    else if (std::isinf(r) || std::isinf(g)) ok = r == g;
    else ok = std::fabs(g - r) <= tol.atol + tol.rtol * std::fabs(r);
    if (!ok && bad++ == 0) first = i;
  }
  EXPECT_EQ(bad, 0) << what << ": " << bad << " of " << ref.numel() << " elements differ; first at " << first
                    << ": ref " << (first >= 0 ? element_as_double(ref, first) : 0.0) << " got "
                    << (first >= 0 ? element_as_double(got, first) : 0.0) << " (rtol " << tol.rtol << ", atol "
                    << tol.atol << ")";
}

// Runs `call` on both backends and compares all outputs.
inline void expect_gpu_matches_ref(const OpCall& call, Tol tol, const std::string& what) {
  auto ref = run_op(*make_reference_backend(), call);
  ASSERT_TRUE(ref.ok()) << what << ": reference: " << ref.status().message();
  auto got = run_op(vulkan_backend_for_tests(), call);
  ASSERT_TRUE(got.ok()) << what << ": vulkan: " << got.status().message();
  ASSERT_EQ(ref->size(), got->size()) << what;
  for (size_t i = 0; i < ref->size(); ++i) {
    if (!ref->at(i).defined()) continue;
    expect_close(ref->at(i), got->at(i), tol, what + " output " + std::to_string(i));
  }
}

// The reason the Vulkan backend gives for refusing `call` ("" if it runs).
inline std::string vulkan_refusal(const OpCall& call) {
  auto r = run_op(vulkan_backend_for_tests(), call);
  return r.ok() ? std::string() : r.status().message();
}

}  // namespace edgerun::test
