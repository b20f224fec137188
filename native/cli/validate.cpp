// `edgerun validate PATH`: runs ONNX backend-test-layout cases and compares with their outputs.
// Each case runs in a child process (natively), so a crash or hang in one case is reported as
// that case's FAIL and never takes the run down.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <set>
#include <sstream>

#include "args.h"
#include "commands.h"
#include "common.h"
#include "edgerun/session.h"
#include "onnx/model.h"
#include "tensor_io.h"

#if defined(__unix__) && !defined(__EMSCRIPTEN__)
#include <csignal>
#include <sys/wait.h>
#include <unistd.h>
#define EDGERUN_CAN_FORK 1
#endif

namespace fs = std::filesystem;

namespace edgerun::cli {

namespace {

struct Case {
  std::string name;        // relative path shown and used in expected lists
  fs::path model;
  std::vector<std::pair<std::vector<fs::path>, std::vector<fs::path>>> data_sets;  // (inputs, outputs)
  double rtol_override = -1;
  double atol_override = -1;
};

struct Outcome {
  std::string status = "FAIL";  // PASS, FAIL, SKIPPED, CRASH
  std::string message;
  double max_abs = 0, max_rel = 0, ms = 0;
};

std::vector<fs::path> numbered(const fs::path& dir, const std::string& prefix) {
  std::vector<fs::path> v;
  for (int i = 0;; ++i) {
    fs::path p = dir / (prefix + std::to_string(i) + ".pb");
    if (!fs::exists(p)) break;
    v.push_back(p);
  }
  return v;
}

// The model of a case folder: model.onnx, or the folder's only .onnx file.
fs::path case_model(const fs::path& dir) {
  if (fs::exists(dir / "model.onnx")) return dir / "model.onnx";
  fs::path found;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(dir, ec)) {
    if (e.path().extension() != ".onnx") continue;
    if (!found.empty()) return {};
    found = e.path();
  }
  if (found.empty() || !fs::exists(dir / "test_data_set_0")) return {};
  return found;
}

Case make_case(const fs::path& dir, const fs::path& root) {
  Case c;
  c.name = fs::relative(dir, root).generic_string();
  if (c.name == ".") c.name = dir.filename().generic_string();
  c.model = case_model(dir);
  std::vector<fs::path> sets;
  for (const auto& e : fs::directory_iterator(dir))
    if (e.is_directory() && e.path().filename().string().rfind("test_data_set_", 0) == 0) sets.push_back(e.path());
  std::sort(sets.begin(), sets.end());
  for (const auto& s : sets) c.data_sets.emplace_back(numbered(s, "input_"), numbered(s, "output_"));
  return c;
}

void find_cases(const fs::path& root, std::vector<Case>& out) {
  std::error_code ec;
  if (!case_model(root).empty()) { out.push_back(make_case(root, root.parent_path())); return; }
  std::vector<fs::path> dirs;
  for (auto it = fs::recursive_directory_iterator(root, fs::directory_options::follow_directory_symlink, ec);
       it != fs::recursive_directory_iterator(); it.increment(ec)) {
    if (ec) break;
    if (it->is_directory() && !case_model(it->path()).empty()) dirs.push_back(it->path());
    // ONNX "light" layout: NAME.onnx + NAME_input_0.pb + NAME_output_0.pb side by side.
    if (it->is_regular_file() && it->path().extension() == ".onnx" && it->path().filename() != "model.onnx") {
      const fs::path stem = it->path().parent_path() / it->path().stem();
      if (fs::exists(stem.string() + "_output_0.pb") && fs::exists(stem.string() + "_input_0.pb")) {
        Case c;
        c.name = fs::relative(stem, root).generic_string();
        c.model = it->path();
        c.data_sets.push_back({numbered(stem.parent_path(), stem.filename().string() + "_input_"),
                               numbered(stem.parent_path(), stem.filename().string() + "_output_")});
        if (c.name.find("densenet") != std::string::npos) c.rtol_override = 2e-3;  // as in ONNX's real/ data.json
        out.push_back(std::move(c));
      }
    }
  }
  std::sort(dirs.begin(), dirs.end());
  for (const auto& d : dirs) out.push_back(make_case(d, root));
  std::sort(out.begin(), out.end(), [](const Case& a, const Case& b) { return a.name < b.name; });
}

// Machine epsilon of low-precision float formats: their tolerance is at least this.
double format_rtol(DataType dt) {
  switch (dt) {
    case DataType::kFloat16: return 1e-3;
    case DataType::kBFloat16: return 8e-3;
    case DataType::kFloat8E4M3FN: case DataType::kFloat8E4M3FNUZ: return 0.125;
    case DataType::kFloat8E5M2: case DataType::kFloat8E5M2FNUZ: return 0.25;
    case DataType::kFloat4E2M1: return 0.5;
    default: return 0;
  }
}

// Reads a test-data file as the model declares the value: TensorProto, SequenceProto or OptionalProto.
Result<Tensor> read_value_file(const std::string& path, ValueKind kind, DataType elem) {
  if (kind == ValueKind::kTensor) return read_tensor_file(path);
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status(StatusCode::kNotFound, "cannot open '" + path + "'");
  const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  return onnx::parse_value_proto(bytes.data(), bytes.size(), kind, elem);
}

// Compares sequences/optionals element by element (tensors with rtol/atol, exact for integers).
bool same_value(const Tensor& e, const Tensor& a, double rtol, double atol, std::string* why) {
  if (e.kind() != a.kind()) { *why = "kind differs (sequence/optional/tensor)"; return false; }
  if (!e.is_tensor()) {
    if (e.items().size() != a.items().size()) {
      *why = "has " + std::to_string(a.items().size()) + " elements, expected " + std::to_string(e.items().size());
      return false;
    }
    for (size_t i = 0; i < e.items().size(); ++i)
      if (!same_value(e.items()[i], a.items()[i], rtol, atol, why)) { *why = "element " + std::to_string(i) + ": " + *why; return false; }
    return true;
  }
  if (e.dtype() != a.dtype() || e.shape() != a.shape()) {
    *why = "got " + std::string(dtype_name(a.dtype())) + shape_to_string(a.shape()) + ", expected " + dtype_name(e.dtype()) + shape_to_string(e.shape());
    return false;
  }
  if (e.dtype() == DataType::kString) {
    for (int64_t i = 0; i < e.numel(); ++i)
      if (a.data_as<std::string>()[i] != e.data_as<std::string>()[i]) { *why = "strings differ"; return false; }
    return true;
  }
  for (int64_t i = 0; i < e.numel(); ++i) {
    const double x = element_as_double(a, i), y = element_as_double(e, i);
    if (std::isnan(x) || std::isnan(y)) { if (std::isnan(x) != std::isnan(y)) { *why = "NaN mismatch"; return false; } continue; }
    if (x == y) continue;
    if (!dtype_is_float(e.dtype()) || std::fabs(x - y) > atol + rtol * std::fabs(y)) {
      std::ostringstream os;
      os << "element " << i << " is " << x << ", expected " << y;
      *why = os.str();
      return false;
    }
  }
  return true;
}

Outcome run_case(const Case& c, SessionOptions opt, double rtol, double atol, int threads) {
  Outcome o;
  const auto t0 = std::chrono::steady_clock::now();
  opt.threads = threads;
  auto session = Session::create(c.model.string(), opt);
  if (!session.ok()) {
    o.status = session.status().code() == StatusCode::kUnsupported ? "SKIPPED" : "FAIL";
    o.message = session.status().message();
    return o;
  }
  if (c.rtol_override > 0) rtol = c.rtol_override;
  if (c.atol_override > 0) atol = c.atol_override;
  // Random ops: values cannot match stored outputs; check dtype and shape only, report SKIPPED.
  std::string random_op;
  for (const char* op : {"Bernoulli", "RandomUniform", "RandomNormal", "RandomUniformLike", "RandomNormalLike", "Multinomial"})
    if (session->report().op_histogram.count(op)) random_op = op;
  if (c.data_sets.empty()) { o.message = "no test_data_set_* folders"; return o; }
  std::vector<std::string> notes;
  for (size_t ds = 0; ds < c.data_sets.size(); ++ds) {
    const auto& [in_files, out_files] = c.data_sets[ds];
    const auto& infos = session->inputs();
    if (in_files.size() < infos.size()) {
      o.message = "data set " + std::to_string(ds) + " has " + std::to_string(in_files.size()) + " inputs, the model needs " +
                  std::to_string(infos.size());
      return o;
    }
    std::vector<Tensor> inputs;
    for (size_t i = 0; i < infos.size(); ++i) {
      auto t = read_value_file(in_files[i].string(), infos[i].kind, infos[i].dtype);
      if (!t.ok()) {
        o.status = t.status().code() == StatusCode::kUnsupported ? "SKIPPED" : "FAIL";
        o.message = t.status().message();
        return o;
      }
      // ONNX 1.12's test data stores bfloat16 tensors with data_type uint16: reinterpret.
      if (t->dtype() == DataType::kUInt16 && infos[i].dtype == DataType::kBFloat16)
        t = Tensor::wrap(DataType::kBFloat16, t->shape(), t->owner(), t->data());
      inputs.push_back(std::move(t).value());
    }
    auto outs = session->run(inputs);
    if (!outs.ok()) {
      o.status = outs.status().code() == StatusCode::kUnsupported ? "SKIPPED" : "FAIL";
      o.message = outs.status().message();
      return o;
    }
    if (out_files.size() != outs->size()) {
      o.message = "the model produced " + std::to_string(outs->size()) + " outputs, the data set has " + std::to_string(out_files.size());
      return o;
    }
    for (size_t k = 0; k < out_files.size(); ++k) {
      const TensorInfo& oinfo = session->outputs()[k];
      auto expected = read_value_file(out_files[k].string(), oinfo.kind, oinfo.dtype);
      if (!expected.ok()) { o.message = expected.status().message(); return o; }
      if (!expected->is_tensor() || !(*outs)[k].is_tensor()) {
        std::string why;
        if (!same_value(*expected, (*outs)[k], rtol, atol, &why)) {
          o.message = "data set " + std::to_string(ds) + " output " + std::to_string(k) + " '" + oinfo.name + "': " + why;
          return o;
        }
        continue;
      }
      if (expected->dtype() == DataType::kUInt16 && (*outs)[k].dtype() == DataType::kBFloat16)
        expected = Tensor::wrap(DataType::kBFloat16, expected->shape(), expected->owner(), expected->data());
      const Tensor& e = *expected;
      const Tensor& a = (*outs)[k];
      const std::string label = "data set " + std::to_string(ds) + " output " + std::to_string(k) + " '" + session->outputs()[k].name + "'";
      if (a.dtype() != e.dtype() || a.shape() != e.shape()) {
        o.message = label + ": got " + std::string(dtype_name(a.dtype())) + shape_to_string(a.shape()) + ", expected " +
                    dtype_name(e.dtype()) + shape_to_string(e.shape());
        return o;
      }
      double r = rtol, at = atol;
      const bool exact = !dtype_is_float(e.dtype());
      if (format_rtol(e.dtype()) > r) { r = format_rtol(e.dtype()); notes.push_back(std::string("rtol ") + std::to_string(r) + " for " + dtype_name(e.dtype())); }
      const double step = k < session->report().output_quant_step.size() ? session->report().output_quant_step[k] : 0;
      if (step > at) {
        at = step * 1.0001;
        std::ostringstream os;
        os << "atol widened to one output quantization step (" << step << ") for output " << k;
        notes.push_back(os.str());
      }
      if (!random_op.empty()) continue;
      if (e.dtype() == DataType::kString) {
        for (int64_t i = 0; i < e.numel(); ++i)
          if (a.data_as<std::string>()[i] != e.data_as<std::string>()[i]) { o.message = label + ": strings differ at " + std::to_string(i); return o; }
        continue;
      }
      int64_t bad = -1;
      for (int64_t i = 0; i < e.numel(); ++i) {
        const double x = element_as_double(a, i), y = element_as_double(e, i);
        if (std::isnan(x) || std::isnan(y)) { if (std::isnan(x) != std::isnan(y) && bad < 0) bad = i; continue; }
        if (x == y) continue;
        const double d = std::fabs(x - y);
        o.max_abs = std::max(o.max_abs, d);
        o.max_rel = std::max(o.max_rel, d / std::max(std::fabs(y), 1e-300));
        if ((exact || std::isinf(x) || std::isinf(y) || d > at + r * std::fabs(y)) && bad < 0) bad = i;
      }
      if (bad >= 0) {
        std::ostringstream os;
        os << label << ": element " << bad << " is " << element_as_double(a, bad) << ", expected " << element_as_double(e, bad)
           << " (max abs err " << o.max_abs << ", max rel err " << o.max_rel << "; rtol " << r << ", atol " << at << ")";
        o.message = os.str();
        return o;
      }
    }
  }
  if (!random_op.empty()) {
    o.status = "SKIPPED";
    o.message = "outputs depend on a random generator (" + random_op + "): only dtype and shape were checked, and they match";
    return o;
  }
  o.status = "PASS";
  std::sort(notes.begin(), notes.end());
  notes.erase(std::unique(notes.begin(), notes.end()), notes.end());
  for (const auto& n : notes) o.message += (o.message.empty() ? "" : "; ") + n;
  o.ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
  return o;
}

std::string escape_json(const std::string& s) {
  std::string o;
  for (char ch : s) {
    if (ch == '"' || ch == '\\') { o += '\\'; o += ch; }
    else if (ch == '\n') o += "\\n";
    else if (static_cast<unsigned char>(ch) < 0x20) o += ' ';
    else o += ch;
  }
  return o;
}

#ifdef EDGERUN_CAN_FORK
// Serialises an Outcome through a pipe: status \t max_abs \t max_rel \t ms \t message.
std::string encode(const Outcome& o) {
  std::ostringstream os;
  os.precision(17);
  std::string msg = o.message.substr(0, 3000);
  std::replace(msg.begin(), msg.end(), '\n', ' ');
  os << o.status << '\t' << o.max_abs << '\t' << o.max_rel << '\t' << o.ms << '\t' << msg;
  return os.str();
}
Outcome decode(const std::string& s) {
  Outcome o;
  std::istringstream is(s);
  std::string a, b, c;
  std::getline(is, o.status, '\t');
  std::getline(is, a, '\t');
  std::getline(is, b, '\t');
  std::getline(is, c, '\t');
  std::getline(is, o.message);
  o.max_abs = std::atof(a.c_str());
  o.max_rel = std::atof(b.c_str());
  o.ms = std::atof(c.c_str());
  return o;
}
#endif

}  // namespace

int cmd_validate(int argc, char** argv) {
  Args args(argc, argv, 2, {"backend", "rtol", "atol", "json", "expected", "write-expected", "threads", "jobs", "timeout", "filter", "tolerances", "device", "cache-dir"},
            {"no-fallback", "no-pipeline-cache", "quiet", "no-isolate"});
  const double rtol = args.get_double("rtol", 1e-3), atol = args.get_double("atol", 1e-7);
  const long threads = args.get_int("threads", 1), jobs = args.get_int("jobs", 1), timeout = args.get_int("timeout", 300);
  if (!args.ok() || args.positional().size() != 1) {
    std::cerr << (args.ok() ? "" : args.error() + "\n")
              << "usage: edgerun validate PATH [--backend auto|vulkan|cpu|reference] [--device N] [--no-fallback] [--rtol R] [--atol A] [--json FILE]\n"
                 "                        [--expected LIST] [--write-expected LIST] [--filter SUBSTR,...] [--tolerances FILE]\n"
                 "                        [--jobs N] [--threads N] [--timeout S] [--quiet] [--no-isolate]\n";
    return 2;
  }
  const std::string backend = args.get("backend", "auto");
  SessionOptions base_opt = session_options(args);
  const fs::path root = args.positional()[0];
  if (!fs::exists(root)) { std::cerr << "error: '" << root.string() << "' does not exist\n"; return 2; }
  std::vector<Case> cases;
  find_cases(root, cases);
  if (args.has("filter")) {
    // Keep cases whose name contains any of the comma-separated substrings.
    std::vector<std::string> pats;
    std::stringstream ss(args.get("filter"));
    for (std::string p; std::getline(ss, p, ',');) if (!p.empty()) pats.push_back(p);
    std::erase_if(cases, [&](const Case& c) {
      for (const auto& p : pats) if (c.name.find(p) != std::string::npos) return false;
      return true;
    });
  }
  if (cases.empty()) { std::cerr << "error: no test cases (model.onnx + test_data_set_*) under '" << root.string() << "'\n"; return 2; }
  const bool quiet = args.has("quiet");

  if (args.has("tolerances")) {
    // Lines: CASE_NAME RTOL ATOL  # reason. Overrides the tolerances for that case.
    std::ifstream in(args.get("tolerances"));
    if (!in) { std::cerr << "error: cannot read '" << args.get("tolerances") << "'\n"; return 2; }
    for (std::string line; std::getline(in, line);) {
      if (line.empty() || line[0] == '#') continue;
      std::istringstream is(line);
      std::string name;
      double r = -1, a = -1;
      is >> name >> r >> a;
      for (Case& c : cases)
        if (c.name == name) { c.rtol_override = r; c.atol_override = a; }
    }
  }
  std::vector<Outcome> outcomes(cases.size());
  auto report_line = [&](size_t i) {
    const Outcome& o = outcomes[i];
    if (quiet && o.status == "PASS") return;
    std::cout << (o.status == "PASS" ? "PASS    " : o.status == "SKIPPED" ? "SKIPPED " : o.status == "CRASH" ? "CRASH   " : "FAIL    ")
              << cases[i].name;
    if (!o.message.empty()) std::cout << ": " << o.message;
    std::cout << "\n" << std::flush;
  };
#ifdef EDGERUN_CAN_FORK
  if (!args.has("no-isolate")) {
    std::map<pid_t, std::pair<size_t, int>> running;  // pid -> (case, pipe fd)
    size_t next = 0, done = 0;
    auto reap = [&](bool block) {
      int status = 0;
      const pid_t pid = waitpid(-1, &status, block ? 0 : WNOHANG);
      if (pid <= 0) return false;
      auto it = running.find(pid);
      if (it == running.end()) return true;
      auto [ci, fd] = it->second;
      std::string buf;
      char chunk[4096];
      ssize_t r;
      while ((r = read(fd, chunk, sizeof chunk)) > 0) buf.append(chunk, static_cast<size_t>(r));
      close(fd);
      if (WIFSIGNALED(status)) {
        outcomes[ci].status = "CRASH";
        outcomes[ci].message = WTERMSIG(status) == SIGALRM ? "timed out after " + std::to_string(timeout) + " s"
                                                             : "crashed with signal " + std::to_string(WTERMSIG(status)) + " (" + strsignal(WTERMSIG(status)) + ")";
        if (WTERMSIG(status) == SIGALRM) outcomes[ci].status = "FAIL";
      } else if (buf.empty()) {
        outcomes[ci].status = "CRASH";
        outcomes[ci].message = "exited with status " + std::to_string(WEXITSTATUS(status)) + " without a result";
      } else {
        outcomes[ci] = decode(buf);
      }
      report_line(ci);
      running.erase(it);
      ++done;
      return true;
    };
    std::cout.flush();
    while (done < cases.size()) {
      while (next < cases.size() && static_cast<long>(running.size()) < std::max(1L, jobs)) {
        int fds[2];
        if (pipe(fds) != 0) { std::perror("pipe"); return 2; }
        std::cout.flush();
        const pid_t pid = fork();
        if (pid == 0) {
          close(fds[0]);
          alarm(static_cast<unsigned>(std::max(1L, timeout)));
          const std::string msg = encode(run_case(cases[next], base_opt, rtol, atol, static_cast<int>(threads)));
          size_t off = 0;
          while (off < msg.size()) {
            const ssize_t w = write(fds[1], msg.data() + off, msg.size() - off);
            if (w <= 0) break;
            off += static_cast<size_t>(w);
          }
          _exit(0);
        }
        close(fds[1]);
        if (pid < 0) { std::perror("fork"); return 2; }
        running[pid] = {next, fds[0]};
        ++next;
      }
      reap(true);
    }
  } else
#endif
  {
    for (size_t i = 0; i < cases.size(); ++i) {
      outcomes[i] = run_case(cases[i], base_opt, rtol, atol, static_cast<int>(threads));
      report_line(i);
    }
  }

  int passed = 0, failed = 0, skipped = 0, crashed = 0;
  for (const auto& o : outcomes) {
    if (o.status == "PASS") ++passed;
    else if (o.status == "SKIPPED") ++skipped;
    else { ++failed; if (o.status == "CRASH") ++crashed; }
  }
  int regressions = 0;
  if (args.has("expected")) {
    std::ifstream in(args.get("expected"));
    if (!in) { std::cerr << "error: cannot read expected list '" << args.get("expected") << "'\n"; return 2; }
    std::set<std::string> expected;
    for (std::string line; std::getline(in, line);)
      if (!line.empty() && line[0] != '#') expected.insert(line);
    int newly = 0;
    for (size_t i = 0; i < cases.size(); ++i) {
      const bool pass = outcomes[i].status == "PASS";
      if (expected.count(cases[i].name) && !pass) {
        ++regressions;
        std::cout << "REGRESSION " << cases[i].name << " (expected to pass)\n";
      }
      if (pass && !expected.count(cases[i].name)) ++newly;
    }
    for (const auto& name : expected) {
      bool found = false;
      for (const auto& c : cases) found |= c.name == name;
      if (!found) { ++regressions; std::cout << "REGRESSION " << name << " (expected case not found)\n"; }
    }
    if (newly) std::cout << newly << " cases pass that are not in the expected list (update it with --write-expected)\n";
  }
  if (args.has("write-expected")) {
    std::ofstream out(args.get("write-expected"));
    out << "# cases expected to pass: edgerun validate " << root.generic_string() << " --backend " << backend << "\n";
    for (size_t i = 0; i < cases.size(); ++i)
      if (outcomes[i].status == "PASS") out << cases[i].name << "\n";
  }
  if (args.has("json")) {
    std::ofstream out(args.get("json"));
    out << "{\"backend\": \"" << backend << "\", \"passed\": " << passed << ", \"failed\": " << failed << ", \"skipped\": "
        << skipped << ", \"crashed\": " << crashed << ", \"cases\": [\n";
    for (size_t i = 0; i < cases.size(); ++i) {
      const Outcome& o = outcomes[i];
      out << "  {\"name\": \"" << escape_json(cases[i].name) << "\", \"status\": \"" << o.status << "\", \"max_abs\": " << o.max_abs
          << ", \"max_rel\": " << o.max_rel << ", \"ms\": " << o.ms << ", \"message\": \"" << escape_json(o.message) << "\"}"
          << (i + 1 < cases.size() ? ",\n" : "\n");
    }
    out << "]}\n";
  }
  if (crashed) std::cout << crashed << " cases crashed\n";
  std::cout << passed << " passed, " << failed << " failed, " << skipped << " skipped\n";
  // With an expected list, only regressions and crashes fail the run (known failures are listed
  // by their absence); without one, any failure does.
  if (args.has("expected")) return (regressions > 0 || crashed > 0) ? 1 : 0;
  return failed > 0 ? 1 : 0;
}

}  // namespace edgerun::cli
