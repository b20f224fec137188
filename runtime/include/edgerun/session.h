// edgerun/session.h — load a model once, run it many times (from several threads at once).
//
//   edgerun::SessionOptions opt;
//   opt.threads = 1;
//   auto session = edgerun::Session::create("model.onnx", opt);
//   if (!session.ok()) { std::cerr << session.status().message(); return 1; }
//   std::vector<float> pixels(1 * 3 * 224 * 224);
//   edgerun::Tensor x = edgerun::Tensor::view(edgerun::DataType::kFloat32, {1, 3, 224, 224}, pixels.data());
//   auto outputs = session->run({{"input", x}});       // std::map<std::string, Tensor>
//   const float* scores = outputs->at("output").data_as<float>();
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "edgerun/status.h"
#include "edgerun/tensor.h"

namespace edgerun {

struct SessionOptions {
  // "auto" (a real GPU through Vulkan when present, else cpu; per-node fallback vulkan -> cpu ->
  // reference), "vulkan" (any Vulkan device, lavapipe included), "cpu", or "reference".
  std::string backend = "auto";
  // Vulkan physical device index (-1: the best-scored one).
  int gpu_device = -1;
  // With a GPU backend: every data-carrying node must run on the GPU (else creation fails and
  // lists them); a missing GPU is an error instead of a fallback.
  bool no_fallback = false;
  // Persistent GPU pipeline cache in `cache_dir` ("" = $EDGERUN_CACHE_DIR, $XDG_CACHE_HOME/edgerun
  // or ~/.cache/edgerun).
  bool pipeline_cache = true;
  std::string cache_dir;
  // Worker threads for kernels; 0 = number of cores.
  int threads = 0;
  // If set (64 hex digits), the SHA-256 over the model bytes followed by each external-data file
  // (in first-reference order) must match before anything is parsed. See `edgerun hash`.
  std::string expected_sha256;
  // 0 = no graph optimisation; 1 = constant folding, dead-node elimination, Conv+BN and activation fusion.
  int optimization_level = 1;
  // Folder for external-data files when loading from memory (create_from_bytes).
  std::string external_data_dir;
  // Keep a printout of the graph after each pipeline stage (for `edgerun info --stage`).
  bool keep_stage_dumps = false;
};

struct TensorInfo {
  std::string name;
  DataType dtype = DataType::kUndefined;
  std::vector<int64_t> shape;           // -1 for an unknown dimension
  std::vector<std::string> dim_names;   // symbolic names ("" when none)
  bool rank_known = true;
  ValueKind kind = ValueKind::kTensor;  // sequences/optionals: dtype is the element dtype
};

struct NodePlacement {
  std::string name, op_type, domain, backend, reason;
  bool shape_computation = false;  // only computes shapes (may stay on the host)
  int since_version = 0;
  std::string fused_activation;
};

// What the pipeline did: for `edgerun info` and tooling.
struct SessionReport {
  int64_t ir_version = 0;
  std::string producer;
  std::map<std::string, int64_t> opsets;
  std::map<std::string, int> op_histogram;           // of the model as loaded
  std::vector<NodePlacement> nodes;                  // after optimisation
  int nodes_loaded = 0, nodes_optimized = 0;
  uint64_t arena_bytes = 0, arena_naive_bytes = 0;   // planned memory (with / without reuse)
  uint64_t weight_bytes = 0;
  int planned_values = 0, dynamic_values = 0;
  std::string model_sha256;                          // computed when verification was requested
  std::map<std::string, double> stage_ms;            // read, verify, parse, import, infer, optimize, place, prepare
  std::vector<std::pair<std::string, std::string>> stage_dumps;  // (stage, graph printout)
  // For each output: one quantization step when it comes from DequantizeLinear (else 0).
  std::vector<double> output_quant_step;
  // Backends and GPU: notes about the set-up (why Vulkan is not used, pipeline cache), the device,
  // GPU regions, values crossing host<->device per run, weights uploaded, pipelines created.
  std::vector<std::string> backend_notes;
  std::string gpu_device;
  int gpu_regions = 0, gpu_transfers = 0;
  uint64_t gpu_weight_bytes = 0;
  // Device memory for activations (liveness-planned arenas of all regions, bytes) when every region's
  // shapes are known at load; 0 when it is planned per input shape on the first run instead.
  uint64_t gpu_arena_bytes = 0;
  uint64_t gpu_arena_naive_bytes = 0, gpu_largest_binding_bytes = 0, gpu_binding_limit_bytes = 0;  // no reuse; largest tensor; binding limit
  int pipelines_created = 0;
  double pipelines_ms = 0;
  // Data-carrying nodes (not shape computation) in all, and how many run on the GPU.
  int data_nodes = 0, data_nodes_gpu = 0;
};

// Per-node wall time of one run (RunProfile::node_ms[i] belongs to report().nodes[i]).
// GPU region nodes get their device time (timestamp queries) in node_ms; the region's transfers,
// submission and waiting are booked on its first node and listed in `regions`.
// Times "since the run began" count from when the executor started on this run's inputs (after
// Session::run checked them), so a profile can be drawn as a timeline (`edgerun run --profile`).
struct RunProfile {
  std::vector<double> node_ms;
  // When each node began on the host, ms since the run began. Nodes of a GPU region all get the
  // region's start: on the device they run one after another (see Region::node_gpu_ms).
  std::vector<double> node_start_ms;
  struct Region {
    int first_node = 0, num_nodes = 0;
    double start_ms = 0;  // ms since the run began; then record (if recorded), upload, submit+wait, download
    double wall_ms = 0, upload_ms = 0, download_ms = 0, submit_wait_ms = 0, record_ms = 0;
    uint64_t upload_bytes = 0, download_bytes = 0, arena_bytes = 0;
    bool recorded = false;         // commands recorded this run (else replayed)
    bool device_times = false;     // node_ms of its nodes are GPU timestamps
    // Device time of each of its nodes (num_nodes entries when device_times, else empty). The
    // device runs them back to back inside submit+wait.
    std::vector<double> node_gpu_ms;
  };
  std::vector<Region> regions;
};

class Session {
 public:
  static Result<Session> create(const std::string& path, const SessionOptions& options = {});
  static Result<Session> create_from_bytes(const void* data, size_t size, const SessionOptions& options = {});

  Session(Session&&) noexcept;
  Session& operator=(Session&&) noexcept;
  ~Session();

  const std::vector<TensorInfo>& inputs() const;
  const std::vector<TensorInfo>& outputs() const;
  const SessionReport& report() const;

  // Runs with inputs by name; returns all graph outputs by name. Inputs are only read.
  Result<std::map<std::string, Tensor>> run(const std::map<std::string, Tensor>& inputs) const;
  // Runs with inputs in graph-input order; returns outputs in graph-output order.
  Result<std::vector<Tensor>> run(const std::vector<Tensor>& inputs) const;
  // Same, recording each node's wall time into `profile` (if non-null).
  Result<std::vector<Tensor>> run(const std::vector<Tensor>& inputs, RunProfile* profile) const;

  // Implementation detail (opaque): sessions are made by create().
  struct Impl;
  explicit Session(std::unique_ptr<Impl> impl);

 private:
  std::unique_ptr<Impl> impl_;
};

// SHA-256 (hex) as SessionOptions::expected_sha256 checks it: model file then external data.
Result<std::string> model_sha256(const std::string& path);

}  // namespace edgerun
