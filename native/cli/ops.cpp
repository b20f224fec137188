// `edgerun ops`: the supported-ops table, generated from the registries.
// `edgerun hash MODEL`: the SHA-256 that SessionOptions::expected_sha256 checks.
#include <algorithm>
#include <map>
#include <set>

#include "api/backends.h"
#include "cpu/cpu_backend.h"
#include "commands.h"
#include "common.h"
#include "ops/op_def.h"
#include "reference/reference_backend.h"

namespace edgerun::cli {

int cmd_ops(int argc, char** argv) {
  Args args(argc, argv, 2, {}, {});
  if (!args.ok()) { std::cerr << args.error() << "\n"; return 2; }
  std::vector<const OpDef*> defs(all_op_defs().begin(), all_op_defs().end());
  std::sort(defs.begin(), defs.end(), [](const OpDef* a, const OpDef* b) {
    return std::string(a->domain) != b->domain ? std::string(a->domain) < b->domain : std::string(a->name) < b->name;
  });
  const std::vector<std::string> fast = cpu_fast_ops();
  const std::set<std::string> gpu = [] { auto v = gpu_kernel_ops(); return std::set<std::string>(v.begin(), v.end()); }();
  const bool has_gpu = !available_backends().empty() && available_backends()[0] == "vulkan";
  std::cout << "| domain | op | reference kernel | fast cpu kernel (float32) |" << (has_gpu ? " vulkan kernel |" : "")
            << "\n|---|---|---|---|" << (has_gpu ? "---|" : "") << "\n";
  for (const OpDef* d : defs) {
    const bool ref = find_reference_kernel(d->domain, d->name) != nullptr;
    const bool is_fast = d->domain[0] == 0 && std::find(fast.begin(), fast.end(), d->name) != fast.end();
    std::cout << "| " << (d->domain[0] ? d->domain : "ai.onnx") << " | " << d->name << " | " << (ref ? "yes" : "—") << " | "
              << (is_fast ? "yes" : "—") << " |";
    if (has_gpu) std::cout << " " << (d->domain[0] == 0 && gpu.count(d->name) ? "yes" : "—") << " |";
    std::cout << "\n";
  }
  std::cout << "\n" << defs.size() << " ops";
  if (has_gpu) std::cout << " (vulkan: " << gpu.size() << " with a GPU kernel; each kernel's conditions on dtypes and attributes are in `edgerun info --backend vulkan`)";
  std::cout << "\n";
  return 0;
}

int cmd_hash(int argc, char** argv) {
  Args args(argc, argv, 2, {}, {});
  if (!args.ok() || args.positional().size() != 1) {
    std::cerr << "usage: edgerun hash MODEL\n";
    return 2;
  }
  auto h = model_sha256(args.positional()[0]);
  if (!h.ok()) return fail(h.status());
  std::cout << *h << "  " << args.positional()[0] << "\n";
  return 0;
}

}  // namespace edgerun::cli
