/*
 * Winograd convolution for 3x3 stride-1 layers (the C ABI of cnn4j.h; the transforms are kernels/winograd).
 *
 * Tiles: the output is cut into m x m tiles, tiles_h x tiles_w per image; tile (ty, tx) reads the alpha x alpha
 * input patch at (ty*m - pad_h, tx*m - pad_w), zeros outside the image. Tiles of all images are numbered in one
 * sequence (image, ty, tx), so a batch of small maps still makes wide GEMMs.
 *
 * Per group, the tiles go in blocks of `block` tiles, each in three passes over the pool:
 *   1. input transform, per input channel:   V [C/G][alpha^2][block]
 *   2. one GEMM per frequency f:             M_f [O/G, n] = U_f [O/G, C/G] x V_f [C/G, n]  (kernels/gemm, U packed)
 *   3. output transform + epilogue, per output channel, straight into the output (bias, ReLU/ReLU6, residual);
 *      other activations run afterwards as one pass of the activation family.
 * The block is sized so that V and M (the workspace) stay in the last-level cache between the passes. Every
 * pass splits its work the same way whatever the thread count, so results do not depend on it. An input holding NaN
 * or Inf, seen by pass 1's transform, stops the call with CNN4J_NONFINITE_INPUT (cnn4j.h): the exact path then runs.
 */
#include <algorithm>
#include <atomic>
#include <cstring>

#include "ops/gemm.h"
#include "ops/window.h"
#include "runtime/kernels.h"
#include "runtime/threadpool.h"

namespace cnn4j {
namespace {

/* Bytes of V + M that one block may take: 4 MiB keeps both in L2 + a slice of L3 on current x86 and arm64 cores
   while giving GEMMs a few hundred columns on typical layers (2, 4 and 8 MiB within noise on Zen 5, 4 the best). */
constexpr int64_t kBlockBytes = 4 << 20;
/* A block never has fewer tiles than this (unless the layer has fewer): narrower GEMMs run far from peak. */
constexpr int64_t kMinBlockTiles = 2 * kGemmColumnMultiple;

struct Tiling {
    int m, alpha;
    int64_t frequencies;
    int64_t H, W, OH, OW, pad_h, pad_w;
    int64_t tiles_h, tiles_w, tiles_per_image, tiles;
    int64_t Cg, Og;
    int64_t block;  // tiles per block, a multiple of kGemmColumnMultiple (whole GEMM tiles) and kWinogradMaxLanes
};

Tiling tiling(int m, const cnn4j_window& w, int64_t batch, int64_t in_channels, int64_t out_channels, int64_t groups) {
    Tiling t;
    t.m = m;
    t.alpha = m + 2;
    t.frequencies = t.alpha * t.alpha;
    t.H = w.in[1], t.W = w.in[2], t.OH = w.out[1], t.OW = w.out[2];
    t.pad_h = w.pad_begin[1], t.pad_w = w.pad_begin[2];
    t.tiles_h = ceil_div(t.OH, m), t.tiles_w = ceil_div(t.OW, m);
    t.tiles_per_image = t.tiles_h * t.tiles_w;
    t.tiles = batch * t.tiles_per_image;
    t.Cg = in_channels / groups, t.Og = out_channels / groups;
    const int64_t bytes_per_tile = (t.Cg + t.Og) * t.frequencies * (int64_t)sizeof(float);
    const int64_t budget = std::max(kMinBlockTiles, kBlockBytes / bytes_per_tile);
    // Equal blocks rather than full ones and a small remainder: the last GEMMs stay as wide as the others.
    const int64_t blocks = std::max<int64_t>(1, ceil_div(t.tiles, budget));
    t.block = ceil_div(ceil_div(std::max<int64_t>(1, t.tiles), blocks), kGemmColumnMultiple) * kGemmColumnMultiple;
    return t;
}

int64_t transformed_input_floats(const Tiling& t) { return t.frequencies * t.Cg * t.block; }

/* Visits the tile-row segments of tiles [first, first + count): fn(tile, n, ty, tx, length), each inside one tile
   row of one image. */
template <typename Fn>
void for_each_segment(const Tiling& t, int64_t first, int64_t count, const Fn& fn) {
    for (int64_t tile = first, end = first + count; tile < end;) {
        const int64_t n = tile / t.tiles_per_image, r = tile % t.tiles_per_image;
        const int64_t ty = r / t.tiles_w, tx = r % t.tiles_w;
        const int64_t length = std::min(end - tile, t.tiles_w - tx);
        fn(tile, n, ty, tx, length);
        tile += length;
    }
}

/* Widest strip a run uses: its tiles rounded up to whole vectors, at up to 6 columns each. */
constexpr int64_t kStripWidth = (kWinogradMaxRunTiles + kWinogradMaxLanes) * 6;

/* Copies input columns [x0, x0 + width) of row y to dst, zeros outside the image. */
void copy_row(const Tiling& t, const float* plane, int64_t y, int64_t x0, int64_t width, float* dst) {
    const int64_t from = std::max<int64_t>(0, -x0), to = std::max(from, std::min(width, t.W - x0));
    if (y < 0 || y >= t.H || to == from) {
        std::memset(dst, 0, width * sizeof(float));
        return;
    }
    if (from > 0) std::memset(dst, 0, from * sizeof(float));
    std::memcpy(dst + from, plane + y * t.W + x0 + from, (to - from) * sizeof(float));
    if (to < width) std::memset(dst + to, 0, (width - to) * sizeof(float));
}

/* Pass 1 for one input channel plane [H, W]: V[f][c][k] for the block's tiles, in runs of up to
   kWinogradMaxRunTiles tiles (across tile rows and images). True if the tiles read a NaN or Inf. */
bool transform_input_channel(const WinogradKernels& k, const Tiling& t, const float* plane_of_image0,
                             int64_t image_stride, int64_t block_first, int64_t block_count, float* V_c,
                             int64_t freq_stride) {
    float strip[8][kStripWidth], strip_next[8][kStripWidth];
    bool nonfinite = false;
    for (int64_t run_first = block_first, block_end = block_first + block_count; run_first < block_end;
         run_first += kWinogradMaxRunTiles) {
        const int64_t run = std::min(kWinogradMaxRunTiles, block_end - run_first);
        for_each_segment(t, run_first, run, [&](int64_t tile, int64_t n, int64_t ty, int64_t tx, int64_t length) {
            const float* plane = plane_of_image0 + n * image_stride;
            const int64_t column = (tile - run_first) * t.m, x0 = tx * t.m - t.pad_w, width = length * t.m;
            for (int i = 0; i < t.alpha; i++) {
                const int64_t y = ty * t.m - t.pad_h + i;
                copy_row(t, plane, y, x0, width, strip[i] + column);
                copy_row(t, plane, y, x0 + t.m, width, strip_next[i] + column);
            }
        });
        // The lanes past the run read zeros (their results are not stored).
        const int64_t used = run * t.m, padded = ceil_div(run, kWinogradMaxLanes) * kWinogradMaxLanes * t.m;
        for (int i = 0; i < t.alpha; i++) {
            std::memset(strip[i] + used, 0, (padded - used) * sizeof(float));
            std::memset(strip_next[i] + used, 0, (padded - used) * sizeof(float));
        }
        nonfinite |= k.input_run(t.m, strip[0], strip_next[0], kStripWidth, run, V_c + (run_first - block_first),
                                 freq_stride);
    }
    return nonfinite;
}

/* Pass 3 for one output channel: its pixels of the block's tiles, with the epilogue. */
void transform_output_channel(const WinogradKernels& k, const Tiling& t, const float* M_o, int64_t freq_stride,
                              int64_t block_first, int64_t block_count, float bias, int inline_kind,
                              const float* residual_of_image0, float* output_of_image0, int64_t image_stride) {
    float strip[6][kStripWidth];
    for (int64_t run_first = block_first, block_end = block_first + block_count; run_first < block_end;
         run_first += kWinogradMaxRunTiles) {
        const int64_t run = std::min(kWinogradMaxRunTiles, block_end - run_first);
        k.output_run(t.m, M_o + (run_first - block_first), freq_stride, run, strip[0], kStripWidth);
        for_each_segment(t, run_first, run, [&](int64_t tile, int64_t n, int64_t ty, int64_t tx, int64_t length) {
            const int64_t y0 = ty * t.m, x0 = tx * t.m;
            const int64_t offset = n * image_stride + y0 * t.OW + x0;
            const int64_t rows = std::min<int64_t>(t.m, t.OH - y0), cols = std::min(length * t.m, t.OW - x0);
            k.epilogue(strip[0] + (tile - run_first) * t.m, kStripWidth, rows, cols, bias,
                       residual_of_image0 ? residual_of_image0 + offset : nullptr, inline_kind,
                       output_of_image0 + offset, t.OW);
        });
    }
}

bool is_tile_size(int tile) { return tile == 2 || tile == 4 || tile == 6; }

bool is_inline_activation(int kind) {
    return kind == CNN4J_ACT_IDENTITY || kind == CNN4J_ACT_RELU || kind == CNN4J_ACT_RELU6;
}

}  // namespace
}  // namespace cnn4j

using namespace cnn4j;

extern "C" {

int64_t cnn4j_winograd_weight_size(int tile, int64_t out_channels, int64_t in_channels, int64_t groups) {
    if (groups <= 0) return 0;
    return (int64_t)(tile + 2) * (tile + 2) * groups * gemm_packed_floats(out_channels / groups, in_channels / groups);
}

int cnn4j_winograd_transform_weights(int tile, int64_t out_channels, int64_t in_channels, int64_t groups,
                                     const float* weight, float* transformed) {
    if (!weight || !transformed || groups <= 0 || !is_tile_size(tile)) return CNN4J_ERROR_ARGUMENT;
    winograd_transform_weights(tile, out_channels, in_channels / groups, groups, weight, transformed);
    return CNN4J_OK;
}

int64_t cnn4j_winograd_workspace_size(int tile, const int64_t* window, int64_t batch, int64_t in_channels,
                                      int64_t out_channels, int64_t groups) {
    if (!window || groups <= 0 || !is_tile_size(tile)) return 0;
    const Tiling t = tiling(tile, as_window(window), batch, in_channels, out_channels, groups);
    // V, then M, then one vector of slack: the output transform loads whole vectors past a run's last tile.
    return transformed_input_floats(t) + t.frequencies * t.Og * t.block + kWinogradMaxLanes;
}

int cnn4j_winograd_forward(int tile, const int64_t* window, int64_t batch, int64_t in_channels, int64_t out_channels,
                           int64_t groups, const float* input, const float* transformed_weight, const float* bias,
                           int act_kind, float alpha, const float* residual, float* output, float* workspace) {
    if (!window || !input || !transformed_weight || !output || !workspace || groups <= 0 || !is_tile_size(tile)) {
        return CNN4J_ERROR_ARGUMENT;
    }
    const KernelTable& table = kernels();
    const WinogradKernels& k = *table.winograd;
    const Tiling t = tiling(tile, as_window(window), batch, in_channels, out_channels, groups);
    const int64_t in_plane = t.H * t.W, out_plane = t.OH * t.OW;
    const int64_t in_image = in_channels * in_plane, out_image = out_channels * out_plane;
    float* V = workspace;
    float* M = workspace + transformed_input_floats(t);
    // V [C/G][alpha^2][block] and M [O/G][alpha^2][block]: each channel's transformed tiles are one compact stretch
    // (alpha^2 x block floats, in L1/L2) for the transforms that write and read them one channel at a time, while
    // the GEMMs read and write frequency f's rows with a stride of a channel's stretch.
    const int64_t channel_stride = t.frequencies * t.block;
    const int inline_kind = is_inline_activation(act_kind) ? act_kind : CNN4J_ACT_IDENTITY;
    for (int64_t g = 0; g < groups; g++) {
        const int64_t U_matrix = gemm_packed_floats(t.Og, t.Cg);
        const float* U_g = transformed_weight + g * t.frequencies * U_matrix;
        for (int64_t first = 0; first < t.tiles; first += t.block) {
            const int64_t count = std::min(t.block, t.tiles - first);
            std::atomic<bool> nonfinite{false};
            parallel_for(t.Cg, 1, [&](int64_t begin, int64_t end) {
                bool seen = false;
                for (int64_t c = begin; c < end; c++) {
                    seen |= transform_input_channel(k, t, input + (g * t.Cg + c) * in_plane, in_image, first, count,
                                                    V + c * channel_stride, t.block);
                }
                if (seen) nonfinite.store(true, std::memory_order_relaxed);
            });
            if (nonfinite.load(std::memory_order_relaxed)) return CNN4J_NONFINITE_INPUT;
            parallel_for(t.frequencies, 1, [&](int64_t begin, int64_t end) {
                for (int64_t f = begin; f < end; f++) {
                    packed_sgemm(*table.gemm, t.Og, t.Cg, U_g + f * U_matrix, V + f * t.block, channel_stride,
                                 M + f * t.block, channel_stride, 0, t.Og, 0, count);
                }
            });
            parallel_for(t.Og, 1, [&](int64_t begin, int64_t end) {
                for (int64_t o = begin; o < end; o++) {
                    const int64_t oc = g * t.Og + o;
                    transform_output_channel(k, t, M + o * channel_stride, t.block, first, count,
                                             bias ? bias[oc] : 0.0f, inline_kind,
                                             residual ? residual + oc * out_plane : nullptr,
                                             output + oc * out_plane, out_image);
                }
            });
        }
    }
    if (!is_inline_activation(act_kind)) {
        // Bias and residual are in already: the activation alone, one pass per output plane.
        parallel_for(batch * out_channels, 1, [&](int64_t begin, int64_t end) {
            table.activation->apply(act_kind, alpha, (end - begin) * out_plane, output + begin * out_plane,
                                    output + begin * out_plane);
        });
    }
    return CNN4J_OK;
}

}  // extern "C"
