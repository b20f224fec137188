// The backend contract. A Backend answers whether it can run a node (and why not), and creates
// Kernels. The planner decides placement; backends never see the rest of the graph's policy.
#pragma once

#include <functional>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "edgerun/status.h"
#include "edgerun/tensor.h"
#include "ir/graph.h"

namespace edgerun {

class ThreadPool;
struct CompiledGraph;

// Runs a compiled subgraph (for If/Loop/Scan). `inputs` bind to the subgraph's formal inputs;
// `captures` are the node's implicit inputs (outer-scope values), matched by name.
class SubgraphRunner {
 public:
  virtual ~SubgraphRunner() = default;
  virtual Status run(const CompiledGraph& g, std::span<const Tensor> inputs, std::vector<Tensor>* outputs) = 0;
};

// Everything a kernel sees while running one node.
class KernelContext {
 public:
  KernelContext(const Node& node, std::vector<const Tensor*> inputs, std::vector<Tensor>* outputs,
                ThreadPool* pool, SubgraphRunner* subgraphs,
                const std::vector<const CompiledGraph*>* compiled_subgraphs)
      : node_(node), inputs_(std::move(inputs)), outputs_(outputs), pool_(pool), subgraphs_(subgraphs),
        compiled_subgraphs_(compiled_subgraphs) {}

  const Node& node() const { return node_; }
  const Attributes& attrs() const { return node_.attrs; }
  // Explicit inputs only (implicit captures are handed to subgraphs by the runner).
  size_t num_inputs() const { return static_cast<size_t>(node_.num_explicit_inputs); }
  // nullptr for an omitted optional input.
  const Tensor* input(size_t i) const { return i < num_inputs() ? inputs_[i] : nullptr; }
  const std::vector<const Tensor*>& all_inputs() const { return inputs_; }
  size_t num_outputs() const { return outputs_->size(); }
  bool output_requested(size_t i) const { return i < node_.outputs.size() && node_.outputs[i] != kNoValue; }
  // The output, already allocated with its inferred shape (undefined if the shape rule could
  // not tell it: then call allocate_output).
  Tensor& output(size_t i) { return (*outputs_)[i]; }
  Result<Tensor*> allocate_output(size_t i, DataType dt, Shape shape);
  // Replaces output i by `t` (e.g. a view sharing an input's storage).
  void set_output(size_t i, Tensor t) { (*outputs_)[i] = std::move(t); }

  ThreadPool* pool() const { return pool_; }
  SubgraphRunner* subgraph_runner() const { return subgraphs_; }
  // Compiled subgraph for attribute `name` (If: then_branch/else_branch; Loop/Scan: body).
  const CompiledGraph* subgraph(const std::string& name) const;

  Status error(const std::string& msg) const;

 private:
  const Node& node_;
  std::vector<const Tensor*> inputs_;
  std::vector<Tensor>* outputs_;
  ThreadPool* pool_;
  SubgraphRunner* subgraphs_;
  const std::vector<const CompiledGraph*>* compiled_subgraphs_;
};

class Kernel {
 public:
  virtual ~Kernel() = default;
  // Must be safe to call concurrently from several threads (sessions are run concurrently).
  virtual Status run(KernelContext& ctx) const = 0;
  // True if run() itself applies node.fused_activation to output 0 (else the executor does).
  virtual bool fuses_activation() const { return false; }
};

// A kernel that is a plain function (most reference kernels).
using KernelFn = Status (*)(KernelContext&);
class FunctionKernel final : public Kernel {
 public:
  explicit FunctionKernel(KernelFn fn) : fn_(fn) {}
  Status run(KernelContext& ctx) const override { return fn_(ctx); }

 private:
  KernelFn fn_;
};

// The answer to "can you run this node?": when not, `reason` says why (op, dtype, attribute, ...).
struct Support {
  bool ok = false;
  std::string reason;
  static Support yes() { return {true, {}}; }
  static Support no(std::string why) { return {false, std::move(why)}; }
};

// What a backend gets to decide support and prepare a kernel: the node, its input/output infos
// (static; shapes may be symbolic) and constant inputs (weights) where known.
struct NodeView {
  const Node& node;
  std::vector<ValueInfo> inputs;
  std::vector<ValueInfo> outputs;
  std::vector<const Tensor*> constants;  // per input, nullptr unless constant
  const Tensor* constant(size_t i) const { return i < constants.size() ? constants[i] : nullptr; }
  DataType input_dtype(size_t i) const { return i < inputs.size() ? inputs[i].dtype : DataType::kUndefined; }
};

// What one run of a region did (GPU backends): per-node device time and the transfers.
struct RegionProfile {
  std::vector<double> node_gpu_ms;   // per region node; empty when the device has no timestamps
  uint64_t upload_bytes = 0, download_bytes = 0;
  double upload_ms = 0, download_ms = 0, submit_wait_ms = 0, record_ms = 0;
  bool recorded = false;             // false: a recorded command buffer was replayed
  uint64_t arena_bytes = 0;
};

// A step that runs several consecutive nodes at once (a GPU region: one command buffer). Its
// inputs and outputs are host tensors: the transfers at the region's boundary are its own.
class RegionKernel {
 public:
  virtual ~RegionKernel() = default;
  // inputs bind the region's input values, outputs come in the region's output order.
  virtual Status run(std::span<const Tensor* const> inputs, std::vector<Tensor>* outputs, RegionProfile* profile) const = 0;
  virtual uint64_t constant_bytes() const { return 0; }
  // Device memory the region planned when it was compiled (GPU backends with static shapes);
  // planned = false when it is planned at run time instead (dynamic shapes).
  struct Memory {
    bool planned = false;
    uint64_t arena_bytes = 0;      // activations, liveness-planned
    uint64_t naive_bytes = 0;      // the same without reuse
    uint64_t largest_binding = 0;  // largest single tensor bound to a kernel
    uint64_t binding_limit = 0;    // the most one binding can hold (maxStorageBufferRange)
  };
  virtual Memory planned_memory() const { return {}; }
};

class Backend {
 public:
  virtual ~Backend() = default;
  virtual const char* name() const = 0;
  virtual Support supports(const NodeView& node) const = 0;
  virtual Result<std::unique_ptr<Kernel>> create_kernel(const NodeView& node) const = 0;

  // Region backends (GPUs): the executor groups consecutive nodes placed on this backend into
  // regions and runs each as one RegionKernel. `inputs` are the values the nodes read that are
  // produced outside the region (not constants), `outputs` those read after it.
  virtual bool runs_regions() const { return false; }
  virtual Result<std::unique_ptr<RegionKernel>> compile_region(const Graph& g, std::span<const Node* const> nodes,
                                                               std::span<const ValueId> inputs,
                                                               std::span<const ValueId> outputs) const {
    (void)g, (void)nodes, (void)inputs, (void)outputs;
    return Status(StatusCode::kUnsupported, std::string(name()) + " does not run regions");
  }
  // Inputs of `node` this backend reads on the host only (bit i = input i): the planner keeps
  // their producers off this backend.
  virtual uint32_t host_inputs(const Node& node) const {
    (void)node;
    return 0;
  }
  // For `edgerun info`: a line describing the device (empty for host backends).
  virtual std::string device_description() const { return ""; }
  // Log lines about the backend's set-up (pipeline cache loaded/rejected, ...).
  virtual std::vector<std::string> notes() const { return {}; }
  // Pipelines (GPU programs) created so far and the time it took.
  virtual std::pair<int, double> pipeline_creation() const { return {0, 0.0}; }
};

}  // namespace edgerun
