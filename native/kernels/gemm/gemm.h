/*
 * GEMM micro-kernels over a packed A: the tile of every convolution product (im2col, 1x1, Winograd frequencies).
 *
 * A (the weights, [M, K] row-major) is packed once, at load, into panels of kGemmPanelRows rows: panel p holds rows
 * p*8 .. p*8+7 as K consecutive groups of 8 floats (A[p*8 + r][k] at panel[k * 8 + r]); the last panel is padded
 * with zero rows. B is the activation side and is read in place, row-major with any row stride (im2col columns, a
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

namespace cnn4j {

/* Rows of A per packed panel, on every ISA. */
constexpr int64_t kGemmPanelRows = 8;
/* A multiple of every variant's `columns`: products this wide split into whole tiles on any ISA. */
constexpr int64_t kGemmColumnMultiple = 48;

struct GemmKernels {
    /* Widest tile (columns of C) one call computes: the variant's register block. */
    int64_t columns;

    /* C[r * ldc + j] (=, += when accumulate) sum over k < K of panel[k * 8 + r] * B[k * ldb + j], for r < rows
       (1..8) and j < cols (1..columns). Reads B only in rows k < K, columns j < cols; writes C only there. */
    void (*tile)(int64_t K, const float* panel, const float* B, int64_t ldb, int64_t rows, int64_t cols, float* C,
                 int64_t ldc, bool accumulate);

    /* The same product for a few columns (1 .. kGemmNarrowColumns) over all M rows at once: A points at the first
       panel's row k = 0 of this depth block, panels `panel_stride` floats apart. Null where the variant has none
       (the driver then calls tile). Bit for bit what tile gives. */
    void (*narrow)(int64_t K, const float* A, int64_t panel_stride, int64_t M, const float* B, int64_t ldb,
                   int64_t cols, float* C, int64_t ldc, bool accumulate);
};

/* Widest product `narrow` computes: below this, a column tile would mostly compute unused lanes. */
constexpr int64_t kGemmNarrowColumns = 4;

extern const GemmKernels kGemmScalar;
extern const GemmKernels kGemmAvx2;
extern const GemmKernels kGemmAvx512;
extern const GemmKernels kGemmNeon;

/* Floats of A [M, K] once packed: whole panels of 8 rows. */
inline int64_t gemm_packed_floats(int64_t M, int64_t K) {
    return (M + kGemmPanelRows - 1) / kGemmPanelRows * kGemmPanelRows * K;
}

/* Packs row-major A [M, K] (row stride lda) into panels (any ISA; at load). */
void gemm_pack_a(int64_t M, int64_t K, const float* A, int64_t lda, float* packed);

}  // namespace cnn4j

#endif
