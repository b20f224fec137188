#include "edgerun/session.h"

#include <algorithm>
#include <chrono>
#include <cstring>
#include <mutex>
#include <new>
#include <thread>

#include "api/backends.h"
#include "base/errors.h"
#include "base/mapped_file.h"
#include "base/sha256.h"
#include "base/thread_pool.h"
#include "exec/executor.h"
#include "onnx/importer.h"
#include "onnx/model.h"
#include "passes/passes.h"
#include "plan/placement.h"

namespace edgerun {

namespace {
using Clock = std::chrono::steady_clock;
double ms_since(Clock::time_point t0) {
  return std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
}
std::string dir_of(const std::string& path) {
  const auto p = path.find_last_of('/');
  return p == std::string::npos ? std::string(".") : path.substr(0, p);
}
std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

Result<std::string> hash_model(const uint8_t* data, size_t size, const std::string& base_dir) {
  Sha256 h;
  h.update(data, size);
  // A file too garbled to list its external data is hashed as it is (and fails the comparison).
  auto scanned = onnx::external_data_locations(data, size);
  const std::vector<std::string> locations = scanned.ok() ? *scanned : std::vector<std::string>{};
  for (const std::string& loc : locations) {
    if (base_dir.empty()) return invalid_argument("model uses external data '", loc, "' but no folder was given");
    ER_ASSIGN_OR_RETURN(auto f, MappedFile::open(base_dir + "/" + loc));
    h.update(f->data(), f->size());
  }
  return h.finish_hex();
}

TensorInfo tensor_info(const Value& v) {
  TensorInfo ti;
  ti.name = v.name;
  ti.dtype = v.info.dtype;
  ti.rank_known = v.info.shape.rank_known;
  ti.kind = v.info.kind;
  for (const Dim& d : v.info.shape.dims) {
    ti.shape.push_back(d.known() ? d.value : -1);
    ti.dim_names.push_back(d.symbol);
  }
  return ti;
}

double quant_step_of(const Graph& g, ValueId v) {
  // Walk back through shape-only ops to a DequantizeLinear with a scalar constant scale.
  for (int hops = 0; hops < 8; ++hops) {
    const int32_t p = g.value(v).producer;
    if (p < 0) return 0;
    const Node& n = g.nodes[static_cast<size_t>(p)];
    if (n.op_type == "DequantizeLinear") {
      const Tensor* s = n.inputs.size() > 1 ? g.constant(n.inputs[1]) : nullptr;
      if (!s || s->dtype() != DataType::kFloat32) return 0;
      double m = 0;
      for (int64_t i = 0; i < s->numel(); ++i) m = std::max(m, static_cast<double>(s->data_as<float>()[i]));
      return m;
    }
    if (n.op_type != "Reshape" && n.op_type != "Flatten" && n.op_type != "Squeeze" && n.op_type != "Unsqueeze" &&
        n.op_type != "Identity" && n.op_type != "Transpose")
      return 0;
    v = n.inputs[0];
  }
  return 0;
}
}  // namespace

struct Session::Impl {
  std::vector<std::unique_ptr<Backend>> backends;
  std::vector<const Backend*> backend_ptrs;
  std::unique_ptr<CompiledGraph> compiled;
  std::vector<TensorInfo> inputs, outputs;
  SessionReport report;
  std::unique_ptr<ThreadPool> pool;
  mutable ArenaPool arenas;
  // Memory plans for input-shape signatures, when the static plan is incomplete (symbolic dims):
  // made from the sizes observed on the first run with that signature.
  mutable std::mutex plans_mutex;
  mutable std::map<std::vector<Shape>, std::shared_ptr<const MemoryPlan>> plans;
};

Session::Session(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Session::Session(Session&&) noexcept = default;
Session& Session::operator=(Session&&) noexcept = default;
Session::~Session() = default;
const std::vector<TensorInfo>& Session::inputs() const { return impl_->inputs; }
const std::vector<TensorInfo>& Session::outputs() const { return impl_->outputs; }
const SessionReport& Session::report() const { return impl_->report; }

static Result<Session> build_session(onnx::LoadContext& ctx, const SessionOptions& opt, SessionReport report) {
  auto impl = std::make_unique<Session::Impl>();
  auto t0 = Clock::now();
  if (!opt.expected_sha256.empty()) {
    ER_ASSIGN_OR_RETURN(std::string digest, hash_model(ctx.data, ctx.size, ctx.base_dir));
    report.model_sha256 = digest;
    if (digest != lower(opt.expected_sha256))
      return Status(StatusCode::kIntegrity, "model SHA-256 mismatch: expected " + lower(opt.expected_sha256) + ", got " +
                                                digest + "; nothing was loaded");
    report.stage_ms["verify"] = ms_since(t0);
  }
  t0 = Clock::now();
  ER_ASSIGN_OR_RETURN(onnx::ModelProto model, onnx::parse_model(ctx));
  report.stage_ms["parse"] = ms_since(t0);
  report.ir_version = model.ir_version;
  report.producer = model.producer_name + (model.producer_version.empty() ? "" : " " + model.producer_version);
  for (const auto& [d, v] : model.opsets) report.opsets[d.empty() ? "ai.onnx" : d] = v;
  for (const auto& n : model.graph->nodes)
    ++report.op_histogram[(n.domain.empty() || n.domain == "ai.onnx" ? "" : n.domain + "::") + n.op_type];
  report.nodes_loaded = static_cast<int>(model.graph->nodes.size());

  t0 = Clock::now();
  ER_ASSIGN_OR_RETURN(std::shared_ptr<Graph> graph, onnx::import_model(model));
  report.stage_ms["import"] = ms_since(t0);
  auto dump = [&](const char* stage, bool placed = false) {
    if (opt.keep_stage_dumps) report.stage_dumps.emplace_back(stage, print_graph(*graph, placed));
  };
  dump("imported");
  t0 = Clock::now();
  ER_RETURN_IF_ERROR(infer_shapes(*graph));
  report.stage_ms["infer"] = ms_since(t0);
  dump("inferred");

  // Backends in priority order.
  ER_ASSIGN_OR_RETURN(impl->backends, create_backends(opt, &report.backend_notes));
  for (auto& b : impl->backends) impl->backend_ptrs.push_back(b.get());

  t0 = Clock::now();
  if (opt.optimization_level > 0) {
    auto evaluator = make_evaluator_backend();
    ER_RETURN_IF_ERROR(fuse_qdq(*graph));
    ER_RETURN_IF_ERROR(fold_constants(*graph, *evaluator));
    ER_RETURN_IF_ERROR(eliminate_identities(*graph));
    ER_RETURN_IF_ERROR(eliminate_dead_nodes(*graph));
    ER_RETURN_IF_ERROR(fuse_conv_batchnorm(*graph));
    ER_RETURN_IF_ERROR(fuse_activations(*graph));
    ER_RETURN_IF_ERROR(infer_shapes(*graph));
  }
  report.stage_ms["optimize"] = ms_since(t0);
  dump("optimized");
  t0 = Clock::now();
  ER_RETURN_IF_ERROR(place_nodes(*graph, impl->backend_ptrs));
  report.stage_ms["place"] = ms_since(t0);
  dump("placed", true);
  t0 = Clock::now();
  ER_ASSIGN_OR_RETURN(impl->compiled, compile_graph(graph, impl->backend_ptrs));
  report.stage_ms["prepare"] = ms_since(t0);

  const std::vector<bool> shape_nodes = shape_computation_nodes(*graph);
  for (size_t i = 0; i < graph->nodes.size(); ++i) {
    const Node& n = graph->nodes[i];
    report.nodes.push_back({n.name, n.op_type, n.domain, n.backend, n.placement_reason, shape_nodes[i],
                            n.since_version, n.fused_activation});
  }
  for (const auto& b : impl->backends) {
    for (std::string& note : b->notes()) report.backend_notes.push_back(std::move(note));
    if (!b->runs_regions()) continue;
    report.gpu_device = b->device_description();
    const auto [created, ms] = b->pipeline_creation();
    report.pipelines_created = created;
    report.pipelines_ms = ms;
    std::vector<std::string> off_gpu;
    for (const NodePlacement& np : report.nodes) {
      if (np.shape_computation) continue;
      ++report.data_nodes;
      if (np.backend == b->name()) ++report.data_nodes_gpu;
      else off_gpu.push_back("node '" + np.name + "' (" + np.op_type + ") on " + np.backend + ": " + np.reason);
    }
    if (opt.no_fallback && !off_gpu.empty()) {
      std::string list;
      for (size_t i = 0; i < off_gpu.size() && i < 20; ++i) list += "\n  " + off_gpu[i];
      if (off_gpu.size() > 20) list += "\n  ... and " + std::to_string(off_gpu.size() - 20) + " more";
      return Status(StatusCode::kUnsupported, std::to_string(off_gpu.size()) + " data-carrying node(s) cannot run on " +
                                                  b->name() + " (--no-fallback):" + list);
    }
  }
  report.gpu_regions = impl->compiled->regions;
  report.gpu_transfers = impl->compiled->transfers;
  bool gpu_planned = impl->compiled->regions > 0;
  uint64_t gpu_arena = 0, gpu_naive = 0, gpu_largest = 0;
  for (const CompiledNode& cn : impl->compiled->nodes) {
    if (!cn.region) continue;
    report.gpu_weight_bytes += cn.region->constant_bytes();
    const RegionKernel::Memory m = cn.region->planned_memory();
    gpu_planned = gpu_planned && m.planned;
    gpu_arena += m.arena_bytes;
    gpu_naive += m.naive_bytes;
    gpu_largest = std::max(gpu_largest, m.largest_binding);
    report.gpu_binding_limit_bytes = m.binding_limit;
  }
  if (gpu_planned) {  // else planned per input shape on the first run: 0
    report.gpu_arena_bytes = gpu_arena;
    report.gpu_arena_naive_bytes = gpu_naive;
    report.gpu_largest_binding_bytes = gpu_largest;
  }
  report.nodes_optimized = static_cast<int>(graph->nodes.size());
  report.arena_bytes = impl->compiled->plan.arena_bytes;
  report.arena_naive_bytes = impl->compiled->plan.naive_bytes;
  report.planned_values = impl->compiled->plan.planned_values;
  report.dynamic_values = impl->compiled->plan.unplanned_values;
  for (const Value& v : graph->values)
    if (v.constant) report.weight_bytes += v.constant->nbytes();
  for (ValueId v : graph->inputs) impl->inputs.push_back(tensor_info(graph->value(v)));
  for (ValueId v : graph->outputs) {
    impl->outputs.push_back(tensor_info(graph->value(v)));
    report.output_quant_step.push_back(quant_step_of(*graph, v));
  }
  int threads = opt.threads > 0 ? opt.threads : static_cast<int>(std::thread::hardware_concurrency());
  impl->pool = std::make_unique<ThreadPool>(std::max(1, threads));
  impl->report = std::move(report);
  return Session(std::move(impl));
}

Result<Session> Session::create(const std::string& path, const SessionOptions& options) {
  auto t0 = Clock::now();
  ER_ASSIGN_OR_RETURN(std::shared_ptr<MappedFile> file, MappedFile::open(path));
  SessionReport report;
  report.stage_ms["read"] = ms_since(t0);
  onnx::LoadContext ctx;
  ctx.owner = file;
  ctx.data = file->data();
  ctx.size = file->size();
  ctx.base_dir = options.external_data_dir.empty() ? dir_of(path) : options.external_data_dir;
  auto s = build_session(ctx, options, std::move(report));
  if (!s.ok()) return s.status().with_context("'" + path + "'");
  return s;
}

Result<Session> Session::create_from_bytes(const void* data, size_t size, const SessionOptions& options) {
  // Copy the bytes so initializers can be zero-copy views that outlive the caller's buffer.
  auto buf = std::shared_ptr<uint8_t[]>(new (std::nothrow) uint8_t[size + 1]);
  if (!buf) return resource_exhausted("out of memory copying ", size, " model bytes");
  if (size) std::memcpy(buf.get(), data, size);
  onnx::LoadContext ctx;
  ctx.owner = std::shared_ptr<const void>(buf, buf.get());
  ctx.data = buf.get();
  ctx.size = size;
  ctx.base_dir = options.external_data_dir;
  return build_session(ctx, options, {});
}

Result<std::vector<Tensor>> Session::run(const std::vector<Tensor>& inputs) const { return run(inputs, nullptr); }

Result<std::vector<Tensor>> Session::run(const std::vector<Tensor>& inputs, RunProfile* profile) const {
  const auto& g = *impl_->compiled->graph;
  if (inputs.size() != impl_->inputs.size())
    return invalid_argument("the model has ", impl_->inputs.size(), " inputs, ", inputs.size(), " were given");
  for (size_t i = 0; i < inputs.size(); ++i) {
    const TensorInfo& ti = impl_->inputs[i];
    const Tensor& t = inputs[i];
    std::string expected = str_cat(dtype_name(ti.dtype), g.value(g.inputs[i]).info.shape.to_string());
    if (!t.defined()) return invalid_argument("input '", ti.name, "' is missing (expected ", expected, ")");
    if (t.kind() != ti.kind)
      return invalid_argument("input '", ti.name, "' must be a ",
                              ti.kind == ValueKind::kTensor ? "tensor" : ti.kind == ValueKind::kSequence ? "sequence" : "optional");
    if (ti.dtype != DataType::kUndefined && t.dtype() != ti.dtype && !(t.kind() != ValueKind::kTensor && t.items().empty()))
      return invalid_argument("input '", ti.name, "' has dtype ", dtype_name(t.dtype()), ", expected ", expected);
    if (ti.rank_known && t.is_tensor()) {
      bool ok = t.rank() == static_cast<int64_t>(ti.shape.size());
      for (size_t d = 0; ok && d < ti.shape.size(); ++d)
        if (ti.shape[d] >= 0 && ti.shape[d] != t.shape()[d]) ok = false;
      if (!ok)
        return invalid_argument("input '", ti.name, "' has shape ", shape_to_string(t.shape()), ", expected ", expected);
    }
    if (t.is_tensor() && t.numel() > 0 && !t.data()) return invalid_argument("input '", ti.name, "' has no data");
  }
  ExecOptions opts;
  opts.pool = impl_->pool.get();
  opts.arenas = &impl_->arenas;
  std::vector<RegionRun> region_runs;
  if (profile) {
    profile->node_ms.assign(impl_->compiled->nodes.size(), 0.0);
    profile->node_start_ms.assign(impl_->compiled->nodes.size(), 0.0);
    profile->regions.clear();
    opts.node_ms = &profile->node_ms;
    opts.node_start_ms = &profile->node_start_ms;
    opts.regions = &region_runs;
  }
  auto fill_regions = [&] {
    if (!profile) return;
    for (const RegionRun& r : region_runs) {
      RunProfile::Region pr;
      pr.first_node = static_cast<int>(r.head);
      pr.num_nodes = impl_->compiled->nodes[r.head].region_size;
      pr.start_ms = r.start_ms;
      pr.wall_ms = r.wall_ms;
      pr.upload_ms = r.profile.upload_ms;
      pr.download_ms = r.profile.download_ms;
      pr.submit_wait_ms = r.profile.submit_wait_ms;
      pr.record_ms = r.profile.record_ms;
      pr.upload_bytes = r.profile.upload_bytes;
      pr.download_bytes = r.profile.download_bytes;
      pr.arena_bytes = r.profile.arena_bytes;
      pr.recorded = r.profile.recorded;
      pr.device_times = !r.profile.node_gpu_ms.empty();
      pr.node_gpu_ms = r.profile.node_gpu_ms;
      profile->regions.push_back(pr);
    }
  };
  std::vector<Tensor> outputs;
  if (impl_->compiled->plan.complete) {
    ER_RETURN_IF_ERROR(execute_graph(*impl_->compiled, inputs, {}, &outputs, opts));
    fill_regions();
    return outputs;
  }
  std::vector<Shape> signature;
  for (const Tensor& t : inputs) signature.push_back(t.shape());
  std::shared_ptr<const MemoryPlan> plan;
  {
    std::lock_guard<std::mutex> lock(impl_->plans_mutex);
    auto it = impl_->plans.find(signature);
    if (it != impl_->plans.end()) plan = it->second;
  }
  if (plan) {
    opts.plan = plan.get();
    ER_RETURN_IF_ERROR(execute_graph(*impl_->compiled, inputs, {}, &outputs, opts));
    fill_regions();
    return outputs;
  }
  std::vector<uint64_t> sizes;
  opts.observed_sizes = &sizes;
  ER_RETURN_IF_ERROR(execute_graph(*impl_->compiled, inputs, {}, &outputs, opts));
  fill_regions();
  auto made = std::make_shared<MemoryPlan>(plan_memory(g, sizes));
  std::lock_guard<std::mutex> lock(impl_->plans_mutex);
  if (impl_->plans.size() >= 16) impl_->plans.erase(impl_->plans.begin());
  impl_->plans.emplace(std::move(signature), std::move(made));
  return outputs;
}

Result<std::map<std::string, Tensor>> Session::run(const std::map<std::string, Tensor>& inputs) const {
  std::vector<Tensor> ordered(impl_->inputs.size());
  for (const auto& [name, t] : inputs) {
    size_t i = 0;
    while (i < impl_->inputs.size() && impl_->inputs[i].name != name) ++i;
    if (i == impl_->inputs.size()) {
      std::string names;
      for (const auto& ti : impl_->inputs) names += (names.empty() ? "'" : ", '") + ti.name + "'";
      return invalid_argument("the model has no input named '", name, "' (inputs: ", names, ")");
    }
    ordered[i] = t;
  }
  ER_ASSIGN_OR_RETURN(std::vector<Tensor> outs, run(ordered));
  std::map<std::string, Tensor> named;
  for (size_t i = 0; i < outs.size(); ++i) named[impl_->outputs[i].name] = std::move(outs[i]);
  return named;
}

Result<std::string> model_sha256(const std::string& path) {
  ER_ASSIGN_OR_RETURN(auto f, MappedFile::open(path));
  return hash_model(f->data(), f->size(), dir_of(path));
}

}  // namespace edgerun
