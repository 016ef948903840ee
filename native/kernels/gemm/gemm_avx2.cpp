/* AVX2 GEMM tile: 4 rows x up to 3 vectors (24 columns) of accumulators, 12 of the 16 ymm registers, run once per
   half of the 8-row panel (the panel's groups of 8 are read 4 at a time); per k, 3 loads of B and 4 broadcasts of
   A feed 12 FMAs. The last vector of a narrow tile uses masked loads and stores. */
#include <immintrin.h>

#include <cstdint>
#include <cstring>

#include "kernels/gemm/gemm.h"

namespace cnn4j {
namespace {

#include "kernels/simd/avx2.inc"
#include "kernels/gemm/gemm_epilogue_simd.inc"
#include "kernels/gemm/gemm_narrow_x86.inc"

/* Prefetch distance along the packed weights: see gemm_avx512.cpp. */
constexpr int64_t kPrefetchFloats = 1024;

template <int kVectors, class Rows>
void half_tile(int64_t K, const float* panel, Rows B_rows, int64_t rows, __m256i last, float* C, int64_t ldc,
               bool accumulate, const GemmTileEpilogue* epilogue) {
    __m256 acc[4][kVectors];
#pragma GCC unroll 4
    for (int r = 0; r < 4; r++) {
#pragma GCC unroll 3
        for (int v = 0; v < kVectors; v++) acc[r][v] = _mm256_setzero_ps();
    }
    for (int64_t k = 0; k < K; k++) {
        _mm_prefetch((const char*)(panel + kPrefetchFloats), _MM_HINT_T0);
        const float* B = B_rows(k);
        __m256 b[kVectors];
#pragma GCC unroll 3
        for (int v = 0; v < kVectors; v++) {
            b[v] = v == kVectors - 1 ? _mm256_maskload_ps(B + v * kLanes, last) : _mm256_loadu_ps(B + v * kLanes);
        }
#pragma GCC unroll 4
        for (int r = 0; r < 4; r++) {
            const __m256 a = _mm256_broadcast_ss(panel + r);
#pragma GCC unroll 3
            for (int v = 0; v < kVectors; v++) acc[r][v] = _mm256_fmadd_ps(a, b[v], acc[r][v]);
        }
        panel += 8;
    }
#pragma GCC unroll 4
    for (int r = 0; r < 4; r++) {
        if (r >= rows) break;
        float* c = C + r * ldc;
        const __m256 bias = _mm256_set1_ps(epilogue && epilogue->bias ? epilogue->bias[r] : 0.0f);
        const float* residual = epilogue && epilogue->residual ? epilogue->residual + r * epilogue->ld_residual : nullptr;
#pragma GCC unroll 3
        for (int v = 0; v < kVectors; v++) {
            __m256 y = acc[r][v];
            const bool tail = v == kVectors - 1;
            if (accumulate) y = _mm256_add_ps(y, tail ? _mm256_maskload_ps(c + v * kLanes, last) : _mm256_loadu_ps(c + v * kLanes));
            if (epilogue) {
                const __m256 res = !residual ? y
                                   : tail    ? _mm256_maskload_ps(residual + v * kLanes, last)
                                             : _mm256_loadu_ps(residual + v * kLanes);
                y = finish_vector(y, bias, residual != nullptr, res, epilogue->kind);
            }
            if (tail) {
                _mm256_maskstore_ps(c + v * kLanes, last, y);
            } else {
                _mm256_storeu_ps(c + v * kLanes, y);
            }
        }
    }
}

template <class Rows>
void tile_of(int64_t K, const float* panel, Rows B_rows, int64_t rows, int64_t cols, float* C, int64_t ldc,
             bool accumulate, const GemmTileEpilogue* epilogue) {
    const int64_t vectors = (cols + kLanes - 1) / kLanes, tail = cols - (vectors - 1) * kLanes;
    const __m256i last = _mm256_cmpgt_epi32(_mm256_set1_epi32((int)tail), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
    for (int64_t half = 0; half < 2 && half * 4 < rows; half++) {
        const float* p = panel + half * 4;
        float* c = C + half * 4 * ldc;
        const int64_t r = rows - half * 4;
        // The half's rows of the epilogue's bias and residual.
        GemmTileEpilogue half_epilogue;
        if (epilogue) half_epilogue = gemm_epilogue_from(*epilogue, half * 4, 0);
        const GemmTileEpilogue* e = epilogue ? &half_epilogue : nullptr;
        switch (vectors) {
            case 1: half_tile<1>(K, p, B_rows, r, last, c, ldc, accumulate, e); break;
            case 2: half_tile<2>(K, p, B_rows, r, last, c, ldc, accumulate, e); break;
            default: half_tile<3>(K, p, B_rows, r, last, c, ldc, accumulate, e); break;
        }
    }
}

#include "kernels/gemm/gemm_entry.inc"

}  // namespace

const GemmKernels kGemmAvx2 = {3 * kLanes, tile, narrow, tile_indirect, nullptr, nullptr, 0, nullptr};

}  // namespace cnn4j
