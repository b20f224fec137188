// Reference kernels for op family "resize" (semantics: runtime/src/ops/resize.cpp).
//
// Resize is separable: for every axis and output coordinate we compute the source coordinate
// (coordinate_transformation_mode), then a small set of (input index, weight) taps (nearest /
// linear / cubic, optionally antialiased, edge-clamped, exclude_outside). An output element is the
// sum over the tensor product of its per-axis taps, or extrapolation_value when any axis maps
// outside the input in tf_crop_and_resize mode.
#include <algorithm>
#include <cmath>
#include <limits>

#include "ops/resize_util.h"
#include "reference/common.h"
#include "reference/kernels.h"
#include "reference/tensor_ops_util.h"

namespace edgerun::ref {

namespace {
using namespace tensor_ops;

using resize::AxisTaps;
using resize::Tap;
using resize::ResizeAttrs;

template <class T>
T from_double(double v) {
  if constexpr (std::is_integral_v<T>) {
    if (std::isnan(v)) return T(0);
    const double lo = static_cast<double>(std::numeric_limits<T>::lowest());
    const double hi = static_cast<double>(std::numeric_limits<T>::max());
    return static_cast<T>(std::clamp(std::nearbyint(v), lo, hi));
  } else {
    return T(v);
  }
}

Result<std::vector<double>> optional_doubles(const KernelContext& ctx, size_t i, const char* what, bool* present) {
  const Tensor* t = ctx.input(i);
  *present = t && t->numel() > 0;
  if (!*present) return std::vector<double>{};
  auto v = tensor_to_doubles(*t);
  if (!v.ok()) return ctx.error(str_cat(what, ": ", v.status().message()));
  return v;
}

Status resize(KernelContext& ctx) {
  const Tensor& x = *ctx.input(0);
  Tensor& y = ctx.output(0);
  const Attributes& a = ctx.attrs();
  const ResizeAttrs at = resize::read_attrs(a);
  const double extrapolation = a.get_float("extrapolation_value", 0.f);

  bool has_roi = false, has_scales = false;
  ER_ASSIGN_OR_RETURN(auto roi, optional_doubles(ctx, 1, "roi", &has_roi));
  ER_ASSIGN_OR_RETURN(auto scales, optional_doubles(ctx, 2, "scales", &has_scales));
  std::vector<int64_t> sizes;
  const bool has_sizes = ctx.input(3) && ctx.input(3)->numel() > 0;
  if (has_sizes) {
    ER_ASSIGN_OR_RETURN(sizes, read_ints(ctx, *ctx.input(3), "sizes"));
  }
  ER_ASSIGN_OR_RETURN(auto plan, resize::plan_resize(ctx.node().label(), x.shape(), a.get_ints("axes"), a.has("axes"),
                                                     a.get_string("keep_aspect_ratio_policy", "stretch"),
                                                     has_scales ? &scales : nullptr, has_sizes ? &sizes : nullptr,
                                                     has_roi && at.ctm == "tf_crop_and_resize" ? &roi : nullptr));
  if (!y.defined() || y.shape() != plan.out)
    return internal_error(ctx.node().label(), ": output shape ", shape_to_string(y.shape()), " differs from ",
                          shape_to_string(plan.out));
  if (y.numel() == 0) return Status::Ok();
  if (x.numel() == 0) return ctx.error("cannot resize an empty tensor to a non-empty one");

  const size_t r = x.shape().size();
  std::vector<AxisTaps> axes(r);
  for (size_t d = 0; d < r; ++d)
    axes[d] = resize::axis_taps(at, x.shape()[d], y.shape()[d], plan.scales[d], plan.roi[d], plan.roi[r + d]);
  const auto in_strides = strides_of(x.shape());

  const bool ok = visit_type(x.dtype(), NumericTypes{}, [&](auto tag) {
    using T = decltype(tag);
    const T* src = x.data_as<T>();
    T* dst = y.data_as<T>();
    std::vector<int64_t> idx(r, 0);
    // Weighted sum over the tensor product of the per-axis taps (recursive over axes).
    auto accumulate = [&](auto&& self, size_t d, int64_t off, double w) -> double {
      if (d == r) return w * static_cast<double>(static_cast<compute_t<T>>(src[off]));
      double s = 0;
      for (const Tap& t : axes[d].taps[static_cast<size_t>(idx[d])])
        s += self(self, d + 1, off + t.index * in_strides[d], w * t.weight);
      return s;
    };
    for (int64_t i = 0, n = y.numel(); i < n; ++i) {
      bool extrap = false;
      for (size_t d = 0; d < r; ++d) extrap = extrap || axes[d].extrapolate[static_cast<size_t>(idx[d])];
      if (extrap) {
        dst[i] = from_double<T>(extrapolation);
      } else if (at.mode == "nearest") {
        int64_t off = 0;
        for (size_t d = 0; d < r; ++d) off += axes[d].taps[static_cast<size_t>(idx[d])][0].index * in_strides[d];
        dst[i] = src[off];
      } else {
        dst[i] = from_double<T>(accumulate(accumulate, 0, 0, 1.0));
      }
      next_index(idx, y.shape());
    }
  });
  return ok ? Status::Ok() : unsupported_dtype(ctx, x.dtype());
}

const KernelEntry kKernels[] = {
    {"", "Resize", resize},
};
}  // namespace

std::span<const KernelEntry> resize_kernels() { return kKernels; }

}  // namespace edgerun::ref
