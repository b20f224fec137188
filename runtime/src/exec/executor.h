// Compiling a placed graph into kernels, and running it on host memory.
#pragma once

#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "base/thread_pool.h"
#include "exec/compiled_graph.h"

namespace edgerun {

// Reusable arena buffers, so steady-state runs do not allocate (and fault in) fresh memory.
class ArenaPool {
 public:
  // A buffer of at least `bytes` (reused when one is free).
  std::shared_ptr<uint8_t> acquire(uint64_t bytes);
  // Returns a buffer of capacity `bytes` (as acquired) to the pool.
  void release(std::shared_ptr<uint8_t> buf, uint64_t bytes);

 private:
  std::mutex mutex_;
  std::vector<std::pair<uint64_t, std::shared_ptr<uint8_t>>> free_;  // (capacity, buffer)
};

// One region run, for profiles (Chrome traces).
struct RegionRun {
  size_t head = 0;          // node index of the region's first node
  RegionProfile profile;
  double wall_ms = 0;
  double start_ms = 0;      // when the region began, ms since execute_graph began
};

struct ExecOptions {
  ThreadPool* pool = nullptr;
  ArenaPool* arenas = nullptr;         // null: no arena (heap per value)
  const MemoryPlan* plan = nullptr;    // overrides the compiled graph's static plan (per input-shape signature)
  std::vector<uint64_t>* observed_sizes = nullptr;  // if set: byte size of every value this run produced
  std::vector<double>* node_ms = nullptr;            // if set: wall time of each top-level node
                                                     // (GPU region nodes: device time)
  std::vector<RegionRun>* regions = nullptr;         // if set (with node_ms): each region run
  std::vector<double>* node_start_ms = nullptr;      // if set (with node_ms): when each top-level node
                                                     // began, ms since execute_graph began (region
                                                     // nodes: their region's start)
};

// Prepares kernels (and subgraphs) for a graph whose nodes carry a backend name.
Result<std::unique_ptr<CompiledGraph>> compile_graph(std::shared_ptr<Graph> g, const std::vector<const Backend*>& backends,
                                                     const std::string& attr_name = "");

// Runs `cg`: inputs bind to graph inputs by position; captures bind outer values by name.
Status execute_graph(const CompiledGraph& cg, std::span<const Tensor> inputs,
                     const std::vector<std::pair<std::string, const Tensor*>>& captures, std::vector<Tensor>* outputs,
                     const ExecOptions& opts);

}  // namespace edgerun
