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
    const int64_t vectors = (cols + kLanes - 1) / kLanes;
    const __mmask16 last = first_lanes(cols - (vectors - 1) * kLanes);
    switch (vectors) {
        case 1: tile_vectors<1>(K, panel, B_rows, rows, last, C, ldc, accumulate, epilogue); break;
        case 2: tile_vectors<2>(K, panel, B_rows, rows, last, C, ldc, accumulate, epilogue); break;
        default: tile_vectors<3>(K, panel, B_rows, rows, last, C, ldc, accumulate, epilogue); break;
    }
}

#include "kernels/gemm/gemm_entry.inc"

/* ---- the lanes kernels: up to 16 rows (output channels) in the lanes, one accumulator per column ---- */

/* Columns per block of the lanes kernels (12 accumulators). */
constexpr int kMaxPositions = 12;

/* fn(Positions<n>{}) for a block of n = 1 .. kMaxPositions columns: each count its own unrolled kernel. */
template <int P>
struct Positions {
    static constexpr int value = P;
};
template <class Fn>
void with_positions(int64_t n, const Fn& fn) {
    switch (n) {
        case 1: fn(Positions<1>{}); break;
        case 2: fn(Positions<2>{}); break;
        case 3: fn(Positions<3>{}); break;
        case 4: fn(Positions<4>{}); break;
        case 5: fn(Positions<5>{}); break;
        case 6: fn(Positions<6>{}); break;
        case 7: fn(Positions<7>{}); break;
        case 8: fn(Positions<8>{}); break;
        case 9: fn(Positions<9>{}); break;
        case 10: fn(Positions<10>{}); break;
        case 11: fn(Positions<11>{}); break;
        default: fn(Positions<kMaxPositions>{}); break;
    }
}

/* acc[j] = sum over k < K of A's rows (one per lane) x B's column j. Per k one vector of weights, the first panel's
   8 floats and, where there is one (upper), the next panel's side by side (else zeros), against each column's value
   broadcast. */
template <int kPositions, class Rows>
inline void lanes_sums(int64_t K, const float* A, const float* upper, Rows B_rows, __m512* acc) {
#pragma GCC unroll 12
    for (int j = 0; j < kPositions; j++) acc[j] = _mm512_setzero_ps();
    for (int64_t k = 0; k < K; k++) {
        const __m256 lo = _mm256_loadu_ps(A + k * 8);
        const __m512 a = upper ? _mm512_insertf32x8(_mm512_castps256_ps512(lo), _mm256_loadu_ps(upper + k * 8), 1)
                               : _mm512_zextps256_ps512(lo);
        const float* b = B_rows(k);
#pragma GCC unroll 12
        for (int j = 0; j < kPositions; j++) acc[j] = _mm512_fmadd_ps(a, _mm512_set1_ps(b[j]), acc[j]);
    }
}

/* The second panel of the packed weights where rows > 8 (else null), and the epilogue's bias one row per lane. */
inline const float* upper_panel(const float* A, int64_t K, int64_t rows) { return rows > 8 ? A + K * 8 : nullptr; }
inline __m512 lane_bias(const GemmTileEpilogue* epilogue, int64_t rows) {
    return epilogue && epilogue->bias ? _mm512_maskz_loadu_ps(first_lanes(rows), epilogue->bias) : _mm512_setzero_ps();
}

/* lanes_indirect on kPositions columns: the sums, the epilogue on each column's rows (bias lane by lane) where there
   is no residual, else element by element below; then the rows out to C. */
template <int kPositions>
void lanes_block(int64_t K, const float* A, const float* B, const int64_t* row_offsets, int64_t rows, int64_t cols,
                 float* C, int64_t ldc, const GemmTileEpilogue* epilogue) {
    __m512 acc[kPositions];
    lanes_sums<kPositions>(K, A, upper_panel(A, K, rows), GemmIndirectRows{B, row_offsets}, acc);
    const bool in_vectors = epilogue && !epilogue->residual;
    const __m512 bias = lane_bias(in_vectors ? epilogue : nullptr, rows);
    alignas(64) float out[kPositions][kLanes];
#pragma GCC unroll 12
    for (int j = 0; j < kPositions; j++) {
        const __m512 y = in_vectors ? finish_vector(acc[j], bias, false, acc[j], epilogue->kind) : acc[j];
        _mm512_store_ps(out[j], y);
    }
    for (int64_t r = 0; r < rows; r++) {
        float* c = C + r * ldc;
        for (int64_t j = 0; j < cols; j++) {
            c[j] = epilogue && !in_vectors ? gemm_finish_one(out[j][r], *epilogue, r, j) : out[j][r];
        }
    }
}

void lanes_indirect(int64_t K, const float* A, const float* B, const int64_t* row_offsets, int64_t rows, int64_t cols,
                    float* C, int64_t ldc, const GemmTileEpilogue* epilogue) {
    for (int64_t j0 = 0; j0 < cols; j0 += kMaxPositions) {
        const int64_t n = cols - j0 < kMaxPositions ? cols - j0 : kMaxPositions;
        GemmTileEpilogue block_epilogue;  // the residual's columns from j0 on
        if (epilogue) block_epilogue = gemm_epilogue_from(*epilogue, 0, j0);
        const GemmTileEpilogue* e = epilogue ? &block_epilogue : nullptr;
        with_positions(n, [&](auto positions) {
            lanes_block<decltype(positions)::value>(K, A, B + j0, row_offsets, rows, n, C + j0, ldc, e);
        });
    }
}

/* lanes_pixels on kPositions columns, each stored whole where its pixel goes (out[j]). */
template <int kPositions>
void pixels_block(int64_t K, const float* A, const float* upper, const float* B, int64_t ldb, float* const* out,
                  const GemmTileEpilogue* epilogue, __m512 bias) {
    __m512 acc[kPositions];
    lanes_sums<kPositions>(K, A, upper, GemmStridedRows{B, ldb}, acc);
#pragma GCC unroll 12
    for (int j = 0; j < kPositions; j++) {
        const __m512 y = epilogue ? finish_vector(acc[j], bias, false, acc[j], epilogue->kind) : acc[j];
        _mm512_storeu_ps(out[j], y);
    }
}

void lanes_pixels(int64_t K, const float* A, const float* B, int64_t ldb, int64_t rows, int64_t cols, int64_t width,
                  float* C, int64_t row_stride, int64_t pixel_stride, const GemmTileEpilogue* epilogue) {
    const float* upper = upper_panel(A, K, rows);
    const __m512 bias = lane_bias(epilogue, rows);
    int64_t y = 0, x = 0;  // the next column's pixel
    float* out[kMaxPositions];
    for (int64_t j0 = 0; j0 < cols; j0 += kMaxPositions) {
        const int64_t n = cols - j0 < kMaxPositions ? cols - j0 : kMaxPositions;
        for (int64_t j = 0; j < n; j++) {
            out[j] = C + y * row_stride + x * pixel_stride;
            if (++x == width) x = 0, y++;
        }
        with_positions(n, [&](auto positions) {
            pixels_block<decltype(positions)::value>(K, A, upper, B + j0, ldb, out, epilogue, bias);
        });
    }
}

/* pair_indirect: up to 6 rows x two stretches of kVectors vectors, 6 * 2 * kVectors accumulators (24 at most, with
   4 vectors of B and a broadcast in the other 8 registers). */
template <int kVectors>
void pair_tile(int64_t K, const float* panel, const float* B, const int64_t* row_offsets, int64_t b_step,
               int64_t rows, __mmask16 last, float* C, int64_t ldc, int64_t c_step, const GemmTileEpilogue* epilogue) {
    constexpr int kRows = 6, kStretch = kVectors, kAll = 2 * kVectors;
    __m512 acc[kRows][kAll];
#pragma GCC unroll 6
    for (int r = 0; r < kRows; r++) {
#pragma GCC unroll 4
        for (int v = 0; v < kAll; v++) acc[r][v] = _mm512_setzero_ps();
    }
    for (int64_t k = 0; k < K; k++) {
        const float* b = B + row_offsets[k];
        __m512 x[kAll];
#pragma GCC unroll 4
        for (int v = 0; v < kAll; v++) {
            const float* p = b + (v / kStretch) * b_step + (v % kStretch) * kLanes;
            x[v] = v % kStretch == kStretch - 1 ? _mm512_maskz_loadu_ps(last, p) : _mm512_loadu_ps(p);
        }
#pragma GCC unroll 6
        for (int r = 0; r < kRows; r++) {
            const __m512 a = _mm512_set1_ps(panel[r]);
#pragma GCC unroll 4
            for (int v = 0; v < kAll; v++) acc[r][v] = _mm512_fmadd_ps(a, x[v], acc[r][v]);
        }
        panel += 8;
    }
#pragma GCC unroll 6
    for (int r = 0; r < kRows; r++) {
        if (r >= rows) break;
        const __m512 bias = _mm512_set1_ps(epilogue && epilogue->bias ? epilogue->bias[r] : 0.0f);
#pragma GCC unroll 4
        for (int v = 0; v < kAll; v++) {
            const int64_t at = r * ldc + (v / kStretch) * c_step + (v % kStretch) * kLanes;
            const __mmask16 m = v % kStretch == kStretch - 1 ? last : (__mmask16)0xFFFF;
            __m512 y = acc[r][v];
            if (epilogue) {
                const float* residual = epilogue->residual;
                const int64_t res_at = r * epilogue->ld_residual + (v / kStretch) * c_step + (v % kStretch) * kLanes;
                const __m512 res = residual ? _mm512_maskz_loadu_ps(m, residual + res_at) : y;
                y = finish_vector(y, bias, residual != nullptr, res, epilogue->kind);
            }
            _mm512_mask_storeu_ps(C + at, m, y);
        }
    }
}

void pair_indirect(int64_t K, const float* panel, const float* B, const int64_t* row_offsets, int64_t b_step,
                   int64_t rows, int64_t cols, float* C, int64_t ldc, int64_t c_step,
                   const GemmTileEpilogue* epilogue) {
    const int64_t vectors = (cols + kLanes - 1) / kLanes;
    const __mmask16 last = first_lanes(cols - (vectors - 1) * kLanes);
    if (vectors == 1) {
        pair_tile<1>(K, panel, B, row_offsets, b_step, rows, last, C, ldc, c_step, epilogue);
    } else {
        pair_tile<2>(K, panel, B, row_offsets, b_step, rows, last, C, ldc, c_step, epilogue);
    }
}

}  // namespace

const GemmKernels kGemmAvx512 = {3 * kLanes, tile,   narrow, tile_indirect, lanes_indirect, lanes_pixels, kLanes,
                                 pair_indirect};

}  // namespace cnn4j
