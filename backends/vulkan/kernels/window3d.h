// Sliding-window geometry for the Vulkan conv and pool shaders (kernels/conv.cpp, kernels/pool.cpp).
// 1 to 3 spatial dims are canonicalised to 3-D (leading size-1 dims), as the reference kernels do,
// and packed as push constants in the shaders' order: in, out, kernel, strides, dilations, begin pads.
#pragma once

#include <algorithm>
#include <cstdint>
#include <limits>
#include <vector>

#include "base/errors.h"
#include "ops/conv_util.h"

namespace edgerun::vk {

struct Window3 {
  int32_t in[3] = {1, 1, 1}, out[3] = {1, 1, 1}, k[3] = {1, 1, 1}, s[3] = {1, 1, 1}, dl[3] = {1, 1, 1};
  int32_t pb[3] = {0, 0, 0}, pe[3] = {0, 0, 0};
  int32_t in_plane() const { return in[0] * in[1] * in[2]; }
  int32_t out_plane() const { return out[0] * out[1] * out[2]; }
  int32_t ksize() const { return k[0] * k[1] * k[2]; }
  // The 18 push-constant ints: in[3], out[3], k[3], s[3], dl[3], pb[3].
  void pack(int32_t* dst) const {
    const int32_t* parts[] = {in, out, k, s, dl, pb};
    for (int p = 0; p < 6; ++p)
      for (int i = 0; i < 3; ++i) dst[p * 3 + i] = parts[p][i];
  }
};

// The canonical geometry of window params `p` on spatial input `in` with per-dim output geometry `g`.
// Fails when a value does not fit the shaders' 32-bit indices.
inline Result<Window3> make_window3(const WindowParams& p, const std::vector<int64_t>& in, const std::vector<DimGeom>& g) {
  Window3 w;
  const size_t nsp = in.size();
  if (nsp < 1 || nsp > 3 || g.size() != nsp) return invalid_argument("expected 1 to 3 spatial dims, got ", nsp);
  const size_t off = 3 - nsp;
  constexpr int64_t kMax = std::numeric_limits<int32_t>::max() / 2;
  for (size_t i = 0; i < nsp; ++i) {
    const int64_t v[] = {in[i], g[i].out, p.kernel[i], p.strides[i], p.dilations[i], g[i].pad_begin, g[i].pad_end};
    for (int64_t x : v)
      if (x < -kMax || x > kMax) return invalid_argument("window geometry value ", x, " exceeds 32-bit indices");
    w.in[off + i] = static_cast<int32_t>(in[i]);
    w.out[off + i] = static_cast<int32_t>(g[i].out);
    w.k[off + i] = static_cast<int32_t>(p.kernel[i]);
    w.s[off + i] = static_cast<int32_t>(p.strides[i]);
    w.dl[off + i] = static_cast<int32_t>(p.dilations[i]);
    w.pb[off + i] = static_cast<int32_t>(g[i].pad_begin);
    w.pe[off + i] = static_cast<int32_t>(g[i].pad_end);
  }
  return w;
}

// Grid size along y/z (the Vulkan minimum of maxComputeWorkGroupCount; the shaders grid-stride).
inline uint32_t clamp_groups(int64_t n) {
  return static_cast<uint32_t>(std::max<int64_t>(1, std::min<int64_t>(n, 65535)));
}

}  // namespace edgerun::vk
