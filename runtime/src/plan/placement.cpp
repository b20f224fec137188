#include "plan/placement.h"

#include <algorithm>
#include <cstring>
#include <map>

#include "base/errors.h"
#include "ops/op_def.h"

namespace edgerun {

NodeView node_view(const Graph& g, const Node& n) {
  NodeView view{n, {}, {}, {}};
  for (int i = 0; i < n.num_explicit_inputs; ++i) {
    const ValueId v = n.inputs[static_cast<size_t>(i)];
    view.inputs.push_back(v == kNoValue ? ValueInfo{} : g.value(v).info);
    view.constants.push_back(v == kNoValue ? nullptr : g.constant(v));
  }
  for (ValueId o : n.outputs) view.outputs.push_back(o == kNoValue ? ValueInfo{} : g.value(o).info);
  return view;
}

std::vector<bool> shape_computation_nodes(const Graph& g) {
  std::vector<bool> shape_value(g.values.size(), false);
  for (size_t v = 0; v < g.values.size(); ++v)
    if (g.values[v].constant) shape_value[v] = true;
  std::vector<bool> result(g.nodes.size(), false);
  for (size_t i = 0; i < g.nodes.size(); ++i) {
    const Node& n = g.nodes[i];
    bool shape_only = n.def && (n.def->flags & kOpShapeOnly);
    if (!shape_only && !(n.def && (n.def->flags & (kOpControlFlow | kOpNondeterministic)))) {
      bool any = false, all = true;
      for (ValueId v : n.inputs) {
        if (v == kNoValue) continue;
        any = true;
        if (!shape_value[static_cast<size_t>(v)]) all = false;
      }
      shape_only = any && all;
    }
    result[i] = shape_only;
    if (shape_only)
      for (ValueId o : n.outputs)
        if (o != kNoValue) shape_value[static_cast<size_t>(o)] = true;
  }
  return result;
}

namespace {

const Backend* backend_named(const std::vector<const Backend*>& backends, const std::string& name) {
  for (const Backend* b : backends)
    if (name == b->name()) return b;
  return nullptr;
}

// Places `n` on the first host (non-region) backend that supports it; `why` explains the move.
Status move_to_host(const Graph& g, Node& n, const std::vector<const Backend*>& backends, const std::string& why) {
  const NodeView view = node_view(g, n);
  std::string reasons;
  for (const Backend* b : backends) {
    if (b->runs_regions()) continue;
    const Support s = b->supports(view);
    if (s.ok) {
      n.backend = b->name();
      n.placement_reason = why;
      return Status::Ok();
    }
    reasons += (reasons.empty() ? "" : "; ") + std::string(b->name()) + ": " + s.reason;
  }
  return unsupported(n.label(), ": ", why, ", but no host backend can run it (", reasons, ")");
}

// A topological order that keeps GPU nodes together: among the ready nodes, stay on the kind
// (GPU / host) of the last scheduled node while possible, preferring the original order.
void reorder_for_regions(Graph& g, const std::vector<const Backend*>& backends) {
  const size_t n = g.nodes.size();
  std::vector<bool> gpu(n, false);
  bool any_gpu = false;
  for (size_t i = 0; i < n; ++i) {
    const Backend* b = backend_named(backends, g.nodes[i].backend);
    gpu[i] = b && b->runs_regions();
    any_gpu = any_gpu || gpu[i];
  }
  if (!any_gpu) return;
  std::map<ValueId, size_t> producer;
  for (size_t i = 0; i < n; ++i)
    for (ValueId o : g.nodes[i].outputs)
      if (o != kNoValue) producer[o] = i;
  std::vector<std::vector<size_t>> users(n);
  std::vector<int> pending(n, 0);
  for (size_t i = 0; i < n; ++i)
    for (ValueId v : g.nodes[i].inputs) {
      auto it = v == kNoValue ? producer.end() : producer.find(v);
      if (it == producer.end()) continue;
      users[it->second].push_back(i);
      ++pending[i];
    }
  std::vector<size_t> ready, order;
  for (size_t i = 0; i < n; ++i)
    if (pending[i] == 0) ready.push_back(i);
  bool on_gpu = false;
  while (!ready.empty()) {
    // Host nodes first when we are on the host (they may unlock longer GPU runs), GPU nodes
    // first while in a GPU run.
    size_t pick = ready.size();
    for (size_t k = 0; k < ready.size(); ++k)
      if (gpu[ready[k]] == on_gpu && (pick == ready.size() || ready[k] < ready[pick])) pick = k;
    if (pick == ready.size()) {
      pick = 0;
      for (size_t k = 1; k < ready.size(); ++k)
        if (ready[k] < ready[pick]) pick = k;
    }
    const size_t i = ready[pick];
    ready.erase(ready.begin() + static_cast<long>(pick));
    order.push_back(i);
    on_gpu = gpu[i];
    for (size_t u : users[i])
      if (--pending[u] == 0) ready.push_back(u);
  }
  if (order.size() != n) return;  // not a DAG (cannot happen after import): keep the order
  std::vector<Node> nodes;
  nodes.reserve(n);
  for (size_t i : order) nodes.push_back(std::move(g.nodes[i]));
  g.nodes = std::move(nodes);
  g.rebuild_producers();
}

}  // namespace

Status place_nodes(Graph& g, const std::vector<const Backend*>& backends) {
  bool any_region_backend = false;
  for (const Backend* b : backends) any_region_backend = any_region_backend || b->runs_regions();
  for (Node& n : g.nodes) {
    for (auto& [name, attr] : n.attrs.all()) {
      (void)name;
      if (attr.g) ER_RETURN_IF_ERROR(place_nodes(*attr.g, backends));
      for (const auto& sg : attr.graphs) ER_RETURN_IF_ERROR(place_nodes(*sg, backends));
    }
    const NodeView view = node_view(g, n);
    std::string reasons;
    n.backend.clear();
    for (const Backend* b : backends) {
      const Support s = b->supports(view);
      if (s.ok) {
        n.backend = b->name();
        break;
      }
      const std::string prefix = std::string(b->name()) + ": ";
      reasons += (reasons.empty() ? "" : "; ") + (s.reason.rfind(prefix, 0) == 0 ? s.reason : prefix + s.reason);
    }
    n.placement_reason = n.backend.empty() || n.backend != backends.front()->name() ? reasons : "";
    if (n.backend.empty()) return unsupported(n.label(), ": no backend can run it (", reasons, ")");
  }
  if (!any_region_backend) return Status::Ok();

  // Shape computation stays on the host.
  const std::vector<bool> shape_nodes = shape_computation_nodes(g);
  for (size_t i = 0; i < g.nodes.size(); ++i) {
    Node& n = g.nodes[i];
    const Backend* b = backend_named(backends, n.backend);
    if (shape_nodes[i] && b && b->runs_regions())
      ER_RETURN_IF_ERROR(move_to_host(g, n, backends, "shape computation stays on the host"));
  }
  // Inputs a GPU kernel reads on the host are not computed on the GPU.
  std::map<ValueId, size_t> producer;
  for (size_t i = 0; i < g.nodes.size(); ++i)
    for (ValueId o : g.nodes[i].outputs)
      if (o != kNoValue) producer[o] = i;
  for (const Node& n : g.nodes) {
    const Backend* b = backend_named(backends, n.backend);
    if (!b || !b->runs_regions()) continue;
    const uint32_t mask = b->host_inputs(n);
    for (int k = 0; k < n.num_explicit_inputs; ++k) {
      const ValueId v = n.inputs[static_cast<size_t>(k)];
      if (!((mask >> k) & 1u) || v == kNoValue) continue;
      auto it = producer.find(v);
      if (it == producer.end()) continue;
      Node& p = g.nodes[it->second];
      const Backend* pb = backend_named(backends, p.backend);
      if (pb && pb->runs_regions())
        ER_RETURN_IF_ERROR(move_to_host(g, p, backends,
                                        n.label() + " reads its input " + std::to_string(k) + " on the host"));
    }
  }
  reorder_for_regions(g, backends);
  return Status::Ok();
}

}  // namespace edgerun
