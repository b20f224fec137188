#include "vulkan/region.h"

#include <algorithm>
#include <chrono>
#include <cstring>
#include <deque>
#include <map>

#include "base/errors.h"
#include "base/strcat.h"
#include "ops/op_def.h"
#include "plan/placement.h"
#include "vulkan/transfer.h"

namespace edgerun::vk {

namespace {
using Clock = std::chrono::steady_clock;
double ms_since(Clock::time_point t0) { return std::chrono::duration<double, std::milli>(Clock::now() - t0).count(); }
uint64_t align_up(uint64_t v, uint64_t a) { return (v + a - 1) / a * a; }
}  // namespace

// How a node input is provided.
enum class InKind : uint8_t { kOmitted, kConstant, kRegionInput, kLocal };

struct NodeInput {
  InKind kind = InKind::kOmitted;
  ValueId value = kNoValue;
  bool host_only = false;                         // the op reads it on the host only
  const Tensor* constant = nullptr;               // kConstant
  std::shared_ptr<const DeviceTensor> uploaded;   // kConstant read on the device
  int region_input = -1;                          // kRegionInput: index into graph.inputs
};

struct VulkanRegion::NodeState {
  const Node* node = nullptr;
  const VulkanOp* op = nullptr;
  std::unique_ptr<VkKernel> kernel;  // null for views
  std::vector<NodeInput> inputs;
};

// The recorded state of one shape signature: buffers, command buffer, where each value lives.
struct VulkanRegion::Recorded {
  std::vector<uint8_t> signature;
  std::shared_ptr<Buffer> arena;  // shared with the plan made at load when it is that one
  Buffer upload, download;
  std::deque<Buffer> scratch;  // deque: DeviceTensors keep pointers to its elements
  CommandRecorder rec;
  uint64_t arena_bytes = 0;
  struct Upload {
    size_t input;           // graph.inputs index
    uint64_t staging_offset, bytes;
  };
  std::vector<Upload> uploads;
  struct Download {
    DeviceTensor src;
    uint64_t staging_offset;
  };
  std::vector<Download> downloads;  // per graph output
  bool timestamps = false;
};

// The command buffer being recorded, with the data-flow tracking that places barriers.
class Recording {
 public:
  Recording(const VulkanContext& ctx, CommandRecorder* rec, std::deque<Buffer>* scratch)
      : ctx_(ctx), rec_(rec), scratch_(scratch) {}

  Status dispatch(const ComputePipeline& p, std::span<const DeviceTensor* const> bindings, const void* push,
                  uint32_t push_bytes, uint32_t gx, uint32_t gy, uint32_t gz, uint32_t writes) {
    if (writes == 0 && !bindings.empty()) writes = 1u << (bindings.size() - 1);
    std::vector<BufferRange> ranges;
    bool need = false;
    for (size_t i = 0; i < bindings.size(); ++i) {
      const DeviceTensor* t = bindings[i];
      if (!t || !t->buffer) return Status(StatusCode::kInternal, str_cat("vulkan: binding ", i, " has no device tensor"));
      const Span s{t->buffer, t->offset, std::max<uint64_t>(t->bytes, 4)};
      ranges.push_back({t->buffer, t->offset, s.size});
      if (overlaps(pending_writes_, s)) need = true;
      if ((writes & (1u << i)) && overlaps(pending_reads_, s)) need = true;
    }
    if (need) {
      rec_->barrier();
      pending_reads_.clear();
      pending_writes_.clear();
      ++barriers_;
    }
    for (size_t i = 0; i < bindings.size(); ++i) {
      const Span s{ranges[i].buffer, ranges[i].offset, ranges[i].size};
      ((writes & (1u << i)) ? pending_writes_ : pending_reads_).push_back(s);
    }
    return rec_->dispatch(p, ranges, push, push_bytes, gx, gy, gz);
  }

  Result<DeviceTensor> scratch(DataType dt, const Shape& shape) {
    ER_ASSIGN_OR_RETURN(int64_t n, checked_numel(shape));
    const Storage st = storage_of(dt);
    const uint64_t bytes = static_cast<uint64_t>(n) * storage_bytes(st);
    ER_ASSIGN_OR_RETURN(Buffer b, ctx_.device.create_buffer(std::max<uint64_t>(bytes, 4), MemoryKind::kDevice));
    scratch_->push_back(std::move(b));
    return DeviceTensor{&scratch_->back(), 0, bytes, dt, st, shape};
  }

  void full_barrier() {
    rec_->barrier();
    pending_reads_.clear();
    pending_writes_.clear();
  }
  int barriers() const { return barriers_; }

 private:
  struct Span {
    const Buffer* buffer;
    uint64_t offset, size;
  };
  static bool overlaps(const std::vector<Span>& list, const Span& s) {
    for (const Span& o : list)
      if (o.buffer == s.buffer && o.offset < s.offset + s.size && s.offset < o.offset + o.size) return true;
    return false;
  }
  const VulkanContext& ctx_;
  CommandRecorder* rec_;
  std::deque<Buffer>* scratch_;
  std::vector<Span> pending_reads_, pending_writes_;
  int barriers_ = 0;
};

Status RecordContext::dispatch(const ComputePipeline& p, std::span<const DeviceTensor* const> bindings,
                               const void* push, uint32_t push_bytes, uint32_t gx, uint32_t gy, uint32_t gz,
                               uint32_t writes) {
  Status s = rec_->dispatch(p, bindings, push, push_bytes, gx, gy, gz, writes);
  return s.ok() ? s : s.with_context(node_.label());
}

Result<DeviceTensor> RecordContext::scratch(DataType dt, const Shape& shape) { return rec_->scratch(dt, shape); }

Status RecordContext::error(const std::string& msg) const {
  return Status(StatusCode::kInternal, str_cat(node_.label(), ": vulkan: ", msg));
}

// ---- creation ----

// One value the region's nodes touch, for one set of concrete shapes.
struct VulkanRegion::Val {
  DataType dtype = DataType::kUndefined;
  Shape shape;
  const Tensor* host = nullptr;   // region input data (nullptr at load)
  int def = -1;                   // defining node (-1: region input)
  int last = -1;                  // last reading node (INT32_MAX: region output)
  int alias_of = -1;              // view: the value it shares memory with
  bool device = false;            // needs device memory of its own (in the arena)
  DeviceTensor dev;
};

// Where every value lives: shapes, lifetimes and arena offsets, and the arena itself (shared by the
// plan made at load and the recordings that use it).
struct VulkanRegion::Plan {
  std::map<ValueId, Val> vals;
  std::shared_ptr<Buffer> arena;
  uint64_t arena_bytes = 0, naive_bytes = 0, largest = 0;
};

VulkanRegion::~VulkanRegion() {
  // After a fence timeout the GPU may still be executing with this region's buffers (weights,
  // arena, staging): freeing them under it crashes the driver. Leak them instead; the device is
  // marked lost and refuses further work.
  if (ctx_ && ctx_->device.lost()) {
    (void)recorded_.release();
    (void)static_.release();
    (void)new std::vector<NodeState>(std::move(nodes_));
  }
}

Result<std::unique_ptr<VulkanRegion>> VulkanRegion::create(std::shared_ptr<const VulkanContext> ctx, RegionGraph graph,
                                                           const OpLookup& ops) {
  std::unique_ptr<VulkanRegion> r(new VulkanRegion());
  r->ctx_ = std::move(ctx);
  r->graph_ = std::move(graph);
  const RegionGraph& g = r->graph_;
  r->host_read_.assign(g.inputs.size(), false);
  std::map<ValueId, int> produced;  // value -> producing node index in the region
  for (size_t ni = 0; ni < g.nodes.size(); ++ni) {
    const Node& n = *g.nodes[ni];
    NodeState ns;
    ns.node = &n;
    ns.op = ops(n);
    if (!ns.op) return Status(StatusCode::kUnsupported, str_cat(n.label(), ": no vulkan kernel"));
    NodeView view{n, {}, {}, {}};
    for (int i = 0; i < n.num_explicit_inputs; ++i) {
      const ValueId v = n.inputs[static_cast<size_t>(i)];
      NodeInput in;
      in.value = v;
      in.host_only = (ns.op->host_inputs >> i) & 1u;
      if (v != kNoValue) {
        in.constant = g.constant(v);
        if (in.constant) {
          in.kind = InKind::kConstant;
        } else if (produced.count(v)) {
          in.kind = InKind::kLocal;
          if (in.host_only)
            return Status(StatusCode::kInternal, str_cat(n.label(), ": input ", i, " ('", g.name(v),
                                                         "') is read on the host but computed on the GPU"));
        } else {
          auto it = std::find(g.inputs.begin(), g.inputs.end(), v);
          if (it == g.inputs.end())
            return Status(StatusCode::kInternal, str_cat(n.label(), ": input '", g.name(v), "' is not a region input"));
          in.kind = InKind::kRegionInput;
          in.region_input = static_cast<int>(it - g.inputs.begin());
          if (in.host_only) r->host_read_[static_cast<size_t>(in.region_input)] = true;
        }
      }
      view.inputs.push_back(v == kNoValue ? ValueInfo{} : g.info(v));
      view.constants.push_back(in.constant);
      ns.inputs.push_back(std::move(in));
    }
    for (ValueId o : n.outputs) view.outputs.push_back(o == kNoValue ? ValueInfo{} : g.info(o));
    Support s = ns.op->supports(view, *r->ctx_);
    if (!s.ok) return Status(StatusCode::kUnsupported, str_cat(n.label(), ": ", s.reason));
    for (NodeInput& in : ns.inputs) {
      if (in.kind != InKind::kConstant || in.host_only) continue;
      auto up = r->ctx_->upload(*in.constant);
      if (!up.ok()) return up.status().with_context(str_cat(n.label(), " constant '", g.name(in.value), "'"));
      in.uploaded = std::move(up).value();
      r->constant_bytes_ += in.uploaded->bytes;
      r->largest_constant_ = std::max(r->largest_constant_, in.uploaded->bytes);
    }
    if (!(ns.op->flags & kVkView)) {
      auto k = ns.op->create(view, r->ctx_);
      if (!k.ok()) return k.status().with_context(n.label() + " on vulkan");
      ns.kernel = std::move(k).value();
    }
    for (ValueId o : n.outputs)
      if (o != kNoValue) produced[o] = static_cast<int>(ni);
    r->nodes_.push_back(std::move(ns));
  }
  for (ValueId o : g.outputs)
    if (!produced.count(o) && std::find(g.inputs.begin(), g.inputs.end(), o) == g.inputs.end())
      return Status(StatusCode::kInternal, str_cat("vulkan region: output '", g.name(o), "' is not produced in it"));
  ER_RETURN_IF_ERROR(r->plan_at_load());
  return r;
}

uint64_t VulkanRegion::arena_bytes() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return recorded_ ? recorded_->arena_bytes : 0;
}

VulkanRegion::Memory VulkanRegion::planned_memory() const {
  Memory m;
  m.binding_limit = ctx_->device.info().max_storage_buffer_range;
  if (!static_) return m;
  m.planned = true;
  m.arena_bytes = static_->arena_bytes;
  m.naive_bytes = static_->naive_bytes;
  m.largest_binding = std::max(static_->largest, largest_constant_);
  return m;
}

// ---- planning ----

namespace {

// The signature of a run: input dtypes and shapes, and the bytes of inputs read on the host.
std::vector<uint8_t> signature_of(const std::vector<VulkanRegion::InputDesc>& inputs, const std::vector<bool>& host_read) {
  std::vector<uint8_t> sig;
  auto put = [&](const void* p, size_t n) {
    const uint8_t* b = static_cast<const uint8_t*>(p);
    sig.insert(sig.end(), b, b + n);
  };
  for (size_t i = 0; i < inputs.size(); ++i) {
    const VulkanRegion::InputDesc& t = inputs[i];
    const int32_t dt = static_cast<int32_t>(t.dtype);
    put(&dt, sizeof dt);
    const int64_t rank = static_cast<int64_t>(t.shape.size());
    put(&rank, sizeof rank);
    put(t.shape.data(), t.shape.size() * sizeof(int64_t));
    if (host_read[i] && t.host && t.dtype != DataType::kString) put(t.host->data(), t.host->nbytes());
  }
  return sig;
}

}  // namespace

Status VulkanRegion::values_of(const std::vector<InputDesc>& inputs, bool at_load, Plan* out, bool* known) const {
  const RegionGraph& g = graph_;
  std::map<ValueId, Val>& vals = out->vals;
  *known = true;
  for (size_t i = 0; i < g.inputs.size(); ++i) {
    Val v;
    v.dtype = inputs[i].dtype;
    v.shape = inputs[i].shape;
    v.host = inputs[i].host;
    vals[g.inputs[i]] = v;
  }
  for (size_t ni = 0; ni < nodes_.size(); ++ni) {
    const NodeState& ns = nodes_[ni];
    const Node& n = *ns.node;
    std::vector<ValueInfo> in_infos;
    std::vector<const Tensor*> data;
    for (const NodeInput& in : ns.inputs) {
      if (in.kind == InKind::kOmitted) {
        in_infos.emplace_back();
        data.push_back(nullptr);
      } else if (in.kind == InKind::kConstant) {
        in_infos.push_back({in.constant->dtype(), ShapeInfo::of(in.constant->shape())});
        data.push_back(in.constant);
      } else {
        Val& v = vals[in.value];
        in_infos.push_back({v.dtype, ShapeInfo::of(v.shape)});
        data.push_back(v.host);
        v.last = static_cast<int>(ni);
        if (!in.host_only && in.kind == InKind::kRegionInput) v.device = true;
      }
    }
    InferContext ic(n, std::move(in_infos), std::move(data), n.outputs.size());
    Status inferred = n.def->infer(ic);
    if (!inferred.ok()) {
      if (!at_load) return inferred;
      *known = false;  // the first run tells (and reports the error if there is one)
      return Status::Ok();
    }
    for (size_t o = 0; o < n.outputs.size(); ++o) {
      ValueInfo vi = ic.outputs()[o];
      if (at_load && n.outputs[o] != kNoValue && (!vi.shape.fully_known() || vi.dtype == DataType::kUndefined)) {
        const ValueInfo gi = g.info(n.outputs[o]);  // the graph's inference may know more (no data here)
        if (gi.shape.fully_known() && gi.dtype != DataType::kUndefined) vi = gi;
      }
      if (!vi.shape.fully_known() || vi.kind != ValueKind::kTensor) {
        if (at_load) {
          *known = false;
          return Status::Ok();
        }
        return Status(StatusCode::kInternal, str_cat(n.label(), ": vulkan: output ", o,
                                                     " shape is not known before the GPU runs (data-dependent)"));
      }
      if (!gpu_dtype(vi.dtype))
        return Status(StatusCode::kInternal, str_cat(n.label(), ": vulkan: output ", o, " dtype ", dtype_name(vi.dtype)));
      Val v;
      v.dtype = vi.dtype;
      v.shape = vi.shape.concrete();
      v.def = static_cast<int>(ni);
      v.device = true;
      if (n.outputs[o] == kNoValue) continue;
      if ((ns.op->flags & kVkView) && o == 0) {
        v.device = false;
        if (ns.inputs[0].kind == InKind::kConstant) {  // a view of a weight: its uploaded copy
          v.dev = *ns.inputs[0].uploaded;
          v.dev.shape = v.shape;
          v.dev.dtype = v.dtype;
        } else {
          v.alias_of = static_cast<int>(ns.inputs[0].value);
        }
      }
      vals[n.outputs[o]] = v;
    }
  }
  for (ValueId o : g.outputs) vals[o].last = INT32_MAX;
  // Unrequested outputs (kNoValue) still need memory: record() gives them scratch.

  // A view keeps its root alive: extend the root's lifetime to the view's.
  for (auto& [id, v] : vals)
    if (v.alias_of >= 0) {
      ValueId root = id;
      while (vals[root].alias_of >= 0) root = static_cast<ValueId>(vals[root].alias_of);
      Val& rv = vals[root];
      rv.last = std::max(rv.last, v.last);
    }
  return Status::Ok();
}

Status VulkanRegion::plan_arena(Plan* p) const {
  const VulkanContext& ctx = *ctx_;
  const RegionGraph& g = graph_;
  const uint64_t align = std::max<uint64_t>(ctx.device.info().min_storage_offset_alignment, 16);
  // Greedy by size, first fit among values whose lifetimes overlap.
  struct Block {
    ValueId id;
    uint64_t size;
    int start, end;
    uint64_t offset = 0;
  };
  std::vector<Block> blocks;
  p->naive_bytes = 0;
  p->largest = 0;
  for (auto& [id, v] : p->vals) {
    if (!v.device || v.alias_of >= 0) continue;
    ER_ASSIGN_OR_RETURN(int64_t n, checked_numel(v.shape));
    const Storage st = storage_of(v.dtype);
    const uint64_t bytes = static_cast<uint64_t>(n) * storage_bytes(st);
    if (static_cast<uint64_t>(n) > ctx.max_elements(st)) {
      const std::string who = v.def >= 0 ? str_cat(nodes_[static_cast<size_t>(v.def)].node->label(), " output")
                                         : std::string("region input");
      return Status(StatusCode::kResourceExhausted,
                    str_cat("vulkan: ", who, " '", g.name(id), "' ", dtype_name(v.dtype), shape_to_string(v.shape),
                            " is ", bytes, " bytes, over one binding (maxStorageBufferRange ",
                            ctx.device.info().max_storage_buffer_range, " bytes)"));
    }
    p->largest = std::max(p->largest, bytes);
    blocks.push_back({id, align_up(std::max<uint64_t>(bytes, 4), align), v.def, std::max(v.last, v.def)});
    p->naive_bytes += blocks.back().size;
  }
  std::vector<size_t> order(blocks.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) { return blocks[a].size > blocks[b].size; });
  std::vector<size_t> placed;
  uint64_t arena = 0;
  for (size_t bi : order) {
    Block& b = blocks[bi];
    std::vector<std::pair<uint64_t, uint64_t>> busy;
    for (size_t pi : placed) {
      const Block& q = blocks[pi];
      if (q.start <= b.end && b.start <= q.end) busy.emplace_back(q.offset, q.offset + q.size);
    }
    std::sort(busy.begin(), busy.end());
    uint64_t off = 0;
    for (auto [s, e] : busy) {
      if (off + b.size <= s) break;
      off = std::max(off, e);
    }
    b.offset = off;
    arena = std::max(arena, off + b.size);
    placed.push_back(bi);
  }
  p->arena_bytes = arena;
  auto buf = ctx.device.create_buffer(std::max<uint64_t>(arena, 4), MemoryKind::kDevice);
  if (!buf.ok()) return buf.status().with_context(str_cat("vulkan: device arena of ", arena, " bytes for activations"));
  p->arena = std::make_shared<Buffer>(std::move(buf).value());
  for (const Block& b : blocks) {
    Val& v = p->vals[b.id];
    const Storage st = storage_of(v.dtype);
    ER_ASSIGN_OR_RETURN(int64_t n, checked_numel(v.shape));
    v.dev = DeviceTensor{p->arena.get(), b.offset, static_cast<uint64_t>(n) * storage_bytes(st), v.dtype, st, v.shape};
  }
  return Status::Ok();
}

Status VulkanRegion::plan_at_load() {
  const RegionGraph& g = graph_;
  std::vector<InputDesc> descs;
  for (ValueId v : g.inputs) {
    const ValueInfo vi = g.info(v);
    if (vi.kind != ValueKind::kTensor || vi.dtype == DataType::kUndefined || !vi.shape.fully_known())
      return Status::Ok();  // dynamic: planned on the first run
    descs.push_back({vi.dtype, vi.shape.concrete(), nullptr});
  }
  auto plan = std::make_unique<Plan>();
  bool known = false;
  ER_RETURN_IF_ERROR(values_of(descs, /*at_load=*/true, plan.get(), &known));
  if (!known) return Status::Ok();
  ER_RETURN_IF_ERROR(plan_arena(plan.get()));  // a device that cannot hold the arena fails here, at load
  static_ = std::move(plan);
  // Record now unless a node reads a region input's data on the host (the recording depends on it).
  if (std::find(host_read_.begin(), host_read_.end(), true) != host_read_.end()) return Status::Ok();
  auto rec = std::make_unique<Recorded>();
  Status s = record(descs, rec.get());
  if (s.ok()) {
    rec->signature = signature_of(descs, host_read_);
    recorded_ = std::move(rec);
  } else if (s.code() == StatusCode::kResourceExhausted || ctx_->device.lost()) {
    if (ctx_->device.lost()) (void)rec.release();
    return s.with_context("vulkan: recording the region at load");
  }
  // Other recording errors: the first run records again and reports them.
  return Status::Ok();
}

// ---- recording ----

namespace {

// Same values with the same shapes, lifetimes and aliasing (so the same arena layout).
bool same_layout(const std::map<ValueId, VulkanRegion::Val>& a, const std::map<ValueId, VulkanRegion::Val>& b) {
  if (a.size() != b.size()) return false;
  for (auto ia = a.begin(), ib = b.begin(); ia != a.end(); ++ia, ++ib) {
    const VulkanRegion::Val &x = ia->second, &y = ib->second;
    if (ia->first != ib->first || x.device != y.device || x.alias_of != y.alias_of || x.def != y.def ||
        x.last != y.last || storage_of(x.dtype) != storage_of(y.dtype) || x.shape != y.shape)
      return false;
  }
  return true;
}

}  // namespace

Status VulkanRegion::record(const std::vector<InputDesc>& inputs, Recorded* out) const {
  const RegionGraph& g = graph_;
  const VulkanContext& ctx = *ctx_;

  // 1. Concrete shapes of every value, from the ops' shape rules.
  Plan plan;
  bool known = true;
  ER_RETURN_IF_ERROR(values_of(inputs, /*at_load=*/false, &plan, &known));
  std::map<ValueId, Val>& vals = plan.vals;
  auto root_of = [&](ValueId v) {
    while (vals[v].alias_of >= 0) v = static_cast<ValueId>(vals[v].alias_of);
    return v;
  };

  // 2. Arena: the one planned at load when the shapes are those, else a new plan.
  if (static_ && same_layout(static_->vals, vals)) {
    for (auto& [id, v] : vals)
      if (v.device && v.alias_of < 0) v.dev = static_->vals.at(id).dev;
    out->arena = static_->arena;
    out->arena_bytes = static_->arena_bytes;
  } else {
    ER_RETURN_IF_ERROR(plan_arena(&plan));
    out->arena = plan.arena;
    out->arena_bytes = plan.arena_bytes;
  }

  // 3. Staging buffers.
  uint64_t up_bytes = 0;
  for (size_t i = 0; i < g.inputs.size(); ++i) {
    const Val& v = vals[g.inputs[i]];
    if (!v.device) continue;
    out->uploads.push_back({i, up_bytes, v.dev.bytes});
    up_bytes = align_up(up_bytes + v.dev.bytes, 16);
  }
  ER_ASSIGN_OR_RETURN(out->upload, ctx.device.create_buffer(std::max<uint64_t>(up_bytes, 4), MemoryKind::kStaging));

  // 4. Record: uploads, nodes, downloads.
  const uint32_t n_nodes = static_cast<uint32_t>(nodes_.size());
  ER_ASSIGN_OR_RETURN(out->rec, ctx.device.begin_commands(64 * n_nodes + 64, n_nodes + 2));
  out->timestamps = ctx.device.info().timestamps;
  Recording recording(ctx, &out->rec, &out->scratch);
  for (const Recorded::Upload& u : out->uploads)
    ER_RETURN_IF_ERROR(out->rec.copy(out->upload, u.staging_offset, *out->arena, vals[g.inputs[u.input]].dev.offset, u.bytes));
  recording.full_barrier();
  ER_RETURN_IF_ERROR(out->rec.timestamp(0));

  auto device_of = [&](ValueId id) -> const DeviceTensor* {
    Val& v = vals[id];
    if (v.alias_of >= 0) {
      const Val& r = vals[root_of(id)];
      v.dev = r.dev;
      v.dev.shape = v.shape;
      v.dev.dtype = v.dtype;
    }
    return &v.dev;
  };
  for (size_t ni = 0; ni < nodes_.size(); ++ni) {
    const NodeState& ns = nodes_[ni];
    const Node& n = *ns.node;
    std::vector<const DeviceTensor*> dins;
    std::vector<const Tensor*> hins;
    for (const NodeInput& in : ns.inputs) {
      const DeviceTensor* d = nullptr;
      const Tensor* h = nullptr;
      if (in.kind == InKind::kConstant) {
        h = in.constant;
        d = in.uploaded.get();
      } else if (in.kind != InKind::kOmitted) {
        // Host data only for host-read inputs: the recording is replayed while the signature (which
        // includes exactly those inputs' bytes) stays the same.
        if (in.host_only) h = vals[in.value].host;
        else d = device_of(in.value);
      }
      dins.push_back(d);
      hins.push_back(h);
    }
    std::vector<DeviceTensor> outs(n.outputs.size());
    for (size_t o = 0; o < n.outputs.size(); ++o) {
      if (n.outputs[o] != kNoValue) outs[o] = *device_of(n.outputs[o]);
    }
    // Unrequested outputs: scratch with the shape rule's shape.
    for (size_t o = 0; o < n.outputs.size(); ++o) {
      if (n.outputs[o] != kNoValue) continue;
      std::vector<ValueInfo> in_infos;
      std::vector<const Tensor*> data;
      for (size_t i = 0; i < ns.inputs.size(); ++i) {
        const NodeInput& in = ns.inputs[i];
        if (in.kind == InKind::kOmitted) {
          in_infos.emplace_back();
        } else if (in.kind == InKind::kConstant) {
          in_infos.push_back({in.constant->dtype(), ShapeInfo::of(in.constant->shape())});
        } else {
          const Val& v = vals[in.value];
          in_infos.push_back({v.dtype, ShapeInfo::of(v.shape)});
        }
        data.push_back(hins[i]);
      }
      InferContext ic(n, std::move(in_infos), std::move(data), n.outputs.size());
      ER_RETURN_IF_ERROR(n.def->infer(ic));
      const ValueInfo& vi = ic.outputs()[o];
      if (vi.dtype == DataType::kUndefined || !vi.shape.fully_known()) continue;
      ER_ASSIGN_OR_RETURN(outs[o], recording.scratch(vi.dtype, vi.shape.concrete()));
    }
    if (ns.kernel) {
      bool empty = true;
      for (size_t o = 0; o < outs.size(); ++o)
        if (outs[o].buffer && outs[o].numel() > 0) empty = false;
      if (!empty || outs.empty()) {
        RecordContext rc(n, ctx, std::move(dins), std::move(hins), &outs, &recording);
        ER_RETURN_IF_ERROR(ns.kernel->record(rc));
      }
    }
    ER_RETURN_IF_ERROR(out->rec.timestamp(static_cast<uint32_t>(ni + 1)));
  }

  // Downloads.
  uint64_t down_bytes = 0;
  for (ValueId o : g.outputs) {
    const DeviceTensor* d = device_of(o);
    if (!d->buffer) {
      // A region output that is a region input never uploaded (read on the host only) cannot happen:
      // outputs are produced by GPU nodes or are views of device values.
      return Status(StatusCode::kInternal, str_cat("vulkan region: output '", g.name(o), "' has no device memory"));
    }
    out->downloads.push_back({*d, down_bytes});
    down_bytes = align_up(down_bytes + d->bytes, 16);
  }
  ER_ASSIGN_OR_RETURN(out->download, ctx.device.create_buffer(std::max<uint64_t>(down_bytes, 4), MemoryKind::kStaging));
  recording.full_barrier();
  for (const Recorded::Download& d : out->downloads)
    ER_RETURN_IF_ERROR(out->rec.copy(*d.src.buffer, d.src.offset, out->download, d.staging_offset, d.src.bytes));
  out->rec.barrier();
  ER_RETURN_IF_ERROR(out->rec.timestamp(n_nodes + 1));
  return Status::Ok();
}

// ---- running ----

Status VulkanRegion::run(std::span<const Tensor* const> inputs, std::vector<Tensor>* outputs,
                         RegionRunStats* stats) const {
  const RegionGraph& g = graph_;
  if (inputs.size() != g.inputs.size())
    return Status(StatusCode::kInternal, str_cat("vulkan region: ", inputs.size(), " inputs for ", g.inputs.size()));
  for (size_t i = 0; i < inputs.size(); ++i)
    if (!inputs[i] || !inputs[i]->defined() || !inputs[i]->is_tensor())
      return Status(StatusCode::kInvalidArgument, str_cat("vulkan region: input '", g.name(g.inputs[i]), "' is not a tensor"));
  std::vector<InputDesc> descs;
  descs.reserve(inputs.size());
  for (const Tensor* t : inputs) descs.push_back({t->dtype(), t->shape(), t});

  std::lock_guard<std::mutex> lock(mutex_);
  std::vector<uint8_t> sig = signature_of(descs, host_read_);
  RegionRunStats local;
  RegionRunStats& st = stats ? *stats : local;
  if (!recorded_ || recorded_->signature != sig) {
    const auto t0 = Clock::now();
    recorded_.reset();  // frees the previous signature's buffers first
    auto rec = std::make_unique<Recorded>();
    ER_RETURN_IF_ERROR(record(descs, rec.get()));
    rec->signature = std::move(sig);
    recorded_ = std::move(rec);
    st.recorded = true;
    st.record_ms = ms_since(t0);
  }
  Recorded& r = *recorded_;
  st.arena_bytes = r.arena_bytes;

  auto t0 = Clock::now();
  for (const Recorded::Upload& u : r.uploads) {
    uint8_t* dst = static_cast<uint8_t*>(r.upload.mapped()) + u.staging_offset;
    Status s = to_storage(*inputs[u.input], dst, str_cat("input '", g.name(g.inputs[u.input]), "'"));
    if (!s.ok()) return s;
    st.upload_bytes += u.bytes;
  }
  st.upload_ms = ms_since(t0);
  t0 = Clock::now();
  Status s = ctx_->device.submit_and_wait(r.rec, fence_timeout(ctx_->device.info().type));
  st.submit_wait_ms = ms_since(t0);
  if (!s.ok()) {
    // A lost device may still use the recording's buffers: keep them (leaked), never free them.
    if (ctx_->device.lost()) (void)recorded_.release();
    else recorded_.reset();
    return s;
  }
  t0 = Clock::now();
  outputs->clear();
  for (const Recorded::Download& d : r.downloads) {
    ER_ASSIGN_OR_RETURN(Tensor t, Tensor::allocate(d.src.dtype, d.src.shape));
    ER_RETURN_IF_ERROR(from_storage(static_cast<const uint8_t*>(r.download.mapped()) + d.staging_offset, t));
    st.download_bytes += d.src.bytes;
    outputs->push_back(std::move(t));
  }
  st.download_ms = ms_since(t0);
  if (r.timestamps && stats) {
    auto ts = r.rec.read_timestamps_ns();
    if (ts.ok() && ts->size() == nodes_.size() + 2) {
      st.node_gpu_ms.resize(nodes_.size());
      for (size_t i = 0; i < nodes_.size(); ++i) st.node_gpu_ms[i] = ((*ts)[i + 1] - (*ts)[i]) / 1e6;
      st.transfer_out_gpu_ms = ((*ts)[nodes_.size() + 1] - (*ts)[nodes_.size()]) / 1e6;
    }
  }
  return Status::Ok();
}

}  // namespace edgerun::vk
