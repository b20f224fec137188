// Placement: which backend runs each node, and why a node fell back. Backends answer
// supports(); this decides (first backend in priority order that says yes), then applies the
// region rules of GPU backends (Backend::runs_regions):
//  - shape computation stays on the host: a node whose inputs all derive from shapes (Shape,
//    Size) and constants is placed on the first host backend that supports it;
//  - an input a GPU kernel reads on the host (Backend::host_inputs: Reshape's shape, Slice's
//    starts, ...) must not be computed on the GPU: its producer moves to a host backend;
//  - nodes are then reordered (a topological order) so GPU nodes form as few contiguous regions as
//    possible: fewer regions, fewer host<->device transfers.
#pragma once

#include <vector>

#include "backend/backend.h"
#include "ir/graph.h"

namespace edgerun {

// Builds the NodeView a backend sees for node n of g.
NodeView node_view(const Graph& g, const Node& n);
// Sets node.backend and node.placement_reason for every node (recursing into subgraphs).
Status place_nodes(Graph& g, const std::vector<const Backend*>& backends);

// True for nodes that only compute shapes: Shape/Size, or every input derives from shapes and
// constants (so the node's data is known from input shapes alone). All other nodes carry data.
std::vector<bool> shape_computation_nodes(const Graph& g);

}  // namespace edgerun
