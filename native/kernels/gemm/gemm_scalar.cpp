/* The portable GEMM tile (reference for the SIMD variants) and the panel packing every ISA shares. Its products
   are fused multiply-adds like every SIMD variant's, in the same k order, so all variants give bit-identical results
   (std::fma is one instruction on arm64 and x86 with FMA; a library call on older x86, where it is only the
   fallback). */
#include <cmath>
#include <cstdint>
#include <cstring>

#include "kernels/gemm/gemm.h"

namespace cnn4j {
namespace {

constexpr int64_t kColumns = 16;

template <class Rows>
void tile_of(int64_t K, const float* panel, Rows B_rows, int64_t rows, int64_t cols, float* C, int64_t ldc,
             bool accumulate, const GemmTileEpilogue* epilogue) {
    float acc[kGemmPanelRows][kColumns] = {};
    for (int64_t k = 0; k < K; k++) {
        const float* a = panel + k * kGemmPanelRows;
        const float* b = B_rows(k);
        for (int64_t r = 0; r < rows; r++) {
            for (int64_t j = 0; j < cols; j++) acc[r][j] = std::fma(a[r], b[j], acc[r][j]);
        }
    }
    for (int64_t r = 0; r < rows; r++) {
        float* c = C + r * ldc;
        for (int64_t j = 0; j < cols; j++) {
            const float y = accumulate ? c[j] + acc[r][j] : acc[r][j];
            c[j] = epilogue ? gemm_finish_one(y, *epilogue, r, j) : y;
        }
    }
}

#include "kernels/gemm/gemm_entry.inc"

}  // namespace

void gemm_pack_a(int64_t M, int64_t K, const float* A, int64_t lda, float* packed) {
    const int64_t rows = gemm_packed_rows(M);
    for (int64_t m = 0; m < rows; m++) {
        for (int64_t k = 0; k < K; k++) packed[gemm_packed_offset(M, K, m, k)] = m < M ? A[m * lda + k] : 0.0f;
    }
}

const GemmKernels kGemmScalar = {kColumns, tile, nullptr, tile_indirect, nullptr, nullptr, 0, nullptr};

}  // namespace cnn4j
