// The backends this build links, in priority order for a --backend choice.
#pragma once
#include <memory>
#include <string>
#include <vector>
#include "backend/backend.h"
#include "edgerun/session.h"

namespace edgerun {
// "auto": vulkan when a real GPU is present (CPU-type Vulkan devices are skipped), then cpu,
// then reference; "vulkan": vulkan on whatever device exists, then cpu, reference;
// "cpu": cpu, reference; "reference": reference. When Vulkan cannot be used, `notes` gets the
// reason (and "vulkan" still falls back to the CPU unless no_fallback is set).
Result<std::vector<std::unique_ptr<Backend>>> create_backends(const SessionOptions& options,
                                                              std::vector<std::string>* notes);
// The backend used to evaluate constant subgraphs at load time.
std::unique_ptr<Backend> make_evaluator_backend();
// Names of the backends compiled in.
std::vector<std::string> available_backends();
// ai.onnx ops with a GPU (Vulkan) kernel in this build (empty without Vulkan).
std::vector<std::string> gpu_kernel_ops();
}  // namespace edgerun
