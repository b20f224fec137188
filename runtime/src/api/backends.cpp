#include "api/backends.h"

#include <cstdlib>

#include "base/errors.h"
#include "cpu/cpu_backend.h"
#include "reference/reference_backend.h"
#ifdef EDGERUN_HAVE_VULKAN
#include "vulkan/pipeline_cache.h"
#include "vulkan/vulkan_backend.h"
#endif

namespace edgerun {

Result<std::vector<std::unique_ptr<Backend>>> create_backends(const SessionOptions& options,
                                                              std::vector<std::string>* notes) {
  const std::string& choice = options.backend;
  std::vector<std::unique_ptr<Backend>> v;
  if (choice == "auto" || choice == "vulkan") {
#ifdef EDGERUN_HAVE_VULKAN
    VulkanBackendOptions vo;
    vo.device = options.gpu_device;
    vo.skip_cpu_devices = choice == "auto";
    if (options.pipeline_cache) vo.cache_dir = options.cache_dir.empty() ? vk::default_cache_dir() : options.cache_dir;
    auto vk = make_vulkan_backend(vo);
    if (vk.ok()) {
      v.push_back(std::move(vk).value());
    } else {
      const std::string why = "vulkan unavailable: " + vk.status().message();
      if (options.no_fallback || (choice == "vulkan" && options.gpu_device >= 0))
        return Status(StatusCode::kUnavailable, why + (options.no_fallback ? " (--no-fallback)" : ""));
      notes->push_back(why + "; running on the cpu backend");
    }
#else
    if (choice == "vulkan" || options.no_fallback)
      return Status(StatusCode::kUnavailable, "this build has no Vulkan backend (built with EDGERUN_VULKAN=OFF)");
#endif
    v.push_back(make_cpu_backend());
    v.push_back(make_reference_backend());
  } else if (choice == "cpu") {
    v.push_back(make_cpu_backend());
    v.push_back(make_reference_backend());
  } else if (choice == "reference") {
    v.push_back(make_reference_backend());
  } else {
    return invalid_argument("unknown backend '", choice, "' (choose auto, vulkan, cpu or reference)");
  }
  return v;
}

std::unique_ptr<Backend> make_evaluator_backend() { return make_reference_backend(); }

std::vector<std::string> available_backends() {
#ifdef EDGERUN_HAVE_VULKAN
  return {"vulkan", "cpu", "reference"};
#else
  return {"cpu", "reference"};
#endif
}

std::vector<std::string> gpu_kernel_ops() {
#ifdef EDGERUN_HAVE_VULKAN
  return vulkan_ops();
#else
  return {};
#endif
}

}  // namespace edgerun
