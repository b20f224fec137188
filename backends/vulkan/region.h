// A GPU region: consecutive nodes placed on the Vulkan backend, run as one command buffer.
//
//   run():  host inputs --(staging upload)--> device arena --(dispatches of every node, barriers
//           only where data flows)--> device arena --(staging download)--> host outputs
//
// Intermediate values live in one device-local arena whose offsets are planned by liveness;
// constants (weights) are uploaded once when the region is created. When every value of the region
// has a static shape at load (the graph's shape inference), the arena is planned and allocated at
// creation (an allocation failure is a load error) and, unless a node reads a region input on the
// host, the command buffer is recorded there too: the first run is a replay. Otherwise (dynamic
// shapes) both happen at the first run of each input-shape signature. The recorded command buffer,
// arena and staging buffers are kept and replayed while the input shapes (and the values of
// host-read inputs) stay the same.
#pragma once

#include <functional>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <vector>

#include "vulkan/kernels/vulkan_common.h"

namespace edgerun::vk {

// What the region needs to know about the graph around it.
struct RegionGraph {
  std::vector<const Node*> nodes;   // in execution order
  std::vector<ValueId> inputs;      // values the nodes read that are produced outside (not constants)
  std::vector<ValueId> outputs;     // values the nodes produce that are read outside
  std::function<const Tensor*(ValueId)> constant;   // constant value or nullptr
  std::function<ValueInfo(ValueId)> info;           // static dtype/shape
  std::function<std::string(ValueId)> name;         // for messages
};

// What one run did (for profiling and `edgerun info/bench`).
struct RegionRunStats {
  bool recorded = false;            // false: the recorded command buffer was replayed
  uint64_t upload_bytes = 0, download_bytes = 0;
  uint64_t arena_bytes = 0;
  double record_ms = 0, submit_wait_ms = 0, upload_ms = 0, download_ms = 0;
  std::vector<double> node_gpu_ms;  // per region node (empty when the device has no timestamps)
  double transfer_in_gpu_ms = 0, transfer_out_gpu_ms = 0;
};

class VulkanRegion {
 public:
  using OpLookup = std::function<const VulkanOp*(const Node&)>;
  // Prepares kernels (pipelines, weights) and uploads the constants the nodes read on the device.
  static Result<std::unique_ptr<VulkanRegion>> create(std::shared_ptr<const VulkanContext> ctx, RegionGraph graph,
                                                      const OpLookup& ops);
  ~VulkanRegion();

  // inputs[i] binds graph.inputs[i]; outputs come in graph.outputs order. Safe to call from
  // several threads (runs are serialised per region).
  Status run(std::span<const Tensor* const> inputs, std::vector<Tensor>* outputs, RegionRunStats* stats = nullptr) const;

  const RegionGraph& graph() const { return graph_; }
  uint64_t constant_bytes() const { return constant_bytes_; }
  // Arena bytes of the last recorded run (0 before the first run).
  uint64_t arena_bytes() const;

  // Device memory planned at creation (planned = false when the region's shapes are dynamic:
  // then it is planned on the first run of each input shape).
  struct Memory {
    bool planned = false;
    uint64_t arena_bytes = 0;      // liveness-planned arena for the region's device values
    uint64_t naive_bytes = 0;      // the same values without reuse (sum of their aligned sizes)
    uint64_t largest_binding = 0;  // largest single tensor bound (arena value or uploaded constant)
    uint64_t binding_limit = 0;    // the device's maxStorageBufferRange
  };
  Memory planned_memory() const;

  struct NodeState;
  struct Recorded;
  struct Val;
  struct Plan;
  // A region input as a run (or, at load, the graph's static infos) gives it.
  struct InputDesc {
    DataType dtype = DataType::kUndefined;
    Shape shape;
    const Tensor* host = nullptr;  // the data (nullptr at load)
  };

 private:
  VulkanRegion() = default;
  // Concrete shape, lifetime and aliasing of every value the nodes touch. at_load: shapes the op
  // rules cannot tell without data come from the graph's infos, and *known = false when some are
  // still dynamic (never an error).
  Status values_of(const std::vector<InputDesc>& inputs, bool at_load, Plan* out, bool* known) const;
  // Liveness plan of the device values of `p` and its arena buffer.
  Status plan_arena(Plan* p) const;
  Status plan_at_load();
  Status record(const std::vector<InputDesc>& inputs, Recorded* out) const;

  std::shared_ptr<const VulkanContext> ctx_;
  RegionGraph graph_;
  std::vector<NodeState> nodes_;
  uint64_t constant_bytes_ = 0, largest_constant_ = 0;
  std::vector<bool> host_read_;      // per region input: some node reads it on the host
  std::unique_ptr<Plan> static_;     // the plan made at creation (static shapes); never changed after
  mutable std::mutex mutex_;
  mutable std::unique_ptr<Recorded> recorded_;  // the last signature's recording (guarded by mutex_)
};

}  // namespace edgerun::vk
