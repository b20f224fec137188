// 3x3 convolution (stride 1, dilation 1, group 1, NCHW, float32) by Winograd's minimal filtering
// F(2x2, 3x3): each 2x2 block of outputs is computed from a 4x4 input tile with 16 products per
// (input channel, output channel) instead of 36, i.e. 2.25x fewer multiply-adds than im2col + GEMM.
//   U = G g G^T  (weights, 4x4 per (m, c), transformed once at prepare)
//   V = B^T d B  (input tiles, per block of tiles)
//   M_xi = U_xi V_xi for the 16 positions xi: 16 GEMMs [M x C] x [C x tiles] on packed_gemm
//   Y = A^T M A  (2x2 outputs per tile) + bias, then the fused activation
// with B^T = [1 0 -1 0; 0 1 1 0; 0 -1 1 0; 0 1 0 -1], G = [1 0 0; .5 .5 .5; .5 -.5 .5; 0 0 1],
// A^T = [1 1 1 0; 0 1 -1 -1]. Transforms are Highway code vectorised across tiles.
// The extra rounding of the transforms is small (the points are 0, +-1: products by 0.5 and
// sums of a few terms), well inside the tolerances the cpu kernels are tested with.
#pragma once

#include <cstdint>
#include <vector>

#include "cpu/kernels/cpu_common.h"
#include "cpu/kernels/packed_gemm.h"

namespace edgerun {
class ThreadPool;
}

namespace edgerun::cpu {

struct WinogradWeights {
  int64_t M = 0, C = 0;
  std::vector<PackedA> u;  // 16 matrices U_xi [M, C], packed for packed_gemm
  bool empty() const { return u.empty(); }
};

// Transforms the weights w[M][C][3][3].
WinogradWeights winograd_weights(const float* w, int64_t M, int64_t C);

// Whether F(2x2, 3x3) is expected to beat im2col + GEMM for these sizes (enough channels for
// the GEMMs to dominate the transforms).
bool winograd_suitable(int64_t C, int64_t M, int64_t OH, int64_t OW);

// y[N][M][OH][OW] = act(conv3x3(x[N][C][H][W]) + bias[m]) with stride 1, dilation 1 and pads
// top/left pt/pl (bottom/right pads are implied by OH/OW: input outside [0,H) x [0,W) is 0).
// bias may be null. Threads over blocks of tiles (and, for small images, within a block).
void winograd_conv3x3(const WinogradWeights& wt, const float* x, int64_t N, int64_t H, int64_t W, int64_t pt,
                      int64_t pl, int64_t OH, int64_t OW, const float* bias, const Activation& act, float* y,
                      ThreadPool* pool);

}  // namespace edgerun::cpu
