// `edgerun bench MODEL`: honest latency numbers (load, first run, steady-state percentiles).
#include <algorithm>
#include <chrono>
#include <cmath>
#include <fstream>
#include <iomanip>
#include <map>
#include <numeric>
#include <random>
#include <sstream>
#include <thread>

#include "commands.h"
#include "common.h"
#include "tensor_io.h"

namespace edgerun::cli {

namespace {
double pct(std::vector<double> v, double p) {
  std::sort(v.begin(), v.end());
  const double idx = p / 100.0 * static_cast<double>(v.size() - 1);
  const size_t lo = static_cast<size_t>(std::floor(idx)), hi = static_cast<size_t>(std::ceil(idx));
  return v[lo] + (v[hi] - v[lo]) * (idx - static_cast<double>(lo));
}
}  // namespace

int cmd_bench(int argc, char** argv) {
  Args args(argc, argv, 2, {"backend", "threads", "warmup", "iters", "seed", "sha256", "optimize", "input", "json-file", "profile", "device", "cache-dir"}, {"json", "per-op", "no-fallback", "no-pipeline-cache"});
  const long warmup = args.get_int("warmup", 5), iters = args.get_int("iters", 50), seed = args.get_int("seed", 0);
  if (!args.ok() || args.positional().size() != 1 || iters < 1 || warmup < 0) {
    std::cerr << (args.ok() ? "" : args.error() + "\n")
              << "usage: edgerun bench MODEL [--backend auto|vulkan|cpu|reference] [--device N] [--no-fallback] [--threads N] [--warmup N] [--iters N]\n"
                 "                     [--input NAME=FILE]... [--json] [--json-file FILE] [--per-op]\n";
    return 2;
  }
  using Clock = std::chrono::steady_clock;
  auto ms = [](Clock::time_point a, Clock::time_point b) { return std::chrono::duration<double, std::milli>(b - a).count(); };
  SessionOptions opt = session_options(args);
  const auto t_load = Clock::now();
  auto session = Session::create(args.positional()[0], opt);
  if (session.ok()) print_backend_notes(session->report(), opt);
  const auto t_loaded = Clock::now();
  if (!session.ok()) return fail(session.status());
  std::map<std::string, Tensor> inputs;
  for (const std::string& spec : args.all("input")) {
    const auto eq = spec.find('=');
    if (eq == std::string::npos) { std::cerr << "error: --input needs NAME=FILE\n"; return 2; }
    auto t = read_tensor_file(spec.substr(eq + 1));
    if (!t.ok()) return fail(t.status());
    inputs[spec.substr(0, eq)] = std::move(t).value();
  }
  std::mt19937 rng(static_cast<uint32_t>(seed));
  for (const TensorInfo& ti : session->inputs()) {
    if (inputs.count(ti.name)) continue;
    auto t = random_input(ti, rng);
    if (!t.ok()) return fail(t.status().with_context("cannot make random input '" + ti.name + "'"));
    inputs[ti.name] = std::move(t).value();
  }
  auto t0 = Clock::now();
  auto first = session->run(inputs);
  const double first_ms = ms(t0, Clock::now());
  if (!first.ok()) return fail(first.status());
  // Output checksum: sum of the first output (as double), to spot wrong-but-fast runs.
  double checksum = 0;
  {
    const Tensor& o = first->begin()->second;
    for (int64_t i = 0; i < o.numel(); ++i) checksum += element_as_double(o, i);
  }
  for (long i = 0; i < warmup; ++i) {
    auto r = session->run(inputs);
    if (!r.ok()) return fail(r.status());
  }
  std::vector<double> lat;
  for (long i = 0; i < iters; ++i) {
    t0 = Clock::now();
    auto r = session->run(inputs);
    lat.push_back(ms(t0, Clock::now()));
    if (!r.ok()) return fail(r.status());
  }
  // Optional per-op breakdown: time by op type (and backend) over a few extra profiled runs.
  std::vector<std::pair<double, std::string>> per_op;
  if (args.has("per-op")) {
    std::vector<Tensor> ordered;
    for (const TensorInfo& ti : session->inputs()) ordered.push_back(inputs.at(ti.name));
    std::map<std::string, double> by_op;
    const int runs = 10;
    for (int r = 0; r < runs; ++r) {
      RunProfile prof;
      auto res = session->run(ordered, &prof);
      if (!res.ok()) return fail(res.status());
      const auto& nodes = session->report().nodes;
      for (size_t i = 0; i < prof.node_ms.size() && i < nodes.size(); ++i)
        by_op[nodes[i].op_type + (nodes[i].fused_activation.empty() ? "" : "+" + nodes[i].fused_activation) + " @" + nodes[i].backend] +=
            prof.node_ms[i] / runs;
    }
    for (const auto& [op, t] : by_op) per_op.emplace_back(t, op);
    std::sort(per_op.rbegin(), per_op.rend());
  }
  const double mean = std::accumulate(lat.begin(), lat.end(), 0.0) / static_cast<double>(lat.size());
  const double mn = *std::min_element(lat.begin(), lat.end());
  const int threads = opt.threads > 0 ? opt.threads : static_cast<int>(std::thread::hardware_concurrency());
  const SessionReport& r = session->report();
  std::map<std::string, int> per_backend;
  for (const auto& n : r.nodes) ++per_backend[n.backend];
  auto esc = [](const std::string& in) {
    std::string out;
    for (char c : in) {
      if (c == '"' || c == '\\') out += '\\';
      if (static_cast<unsigned char>(c) >= 0x20) out += c;
    }
    return out;
  };
  std::ostringstream json;
  json << std::setprecision(6) << "{\"pipelines_created\": " << r.pipelines_created << ", \"pipelines_ms\": " << r.pipelines_ms
       << ", \"gpu_nodes\": " << r.data_nodes_gpu << ", \"data_nodes\": " << r.data_nodes
       << ", \"model\": \"" << esc(args.positional()[0]) << "\", \"backend\": \"" << esc(opt.backend)
       << "\", \"threads\": " << threads << ", \"load_ms\": " << ms(t_load, t_loaded) << ", \"first_run_ms\": " << first_ms
       << ", \"iters\": " << iters << ", \"warmup\": " << warmup << ", \"mean_ms\": " << mean << ", \"min_ms\": " << mn
       << ", \"p50_ms\": " << pct(lat, 50) << ", \"p95_ms\": " << pct(lat, 95) << ", \"p99_ms\": " << pct(lat, 99)
       << ", \"peak_rss_bytes\": " << peak_rss_bytes() << ", \"arena_bytes\": " << r.arena_bytes
       << ", \"weight_bytes\": " << r.weight_bytes << ", \"output_checksum\": " << checksum << ", \"nodes\": {";
  bool firstb = true;
  for (const auto& [b, n] : per_backend) { json << (firstb ? "" : ", ") << "\"" << b << "\": " << n; firstb = false; }
  json << "}}";
  if (args.has("json-file")) std::ofstream(args.get("json-file")) << json.str() << "\n";
  if (args.has("json")) {
    std::cout << json.str() << "\n";
    return 0;
  }
  std::cout << std::fixed << std::setprecision(3);
  std::cout << "model:      " << args.positional()[0] << "\n"
            << "backend:    " << opt.backend << " (";
  firstb = true;
  for (const auto& [b, n] : per_backend) { std::cout << (firstb ? "" : ", ") << b << ": " << n << " nodes"; firstb = false; }
  std::cout << "), threads " << threads << "\n"
            << "load:       " << ms(t_load, t_loaded) << " ms\n"
            << "first run:  " << first_ms << " ms\n"
            << "steady:     mean " << mean << " ms, min " << mn << ", p50 " << pct(lat, 50) << ", p95 " << pct(lat, 95)
            << ", p99 " << pct(lat, 99) << " ms  (" << iters << " iters after " << warmup << " warm-up)\n"
            << "memory:     peak RSS " << human_bytes(peak_rss_bytes()) << ", planned arena " << human_bytes(r.arena_bytes)
            << ", weights " << human_bytes(r.weight_bytes) << "\n";
  if (!r.gpu_device.empty()) {
    // Pipeline creation at load: with a warm cache (second run) the driver skips compilation.
    std::string cache = "no persistent cache";
    for (const std::string& note : r.backend_notes)
      if (note.find("pipeline cache") != std::string::npos) cache = note;
    std::cout << "gpu:        " << r.gpu_device << "\n"
              << "            " << r.data_nodes_gpu << "/" << r.data_nodes << " data-carrying nodes on the GPU, "
              << r.gpu_regions << " region(s), " << r.gpu_transfers << " transfers per run, GPU weights "
              << human_bytes(r.gpu_weight_bytes) << "\n"
              << "pipelines:  " << r.pipelines_created << " created in " << r.pipelines_ms << " ms (" << cache << ")\n";
  }
  std::cout << std::defaultfloat << std::setprecision(6) << "checksum:   " << checksum << " (sum of the first output)\n";
  if (!per_op.empty()) {
    double total = 0;
    for (const auto& [t, op] : per_op) total += t;
    std::cout << "per op (mean of 10 profiled runs, " << std::setprecision(3) << total << " ms in nodes):\n";
    for (const auto& [t, op] : per_op)
      std::cout << "  " << std::setw(8) << std::fixed << std::setprecision(3) << t << " ms  " << std::setw(5) << std::setprecision(1)
                << 100.0 * t / total << "%  " << op << "\n";
  }
  return 0;
}

}  // namespace edgerun::cli
