// The CPU backend: fast kernels for hot ops (Highway SIMD: a packed GEMM micro-kernel, Winograd
// 3x3 conv, elementwise; the same code vectorises natively and under wasm simd128), kernel/algorithm selection in create_kernel ("prepare").
#pragma once
#include <memory>
#include <string>
#include <vector>
#include "backend/backend.h"

namespace edgerun {
std::unique_ptr<Backend> make_cpu_backend();
// Ops with a fast cpu kernel (float32; each kernel's supports() has the finer conditions).
std::vector<std::string> cpu_fast_ops();
}  // namespace edgerun
