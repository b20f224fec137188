// Data movement kernels on Vulkan: views (Reshape, Flatten, Squeeze, Unsqueeze, Identity),
// Transpose, Concat, Split, Slice, Pad, Tile, Expand, DepthToSpace, SpaceToDepth, Trilu, CumSum,
// Range, ConstantOfShape, EyeLike.
//
// Moving elements does not look at their values, so one shader per element width serves every
// dtype: the 32-bit variants move float32 and int storage (int64, int32, bool, (u)int8/16,
// uint32 are 32-bit ints on the device), the 16-bit variants float16. Most ops are one strided
// copy (shaders/movement_copy.comp): the host describes the op as output dims with source and
// destination strides, merges dims that stay contiguous on both sides and drops unit dims, so a
// Transpose of any rank becomes at most a few dims (more than 8 left: one dispatch per
// combination of the leading dims). Pad and Tile are a per-axis index map
// (shaders/movement_pad.comp; Tile = Pad in wrap mode). Shape-like inputs (Reshape's shape,
// Slice's starts/ends/axes/steps, Pad's pads/constant_value/axes, Expand's shape, Tile's
// repeats, Split's split, Trilu's k, CumSum's axis, Range's inputs, ConstantOfShape's shape) are
// host inputs: read at record time, never uploaded.
//
// Integer semantics on 32-bit storage: int64 values are int32 on the device (the region fails
// the upload of values outside int32). CumSum and Range on int64 wrap at 32 bits: Range checks
// its end points and fails the run when they do not fit; CumSum of int64 partial sums beyond
// int32 would wrap (not checkable when recording).
#include <algorithm>
#include <cstring>
#include <limits>

#include "base/element.h"
#include "base/float_types.h"
#include "base/strcat.h"
#include "ops/shape_util.h"
#include "ops/tensor_ops_util.h"
#include "shaders/movement_copy16.spv.h"
#include "shaders/movement_copy32.spv.h"
#include "shaders/movement_cumsum_f16.spv.h"
#include "shaders/movement_cumsum_f32.spv.h"
#include "shaders/movement_cumsum_i32.spv.h"
#include "shaders/movement_fill16.spv.h"
#include "shaders/movement_fill32.spv.h"
#include "shaders/movement_pad16.spv.h"
#include "shaders/movement_pad32.spv.h"
#include "shaders/movement_range_f16.spv.h"
#include "shaders/movement_range_f32.spv.h"
#include "shaders/movement_range_i32.spv.h"
#include "shaders/movement_trilu16.spv.h"
#include "shaders/movement_trilu32.spv.h"
#include "vulkan/kernels/vulkan_common.h"

namespace edgerun::vk {

namespace {

// ---------------------------------------------------------------------------------------------
// supports() helpers

bool present(const NodeView& n, size_t i) { return i < n.node.inputs.size() && n.node.inputs[i] != kNoValue; }

// "" when the value can live on the device, else the reason.
std::string value_reason(const NodeView& n, const VulkanContext& c, const ValueInfo& v, const char* what, size_t i) {
  if (v.kind != ValueKind::kTensor)
    return str_cat("vulkan: ", n.node.op_type, " ", what, " ", i, " is not a tensor (sequences/optionals stay on the CPU)");
  if (v.dtype == DataType::kUndefined)
    return str_cat("vulkan: ", n.node.op_type, " ", what, " ", i, " dtype unknown before running");
  if (!gpu_dtype(v.dtype) || (v.dtype == DataType::kFloat16 && !c.device.info().storage_16bit))
    return str_cat("vulkan: dtype ", dtype_name(v.dtype), " not supported (", n.node.op_type, " ", what, " ", i, ")");
  return "";
}

// Domain, device dtypes of every device input (not in host_mask) and output, binding limits.
Support io_support(const NodeView& n, const VulkanContext& c, uint32_t host_mask) {
  if (!standard_domain(n)) return Support::no(str_cat("vulkan: domain ", n.node.domain, " not supported"));
  for (size_t i = 0; i < n.inputs.size(); ++i) {
    if (((host_mask >> i) & 1u) || !present(n, i)) continue;
    std::string r = value_reason(n, c, n.inputs[i], "input", i);
    if (!r.empty()) return Support::no(r);
  }
  for (size_t i = 0; i < n.outputs.size(); ++i) {
    if (i < n.node.outputs.size() && n.node.outputs[i] == kNoValue) continue;
    std::string r = value_reason(n, c, n.outputs[i], "output", i);
    if (!r.empty()) return Support::no(r);
  }
  std::string lim = c.check_binding_limits(n);
  if (!lim.empty()) return Support::no(lim);
  return Support::yes();
}

// Element `idx` of a host tensor as the raw 32-bit word its storage type holds on the device
// (float32 bits, float16 bits, or the int32 value). Fails for int values outside int32.
Result<uint32_t> storage_word(const Tensor& t, int64_t idx, const std::string& who) {
  switch (t.dtype()) {
    case DataType::kFloat32: {
      uint32_t b;
      std::memcpy(&b, t.data_as<float>() + idx, 4);
      return b;
    }
    case DataType::kFloat16: return uint32_t{t.data_as<uint16_t>()[idx]};
    case DataType::kUInt32: {
      const uint32_t v = t.data_as<uint32_t>()[idx];
      if (v > static_cast<uint32_t>(std::numeric_limits<int32_t>::max()))
        return Status(StatusCode::kUnsupported,
                      str_cat(who, ": vulkan: uint32 value ", v, " does not fit the device's 32-bit integers"));
      return v;
    }
    case DataType::kInt32: return static_cast<uint32_t>(t.data_as<int32_t>()[idx]);
    case DataType::kInt16: return static_cast<uint32_t>(int32_t{t.data_as<int16_t>()[idx]});
    case DataType::kUInt16: return uint32_t{t.data_as<uint16_t>()[idx]};
    case DataType::kInt8: return static_cast<uint32_t>(int32_t{t.data_as<int8_t>()[idx]});
    case DataType::kUInt8: return uint32_t{t.data_as<uint8_t>()[idx]};
    case DataType::kBool: return t.data_as<uint8_t>()[idx] ? 1u : 0u;
    case DataType::kInt64: {
      const int64_t v = t.data_as<int64_t>()[idx];
      if (v < std::numeric_limits<int32_t>::min() || v > std::numeric_limits<int32_t>::max())
        return Status(StatusCode::kUnsupported,
                      str_cat(who, ": vulkan: int64 value ", v, " does not fit the device's 32-bit integers"));
      return static_cast<uint32_t>(static_cast<int32_t>(v));
    }
    default:
      return Status(StatusCode::kUnsupported, str_cat(who, ": vulkan: dtype ", dtype_name(t.dtype()), " not supported"));
  }
}

// A host input's values as int64 (int32/int64 tensors); nullopt when the input is omitted.
Result<std::optional<std::vector<int64_t>>> host_ints(const RecordContext& rc, size_t i, const char* what) {
  const Tensor* t = rc.host(i);
  if (!t) return std::optional<std::vector<int64_t>>{};
  auto v = tensor_to_int64s(*t);
  if (!v.ok()) return rc.error(str_cat(what, ": ", v.status().message()));
  return std::optional<std::vector<int64_t>>(std::move(v).value());
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

// ---------------------------------------------------------------------------------------------
// Pipelines and the kernel object

struct Pipes {
  const ComputePipeline* main = nullptr;
  const ComputePipeline* aux = nullptr;
};
using RecordFn = Status (*)(const Pipes&, RecordContext&);

class FnKernel final : public VkKernel {
 public:
  FnKernel(std::shared_ptr<const VulkanContext> c, Pipes p, RecordFn f) : c_(std::move(c)), p_(p), f_(f) {}
  Status record(RecordContext& rc) const override { return f_(p_, rc); }

 private:
  std::shared_ptr<const VulkanContext> c_;  // keeps the pipelines alive
  Pipes p_;
  RecordFn f_;
};

Result<std::unique_ptr<VkKernel>> make_kernel(std::shared_ptr<const VulkanContext> c, Pipes p, RecordFn f) {
  return std::unique_ptr<VkKernel>(new FnKernel(std::move(c), p, f));
}

// The 32- or 16-bit variant of a raw-bit shader for storage `s`.
Result<const ComputePipeline*> bits_pipeline(const VulkanContext& c, Storage s, std::span<const uint32_t> spv32,
                                             std::span<const uint32_t> spv16, uint32_t buffers, uint32_t push,
                                             std::vector<uint32_t> spec_after_wg = {}) {
  std::vector<uint32_t> spec{c.workgroup_size()};
  spec.insert(spec.end(), spec_after_wg.begin(), spec_after_wg.end());
  return c.pipeline(storage_bytes(s) == 2 ? spv16 : spv32, buffers, push, std::move(spec));
}

// The float32 / float16 / int32 variant of a typed shader.
Result<const ComputePipeline*> typed_pipeline(const VulkanContext& c, Storage s, std::span<const uint32_t> f32,
                                              std::span<const uint32_t> f16, std::span<const uint32_t> i32,
                                              uint32_t buffers, uint32_t push, std::vector<uint32_t> spec_after_wg = {}) {
  std::vector<uint32_t> spec{c.workgroup_size()};
  spec.insert(spec.end(), spec_after_wg.begin(), spec_after_wg.end());
  return c.pipeline(s == Storage::kF32 ? f32 : s == Storage::kF16 ? f16 : i32, buffers, push, std::move(spec));
}

Status check_storage(const RecordContext& rc, const DeviceTensor& t, Storage expected) {
  if (t.storage != expected)
    return rc.error(str_cat("tensor storage ", storage_name(t.storage), " differs from the kernel's ",
                            storage_name(expected)));
  return Status::Ok();
}

// ---------------------------------------------------------------------------------------------
// Strided copy

struct CopyPush {
  uint32_t n, rank;
  int32_t sbase, dbase;
  uint32_t dims[8];
  int32_t sstr[8];
  int32_t dstr[8];
};
static_assert(sizeof(CopyPush) == 112, "push constants must stay within 128 bytes");
constexpr size_t kCopyRank = 8;

// For every coordinate c of dims: dst[dbase + c . dstr] = src[sbase + c . sstr].
struct Strided {
  std::vector<int64_t> dims, sstr, dstr;
  int64_t sbase = 0, dbase = 0;
  void add(int64_t d, int64_t s, int64_t t) {
    dims.push_back(d);
    sstr.push_back(s);
    dstr.push_back(t);
  }
};

// Drops unit dims and merges neighbours that are contiguous on both sides.
Strided collapse(const Strided& l) {
  Strided o;
  o.sbase = l.sbase;
  o.dbase = l.dbase;
  for (size_t k = 0; k < l.dims.size(); ++k) {
    if (l.dims[k] == 1) continue;
    if (!o.dims.empty() && o.sstr.back() == l.sstr[k] * l.dims[k] && o.dstr.back() == l.dstr[k] * l.dims[k]) {
      o.dims.back() *= l.dims[k];
      o.sstr.back() = l.sstr[k];
      o.dstr.back() = l.dstr[k];
    } else {
      o.add(l.dims[k], l.sstr[k], l.dstr[k]);
    }
  }
  return o;
}

Result<const ComputePipeline*> copy_pipeline(const VulkanContext& c, Storage s) {
  return bits_pipeline(c, s, shaders::kSpirv_movement_copy32, shaders::kSpirv_movement_copy16, 2, sizeof(CopyPush));
}

Status record_copy(RecordContext& rc, const ComputePipeline& p, const DeviceTensor& src, const DeviceTensor& dst,
                   const Strided& layout) {
  if (src.storage != dst.storage) return rc.error("copy between different storage types");
  const Strided l = collapse(layout);
  for (int64_t d : l.dims)
    if (d == 0) return Status::Ok();
  const size_t r = l.dims.size();
  const size_t lead = r > kCopyRank ? r - kCopyRank : 0;  // dims iterated on the host
  CopyPush push{};
  push.rank = static_cast<uint32_t>(r - lead);
  int64_t n = 1;
  for (size_t k = lead; k < r; ++k) {
    push.dims[k - lead] = static_cast<uint32_t>(l.dims[k]);
    push.sstr[k - lead] = static_cast<int32_t>(l.sstr[k]);
    push.dstr[k - lead] = static_cast<int32_t>(l.dstr[k]);
    n *= l.dims[k];
  }
  push.n = static_cast<uint32_t>(n);
  const uint32_t groups = rc.ctx().groups_for(static_cast<uint64_t>(n));
  const DeviceTensor* bind[] = {&src, &dst};
  std::vector<int64_t> idx(lead, 0);
  while (true) {
    int64_t sb = l.sbase, db = l.dbase;
    for (size_t k = 0; k < lead; ++k) {
      sb += idx[k] * l.sstr[k];
      db += idx[k] * l.dstr[k];
    }
    push.sbase = static_cast<int32_t>(sb);
    push.dbase = static_cast<int32_t>(db);
    ER_RETURN_IF_ERROR(rc.dispatch(p, bind, &push, sizeof push, groups));
    size_t k = lead;
    while (k > 0) {
      --k;
      if (++idx[k] < l.dims[k]) break;
      idx[k] = 0;
      if (k == 0) return Status::Ok();
    }
    if (lead == 0) return Status::Ok();
  }
}

// Row-major copy of `dims` from src (strides sstr, base sbase) into a contiguous dst.
Strided gather_layout(const Shape& dims, const std::vector<int64_t>& sstr, int64_t sbase) {
  Strided l;
  const auto dstr = strides_of(dims);
  for (size_t d = 0; d < dims.size(); ++d) l.add(dims[d], sstr[d], dstr[d]);
  l.sbase = sbase;
  return l;
}

template <RecordFn F>
Result<std::unique_ptr<VkKernel>> copy_create(const NodeView& n, std::shared_ptr<const VulkanContext> c) {
  Pipes p;
  ER_ASSIGN_OR_RETURN(p.main, copy_pipeline(*c, storage_of(n.input_dtype(0))));
  return make_kernel(std::move(c), p, F);
}

// ---------------------------------------------------------------------------------------------
// Views: no dispatch (the region aliases output 0 to input 0 with the inferred shape).

Support view_supports(const NodeView& n, const VulkanContext& c) {
  if (n.inputs.empty() || !present(n, 0)) return Support::no(str_cat("vulkan: ", n.node.op_type, " without input 0"));
  return io_support(n, c, ~1u);
}

// Dropout at inference is the identity (the graph pass removes most of them; one left from a graph
// input to a graph output runs here as a view). A mask output or training mode stays off the GPU.
Support dropout_supports(const NodeView& n, const VulkanContext& c) {
  if (n.node.outputs.size() > 1 && n.node.outputs[1] != kNoValue)
    return Support::no("vulkan: Dropout with a mask output not supported");
  if (present(n, 2)) {
    const Tensor* t = n.constant(2);
    if (!t) return Support::no("vulkan: Dropout with a training_mode computed at run time not supported");
    if (t->numel() != 1 || element_as_double(*t, 0) != 0) return Support::no("vulkan: training-mode Dropout not supported");
  }
  return view_supports(n, c);
}

// ---------------------------------------------------------------------------------------------
// Transpose

Support transpose_supports(const NodeView& n, const VulkanContext& c) { return io_support(n, c, 0); }

Status transpose_record(const Pipes& p, RecordContext& rc) {
  ER_ASSIGN_OR_RETURN(const DeviceTensor* x, need_input(rc, 0));
  const DeviceTensor& y = rc.output(0);
  const size_t r = x->shape.size();
  std::vector<int64_t> perm = rc.attrs().get_ints("perm");
  if (!rc.attrs().has("perm"))
    for (size_t i = 0; i < r; ++i) perm.push_back(static_cast<int64_t>(r - 1 - i));
  if (perm.size() != r) return rc.error(str_cat("perm has ", perm.size(), " entries for rank ", r));
  const auto xs = strides_of(x->shape);
  const auto ys = strides_of(y.shape);
  Strided l;
  for (size_t d = 0; d < r; ++d) {
    const int64_t pd = perm[d];
    if (pd < 0 || pd >= static_cast<int64_t>(r)) return rc.error("perm is not a permutation");
    l.add(y.shape[d], xs[static_cast<size_t>(pd)], ys[d]);
  }
  return record_copy(rc, *p.main, *x, y, l);
}

// ---------------------------------------------------------------------------------------------
// Concat / Split

Support concat_supports(const NodeView& n, const VulkanContext& c) {
  for (size_t i = 0; i < n.node.inputs.size(); ++i)
    if (!present(n, i)) return Support::no(str_cat("vulkan: Concat input ", i, " is missing"));
  return io_support(n, c, 0);
}

Status concat_record(const Pipes& p, RecordContext& rc) {
  const DeviceTensor& y = rc.output(0);
  const int64_t r = static_cast<int64_t>(y.shape.size());
  auto ax = normalize_axis(rc.attrs().get_int("axis", 0), r);
  if (!ax.ok()) return rc.error(ax.status().message());
  const size_t axis = static_cast<size_t>(*ax);
  const int64_t outer = product(y.shape, 0, axis);
  const int64_t inner = product(y.shape, axis + 1, y.shape.size());
  const int64_t big = y.shape[axis] * inner;
  int64_t offset = 0;
  for (size_t i = 0; i < rc.num_inputs(); ++i) {
    ER_ASSIGN_OR_RETURN(const DeviceTensor* x, need_input(rc, i));
    const int64_t small = x->shape[axis] * inner;
    Strided l;
    l.add(outer, small, big);
    l.add(small, 1, 1);
    l.dbase = offset * inner;
    ER_RETURN_IF_ERROR(record_copy(rc, *p.main, *x, y, l));
    offset += x->shape[axis];
  }
  return Status::Ok();
}

Support split_supports(const NodeView& n, const VulkanContext& c) { return io_support(n, c, 1u << 1); }

Status split_record(const Pipes& p, RecordContext& rc) {
  ER_ASSIGN_OR_RETURN(const DeviceTensor* x, need_input(rc, 0));
  auto ax = normalize_axis(rc.attrs().get_int("axis", 0), static_cast<int64_t>(x->shape.size()));
  if (!ax.ok()) return rc.error(ax.status().message());
  const size_t axis = static_cast<size_t>(*ax);
  const int64_t outer = product(x->shape, 0, axis);
  const int64_t inner = product(x->shape, axis + 1, x->shape.size());
  const int64_t big = x->shape[axis] * inner;
  int64_t offset = 0;
  for (size_t i = 0; i < rc.num_outputs(); ++i) {
    const DeviceTensor& y = rc.output(i);
    const int64_t size = y.shape.size() > axis ? y.shape[axis] : 0;
    if (rc.output_requested(i)) {
      Strided l;
      l.add(outer, big, size * inner);
      l.add(size * inner, 1, 1);
      l.sbase = offset * inner;
      ER_RETURN_IF_ERROR(record_copy(rc, *p.main, *x, y, l));
    }
    offset += size;
  }
  if (offset != x->shape[axis])
    return rc.error(str_cat("split sizes add up to ", offset, ", the axis has size ", x->shape[axis]));
  return Status::Ok();
}

// ---------------------------------------------------------------------------------------------
// Slice / Expand / DepthToSpace / SpaceToDepth

constexpr uint32_t kSliceHost = 0b11110;
Support slice_supports(const NodeView& n, const VulkanContext& c) { return io_support(n, c, kSliceHost); }

Status slice_record(const Pipes& p, RecordContext& rc) {
  ER_ASSIGN_OR_RETURN(const DeviceTensor* x, need_input(rc, 0));
  const DeviceTensor& y = rc.output(0);
  ER_ASSIGN_OR_RETURN(auto starts, host_ints(rc, 1, "starts"));
  ER_ASSIGN_OR_RETURN(auto ends, host_ints(rc, 2, "ends"));
  ER_ASSIGN_OR_RETURN(auto axes, host_ints(rc, 3, "axes"));
  ER_ASSIGN_OR_RETURN(auto steps, host_ints(rc, 4, "steps"));
  if (!starts || !ends) return rc.error("starts and ends are required");
  ER_ASSIGN_OR_RETURN(auto sp, opsutil::slice_params(rc.node().label(), x->shape, *starts, *ends,
                                                     axes ? &*axes : nullptr, steps ? &*steps : nullptr));
  if (Shape(sp.len.begin(), sp.len.end()) != y.shape) return rc.error("slice output shape differs from the shape rule's");
  const auto xs = strides_of(x->shape);
  std::vector<int64_t> st(xs.size());
  int64_t base = 0;
  for (size_t d = 0; d < xs.size(); ++d) {
    st[d] = xs[d] * sp.step[d];
    base += sp.start[d] * xs[d];
  }
  return record_copy(rc, *p.main, *x, y, gather_layout(y.shape, st, base));
}

Support expand_supports(const NodeView& n, const VulkanContext& c) { return io_support(n, c, 1u << 1); }

Status expand_record(const Pipes& p, RecordContext& rc) {
  ER_ASSIGN_OR_RETURN(const DeviceTensor* x, need_input(rc, 0));
  const DeviceTensor& y = rc.output(0);
  if (x->shape.size() > y.shape.size()) return rc.error("expand output rank below the input's");
  return record_copy(rc, *p.main, *x, y, gather_layout(y.shape, broadcast_strides(x->shape, y.shape), 0));
}

Support d2s_supports(const NodeView& n, const VulkanContext& c) {
  const std::string mode = n.node.attrs.get_string("mode", "DCR");
  if (n.node.op_type == "DepthToSpace" && mode != "DCR" && mode != "CRD")
    return Support::no(str_cat("vulkan: DepthToSpace mode ", mode, " not supported"));
  return io_support(n, c, 0);
}

// y (row-major, the permuted 6-D) = x viewed as in6, permuted by perm.
Status permute6(const Pipes& p, RecordContext& rc, const DeviceTensor& x, const Shape& in6, const int64_t (&perm)[6]) {
  const auto s = strides_of(in6);
  Shape out6(6);
  std::vector<int64_t> st(6);
  for (size_t d = 0; d < 6; ++d) {
    out6[d] = in6[static_cast<size_t>(perm[d])];
    st[d] = s[static_cast<size_t>(perm[d])];
  }
  return record_copy(rc, *p.main, x, rc.output(0), gather_layout(out6, st, 0));
}

Status d2s_record(const Pipes& p, RecordContext& rc) {
  ER_ASSIGN_OR_RETURN(const DeviceTensor* x, need_input(rc, 0));
  const Shape& s = x->shape;
  const int64_t b = rc.attrs().get_int("blocksize", 1);
  if (s.size() != 4 || b <= 0 || s[1] % (b * b) != 0) return rc.error("DepthToSpace needs a 4-D input with C % blocksize^2 == 0");
  const int64_t c = s[1] / (b * b);
  if (rc.attrs().get_string("mode", "DCR") == "DCR")
    return permute6(p, rc, *x, {s[0], b, b, c, s[2], s[3]}, {0, 3, 4, 1, 5, 2});
  return permute6(p, rc, *x, {s[0], c, b, b, s[2], s[3]}, {0, 1, 4, 2, 5, 3});
}

Status s2d_record(const Pipes& p, RecordContext& rc) {
  ER_ASSIGN_OR_RETURN(const DeviceTensor* x, need_input(rc, 0));
  const Shape& s = x->shape;
  const int64_t b = rc.attrs().get_int("blocksize", 1);
  if (s.size() != 4 || b <= 0 || s[2] % b != 0 || s[3] % b != 0)
    return rc.error("SpaceToDepth needs a 4-D input with H and W divisible by blocksize");
  return permute6(p, rc, *x, {s[0], s[1], s[2] / b, b, s[3] / b, b}, {0, 3, 5, 1, 2, 4});
}

// ---------------------------------------------------------------------------------------------
// Pad / Tile (shaders/movement_pad.comp)

enum PadMode : uint32_t { kPadConstant = 0, kPadReflect = 1, kPadEdge = 2, kPadWrap = 3 };
constexpr size_t kPadRank = 7;

struct PadPush {
  uint32_t n, rank, fill, unused;
  uint32_t dims[7];
  int32_t sstr[7];
  int32_t before[7];
  int32_t extent[7];
};
static_assert(sizeof(PadPush) == 128, "push constants must stay within 128 bytes");

int pad_mode(const std::string& m) {
  if (m == "constant") return kPadConstant;
  if (m == "reflect") return kPadReflect;
  if (m == "edge") return kPadEdge;
  if (m == "wrap") return kPadWrap;
  return -1;
}

struct PadAxis {
  int64_t out, sstr, before, extent;
  bool padded;
};

// One pad dispatch from src (shape `in`) into dst: axis d gets before[d]/after[d]. Returns
// false in *fits when the collapsed axes exceed kPadRank (nothing recorded then).
Status record_pad_pass(RecordContext& rc, const ComputePipeline& p, const DeviceTensor& src, const Shape& in,
                       const DeviceTensor& dst, const std::vector<int64_t>& before, const std::vector<int64_t>& after,
                       uint32_t mode, uint32_t fill, bool* fits) {
  const auto in_str = strides_of(in);
  std::vector<PadAxis> ax;
  int64_t total = 1;
  for (size_t d = 0; d < in.size(); ++d) {
    const int64_t b = before[d], a = after[d];
    const int64_t lo = std::max<int64_t>(0, -b);
    const int64_t extent = std::max<int64_t>(0, in[d] - lo - std::max<int64_t>(0, -a));
    const int64_t out = in[d] + b + a;
    total *= out;
    const bool padded = b != 0 || a != 0;
    if (!padded && out == 1) continue;
    // An unpadded axis folds into its outer neighbour when the map stays exact: always for an
    // unpadded neighbour; for a padded one in constant and wrap modes (not edge/reflect).
    if (!padded && !ax.empty() && (!ax.back().padded || mode == kPadConstant || mode == kPadWrap)) {
      PadAxis& o = ax.back();
      o.out *= out;
      o.before *= out;
      o.extent *= out;
      o.sstr = in_str[d];
      continue;
    }
    ax.push_back({out, in_str[d], b, extent, padded});
  }
  *fits = ax.size() <= kPadRank;
  if (!*fits || total == 0) return Status::Ok();
  PadPush push{};
  push.n = static_cast<uint32_t>(total);
  push.rank = static_cast<uint32_t>(ax.size());
  push.fill = fill;
  for (size_t k = 0; k < ax.size(); ++k) {
    push.dims[k] = static_cast<uint32_t>(ax[k].out);
    push.sstr[k] = static_cast<int32_t>(ax[k].sstr);
    push.before[k] = static_cast<int32_t>(ax[k].before);
    push.extent[k] = static_cast<int32_t>(ax[k].extent);
  }
  const DeviceTensor* bind[] = {&src, &dst};
  return rc.dispatch(p, bind, &push, sizeof push, rc.ctx().groups_for(static_cast<uint64_t>(total)));
}

// Pads x into y. More padded axes than one dispatch takes: passes of at most 3 padded axes
// through scratch tensors (padding is separable per axis, so the passes compose exactly).
Status record_pad(RecordContext& rc, const ComputePipeline& p, const DeviceTensor& x, const DeviceTensor& y,
                  const std::vector<int64_t>& before, const std::vector<int64_t>& after, uint32_t mode, uint32_t fill) {
  const size_t r = x.shape.size();
  for (size_t d = 0; d < r; ++d) {
    const int64_t lo = std::max<int64_t>(0, -before[d]);
    const int64_t n = x.shape[d] - lo - std::max<int64_t>(0, -after[d]);
    if (n <= 0 && y.shape[d] > 0 && mode != kPadConstant)
      return rc.error(str_cat("cannot pad an empty axis ", d, " in mode '",
                              mode == kPadReflect ? "reflect" : mode == kPadEdge ? "edge" : "wrap", "'"));
  }
  if (y.numel() == 0) return Status::Ok();
  bool fits = false;
  ER_RETURN_IF_ERROR(record_pad_pass(rc, p, x, x.shape, y, before, after, mode, fill, &fits));
  if (fits) return Status::Ok();
  std::vector<size_t> padded;
  for (size_t d = 0; d < r; ++d)
    if (before[d] != 0 || after[d] != 0) padded.push_back(d);
  // Intermediate shapes, then one scratch allocation holding two of them (ping-pong halves).
  std::vector<Shape> shapes{x.shape};
  int64_t most = 0;
  for (size_t g = 0; g < padded.size(); g += 3) {
    Shape next = shapes.back();
    for (size_t k = g; k < std::min(g + 3, padded.size()); ++k) next[padded[k]] = y.shape[padded[k]];
    shapes.push_back(next);
    if (g + 3 < padded.size()) most = std::max(most, product(next, 0, next.size()));
  }
  const uint64_t esize = storage_bytes(x.storage);
  const uint64_t align = std::max<uint64_t>(rc.ctx().device.info().min_storage_offset_alignment, esize);
  const uint64_t half = (static_cast<uint64_t>(most) * esize + align - 1) / align * align;
  ER_ASSIGN_OR_RETURN(DeviceTensor scratch, rc.scratch(x.dtype, {static_cast<int64_t>(2 * half / esize)}));
  DeviceTensor ping[2] = {scratch, scratch};
  for (int h = 0; h < 2; ++h) {
    ping[h].offset = scratch.offset + h * half;
    ping[h].bytes = half;
  }
  const DeviceTensor* src = &x;
  for (size_t g = 0, pass = 0; g < padded.size(); g += 3, ++pass) {
    std::vector<int64_t> b(r, 0), a(r, 0);
    for (size_t k = g; k < std::min(g + 3, padded.size()); ++k) {
      b[padded[k]] = before[padded[k]];
      a[padded[k]] = after[padded[k]];
    }
    const bool last = g + 3 >= padded.size();
    DeviceTensor* dst = last ? nullptr : &ping[pass % 2];
    if (dst) {
      dst->shape = shapes[pass + 1];
      dst->bytes = static_cast<uint64_t>(product(dst->shape, 0, dst->shape.size())) * esize;
    }
    ER_RETURN_IF_ERROR(record_pad_pass(rc, p, *src, shapes[pass], last ? y : *dst, b, a, mode, fill, &fits));
    if (!fits) return rc.error("pad pass exceeds the shader's axes (internal)");
    src = dst;
  }
  return Status::Ok();
}

constexpr uint32_t kPadHost = 0b1110;

Support pad_supports(const NodeView& n, const VulkanContext& c) {
  const std::string mode = n.node.attrs.get_string("mode", "constant");
  if (pad_mode(mode) < 0) return Support::no(str_cat("vulkan: Pad mode '", mode, "' not supported"));
  if (const Tensor* cv = n.constant(2); cv && cv->numel() > 0) {
    auto w = storage_word(*cv, 0, n.node.label());
    if (!w.ok()) return Support::no(w.status().message());
  }
  return io_support(n, c, kPadHost);
}

Status pad_record(const Pipes& p, RecordContext& rc) {
  ER_ASSIGN_OR_RETURN(const DeviceTensor* x, need_input(rc, 0));
  const DeviceTensor& y = rc.output(0);
  ER_ASSIGN_OR_RETURN(auto pads, host_ints(rc, 1, "pads"));
  ER_ASSIGN_OR_RETURN(auto axes, host_ints(rc, 3, "axes"));
  if (!pads) return rc.error("pads is required");
  const size_t r = x->shape.size();
  ER_ASSIGN_OR_RETURN(auto fp, opsutil::full_pads(rc.node().label(), r, *pads, axes ? &*axes : nullptr));
  uint32_t fill = 0;
  if (const Tensor* cv = rc.host(2); cv && cv->numel() > 0) {
    if (cv->dtype() != x->dtype)
      return rc.error(str_cat("constant_value has dtype ", dtype_name(cv->dtype()), ", data has ", dtype_name(x->dtype)));
    ER_ASSIGN_OR_RETURN(fill, storage_word(*cv, 0, rc.node().label()));
  }
  std::vector<int64_t> before(fp.begin(), fp.begin() + static_cast<ptrdiff_t>(r));
  std::vector<int64_t> after(fp.begin() + static_cast<ptrdiff_t>(r), fp.end());
  for (size_t d = 0; d < r; ++d)
    if (x->shape[d] + before[d] + after[d] != y.shape[d]) return rc.error("pad output shape differs from the shape rule's");
  const uint32_t mode = static_cast<uint32_t>(pad_mode(rc.attrs().get_string("mode", "constant")));
  return record_pad(rc, *p.main, *x, y, before, after, mode, fill);
}

Result<std::unique_ptr<VkKernel>> pad_create(const NodeView& n, std::shared_ptr<const VulkanContext> c) {
  const int mode = pad_mode(n.node.attrs.get_string("mode", "constant"));
  if (mode < 0) return Status(StatusCode::kUnsupported, "vulkan: Pad mode not supported");
  Pipes p;
  ER_ASSIGN_OR_RETURN(p.main, bits_pipeline(*c, storage_of(n.input_dtype(0)), shaders::kSpirv_movement_pad32,
                                            shaders::kSpirv_movement_pad16, 2, sizeof(PadPush),
                                            {static_cast<uint32_t>(mode)}));
  return make_kernel(std::move(c), p, pad_record);
}

Support tile_supports(const NodeView& n, const VulkanContext& c) { return io_support(n, c, 1u << 1); }

Status tile_record(const Pipes& p, RecordContext& rc) {
  ER_ASSIGN_OR_RETURN(const DeviceTensor* x, need_input(rc, 0));
  const DeviceTensor& y = rc.output(0);
  const size_t r = x->shape.size();
  if (y.shape.size() != r) return rc.error("tile output rank differs from the input's");
  std::vector<int64_t> before(r, 0), after(r, 0);
  for (size_t d = 0; d < r; ++d) {
    if (x->shape[d] == 0 ? y.shape[d] != 0 : y.shape[d] % x->shape[d] != 0)
      return rc.error("tile output shape differs from the shape rule's");
    after[d] = y.shape[d] - x->shape[d];
  }
  return record_pad(rc, *p.main, *x, y, before, after, kPadWrap, 0);
}

Result<std::unique_ptr<VkKernel>> tile_create(const NodeView& n, std::shared_ptr<const VulkanContext> c) {
  Pipes p;
  ER_ASSIGN_OR_RETURN(p.main, bits_pipeline(*c, storage_of(n.input_dtype(0)), shaders::kSpirv_movement_pad32,
                                            shaders::kSpirv_movement_pad16, 2, sizeof(PadPush), {kPadWrap}));
  return make_kernel(std::move(c), p, tile_record);
}

// ---------------------------------------------------------------------------------------------
// Trilu

struct TriluPush {
  uint32_t n, rows, cols;
  int32_t k;
};

Support trilu_supports(const NodeView& n, const VulkanContext& c) { return io_support(n, c, 1u << 1); }

Status trilu_record(const Pipes& p, RecordContext& rc) {
  ER_ASSIGN_OR_RETURN(const DeviceTensor* x, need_input(rc, 0));
  const DeviceTensor& y = rc.output(0);
  ER_RETURN_IF_ERROR(check_storage(rc, *x, y.storage));
  int64_t k = 0;
  ER_ASSIGN_OR_RETURN(auto kv, host_ints(rc, 1, "k"));
  if (kv) {
    if (kv->size() != 1) return rc.error("k must be a scalar");
    k = (*kv)[0];
  }
  const Shape& s = x->shape;
  if (s.size() < 2) return rc.error("Trilu needs rank >= 2");
  const int64_t rows = s[s.size() - 2], cols = s.back();
  const int64_t n = x->numel();
  if (n == 0) return Status::Ok();
  TriluPush push{static_cast<uint32_t>(n), static_cast<uint32_t>(rows), static_cast<uint32_t>(cols),
                 static_cast<int32_t>(std::clamp<int64_t>(k, -rows - 1, cols + 1))};
  const DeviceTensor* bind[] = {x, &y};
  return rc.dispatch(*p.main, bind, &push, sizeof push, rc.ctx().groups_for(static_cast<uint64_t>(n)));
}

Result<std::unique_ptr<VkKernel>> trilu_create(const NodeView& n, std::shared_ptr<const VulkanContext> c) {
  Pipes p;
  const uint32_t upper = n.node.attrs.get_int("upper", 1) != 0 ? 1 : 0;
  ER_ASSIGN_OR_RETURN(p.main, bits_pipeline(*c, storage_of(n.input_dtype(0)), shaders::kSpirv_movement_trilu32,
                                            shaders::kSpirv_movement_trilu16, 2, sizeof(TriluPush), {upper}));
  return make_kernel(std::move(c), p, trilu_record);
}

// ---------------------------------------------------------------------------------------------
// CumSum

struct CumSumPush {
  uint32_t lines, n, inner;
};

Support cumsum_supports(const NodeView& n, const VulkanContext& c) {
  const DataType dt = n.input_dtype(0);
  if (dt != DataType::kFloat32 && dt != DataType::kFloat16 && dt != DataType::kInt32 && dt != DataType::kInt64 &&
      dt != DataType::kUInt32)
    return Support::no(str_cat("vulkan: CumSum dtype ", dtype_name(dt), " not supported"));
  return io_support(n, c, 1u << 1);
}

Status cumsum_record(const Pipes& p, RecordContext& rc) {
  ER_ASSIGN_OR_RETURN(const DeviceTensor* x, need_input(rc, 0));
  const DeviceTensor& y = rc.output(0);
  ER_ASSIGN_OR_RETURN(auto av, host_ints(rc, 1, "axis"));
  if (!av || av->size() != 1) return rc.error("axis must be a scalar");
  const int64_t r = static_cast<int64_t>(x->shape.size());
  int64_t axis = (*av)[0];
  if (axis < -r || axis >= r) return rc.error(str_cat("axis ", axis, " is out of range for rank ", r));
  if (axis < 0) axis += r;
  const size_t a = static_cast<size_t>(axis);
  const int64_t outer = product(x->shape, 0, a), n = x->shape[a], inner = product(x->shape, a + 1, x->shape.size());
  if (outer * n * inner == 0) return Status::Ok();
  CumSumPush push{static_cast<uint32_t>(outer * inner), static_cast<uint32_t>(n), static_cast<uint32_t>(inner)};
  const DeviceTensor* bind[] = {x, &y};
  return rc.dispatch(*p.main, bind, &push, sizeof push, rc.ctx().groups_for(push.lines));
}

Result<std::unique_ptr<VkKernel>> cumsum_create(const NodeView& n, std::shared_ptr<const VulkanContext> c) {
  Pipes p;
  const uint32_t exclusive = n.node.attrs.get_int("exclusive", 0) != 0 ? 1 : 0;
  const uint32_t reverse = n.node.attrs.get_int("reverse", 0) != 0 ? 1 : 0;
  ER_ASSIGN_OR_RETURN(p.main, typed_pipeline(*c, storage_of(n.input_dtype(0)), shaders::kSpirv_movement_cumsum_f32,
                                             shaders::kSpirv_movement_cumsum_f16, shaders::kSpirv_movement_cumsum_i32, 2,
                                             sizeof(CumSumPush), {exclusive, reverse}));
  return make_kernel(std::move(c), p, cumsum_record);
}

// ---------------------------------------------------------------------------------------------
// Range / ConstantOfShape / EyeLike (generators: no device input)

struct RangePush {
  uint32_t n, start, delta;
};

Support range_supports(const NodeView& n, const VulkanContext& c) {
  const DataType dt = n.outputs.empty() ? DataType::kUndefined : n.outputs[0].dtype;
  if (dt != DataType::kFloat32 && dt != DataType::kFloat16 && dt != DataType::kInt32 && dt != DataType::kInt64 &&
      dt != DataType::kInt16)
    return Support::no(str_cat("vulkan: Range dtype ", dtype_name(dt), " not supported"));
  return io_support(n, c, 0b111);
}

// Scalar host input i as a double (floats) or int64 (ints).
Result<double> host_scalar(const RecordContext& rc, size_t i, const char* what) {
  const Tensor* t = rc.host(i);
  if (!t || t->numel() != 1) return rc.error(str_cat(what, " must be a scalar"));
  switch (t->dtype()) {
    case DataType::kFloat32: return static_cast<double>(t->data_as<float>()[0]);
    case DataType::kFloat16: return static_cast<double>(half_to_float(t->data_as<uint16_t>()[0]));
    case DataType::kFloat64: return t->data_as<double>()[0];
    case DataType::kInt16: return static_cast<double>(t->data_as<int16_t>()[0]);
    case DataType::kInt32: return static_cast<double>(t->data_as<int32_t>()[0]);
    case DataType::kInt64: return static_cast<double>(t->data_as<int64_t>()[0]);
    default: return rc.error(str_cat(what, ": dtype ", dtype_name(t->dtype()), " not supported"));
  }
}

Status range_record(const Pipes& p, RecordContext& rc) {
  const DeviceTensor& y = rc.output(0);
  const int64_t n = y.numel();
  if (n == 0) return Status::Ok();
  RangePush push{static_cast<uint32_t>(n), 0, 0};
  if (y.storage == Storage::kI32) {
    auto a = host_ints(rc, 0, "start");
    auto d = host_ints(rc, 2, "delta");
    if (!a.ok() || !d.ok() || !*a || !*d || (*a)->size() != 1 || (*d)->size() != 1)
      return rc.error("start and delta must be integer scalars");
    const int64_t a0 = (**a)[0], d0 = (**d)[0];
    if (y.dtype != DataType::kInt32) {  // int64 / int16 values must fit the device's and the dtype's range
      const int64_t lo = y.dtype == DataType::kInt16 ? -32768 : std::numeric_limits<int32_t>::min();
      const int64_t hi = y.dtype == DataType::kInt16 ? 32767 : std::numeric_limits<int32_t>::max();
      const int64_t last = a0 + (n - 1) * d0;
      if (a0 < lo || a0 > hi || last < lo || last > hi)
        return rc.error(str_cat("Range values [", a0, ", ", last, "] do not fit 32-bit device integers"));
    }
    push.start = static_cast<uint32_t>(static_cast<int32_t>(a0));
    push.delta = static_cast<uint32_t>(static_cast<int32_t>(d0));
  } else {
    ER_ASSIGN_OR_RETURN(double a, host_scalar(rc, 0, "start"));
    ER_ASSIGN_OR_RETURN(double d, host_scalar(rc, 2, "delta"));
    const float af = static_cast<float>(a), df = static_cast<float>(d);
    std::memcpy(&push.start, &af, 4);
    std::memcpy(&push.delta, &df, 4);
  }
  const DeviceTensor* bind[] = {&y};
  return rc.dispatch(*p.main, bind, &push, sizeof push, rc.ctx().groups_for(static_cast<uint64_t>(n)));
}

Result<std::unique_ptr<VkKernel>> range_create(const NodeView& n, std::shared_ptr<const VulkanContext> c) {
  Pipes p;
  ER_ASSIGN_OR_RETURN(p.main, typed_pipeline(*c, storage_of(n.outputs.at(0).dtype), shaders::kSpirv_movement_range_f32,
                                             shaders::kSpirv_movement_range_f16, shaders::kSpirv_movement_range_i32, 1,
                                             sizeof(RangePush)));
  return make_kernel(std::move(c), p, range_record);
}

struct FillPush {
  uint32_t n, value, cols;
  int32_t k;
};

Support const_of_shape_supports(const NodeView& n, const VulkanContext& c) {
  if (const Tensor* v = n.node.attrs.get_tensor("value")) {
    if (v->numel() != 1) return Support::no("vulkan: ConstantOfShape value must have one element");
    if (!gpu_dtype(v->dtype())) return Support::no(str_cat("vulkan: dtype ", dtype_name(v->dtype()), " not supported"));
    auto w = storage_word(*v, 0, n.node.label());
    if (!w.ok()) return Support::no(w.status().message());
  }
  return io_support(n, c, 1u);
}

Status fill_record(const Pipes& p, RecordContext& rc) {
  const DeviceTensor& y = rc.output(0);
  const int64_t n = y.numel();
  if (n == 0) return Status::Ok();
  FillPush push{static_cast<uint32_t>(n), 0, 1, 0};
  if (const Tensor* v = rc.attrs().get_tensor("value"); v && v->numel() == 1) {
    ER_ASSIGN_OR_RETURN(push.value, storage_word(*v, 0, rc.node().label()));
  }
  const DeviceTensor* bind[] = {&y};
  return rc.dispatch(*p.main, bind, &push, sizeof push, rc.ctx().groups_for(static_cast<uint64_t>(n)));
}

Result<std::unique_ptr<VkKernel>> const_of_shape_create(const NodeView& n, std::shared_ptr<const VulkanContext> c) {
  Pipes p;
  ER_ASSIGN_OR_RETURN(p.main, bits_pipeline(*c, storage_of(n.outputs.at(0).dtype), shaders::kSpirv_movement_fill32,
                                            shaders::kSpirv_movement_fill16, 1, sizeof(FillPush), {0}));
  return make_kernel(std::move(c), p, fill_record);
}

Support eye_like_supports(const NodeView& n, const VulkanContext& c) {
  // Input 0 only gives the shape: a host input, so it is never uploaded (any dtype, any values).
  return io_support(n, c, 1u);
}

Status eye_record(const Pipes& p, RecordContext& rc) {
  const DeviceTensor& y = rc.output(0);
  const int64_t n = y.numel();
  if (n == 0) return Status::Ok();
  if (y.shape.size() != 2) return rc.error("EyeLike needs a 2-D input");
  const int64_t rows = y.shape[0], cols = y.shape[1];
  const int64_t k = std::clamp<int64_t>(rc.attrs().get_int("k", 0), -rows, cols);
  const uint32_t one = y.storage == Storage::kF32 ? 0x3F800000u : y.storage == Storage::kF16 ? 0x3C00u : 1u;
  FillPush push{static_cast<uint32_t>(n), one, static_cast<uint32_t>(cols), static_cast<int32_t>(k)};
  const DeviceTensor* bind[] = {&y};
  return rc.dispatch(*p.main, bind, &push, sizeof push, rc.ctx().groups_for(static_cast<uint64_t>(n)));
}

Result<std::unique_ptr<VkKernel>> eye_like_create(const NodeView& n, std::shared_ptr<const VulkanContext> c) {
  Pipes p;
  ER_ASSIGN_OR_RETURN(p.main, bits_pipeline(*c, storage_of(n.outputs.at(0).dtype), shaders::kSpirv_movement_fill32,
                                            shaders::kSpirv_movement_fill16, 1, sizeof(FillPush), {1}));
  return make_kernel(std::move(c), p, eye_record);
}

const VulkanOp kOps[] = {
    {"Reshape", view_supports, nullptr, 1u << 1, kVkView},
    {"Flatten", view_supports, nullptr, 0, kVkView},
    {"Squeeze", view_supports, nullptr, 1u << 1, kVkView},
    {"Unsqueeze", view_supports, nullptr, 1u << 1, kVkView},
    {"Identity", view_supports, nullptr, 0, kVkView},
    {"Dropout", dropout_supports, nullptr, (1u << 1) | (1u << 2), kVkView},
    {"Transpose", transpose_supports, copy_create<transpose_record>},
    {"Concat", concat_supports, copy_create<concat_record>},
    {"Split", split_supports, copy_create<split_record>, 1u << 1},
    {"Slice", slice_supports, copy_create<slice_record>, kSliceHost},
    {"Expand", expand_supports, copy_create<expand_record>, 1u << 1},
    {"DepthToSpace", d2s_supports, copy_create<d2s_record>},
    {"SpaceToDepth", d2s_supports, copy_create<s2d_record>},
    {"Pad", pad_supports, pad_create, kPadHost},
    {"Tile", tile_supports, tile_create, 1u << 1},
    {"Trilu", trilu_supports, trilu_create, 1u << 1},
    {"CumSum", cumsum_supports, cumsum_create, 1u << 1},
    {"Range", range_supports, range_create, 0b111},
    {"ConstantOfShape", const_of_shape_supports, const_of_shape_create, 1u},
    {"EyeLike", eye_like_supports, eye_like_create, 1u},
};

}  // namespace

std::span<const VulkanOp> movement_ops() { return kOps; }

}  // namespace edgerun::vk
