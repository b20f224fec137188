// `edgerun run MODEL`: one inference on given or random inputs.
#include <chrono>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <random>

#include "commands.h"
#include "common.h"
#include "tensor_io.h"
#include "trace.h"

namespace edgerun::cli {

int cmd_run(int argc, char** argv) {
  Args args(argc, argv, 2, {"input", "output-dir", "backend", "threads", "seed", "sha256", "optimize", "profile", "device", "cache-dir"}, {"no-fallback", "no-pipeline-cache"});
  const long seed = args.get_int("seed", 0);
  if (!args.ok() || args.positional().size() != 1) {
    std::cerr << (args.ok() ? "" : args.error() + "\n")
              << "usage: edgerun run MODEL [--input NAME=FILE.npy|.pb]... [--output-dir DIR]\n"
                 "                   [--backend auto|vulkan|cpu|reference] [--device N] [--no-fallback] [--threads N] [--seed S] [--sha256 HEX]\n"
                 "                   [--no-pipeline-cache] [--cache-dir DIR] [--optimize 0|1]\n"
                 "                   [--profile FILE]  (Chrome trace of the run: per node backend, CPU and GPU time, transfers)\n";
    return 2;
  }
  // Open the trace file first: an unwritable path fails before any work.
  const std::string profile_path = args.get("profile", "");
  std::ofstream profile_file;
  if (args.has("profile") && !open_profile(profile_path, &profile_file)) return 1;
  const SessionOptions opt = session_options(args);
  auto session = Session::create(args.positional()[0], opt);
  if (session.ok()) print_backend_notes(session->report(), opt);
  if (!session.ok()) return fail(session.status());
  std::map<std::string, Tensor> inputs;
  for (const std::string& spec : args.all("input")) {
    const auto eq = spec.find('=');
    std::string name, file;
    if (eq == std::string::npos) {
      if (session->inputs().size() != 1) {
        std::cerr << "error: --input '" << spec << "' needs NAME=FILE (the model has " << session->inputs().size() << " inputs)\n";
        return 2;
      }
      name = session->inputs()[0].name;
      file = spec;
    } else {
      name = spec.substr(0, eq);
      file = spec.substr(eq + 1);
    }
    auto t = read_tensor_file(file);
    if (!t.ok()) return fail(t.status());
    inputs[name] = std::move(t).value();
  }
  std::mt19937 rng(static_cast<uint32_t>(seed));
  for (const TensorInfo& ti : session->inputs()) {
    if (inputs.count(ti.name)) continue;
    auto t = random_input(ti, rng);
    if (!t.ok()) return fail(t.status().with_context("cannot make random input '" + ti.name + "'"));
    std::cout << "input '" << ti.name << "': random " << summarize(*t, false) << " (seed " << seed << ")\n";
    inputs[ti.name] = std::move(t).value();
  }
  const auto t0 = std::chrono::steady_clock::now();
  Result<std::map<std::string, Tensor>> outs = std::map<std::string, Tensor>{};
  RunProfile prof;
  if (profile_file.is_open()) {
    // Inputs in graph order for the profiling overload; outputs come back in graph order.
    std::vector<Tensor> ordered;
    for (const TensorInfo& ti : session->inputs()) ordered.push_back(inputs.at(ti.name));
    auto r = session->run(ordered, &prof);
    if (r.ok()) {
      for (size_t i = 0; i < r->size() && i < session->outputs().size(); ++i) (*outs)[session->outputs()[i].name] = (*r)[i];
    } else {
      outs = r.status();
    }
  } else {
    outs = session->run(inputs);
  }
  const double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
  if (!outs.ok()) return fail(outs.status());
  std::cout << "ran in " << std::fixed << std::setprecision(3) << ms << " ms\n";
  std::cout.unsetf(std::ios::floatfield);
  std::cout << std::setprecision(6);
  const std::string out_dir = args.get("output-dir", "");
  if (!out_dir.empty()) std::filesystem::create_directories(out_dir);
  for (const TensorInfo& ti : session->outputs()) {
    const Tensor& t = outs->at(ti.name);
    std::cout << "output '" << ti.name << "': " << summarize(t, true) << "\n";
    if (out_dir.empty()) continue;
    std::string safe = ti.name;
    for (char& c : safe) if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_' && c != '-' && c != '.') c = '_';
    const std::string base = out_dir + "/" + safe;
    Status s = write_npy(base + ".npy", t);
    if (!s.ok()) std::cerr << "note: " << s.message() << " (the .pb file is written)\n";
    s = write_pb(base + ".pb", t, ti.name);
    if (!s.ok()) return fail(s);
  }
  if (!out_dir.empty()) std::cout << "outputs written to " << out_dir << "/ (.npy and .pb)\n";
  if (profile_file.is_open()) {
    Trace trace(args.positional()[0], opt.backend, session->report().gpu_device);
    trace.add_run(session->report(), prof, 0.0, ms);
    profile_file << trace.json();
    profile_file.close();
    if (!profile_file) {
      std::cerr << "error: cannot write the profile to '" << profile_path << "'\n";
      return 1;
    }
    std::cout << "profile: " << profile_path << " (" << trace.num_events()
              << " events; open in chrome://tracing or ui.perfetto.dev)\n";
  }
  return 0;
}

}  // namespace edgerun::cli
