// Removes nodes that are the identity at inference: Identity, and Dropout in inference mode whose
// mask output nobody reads. Consumers are rewired to the node's input; graph output names never
// change; names captured by subgraphs (implicit inputs, looked up by name) are never renamed away.
#include <vector>

#include "passes/passes.h"

namespace edgerun {

namespace {

// Dropout is the identity when training_mode is absent or a constant false (ratio is irrelevant
// then; Dropout-1..6's is_test attribute is ignored, like the reference kernel does) and its mask
// output is absent or unused.
bool dropout_is_identity(const Graph& g, const Node& n, const std::vector<char>& used) {
  if (n.inputs.size() > 2 && n.inputs[2] != kNoValue) {
    const Tensor* t = g.constant(n.inputs[2]);
    if (!t || t->dtype() != DataType::kBool) return false;
    for (int64_t i = 0; i < t->numel(); ++i)
      if (t->data_as<uint8_t>()[i] != 0) return false;
  }
  if (n.outputs.size() > 1 && n.outputs[1] != kNoValue && used[static_cast<size_t>(n.outputs[1])]) return false;
  return true;
}

bool is_removable(const Graph& g, const Node& n, const std::vector<char>& used) {
  if (!n.domain.empty() || n.inputs.empty() || n.inputs[0] == kNoValue || n.outputs.empty() ||
      n.outputs[0] == kNoValue || n.num_explicit_inputs != static_cast<int>(n.inputs.size()))
    return false;
  if (n.op_type == "Identity") return true;
  if (n.op_type == "Dropout") return dropout_is_identity(g, n, used);
  return false;
}

ValueId resolve(std::vector<ValueId>& subst, ValueId v) {
  if (v == kNoValue) return v;
  ValueId r = v;
  while (subst[static_cast<size_t>(r)] != kNoValue) r = subst[static_cast<size_t>(r)];
  // Path compression.
  while (subst[static_cast<size_t>(v)] != kNoValue) {
    const ValueId next = subst[static_cast<size_t>(v)];
    if (next != r) subst[static_cast<size_t>(v)] = r;
    v = next;
  }
  return r;
}

}  // namespace

Status eliminate_identities(Graph& g) {
  // Subgraph bodies first (their outer references are by name and unaffected by edits inside them).
  for (Node& n : g.nodes) {
    for (const auto& [name, attr] : n.attrs.all()) {
      if (attr.g) ER_RETURN_IF_ERROR(eliminate_identities(*attr.g));
      for (const auto& sg : attr.graphs) ER_RETURN_IF_ERROR(eliminate_identities(*sg));
    }
  }

  const size_t nv = g.values.size();
  std::vector<char> used(nv, 0), is_output(nv, 0), is_input(nv, 0), captured(nv, 0);
  for (const Node& n : g.nodes) {
    for (size_t k = 0; k < n.inputs.size(); ++k) {
      const ValueId v = n.inputs[k];
      if (v == kNoValue) continue;
      used[static_cast<size_t>(v)] = 1;
      if (static_cast<int>(k) >= n.num_explicit_inputs) captured[static_cast<size_t>(v)] = 1;
    }
  }
  for (ValueId v : g.outputs) used[static_cast<size_t>(v)] = is_output[static_cast<size_t>(v)] = 1;
  for (ValueId v : g.inputs) is_input[static_cast<size_t>(v)] = 1;

  // subst[v] = the value that replaces v (kNoValue: none). Chains are resolved at the end.
  std::vector<ValueId> subst(nv, kNoValue);
  bool changed = false;
  for (size_t i = 0; i < g.nodes.size(); ++i) {
    Node& n = g.nodes[i];
    if (!is_removable(g, n, used)) continue;
    const ValueId x = resolve(subst, n.inputs[0]);
    const ValueId y = n.outputs[0];
    const size_t xi = static_cast<size_t>(x), yi = static_cast<size_t>(y);
    if (!is_output[yi]) {
      // Consumers of y read x instead; y must not be a name a subgraph looks up.
      if (captured[yi]) continue;
      subst[yi] = x;
    } else {
      // y is a graph output: its name must stay. Rename x to y at x's producer instead, when x is a
      // plain node output that no one else needs under its own name.
      const int32_t p = g.value(x).producer;
      if (p < 0 || is_output[xi] || is_input[xi] || captured[xi] || g.value(x).constant || g.value(x).outer) continue;
      Node& prod = g.nodes[static_cast<size_t>(p)];
      bool renamed = false;
      for (ValueId& o : prod.outputs)
        if (o == x) { o = y; renamed = true; }
      if (!renamed) continue;
      g.value(y).producer = p;
      g.value(x).producer = -1;
      subst[xi] = y;
    }
    n.op_type.clear();
    changed = true;
  }
  if (!changed) return Status::Ok();
  for (Node& n : g.nodes) {
    if (n.op_type.empty()) continue;
    for (ValueId& v : n.inputs) v = resolve(subst, v);
  }
  compact_graph(g);
  return Status::Ok();
}

}  // namespace edgerun
