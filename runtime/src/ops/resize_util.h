// Resize output-size rule and per-axis taps, shared by the shape rule (runtime/src/ops/resize.cpp),
// the reference kernel (backends/reference/resize.cpp) and the Vulkan kernel (which computes the
// taps on the host). Header-only; owned by the resize family.
#pragma once

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "base/errors.h"
#include "edgerun/tensor.h"
#include "ir/graph.h"
#include "ops/shape_util.h"

namespace edgerun::resize {

struct ResizePlan {
  Shape out;                   // output shape
  std::vector<double> scales;  // per input axis (1 where not resized)
  std::vector<double> roi;     // 2 * rank: starts then ends (default 0 / 1)
  std::vector<bool> resized;   // axes listed in `axes` (all when absent)
};

// `in` is the input shape (all dims known). `scales` / `sizes` / `roi` are the values of the
// optional inputs (nullptr when absent or empty). Errors name `who`.
inline Result<ResizePlan> plan_resize(const std::string& who, const Shape& in, const std::vector<int64_t>& axes_attr,
                                      bool has_axes, const std::string& policy, const std::vector<double>* scales,
                                      const std::vector<int64_t>* sizes, const std::vector<double>* roi) {
  const size_t r = in.size();
  std::vector<size_t> axes;
  if (has_axes) {
    std::vector<bool> seen(r, false);
    for (int64_t a : axes_attr) {
      const int64_t ra = static_cast<int64_t>(r);
      if (a < -ra || a >= ra) return invalid_argument(who, ": axis ", a, " is out of range for rank ", r);
      const size_t ua = static_cast<size_t>(a < 0 ? a + ra : a);
      if (seen[ua]) return invalid_argument(who, ": axis ", a, " is repeated");
      seen[ua] = true;
      axes.push_back(ua);
    }
  } else {
    for (size_t i = 0; i < r; ++i) axes.push_back(i);
  }
  ResizePlan p;
  p.out = in;
  p.scales.assign(r, 1.0);
  p.resized.assign(r, false);
  for (size_t a : axes) p.resized[a] = true;
  p.roi.assign(2 * r, 0.0);
  for (size_t i = 0; i < r; ++i) p.roi[r + i] = 1.0;
  if (roi) {
    if (roi->size() != 2 * axes.size())
      return invalid_argument(who, ": roi has ", roi->size(), " values, expected ", 2 * axes.size());
    for (size_t i = 0; i < axes.size(); ++i) {
      p.roi[axes[i]] = (*roi)[i];
      p.roi[r + axes[i]] = (*roi)[axes.size() + i];
    }
  }
  if ((scales != nullptr) == (sizes != nullptr))
    return invalid_argument(who, ": exactly one of scales and sizes must be given");
  if (scales) {
    if (scales->size() != axes.size())
      return invalid_argument(who, ": scales has ", scales->size(), " values, expected ", axes.size());
    for (size_t i = 0; i < axes.size(); ++i) {
      const double s = (*scales)[i];
      if (!(s > 0) || !std::isfinite(s)) return invalid_argument(who, ": scale ", s, " must be positive");
      const double o = std::floor(s * static_cast<double>(in[axes[i]]));
      if (o > 1e12) return invalid_argument(who, ": output size ", o, " is too large");
      p.scales[axes[i]] = s;
      p.out[axes[i]] = static_cast<int64_t>(o);
    }
    return p;
  }
  if (sizes->size() != axes.size())
    return invalid_argument(who, ": sizes has ", sizes->size(), " values, expected ", axes.size());
  for (size_t i = 0; i < axes.size(); ++i) {
    const int64_t s = (*sizes)[i];
    if (s < 0) return invalid_argument(who, ": negative size ", s);
    if (in[axes[i]] == 0 && s != 0) return invalid_argument(who, ": cannot resize an empty axis to ", s);
    p.out[axes[i]] = s;
    p.scales[axes[i]] = in[axes[i]] > 0 ? static_cast<double>(s) / static_cast<double>(in[axes[i]]) : 1.0;
  }
  if (policy != "stretch") {
    if (policy != "not_larger" && policy != "not_smaller")
      return invalid_argument(who, ": unsupported keep_aspect_ratio_policy '", policy, "'");
    double scale = policy == "not_larger" ? 1e300 : 0.0;
    for (size_t a : axes)
      scale = policy == "not_larger" ? std::min(scale, p.scales[a]) : std::max(scale, p.scales[a]);
    for (size_t a : axes) {
      p.scales[a] = scale;
      p.out[a] = static_cast<int64_t>(scale * static_cast<double>(in[a]) + 0.5);
    }
  }
  return p;
}

struct Tap {
  int64_t index;
  double weight;
};

struct AxisTaps {
  std::vector<std::vector<Tap>> taps;  // per output coordinate
  std::vector<bool> extrapolate;       // per output coordinate
};

// Resize attributes that decide the taps.
struct ResizeAttrs {
  std::string mode, ctm, nearest_mode;
  double a = -0.75;
  bool exclude_outside = false, antialias = false;
};

inline ResizeAttrs read_attrs(const Attributes& a) {
  ResizeAttrs at;
  at.mode = a.get_string("mode", "nearest");
  at.ctm = a.get_string("coordinate_transformation_mode", "half_pixel");
  at.nearest_mode = a.get_string("nearest_mode", "round_prefer_floor");
  at.a = a.get_float("cubic_coeff_a", -0.75f);
  at.exclude_outside = a.get_int("exclude_outside", 0) != 0;
  at.antialias = a.get_int("antialias", 0) != 0;
  return at;
}

// Source coordinate of output coordinate x (the ONNX Resize coordinate transformations).
inline double source_coordinate(const ResizeAttrs& at, int64_t x, int64_t n_in, int64_t n_out, double scale, double roi_b,
                         double roi_e, bool* outside) {
  const double xd = static_cast<double>(x);
  const double in = static_cast<double>(n_in);
  const double ow = scale * in;
  *outside = false;
  if (at.ctm == "align_corners") return ow == 1 ? 0.0 : xd * (in - 1) / (ow - 1);
  if (at.ctm == "asymmetric") return xd / scale;
  if (at.ctm == "tf_crop_and_resize") {
    double v = ow == 1 ? (roi_e - roi_b) * (in - 1) / 2 : xd * (roi_e - roi_b) * (in - 1) / (ow - 1);
    v += roi_b * (in - 1);
    if (v < 0 || v > in - 1) *outside = true;
    return v;
  }
  if (at.ctm == "pytorch_half_pixel") return ow == 1 ? -0.5 : (xd + 0.5) / scale - 0.5;
  if (at.ctm == "half_pixel_symmetric") {
    const double adjustment = static_cast<double>(n_out) / ow;
    const double offset = in / 2 * (1 - adjustment);
    return offset + (xd + 0.5) / scale - 0.5;
  }
  if (at.ctm == "tf_half_pixel_for_nn") return (xd + 0.5) / scale;
  return (xd + 0.5) / scale - 0.5;  // half_pixel
}

inline double cubic_weight(double x, double a) {
  x = std::fabs(x);
  if (x <= 1) return ((a + 2) * x - (a + 3)) * x * x + 1;
  if (x < 2) return ((a * x - 5 * a) * x + 8 * a) * x - 4 * a;
  return 0.0;
}

inline AxisTaps axis_taps(const ResizeAttrs& at, int64_t n_in, int64_t n_out, double scale, double roi_b, double roi_e) {
  AxisTaps t;
  t.taps.resize(static_cast<size_t>(n_out));
  t.extrapolate.assign(static_cast<size_t>(n_out), false);
  auto clampi = [n_in](int64_t i) { return std::clamp<int64_t>(i, 0, n_in - 1); };
  for (int64_t x = 0; x < n_out; ++x) {
    bool outside = false;
    const double xo = source_coordinate(at, x, n_in, n_out, scale, roi_b, roi_e, &outside);
    auto& taps = t.taps[static_cast<size_t>(x)];
    if (outside) {
      t.extrapolate[static_cast<size_t>(x)] = true;
      continue;
    }
    if (at.mode == "nearest") {
      const double fl = std::floor(xo);
      int64_t i = static_cast<int64_t>(fl);
      if (xo != fl) {
        const double f = xo - fl;
        bool up;
        if (at.nearest_mode == "round_prefer_ceil") up = f >= 0.5;
        else if (at.nearest_mode == "floor") up = false;
        else if (at.nearest_mode == "ceil") up = true;
        else up = f > 0.5;  // round_prefer_floor
        if (up) ++i;
      }
      taps.push_back({clampi(i), 1.0});
      continue;
    }
    // Left neighbour `base` and ratio r in (0, 1] (an integral coordinate counts as r = 1).
    const int64_t base = static_cast<int64_t>(std::ceil(xo)) - 1;
    const double r = xo - static_cast<double>(base);
    std::vector<std::pair<int64_t, double>> c;  // (offset from base, weight)
    if (at.mode == "linear") {
      if (at.antialias) {
        const double sc = std::min(scale, 1.0);
        const int64_t start = static_cast<int64_t>(std::floor(-1 / sc)) + 1;
        const int64_t n = 2 - 2 * start;
        for (int64_t o = start; o < start + n; ++o)
          c.push_back({o, std::clamp(1 - std::fabs((static_cast<double>(o) - r) * sc), 0.0, 1.0)});
      } else {
        c = {{0, 1 - r}, {1, r}};
      }
    } else {  // cubic
      if (at.antialias) {
        const double sc = std::min(scale, 1.0);
        const int64_t start = static_cast<int64_t>(std::floor(-2 / sc)) + 1;
        for (int64_t o = start; o < 2 - start; ++o) c.push_back({o, cubic_weight(sc * (static_cast<double>(o) - r), at.a)});
      } else {
        for (int64_t o = -1; o <= 2; ++o) c.push_back({o, cubic_weight(static_cast<double>(o) - r, at.a)});
      }
    }
    if (at.antialias) {
      double sum = 0;
      for (auto& [o, w] : c) sum += w;
      if (sum != 0)
        for (auto& [o, w] : c) w /= sum;
    }
    if (at.exclude_outside) {
      double sum = 0;
      for (auto& [o, w] : c) {
        const int64_t i = base + o;
        if (i < 0 || i >= n_in) w = 0;
        sum += w;
      }
      if (sum != 0)
        for (auto& [o, w] : c) w /= sum;
    }
    for (auto& [o, w] : c)
      if (w != 0) taps.push_back({clampi(base + o), w});
  }
  return t;
}

}  // namespace edgerun::resize
