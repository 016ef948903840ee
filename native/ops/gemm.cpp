/* The split sgemm of ops/gemm.h. */
#include "ops/gemm.h"

#include <cblas.h>

#include <algorithm>

#include "runtime/threadpool.h"

namespace cnn4j {
namespace {

/* Below this many multiply-adds a product is one sgemm call: handing out blocks costs more than it saves. */
constexpr int64_t kMinSplitMacs = 1 << 20;
/* Block sizes are fixed, never derived from the thread count, so a product's result is bit for bit the same with
   any number of threads and whether or not the pool was busy. Multiples of every sgemm kernel's unroll. */
constexpr int64_t kColumnBlock = 256;
constexpr int64_t kRowBlock = 64;

void sgemm_block(bool trans_a, bool trans_b, int64_t M, int64_t N, int64_t K, float alpha, const float* A,
                 int64_t lda, const float* B, int64_t ldb, float beta, float* C, int64_t ldc) {
    cblas_sgemm(CblasRowMajor, trans_a ? CblasTrans : CblasNoTrans, trans_b ? CblasTrans : CblasNoTrans, (int)M,
                (int)N, (int)K, alpha, A, (int)lda, B, (int)ldb, beta, C, (int)ldc);
}

}  // namespace

void sgemm(bool trans_a, bool trans_b, int64_t M, int64_t N, int64_t K, float alpha, const float* A, int64_t lda,
           const float* B, int64_t ldb, float beta, float* C, int64_t ldc) {
    if (M == 1) {
        // One row (linear layers at batch 1 run cnn4j's own kernels/gemv instead, in dense.cpp; this serves the
        // other callers, e.g. a transposed convolution with one output channel and a 1x1 kernel): C[0, :] =
        // op(B)^T-times-vector, as sgemv; sgemm's packing of a 1-row panel costs more than the product. The row of
        // op(A) is A[0, :] or, transposed, A[:, 0]. It streams all of B once, so it is split into fixed blocks of
        // outputs across the pool, where more cores draw more memory bandwidth; each output is one sgemv's dot
        // product whatever the thread count.
        const int64_t a_step = trans_a ? lda : 1;
        const auto outputs = [&](int64_t j0, int64_t j1) {
            if (trans_b) {  // B is [N, K]: C = B a
                cblas_sgemv(CblasRowMajor, CblasNoTrans, (int)(j1 - j0), (int)K, alpha, B + j0 * ldb, (int)ldb, A,
                            (int)a_step, beta, C + j0, 1);
            } else {        // B is [K, N]: C = B^T a
                cblas_sgemv(CblasRowMajor, CblasTrans, (int)K, (int)(j1 - j0), alpha, B + j0, (int)ldb, A,
                            (int)a_step, beta, C + j0, 1);
            }
        };
        if (N * K < kMinSplitMacs || N < 2 * kColumnBlock) {
            outputs(0, N);
            return;
        }
        parallel_for((N + kColumnBlock - 1) / kColumnBlock, 1, [&](int64_t begin, int64_t end) {
            for (int64_t b = begin; b < end; b++) outputs(b * kColumnBlock, std::min(N, (b + 1) * kColumnBlock));
        });
        return;
    }
    if (M * N * K >= kMinSplitMacs && N >= 2 * kColumnBlock) {
        // Column blocks: C[:, j0:j1] = A x B[:, j0:j1].
        parallel_for((N + kColumnBlock - 1) / kColumnBlock, 1, [&](int64_t begin, int64_t end) {
            for (int64_t b = begin; b < end; b++) {
                const int64_t j0 = b * kColumnBlock, j1 = std::min(N, j0 + kColumnBlock);
                const float* B_block = trans_b ? B + j0 * ldb : B + j0;
                sgemm_block(trans_a, trans_b, M, j1 - j0, K, alpha, A, lda, B_block, ldb, beta, C + j0, ldc);
            }
        });
    } else if (M * N * K >= kMinSplitMacs && M >= 2 * kRowBlock) {
        // Row blocks: C[i0:i1, :] = A[i0:i1, :] x B.
        parallel_for((M + kRowBlock - 1) / kRowBlock, 1, [&](int64_t begin, int64_t end) {
            for (int64_t b = begin; b < end; b++) {
                const int64_t i0 = b * kRowBlock, i1 = std::min(M, i0 + kRowBlock);
                const float* A_block = trans_a ? A + i0 : A + i0 * lda;
                sgemm_block(trans_a, trans_b, i1 - i0, N, K, alpha, A_block, lda, B, ldb, beta, C + i0 * ldc, ldc);
            }
        });
    } else {
        sgemm_block(trans_a, trans_b, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc);
    }
}

/* Blocking: the depth in blocks of kGemmDepthBlock (kernels/gemm/gemm.h), each block of A read as one stream.
   Measured on Zen 5 (AVX-512, 1 thread), GFLOP/s of this GEMM / OpenBLAS sgemm on the same operands:
   64x576x3136 (im2col 3x3) 173 / 125, 96x16x12544 (1x1) 159 / 104, 128x1152x784 188 / 151, 64x64x196 (a Winograd
   frequency) 196 / 210 (OpenBLAS alone, packing A every call; 93 within the Winograd layer); depth blocks of
   64 .. 512 within a few percent. */

namespace {

/* The blocking both packed products share: depth blocks (each block of A one stream), column tiles, panels.
   narrow(depth, A_block, panel_floats, k0, n0, cols, accumulate) may compute a whole narrow column tile (and
   return true); otherwise tile(depth, panel, k0, n0, m0, rows, cols, accumulate, tile_epilogue) computes each
   panel's tile. Each tile of C, once its last depth block is in, goes through the epilogue (if any): in the tile's
   registers where the kernels apply its activation (GemmTileEpilogue), else by the activation kernels right after. */
template <class Tile, class Narrow>
void for_each_tile(const GemmKernels& kernels, int64_t M, int64_t K, const float* A_packed, int64_t m_begin,
                   int64_t m_end, int64_t n_begin, int64_t n_end, float* C, int64_t ldc,
                   const GemmEpilogue* epilogue, const Tile& tile, const Narrow& narrow) {
    const int64_t rows = gemm_packed_rows(M);
    const bool in_tile = epilogue && gemm_tile_applies(epilogue->kind);
    // The whole product's epilogue, and the activation kernels' pass over one finished tile where the tile did not
    // apply it.
    const GemmTileEpilogue whole = epilogue ? GemmTileEpilogue{epilogue->bias, epilogue->residual,
                                                               epilogue->ld_residual, epilogue->kind}
                                            : GemmTileEpilogue{};
    const auto finish = [&](int64_t m0, int64_t tile_rows, int64_t n0, int64_t cols) {
        const GemmTileEpilogue e = gemm_epilogue_from(whole, m0, n0);
        epilogue->activation->epilogue(e.kind, epilogue->alpha, tile_rows, cols, e.bias, e.residual, e.ld_residual,
                                       C + m0 * ldc + n0, ldc);
    };
    for (int64_t k0 = 0; k0 < K; k0 += kGemmDepthBlock) {
        const int64_t depth = std::min(kGemmDepthBlock, K - k0), panel_floats = depth * kGemmPanelRows;
        const float* A_block = A_packed + k0 * rows + (m_begin / kGemmPanelRows) * panel_floats;
        const bool accumulate = k0 > 0, last = k0 + depth == K && epilogue;
        for (int64_t n0 = n_begin; n0 < n_end; n0 += kernels.columns) {
            const int64_t cols = std::min(kernels.columns, n_end - n0);
            if (narrow(depth, A_block, panel_floats, k0, n0, cols, accumulate)) {
                if (last) finish(m_begin, m_end - m_begin, n0, cols);
                continue;
            }
            for (int64_t m0 = m_begin; m0 < m_end; m0 += kGemmPanelRows) {
                const int64_t tile_rows = std::min(kGemmPanelRows, m_end - m0);
                const float* panel = A_block + (m0 - m_begin) / kGemmPanelRows * panel_floats;
                if (last && in_tile) {
                    const GemmTileEpilogue e = gemm_epilogue_from(whole, m0, n0);
                    tile(depth, panel, k0, n0, m0, tile_rows, cols, accumulate, &e);
                    continue;
                }
                tile(depth, panel, k0, n0, m0, tile_rows, cols, accumulate, nullptr);
                if (last) finish(m0, tile_rows, n0, cols);
            }
        }
    }
}

}  // namespace

void packed_sgemm(const GemmKernels& kernels, int64_t M, int64_t K, const float* A_packed, const float* B,
                  int64_t ldb, float* C, int64_t ldc, int64_t m_begin, int64_t m_end, int64_t n_begin,
                  int64_t n_end, const GemmEpilogue* epilogue) {
    for_each_tile(
        kernels, M, K, A_packed, m_begin, m_end, n_begin, n_end, C, ldc, epilogue,
        [&](int64_t depth, const float* panel, int64_t k0, int64_t n0, int64_t m0, int64_t rows, int64_t cols,
            bool accumulate, const GemmTileEpilogue* e) {
            kernels.tile(depth, panel, B + k0 * ldb + n0, ldb, rows, cols, C + m0 * ldc + n0, ldc, accumulate, e);
        },
        [&](int64_t depth, const float* A_block, int64_t panel_floats, int64_t k0, int64_t n0, int64_t cols,
            bool accumulate) {
            if (cols > kGemmNarrowColumns || !kernels.narrow) return false;
            kernels.narrow(depth, A_block, panel_floats, m_end - m_begin, B + k0 * ldb + n0, ldb, cols,
                           C + m_begin * ldc + n0, ldc, accumulate);
            return true;
        });
}

void packed_sgemm_indirect(const GemmKernels& kernels, int64_t M, int64_t K, const float* A_packed, const float* B,
                           const int64_t* row_offsets, float* C, int64_t ldc, int64_t m_begin, int64_t m_end,
                           int64_t n_begin, int64_t n_end, const GemmEpilogue* epilogue) {
    // No narrow variant: tile gives the same bits.
    for_each_tile(
        kernels, M, K, A_packed, m_begin, m_end, n_begin, n_end, C, ldc, epilogue,
        [&](int64_t depth, const float* panel, int64_t k0, int64_t n0, int64_t m0, int64_t rows, int64_t cols,
            bool accumulate, const GemmTileEpilogue* e) {
            kernels.tile_indirect(depth, panel, B + n0, row_offsets + k0, rows, cols, C + m0 * ldc + n0, ldc,
                                  accumulate, e);
        },
        [](int64_t, const float*, int64_t, int64_t, int64_t, int64_t, bool) { return false; });
}

}  // namespace cnn4j
