// Reductions and line normalisations on Vulkan (shaders/reduce.comp, shaders/softmax.comp):
//   ReduceSum ReduceMean ReduceMax ReduceMin ReduceProd ReduceL1 ReduceL2 ReduceLogSum
//   ReduceLogSumExp ReduceSumSquare (axes input read on the host), ArgMax ArgMin,
//   Softmax LogSoftmax Hardmax (opset < 13: coerced to 2-D; >= 13: one axis),
//   LpNormalization, MeanVarianceNormalization.
// All of them see the input as "kept" x "reduced" index spaces: the dims of each kind are merged
// where adjacent (dims of size 1 dropped) into at most 4 groups of (size, stride) each, so any axes
// set of a rank <= 8 tensor fits the shaders' push constants. Long reduced sets run one workgroup
// per output (shared-memory tree), short ones one invocation per output.
// Storage: float32 and float16 (fp32 math); the int32-stored integer dtypes for the integer-exact
// reductions (Sum Mean Max Min Prod L1 SumSquare; Max/Min also on bool) and ArgMax/ArgMin.
// Integer sums wrap at 32 bits (the reference wraps at 64: the results differ only when an int64
// sum leaves the int32 range).
#include <algorithm>
#include <cstddef>
#include <limits>

#include "base/errors.h"
#include "base/strcat.h"
#include "ops/reduce_util.h"
#include "ops/shape_util.h"
#include "shaders/reduce_arg_f16.spv.h"
#include "shaders/reduce_arg_f32.spv.h"
#include "shaders/reduce_arg_i32.spv.h"
#include "shaders/reduce_f16.spv.h"
#include "shaders/reduce_f32.spv.h"
#include "shaders/reduce_i32.spv.h"
#include "shaders/softmax_f16.spv.h"
#include "shaders/softmax_f32.spv.h"
#include "vulkan/kernels/vulkan_common.h"

namespace edgerun::vk {

namespace {

// Shader op codes (shaders/reduce.comp, shaders/softmax.comp).
enum RedOp : uint32_t {
  kSum, kMean, kMax, kMin, kProd, kL1, kL2, kLogSum, kLogSumExp, kSumSquare, kArgMax, kArgMin
};
enum LineOp : uint32_t { kSoftmax, kLogSoftmax, kHardmax, kLp1, kLp2, kMvn };

constexpr size_t kMaxRank = 8;
constexpr int kMaxGroups = 4;

// Push constants shared by reduce.comp and softmax.comp (softmax.comp ignores `ident`).
struct GroupPush {
  uint32_t n_out = 0, n_red = 0;
  uint32_t kd[kMaxGroups], ks[kMaxGroups], rd[kMaxGroups], rs[kMaxGroups];
  int32_t ident = 0;
};
constexpr uint32_t kLinePushBytes = offsetof(GroupPush, ident);

// Largest power of two <= the context's workgroup size (the shaders' tree reductions need it).
uint32_t pow2_workgroup(const VulkanContext& c) {
  uint32_t w = 1;
  while (w * 2 <= c.workgroup_size()) w *= 2;
  return w;
}

// Describes `shape` with the dims where mask[d] is set reduced: kept and reduced groups, innermost
// in slot 3, unused slots (1, 0). Errors when more than 4 groups of one kind remain.
Result<GroupPush> make_groups(const Shape& shape, const std::vector<bool>& mask) {
  GroupPush p;
  std::vector<std::pair<int64_t, int64_t>> kept, red;  // (size, stride), outermost first
  const std::vector<int64_t> strides = strides_of(shape);
  int64_t n_out = 1, n_red = 1;
  int last_kind = -1;  // kind of the previous dim of size > 1 (0 kept, 1 reduced)
  for (size_t d = 0; d < shape.size(); ++d) {
    const int64_t size = shape[d];
    (mask[d] ? n_red : n_out) *= size;
    if (size == 1) continue;
    auto& list = mask[d] ? red : kept;
    const int kind = mask[d] ? 1 : 0;
    if (last_kind == kind && !list.empty()) {
      list.back().first *= size;
      list.back().second = strides[d];
    } else {
      list.push_back({size, strides[d]});
    }
    last_kind = kind;
  }
  if (n_out > std::numeric_limits<int32_t>::max() || n_red > std::numeric_limits<int32_t>::max())
    return invalid_argument("vulkan: reduction of ", shape_to_string(shape), " exceeds the shaders' 32-bit indices");
  p.n_out = static_cast<uint32_t>(n_out);
  p.n_red = static_cast<uint32_t>(n_red);
  if (n_out == 0 || n_red == 0) {  // nothing is addressed
    kept.clear();
    red.clear();
  }
  if (kept.size() > kMaxGroups || red.size() > kMaxGroups)
    return invalid_argument("vulkan: ", shape_to_string(shape), " has more than ", kMaxGroups,
                            " separate kept or reduced dim groups");
  auto fill = [](const std::vector<std::pair<int64_t, int64_t>>& g, uint32_t* dims, uint32_t* strides) {
    const size_t pad = kMaxGroups - g.size();
    for (size_t i = 0; i < kMaxGroups; ++i) {
      dims[i] = i < pad ? 1 : static_cast<uint32_t>(g[i - pad].first);
      strides[i] = i < pad ? 0 : static_cast<uint32_t>(g[i - pad].second);
    }
  };
  fill(kept, p.kd, p.ks);
  fill(red, p.rd, p.rs);
  return p;
}

bool use_workgroup_mode(uint32_t n_out, uint32_t n_red) { return n_red >= 128 || (n_red > 16 && n_out <= 1024); }

uint32_t wg_groups(const VulkanContext& c, uint32_t n_out) {
  return std::max<uint32_t>(1, std::min<uint32_t>(n_out, std::max<uint32_t>(1, c.device.info().max_workgroup_count_x)));
}

// Two pipelines of one shader: one invocation per output, one workgroup per output.
struct ModePipelines {
  const ComputePipeline* thread = nullptr;
  const ComputePipeline* wg = nullptr;
};

Result<ModePipelines> make_pipelines(const VulkanContext& c, std::span<const uint32_t> spirv, uint32_t push_bytes,
                                     uint32_t op, uint32_t extra = 0) {
  const uint32_t w = pow2_workgroup(c);
  ModePipelines m;
  ER_ASSIGN_OR_RETURN(m.thread, c.pipeline(spirv, 2, push_bytes, {w, op, 0, extra}));
  ER_ASSIGN_OR_RETURN(m.wg, c.pipeline(spirv, 2, push_bytes, {w, op, 1, extra}));
  return m;
}

Status dispatch_groups(RecordContext& rc, const ModePipelines& m, const GroupPush& p, uint32_t push_bytes) {
  if (p.n_out == 0 || rc.output(0).numel() == 0) return Status::Ok();
  const DeviceTensor* b[] = {rc.input(0), &rc.output(0)};
  if (!b[0]) return rc.error("vulkan: input 0 is not on the device");
  if (use_workgroup_mode(p.n_out, p.n_red)) return rc.dispatch(*m.wg, b, &p, push_bytes, wg_groups(rc.ctx(), p.n_out));
  return rc.dispatch(*m.thread, b, &p, push_bytes, rc.ctx().groups_for(p.n_out));
}

std::vector<bool> single_axis_mask(size_t rank, int64_t axis) {
  std::vector<bool> m(rank, false);
  m[static_cast<size_t>(axis)] = true;
  return m;
}

// ---- supports helpers ----

bool is_float(DataType dt) { return dt == DataType::kFloat32 || dt == DataType::kFloat16; }

Support common_checks(const NodeView& n, const VulkanContext& c, uint32_t host_mask) {
  if (!standard_domain(n)) return Support::no(str_cat("vulkan: domain ", n.node.domain, " not supported"));
  if (!n.node.fused_activation.empty())
    return Support::no(str_cat("vulkan: ", n.node.op_type, " with a fused activation not supported"));
  if (n.inputs.empty()) return Support::no("vulkan: missing input");
  const DataType dt = n.input_dtype(0);
  if (!gpu_dtype(dt)) return Support::no(str_cat("vulkan: dtype ", dtype_name(dt), " not supported"));
  if (dt == DataType::kFloat16 && !c.device.info().storage_16bit)
    return Support::no("vulkan: float16 needs 16-bit storage buffers (storageBuffer16BitAccess)");
  const ShapeInfo& s = n.inputs[0].shape;
  if (!s.rank_known) return Support::no(str_cat("vulkan: ", n.node.op_type, " needs the input rank"));
  if (s.rank() > kMaxRank) return Support::no(str_cat("vulkan: ", n.node.op_type, " of rank ", s.rank(), " > 8 not supported"));
  for (size_t i = 1; i < n.inputs.size(); ++i)
    if (!(host_mask & (1u << i)) && n.input_dtype(i) != DataType::kUndefined)
      return Support::no(str_cat("vulkan: ", n.node.op_type, " input ", i, " not supported"));
  if (std::string r = c.check_binding_limits(n); !r.empty()) return Support::no(r);
  return Support::yes();
}

// ---- Reduce* ----

struct ReduceInfo {
  const char* op;
  RedOp code;
  bool int_ok;  // defined exactly on int32 storage
};
constexpr ReduceInfo kReduceInfo[] = {
    {"ReduceSum", kSum, true},        {"ReduceMean", kMean, true},          {"ReduceMax", kMax, true},
    {"ReduceMin", kMin, true},        {"ReduceProd", kProd, true},          {"ReduceL1", kL1, true},
    {"ReduceL2", kL2, false},         {"ReduceLogSum", kLogSum, false},     {"ReduceLogSumExp", kLogSumExp, false},
    {"ReduceSumSquare", kSumSquare, true},
};

const ReduceInfo* reduce_info(const std::string& op) {
  for (const ReduceInfo& r : kReduceInfo)
    if (op == r.op) return &r;
  return nullptr;
}

Support reduce_supports(const NodeView& n, const VulkanContext& c) {
  Support s = common_checks(n, c, 0b10);
  if (!s.ok) return s;
  const ReduceInfo* info = reduce_info(n.node.op_type);
  if (!info) return Support::no(str_cat("vulkan: no reduction ", n.node.op_type));
  const DataType dt = n.input_dtype(0);
  if (dt == DataType::kBool && info->code != kMax && info->code != kMin)
    return Support::no(str_cat("vulkan: ", n.node.op_type, " on bool not supported"));
  if (!is_float(dt) && !info->int_ok)
    return Support::no(str_cat("vulkan: ", n.node.op_type, " on dtype ", dtype_name(dt), " not supported (float only)"));
  return Support::yes();
}

// Identity of integer Max (lowest) / Min (highest) for the logical dtype in int32 storage. For
// int64 / uint32 the int32 extreme serves every non-empty set (stored values lie in int32), but an
// empty set's identity (the dtype's own extreme) is not representable: `exact` says so.
int32_t int_identity(DataType dt, bool is_max, bool* exact) {
  *exact = true;
  switch (dt) {
    case DataType::kBool: return is_max ? 0 : 1;
    case DataType::kInt8: return is_max ? -128 : 127;
    case DataType::kUInt8: return is_max ? 0 : 255;
    case DataType::kInt16: return is_max ? -32768 : 32767;
    case DataType::kUInt16: return is_max ? 0 : 65535;
    case DataType::kInt32: return is_max ? std::numeric_limits<int32_t>::min() : std::numeric_limits<int32_t>::max();
    case DataType::kUInt32:
      *exact = is_max;
      return is_max ? 0 : std::numeric_limits<int32_t>::max();
    default:  // int64
      *exact = false;
      return is_max ? std::numeric_limits<int32_t>::min() : std::numeric_limits<int32_t>::max();
  }
}

class ReduceKernel final : public VkKernel {
 public:
  ReduceKernel(ModePipelines p, RedOp op, DataType dt, bool noop) : p_(p), op_(op), dt_(dt), noop_(noop) {}

  Status record(RecordContext& rc) const override {
    const DeviceTensor* x = rc.input(0);
    if (!x) return rc.error("vulkan: input 0 is not on the device");
    std::vector<int64_t> axes;
    if (const Tensor* a = rc.host(1)) {
      auto v = tensor_to_int64s(*a);
      if (!v.ok()) return rc.error(str_cat("axes: ", v.status().message()));
      axes = *v;
    } else if (rc.num_inputs() > 1 && rc.node().inputs.size() > 1 && rc.node().inputs[1] != kNoValue) {
      return rc.error("vulkan: the axes input is not on the host");
    }
    auto mask = reduce_axes_mask(axes, static_cast<int64_t>(x->shape.size()), noop_);
    if (!mask.ok()) return rc.error(mask.status().message());
    ER_ASSIGN_OR_RETURN(GroupPush p, make_groups(x->shape, *mask));
    if (static_cast<int64_t>(p.n_out) != rc.output(0).numel())
      return rc.error(str_cat("vulkan: output ", shape_to_string(rc.output(0).shape), " does not match the reduction"));
    if (storage_of(dt_) == Storage::kI32 && (op_ == kMax || op_ == kMin)) {
      bool exact = true;
      p.ident = int_identity(dt_, op_ == kMax, &exact);
      if (!exact && p.n_red == 0 && p.n_out > 0)
        return rc.error(str_cat("vulkan: the identity of an empty ", rc.node().op_type, " over ", dtype_name(dt_),
                                " does not fit the GPU's int32 storage"));
    }
    return dispatch_groups(rc, p_, p, sizeof(GroupPush));
  }

 private:
  ModePipelines p_;
  RedOp op_;
  DataType dt_;
  bool noop_;
};

Result<std::unique_ptr<VkKernel>> reduce_create(const NodeView& n, std::shared_ptr<const VulkanContext> c) {
  const ReduceInfo* info = reduce_info(n.node.op_type);
  if (!info) return unsupported("vulkan: no reduction ", n.node.op_type);
  const DataType dt = n.input_dtype(0);
  const Storage st = storage_of(dt);
  std::span<const uint32_t> spirv = st == Storage::kF32   ? std::span<const uint32_t>(shaders::kSpirv_reduce_f32)
                                    : st == Storage::kF16 ? std::span<const uint32_t>(shaders::kSpirv_reduce_f16)
                                                          : std::span<const uint32_t>(shaders::kSpirv_reduce_i32);
  ER_ASSIGN_OR_RETURN(ModePipelines p, make_pipelines(*c, spirv, sizeof(GroupPush), info->code));
  // keepdims only changes the output shape, which the shape rule has decided.
  return std::unique_ptr<VkKernel>(
      new ReduceKernel(p, info->code, dt, n.node.attrs.get_int("noop_with_empty_axes", 0) != 0));
}

// ---- ArgMax / ArgMin ----

Support arg_supports(const NodeView& n, const VulkanContext& c) {
  Support s = common_checks(n, c, 0);
  if (!s.ok) return s;
  if (n.input_dtype(0) == DataType::kBool) return Support::no(str_cat("vulkan: ", n.node.op_type, " on bool not supported"));
  const int64_t r = static_cast<int64_t>(n.inputs[0].shape.rank());
  const int64_t axis = n.node.attrs.get_int("axis", 0);
  if (r == 0 || axis < -r || axis >= r) return Support::no(str_cat("vulkan: ", n.node.op_type, " axis out of range"));
  return Support::yes();
}

class ArgKernel final : public VkKernel {
 public:
  ArgKernel(ModePipelines p, int64_t axis) : p_(p), axis_(axis) {}
  Status record(RecordContext& rc) const override {
    const DeviceTensor* x = rc.input(0);
    if (!x) return rc.error("vulkan: input 0 is not on the device");
    ER_ASSIGN_OR_RETURN(int64_t axis, normalize_axis(axis_, static_cast<int64_t>(x->shape.size())));
    ER_ASSIGN_OR_RETURN(GroupPush p, make_groups(x->shape, single_axis_mask(x->shape.size(), axis)));
    if (p.n_red == 0 && p.n_out > 0) return rc.error("vulkan: arg max/min of an empty axis");
    return dispatch_groups(rc, p_, p, sizeof(GroupPush));
  }

 private:
  ModePipelines p_;
  int64_t axis_;
};

Result<std::unique_ptr<VkKernel>> arg_create(const NodeView& n, std::shared_ptr<const VulkanContext> c) {
  const Storage st = storage_of(n.input_dtype(0));
  std::span<const uint32_t> spirv = st == Storage::kF32   ? std::span<const uint32_t>(shaders::kSpirv_reduce_arg_f32)
                                    : st == Storage::kF16 ? std::span<const uint32_t>(shaders::kSpirv_reduce_arg_f16)
                                                          : std::span<const uint32_t>(shaders::kSpirv_reduce_arg_i32);
  const uint32_t op = n.node.op_type == "ArgMax" ? kArgMax : kArgMin;
  const uint32_t last = n.node.attrs.get_int("select_last_index", 0) != 0 ? 1 : 0;
  ER_ASSIGN_OR_RETURN(ModePipelines p, make_pipelines(*c, spirv, sizeof(GroupPush), op, last));
  return std::unique_ptr<VkKernel>(new ArgKernel(p, n.node.attrs.get_int("axis", 0)));
}

// ---- Softmax / LogSoftmax / Hardmax / LpNormalization / MeanVarianceNormalization ----

bool softmax_legacy(const Node& node) { return node.since_version > 0 && node.since_version < 13; }

Support line_supports(const NodeView& n, const VulkanContext& c) {
  Support s = common_checks(n, c, 0);
  if (!s.ok) return s;
  const DataType dt = n.input_dtype(0);
  if (!is_float(dt)) return Support::no(str_cat("vulkan: ", n.node.op_type, " dtype ", dtype_name(dt), " not supported"));
  const int64_t r = static_cast<int64_t>(n.inputs[0].shape.rank());
  const std::string& op = n.node.op_type;
  if (op == "MeanVarianceNormalization") {
    auto mask = reduce_axes_mask(n.node.attrs.get_ints("axes", {0, 2, 3}), r, true);
    if (!mask.ok()) return Support::no(str_cat("vulkan: ", mask.status().message()));
    return Support::yes();
  }
  if (op == "LpNormalization") {
    const int64_t p = n.node.attrs.get_int("p", 2);
    if (p != 1 && p != 2) return Support::no("vulkan: LpNormalization p must be 1 or 2");
    if (!normalize_axis(n.node.attrs.get_int("axis", -1), r).ok()) return Support::no("vulkan: axis out of range");
    return Support::yes();
  }
  const bool legacy = softmax_legacy(n.node);
  const int64_t axis = n.node.attrs.get_int("axis", legacy ? 1 : -1);
  if (legacy ? (axis < -r || axis > r) : (axis < -r || axis >= r)) return Support::no("vulkan: axis out of range");
  return Support::yes();
}

class LineKernel final : public VkKernel {
 public:
  LineKernel(ModePipelines p, LineOp op) : p_(p), op_(op) {}
  Status record(RecordContext& rc) const override {
    const DeviceTensor* x = rc.input(0);
    if (!x) return rc.error("vulkan: input 0 is not on the device");
    const int64_t r = static_cast<int64_t>(x->shape.size());
    std::vector<bool> mask(static_cast<size_t>(r), false);
    const Attributes& a = rc.attrs();
    if (op_ == kMvn) {
      auto m = reduce_axes_mask(a.get_ints("axes", {0, 2, 3}), r, true);
      if (!m.ok()) return rc.error(m.status().message());
      mask = *m;
    } else if (op_ == kLp1 || op_ == kLp2) {
      ER_ASSIGN_OR_RETURN(int64_t axis, normalize_axis(a.get_int("axis", -1), r));
      mask[static_cast<size_t>(axis)] = true;
    } else if (softmax_legacy(rc.node())) {  // coerced to 2-D: [dims[:axis]] x [dims[axis:]]
      int64_t axis = a.get_int("axis", 1);
      if (axis < -r || axis > r) return rc.error(str_cat("axis ", axis, " is out of range for rank ", r));
      if (axis < 0) axis += r;
      for (int64_t d = axis; d < r; ++d) mask[static_cast<size_t>(d)] = true;
    } else {
      ER_ASSIGN_OR_RETURN(int64_t axis, normalize_axis(a.get_int("axis", -1), r));
      mask[static_cast<size_t>(axis)] = true;
    }
    ER_ASSIGN_OR_RETURN(GroupPush p, make_groups(x->shape, mask));
    if (p.n_red == 0) return Status::Ok();  // no elements
    return dispatch_groups(rc, p_, p, kLinePushBytes);
  }

 private:
  ModePipelines p_;
  LineOp op_;
};

Result<std::unique_ptr<VkKernel>> line_create(const NodeView& n, std::shared_ptr<const VulkanContext> c) {
  const std::string& op = n.node.op_type;
  LineOp code = kSoftmax;
  if (op == "LogSoftmax") code = kLogSoftmax;
  else if (op == "Hardmax") code = kHardmax;
  else if (op == "LpNormalization") code = n.node.attrs.get_int("p", 2) == 1 ? kLp1 : kLp2;
  else if (op == "MeanVarianceNormalization") code = kMvn;
  const bool f16 = n.input_dtype(0) == DataType::kFloat16;
  std::span<const uint32_t> spirv = f16 ? std::span<const uint32_t>(shaders::kSpirv_softmax_f16)
                                        : std::span<const uint32_t>(shaders::kSpirv_softmax_f32);
  ER_ASSIGN_OR_RETURN(ModePipelines p, make_pipelines(*c, spirv, kLinePushBytes, code));
  return std::unique_ptr<VkKernel>(new LineKernel(p, code));
}

const VulkanOp kOps[] = {
    {"ReduceSum", reduce_supports, reduce_create, 0b10},
    {"ReduceMean", reduce_supports, reduce_create, 0b10},
    {"ReduceMax", reduce_supports, reduce_create, 0b10},
    {"ReduceMin", reduce_supports, reduce_create, 0b10},
    {"ReduceProd", reduce_supports, reduce_create, 0b10},
    {"ReduceL1", reduce_supports, reduce_create, 0b10},
    {"ReduceL2", reduce_supports, reduce_create, 0b10},
    {"ReduceLogSum", reduce_supports, reduce_create, 0b10},
    {"ReduceLogSumExp", reduce_supports, reduce_create, 0b10},
    {"ReduceSumSquare", reduce_supports, reduce_create, 0b10},
    {"ArgMax", arg_supports, arg_create},
    {"ArgMin", arg_supports, arg_create},
    {"Softmax", line_supports, line_create},
    {"LogSoftmax", line_supports, line_create},
    {"Hardmax", line_supports, line_create},
    {"LpNormalization", line_supports, line_create},
    {"MeanVarianceNormalization", line_supports, line_create},
};

}  // namespace

std::span<const VulkanOp> reduce_ops() { return kOps; }

}  // namespace edgerun::vk
