// Helpers shared by CLI commands.
#pragma once
#include <iostream>
#include <string>

#include "args.h"
#include "edgerun/session.h"

namespace edgerun::cli {

// Reads --backend/--threads/--sha256/--optimize into SessionOptions.
// --backend, --threads, --sha256, --optimize, --device, --no-fallback, --no-pipeline-cache, --cache-dir
SessionOptions session_options(Args& args);
// With --backend vulkan: the session's backend notes (why Vulkan is not used, pipeline cache) as
// "edgerun: ..." lines on stderr.
void print_backend_notes(const SessionReport& r, const SessionOptions& opt);
// Prints "error: <message>" to stderr and returns exit code 1.
int fail(const Status& s);
std::string human_bytes(uint64_t b);
uint64_t peak_rss_bytes();
std::string dims_to_string(const TensorInfo& t);

}  // namespace edgerun::cli
