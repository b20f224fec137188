// The persistent pipeline cache: written, reloaded, and rejected (with a reason) when the device or
// driver identity or the shader set differ, or when the file is truncated or corrupt.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include <unistd.h>

#include "support/op_test.h"
#include "vulkan/pipeline_cache.h"
#include "vulkan/vulkan_backend.h"

namespace edgerun::test {
namespace {

namespace fs = std::filesystem;

struct TempDir {
  fs::path path = fs::temp_directory_path() / ("edgerun_pc_" + std::to_string(::getpid()) + "_" +
                                               std::to_string(reinterpret_cast<uintptr_t>(this) & 0xffff));
  TempDir() { fs::create_directories(path); }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
};

vk::PhysicalDeviceInfo fake_device() {
  vk::PhysicalDeviceInfo d;
  d.vendor_id = 0x10de;
  d.device_id = 0x2330;
  d.driver_version = 42;
  for (int i = 0; i < 16; ++i) d.pipeline_cache_uuid[i] = static_cast<uint8_t>(i * 7);
  return d;
}

std::vector<uint8_t> read_all(const fs::path& p) {
  std::ifstream f(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>()};
}
void write_all(const fs::path& p, const std::vector<uint8_t>& d) {
  std::ofstream f(p, std::ios::binary | std::ios::trunc);
  f.write(reinterpret_cast<const char*>(d.data()), static_cast<std::streamsize>(d.size()));
}

TEST(VulkanPipelineCache, RoundTripAndRejections) {
  TempDir dir;
  const vk::PhysicalDeviceInfo dev = fake_device();
  const std::string path = vk::pipeline_cache_path(dir.path.string(), dev);
  std::string note;
  EXPECT_TRUE(vk::load_pipeline_cache(path, dev, &note).empty());
  EXPECT_NE(note.find("cold start"), std::string::npos) << note;

  const std::vector<uint8_t> data = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12};
  ASSERT_TRUE(vk::save_pipeline_cache(path, dev, data, &note)) << note;
  EXPECT_EQ(vk::load_pipeline_cache(path, dev, &note), data);
  EXPECT_NE(note.find("loaded 12 bytes"), std::string::npos) << note;

  auto expect_rejected = [&](const vk::PhysicalDeviceInfo& d, const std::string& why) {
    std::string n;
    EXPECT_TRUE(vk::load_pipeline_cache(path, d, &n).empty()) << why;
    EXPECT_NE(n.find("ignored"), std::string::npos) << n;
    EXPECT_NE(n.find(why), std::string::npos) << n;
  };
  vk::PhysicalDeviceInfo other = dev;
  other.device_id += 1;
  expect_rejected(other, "another device");
  other = dev;
  other.driver_version += 1;
  expect_rejected(other, "another driver version");
  other = dev;
  other.pipeline_cache_uuid[3] ^= 1;
  expect_rejected(other, "UUID differs");

  const std::vector<uint8_t> good = read_all(path);
  std::vector<uint8_t> bad = good;
  bad[12 + 16 + 16 + 5] ^= 0x40;  // inside the shader-set hash
  write_all(path, bad);
  expect_rejected(dev, "other shaders");
  bad = good;
  bad.back() ^= 0x01;  // data byte
  write_all(path, bad);
  expect_rejected(dev, "checksum");
  bad = good;
  bad.resize(bad.size() - 3);
  write_all(path, bad);
  expect_rejected(dev, "truncated");
  write_all(path, {'j', 'u', 'n', 'k'});
  expect_rejected(dev, "not an edgerun pipeline cache");
}

TEST(VulkanPipelineCache, BackendWritesThenReloads) {
  TempDir dir;
  VulkanBackendOptions o;
  o.cache_dir = dir.path.string();
  {
    auto b = make_vulkan_backend(o);
    ASSERT_TRUE(b.ok()) << b.status().message();
    ASSERT_FALSE((*b)->notes().empty());
    EXPECT_NE((*b)->notes()[0].find("cold start"), std::string::npos) << (*b)->notes()[0];
    OpCall call{"Relu"};
    call.inputs = {random_tensor(DataType::kFloat32, {7}, 3)};
    auto r = run_op(**b, call);  // creates a pipeline
    ASSERT_TRUE(r.ok()) << r.status().message();
    EXPECT_GE((*b)->pipeline_creation().first, 1);
  }  // the backend writes the cache when it goes
  auto b = make_vulkan_backend(o);
  ASSERT_TRUE(b.ok()) << b.status().message();
  ASSERT_FALSE((*b)->notes().empty());
  EXPECT_NE((*b)->notes()[0].find("loaded"), std::string::npos) << (*b)->notes()[0];
}

}  // namespace
}  // namespace edgerun::test
