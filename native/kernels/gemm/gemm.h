/*
 * GEMM micro-kernels over a packed A: the tile of every convolution product (im2col, 1x1, Winograd frequencies).
 *
 * A (the weights, [M, K] row-major) is packed once, at load, into panels of kGemmPanelRows rows, cut along K into
 * depth blocks of kGemmDepthBlock: block b (depths k0 = b * 256 .. k0 + depth) holds, panel after panel, rows
 * p*8 .. p*8+7 as `depth` consecutive groups of 8 floats; the last panel is padded with zero rows. One depth block's
 * panels are one contiguous stretch, streamed in order by the driver (ops/gemm.cpp), so weights that come from DRAM
 * (a model's layers evict each other's from the caches) arrive as one sequential, prefetchable stream. B is the activation side and is read in place, row-major with any row stride (im2col columns, a
 * 1x1 convolution's input planes, Winograd's transformed tiles), so nothing is packed per call.
 *
 * One call computes one tile:   C[rows, cols] (=, or += when accumulate) A_panel[rows, K] x B[K, cols]
 * with rows <= 8 and cols <= the variant's `columns`, every element summed in k order with fused multiply-adds from 0
 * (then added to C when accumulating: the driver's later depth blocks), so a tile's result does not depend on how
 * the driver (ops/gemm.cpp) cuts the product into tiles or threads, and is bit for bit the same on every ISA. The
 * panel layout is the same for every ISA: weights packed under one ISA run under any other (tests switch ISAs on a
 * loaded model).
 */
#ifndef CNN4J_KERNELS_GEMM_H
#define CNN4J_KERNELS_GEMM_H

#include <cstdint>

#include "cnn4j.h"

namespace cnn4j {

/* Rows of A per packed panel, on every ISA. */
constexpr int64_t kGemmPanelRows = 8;
/* A multiple of every variant's `columns`: products this wide split into whole tiles on any ISA. */
constexpr int64_t kGemmColumnMultiple = 48;
/* Depth (rows of B) of one block of the product: the B rows a tile streams (256 x 48 floats on AVX-512, 48 KiB)
   stay in L1 while every panel runs over them, and one block of A (M x 256 floats) stays in L2. */
constexpr int64_t kGemmDepthBlock = 256;

/* The output pass a tile applies in its registers before it stores, where it costs nothing (ops/gemm.h's
   GemmEpilogue hands it the activations kernels/gemm can apply; the others run after the tile):
       y[r, j] = act((sum [+ C]) + bias[r]) + residual[r, j])
   bias[r] read as 0 where bias is null, act identity, ReLU or ReLU6 by the activation kernels' formulas (NaN passes
   through both), so the result is bit for bit the activation kernels' epilogue on the stored tile. */
struct GemmTileEpilogue {
    const float* bias;      // [rows] of this tile, nullable
    const float* residual;  // row r at residual + r * ld_residual, nullable; must not alias C
    int64_t ld_residual;
    int kind;               // CNN4J_ACT_IDENTITY, CNN4J_ACT_RELU or CNN4J_ACT_RELU6
};

struct GemmKernels {
    /* Widest tile (columns of C) one call computes: the variant's register block. */
    int64_t columns;

    /* C[r * ldc + j] (=, += when accumulate) sum over k < K of panel[k * 8 + r] * B[k * ldb + j], for r < rows
       (1..8) and j < cols (1..columns), then through `epilogue` (nullable) before it is stored. Reads B only in rows
       k < K, columns j < cols; writes C only there. */
    void (*tile)(int64_t K, const float* panel, const float* B, int64_t ldb, int64_t rows, int64_t cols, float* C,
                 int64_t ldc, bool accumulate, const GemmTileEpilogue* epilogue);

    /* The same product for a few columns (1 .. kGemmNarrowColumns) over all M rows at once: A points at the first
       panel of a depth block of depth K, panels `panel_stride` (= K * 8) floats apart. Null where the variant has none
       (the driver then calls tile). Bit for bit what tile gives. */
    void (*narrow)(int64_t K, const float* A, int64_t panel_stride, int64_t M, const float* B, int64_t ldb,
                   int64_t cols, float* C, int64_t ldc, bool accumulate);

    /* tile with B's rows anywhere: row k at B + row_offsets[k] (an indirect GEMM: the direct convolution's rows
       are shifted views of one padded input, ops/conv.cpp). Bit for bit what tile gives on the same rows. */
    void (*tile_indirect)(int64_t K, const float* panel, const float* B, const int64_t* row_offsets, int64_t rows,
                          int64_t cols, float* C, int64_t ldc, bool accumulate, const GemmTileEpilogue* epilogue);

    /* tile_indirect for a product with at most `lanes` rows (a convolution's output channels), any number of columns
       (its output positions), K <= kGemmDepthBlock: the rows go in the vector lanes and each column has its own
       accumulator (XNNPACK's igemm layout), where tile's 8-row panels would leave most of a tile's columns dropped or
       its rows short. A is the first panel of the packed weights (rows 0..7; rows 8.. in the panel K * 8 floats on).
       Bit for bit what tile_indirect gives (same k-ordered fused sums, same epilogue). Null where the variant has
       none. */
    void (*lanes_indirect)(int64_t K, const float* A, const float* B, const int64_t* row_offsets, int64_t rows,
                           int64_t cols, float* C, int64_t ldc, const GemmTileEpilogue* epilogue);

    /* The same product with B's rows strided (row k at B + k * ldb) and C written pixel-major, as a channels-last
       layout holds it (ops/expand_depthwise.cpp): column j is pixel (j / width, j % width) of a map, its `lanes`
       values (row r in lane r) at C + (j / width) * row_stride + (j % width) * pixel_stride, so a whole map's
       columns go in blocks that run on across its rows into a padded buffer. Lanes at and past `rows` hold 0 times
       the inputs (0 where they are finite). The epilogue's residual must be null. Null where lanes_indirect is. */
    void (*lanes_pixels)(int64_t K, const float* A, const float* B, int64_t ldb, int64_t rows, int64_t cols,
                         int64_t width, float* C, int64_t row_stride, int64_t pixel_stride,
                         const GemmTileEpilogue* epilogue);
    /* Rows lanes_indirect and lanes_pixels take at most (the vector width); 0 where they are null. */
    int64_t lanes;

    /* tile_indirect over two stretches of columns at once, for products with few rows (at most kGemmPairRows) and
       short rows (a convolution's output channels and two of its output rows): stretch s (0, 1) reads B's rows at
       B + s * b_step + row_offsets[k] and writes C + s * c_step, cols (at most kGemmPairColumns) columns each, so a
       6-channel layer with 28-wide rows fills 56 of 64 lanes of 24 accumulators where one row per tile filled 28 of
       32 lanes of 8 panel rows, 6 of them real. K <= kGemmDepthBlock. Bit for bit what tile_indirect gives on each
       stretch. Null where the variant has none. */
    void (*pair_indirect)(int64_t K, const float* panel, const float* B, const int64_t* row_offsets, int64_t b_step,
                          int64_t rows, int64_t cols, float* C, int64_t ldc, int64_t c_step,
                          const GemmTileEpilogue* epilogue);
};

/* The most rows and columns (per stretch) of GemmKernels::pair_indirect. */
constexpr int64_t kGemmPairRows = 6;
constexpr int64_t kGemmPairColumns = 32;

/* Where a tile's rows of B are: every ldb floats (tile), or at listed offsets (tile_indirect). The kernels are
   written once over these. In an anonymous namespace, as kernels/README.md asks of anything an ISA file compiles: one
   copy per file, never merged with another ISA's. */
namespace {
struct GemmStridedRows {
    const float* B;
    int64_t ldb;
    const float* operator()(int64_t k) const { return B + k * ldb; }
};
struct GemmIndirectRows {
    const float* B;
    const int64_t* offsets;
    const float* operator()(int64_t k) const { return B + offsets[k]; }
};

/* e for the part of its tile from row r0, column j0 on (a half tile, a block of columns, a tile of a larger C). */
inline GemmTileEpilogue gemm_epilogue_from(const GemmTileEpilogue& e, int64_t r0, int64_t j0) {
    GemmTileEpilogue part = e;
    if (part.bias) part.bias += r0;
    if (part.residual) part.residual += r0 * part.ld_residual + j0;
    return part;
}

/* Whether tiles apply activation `kind` themselves (GemmTileEpilogue). */
inline bool gemm_tile_applies(int kind) {
    return kind == CNN4J_ACT_IDENTITY || kind == CNN4J_ACT_RELU || kind == CNN4J_ACT_RELU6;
}

/* GemmTileEpilogue on one element y of row r, column j: the scalar and NEON tiles' store. */
inline float gemm_finish_one(float y, const GemmTileEpilogue& e, int64_t r, int64_t j) {
    y = y + (e.bias ? e.bias[r] : 0.0f);
    if (e.residual) y = y + e.residual[r * e.ld_residual + j];
    if (e.kind == CNN4J_ACT_RELU) return y < 0.0f ? 0.0f : y;
    if (e.kind == CNN4J_ACT_RELU6) return y < 0.0f ? 0.0f : (y > 6.0f ? 6.0f : y);
    return y;
}
}  // namespace

/* The most lanes (rows of lanes_indirect) of any variant: AVX-512's 16 floats. */
constexpr int64_t kGemmMaxLanes = 16;

/* Widest product `narrow` computes: below this, a column tile would mostly compute unused lanes. */
constexpr int64_t kGemmNarrowColumns = 4;

extern const GemmKernels kGemmScalar;
extern const GemmKernels kGemmAvx2;
extern const GemmKernels kGemmAvx512;
extern const GemmKernels kGemmNeon;

/* Rows of A once packed: whole panels. */
inline int64_t gemm_packed_rows(int64_t M) { return (M + kGemmPanelRows - 1) / kGemmPanelRows * kGemmPanelRows; }

/* Floats of A [M, K] once packed. */
inline int64_t gemm_packed_floats(int64_t M, int64_t K) { return gemm_packed_rows(M) * K; }

/* Where A[m][k] goes in the packed layout. */
inline int64_t gemm_packed_offset(int64_t M, int64_t K, int64_t m, int64_t k) {
    const int64_t k0 = k / kGemmDepthBlock * kGemmDepthBlock;
    const int64_t depth = K - k0 < kGemmDepthBlock ? K - k0 : kGemmDepthBlock;
    return k0 * gemm_packed_rows(M) + (m / kGemmPanelRows) * depth * kGemmPanelRows + (k - k0) * kGemmPanelRows +
           m % kGemmPanelRows;
}

/* Packs row-major A [M, K] (row stride lda) into panels (any ISA; at load). */
void gemm_pack_a(int64_t M, int64_t K, const float* A, int64_t lda, float* packed);

}  // namespace cnn4j

#endif
