/*
 * Winograd kernels for 3x3 stride-1 convolutions, F(m x m, 3 x 3) with output tiles of m = 2, 4 or 6 and
 * input tiles of alpha = m + 2 (Lavin & Gray, "Fast Algorithms for Convolutional Neural Networks").
 *
 * Per tile d (alpha x alpha input patch) and filter g (3 x 3):  y = A^T [ (G g G^T) (.) (B^T d B) ] A,  an m x m
 * block of the convolution's output. Over a layer the element-wise product becomes alpha^2 matrix products, one per
 * "frequency" f = (row, col) of the alpha x alpha transformed domain:
 *     M_f [O/G, tiles] = U_f [O/G, C/G] x V_f [C/G, tiles]
 * where U = G g G^T (the weights, transformed once at load) and V = B^T d B (the input, transformed per call).
 * This family holds the transforms; ops/winograd.cpp runs the GEMMs (cnn4j's, kernels/gemm) and the tiling.
 *
 * Tiles come in "runs": up to kMaxRunTiles consecutive tiles (across tile rows and images, so that small maps
 * still fill whole vectors), which is the unit both transforms work on (the input side reads them from two
 * zero-padded strips, the output side writes them to a strip of m rows that the epilogue then copies out, one
 * contiguous segment per tile row).
 *
 * Accuracy: F(2,3), F(4,3) and F(6,3) are exact in real arithmetic; in float32 their transforms amplify rounding
 * (B and A have entries up to 1 for F(2,3), 5 and 8 for F(4,3), 21/4 and 32 for F(6,3)). The bounds, measured
 * against a float64 reference, are stated and tested in WinogradConformanceTest.
 */
#ifndef CNN4J_KERNELS_WINOGRAD_H
#define CNN4J_KERNELS_WINOGRAD_H

#include <cstdint>

namespace cnn4j {

/* Most tiles in one run; the kernels keep a run's strip on the stack. */
constexpr int64_t kWinogradMaxRunTiles = 64;
/* Widest vector (floats) any variant loads: a strip or product buffer must be readable this far past its run. */
constexpr int64_t kWinogradMaxLanes = 16;

struct WinogradKernels {
    /* Input transform of one channel's run of `count` (1 .. kWinogradMaxRunTiles) tiles, m = 2, 4 or 6. The run may
       span tile rows and images: each tile's patch comes from two zero-padded strips of alpha rows, `strip_stride`
       floats apart: columns j < m of tile k's patch at strip[k * m + j], columns j >= m (the overlap with the next
       tile in its row) at strip_next[k * m + j - m]. Both readable up to column (count rounded up to
       kWinogradMaxLanes) * m. Writes V[f * freq_stride + k] = (B^T d_k B)[f] for f < alpha^2 (row-major
       (row, col)), k < count, and nothing past k = count. Returns true if a patch held a NaN or Inf. */
    bool (*input_run)(int m, const float* strip, const float* strip_next, int64_t strip_stride, int64_t count,
                      float* V, int64_t freq_stride);

    /* Output transform of one output channel's run of `count` tiles: M[f * freq_stride + k] (f < alpha^2,
       k < count; readable up to k < count + kWinogradMaxLanes) are the products of tile k. Writes
       strip[i * strip_stride + k * m + j] = (A^T M_k A)[i][j] for i, j < m and k < count rounded up to
       kWinogradMaxLanes (the lanes past count are garbage). */
    void (*output_run)(int m, const float* M, int64_t freq_stride, int64_t count, float* strip, int64_t strip_stride);

    /* The epilogue over a rows x cols patch: y[i * y_stride + x] = act(src[i * src_stride + x] + bias +
       residual[i * y_stride + x]), act = `kind`: CNN4J_ACT_IDENTITY, _RELU or _RELU6 (callers apply other
       activations afterwards). src rows are readable kWinogradMaxLanes floats past cols; residual is nullable and
       may not overlap y. */
    void (*epilogue)(const float* src, int64_t src_stride, int64_t rows, int64_t cols, float bias,
                     const float* residual, int kind, float* y, int64_t y_stride);
};

extern const WinogradKernels kWinogradScalar;
extern const WinogradKernels kWinogradAvx2;
extern const WinogradKernels kWinogradAvx512;
extern const WinogradKernels kWinogradNeon;

/* Weight transform, once per layer (any ISA: it runs at load, in float64, rounded once):
   weight [O, C/G, 3, 3] -> U [G][alpha^2] matrices [O/G, C/G], U[g][f][o][c] = (G w[g*O/G + o][c] G^T)[f], each
   packed for the GEMM kernels (kernels/gemm: gemm_packed_floats(O/G, C/G) floats, panels of 8 rows). */
void winograd_transform_weights(int m, int64_t out_channels, int64_t in_channels_per_group, int64_t groups,
                                const float* weight, float* transformed);

}  // namespace cnn4j

#endif
