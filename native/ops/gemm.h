/*
 * Matrix products for the ops. Two GEMMs, each where it is faster:
 *  - packed_sgemm, cnn4j's own (kernels/gemm): every convolution product (im2col, 1x1, Winograd's frequencies),
 *    on weights packed once at load and activations read in place: nothing is packed per call, which is what
 *    OpenBLAS loses on these short, wide products;
 *  - sgemm, OpenBLAS, one thread per call, split across cnn4j's thread pool: linear layers above batch 1, transposed
 *    convolutions and matrix products whose operands are not weights packed at load.
 *
 * OpenBLAS's own threads are switched off (runtime/threads.cpp): they spin at barriers, and two pools on the same
 * cores (OpenBLAS's and cnn4j's) oversubscribe them. Instead a product is cut into column (or row) blocks, each a
 * single-threaded sgemm on a pool thread.
 */
#ifndef CNN4J_OPS_GEMM_H
#define CNN4J_OPS_GEMM_H

#include <cstdint>

#include "kernels/activation/activation.h"
#include "kernels/gemm/gemm.h"

namespace cnn4j {

/* A layer's output pass, applied by packed_sgemm to each tile of C as its last depth block finishes: in the tile's
   registers before the store for identity, ReLU and ReLU6 (kernels/gemm's GemmTileEpilogue), else right after, while
   the tile is still in L1. A separate pass over a finished block reads it back from L2: MobileNetV2's 16 -> 96
   expansion at 112x112 spent a tenth of its time there, its 3 -> 32 stem an eighth in the per-tile call.
   C = act((C + bias[m]) + residual[m, n]), the activation kernels' epilogue. bias is indexed by C's row m, residual
   laid out like C (row m, column n at residual + m * ld_residual + n); both nullable. */
struct GemmEpilogue {
    const ActivationKernels* activation;
    int kind;
    float alpha;
    const float* bias;
    const float* residual;
    int64_t ld_residual;
};

/* Row-major C[M, N] = alpha * op(A)[M, K] x op(B)[K, N] + beta * C, op = transpose when trans_a / trans_b;
   lda, ldb, ldc as in cblas_sgemm (Java has checked that every dimension fits an int). */
void sgemm(bool trans_a, bool trans_b, int64_t M, int64_t N, int64_t K, float alpha, const float* A, int64_t lda,
           const float* B, int64_t ldb, float beta, float* C, int64_t ldc);

/* Row-major C[M, N] = A[M, K] x B[K, N] with A packed by gemm_pack_a (the weights, at load) and B read in place
   with row stride ldb: cnn4j's own GEMM (kernels/gemm), for the convolutions' products, where it beats OpenBLAS
   because nothing is packed per call (docs in ops/gemm.cpp). Computes rows [m_begin, m_end) (m_begin a multiple of
   kGemmPanelRows) and columns [n_begin, n_end) only, on the calling thread: callers split rows, columns or products
   across the pool. C points at row 0, column 0. With an epilogue, each finished tile of C goes through it. */
void packed_sgemm(const GemmKernels& kernels, int64_t M, int64_t K, const float* A_packed, const float* B,
                  int64_t ldb, float* C, int64_t ldc, int64_t m_begin, int64_t m_end, int64_t n_begin,
                  int64_t n_end, const GemmEpilogue* epilogue = nullptr);

/* packed_sgemm with B's rows at B + row_offsets[k] (kernels' tile_indirect): the direct convolution's product over
   shifted views of its padded input. Bit for bit what packed_sgemm gives on the same rows. */
void packed_sgemm_indirect(const GemmKernels& kernels, int64_t M, int64_t K, const float* A_packed, const float* B,
                           const int64_t* row_offsets, float* C, int64_t ldc, int64_t m_begin, int64_t m_end,
                           int64_t n_begin, int64_t n_end, const GemmEpilogue* epilogue = nullptr);

}  // namespace cnn4j

#endif
