// Indexing kernels on Vulkan: Gather, GatherElements, GatherND, ScatterElements, ScatterND.
//
// Data of every device dtype (raw 32-bit words for float32 and int storage, 16-bit for float16);
// indices are int32/int64 tensors stored as 32-bit ints on the device. Negative indices count
// from the end as in ONNX.
//
// Out-of-range indices: the reference backend fails the run with an out_of_range error. The
// indices live on the device and the node is recorded before they are known, so a kernel cannot
// fail: instead the shaders never access memory outside the tensors — a gather writes 0 for an
// index outside [-n, n), a scatter skips that update. (Models with such indices are invalid.)
//
// Scatters copy the data input into the output, then apply the updates in the reference's order
// with one invocation per set of targets no other invocation touches (a line along the axis for
// ScatterElements, one element of the slice for ScatterND), so duplicate indices and the
// add/mul/max/min reductions give the reference's result exactly.
#include <algorithm>

#include "base/strcat.h"
#include "ops/shape_util.h"
#include "shaders/gather16.spv.h"
#include "shaders/gather32.spv.h"
#include "shaders/gather_scatter_f16.spv.h"
#include "shaders/gather_scatter_f32.spv.h"
#include "shaders/gather_scatter_i32.spv.h"
#include "shaders/movement_copy16.spv.h"
#include "shaders/movement_copy32.spv.h"
#include "vulkan/kernels/vulkan_common.h"

namespace edgerun::vk {

namespace {

constexpr size_t kMaxRank = 8;

bool present(const NodeView& n, size_t i) { return i < n.node.inputs.size() && n.node.inputs[i] != kNoValue; }

std::string value_reason(const NodeView& n, const VulkanContext& c, const ValueInfo& v, const char* what, size_t i) {
  if (v.kind != ValueKind::kTensor) return str_cat("vulkan: ", n.node.op_type, " ", what, " ", i, " is not a tensor");
  if (v.dtype == DataType::kUndefined)
    return str_cat("vulkan: ", n.node.op_type, " ", what, " ", i, " dtype unknown before running");
  if (!gpu_dtype(v.dtype) || (v.dtype == DataType::kFloat16 && !c.device.info().storage_16bit))
    return str_cat("vulkan: dtype ", dtype_name(v.dtype), " not supported (", n.node.op_type, " ", what, " ", i, ")");
  return "";
}

// Domain, inputs present and on the device, index dtype, output dtypes, rank limit, bindings.
Support index_support(const NodeView& n, const VulkanContext& c, size_t num_inputs, bool rank_limited) {
  if (!standard_domain(n)) return Support::no(str_cat("vulkan: domain ", n.node.domain, " not supported"));
  for (size_t i = 0; i < num_inputs; ++i) {
    if (!present(n, i) || i >= n.inputs.size()) return Support::no(str_cat("vulkan: ", n.node.op_type, " input ", i, " is missing"));
    std::string r = value_reason(n, c, n.inputs[i], "input", i);
    if (!r.empty()) return Support::no(r);
  }
  const DataType it = n.input_dtype(1);
  if (it != DataType::kInt32 && it != DataType::kInt64)
    return Support::no(str_cat("vulkan: ", n.node.op_type, " indices dtype ", dtype_name(it), " not supported"));
  for (size_t i = 0; i < n.outputs.size(); ++i) {
    if (i < n.node.outputs.size() && n.node.outputs[i] == kNoValue) continue;
    std::string r = value_reason(n, c, n.outputs[i], "output", i);
    if (!r.empty()) return Support::no(r);
  }
  if (rank_limited) {
    for (size_t i = 0; i < 2; ++i) {
      const ShapeInfo& s = n.inputs[i].shape;
      if (!s.rank_known) return Support::no(str_cat("vulkan: ", n.node.op_type, " needs inputs of known rank"));
      if (s.rank() > kMaxRank)
        return Support::no(str_cat("vulkan: ", n.node.op_type, " of rank ", s.rank(), " not supported (at most ", kMaxRank, ")"));
    }
  }
  std::string lim = c.check_binding_limits(n);
  if (!lim.empty()) return Support::no(lim);
  return Support::yes();
}

Result<const DeviceTensor*> need_input(const RecordContext& rc, size_t i) {
  const DeviceTensor* t = rc.input(i);
  if (!t) return rc.error(str_cat("input ", i, " is not on the device"));
  return t;
}

int64_t product(const Shape& s, size_t begin, size_t end) {
  int64_t p = 1;
  for (size_t d = begin; d < end && d < s.size(); ++d) p *= s[d];
  return p;
}

// Push constants of shaders/gather.comp and shaders/gather_scatter.comp.
struct IndexPush {
  uint32_t n, a, b, c;
  int32_t d;
  uint32_t dims[8];
  int32_t str[8];
};
static_assert(sizeof(IndexPush) == 84, "push constants must stay within 128 bytes");

// Push constants of shaders/movement_copy.comp (for the scatters' initial copy).
struct CopyPush {
  uint32_t n, rank;
  int32_t sbase, dbase;
  uint32_t dims[8];
  int32_t sstr[8];
  int32_t dstr[8];
};

struct ScatterPushLayout {
  uint32_t a, b, c, d, e;
  uint32_t dims[8];
  int32_t str[8];
};
static_assert(sizeof(ScatterPushLayout) == 84, "scatter push layout");

enum Mode : uint32_t { kGather = 0, kGatherElements = 1, kGatherND = 2 };

class GatherKernel final : public VkKernel {
 public:
  GatherKernel(std::shared_ptr<const VulkanContext> c, const ComputePipeline* p, Mode m) : c_(std::move(c)), p_(p), m_(m) {}

  Status record(RecordContext& rc) const override {
    ER_ASSIGN_OR_RETURN(const DeviceTensor* x, need_input(rc, 0));
    ER_ASSIGN_OR_RETURN(const DeviceTensor* ind, need_input(rc, 1));
    const DeviceTensor& y = rc.output(0);
    const int64_t n = y.numel();
    if (n == 0) return Status::Ok();
    IndexPush push{};
    push.n = static_cast<uint32_t>(n);
    const Shape& xs = x->shape;
    const int64_t r = static_cast<int64_t>(xs.size());
    if (m_ == kGather) {
      auto ax = normalize_axis(rc.attrs().get_int("axis", 0), r);
      if (!ax.ok()) return rc.error(ax.status().message());
      const size_t a = static_cast<size_t>(*ax);
      push.a = static_cast<uint32_t>(product(xs, a + 1, xs.size()));
      push.b = static_cast<uint32_t>(ind->numel());
      push.c = static_cast<uint32_t>(xs[a]);
    } else if (m_ == kGatherElements) {
      auto ax = normalize_axis(rc.attrs().get_int("axis", 0), r);
      if (!ax.ok()) return rc.error(ax.status().message());
      const Shape& is = ind->shape;
      if (is.size() != xs.size() || is.size() > kMaxRank) return rc.error("indices rank differs from data rank (or > 8)");
      for (size_t d = 0; d < is.size(); ++d)
        if (d != static_cast<size_t>(*ax) && is[d] > xs[d])
          return rc.error(str_cat("indices shape ", shape_to_string(is), " exceeds data shape ", shape_to_string(xs), " on axis ", d));
      const auto st = strides_of(xs);
      push.a = static_cast<uint32_t>(is.size());
      push.b = static_cast<uint32_t>(*ax);
      push.c = static_cast<uint32_t>(xs[static_cast<size_t>(*ax)]);
      for (size_t d = 0; d < is.size(); ++d) {
        push.dims[d] = static_cast<uint32_t>(is[d]);
        push.str[d] = static_cast<int32_t>(st[d]);
      }
    } else {
      const int64_t b = rc.attrs().get_int("batch_dims", 0);
      const Shape& is = ind->shape;
      if (is.empty()) return rc.error("indices must have rank >= 1");
      const int64_t last = is.back();
      if (b < 0 || last < 0 || b + last > r || last > static_cast<int64_t>(kMaxRank))
        return rc.error(str_cat("indices last dim ", last, " with batch_dims ", b, " does not fit data rank ", r));
      const auto st = strides_of(xs);
      const size_t ub = static_cast<size_t>(b);
      int64_t batch = product(xs, 0, ub);
      const int64_t slice = product(xs, ub + static_cast<size_t>(last), xs.size());
      if (last == 0) return rc.error("indices last dim 0 not supported");
      const int64_t tuples = ind->numel() / last;
      push.a = static_cast<uint32_t>(slice);
      push.b = static_cast<uint32_t>(last);
      push.c = static_cast<uint32_t>(batch > 0 ? std::max<int64_t>(1, tuples / batch) : 1);
      push.d = static_cast<int32_t>(b > 0 ? st[ub - 1] : x->numel());
      for (size_t j = 0; j < static_cast<size_t>(last); ++j) {
        push.dims[j] = static_cast<uint32_t>(xs[ub + j]);
        push.str[j] = static_cast<int32_t>(st[ub + j]);
      }
      if (slice == 0) return Status::Ok();
    }
    const DeviceTensor* bind[] = {x, ind, &y};
    return rc.dispatch(*p_, bind, &push, sizeof push, rc.ctx().groups_for(static_cast<uint64_t>(n)));
  }

 private:
  std::shared_ptr<const VulkanContext> c_;
  const ComputePipeline* p_;
  Mode m_;
};

Support gather_supports(const NodeView& n, const VulkanContext& c) { return index_support(n, c, 2, false); }
Support gather_elements_supports(const NodeView& n, const VulkanContext& c) { return index_support(n, c, 2, true); }
Support gather_nd_supports(const NodeView& n, const VulkanContext& c) {
  Support s = index_support(n, c, 2, false);
  if (!s.ok) return s;
  const ShapeInfo& is = n.inputs[1].shape;
  if (is.rank_known && is.rank() > 0 && is.dims.back().known() && is.dims.back().value > static_cast<int64_t>(kMaxRank))
    return Support::no("vulkan: GatherND index tuples longer than 8 not supported");
  if (!is.rank_known || is.rank() == 0 || !is.dims.back().known() || is.dims.back().value == 0)
    return Support::no("vulkan: GatherND needs the indices' last dimension known and > 0");
  return s;
}

template <Mode M>
Result<std::unique_ptr<VkKernel>> gather_create(const NodeView& n, std::shared_ptr<const VulkanContext> c) {
  const bool b16 = storage_bytes(storage_of(n.input_dtype(0))) == 2;
  ER_ASSIGN_OR_RETURN(const ComputePipeline* p,
                      c->pipeline(b16 ? std::span<const uint32_t>(shaders::kSpirv_gather16)
                                      : std::span<const uint32_t>(shaders::kSpirv_gather32),
                                  3, sizeof(IndexPush), {c->workgroup_size(), M}));
  return std::unique_ptr<VkKernel>(new GatherKernel(std::move(c), p, M));
}

// ---- scatters ----

enum Reduction : uint32_t { kNone = 0, kAdd = 1, kMul = 2, kMax = 3, kMin = 4 };

int reduction_of(const std::string& r) {
  if (r == "none") return kNone;
  if (r == "add") return kAdd;
  if (r == "mul") return kMul;
  if (r == "max") return kMax;
  if (r == "min") return kMin;
  return -1;
}

class ScatterKernel final : public VkKernel {
 public:
  ScatterKernel(std::shared_ptr<const VulkanContext> c, const ComputePipeline* copy, const ComputePipeline* scatter,
                bool nd)
      : c_(std::move(c)), copy_(copy), scatter_(scatter), nd_(nd) {}

  Status record(RecordContext& rc) const override {
    ER_ASSIGN_OR_RETURN(const DeviceTensor* x, need_input(rc, 0));
    ER_ASSIGN_OR_RETURN(const DeviceTensor* ind, need_input(rc, 1));
    ER_ASSIGN_OR_RETURN(const DeviceTensor* upd, need_input(rc, 2));
    const DeviceTensor& y = rc.output(0);
    const int64_t n = x->numel();
    if (n == 0) return Status::Ok();
    if (upd->storage != y.storage) return rc.error("updates storage differs from the data's");
    CopyPush cp{};
    cp.n = static_cast<uint32_t>(n);
    cp.rank = 1;
    cp.dims[0] = static_cast<uint32_t>(n);
    cp.sstr[0] = cp.dstr[0] = 1;
    const DeviceTensor* cbind[] = {x, &y};
    ER_RETURN_IF_ERROR(rc.dispatch(*copy_, cbind, &cp, sizeof cp, rc.ctx().groups_for(static_cast<uint64_t>(n))));

    const Shape& xs = x->shape;
    const Shape& is = ind->shape;
    const auto st = strides_of(xs);
    ScatterPushLayout push{};
    uint64_t threads = 0;
    if (!nd_) {
      auto ax = normalize_axis(rc.attrs().get_int("axis", 0), static_cast<int64_t>(xs.size()));
      if (!ax.ok()) return rc.error(ax.status().message());
      const size_t a = static_cast<size_t>(*ax);
      if (is != upd->shape)
        return rc.error(str_cat("updates shape ", shape_to_string(upd->shape), " differs from indices shape ", shape_to_string(is)));
      if (is.size() != xs.size() || is.size() > kMaxRank) return rc.error("indices rank differs from data rank (or > 8)");
      for (size_t d = 0; d < xs.size(); ++d)
        if (d != a && is[d] > xs[d])
          return rc.error(str_cat("indices shape ", shape_to_string(is), " exceeds data shape ", shape_to_string(xs), " on axis ", d));
      const int64_t len = is[a];
      if (ind->numel() == 0) return Status::Ok();
      push.a = static_cast<uint32_t>(ind->numel() / len);
      push.b = static_cast<uint32_t>(is.size());
      push.c = static_cast<uint32_t>(a);
      push.d = static_cast<uint32_t>(len);
      push.e = static_cast<uint32_t>(xs[a]);
      for (size_t d = 0; d < is.size(); ++d) {
        push.dims[d] = static_cast<uint32_t>(is[d]);
        push.str[d] = static_cast<int32_t>(st[d]);
      }
      threads = push.a;
    } else {
      if (is.empty()) return rc.error("indices must have rank >= 1");
      const int64_t k = is.back();
      if (k < 1 || k > static_cast<int64_t>(xs.size()) || k > static_cast<int64_t>(kMaxRank))
        return rc.error(str_cat("indices last dim ", k, " must be in [1, ", std::min<size_t>(xs.size(), kMaxRank), "]"));
      Shape expect(is.begin(), is.end() - 1);
      expect.insert(expect.end(), xs.begin() + k, xs.end());
      if (expect != upd->shape)
        return rc.error(str_cat("updates shape ", shape_to_string(upd->shape), " should be ", shape_to_string(expect)));
      const int64_t slice = product(xs, static_cast<size_t>(k), xs.size());
      const int64_t tuples = ind->numel() / k;
      if (tuples == 0 || slice == 0) return Status::Ok();
      push.a = static_cast<uint32_t>(slice);
      push.b = static_cast<uint32_t>(tuples);
      push.c = static_cast<uint32_t>(k);
      for (size_t j = 0; j < static_cast<size_t>(k); ++j) {
        push.dims[j] = static_cast<uint32_t>(xs[j]);
        push.str[j] = static_cast<int32_t>(st[j]);
      }
      threads = static_cast<uint64_t>(slice);
    }
    const DeviceTensor* bind[] = {ind, upd, &y};
    return rc.dispatch(*scatter_, bind, &push, sizeof push, rc.ctx().groups_for(threads));
  }

 private:
  std::shared_ptr<const VulkanContext> c_;
  const ComputePipeline* copy_;
  const ComputePipeline* scatter_;
  bool nd_;
};

Support scatter_supports(const NodeView& n, const VulkanContext& c) {
  Support s = index_support(n, c, 3, n.node.op_type == "ScatterElements");
  if (!s.ok) return s;
  const std::string red = n.node.attrs.get_string("reduction", "none");
  const int r = reduction_of(red);
  if (r < 0) return Support::no(str_cat("vulkan: ", n.node.op_type, " reduction '", red, "' not supported"));
  const DataType dt = n.input_dtype(0);
  if (r == kAdd || r == kMul) {
    // Arithmetic in the storage type: exact for float32/float16 (as the reference) and for 32-bit
    // ints; narrower ints would need the reference's wrap-around at their width.
    if (dt != DataType::kFloat32 && dt != DataType::kFloat16 && dt != DataType::kInt32 && dt != DataType::kInt64)
      return Support::no(str_cat("vulkan: ", n.node.op_type, " reduction ", red, " on ", dtype_name(dt), " not supported"));
  } else if (r == kMax || r == kMin) {
    if (dt == DataType::kUInt32 || dt == DataType::kBool)  // stored as signed ints / no order in the reference
      return Support::no(str_cat("vulkan: ", n.node.op_type, " reduction ", red, " on ", dtype_name(dt), " not supported"));
  }
  if (n.node.op_type == "ScatterND") {
    const ShapeInfo& is = n.inputs[1].shape;
    if (!is.rank_known || is.rank() == 0 || !is.dims.back().known())
      return Support::no("vulkan: ScatterND needs the indices' last dimension known");
    if (is.dims.back().value > static_cast<int64_t>(kMaxRank))
      return Support::no("vulkan: ScatterND index tuples longer than 8 not supported");
  }
  return s;
}

template <bool ND>
Result<std::unique_ptr<VkKernel>> scatter_create(const NodeView& n, std::shared_ptr<const VulkanContext> c) {
  const Storage s = storage_of(n.input_dtype(0));
  const int red = reduction_of(n.node.attrs.get_string("reduction", "none"));
  if (red < 0) return Status(StatusCode::kUnsupported, "vulkan: scatter reduction not supported");
  ER_ASSIGN_OR_RETURN(const ComputePipeline* copy,
                      c->pipeline(storage_bytes(s) == 2 ? std::span<const uint32_t>(shaders::kSpirv_movement_copy16)
                                                        : std::span<const uint32_t>(shaders::kSpirv_movement_copy32),
                                  2, sizeof(CopyPush), {c->workgroup_size()}));
  std::span<const uint32_t> spv = s == Storage::kF32   ? std::span<const uint32_t>(shaders::kSpirv_gather_scatter_f32)
                                  : s == Storage::kF16 ? std::span<const uint32_t>(shaders::kSpirv_gather_scatter_f16)
                                                       : std::span<const uint32_t>(shaders::kSpirv_gather_scatter_i32);
  ER_ASSIGN_OR_RETURN(const ComputePipeline* scatter,
                      c->pipeline(spv, 3, sizeof(ScatterPushLayout),
                                  {c->workgroup_size(), ND ? 1u : 0u, static_cast<uint32_t>(red)}));
  return std::unique_ptr<VkKernel>(new ScatterKernel(std::move(c), copy, scatter, ND));
}

const VulkanOp kOps[] = {
    {"Gather", gather_supports, gather_create<kGather>},
    {"GatherElements", gather_elements_supports, gather_create<kGatherElements>},
    {"GatherND", gather_nd_supports, gather_create<kGatherND>},
    {"ScatterElements", scatter_supports, scatter_create<false>},
    {"ScatterND", scatter_supports, scatter_create<true>},
};

}  // namespace

std::span<const VulkanOp> gather_ops() { return kOps; }

}  // namespace edgerun::vk
