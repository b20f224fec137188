// `edgerun info MODEL`: what the model is and how edgerun will run it.
#include <algorithm>
#include <iomanip>
#include <map>

#include "commands.h"
#include "common.h"

namespace edgerun::cli {

int cmd_info(int argc, char** argv) {
  Args args(argc, argv, 2, {"backend", "threads", "sha256", "optimize", "stage", "device", "cache-dir"}, {"nodes", "no-fallback", "no-pipeline-cache"});
  if (!args.ok() || args.positional().size() != 1) {
    std::cerr << (args.ok() ? "" : args.error() + "\n")
              << "usage: edgerun info MODEL [--backend auto|vulkan|cpu|reference] [--device N] [--no-fallback] [--stage imported|inferred|optimized|placed|all]\n"
                 "                    [--nodes] [--sha256 HEX] [--optimize 0|1]\n";
    return 2;
  }
  SessionOptions opt = session_options(args);
  opt.keep_stage_dumps = args.has("stage");
  auto session = Session::create(args.positional()[0], opt);
  if (!session.ok()) return fail(session.status());
  const SessionReport& r = session->report();
  print_backend_notes(r, opt);
  if (args.has("stage")) {
    const std::string want = args.get("stage");
    bool any = false;
    for (const auto& [stage, text] : r.stage_dumps) {
      if (want != "all" && want != stage) continue;
      std::cout << "=== stage: " << stage << " ===\n" << text << "\n";
      any = true;
    }
    if (!any) {
      std::cerr << "error: unknown stage '" << want << "' (imported, inferred, optimized, placed, all)\n";
      return 2;
    }
    return 0;
  }
  std::cout << "model: " << args.positional()[0] << "\n";
  std::cout << "  ir_version " << r.ir_version << ", producer '" << r.producer << "'\n  opsets:";
  for (const auto& [d, v] : r.opsets) std::cout << " " << d << "=" << v;
  std::cout << "\ninputs:\n";
  for (const auto& t : session->inputs()) std::cout << "  " << t.name << ": " << dtype_name(t.dtype) << dims_to_string(t) << "\n";
  std::cout << "outputs:\n";
  for (const auto& t : session->outputs()) std::cout << "  " << t.name << ": " << dtype_name(t.dtype) << dims_to_string(t) << "\n";
  std::cout << "ops (as loaded, " << r.nodes_loaded << " nodes):\n";
  std::vector<std::pair<std::string, int>> hist(r.op_histogram.begin(), r.op_histogram.end());
  std::sort(hist.begin(), hist.end(), [](auto& a, auto& b) { return a.second != b.second ? a.second > b.second : a.first < b.first; });
  for (const auto& [op, n] : hist) std::cout << "  " << std::setw(5) << n << "  " << op << "\n";
  std::cout << "after optimisation: " << r.nodes_optimized << " nodes\n";
  std::cout << "memory: weights " << human_bytes(r.weight_bytes) << ", planned arena " << human_bytes(r.arena_bytes)
            << " for " << r.planned_values << " intermediate values (" << human_bytes(r.arena_naive_bytes)
            << " without reuse)";
  if (r.dynamic_values) std::cout << ", " << r.dynamic_values << " values with dynamic shapes allocated at run time";
  std::cout << "\nload time:";
  for (const auto& [stage, ms] : r.stage_ms) std::cout << " " << stage << "=" << std::fixed << std::setprecision(2) << ms << "ms";
  std::cout << "\nplacement:\n";
  std::map<std::string, int> per_backend;
  int fallbacks = 0;
  for (const auto& n : r.nodes) {
    ++per_backend[n.backend];
    if (!n.reason.empty()) ++fallbacks;
  }
  for (const auto& [b, n] : per_backend) std::cout << "  " << b << ": " << n << " nodes\n";
  for (const std::string& note : r.backend_notes) std::cout << "  note: " << note << "\n";
  if (!r.gpu_device.empty()) {
    std::cout << "  gpu: " << r.gpu_device << "\n"
              << "  gpu: " << r.data_nodes_gpu << " of " << r.data_nodes << " data-carrying nodes on the GPU ("
              << std::fixed << std::setprecision(1) << (r.data_nodes ? 100.0 * r.data_nodes_gpu / r.data_nodes : 0.0)
              << " %), " << r.gpu_regions << " GPU region(s), " << r.gpu_transfers
              << " host<->device transfer(s) per run, weights on the GPU " << human_bytes(r.gpu_weight_bytes) << ", "
              << r.pipelines_created << " pipelines created in " << std::setprecision(1) << r.pipelines_ms << " ms\n";
    if (r.gpu_arena_bytes > 0)
      std::cout << "  gpu memory: weights " << human_bytes(r.gpu_weight_bytes) << ", activations "
                << human_bytes(r.gpu_arena_bytes) << " planned by liveness (" << human_bytes(r.gpu_arena_naive_bytes)
                << " without reuse), largest binding " << human_bytes(r.gpu_largest_binding_bytes)
                << " of maxStorageBufferRange " << human_bytes(r.gpu_binding_limit_bytes) << "\n";
    else if (r.gpu_regions > 0)
      std::cout << "  gpu: device memory for activations is planned per input shape on the first run (see `edgerun bench`)\n";
  }
  const bool all_nodes = args.has("nodes");
  if (fallbacks || all_nodes) std::cout << (all_nodes ? "nodes:\n" : "fallbacks (node, op -> backend: reason):\n");
  for (const auto& n : r.nodes) {
    if (!all_nodes && n.reason.empty()) continue;
    std::cout << "  " << (n.name.empty() ? "<unnamed>" : n.name) << "  " << (n.domain.empty() ? "" : n.domain + "::") << n.op_type
              << "-" << n.since_version << (n.fused_activation.empty() ? "" : "+" + n.fused_activation) << " -> " << n.backend;
    if (!n.reason.empty()) std::cout << "  (" << n.reason << ")";
    std::cout << "\n";
  }
  return 0;
}

}  // namespace edgerun::cli
