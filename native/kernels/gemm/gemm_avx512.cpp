/* AVX-512 GEMM tile: 8 rows x up to 3 vectors (48 columns) of accumulators, 24 of the 32 zmm registers; per k,
   3 loads of B and 8 broadcasts of A feed 24 FMAs. The last vector of a narrow tile is masked. */
#include <immintrin.h>

#include <cstdint>
#include <cstring>

#include "kernels/gemm/gemm.h"

namespace cnn4j {
namespace {

#include "kernels/simd/avx512.inc"
#include "kernels/gemm/gemm_epilogue_simd.inc"
#include "kernels/gemm/gemm_narrow_x86.inc"

/* Prefetch distance along the packed weights (4 KiB: 128 depth steps ahead, running on into the next panel, which
   follows in memory): weights that a model's other layers evicted arrive from DRAM in time (512x4608x49 with cold
   weights 1.44 -> 1.25 ms; hot within noise). A prefetch never faults, so reading past the end is harmless. */
constexpr int64_t kPrefetchFloats = 1024;

template <int kVectors, class Rows>
void tile_vectors(int64_t K, const float* panel, Rows B_rows, int64_t rows, __mmask16 last, float* C, int64_t ldc,
                  bool accumulate, const GemmTileEpilogue* epilogue) {
    __m512 acc[8][kVectors];
#pragma GCC unroll 8
    for (int r = 0; r < 8; r++) {
#pragma GCC unroll 3
        for (int v = 0; v < kVectors; v++) acc[r][v] = _mm512_setzero_ps();
    }
    for (int64_t k = 0; k < K; k++) {
        _mm_prefetch((const char*)(panel + kPrefetchFloats), _MM_HINT_T0);
        const float* B = B_rows(k);
        __m512 b[kVectors];
#pragma GCC unroll 3
        for (int v = 0; v < kVectors; v++) {
            b[v] = v == kVectors - 1 ? _mm512_maskz_loadu_ps(last, B + v * kLanes) : _mm512_loadu_ps(B + v * kLanes);
        }
#pragma GCC unroll 8
        for (int r = 0; r < 8; r++) {
            const __m512 a = _mm512_set1_ps(panel[r]);
#pragma GCC unroll 3
            for (int v = 0; v < kVectors; v++) acc[r][v] = _mm512_fmadd_ps(a, b[v], acc[r][v]);
        }
        panel += 8;
    }
#pragma GCC unroll 8
    for (int r = 0; r < 8; r++) {
        if (r >= rows) break;
        float* c = C + r * ldc;
        const __m512 bias = _mm512_set1_ps(epilogue && epilogue->bias ? epilogue->bias[r] : 0.0f);
        const float* residual = epilogue && epilogue->residual ? epilogue->residual + r * epilogue->ld_residual : nullptr;
#pragma GCC unroll 3
        for (int v = 0; v < kVectors; v++) {
            const __mmask16 m = v == kVectors - 1 ? last : (__mmask16)0xFFFF;
            __m512 y = acc[r][v];
            if (accumulate) y = _mm512_add_ps(y, _mm512_maskz_loadu_ps(m, c + v * kLanes));
            if (epilogue) {
                const __m512 res = residual ? _mm512_maskz_loadu_ps(m, residual + v * kLanes) : y;
                y = finish_vector(y, bias, residual != nullptr, res, epilogue->kind);
            }
            _mm512_mask_storeu_ps(c + v * kLanes, m, y);
        }
    }
}

template <class Rows>
void tile_of(int64_t K, const float* panel, Rows B_rows, int64_t rows, int64_t cols, float* C, int64_t ldc,
             bool accumulate, const GemmTileEpilogue* epilogue) {
    const int64_t vectors = (cols + kLanes - 1) / kLanes, tail = cols - (vectors - 1) * kLanes;
    const __mmask16 last = (__mmask16)(tail == kLanes ? 0xFFFF : (1u << tail) - 1);
    switch (vectors) {
        case 1: tile_vectors<1>(K, panel, B_rows, rows, last, C, ldc, accumulate, epilogue); break;
        case 2: tile_vectors<2>(K, panel, B_rows, rows, last, C, ldc, accumulate, epilogue); break;
        default: tile_vectors<3>(K, panel, B_rows, rows, last, C, ldc, accumulate, epilogue); break;
    }
}

#include "kernels/gemm/gemm_entry.inc"

}  // namespace

const GemmKernels kGemmAvx512 = {3 * kLanes, tile, narrow, tile_indirect};

}  // namespace cnn4j
