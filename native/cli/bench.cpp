// `edgerun bench MODEL`: honest latency numbers (load, first run, steady-state percentiles).
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <iomanip>
#include <map>
#include <numeric>
#include <optional>
#include <random>
#include <sstream>
#include <thread>

#include "commands.h"
#include "common.h"
#include "tensor_io.h"
#include "trace.h"

namespace edgerun::cli {

namespace {
double pct(std::vector<double> v, double p) {
  std::sort(v.begin(), v.end());
  const double idx = p / 100.0 * static_cast<double>(v.size() - 1);
  const size_t lo = static_cast<size_t>(std::floor(idx)), hi = static_cast<size_t>(std::ceil(idx));
  return v[lo] + (v[hi] - v[lo]) * (idx - static_cast<double>(lo));
}

// Pipeline creation of a fresh session: cold (no cache data) and warm (persistent cache loaded).
struct PipelineTiming {
  int created = 0;
  double ms = 0;
  std::string cache_note;  // the session's pipeline-cache note ("" when the cache is off)
};

Result<PipelineTiming> time_pipelines(const std::string& model, const SessionOptions& opt) {
  auto s = Session::create(model, opt);
  if (!s.ok()) return s.status();
  PipelineTiming t{s->report().pipelines_created, s->report().pipelines_ms, ""};
  for (const std::string& note : s->report().backend_notes)
    if (note.find("pipeline cache") != std::string::npos) t.cache_note = note;
  return t;  // the session goes here: the Vulkan backend saves the driver's cache data
}

// "vulkan: pipeline cache PATH: loaded N bytes" -> "cache PATH, N bytes loaded"; other notes as they are.
std::string describe_cache(const std::string& note) {
  const std::string head = "pipeline cache ", loaded = ": loaded ";
  const size_t h = note.find(head), l = note.rfind(loaded);
  if (h == std::string::npos || l == std::string::npos || l < h) return note;
  return "cache " + note.substr(h + head.size(), l - h - head.size()) + ", " + note.substr(l + loaded.size()) + " loaded";
}

// Bytes loaded from a "...: loaded N bytes" note (0 if none).
uint64_t cache_bytes_loaded(const std::string& note) {
  const size_t l = note.rfind(": loaded ");
  return l == std::string::npos ? 0 : std::strtoull(note.c_str() + l + 9, nullptr, 10);
}
}  // namespace

int cmd_bench(int argc, char** argv) {
  Args args(argc, argv, 2, {"backend", "threads", "warmup", "iters", "seed", "sha256", "optimize", "input", "json-file", "profile", "device", "cache-dir"}, {"json", "per-op", "no-fallback", "no-pipeline-cache"});
  const long warmup = args.get_int("warmup", 5), iters = args.get_int("iters", 50), seed = args.get_int("seed", 0);
  if (!args.ok() || args.positional().size() != 1 || iters < 1 || warmup < 0) {
    std::cerr << (args.ok() ? "" : args.error() + "\n")
              << "usage: edgerun bench MODEL [--backend auto|vulkan|cpu|reference] [--device N] [--no-fallback] [--threads N] [--warmup N] [--iters N]\n"
                 "                     [--input NAME=FILE]... [--json] [--json-file FILE] [--per-op] [--profile FILE]\n"
                 "                     [--no-pipeline-cache] [--cache-dir DIR] [--optimize 0|1] [--seed S] [--sha256 HEX]\n"
                 "  --profile FILE  after the timed runs, profile 5 more runs into a Chrome trace (per node: backend,\n"
                 "                  CPU and GPU time; GPU regions: record/replay, uploads, submit+wait, downloads)\n"
                 "  On a GPU: pipeline creation is timed cold (a session without cache data) and warm (a session\n"
                 "  loading the persistent cache this one saved), and GPU memory (weights, activations) is shown.\n";
    return 2;
  }
  const std::string model = args.positional()[0];
  // Open the trace file first: an unwritable path fails before any work.
  const std::string profile_path = args.get("profile", "");
  std::ofstream profile_file;
  if (args.has("profile") && !open_profile(profile_path, &profile_file)) return 1;
  using Clock = std::chrono::steady_clock;
  auto ms = [](Clock::time_point a, Clock::time_point b) { return std::chrono::duration<double, std::milli>(b - a).count(); };
  SessionOptions opt = session_options(args);
  const auto t_load = Clock::now();
  auto created = Session::create(model, opt);
  if (created.ok()) print_backend_notes(created->report(), opt);
  const auto t_loaded = Clock::now();
  if (!created.ok()) return fail(created.status());
  // Held in an optional: on a GPU it is closed early, so that it saves the pipeline cache.
  std::optional<Session> session(std::move(created).value());
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
  std::vector<Tensor> ordered;  // inputs in graph order, for the profiling overload of run()
  for (const TensorInfo& ti : session->inputs()) ordered.push_back(inputs.at(ti.name));
  std::vector<std::pair<double, std::string>> per_op;
  if (args.has("per-op")) {
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
  // Chrome trace: a few more runs, profiled, one after another.
  std::optional<RunProfile> first_profile;
  size_t profile_events = 0;
  if (profile_file.is_open()) {
    Trace trace(model, opt.backend, session->report().gpu_device);
    const int runs = 5;
    const auto zero = Clock::now();
    for (int k = 0; k < runs; ++k) {
      RunProfile prof;
      const auto ts = Clock::now();
      auto res = session->run(ordered, &prof);
      const auto te = Clock::now();
      if (!res.ok()) return fail(res.status());
      trace.add_run(session->report(), prof, ms(zero, ts), ms(ts, te));
      if (!first_profile) first_profile = std::move(prof);
    }
    profile_file << trace.json();
    profile_file.close();
    if (!profile_file) {
      std::cerr << "error: cannot write the profile to '" << profile_path << "'\n";
      return 1;
    }
    profile_events = trace.num_events();
  }
  const std::string profile_line = "profile: " + profile_path + " (" + std::to_string(profile_events) +
                                   " events; open in chrome://tracing or ui.perfetto.dev)\n";
  // Copied: the session may be closed below.
  const SessionReport r = session->report();
  // GPU memory: weights at load; activations planned at load (static shapes) or on the first run.
  uint64_t gpu_act_bytes = r.gpu_arena_bytes;
  const char* gpu_act_when = "planned at load";
  if (!r.gpu_device.empty() && gpu_act_bytes == 0) {
    if (!first_profile) {
      RunProfile prof;
      auto res = session->run(ordered, &prof);
      if (!res.ok()) return fail(res.status());
      first_profile = std::move(prof);
    }
    for (const auto& reg : first_profile->regions) gpu_act_bytes += reg.arena_bytes;
    gpu_act_when = "planned on the first run for these shapes";
  }
  // Pipeline creation cold vs warm, each in a fresh session.
  std::optional<PipelineTiming> cold, warm;
  std::string warm_why;
  if (!r.gpu_device.empty() && r.pipelines_created > 0) {
    if (!opt.pipeline_cache) {
      cold = PipelineTiming{r.pipelines_created, r.pipelines_ms, ""};  // this session had no cache data
      warm_why = "not measured: --no-pipeline-cache (no persistent cache to load)";
    } else {
      SessionOptions o = opt;
      o.pipeline_cache = false;
      auto c = time_pipelines(model, o);
      if (!c.ok()) return fail(c.status().with_context("cold pipeline timing"));
      cold = *c;
      session.reset();  // saves the persistent cache (the Vulkan backend writes it when it closes)
      auto w = time_pipelines(model, opt);
      if (!w.ok()) return fail(w.status().with_context("warm pipeline timing"));
      warm = *w;
      if (cache_bytes_loaded(warm->cache_note) == 0)
        warm_why = "the cache was not loaded (" + warm->cache_note + ")";
    }
  }
  const double mean = std::accumulate(lat.begin(), lat.end(), 0.0) / static_cast<double>(lat.size());
  const double mn = *std::min_element(lat.begin(), lat.end());
  const int threads = opt.threads > 0 ? opt.threads : static_cast<int>(std::thread::hardware_concurrency());
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
       << ", \"model\": \"" << esc(model) << "\", \"backend\": \"" << esc(opt.backend)
       << "\", \"threads\": " << threads << ", \"load_ms\": " << ms(t_load, t_loaded) << ", \"first_run_ms\": " << first_ms
       << ", \"iters\": " << iters << ", \"warmup\": " << warmup << ", \"mean_ms\": " << mean << ", \"min_ms\": " << mn
       << ", \"p50_ms\": " << pct(lat, 50) << ", \"p95_ms\": " << pct(lat, 95) << ", \"p99_ms\": " << pct(lat, 99)
       << ", \"peak_rss_bytes\": " << peak_rss_bytes() << ", \"arena_bytes\": " << r.arena_bytes
       << ", \"weight_bytes\": " << r.weight_bytes << ", \"output_checksum\": " << checksum;
  auto opt_ms = [](const std::optional<PipelineTiming>& t) { return t ? std::to_string(t->ms) : std::string("null"); };
  if (!r.gpu_device.empty()) {
    json << ", \"gpu_device\": \"" << esc(r.gpu_device) << "\", \"gpu_weight_bytes\": " << r.gpu_weight_bytes
         << ", \"gpu_activation_bytes\": " << gpu_act_bytes << ", \"gpu_activation_planned\": \""
         << (r.gpu_arena_bytes ? "load" : "first_run") << "\", \"pipelines_cold_ms\": " << opt_ms(cold)
         << ", \"pipelines_warm_ms\": " << opt_ms(warm)
         << ", \"pipeline_cache_bytes_loaded\": " << (warm ? cache_bytes_loaded(warm->cache_note) : 0);
    if (!warm_why.empty()) json << ", \"pipelines_warm_note\": \"" << esc(warm_why) << "\"";
  }
  if (profile_events) json << ", \"profile_file\": \"" << esc(profile_path) << "\", \"profile_events\": " << profile_events;
  json << ", \"nodes\": {";
  bool firstb = true;
  for (const auto& [b, n] : per_backend) { json << (firstb ? "" : ", ") << "\"" << b << "\": " << n; firstb = false; }
  json << "}}";
  if (args.has("json-file")) std::ofstream(args.get("json-file")) << json.str() << "\n";
  if (args.has("json")) {
    if (profile_events) std::cerr << profile_line;  // stdout is the JSON alone
    std::cout << json.str() << "\n";
    return 0;
  }
  std::cout << std::fixed << std::setprecision(3);
  std::cout << "model:      " << model << "\n"
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
    // Pipeline creation at load: with a warm cache the driver can skip compilation.
    std::string cache = "no persistent cache";
    for (const std::string& note : r.backend_notes)
      if (note.find("pipeline cache") != std::string::npos) cache = note;
    std::cout << "gpu:        " << r.gpu_device << "\n"
              << "            " << r.data_nodes_gpu << "/" << r.data_nodes << " data-carrying nodes on the GPU, "
              << r.gpu_regions << " region(s), " << r.gpu_transfers << " transfers per run\n"
              << "gpu memory: weights " << human_bytes(r.gpu_weight_bytes) << ", activations " << human_bytes(gpu_act_bytes)
              << " (" << gpu_act_when << ")\n";
    if (cold) {
      std::cout << "pipelines:  " << cold->created << " created: cold " << cold->ms << " ms (no cache), ";
      if (warm && warm_why.empty())
        std::cout << "warm " << warm->ms << " ms (" << describe_cache(warm->cache_note) << ")\n";
      else if (warm)
        std::cout << "warm " << warm->ms << " ms, " << warm_why << "\n";
      else
        std::cout << "warm " << warm_why << "\n";
      std::cout << "            this session: " << r.pipelines_ms << " ms at load (" << cache << ")\n";
    } else {
      std::cout << "pipelines:  " << r.pipelines_created << " created in " << r.pipelines_ms << " ms (" << cache << ")\n";
    }
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
  if (profile_events) std::cout << profile_line;
  return 0;
}

}  // namespace edgerun::cli
