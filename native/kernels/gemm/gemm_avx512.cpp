/* AVX-512 GEMM tile: 8 rows x up to 3 vectors (48 columns) of accumulators, 24 of the 32 zmm registers; per k,
   3 loads of B and 8 broadcasts of A feed 24 FMAs. The last vector of a narrow tile is masked. */
#include <immintrin.h>

#include <cstdint>

#include "kernels/gemm/gemm.h"

namespace cnn4j {
namespace {

#include "kernels/gemm/gemm_narrow_x86.inc"

constexpr int kLanes = 16;
/* Prefetch distance along the packed weights (4 KiB: 128 depth steps ahead, running on into the next panel, which
   follows in memory): weights that a model's other layers evicted arrive from DRAM in time (512x4608x49 with cold
   weights 1.44 -> 1.25 ms; hot within noise). A prefetch never faults, so reading past the end is harmless. */
constexpr int64_t kPrefetchFloats = 1024;

template <int kVectors, class Rows>
void tile_vectors(int64_t K, const float* panel, Rows B_rows, int64_t rows, __mmask16 last, float* C, int64_t ldc,
                  bool accumulate) {
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
#pragma GCC unroll 3
        for (int v = 0; v < kVectors; v++) {
            const __mmask16 m = v == kVectors - 1 ? last : (__mmask16)0xFFFF;
            __m512 y = acc[r][v];
            if (accumulate) y = _mm512_add_ps(y, _mm512_maskz_loadu_ps(m, c + v * kLanes));
            _mm512_mask_storeu_ps(c + v * kLanes, m, y);
        }
    }
}

template <class Rows>
void tile_of(int64_t K, const float* panel, Rows B_rows, int64_t rows, int64_t cols, float* C, int64_t ldc,
             bool accumulate) {
    const int64_t vectors = (cols + kLanes - 1) / kLanes, tail = cols - (vectors - 1) * kLanes;
    const __mmask16 last = (__mmask16)(tail == kLanes ? 0xFFFF : (1u << tail) - 1);
    switch (vectors) {
        case 1: tile_vectors<1>(K, panel, B_rows, rows, last, C, ldc, accumulate); break;
        case 2: tile_vectors<2>(K, panel, B_rows, rows, last, C, ldc, accumulate); break;
        default: tile_vectors<3>(K, panel, B_rows, rows, last, C, ldc, accumulate); break;
    }
}

void tile(int64_t K, const float* panel, const float* B, int64_t ldb, int64_t rows, int64_t cols, float* C,
          int64_t ldc, bool accumulate) {
    tile_of(K, panel, GemmStridedRows{B, ldb}, rows, cols, C, ldc, accumulate);
}

void tile_indirect(int64_t K, const float* panel, const float* B, const int64_t* row_offsets, int64_t rows,
                   int64_t cols, float* C, int64_t ldc, bool accumulate) {
    tile_of(K, panel, GemmIndirectRows{B, row_offsets}, rows, cols, C, ldc, accumulate);
}

}  // namespace

const GemmKernels kGemmAvx512 = {3 * kLanes, tile, narrow, tile_indirect};

}  // namespace cnn4j
