#include "vulkan/pipeline_cache.h"

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>

#include <unistd.h>

#include "base/sha256.h"
#include "base/strcat.h"
#include "shaders/all_shaders.h"

namespace edgerun::vk {

namespace {
constexpr char kMagic[12] = {'E', 'D', 'G', 'E', 'R', 'U', 'N', '-', 'V', 'K', 'P', 'C'};
constexpr uint32_t kVersion = 1;
constexpr size_t kHeader = 12 + 4 * 4 + 16 + 32 + 8 + 32;

template <class T>
void put(std::vector<uint8_t>& out, const T& v) {
  const uint8_t* p = reinterpret_cast<const uint8_t*>(&v);
  out.insert(out.end(), p, p + sizeof(T));
}
template <class T>
T get(const uint8_t* p) {
  T v;
  std::memcpy(&v, p, sizeof v);
  return v;
}
}  // namespace

std::string default_cache_dir() {
  if (const char* d = std::getenv("EDGERUN_CACHE_DIR"); d && *d) return d;
  if (const char* d = std::getenv("XDG_CACHE_HOME"); d && *d) return std::string(d) + "/edgerun";
  if (const char* h = std::getenv("HOME"); h && *h) return std::string(h) + "/.cache/edgerun";
  return "";
}

std::string pipeline_cache_path(const std::string& dir, const PhysicalDeviceInfo& info) {
  char name[64];
  std::snprintf(name, sizeof name, "vulkan-pipelines-%04x-%04x.bin", info.vendor_id, info.device_id);
  return dir + "/" + name;
}

std::array<uint8_t, 32> shader_set_hash() {
  Sha256 h;
  for (std::span<const uint32_t> s : shaders::kAllShaders) {
    const uint64_t n = s.size();
    h.update(&n, sizeof n);
    h.update(s.data(), s.size_bytes());
  }
  return h.finish();
}

std::vector<uint8_t> load_pipeline_cache(const std::string& path, const PhysicalDeviceInfo& info, std::string* note) {
  std::ifstream f(path, std::ios::binary);
  if (!f) {
    *note = str_cat("pipeline cache ", path, ": none yet (cold start)");
    return {};
  }
  std::vector<uint8_t> file((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  auto reject = [&](const std::string& why) {
    *note = str_cat("pipeline cache ", path, ": ignored, ", why);
    return std::vector<uint8_t>{};
  };
  if (file.size() < kHeader || std::memcmp(file.data(), kMagic, sizeof kMagic) != 0)
    return reject("not an edgerun pipeline cache (corrupt or truncated header)");
  const uint8_t* p = file.data() + sizeof kMagic;
  if (get<uint32_t>(p) != kVersion) return reject(str_cat("format version ", get<uint32_t>(p), " (want ", kVersion, ")"));
  if (get<uint32_t>(p + 4) != info.vendor_id || get<uint32_t>(p + 8) != info.device_id)
    return reject("written for another device (vendor/device id differ)");
  if (get<uint32_t>(p + 12) != info.driver_version) return reject("written by another driver version");
  if (std::memcmp(p + 16, info.pipeline_cache_uuid, 16) != 0) return reject("driver pipeline-cache UUID differs");
  const std::array<uint8_t, 32> shaders = shader_set_hash();
  if (std::memcmp(p + 32, shaders.data(), 32) != 0) return reject("written by a build with other shaders (shader hash differs)");
  const uint64_t size = get<uint64_t>(p + 64);
  if (size != file.size() - kHeader) return reject(str_cat("truncated or corrupt (", file.size() - kHeader, " data bytes, header says ", size, ")"));
  Sha256 h;
  h.update(file.data() + kHeader, size);
  if (std::memcmp(p + 72, h.finish().data(), 32) != 0) return reject("corrupt (data checksum mismatch)");
  *note = str_cat("pipeline cache ", path, ": loaded ", size, " bytes");
  return std::vector<uint8_t>(file.begin() + static_cast<long>(kHeader), file.end());
}

bool save_pipeline_cache(const std::string& path, const PhysicalDeviceInfo& info, const std::vector<uint8_t>& data,
                         std::string* note) {
  std::vector<uint8_t> out(kMagic, kMagic + sizeof kMagic);
  put(out, kVersion);
  put(out, info.vendor_id);
  put(out, info.device_id);
  put(out, info.driver_version);
  out.insert(out.end(), info.pipeline_cache_uuid, info.pipeline_cache_uuid + 16);
  const std::array<uint8_t, 32> shaders = shader_set_hash();
  out.insert(out.end(), shaders.begin(), shaders.end());
  put(out, static_cast<uint64_t>(data.size()));
  Sha256 h;
  h.update(data.data(), data.size());
  const std::array<uint8_t, 32> sum = h.finish();
  out.insert(out.end(), sum.begin(), sum.end());
  out.insert(out.end(), data.begin(), data.end());
  std::error_code ec;
  std::filesystem::create_directories(std::filesystem::path(path).parent_path(), ec);
  const std::string tmp = path + ".tmp" + std::to_string(static_cast<long>(getpid()));
  {
    std::ofstream f(tmp, std::ios::binary | std::ios::trunc);
    if (!f || !f.write(reinterpret_cast<const char*>(out.data()), static_cast<std::streamsize>(out.size()))) {
      *note = str_cat("pipeline cache ", path, ": cannot write");
      return false;
    }
  }
  std::filesystem::rename(tmp, path, ec);
  if (ec) {
    std::filesystem::remove(tmp, ec);
    *note = str_cat("pipeline cache ", path, ": cannot write (", ec.message(), ")");
    return false;
  }
  *note = str_cat("pipeline cache ", path, ": saved ", data.size(), " bytes");
  return true;
}

}  // namespace edgerun::vk
