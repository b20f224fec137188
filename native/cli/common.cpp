#include "common.h"

#include <sstream>

#if defined(__unix__) && !defined(__EMSCRIPTEN__)
#include <sys/resource.h>
#endif

namespace edgerun::cli {

SessionOptions session_options(Args& args) {
  SessionOptions opt;
  opt.backend = args.get("backend", "auto");
  opt.threads = static_cast<int>(args.get_int("threads", 0));
  opt.expected_sha256 = args.get("sha256", "");
  opt.optimization_level = static_cast<int>(args.get_int("optimize", 1));
  opt.gpu_device = static_cast<int>(args.get_int("device", -1));
  opt.no_fallback = args.has("no-fallback");
  opt.pipeline_cache = !args.has("no-pipeline-cache");
  opt.cache_dir = args.get("cache-dir", "");
  return opt;
}

void print_backend_notes(const SessionReport& r, const SessionOptions& opt) {
  if (opt.backend != "vulkan") return;  // with auto, `edgerun info` shows them
  for (const std::string& note : r.backend_notes) std::cerr << "edgerun: " << note << "\n";
}

int fail(const Status& s) {
  std::cerr << "error: " << s.message() << " [" << status_code_name(s.code()) << "]\n";
  return 1;
}

std::string human_bytes(uint64_t b) {
  std::ostringstream os;
  os.precision(3);
  if (b >= (1ull << 30)) os << static_cast<double>(b) / (1ull << 30) << " GiB";
  else if (b >= (1ull << 20)) os << static_cast<double>(b) / (1ull << 20) << " MiB";
  else if (b >= (1ull << 10)) os << static_cast<double>(b) / (1ull << 10) << " KiB";
  else os << b << " B";
  return os.str();
}

uint64_t peak_rss_bytes() {
#if defined(__unix__) && !defined(__EMSCRIPTEN__)
  struct rusage ru {};
  getrusage(RUSAGE_SELF, &ru);
  return static_cast<uint64_t>(ru.ru_maxrss) * 1024;
#else
  return 0;
#endif
}

std::string dims_to_string(const TensorInfo& t) {
  if (!t.rank_known) return "[?]";
  std::string s = "[";
  for (size_t i = 0; i < t.shape.size(); ++i) {
    if (i) s += ",";
    s += t.shape[i] >= 0 ? std::to_string(t.shape[i]) : (t.dim_names[i].empty() ? "?" : t.dim_names[i]);
  }
  return s + "]";
}

}  // namespace edgerun::cli
