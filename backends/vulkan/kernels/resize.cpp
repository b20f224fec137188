// Resize on Vulkan (shaders/resize.comp); Upsample and Resize-10 arrive as Resize (the importer
// converts them). roi, scales and sizes are host inputs. For the concrete shapes the host computes,
// per axis and output coordinate, the source taps (input index, weight) in double with the
// reference backend's rules (coordinate_transformation_mode, nearest_mode, linear, cubic with
// cubic_coeff_a, exclude_outside, antialias, tf_crop_and_resize extrapolation) and uploads them as
// a small int32 table; the shader sums over the tensor product of the taps (nearest: copies the
// single tap). keep_aspect_ratio_policy and axes are handled by the shared plan_resize().
// Storage: float32/float16 in every mode (fp32 math); int32-stored integer dtypes in nearest mode.
#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <map>
#include <mutex>

#include "base/errors.h"
#include "base/strcat.h"
#include "ops/resize_util.h"
#include "ops/shape_util.h"
#include "shaders/resize_f16.spv.h"
#include "shaders/resize_f32.spv.h"
#include "shaders/resize_i32.spv.h"
#include "vulkan/kernels/vulkan_common.h"

namespace edgerun::vk {

namespace {

constexpr size_t kMaxRank = 8;

struct Tap {
  int64_t index;
  double weight;
};

struct AxisTaps {
  std::vector<std::vector<Tap>> taps;  // per output coordinate
  std::vector<bool> extrapolate;       // per output coordinate
};

struct ResizeAttrs {
  std::string mode, ctm, nearest_mode;
  double a = -0.75;
  bool exclude_outside = false, antialias = false;
};

ResizeAttrs read_attrs(const Attributes& a) {
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
double source_coordinate(const ResizeAttrs& at, int64_t x, int64_t n_in, int64_t n_out, double scale, double roi_b,
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

double cubic_weight(double x, double a) {
  x = std::fabs(x);
  if (x <= 1) return ((a + 2) * x - (a + 3)) * x * x + 1;
  if (x < 2) return ((a * x - 5 * a) * x + 8 * a) * x - 4 * a;
  return 0.0;
}

AxisTaps axis_taps(const ResizeAttrs& at, int64_t n_in, int64_t n_out, double scale, double roi_b, double roi_e) {
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

struct ResizePush {
  uint32_t n = 0, rank = 0, extrapolation = 0;
};

bool is_float(DataType dt) { return dt == DataType::kFloat32 || dt == DataType::kFloat16; }

Support resize_supports(const NodeView& n, const VulkanContext& c) {
  if (!standard_domain(n)) return Support::no(str_cat("vulkan: domain ", n.node.domain, " not supported"));
  if (!n.node.fused_activation.empty()) return Support::no("vulkan: Resize with a fused activation not supported");
  if (n.inputs.empty()) return Support::no("vulkan: missing input");
  const DataType dt = n.input_dtype(0);
  if (!gpu_dtype(dt) || dt == DataType::kBool)
    return Support::no(str_cat("vulkan: Resize dtype ", dtype_name(dt), " not supported"));
  if (dt == DataType::kFloat16 && !c.device.info().storage_16bit)
    return Support::no("vulkan: float16 needs 16-bit storage buffers (storageBuffer16BitAccess)");
  const ResizeAttrs at = read_attrs(n.node.attrs);
  if (at.mode != "nearest" && at.mode != "linear" && at.mode != "cubic")
    return Support::no(str_cat("vulkan: Resize mode ", at.mode, " not supported"));
  if (!is_float(dt) && at.mode != "nearest")
    return Support::no(str_cat("vulkan: Resize mode ", at.mode, " on dtype ", dtype_name(dt), " not supported (nearest only)"));
  const ShapeInfo& s = n.inputs[0].shape;
  if (!s.rank_known) return Support::no("vulkan: Resize needs the input rank");
  if (s.rank() > kMaxRank) return Support::no(str_cat("vulkan: Resize of rank ", s.rank(), " > 8 not supported"));
  if (std::string r = c.check_binding_limits(n); !r.empty()) return Support::no(r);
  return Support::yes();
}

// Optional host input i as doubles; `present` = given and non-empty.
Result<std::vector<double>> host_doubles(const RecordContext& rc, size_t i, bool* present) {
  const Tensor* t = rc.host(i);
  *present = t && t->numel() > 0;
  if (!*present) return std::vector<double>{};
  return tensor_to_doubles(*t);
}

// extrapolation_value as the int32 that the reference stores for integer dtype dt.
Result<int32_t> int_extrapolation(double v, DataType dt) {
  if (std::isnan(v)) return 0;
  double lo = std::numeric_limits<int32_t>::lowest(), hi = std::numeric_limits<int32_t>::max();
  switch (dt) {
    case DataType::kInt8: lo = -128, hi = 127; break;
    case DataType::kUInt8: lo = 0, hi = 255; break;
    case DataType::kInt16: lo = -32768, hi = 32767; break;
    case DataType::kUInt16: lo = 0, hi = 65535; break;
    case DataType::kUInt32: lo = 0; break;
    default: break;
  }
  const double r = std::nearbyint(v);
  if ((dt == DataType::kInt64 || dt == DataType::kUInt32) && (r < lo || r > hi))
    return invalid_argument("vulkan: Resize extrapolation_value ", v, " does not fit the GPU's int32 storage");
  return static_cast<int32_t>(std::clamp(r, lo, hi));
}

class ResizeKernel final : public VkKernel {
 public:
  ResizeKernel(const ComputePipeline* p, ResizeAttrs at) : p_(p), at_(std::move(at)) {}

  Status record(RecordContext& rc) const override {
    const DeviceTensor* x = rc.input(0);
    if (!x) return rc.error("vulkan: input 0 is not on the device");
    const DeviceTensor& y = rc.output(0);
    const Attributes& a = rc.attrs();
    bool has_roi = false, has_scales = false;
    ER_ASSIGN_OR_RETURN(auto roi, host_doubles(rc, 1, &has_roi));
    ER_ASSIGN_OR_RETURN(auto scales, host_doubles(rc, 2, &has_scales));
    std::vector<int64_t> sizes;
    const bool has_sizes = rc.host(3) && rc.host(3)->numel() > 0;
    if (has_sizes) {
      ER_ASSIGN_OR_RETURN(sizes, tensor_to_int64s(*rc.host(3)));
    }
    ER_ASSIGN_OR_RETURN(auto plan, resize::plan_resize(rc.node().label(), x->shape, a.get_ints("axes"), a.has("axes"),
                                                       a.get_string("keep_aspect_ratio_policy", "stretch"),
                                                       has_scales ? &scales : nullptr, has_sizes ? &sizes : nullptr,
                                                       has_roi && at_.ctm == "tf_crop_and_resize" ? &roi : nullptr));
    if (plan.out != y.shape)
      return rc.error(str_cat("vulkan: output shape ", shape_to_string(y.shape), " differs from ", shape_to_string(plan.out)));
    if (y.numel() == 0) return Status::Ok();
    if (x->numel() == 0) return rc.error("cannot resize an empty tensor to a non-empty one");

    // The tap table (layout in shaders/resize.comp).
    const size_t r = x->shape.size();
    const std::vector<int64_t> in_strides = strides_of(x->shape);
    std::vector<AxisTaps> axes(r);
    std::vector<int32_t> table(4 * r);
    bool any_extrapolation = false;
    for (size_t d = 0; d < r; ++d) {
      axes[d] = axis_taps(at_, x->shape[d], y.shape[d], plan.scales[d], plan.roi[d], plan.roi[r + d]);
      size_t taps = 1;
      for (const auto& t : axes[d].taps) taps = std::max(taps, t.size());
      table[4 * d] = static_cast<int32_t>(y.shape[d]);
      table[4 * d + 1] = static_cast<int32_t>(in_strides[d]);
      table[4 * d + 2] = static_cast<int32_t>(table.size());
      table[4 * d + 3] = static_cast<int32_t>(taps);
      for (int64_t o = 0; o < y.shape[d]; ++o) {
        const size_t start = table.size();
        table.resize(start + 1 + 2 * taps, 0);
        const auto& t = axes[d].taps[static_cast<size_t>(o)];
        if (axes[d].extrapolate[static_cast<size_t>(o)]) {
          table[start] = -1;
          any_extrapolation = true;
          continue;
        }
        table[start] = static_cast<int32_t>(t.size());
        for (size_t k = 0; k < t.size(); ++k) {
          const float w = static_cast<float>(t[k].weight);
          table[start + 1 + 2 * k] = static_cast<int32_t>(t[k].index);
          std::memcpy(&table[start + 2 + 2 * k], &w, 4);
        }
      }
      if (table.size() > static_cast<size_t>(std::numeric_limits<int32_t>::max()))
        return rc.error("vulkan: Resize tap table too large");
    }
    ResizePush p;
    p.n = static_cast<uint32_t>(y.numel());
    p.rank = static_cast<uint32_t>(r);
    const float extrap = a.get_float("extrapolation_value", 0.f);
    if (x->storage == Storage::kI32) {
      int32_t v = 0;
      if (any_extrapolation) {
        ER_ASSIGN_OR_RETURN(v, int_extrapolation(extrap, x->dtype));
      }
      std::memcpy(&p.extrapolation, &v, 4);
    } else {
      std::memcpy(&p.extrapolation, &extrap, 4);
    }
    ER_ASSIGN_OR_RETURN(const DeviceTensor* tab, table_on_device(rc, std::move(table)));
    const DeviceTensor* b[] = {x, tab, &y};
    return rc.dispatch(*p_, b, &p, sizeof p, rc.ctx().groups_for(static_cast<uint64_t>(y.numel())));
  }

 private:
  // The device copy of `table`, uploaded once per distinct table and kept as long as the kernel
  // (recorded command buffers are replayed while the shapes and host inputs stay the same).
  Result<const DeviceTensor*> table_on_device(RecordContext& rc, std::vector<int32_t> table) const {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = tables_.find(table);
    if (it != tables_.end()) return it->second.get();
    ER_ASSIGN_OR_RETURN(Tensor t, Tensor::allocate(DataType::kInt32, {static_cast<int64_t>(table.size())}));
    std::memcpy(t.data(), table.data(), table.size() * 4);
    ER_ASSIGN_OR_RETURN(std::shared_ptr<const DeviceTensor> dev, rc.ctx().upload(t));
    const DeviceTensor* raw = dev.get();
    tables_.emplace(std::move(table), std::move(dev));
    return raw;
  }

  const ComputePipeline* p_;
  ResizeAttrs at_;
  mutable std::mutex mu_;
  mutable std::map<std::vector<int32_t>, std::shared_ptr<const DeviceTensor>> tables_;
};

Result<std::unique_ptr<VkKernel>> resize_create(const NodeView& n, std::shared_ptr<const VulkanContext> c) {
  ResizeAttrs at = read_attrs(n.node.attrs);
  const Storage st = storage_of(n.input_dtype(0));
  std::span<const uint32_t> spirv = st == Storage::kF32   ? std::span<const uint32_t>(shaders::kSpirv_resize_f32)
                                    : st == Storage::kF16 ? std::span<const uint32_t>(shaders::kSpirv_resize_f16)
                                                          : std::span<const uint32_t>(shaders::kSpirv_resize_i32);
  const uint32_t nearest = at.mode == "nearest" ? 1 : 0;
  ER_ASSIGN_OR_RETURN(const ComputePipeline* p, c->pipeline(spirv, 3, sizeof(ResizePush), {c->workgroup_size(), nearest}));
  return std::unique_ptr<VkKernel>(new ResizeKernel(p, std::move(at)));
}

const VulkanOp kOps[] = {
    {"Resize", resize_supports, resize_create, 0b1110},
};

}  // namespace

std::span<const VulkanOp> resize_ops() { return kOps; }

}  // namespace edgerun::vk
