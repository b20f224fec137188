#include "exec/executor.h"

#include <chrono>
#include <climits>
#include <cstdlib>
#include <cstring>

#include <algorithm>

#include "base/errors.h"
#include "base/strcat.h"
#include "exec/node_exec.h"
#include "ops/op_def.h"
#include "plan/placement.h"

namespace edgerun {

std::shared_ptr<uint8_t> ArenaPool::acquire(uint64_t bytes) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    for (size_t i = 0; i < free_.size(); ++i) {
      if (free_[i].first < bytes) continue;
      auto b = std::move(free_[i].second);
      free_.erase(free_.begin() + static_cast<long>(i));
      return b;
    }
  }
  void* p = std::aligned_alloc(64, (bytes + 63) / 64 * 64 + 64);
  if (!p) return nullptr;
  return std::shared_ptr<uint8_t>(static_cast<uint8_t*>(p), [](uint8_t* q) { std::free(q); });
}

void ArenaPool::release(std::shared_ptr<uint8_t> buf, uint64_t bytes) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (free_.size() < 8) free_.emplace_back(bytes, std::move(buf));
}

namespace {

// Groups runs of consecutive nodes on the same region backend and compiles each run.
Status compile_regions(const Graph& g, CompiledGraph& cg) {
  std::vector<bool> graph_output(g.values.size(), false);
  for (ValueId v : g.outputs) graph_output[static_cast<size_t>(v)] = true;
  size_t i = 0;
  while (i < cg.nodes.size()) {
    if (!cg.nodes[i].in_region) {
      ++i;
      continue;
    }
    size_t j = i + 1;
    while (j < cg.nodes.size() && cg.nodes[j].in_region && cg.nodes[j].backend == cg.nodes[i].backend) ++j;
    std::vector<const Node*> nodes;
    std::vector<bool> inside(g.values.size(), false);
    for (size_t k = i; k < j; ++k) {
      nodes.push_back(cg.nodes[k].node);
      for (ValueId o : cg.nodes[k].node->outputs)
        if (o != kNoValue) inside[static_cast<size_t>(o)] = true;
    }
    std::vector<ValueId> inputs, outputs;
    for (const Node* n : nodes)
      for (ValueId v : n->inputs)
        if (v != kNoValue && !inside[static_cast<size_t>(v)] && !g.is_constant(v) &&
            std::find(inputs.begin(), inputs.end(), v) == inputs.end())
          inputs.push_back(v);
    std::vector<bool> read_outside(g.values.size(), false);
    for (size_t k = 0; k < cg.nodes.size(); ++k) {
      if (k >= i && k < j) continue;
      for (ValueId v : cg.nodes[k].node->inputs)
        if (v != kNoValue) read_outside[static_cast<size_t>(v)] = true;
    }
    for (const Node* n : nodes)
      for (ValueId o : n->outputs)
        if (o != kNoValue && (read_outside[static_cast<size_t>(o)] || graph_output[static_cast<size_t>(o)]))
          outputs.push_back(o);
    CompiledNode& head = cg.nodes[i];
    auto r = head.backend->compile_region(g, nodes, inputs, outputs);
    if (!r.ok())
      return r.status().with_context(str_cat("region of ", j - i, " nodes from ", head.node->label(), " on ",
                                             head.backend->name()));
    head.region = std::move(r).value();
    head.region_size = static_cast<int>(j - i);
    head.region_inputs = std::move(inputs);
    head.region_outputs = std::move(outputs);
    ++cg.regions;
    cg.transfers += static_cast<int>(head.region_inputs.size() + head.region_outputs.size());
    i = j;
  }
  return Status::Ok();
}

}  // namespace

Result<std::unique_ptr<CompiledGraph>> compile_graph(std::shared_ptr<Graph> g, const std::vector<const Backend*>& backends,
                                                     const std::string& attr_name) {
  auto cg = std::make_unique<CompiledGraph>();
  cg->attr_name = attr_name;
  cg->graph = g;
  for (size_t ni = 0; ni < g->nodes.size(); ++ni) {
    const Node& n = g->nodes[ni];
    CompiledNode cn;
    cn.node = &n;
    for (const Backend* b : backends)
      if (n.backend == b->name()) cn.backend = b;
    if (!cn.backend) return internal_error(n.label(), ": placed on unknown backend '", n.backend, "'");
    if (cn.backend->runs_regions()) {
      cn.in_region = true;  // compiled by compile_regions below, as part of its region
      cg->nodes.push_back(std::move(cn));
      continue;
    }
    auto k = cn.backend->create_kernel(node_view(*g, n));
    if (!k.ok()) return k.status().with_context(n.label() + " on " + n.backend);
    cn.kernel = std::move(k).value();
    for (const auto& [name, attr] : n.attrs.all()) {
      if (attr.g) {
        ER_ASSIGN_OR_RETURN(auto sub, compile_graph(attr.g, backends, name));
        cn.subgraphs.push_back(std::move(sub));
      }
      for (size_t i = 0; i < attr.graphs.size(); ++i) {
        ER_ASSIGN_OR_RETURN(auto sub, compile_graph(attr.graphs[i], backends, name + "[" + std::to_string(i) + "]"));
        cn.subgraphs.push_back(std::move(sub));
      }
    }
    for (const auto& s : cn.subgraphs) cn.subgraph_ptrs.push_back(s.get());
    cg->nodes.push_back(std::move(cn));
  }
  ER_RETURN_IF_ERROR(compile_regions(*g, *cg));
  // Lifetimes.
  cg->last_use.assign(g->values.size(), -1);
  for (size_t i = 0; i < g->nodes.size(); ++i)
    for (ValueId v : g->nodes[i].inputs)
      if (v != kNoValue) cg->last_use[static_cast<size_t>(v)] = static_cast<int32_t>(i);
  for (ValueId v : g->outputs) cg->last_use[static_cast<size_t>(v)] = INT32_MAX;
  // Static memory plan from known shapes.
  std::vector<uint64_t> sizes(g->values.size(), 0);
  for (size_t v = 0; v < g->values.size(); ++v) {
    const ValueInfo& vi = g->values[v].info;
    if (vi.dtype == DataType::kUndefined || vi.dtype == DataType::kString || !vi.shape.fully_known()) continue;
    auto n = checked_numel(vi.shape.concrete());
    if (n.ok()) sizes[v] = static_cast<uint64_t>(*n) * dtype_size(vi.dtype);
  }
  cg->plan = plan_memory(*g, sizes);
  return cg;
}

namespace {

class CaptureRunner final : public SubgraphRunner {
 public:
  CaptureRunner(std::vector<std::pair<std::string, const Tensor*>> captures, const ExecOptions& opts)
      : captures_(std::move(captures)), opts_(opts) {}
  Status run(const CompiledGraph& g, std::span<const Tensor> inputs, std::vector<Tensor>* outputs) override {
    ExecOptions sub = opts_;
    sub.node_ms = nullptr;
    sub.regions = nullptr;
    sub.node_start_ms = nullptr;
    sub.arenas = nullptr;  // subgraph runs (loop bodies) use the heap
    sub.plan = nullptr;
    sub.observed_sizes = nullptr;
    return execute_graph(g, inputs, captures_, outputs, sub);
  }

 private:
  std::vector<std::pair<std::string, const Tensor*>> captures_;
  ExecOptions opts_;
};

}  // namespace

namespace {

using Clock = std::chrono::steady_clock;

Status run_region(const CompiledGraph& cg, size_t head_index, std::vector<Tensor>& slots, const ExecOptions& opts,
                  Clock::time_point run_t0) {
  const CompiledNode& head = cg.nodes[head_index];
  std::vector<const Tensor*> ins;
  for (ValueId v : head.region_inputs) {
    const Tensor& t = slots[static_cast<size_t>(v)];
    if (!t.defined()) return internal_error(head.node->label(), ": region input '", cg.graph->value(v).name, "' was not computed");
    ins.push_back(&t);
  }
  std::vector<Tensor> outs;
  RegionProfile profile;
  const auto t0 = Clock::now();
  Status s = head.region->run(ins, &outs, opts.node_ms ? &profile : nullptr);
  if (!s.ok()) return s.message().find("node '") == std::string::npos ? s.with_context(head.node->label()) : s;
  if (opts.node_ms) {
    const double wall = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
    opts.node_ms->resize(cg.nodes.size(), 0.0);
    double gpu = 0;
    for (size_t k = 0; k < profile.node_gpu_ms.size() && head_index + k < cg.nodes.size(); ++k) {
      (*opts.node_ms)[head_index + k] += profile.node_gpu_ms[k];
      gpu += profile.node_gpu_ms[k];
    }
    // What is not device time (transfers, submission, waiting) is booked on the head node.
    (*opts.node_ms)[head_index] += std::max(0.0, wall - gpu);
    const double start = std::chrono::duration<double, std::milli>(t0 - run_t0).count();
    if (opts.node_start_ms) {
      opts.node_start_ms->resize(cg.nodes.size(), 0.0);
      for (size_t k = head_index; k < head_index + static_cast<size_t>(head.region_size) && k < cg.nodes.size(); ++k)
        (*opts.node_start_ms)[k] = start;
    }
    if (opts.regions) opts.regions->push_back({head_index, std::move(profile), wall, start});
  }
  if (outs.size() != head.region_outputs.size()) return internal_error(head.node->label(), ": region returned ", outs.size(), " outputs");
  for (size_t o = 0; o < outs.size(); ++o) {
    const ValueId v = head.region_outputs[o];
    if (opts.observed_sizes) (*opts.observed_sizes)[static_cast<size_t>(v)] = outs[o].nbytes();
    slots[static_cast<size_t>(v)] = std::move(outs[o]);
  }
  const size_t end = head_index + static_cast<size_t>(head.region_size);
  for (size_t k = head_index; k < end; ++k)
    for (ValueId v : cg.nodes[k].node->inputs)
      if (v != kNoValue && cg.last_use[static_cast<size_t>(v)] == static_cast<int32_t>(k)) slots[static_cast<size_t>(v)] = Tensor();
  return Status::Ok();
}

}  // namespace

Status execute_graph(const CompiledGraph& cg, std::span<const Tensor> inputs,
                     const std::vector<std::pair<std::string, const Tensor*>>& captures, std::vector<Tensor>* outputs,
                     const ExecOptions& opts) {
  const auto run_t0 = opts.node_ms ? Clock::now() : Clock::time_point{};
  const Graph& g = *cg.graph;
  if (inputs.size() != g.inputs.size())
    return invalid_argument("graph '", g.name, "' expects ", g.inputs.size(), " inputs, got ", inputs.size());
  std::vector<Tensor> slots(g.values.size());
  for (size_t v = 0; v < g.values.size(); ++v) {
    const Value& val = g.values[v];
    if (val.constant) slots[v] = *val.constant;
    if (val.outer) {
      for (const auto& [name, t] : captures)
        if (name == val.name && t) slots[v] = *t;
      if (!slots[v].defined()) return internal_error("graph '", g.name, "': outer value '", val.name, "' was not captured");
    }
  }
  for (size_t i = 0; i < inputs.size(); ++i) slots[static_cast<size_t>(g.inputs[i])] = inputs[i];

  std::shared_ptr<uint8_t> arena;
  const MemoryPlan& plan = opts.plan ? *opts.plan : cg.plan;
  if (opts.observed_sizes) opts.observed_sizes->assign(g.values.size(), 0);
  if (opts.arenas && plan.arena_bytes > 0) arena = opts.arenas->acquire(plan.arena_bytes);

  std::vector<const Tensor*> in_ptrs;
  std::vector<Tensor> outs;
  for (size_t i = 0; i < cg.nodes.size(); ++i) {
    const CompiledNode& cn = cg.nodes[i];
    const Node& n = *cn.node;
    if (cn.in_region) {
      if (!cn.region) continue;  // run by its region's head
      ER_RETURN_IF_ERROR(run_region(cg, i, slots, opts, run_t0));
      continue;
    }
    in_ptrs.assign(n.inputs.size(), nullptr);
    std::vector<std::pair<std::string, const Tensor*>> node_captures;
    for (size_t k = 0; k < n.inputs.size(); ++k) {
      if (n.inputs[k] == kNoValue) continue;
      const Tensor& t = slots[static_cast<size_t>(n.inputs[k])];
      if (!t.defined()) return internal_error(n.label(), ": input ", k, " was not computed");
      in_ptrs[k] = &t;
      if (static_cast<int>(k) >= n.num_explicit_inputs) node_captures.emplace_back(g.value(n.inputs[k]).name, &t);
    }
    const bool zero = cn.backend && std::strcmp(cn.backend->name(), "reference") == 0;
    OutputAllocFn alloc;
    if (arena) {
      alloc = [&](size_t oi, DataType dt, const Shape& shape) -> Result<Tensor> {
        const ValueId v = n.outputs[oi];
        const int64_t off = plan.offset[static_cast<size_t>(v)];
        if (off >= 0 && dt != DataType::kString) {
          auto numel = checked_numel(shape);
          if (numel.ok() && static_cast<uint64_t>(*numel) * dtype_size(dt) <= plan.bytes[static_cast<size_t>(v)]) {
            uint8_t* p = arena.get() + off;
            if (zero) std::memset(p, 0, static_cast<size_t>(*numel) * dtype_size(dt));
            return Tensor::wrap(dt, shape, arena, p);
          }
        }
        return Tensor::allocate(dt, shape);
      };
    }
    CaptureRunner runner(std::move(node_captures), opts);
    const auto t0 = opts.node_ms ? Clock::now() : Clock::time_point{};
    Status s = execute_node(n, *cn.kernel, in_ptrs, &outs, opts.pool, &runner, &cn.subgraph_ptrs, alloc);
    if (opts.node_ms) {
      opts.node_ms->resize(cg.nodes.size(), 0.0);
      (*opts.node_ms)[i] += std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
      if (opts.node_start_ms) {
        opts.node_start_ms->resize(cg.nodes.size(), 0.0);
        (*opts.node_start_ms)[i] = std::chrono::duration<double, std::milli>(t0 - run_t0).count();
      }
    }
    if (!s.ok()) {
      if (arena) opts.arenas->release(std::move(arena), plan.arena_bytes);
      // Every run-time error names the node and op that failed.
      if (s.message().find(n.label()) == std::string::npos) s = s.with_context(n.label());
      return s;
    }
    for (size_t o = 0; o < n.outputs.size(); ++o) {
      if (n.outputs[o] == kNoValue) continue;
      // An arena-backed output outside its own planned block is a view of another value that the
      // op did not declare (kOpAliasesInput0): copy it, since that block may be reused.
      if (arena && outs[o].owner().get() == arena.get()) {
        const int64_t off = plan.offset[static_cast<size_t>(n.outputs[o])];
        const bool declared_view = o == 0 && (n.def->flags & kOpAliasesInput0);
        if (!declared_view && (off < 0 || outs[o].data() != arena.get() + off)) {
          auto c = outs[o].clone();
          if (!c.ok()) return c.status();
          outs[o] = std::move(c).value();
        }
      }
      if (opts.observed_sizes && outs[o].dtype() != DataType::kString)
        (*opts.observed_sizes)[static_cast<size_t>(n.outputs[o])] = outs[o].nbytes();
      slots[static_cast<size_t>(n.outputs[o])] = std::move(outs[o]);
    }
    // Release values whose last reader was this node.
    for (ValueId v : n.inputs)
      if (v != kNoValue && cg.last_use[static_cast<size_t>(v)] == static_cast<int32_t>(i)) slots[static_cast<size_t>(v)] = Tensor();
  }
  outputs->clear();
  for (ValueId v : g.outputs) outputs->push_back(slots[static_cast<size_t>(v)]);
  slots.clear();
  // Hand out storage the caller owns alone: copy views of inputs, constants or the arena.
  for (Tensor& t : *outputs) {
    if (!t.defined()) continue;
    if (!t.owns_storage() || t.owner().use_count() > 1) {
      auto c = t.clone();
      if (!c.ok()) return c.status();
      t = std::move(c).value();
    }
  }
  if (arena) opts.arenas->release(std::move(arena), plan.arena_bytes);
  return Status::Ok();
}

}  // namespace edgerun
