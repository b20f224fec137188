// Chrome Trace Event Format profiles of session runs (`edgerun run/bench --profile FILE`).
//
// The file is one JSON object {"traceEvents": [...], "displayTimeUnit": "ms", "otherData": {...}}
// that chrome://tracing and ui.perfetto.dev open. Process "edgerun" has up to three tracks:
//   "host (cpu backend)"  each run ("run #k") and the nodes that ran on the host (cpu/reference);
//   "host<->gpu"          each GPU region: record (or replay), upload, submit+wait, download;
//   "gpu queue"           GPU nodes at device time (timestamp queries), back to back from the
//                         region's submission.
// Node events carry op_type, name, backend, cpu_ms, gpu_ms (GPU nodes with timestamps), the fused
// activation and the placement reason (when not on the preferred backend); transfers carry bytes.
// Timestamps are microseconds from the first profiled run.
#pragma once

#include <cstdint>
#include <fstream>
#include <string>
#include <vector>

#include "edgerun/session.h"

namespace edgerun::cli {

// `s` as a JSON string body: quotes, backslashes and control characters escaped; bytes that are not
// valid UTF-8 become U+FFFD, so the file always parses.
std::string json_escape(const std::string& s);

// Opens (truncates) the --profile FILE before any work; false, with the error printed, when it
// cannot be written.
bool open_profile(const std::string& path, std::ofstream* file);

class Trace {
 public:
  // `model`, `backend` (as asked) and `device` (GPU name or "") go into "otherData".
  Trace(std::string model, std::string backend, std::string device);

  // Adds one profiled run: it began `offset_ms` after the trace's zero and Session::run took
  // `wall_ms` around it. `report` is the session's report (node i of `profile` is report.nodes[i]).
  void add_run(const SessionReport& report, const RunProfile& profile, double offset_ms, double wall_ms);

  size_t num_events() const { return events_.size(); }
  int num_runs() const { return runs_; }
  std::string json() const;

 private:
  struct Event {
    std::string name, cat;
    int tid = 0;
    double ts_us = 0, dur_us = 0;
    std::string args;  // JSON object body (without braces)
  };
  std::string model_, backend_, device_;
  std::vector<Event> events_;
  int runs_ = 0;
  bool gpu_ = false;
};

}  // namespace edgerun::cli
