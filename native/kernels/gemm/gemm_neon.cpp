/* NEON GEMM tile: 8 rows x up to 3 vectors (12 columns) of accumulators, 24 of the 32 q registers; per k, the 8
   values of A in two registers feed 24 lane-indexed FMAs against 3 vectors of B. Narrow tails go through a
   zero-padded copy of B's columns and a copy-out of C's (no masked loads on NEON). */
#include <arm_neon.h>

#include <cstdint>
#include <cstring>

#include "kernels/gemm/gemm.h"

namespace cnn4j {
namespace {

constexpr int kLanes = 4;
constexpr int kColumns = 3 * kLanes;

/* acc[r][v] += the products of k < K: the accumulators carry over between calls, so a narrow tile sums in the
   same k order as a full one. */
template <class Rows>
void accumulate_tile(int64_t K, const float* panel, Rows B_rows, float32x4_t acc[8][3]) {
    for (int64_t k = 0; k < K; k++) {
        const float* B = B_rows(k);
        const float32x4_t a_lo = vld1q_f32(panel), a_hi = vld1q_f32(panel + 4);
        const float32x4_t b0 = vld1q_f32(B), b1 = vld1q_f32(B + 4), b2 = vld1q_f32(B + 8);
#define CNN4J_GEMM_ROW(r, a, lane)                            \
    acc[r][0] = vfmaq_laneq_f32(acc[r][0], b0, a, lane);      \
    acc[r][1] = vfmaq_laneq_f32(acc[r][1], b1, a, lane);      \
    acc[r][2] = vfmaq_laneq_f32(acc[r][2], b2, a, lane);
        CNN4J_GEMM_ROW(0, a_lo, 0) CNN4J_GEMM_ROW(1, a_lo, 1) CNN4J_GEMM_ROW(2, a_lo, 2) CNN4J_GEMM_ROW(3, a_lo, 3)
        CNN4J_GEMM_ROW(4, a_hi, 0) CNN4J_GEMM_ROW(5, a_hi, 1) CNN4J_GEMM_ROW(6, a_hi, 2) CNN4J_GEMM_ROW(7, a_hi, 3)
#undef CNN4J_GEMM_ROW
        panel += 8;
    }
}

template <class Rows>
void tile_of(int64_t K, const float* panel, Rows B_rows, int64_t rows, int64_t cols, float* C, int64_t ldc,
             bool accumulate, const GemmTileEpilogue* epilogue) {
    float32x4_t acc[8][3];
    for (int r = 0; r < 8; r++) {
        for (int v = 0; v < 3; v++) acc[r][v] = vdupq_n_f32(0.0f);
    }
    if (cols == kColumns) {
        accumulate_tile(K, panel, B_rows, acc);
    } else {
        // A narrow tile: B's columns copied, zero-padded to 12, in blocks of up to 64 rows.
        float padded[64 * kColumns];
        for (int64_t k0 = 0; k0 < K; k0 += 64) {
            const int64_t kc = K - k0 < 64 ? K - k0 : 64;
            for (int64_t k = 0; k < kc; k++) {
                std::memset(padded + k * kColumns, 0, sizeof(float) * kColumns);
                std::memcpy(padded + k * kColumns, B_rows(k0 + k), sizeof(float) * cols);
            }
            accumulate_tile(kc, panel + k0 * 8, GemmStridedRows{padded, kColumns}, acc);
        }
    }
    for (int64_t r = 0; r < rows; r++) {
        float row[kColumns];
        for (int v = 0; v < 3; v++) vst1q_f32(row + v * kLanes, acc[r][v]);
        float* c = C + r * ldc;
        for (int64_t j = 0; j < cols; j++) {
            const float y = accumulate ? c[j] + row[j] : row[j];
            c[j] = epilogue ? gemm_finish_one(y, *epilogue, r, j) : y;
        }
    }
}

#include "kernels/gemm/gemm_entry.inc"

}  // namespace

const GemmKernels kGemmNeon = {kColumns, tile, nullptr, tile_indirect, nullptr, nullptr, 0, nullptr};

}  // namespace cnn4j
