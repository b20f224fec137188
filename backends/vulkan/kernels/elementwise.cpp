// Elementwise kernels on Vulkan: unary math and activations, binary ops with numpy broadcasting
// (any rank <= 8), the variadic Sum/Mean/Max/Min, comparisons and logic, Where, Cast/CastLike and
// Identity (a view). Semantics follow the reference kernels (backends/reference/
// {elementwise_unary,elementwise_binary,activation,cast}.cpp).
//
// Storage: float32 (f32), float16 (f16 storage, computed in fp32 and rounded once to nearest-even
// half) and the integer dtypes and bool as 32-bit ints; the spec constant ITYPE tells the shader
// which integer dtype it works on, so results wrap to int8/int16/uint8/uint16 like the reference
// and uint32 compares/divides unsigned. int64 is computed in 32 bits (the region refuses values
// outside the int32 range at upload; results that overflow int32 wrap instead of growing).
// Integer Div/Mod by zero give 0 (the reference reports an error; a shader cannot).
//
// Shaders: elementwise_map.comp (unary), elementwise_bcast.comp (binary; per output dim its size
// and the inputs' strides in push constants, dims collapsed first), elementwise_where.comp,
// elementwise_cast.comp; float math in elementwise_math.glsl (no driver transcendentals).
#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>

#include "base/element.h"
#include "base/errors.h"
#include "base/strcat.h"
#include "ops/shape_util.h"
#include "shaders/ew_binary_f16.spv.h"
#include "shaders/ew_binary_f32.spv.h"
#include "shaders/ew_binary_i32.spv.h"
#include "shaders/ew_cast_f16_f32.spv.h"
#include "shaders/ew_cast_f16_i32.spv.h"
#include "shaders/ew_cast_f32_f16.spv.h"
#include "shaders/ew_cast_f32_i32.spv.h"
#include "shaders/ew_cast_i32_f16.spv.h"
#include "shaders/ew_cast_i32_f32.spv.h"
#include "shaders/ew_cast_i32_i32.spv.h"
#include "shaders/ew_compare_f16.spv.h"
#include "shaders/ew_compare_f32.spv.h"
#include "shaders/ew_fold_f16_f16_f32.spv.h"
#include "shaders/ew_fold_f32_f16_f16.spv.h"
#include "shaders/ew_fold_f32_f16_f32.spv.h"
#include "shaders/ew_pow_f16_i32.spv.h"
#include "shaders/ew_pow_f32_i32.spv.h"
#include "shaders/ew_pow_i32_f32.spv.h"
#include "shaders/ew_unary_f16.spv.h"
#include "shaders/ew_unary_f16_pred.spv.h"
#include "shaders/ew_unary_f32.spv.h"
#include "shaders/ew_unary_f32_pred.spv.h"
#include "shaders/ew_unary_i32.spv.h"
#include "shaders/ew_where_f16.spv.h"
#include "shaders/ew_where_f32.spv.h"
#include "shaders/ew_where_i32.spv.h"
#include "vulkan/kernels/vulkan_common.h"

namespace edgerun::vk {

namespace {

using Spirv = std::span<const uint32_t>;

// Op codes: must match shaders/elementwise_ops.glsl.
enum UnaryOp : uint32_t {
  kUIdentity = 0, kUAbs, kUNeg, kUExp, kULog, kUSqrt, kUReciprocal, kUFloor, kUCeil, kURound, kUSign,
  kUSin, kUCos, kUTan, kUAsin, kUAcos, kUAtan, kUSinh, kUCosh, kUAsinh, kUAcosh, kUAtanh, kUErf,
  kURelu, kUSigmoid, kUTanh, kUSoftplus, kUSoftsign, kUHardSigmoid, kUHardSwish, kULeakyRelu, kUElu,
  kUSelu, kUCelu, kUThresholdedRelu, kUMish, kUGelu, kUGeluTanh, kUClip, kUIsNaN, kUIsInf, kUNot,
  kUShrink, kUSwish, kUBitwiseNot,
};
static_assert(kUBitwiseNot == 44);

enum BinaryOp : uint32_t {
  kBAdd = 0, kBSub, kBMul, kBDiv, kBPow, kBMod, kBFmod, kBPRelu, kBMax, kBMin, kBMeanLast, kBEqual,
  kBLess, kBLessEqual, kBGreater, kBGreaterEqual, kBAnd, kBOr, kBXor, kBShiftLeft, kBShiftRight,
  kBBitAnd, kBBitOr, kBBitXor,
};
static_assert(kBBitXor == 23);

constexpr size_t kMaxRank = 8;       // elementwise_bcast.comp
constexpr size_t kMaxWhereRank = 7;  // elementwise_where.comp

uint32_t float_bits(float f) {
  uint32_t u;
  std::memcpy(&u, &f, 4);
  return u;
}

bool is_float(DataType dt) { return dt == DataType::kFloat32 || dt == DataType::kFloat16; }

bool is_int(DataType dt) {
  switch (dt) {
    case DataType::kInt8:
    case DataType::kInt16:
    case DataType::kInt32:
    case DataType::kInt64:
    case DataType::kUInt8:
    case DataType::kUInt16:
    case DataType::kUInt32: return true;
    default: return false;
  }
}

// The shaders' ITYPE (elementwise_int.glsl): which integer dtype a 32-bit int holds.
uint32_t itype_of(DataType dt) {
  switch (dt) {
    case DataType::kInt8: return 1;
    case DataType::kInt16: return 2;
    case DataType::kUInt8: return 3;
    case DataType::kUInt16: return 4;
    case DataType::kUInt32: return 5;
    case DataType::kBool: return 6;  // only the Cast shader distinguishes bool (0/1 elsewhere)
    default: return 0;               // int32, int64
  }
}
uint32_t arith_itype(DataType dt) { return dt == DataType::kBool ? 0 : itype_of(dt); }

// Dtype classes an op accepts.
enum Types : uint32_t { kFloat = 1, kInt = 2, kBool = 4 };

bool dtype_in(DataType dt, uint32_t types) {
  return ((types & kFloat) && is_float(dt)) || ((types & kInt) && is_int(dt)) || ((types & kBool) && dt == DataType::kBool);
}

std::string types_text(uint32_t types) {
  std::string s;
  auto add = [&](const char* t) { s += s.empty() ? t : std::string(", ") + t; };
  if (types & kFloat) add("float32, float16");
  if (types & kInt) add("int8/16/32/64, uint8/16/32");
  if (types & kBool) add("bool");
  return s;
}

// Checks shared by every op: domain, tensor values, binding limits, float16 storage, fused
// activation (only float outputs may carry one).
Support common_supports(const NodeView& n, const VulkanContext& c, bool float_output_act) {
  const std::string& op = n.node.op_type;
  if (!standard_domain(n)) return Support::no(str_cat("vulkan: ", op, " in domain ", n.node.domain, " not supported"));
  for (const ValueInfo& v : n.inputs)
    if (v.dtype != DataType::kUndefined && v.kind != ValueKind::kTensor)
      return Support::no(str_cat("vulkan: ", op, " on sequences/optionals not supported"));
  for (const ValueInfo& v : n.outputs)
    if (v.kind != ValueKind::kTensor) return Support::no(str_cat("vulkan: ", op, " on sequences/optionals not supported"));
  for (size_t i = 0; i < n.inputs.size(); ++i)
    if (n.input_dtype(i) == DataType::kFloat16 && !c.device.info().storage_16bit)
      return Support::no(str_cat("vulkan: ", op, " float16 needs 16-bit storage buffers (not on this device)"));
  if (!n.node.fused_activation.empty()) {
    if (!float_output_act)
      return Support::no(str_cat("vulkan: ", op, " with fused activation ", n.node.fused_activation, " not supported"));
    if (!activation_supported(n.node))
      return Support::no(str_cat("vulkan: fused activation ", n.node.fused_activation, " not supported"));
  }
  if (std::string r = c.check_binding_limits(n); !r.empty()) return Support::no(r);
  return Support::yes();
}

Support dtype_supports(const NodeView& n, size_t i, uint32_t types) {
  const DataType dt = n.input_dtype(i);
  if (dtype_in(dt, types)) return Support::yes();
  return Support::no(str_cat("vulkan: ", n.node.op_type, " input ", i, " dtype ", dtype_name(dt), " not supported (",
                             types_text(types), ")"));
}

// Specialization constants of the elementwise shaders: 0 workgroup size, 1 op, 2 ITYPE, 3 (cast:
// source is uint32), 4..6 fused activation.
std::vector<uint32_t> spec(const VulkanContext& c, uint32_t op, uint32_t itype, const Node* act_node = nullptr,
                           uint32_t extra = 0) {
  std::vector<uint32_t> s = {c.workgroup_size(), op, itype, extra, 0, 0, 0};
  if (act_node && !act_node->fused_activation.empty()) {
    const std::vector<uint32_t> a = activation_spec(*act_node);
    for (size_t i = 0; i < 3 && i < a.size(); ++i) s[4 + i] = a[i];
  }
  return s;
}

// ---- broadcasting: output dims with each input's element strides, collapsed ----

struct Bcast {
  uint32_t rank = 1;
  uint32_t dims[kMaxRank] = {1};
  uint32_t strides[3][kMaxRank] = {};
};

// `ins` are the inputs' shapes (right-aligned against out). Drops size-1 dims and merges
// neighbours that are contiguous for every input, so plain same-shape ops have rank 1.
Result<Bcast> make_bcast(const Shape& out, std::span<const Shape> ins, size_t max_rank) {
  const size_t k = ins.size();
  std::vector<std::vector<int64_t>> st;
  for (const Shape& s : ins) {
    if (s.size() > out.size()) return invalid_argument("input rank ", s.size(), " exceeds the output's ", out.size());
    st.push_back(broadcast_strides(s, out));
  }
  std::vector<int64_t> dims;
  std::vector<std::vector<int64_t>> cs(k);
  for (size_t d = 0; d < out.size(); ++d) {
    if (out[d] == 1) continue;
    bool merge = !dims.empty();
    for (size_t j = 0; merge && j < k; ++j) merge = cs[j].back() == st[j][d] * out[d];
    if (merge) {
      dims.back() *= out[d];
      for (size_t j = 0; j < k; ++j) cs[j].back() = st[j][d];
    } else {
      dims.push_back(out[d]);
      for (size_t j = 0; j < k; ++j) cs[j].push_back(st[j][d]);
    }
  }
  Bcast b;
  if (dims.empty()) return b;  // one element
  if (dims.size() > max_rank)
    return unsupported("broadcast of ", dims.size(), " non-mergeable dims exceeds ", max_rank);
  b.rank = static_cast<uint32_t>(dims.size());
  for (size_t d = 0; d < dims.size(); ++d) {
    b.dims[d] = static_cast<uint32_t>(dims[d]);
    for (size_t j = 0; j < k; ++j) b.strides[j][d] = static_cast<uint32_t>(cs[j][d]);
  }
  return b;
}

// Input 1's shape as the op broadcasts it: legacy (opset < 7) broadcast=1 with `axis` aligns it
// with input 0's dims starting at axis (trailing 1s); PRelu-1/6 applies a 1-D slope along axis 1.
Shape effective_b_shape(const Node& node, const Shape& a, const Shape& b) {
  const int ver = node.since_version;
  if (node.op_type == "PRelu") {
    if (ver > 0 && ver < 7 && a.size() >= 2 && b.size() == 1) {
      Shape s(a.size() - 1, 1);
      s[0] = b[0];
      return s;
    }
    return b;
  }
  if (ver <= 0 || ver >= 7 || node.attrs.get_int("broadcast", 0) != 1 || !node.attrs.has("axis")) return b;
  int64_t axis = node.attrs.get_int("axis", 0);
  const int64_t ra = static_cast<int64_t>(a.size()), rb = static_cast<int64_t>(b.size());
  if (axis < 0) axis += ra;
  const int64_t trailing = ra - axis - rb;
  if (axis < 0 || trailing <= 0) return b;
  Shape s = b;
  s.resize(static_cast<size_t>(rb + trailing), 1);
  return s;
}

// Rank checks for broadcasting ops (the collapsed rank never exceeds the output's rank).
Support rank_supports(const NodeView& n, size_t max_rank) {
  for (size_t i = 0; i < n.inputs.size(); ++i) {
    const ValueInfo& v = n.inputs[i];
    if (v.dtype == DataType::kUndefined) continue;
    if (!v.shape.rank_known) return Support::no(str_cat("vulkan: ", n.node.op_type, " input ", i, " of unknown rank not supported"));
    if (v.shape.rank() > max_rank)
      return Support::no(str_cat("vulkan: ", n.node.op_type, " with rank ", v.shape.rank(), " not supported (at most ",
                                 max_rank, ")"));
  }
  return Support::yes();
}

// ---- unary ----

struct UnaryDef {
  const char* op;
  uint32_t code;
  uint32_t types;    // input dtypes
  bool pred = false;  // float in, bool out
};

const UnaryDef kUnary[] = {
    {"Abs", kUAbs, kFloat | kInt},
    {"Neg", kUNeg, kFloat | kInt},
    {"Sign", kUSign, kFloat | kInt},
    {"Relu", kURelu, kFloat | kInt},
    {"Clip", kUClip, kFloat | kInt},
    {"Exp", kUExp, kFloat},
    {"Log", kULog, kFloat},
    {"Sqrt", kUSqrt, kFloat},
    {"Reciprocal", kUReciprocal, kFloat},
    {"Floor", kUFloor, kFloat},
    {"Ceil", kUCeil, kFloat},
    {"Round", kURound, kFloat},
    {"Sin", kUSin, kFloat},
    {"Cos", kUCos, kFloat},
    {"Tan", kUTan, kFloat},
    {"Asin", kUAsin, kFloat},
    {"Acos", kUAcos, kFloat},
    {"Atan", kUAtan, kFloat},
    {"Sinh", kUSinh, kFloat},
    {"Cosh", kUCosh, kFloat},
    {"Asinh", kUAsinh, kFloat},
    {"Acosh", kUAcosh, kFloat},
    {"Atanh", kUAtanh, kFloat},
    {"Erf", kUErf, kFloat},
    {"Sigmoid", kUSigmoid, kFloat},
    {"Tanh", kUTanh, kFloat},
    {"Softplus", kUSoftplus, kFloat},
    {"Softsign", kUSoftsign, kFloat},
    {"HardSigmoid", kUHardSigmoid, kFloat},
    {"HardSwish", kUHardSwish, kFloat},
    {"LeakyRelu", kULeakyRelu, kFloat},
    {"Elu", kUElu, kFloat},
    {"Selu", kUSelu, kFloat},
    {"Celu", kUCelu, kFloat},
    {"ThresholdedRelu", kUThresholdedRelu, kFloat},
    {"Mish", kUMish, kFloat},
    {"Gelu", kUGelu, kFloat},
    {"Shrink", kUShrink, kFloat},
    {"Swish", kUSwish, kFloat},
    {"IsNaN", kUIsNaN, kFloat, true},
    {"IsInf", kUIsInf, kFloat, true},
    {"Not", kUNot, kBool},
    {"BitwiseNot", kUBitwiseNot, kInt},
};

const UnaryDef* find_unary(const std::string& op) {
  for (const UnaryDef& d : kUnary)
    if (op == d.op) return &d;
  return nullptr;
}

struct UnaryPush {
  uint32_t n;
  uint32_t p[3];
};

Spirv unary_spirv(Storage in, bool pred) {
  if (pred) return in == Storage::kF16 ? Spirv(shaders::kSpirv_ew_unary_f16_pred) : Spirv(shaders::kSpirv_ew_unary_f32_pred);
  switch (in) {
    case Storage::kF32: return shaders::kSpirv_ew_unary_f32;
    case Storage::kF16: return shaders::kSpirv_ew_unary_f16;
    case Storage::kI32: return shaders::kSpirv_ew_unary_i32;
  }
  return {};
}

// A plain copy (Identity op of the unary shader) of a tensor of `dt`.
Result<const ComputePipeline*> copy_pipeline(const VulkanContext& c, DataType dt) {
  return c.pipeline(unary_spirv(storage_of(dt), false), 2, sizeof(UnaryPush), spec(c, kUIdentity, arith_itype(dt)));
}

Status record_unary(RecordContext& rc, const ComputePipeline& p, const DeviceTensor& x, const DeviceTensor& y,
                    const uint32_t params[3]) {
  const int64_t n = y.numel();
  if (n == 0) return Status::Ok();
  UnaryPush pc{static_cast<uint32_t>(n), {params[0], params[1], params[2]}};
  const DeviceTensor* bind[] = {&x, &y};
  return rc.dispatch(p, bind, &pc, sizeof pc, rc.ctx().groups_for(static_cast<uint64_t>(n)));
}

class UnaryKernel final : public VkKernel {
 public:
  UnaryKernel(const ComputePipeline* p, uint32_t p0, uint32_t p1, uint32_t p2, bool clip)
      : p_(p), params_{p0, p1, p2}, clip_(clip) {}

  Status record(RecordContext& rc) const override {
    uint32_t params[3] = {params_[0], params_[1], params_[2]};
    if (clip_) ER_RETURN_IF_ERROR(clip_bounds(rc, params));
    return record_unary(rc, *p_, *rc.input(0), rc.output(0), params);
  }

 private:
  // Clip's min/max (host inputs 1 and 2; omitted: no bound) as float bits or ints.
  static Status clip_bounds(RecordContext& rc, uint32_t params[3]) {
    const DataType dt = rc.node().outputs.empty() ? DataType::kUndefined : rc.output(0).dtype;
    const bool fl = is_float(dt);
    for (size_t k = 1; k <= 2; ++k) {
      const Tensor* t = rc.host(k);
      const bool lo = k == 1;
      if (!t) {
        if (fl) {
          params[k - 1] = float_bits(lo ? -std::numeric_limits<float>::infinity() : std::numeric_limits<float>::infinity());
        } else {
          int64_t v = 0;
          switch (dt) {
            case DataType::kInt8: v = lo ? -128 : 127; break;
            case DataType::kInt16: v = lo ? -32768 : 32767; break;
            case DataType::kUInt8: v = lo ? 0 : 255; break;
            case DataType::kUInt16: v = lo ? 0 : 65535; break;
            case DataType::kUInt32: v = lo ? 0 : 0xffffffffLL; break;
            default: v = lo ? std::numeric_limits<int32_t>::min() : std::numeric_limits<int32_t>::max(); break;
          }
          params[k - 1] = static_cast<uint32_t>(v);
        }
        continue;
      }
      if (t->dtype() != dt)
        return rc.error(str_cat("input ", k, " has dtype ", dtype_name(t->dtype()), ", expected ", dtype_name(dt)));
      if (t->numel() != 1) return rc.error("min/max must hold exactly one element, got shape " + shape_to_string(t->shape()));
      if (fl) {
        params[k - 1] = float_bits(static_cast<float>(element_as_double(*t, 0)));
      } else if (dt == DataType::kInt64) {
        // the data lies in the int32 range: clamping the bound to it clips the same
        const int64_t v = std::clamp<int64_t>(t->data_as<int64_t>()[0], std::numeric_limits<int32_t>::min(),
                                              std::numeric_limits<int32_t>::max());
        params[k - 1] = static_cast<uint32_t>(static_cast<int32_t>(v));
      } else {
        params[k - 1] = static_cast<uint32_t>(static_cast<int64_t>(element_as_double(*t, 0)));
      }
    }
    return Status::Ok();
  }

  const ComputePipeline* p_;
  uint32_t params_[3];
  bool clip_;
};

Support unary_supports(const NodeView& n, const VulkanContext& c) {
  const std::string& op = n.node.op_type;
  const UnaryDef* d = find_unary(op);
  if (!d) return Support::no(str_cat("vulkan: no elementwise kernel for ", op));
  if (n.inputs.empty()) return Support::no(str_cat("vulkan: ", op, " without input"));
  Support s = dtype_supports(n, 0, d->types);
  if (!s.ok) return s;
  s = common_supports(n, c, is_float(n.input_dtype(0)) && !d->pred);
  if (!s.ok) return s;
  const Attributes& a = n.node.attrs;
  if (op == "Gelu") {
    const std::string approx = a.get_string("approximate", "none");
    if (approx != "none" && approx != "tanh") return Support::no(str_cat("vulkan: Gelu with approximate=", approx, " not supported"));
  }
  if (op == "Celu" && a.get_float("alpha", 1.0f) == 0.0f) return Support::no("vulkan: Celu with alpha=0 not supported");
  if (op == "Clip") {
    for (size_t k = 1; k < n.inputs.size(); ++k) {
      const DataType dt = n.input_dtype(k);
      if (dt != DataType::kUndefined && dt != n.input_dtype(0))
        return Support::no(str_cat("vulkan: Clip with min/max of dtype ", dtype_name(dt), " not supported"));
    }
  }
  return Support::yes();
}

Result<std::unique_ptr<VkKernel>> unary_create(const NodeView& n, std::shared_ptr<const VulkanContext> c) {
  const std::string& op = n.node.op_type;
  const UnaryDef* d = find_unary(op);
  if (!d) return unsupported("vulkan: no elementwise kernel for ", op);
  const DataType dt = n.input_dtype(0);
  const Attributes& a = n.node.attrs;
  uint32_t code = d->code;
  float p[3] = {0, 0, 0};
  if (op == "HardSigmoid") { p[0] = a.get_float("alpha", 0.2f); p[1] = a.get_float("beta", 0.5f); }
  if (op == "LeakyRelu") p[0] = a.get_float("alpha", 0.01f);
  if (op == "Elu" || op == "Celu" || op == "ThresholdedRelu" || op == "Swish") p[0] = a.get_float("alpha", 1.0f);
  if (op == "Selu") {
    p[0] = a.get_float("alpha", 1.67326319217681884765625f);
    p[1] = a.get_float("gamma", 1.05070102214813232421875f);
  }
  if (op == "Shrink") { p[0] = a.get_float("bias", 0.0f); p[1] = a.get_float("lambd", 0.5f); }
  if (op == "Gelu" && a.get_string("approximate", "none") == "tanh") code = kUGeluTanh;
  uint32_t params[3] = {float_bits(p[0]), float_bits(p[1]), float_bits(p[2])};
  if (op == "IsInf") {
    params[0] = a.get_int("detect_positive", 1) != 0 ? 1 : 0;
    params[1] = a.get_int("detect_negative", 1) != 0 ? 1 : 0;
  }
  const Node* act = is_float(dt) && !d->pred ? &n.node : nullptr;
  ER_ASSIGN_OR_RETURN(const ComputePipeline* pl,
                      c->pipeline(unary_spirv(storage_of(dt), d->pred), 2, sizeof(UnaryPush), spec(*c, code, arith_itype(dt), act)));
  return std::unique_ptr<VkKernel>(new UnaryKernel(pl, params[0], params[1], params[2], op == "Clip"));
}

// ---- binary ----

struct BinaryPush {
  uint32_t n, rank, p0, p1;
  uint32_t dims[kMaxRank];
  uint32_t sa[kMaxRank];
  uint32_t sb[kMaxRank];
};
static_assert(sizeof(BinaryPush) == 112);

struct BinaryDef {
  const char* op;
  uint32_t code;
  uint32_t types;
  bool compare = false;  // output bool
};

const BinaryDef kBinary[] = {
    {"Add", kBAdd, kFloat | kInt},
    {"Sub", kBSub, kFloat | kInt},
    {"Mul", kBMul, kFloat | kInt},
    {"Div", kBDiv, kFloat | kInt},
    {"Mod", kBMod, kFloat | kInt},
    {"PRelu", kBPRelu, kFloat | kInt},
    {"Pow", kBPow, kFloat | kInt},
    {"Equal", kBEqual, kFloat | kInt | kBool, true},
    {"Less", kBLess, kFloat | kInt | kBool, true},
    {"LessOrEqual", kBLessEqual, kFloat | kInt | kBool, true},
    {"Greater", kBGreater, kFloat | kInt | kBool, true},
    {"GreaterOrEqual", kBGreaterEqual, kFloat | kInt | kBool, true},
    {"And", kBAnd, kBool},
    {"Or", kBOr, kBool},
    {"Xor", kBXor, kBool},
    {"BitShift", kBShiftLeft, kInt},
    {"BitwiseAnd", kBBitAnd, kInt},
    {"BitwiseOr", kBBitOr, kInt},
    {"BitwiseXor", kBBitXor, kInt},
    {"Sum", kBAdd, kFloat | kInt},
    {"Mean", kBAdd, kFloat | kInt},
    {"Max", kBMax, kFloat | kInt},
    {"Min", kBMin, kFloat | kInt},
};

const BinaryDef* find_binary(const std::string& op) {
  for (const BinaryDef& d : kBinary)
    if (op == d.op) return &d;
  return nullptr;
}

bool is_variadic(const std::string& op) { return op == "Sum" || op == "Mean" || op == "Max" || op == "Min"; }

// The shader of a binary op on inputs of dtypes a and b.
Result<Spirv> binary_spirv(const std::string& op, DataType a, DataType b, bool compare) {
  const Storage sa = storage_of(a), sb = storage_of(b);
  if (op == "Pow" && sa != sb) {
    if (sa == Storage::kF32 && sb == Storage::kI32) return Spirv(shaders::kSpirv_ew_pow_f32_i32);
    if (sa == Storage::kF16 && sb == Storage::kI32) return Spirv(shaders::kSpirv_ew_pow_f16_i32);
    if (sa == Storage::kI32 && sb == Storage::kF32) return Spirv(shaders::kSpirv_ew_pow_i32_f32);
    return unsupported("vulkan: Pow of ", dtype_name(a), " by ", dtype_name(b), " not supported");
  }
  if (sa == Storage::kI32) return Spirv(shaders::kSpirv_ew_binary_i32);
  if (compare) return sa == Storage::kF16 ? Spirv(shaders::kSpirv_ew_compare_f16) : Spirv(shaders::kSpirv_ew_compare_f32);
  return sa == Storage::kF16 ? Spirv(shaders::kSpirv_ew_binary_f16) : Spirv(shaders::kSpirv_ew_binary_f32);
}

// One dispatch c = OP(a, b) broadcast to c's shape.
Status record_binary(RecordContext& rc, const ComputePipeline& p, const DeviceTensor& a, const Shape& a_shape,
                     const DeviceTensor& b, const Shape& b_shape, const DeviceTensor& c, uint32_t p0) {
  const int64_t n = c.numel();
  if (n == 0) return Status::Ok();
  const Shape shapes[] = {a_shape, b_shape};
  auto bc = make_bcast(c.shape, shapes, kMaxRank);
  if (!bc.ok()) return rc.error(bc.status().message());
  BinaryPush pc{};
  pc.n = static_cast<uint32_t>(n);
  pc.rank = bc->rank;
  pc.p0 = p0;
  for (size_t d = 0; d < kMaxRank; ++d) {
    pc.dims[d] = bc->dims[d];
    pc.sa[d] = bc->strides[0][d];
    pc.sb[d] = bc->strides[1][d];
  }
  const DeviceTensor* bind[] = {&a, &b, &c};
  return rc.dispatch(p, bind, &pc, sizeof pc, rc.ctx().groups_for(static_cast<uint64_t>(n)));
}

class BinaryKernel final : public VkKernel {
 public:
  explicit BinaryKernel(const ComputePipeline* p) : p_(p) {}
  Status record(RecordContext& rc) const override {
    const DeviceTensor& a = *rc.input(0);
    const DeviceTensor& b = *rc.input(1);
    return record_binary(rc, *p_, a, a.shape, b, effective_b_shape(rc.node(), a.shape, b.shape), rc.output(0), 0);
  }

 private:
  const ComputePipeline* p_;
};

// Sum/Mean/Max/Min over 1..N inputs: a chain of binary passes accumulating in the output (or, for
// float16 with more than 2 inputs, in a float32 scratch tensor, as the reference accumulates in
// float and rounds once). Mean's last pass divides by N.
class FoldKernel final : public VkKernel {
 public:
  struct Pipelines {
    const ComputePipeline* copy = nullptr;  // 1 input
    const ComputePipeline* first = nullptr;  // inputs 0 and 1 (not the last pass)
    const ComputePipeline* mid = nullptr;    // acc and input k (not the last pass)
    const ComputePipeline* last = nullptr;   // last pass, inputs (0, 1) when N == 2
    const ComputePipeline* last_acc = nullptr;  // last pass from the accumulator
  };
  FoldKernel(Pipelines p, bool mean, bool f16_acc) : p_(p), mean_(mean), f16_acc_(f16_acc) {}

  Status record(RecordContext& rc) const override {
    const DeviceTensor& out = rc.output(0);
    if (out.numel() == 0) return Status::Ok();
    const size_t n = rc.num_inputs();
    if (n == 1) {
      const uint32_t none[3] = {0, 0, 0};
      return record_unary(rc, *p_.copy, *rc.input(0), out, none);
    }
    const bool is_float = out.dtype == DataType::kFloat32 || out.dtype == DataType::kFloat16;
    const uint32_t count = is_float ? float_bits(static_cast<float>(n)) : static_cast<uint32_t>(n);
    const uint32_t last_p0 = mean_ ? count : 0;
    if (n == 2) return record_binary(rc, *p_.last, *rc.input(0), rc.input(0)->shape, *rc.input(1), rc.input(1)->shape, out, last_p0);
    DeviceTensor acc = out;
    if (f16_acc_) {
      ER_ASSIGN_OR_RETURN(acc, rc.scratch(DataType::kFloat32, out.shape));
    }
    ER_RETURN_IF_ERROR(record_binary(rc, *p_.first, *rc.input(0), rc.input(0)->shape, *rc.input(1), rc.input(1)->shape, acc, 0));
    for (size_t k = 2; k + 1 < n; ++k)
      ER_RETURN_IF_ERROR(record_binary(rc, *p_.mid, acc, acc.shape, *rc.input(k), rc.input(k)->shape, acc, 0));
    return record_binary(rc, *p_.last_acc, acc, acc.shape, *rc.input(n - 1), rc.input(n - 1)->shape, out, last_p0);
  }

 private:
  Pipelines p_;
  bool mean_;
  bool f16_acc_;
};

Support binary_supports(const NodeView& n, const VulkanContext& c) {
  const std::string& op = n.node.op_type;
  const BinaryDef* d = find_binary(op);
  if (!d) return Support::no(str_cat("vulkan: no elementwise kernel for ", op));
  const bool variadic = is_variadic(op);
  if (n.inputs.empty() || (!variadic && n.inputs.size() != 2))
    return Support::no(str_cat("vulkan: ", op, " with ", n.inputs.size(), " inputs not supported"));
  for (size_t i = 0; i < n.inputs.size(); ++i) {
    if (n.input_dtype(i) == DataType::kUndefined) return Support::no(str_cat("vulkan: ", op, " with an omitted input"));
    Support s = dtype_supports(n, i, d->types);
    if (!s.ok) return s;
  }
  const DataType a = n.input_dtype(0);
  const DataType b = n.inputs.size() > 1 ? n.input_dtype(1) : a;
  if (op == "BitShift") {
    const std::string dir = n.node.attrs.get_string("direction", "");
    if (dir != "LEFT" && dir != "RIGHT") return Support::no(str_cat("vulkan: BitShift with direction '", dir, "' not supported"));
    if (a != DataType::kUInt8 && a != DataType::kUInt16 && a != DataType::kUInt32)
      return Support::no(str_cat("vulkan: BitShift dtype ", dtype_name(a), " not supported (uint8/16/32)"));
  }
  if (op == "Pow") {
    if (!binary_spirv(op, a, b, false).ok())
      return Support::no(str_cat("vulkan: Pow of ", dtype_name(a), " by ", dtype_name(b), " not supported"));
    if (is_int(a) && is_int(b) && (a == DataType::kUInt32) != (b == DataType::kUInt32))
      return Support::no(str_cat("vulkan: Pow of ", dtype_name(a), " by ", dtype_name(b), " not supported"));
  }
  Support s = common_supports(n, c, is_float(a) && !d->compare);
  if (!s.ok) return s;
  return rank_supports(n, kMaxRank);
}

Result<std::unique_ptr<VkKernel>> binary_create(const NodeView& n, std::shared_ptr<const VulkanContext> c) {
  const std::string& op = n.node.op_type;
  const BinaryDef* d = find_binary(op);
  if (!d) return unsupported("vulkan: no elementwise kernel for ", op);
  const DataType a = n.input_dtype(0);
  const DataType b = n.inputs.size() > 1 ? n.input_dtype(1) : a;
  uint32_t code = d->code;
  if (op == "Mod" && n.node.attrs.get_int("fmod", 0) != 0) code = kBFmod;
  if (op == "BitShift" && n.node.attrs.get_string("direction", "") == "RIGHT") code = kBShiftRight;
  const bool float_out = is_float(a) && !d->compare;
  const Node* act = float_out ? &n.node : nullptr;
  // Pow(float, int): ITYPE describes the exponent; otherwise input 0 (the output's dtype).
  const uint32_t itype = arith_itype(op == "Pow" && is_float(a) ? b : a);
  if (!is_variadic(op)) {
    ER_ASSIGN_OR_RETURN(Spirv spv, binary_spirv(op, a, b, d->compare));
    ER_ASSIGN_OR_RETURN(const ComputePipeline* p, c->pipeline(spv, 3, sizeof(BinaryPush), spec(*c, code, itype, act)));
    return std::unique_ptr<VkKernel>(new BinaryKernel(p));
  }
  const bool mean = op == "Mean";
  const size_t count = n.inputs.size();
  const bool f16_acc = a == DataType::kFloat16 && count > 2;
  const uint32_t last_code = mean ? kBMeanLast : code;
  FoldKernel::Pipelines p;
  ER_ASSIGN_OR_RETURN(p.copy, copy_pipeline(*c, a));
  ER_ASSIGN_OR_RETURN(Spirv same, binary_spirv(op, a, a, false));
  const uint32_t bp = sizeof(BinaryPush);
  if (f16_acc) {
    ER_ASSIGN_OR_RETURN(p.first, c->pipeline(shaders::kSpirv_ew_fold_f16_f16_f32, 3, bp, spec(*c, code, itype)));
    ER_ASSIGN_OR_RETURN(p.mid, c->pipeline(shaders::kSpirv_ew_fold_f32_f16_f32, 3, bp, spec(*c, code, itype)));
    ER_ASSIGN_OR_RETURN(p.last_acc, c->pipeline(shaders::kSpirv_ew_fold_f32_f16_f16, 3, bp, spec(*c, last_code, itype, act)));
  } else {
    ER_ASSIGN_OR_RETURN(p.first, c->pipeline(same, 3, bp, spec(*c, code, itype)));
    p.mid = p.first;
    ER_ASSIGN_OR_RETURN(p.last_acc, c->pipeline(same, 3, bp, spec(*c, last_code, itype, act)));
  }
  ER_ASSIGN_OR_RETURN(p.last, c->pipeline(same, 3, bp, spec(*c, last_code, itype, act)));
  return std::unique_ptr<VkKernel>(new FoldKernel(p, mean, f16_acc));
}

// ---- Where ----

struct WherePush {
  uint32_t n, rank;
  uint32_t dims[kMaxWhereRank];
  uint32_t sc[kMaxWhereRank];
  uint32_t sx[kMaxWhereRank];
  uint32_t sy[kMaxWhereRank];
};
static_assert(sizeof(WherePush) == 120);

class WhereKernel final : public VkKernel {
 public:
  explicit WhereKernel(const ComputePipeline* p) : p_(p) {}
  Status record(RecordContext& rc) const override {
    const DeviceTensor& out = rc.output(0);
    const int64_t n = out.numel();
    if (n == 0) return Status::Ok();
    const Shape shapes[] = {rc.input(0)->shape, rc.input(1)->shape, rc.input(2)->shape};
    auto bc = make_bcast(out.shape, shapes, kMaxWhereRank);
    if (!bc.ok()) return rc.error(bc.status().message());
    WherePush pc{};
    pc.n = static_cast<uint32_t>(n);
    pc.rank = bc->rank;
    for (size_t d = 0; d < kMaxWhereRank; ++d) {
      pc.dims[d] = bc->dims[d];
      pc.sc[d] = bc->strides[0][d];
      pc.sx[d] = bc->strides[1][d];
      pc.sy[d] = bc->strides[2][d];
    }
    const DeviceTensor* bind[] = {rc.input(0), rc.input(1), rc.input(2), &out};
    return rc.dispatch(*p_, bind, &pc, sizeof pc, rc.ctx().groups_for(static_cast<uint64_t>(n)));
  }

 private:
  const ComputePipeline* p_;
};

Support where_supports(const NodeView& n, const VulkanContext& c) {
  if (n.inputs.size() != 3) return Support::no("vulkan: Where needs 3 inputs");
  if (n.input_dtype(0) != DataType::kBool)
    return Support::no(str_cat("vulkan: Where condition dtype ", dtype_name(n.input_dtype(0)), " not supported"));
  for (size_t i = 1; i < 3; ++i) {
    Support s = dtype_supports(n, i, kFloat | kInt | kBool);
    if (!s.ok) return s;
  }
  Support s = common_supports(n, c, false);
  if (!s.ok) return s;
  return rank_supports(n, kMaxWhereRank);
}

Result<std::unique_ptr<VkKernel>> where_create(const NodeView& n, std::shared_ptr<const VulkanContext> c) {
  const Storage s = storage_of(n.input_dtype(1));
  const Spirv spv = s == Storage::kF32   ? Spirv(shaders::kSpirv_ew_where_f32)
                    : s == Storage::kF16 ? Spirv(shaders::kSpirv_ew_where_f16)
                                         : Spirv(shaders::kSpirv_ew_where_i32);
  ER_ASSIGN_OR_RETURN(const ComputePipeline* p, c->pipeline(spv, 4, sizeof(WherePush), {c->workgroup_size()}));
  return std::unique_ptr<VkKernel>(new WhereKernel(p));
}

// ---- Cast / CastLike ----

class CastKernel final : public VkKernel {
 public:
  explicit CastKernel(const ComputePipeline* p) : p_(p) {}
  Status record(RecordContext& rc) const override {
    const uint32_t none[3] = {0, 0, 0};
    return record_unary(rc, *p_, *rc.input(0), rc.output(0), none);  // both push {n, ...}
  }

 private:
  const ComputePipeline* p_;
};

Support cast_supports(const NodeView& n, const VulkanContext& c) {
  const std::string& op = n.node.op_type;
  if (n.inputs.empty() || n.outputs.empty()) return Support::no(str_cat("vulkan: ", op, " without input/output"));
  Support s = dtype_supports(n, 0, kFloat | kInt | kBool);
  if (!s.ok) return s;
  const DataType to = n.outputs[0].dtype;
  if (!dtype_in(to, kFloat | kInt | kBool))
    return Support::no(str_cat("vulkan: ", op, " to ", dtype_name(to), " not supported"));
  if (op == "CastLike" && n.inputs.size() > 1) {
    s = dtype_supports(n, 1, kFloat | kInt | kBool);
    if (!s.ok) return s;
  }
  if (to == DataType::kFloat16 && !c.device.info().storage_16bit)
    return Support::no(str_cat("vulkan: ", op, " float16 needs 16-bit storage buffers (not on this device)"));
  return common_supports(n, c, false);
}

Result<std::unique_ptr<VkKernel>> cast_create(const NodeView& n, std::shared_ptr<const VulkanContext> c) {
  const DataType from = n.input_dtype(0), to = n.outputs[0].dtype;
  const Storage si = storage_of(from), so = storage_of(to);
  Spirv spv;
  if (si == so && si != Storage::kI32) {
    ER_ASSIGN_OR_RETURN(const ComputePipeline* p, copy_pipeline(*c, from));
    return std::unique_ptr<VkKernel>(new CastKernel(p));
  }
  if (si == Storage::kF32) spv = so == Storage::kF16 ? Spirv(shaders::kSpirv_ew_cast_f32_f16) : Spirv(shaders::kSpirv_ew_cast_f32_i32);
  else if (si == Storage::kF16) spv = so == Storage::kF32 ? Spirv(shaders::kSpirv_ew_cast_f16_f32) : Spirv(shaders::kSpirv_ew_cast_f16_i32);
  else spv = so == Storage::kF32 ? Spirv(shaders::kSpirv_ew_cast_i32_f32)
             : so == Storage::kF16 ? Spirv(shaders::kSpirv_ew_cast_i32_f16)
                                   : Spirv(shaders::kSpirv_ew_cast_i32_i32);
  const uint32_t src_unsigned = from == DataType::kUInt32 ? 1 : 0;
  ER_ASSIGN_OR_RETURN(const ComputePipeline* p,
                      c->pipeline(spv, 2, sizeof(UnaryPush), {c->workgroup_size(), 0, itype_of(to), src_unsigned}));
  return std::unique_ptr<VkKernel>(new CastKernel(p));
}

// ---- Identity (a view) ----

Support identity_supports(const NodeView& n, const VulkanContext& c) {
  if (n.inputs.size() != 1) return Support::no("vulkan: Identity needs one input");
  Support s = dtype_supports(n, 0, kFloat | kInt | kBool);
  if (!s.ok) return s;
  return common_supports(n, c, false);
}

const VulkanOp kOps[] = {
    // unary (Clip's min/max are read on the host)
    {"Abs", unary_supports, unary_create},
    {"Neg", unary_supports, unary_create},
    {"Sign", unary_supports, unary_create},
    {"Relu", unary_supports, unary_create},
    {"Clip", unary_supports, unary_create, 0b110},
    {"Exp", unary_supports, unary_create},
    {"Log", unary_supports, unary_create},
    {"Sqrt", unary_supports, unary_create},
    {"Reciprocal", unary_supports, unary_create},
    {"Floor", unary_supports, unary_create},
    {"Ceil", unary_supports, unary_create},
    {"Round", unary_supports, unary_create},
    {"Sin", unary_supports, unary_create},
    {"Cos", unary_supports, unary_create},
    {"Tan", unary_supports, unary_create},
    {"Asin", unary_supports, unary_create},
    {"Acos", unary_supports, unary_create},
    {"Atan", unary_supports, unary_create},
    {"Sinh", unary_supports, unary_create},
    {"Cosh", unary_supports, unary_create},
    {"Asinh", unary_supports, unary_create},
    {"Acosh", unary_supports, unary_create},
    {"Atanh", unary_supports, unary_create},
    {"Erf", unary_supports, unary_create},
    {"Sigmoid", unary_supports, unary_create},
    {"Tanh", unary_supports, unary_create},
    {"Softplus", unary_supports, unary_create},
    {"Softsign", unary_supports, unary_create},
    {"HardSigmoid", unary_supports, unary_create},
    {"HardSwish", unary_supports, unary_create},
    {"LeakyRelu", unary_supports, unary_create},
    {"Elu", unary_supports, unary_create},
    {"Selu", unary_supports, unary_create},
    {"Celu", unary_supports, unary_create},
    {"ThresholdedRelu", unary_supports, unary_create},
    {"Mish", unary_supports, unary_create},
    {"Gelu", unary_supports, unary_create},
    {"Shrink", unary_supports, unary_create},
    {"Swish", unary_supports, unary_create},
    {"IsNaN", unary_supports, unary_create},
    {"IsInf", unary_supports, unary_create},
    {"Not", unary_supports, unary_create},
    {"BitwiseNot", unary_supports, unary_create},
    // binary with broadcasting
    {"Add", binary_supports, binary_create},
    {"Sub", binary_supports, binary_create},
    {"Mul", binary_supports, binary_create},
    {"Div", binary_supports, binary_create},
    {"Mod", binary_supports, binary_create},
    {"Pow", binary_supports, binary_create},
    {"PRelu", binary_supports, binary_create},
    {"Equal", binary_supports, binary_create},
    {"Less", binary_supports, binary_create},
    {"LessOrEqual", binary_supports, binary_create},
    {"Greater", binary_supports, binary_create},
    {"GreaterOrEqual", binary_supports, binary_create},
    {"And", binary_supports, binary_create},
    {"Or", binary_supports, binary_create},
    {"Xor", binary_supports, binary_create},
    {"BitShift", binary_supports, binary_create},
    {"BitwiseAnd", binary_supports, binary_create},
    {"BitwiseOr", binary_supports, binary_create},
    {"BitwiseXor", binary_supports, binary_create},
    {"Sum", binary_supports, binary_create},
    {"Mean", binary_supports, binary_create},
    {"Max", binary_supports, binary_create},
    {"Min", binary_supports, binary_create},
    {"Where", where_supports, where_create},
    // conversions and views
    {"Cast", cast_supports, cast_create},
    {"CastLike", cast_supports, cast_create},
    {"Identity", identity_supports, nullptr, 0, kVkView},
};

}  // namespace

std::span<const VulkanOp> elementwise_ops() { return kOps; }

}  // namespace edgerun::vk
