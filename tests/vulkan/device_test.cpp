// Device layer on whatever Vulkan device exists (lavapipe without a GPU), and the "no Vulkan" path.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <numeric>
#include <string>
#include <vector>

#include "shaders/elementwise_unary.spv.h"
#include "vulkan/device/device.h"
#include "vulkan/vulkan_backend.h"

namespace edgerun::vk {
namespace {

Device open_device() {
  Result<Instance> inst = Instance::create();
  EXPECT_TRUE(inst.ok()) << inst.status().message();
  Result<Device> dev = inst->create_device();
  EXPECT_TRUE(dev.ok()) << dev.status().message();
  return std::move(dev).value();
}

TEST(VulkanDevice, ScoresDeviceTypes) {
  EXPECT_GT(device_type_score(VK_PHYSICAL_DEVICE_TYPE_DISCRETE_GPU),
            device_type_score(VK_PHYSICAL_DEVICE_TYPE_INTEGRATED_GPU));
  EXPECT_GT(device_type_score(VK_PHYSICAL_DEVICE_TYPE_INTEGRATED_GPU),
            device_type_score(VK_PHYSICAL_DEVICE_TYPE_VIRTUAL_GPU));
  EXPECT_GT(device_type_score(VK_PHYSICAL_DEVICE_TYPE_VIRTUAL_GPU), device_type_score(VK_PHYSICAL_DEVICE_TYPE_CPU));
  EXPECT_GT(device_type_score(VK_PHYSICAL_DEVICE_TYPE_CPU), device_type_score(VK_PHYSICAL_DEVICE_TYPE_OTHER));
}

TEST(VulkanDevice, InstanceListsDevices) {
  Result<Instance> inst = Instance::create();
  ASSERT_TRUE(inst.ok()) << inst.status().message();
  ASSERT_FALSE(inst->devices().empty());
  const int best = inst->best_device();
  ASSERT_GE(best, 0);
  for (const PhysicalDeviceInfo& d : inst->devices()) {
    std::printf("  device %u: %s (%s) score %d, maxStorageBufferRange %llu%s%s\n", d.index, d.name.c_str(),
                device_type_name(d.type), d.score, static_cast<unsigned long long>(d.max_storage_buffer_range),
                d.unusable_reason.empty() ? "" : ", unusable: ", d.unusable_reason.c_str());
    EXPECT_LE(d.score, inst->devices()[static_cast<size_t>(best)].score);
  }
}

TEST(VulkanDevice, CreatesDeviceAndRejectsBadIndex) {
  Result<Instance> inst = Instance::create();
  ASSERT_TRUE(inst.ok()) << inst.status().message();
  Result<Device> dev = inst->create_device();
  ASSERT_TRUE(dev.ok()) << dev.status().message();
  EXPECT_GT(dev->info().max_storage_buffer_range, 0u);
  EXPECT_GT(dev->info().max_workgroup_count_x, 0u);
  EXPECT_FALSE(dev->lost());
  Result<Device> bad = inst->create_device(99);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), StatusCode::kInvalidArgument);
  // The device outlives its Instance object (it keeps the instance state alive).
  Device d = std::move(dev).value();
  inst = Status(StatusCode::kInternal, "dropped");
  EXPECT_TRUE(d.create_buffer(16).ok());
}

TEST(VulkanDevice, BufferRoundTrip) {
  Device dev = open_device();
  std::vector<float> src(1000);
  std::iota(src.begin(), src.end(), -3.5f);
  Result<Buffer> buf = dev.create_buffer(src.size() * sizeof(float));
  ASSERT_TRUE(buf.ok()) << buf.status().message();
  ASSERT_TRUE(buf->write(src.data(), src.size() * sizeof(float)).ok());
  Buffer moved = std::move(buf).value();  // move-only; the moved-from one is empty
  std::vector<float> dst(src.size());
  ASSERT_TRUE(moved.read(dst.data(), dst.size() * sizeof(float)).ok());
  EXPECT_EQ(src, dst);
  EXPECT_FALSE(moved.write(src.data(), 8, moved.size() - 4).ok());  // out of bounds
  EXPECT_FALSE(moved.read(dst.data(), moved.size() + 1).ok());
  Result<Buffer> huge = dev.create_buffer(static_cast<size_t>(dev.info().max_storage_buffer_range) + 4);
  ASSERT_FALSE(huge.ok());
  EXPECT_NE(huge.status().message().find("maxStorageBufferRange"), std::string::npos) << huge.status().message();
}

TEST(VulkanDevice, DispatchesPipelineAndChecksArguments) {
  Device dev = open_device();
  Result<ComputePipeline> p = dev.create_pipeline({shaders::kSpirv_elementwise_unary, 2, 4, {64, 0}});
  ASSERT_TRUE(p.ok()) << p.status().message();
  const uint32_t n = 1000;
  std::vector<float> x(n);
  for (uint32_t i = 0; i < n; ++i) x[i] = static_cast<float>(i) - 500.0f;
  Result<Buffer> in = dev.create_buffer(n * 4);
  Result<Buffer> out = dev.create_buffer(n * 4);
  ASSERT_TRUE(in.ok() && out.ok());
  ASSERT_TRUE(in->write(x.data(), n * 4).ok());
  Buffer* bind[] = {&*in, &*out};
  Result<CommandRecorder> rec = dev.begin_commands(2);
  ASSERT_TRUE(rec.ok()) << rec.status().message();
  // Wrong number of buffers / push bytes are errors, not crashes.
  EXPECT_FALSE(rec->dispatch(*p, std::span<Buffer* const>(bind, 1), &n, 4, 1).ok());
  EXPECT_FALSE(rec->dispatch(*p, bind, &n, 8, 1).ok());
  ASSERT_TRUE(rec->dispatch(*p, bind, &n, 4, 3).ok());  // 3 groups of 64 < n: grid-stride loop covers it
  Status s = dev.submit_and_wait(*rec, std::chrono::seconds(30));
  ASSERT_TRUE(s.ok()) << s.message();
  std::vector<float> y(n);
  ASSERT_TRUE(out->read(y.data(), n * 4).ok());
  for (uint32_t i = 0; i < n; ++i) ASSERT_EQ(y[i], x[i] > 0 ? x[i] : 0.0f) << i;
  // A finished recorder can be replayed: the same commands run again on new input data.
  for (uint32_t i = 0; i < n; ++i) x[i] = -x[i];
  ASSERT_TRUE(in->write(x.data(), n * 4).ok());
  s = dev.submit_and_wait(*rec, std::chrono::seconds(30));
  ASSERT_TRUE(s.ok()) << s.message();
  ASSERT_TRUE(out->read(y.data(), n * 4).ok());
  for (uint32_t i = 0; i < n; ++i) ASSERT_EQ(y[i], x[i] > 0 ? x[i] : 0.0f) << i;
}

TEST(VulkanDevice, RejectsBadSpirv) {
  Device dev = open_device();
  const uint32_t junk[] = {1, 2, 3, 4, 5, 6};
  Result<ComputePipeline> p = dev.create_pipeline({junk, 0, 0, {}});
  ASSERT_FALSE(p.ok());
  EXPECT_NE(p.status().message().find("SPIR-V"), std::string::npos);
}

TEST(VulkanDevice, NoLoaderIsAStatus) {
  Result<Instance> inst = Instance::create({"libvulkan_does_not_exist.so.1"});
  ASSERT_FALSE(inst.ok());
  EXPECT_EQ(inst.status().code(), StatusCode::kUnavailable);
  EXPECT_NE(inst.status().message().find("no Vulkan loader"), std::string::npos) << inst.status().message();
}

// Runs in a child process started by NoDriverIsAStatus with VK_DRIVER_FILES=/nonexistent.
TEST(VulkanNoDriver, Child) {
  if (!std::getenv("EDGERUN_VK_EXPECT_NO_DRIVER")) GTEST_SKIP() << "only run by VulkanDevice.NoDriverIsAStatus";
  Result<std::unique_ptr<Backend>> b = make_vulkan_backend();
  ASSERT_FALSE(b.ok());
  EXPECT_EQ(b.status().code(), StatusCode::kUnavailable);
  std::printf("  no-driver status: %s\n", b.status().message().c_str());
  EXPECT_NE(b.status().message().find("VK_ERROR_INCOMPATIBLE_DRIVER"), std::string::npos) << b.status().message();
}

TEST(VulkanDevice, NoDriverIsAStatus) {
  char exe[4096];
  const ssize_t len = readlink("/proc/self/exe", exe, sizeof exe - 1);
  ASSERT_GT(len, 0);
  exe[len] = 0;
  const std::string cmd = std::string("VK_DRIVER_FILES=/nonexistent VK_ICD_FILENAMES=/nonexistent "
                                      "EDGERUN_VK_EXPECT_NO_DRIVER=1 '") +
                          exe + "' --gtest_filter=VulkanNoDriver.Child";
  const int rc = std::system(cmd.c_str());
  EXPECT_EQ(rc, 0) << cmd;
}

}  // namespace
}  // namespace edgerun::vk
