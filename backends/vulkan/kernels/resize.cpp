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
  const resize::ResizeAttrs at = resize::read_attrs(n.node.attrs);
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
  ResizeKernel(const ComputePipeline* p, resize::ResizeAttrs at) : p_(p), at_(std::move(at)) {}

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
    std::vector<resize::AxisTaps> axes(r);
    std::vector<int32_t> table(4 * r);
    bool any_extrapolation = false;
    for (size_t d = 0; d < r; ++d) {
      axes[d] = resize::axis_taps(at_, x->shape[d], y.shape[d], plan.scales[d], plan.roi[d], plan.roi[r + d]);
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
  resize::ResizeAttrs at_;
  mutable std::mutex mu_;
  mutable std::map<std::vector<int32_t>, std::shared_ptr<const DeviceTensor>> tables_;
};

Result<std::unique_ptr<VkKernel>> resize_create(const NodeView& n, std::shared_ptr<const VulkanContext> c) {
  resize::ResizeAttrs at = resize::read_attrs(n.node.attrs);
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
