// A graph ready to run: every node with its backend and prepared kernel, subgraphs compiled
// recursively, value lifetimes and the static memory plan.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "backend/backend.h"
#include "ir/graph.h"
#include "plan/memory_plan.h"

namespace edgerun {

struct CompiledNode {
  const Node* node = nullptr;
  const Backend* backend = nullptr;
  std::unique_ptr<Kernel> kernel;
  std::vector<std::unique_ptr<CompiledGraph>> subgraphs;
  std::vector<const CompiledGraph*> subgraph_ptrs;
  // GPU regions: the first node of a run of consecutive nodes on a region backend holds the
  // region (and runs all of them); the others have no kernel and are marked in_region.
  std::unique_ptr<RegionKernel> region;
  int region_size = 0;                 // on the head: number of nodes in the region
  bool in_region = false;
  std::vector<ValueId> region_inputs;  // host -> device transfers at the region's start
  std::vector<ValueId> region_outputs; // device -> host transfers at its end
};

struct CompiledGraph {
  std::string attr_name;          // for subgraphs: the attribute holding it ("body", ...)
  std::shared_ptr<Graph> graph;   // owns the (optimised, placed) graph
  std::vector<CompiledNode> nodes;
  // For each value: index of the last node that reads it (-1: none), or INT32_MAX for graph outputs.
  std::vector<int32_t> last_use;
  MemoryPlan plan;                // static plan (valid when plan.complete)
  int regions = 0, transfers = 0;   // GPU regions and the values crossing their boundaries
};

}  // namespace edgerun
