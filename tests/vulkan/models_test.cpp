// The real models of ../shared/models (next to the repository) on the Vulkan backend (with per-node
// fallback) vs the CPU backend: same inputs (test_data_set_0), outputs compared element by element.
// For the fp32 models the GPU must hold at least 90 % of the data-carrying nodes.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <set>
#include <string>
#include <vector>

#include "base/element.h"
#include "base/errors.h"
#include "edgerun/session.h"
#include "onnx/model.h"

namespace edgerun {
namespace {

namespace fs = std::filesystem;

fs::path shared_models() { return fs::path(EDGERUN_SOURCE_DIR) / ".." / "shared" / "models"; }

// Models whose every op has a GPU kernel (no LSTM, no QLinear*).
const std::set<std::string> kFp32Models = {"mnist-8", "resnet20-cifar10", "super-resolution-10", "ultraface-rfb-320",
                                           "teams-bgrm-segmentation", "nanogpt-ezkl"};

Result<Tensor> read_pb(const fs::path& p) {
  std::ifstream f(p, std::ios::binary);
  if (!f) return invalid_argument("cannot open ", p.string());
  const std::string bytes((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  return onnx::parse_tensor_proto(bytes.data(), bytes.size());
}

std::vector<std::string> model_names() {
  std::vector<std::string> names;
  std::error_code ec;
  if (!fs::is_directory(shared_models(), ec)) return names;
  for (const auto& e : fs::directory_iterator(shared_models(), ec))
    if (fs::exists(e.path() / "model.onnx") && fs::exists(e.path() / "test_data_set_0")) names.push_back(e.path().filename());
  std::sort(names.begin(), names.end());
  return names;
}

class VulkanModels : public ::testing::TestWithParam<std::string> {};

TEST_P(VulkanModels, MatchesCpu) {
  const fs::path dir = shared_models() / GetParam();
  SessionOptions cpu_opt, gpu_opt;
  cpu_opt.backend = "cpu";
  gpu_opt.backend = "vulkan";
  gpu_opt.pipeline_cache = false;
  auto cpu = Session::create((dir / "model.onnx").string(), cpu_opt);
  ASSERT_TRUE(cpu.ok()) << cpu.status().message();
  auto gpu = Session::create((dir / "model.onnx").string(), gpu_opt);
  ASSERT_TRUE(gpu.ok()) << gpu.status().message();
  const SessionReport& rep = gpu->report();
  if (rep.gpu_device.empty()) GTEST_SKIP() << "no Vulkan device on this machine: " << (rep.backend_notes.empty() ? "" : rep.backend_notes[0]);
  EXPECT_GT(rep.data_nodes_gpu, 0) << GetParam() << ": no node on the GPU";
  if (kFp32Models.count(GetParam())) {
    EXPECT_GE(rep.data_nodes_gpu * 10, rep.data_nodes * 9)
        << GetParam() << ": only " << rep.data_nodes_gpu << " of " << rep.data_nodes << " data-carrying nodes on the GPU";
  }

  std::vector<Tensor> inputs;
  for (size_t i = 0; i < cpu->inputs().size(); ++i) {
    auto t = read_pb(dir / "test_data_set_0" / ("input_" + std::to_string(i) + ".pb"));
    ASSERT_TRUE(t.ok()) << t.status().message();
    inputs.push_back(std::move(t).value());
  }
  auto want = cpu->run(inputs);
  ASSERT_TRUE(want.ok()) << want.status().message();
  auto got = gpu->run(inputs);
  ASSERT_TRUE(got.ok()) << got.status().message();
  ASSERT_EQ(want->size(), got->size());
  for (size_t o = 0; o < want->size(); ++o) {
    const Tensor &a = (*want)[o], &b = (*got)[o];
    ASSERT_EQ(a.dtype(), b.dtype()) << "output " << o;
    ASSERT_EQ(a.shape(), b.shape()) << "output " << o;
    // Scale of the output (max |x|): GPU sums run in a different order (tiles, fma, fp32
    // accumulation). Dequantized outputs may differ by one quantization step (rounding ties).
    double scale = 0;
    for (int64_t i = 0; i < a.numel(); ++i) scale = std::max(scale, std::fabs(element_as_double(a, i)));
    const double step = o < rep.output_quant_step.size() ? rep.output_quant_step[o] : 0.0;
    const double atol = std::max(1e-4 * std::max(scale, 1.0), step * 1.001);
    int64_t bad = 0, first = -1;
    double worst = 0;
    for (int64_t i = 0; i < a.numel(); ++i) {
      const double x = element_as_double(a, i), y = element_as_double(b, i);
      const double d = std::fabs(x - y);
      if (std::isnan(x) != std::isnan(y) || d > atol + 1e-3 * std::fabs(x)) {
        if (bad++ == 0) first = i;
      }
      if (!std::isnan(d)) worst = std::max(worst, d);
    }
    EXPECT_EQ(bad, 0) << GetParam() << " output " << o << ": " << bad << " of " << a.numel() << " elements differ (first at "
                      << first << "), max |cpu - gpu| " << worst << ", atol " << atol;
  }
}

INSTANTIATE_TEST_SUITE_P(Shared, VulkanModels, ::testing::ValuesIn(model_names()),
                         [](const ::testing::TestParamInfo<std::string>& p) {
                           std::string s = p.param;
                           for (char& c : s) if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
                           return s;
                         });
// With no ../shared/models the list is empty: say so instead of passing silently. With it, every
// fp32 model the 90 % rule names must be there (a renamed folder must not drop the check).
GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(VulkanModels);
TEST(VulkanModelsData, Fp32ModelsPresent) {
  const std::vector<std::string> names = model_names();
  if (names.empty()) GTEST_SKIP() << "no models in " << shared_models().string() << " (test data absent on this machine)";
  for (const std::string& m : kFp32Models) EXPECT_TRUE(std::count(names.begin(), names.end(), m)) << m << " missing";
}

}  // namespace
}  // namespace edgerun
