#include "trace.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <iostream>
#include <map>
#include <sstream>

namespace edgerun::cli {

namespace {

constexpr int kHostTid = 1, kTransferTid = 2, kGpuTid = 3;

// Length of the valid UTF-8 sequence starting at s[i], or 0 if it is not one.
size_t utf8_length(const std::string& s, size_t i) {
  const auto b = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
  const unsigned char c = b(i);
  size_t n = 0;
  uint32_t min = 0;
  if (c >= 0xC2 && c <= 0xDF) n = 2, min = 0x80;
  else if (c >= 0xE0 && c <= 0xEF) n = 3, min = 0x800;
  else if (c >= 0xF0 && c <= 0xF4) n = 4, min = 0x10000;
  else return 0;
  if (i + n > s.size()) return 0;
  uint32_t cp = c & (0x7F >> n);
  for (size_t k = 1; k < n; ++k) {
    if ((b(i + k) & 0xC0) != 0x80) return 0;
    cp = (cp << 6) | (b(i + k) & 0x3F);
  }
  if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
  return n;
}

// Microseconds (or any figure) as a JSON number with 3 decimals; never NaN/inf.
std::string num(double v) {
  if (!std::isfinite(v)) v = 0;
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.3f", v);
  return buf;
}

std::string str(const std::string& s) {
  std::string out(1, '"');
  out += json_escape(s);
  out += '"';
  return out;
}

// Builds the body of an "args" object.
class ArgList {
 public:
  ArgList& add(const char* key, const std::string& value) { return raw(key, str(value)); }
  ArgList& add(const char* key, const char* value) { return raw(key, str(value)); }
  ArgList& add(const char* key, double value) { return raw(key, num(value)); }
  ArgList& add(const char* key, uint64_t value) { return raw(key, std::to_string(value)); }
  ArgList& add(const char* key, int value) { return raw(key, std::to_string(value)); }
  ArgList& add(const char* key, bool value) { return raw(key, value ? "true" : "false"); }
  std::string body() const { return s_; }

 private:
  ArgList& raw(const char* key, const std::string& v) {
    s_ += s_.empty() ? "\"" : ", \"";
    s_ += json_escape(key);
    s_ += "\": ";
    s_ += v;
    return *this;
  }
  std::string s_;
};

}  // namespace

bool open_profile(const std::string& path, std::ofstream* file) {
  if (!path.empty()) file->open(path, std::ios::binary | std::ios::trunc);
  if (path.empty() || !*file) {
    std::cerr << "error: cannot write the profile to '" << path << "'\n";
    return false;
  }
  return true;
}

std::string json_escape(const std::string& s) {
  std::string out;
  out.reserve(s.size() + 8);
  for (size_t i = 0; i < s.size();) {
    const unsigned char c = static_cast<unsigned char>(s[i]);
    if (c >= 0x80) {
      const size_t n = utf8_length(s, i);
      if (n == 0) {
        out += "\\ufffd";
        ++i;
      } else {
        out.append(s, i, n);
        i += n;
      }
      continue;
    }
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      case '\b': out += "\\b"; break;
      case '\f': out += "\\f"; break;
      default:
        if (c < 0x20 || c == 0x7F) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", c);
          out += buf;
        } else {
          out += static_cast<char>(c);
        }
    }
    ++i;
  }
  return out;
}

Trace::Trace(std::string model, std::string backend, std::string device)
    : model_(std::move(model)), backend_(std::move(backend)), device_(std::move(device)) {}

void Trace::add_run(const SessionReport& report, const RunProfile& profile, double offset_ms, double wall_ms) {
  const int run = ++runs_;
  const double run_us = offset_ms * 1000, run_end_us = (offset_ms + wall_ms) * 1000;
  events_.push_back({"run #" + std::to_string(run), "run", kHostTid, run_us, std::max(0.0, wall_ms) * 1000,
                     ArgList().add("run", run).add("nodes", static_cast<int>(profile.node_ms.size())).body()});

  auto node_args = [&](size_t i) {
    ArgList a;
    a.add("run", run).add("node", static_cast<int>(i));
    if (i < report.nodes.size()) {
      const NodePlacement& n = report.nodes[i];
      a.add("op_type", n.op_type).add("name", n.name).add("backend", n.backend);
      if (!n.fused_activation.empty()) a.add("fused_activation", n.fused_activation);
      if (!n.reason.empty()) a.add("placement", n.reason);
      if (n.shape_computation) a.add("shape_computation", true);
    }
    return a;
  };
  auto node_name = [&](size_t i) {
    if (i >= report.nodes.size()) return std::string("node ") + std::to_string(i);
    const NodePlacement& n = report.nodes[i];
    return n.op_type + (n.fused_activation.empty() ? "" : "+" + n.fused_activation);
  };

  // Nodes run by a GPU region are drawn at device time on the GPU track.
  std::vector<int> region_of(profile.node_ms.size(), -1);
  for (size_t r = 0; r < profile.regions.size(); ++r) {
    const RunProfile::Region& reg = profile.regions[r];
    for (int k = 0; k < reg.num_nodes; ++k) {
      const size_t i = static_cast<size_t>(reg.first_node + k);
      if (i < region_of.size()) region_of[i] = static_cast<int>(r);
    }
  }
  for (size_t i = 0; i < profile.node_ms.size(); ++i) {
    if (region_of[i] >= 0) continue;
    const double start = i < profile.node_start_ms.size() ? profile.node_start_ms[i] : 0.0;
    events_.push_back({node_name(i), "node", kHostTid, run_us + start * 1000, std::max(0.0, profile.node_ms[i]) * 1000,
                       node_args(i).add("cpu_ms", profile.node_ms[i]).body()});
  }

  for (const RunProfile::Region& reg : profile.regions) {
    gpu_ = true;
    const size_t first = static_cast<size_t>(std::max(0, reg.first_node));
    const std::string backend = first < report.nodes.size() ? report.nodes[first].backend : "gpu";
    const double start_us = run_us + reg.start_ms * 1000;
    const char* how = reg.recorded ? "recorded" : "replayed";
    events_.push_back({"region @" + backend + " (" + std::to_string(reg.num_nodes) + " nodes, " + how + ")", "region", kTransferTid,
                       start_us, std::max(0.0, reg.wall_ms) * 1000,
                       ArgList()
                           .add("run", run)
                           .add("first_node", reg.first_node)
                           .add("num_nodes", reg.num_nodes)
                           .add("commands", how)
                           .add("wall_ms", reg.wall_ms)
                           .add("arena_bytes", reg.arena_bytes)
                           .add("upload_bytes", reg.upload_bytes)
                           .add("download_bytes", reg.download_bytes)
                           .body()});
    // The region's host phases, in the order the backend runs them.
    double t = start_us;
    auto phase = [&](const char* name, double ms, ArgList a) {
      events_.push_back({name, "transfer", kTransferTid, t, std::max(0.0, ms) * 1000, a.add("run", run).add("ms", ms).body()});
      t += std::max(0.0, ms) * 1000;
    };
    if (reg.recorded) phase("record", reg.record_ms, ArgList().add("commands", "recorded"));
    phase("upload", reg.upload_ms, ArgList().add("bytes", reg.upload_bytes).add("direction", "host->gpu"));
    const double submit_us = t;
    phase("submit+wait", reg.submit_wait_ms, ArgList().add("commands", how));
    const double submit_end_us = t;
    phase("download", reg.download_ms, ArgList().add("bytes", reg.download_bytes).add("direction", "gpu->host"));

    // GPU nodes back to back from the submission. Device and host clocks are not the same, so when
    // the device time exceeds the submit+wait window the sequence is moved to end with it.
    const bool timed = reg.device_times && reg.node_gpu_ms.size() == static_cast<size_t>(reg.num_nodes);
    double total_us = 0;
    if (timed)
      for (double g : reg.node_gpu_ms) total_us += std::max(0.0, g) * 1000;
    double g_us = submit_us;
    if (g_us + total_us > submit_end_us) g_us = std::max(start_us, submit_end_us - total_us);
    for (int k = 0; k < reg.num_nodes; ++k) {
      const size_t i = first + static_cast<size_t>(k);
      if (i >= profile.node_ms.size()) break;
      const double gpu_ms = timed ? std::max(0.0, reg.node_gpu_ms[static_cast<size_t>(k)]) : 0.0;
      double ts = g_us, dur = gpu_ms * 1000;
      ts = std::min(ts, run_end_us);
      dur = std::max(0.0, std::min(ts + dur, run_end_us) - ts);
      ArgList a = node_args(i);
      // node_ms holds the device time plus, on the region's first node, the region's host time.
      a.add("cpu_ms", std::max(0.0, profile.node_ms[i] - gpu_ms));
      if (timed) a.add("gpu_ms", gpu_ms);
      else a.add("note", "the device has no timestamps: per-node GPU time unknown");
      events_.push_back({node_name(i), "node", kGpuTid, ts, dur, a.body()});
      g_us += gpu_ms * 1000;
    }
  }
}

std::string Trace::json() const {
  std::ostringstream os;
  os << "{\"traceEvents\": [\n";
  os << "  {\"name\": \"process_name\", \"ph\": \"M\", \"pid\": 1, \"tid\": 0, \"args\": {\"name\": \"edgerun\"}}";
  std::vector<std::pair<int, const char*>> threads = {{kHostTid, "host (cpu backend)"}};
  if (gpu_) {
    threads.push_back({kTransferTid, "host<->gpu"});
    threads.push_back({kGpuTid, "gpu queue"});
  }
  for (const auto& [tid, name] : threads) {
    os << ",\n  {\"name\": \"thread_name\", \"ph\": \"M\", \"pid\": 1, \"tid\": " << tid << ", \"args\": {\"name\": " << str(name) << "}}";
    os << ",\n  {\"name\": \"thread_sort_index\", \"ph\": \"M\", \"pid\": 1, \"tid\": " << tid
       << ", \"args\": {\"sort_index\": " << tid << "}}";
  }
  for (const Event& e : events_) {
    os << ",\n  {\"name\": " << str(e.name) << ", \"cat\": " << str(e.cat) << ", \"ph\": \"X\", \"pid\": 1, \"tid\": " << e.tid
       << ", \"ts\": " << num(e.ts_us) << ", \"dur\": " << num(e.dur_us) << ", \"args\": {" << e.args << "}}";
  }
  os << "\n],\n\"displayTimeUnit\": \"ms\",\n\"otherData\": {\"model\": " << str(model_) << ", \"backend\": " << str(backend_)
     << ", \"device\": " << str(device_) << ", \"runs\": " << runs_ << ", \"time_unit\": \"us since the first profiled run\"}}\n";
  return os.str();
}

}  // namespace edgerun::cli
