/* NEON: the partial sums in four 4-lane vectors (p[0..3] .. p[12..15]), the tail and the reduction as the reference. */
#include <arm_neon.h>

#include "kernels/gemv/gemv.h"

namespace cnn4j {
namespace {

void rows(const float* W, int64_t ldw, int64_t rows, int64_t K, const float* x, float* y) {
    for (int64_t r = 0; r < rows; r++) {
        const float* w = W + r * ldw;
        float32x4_t acc[4] = {vdupq_n_f32(0.0f), vdupq_n_f32(0.0f), vdupq_n_f32(0.0f), vdupq_n_f32(0.0f)};
        int64_t k = 0;
        for (; k + 16 <= K; k += 16) {
            for (int q = 0; q < 4; q++) acc[q] = vfmaq_f32(acc[q], vld1q_f32(w + k + 4 * q), vld1q_f32(x + k + 4 * q));
        }
        float p[16];
        for (int q = 0; q < 4; q++) vst1q_f32(p + 4 * q, acc[q]);
        for (int64_t j = 0; k + j < K; j++) p[j] = __builtin_fmaf(w[k + j], x[k + j], p[j]);  // fused, as std::fma
        for (int h = 8; h >= 1; h /= 2) {
            for (int j = 0; j < h; j++) p[j] += p[j + h];
        }
        y[r] = p[0];
    }
}

}  // namespace

const GemvKernels kGemvNeon = {rows};

}  // namespace cnn4j
