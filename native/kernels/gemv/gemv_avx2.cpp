/* AVX2 + FMA: the 16 partial sums in two 8-lane vectors (p[0..7], p[8..15]); four rows at a time share each load
   of x; the tail blends the fused multiply-add into the lanes below K only. */
#include <immintrin.h>

#include "kernels/gemv/gemv.h"

namespace cnn4j {
namespace {

/* Lanes [0, n) set, n clamped to [0, 8]. */
inline __m256i lanes_below(int64_t n) {
    return _mm256_cmpgt_epi32(_mm256_set1_epi32((int)(n < 0 ? 0 : n > 8 ? 8 : n)),
                              _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
}

/* p[0] after p[j] += p[j + h], h = 8, 4, 2, 1. */
inline float reduce(__m256 lo, __m256 hi) {
    const __m256 s8 = _mm256_add_ps(lo, hi);
    const __m128 s4 = _mm_add_ps(_mm256_castps256_ps128(s8), _mm256_extractf128_ps(s8, 1));
    const __m128 s2 = _mm_add_ps(s4, _mm_movehl_ps(s4, s4));
    return _mm_cvtss_f32(_mm_add_ss(s2, _mm_shuffle_ps(s2, s2, 1)));
}

template <int R>
inline void row_group(const float* W, int64_t ldw, int64_t K, const float* x, float* y) {
    __m256 lo[R], hi[R];
    for (int i = 0; i < R; i++) lo[i] = hi[i] = _mm256_setzero_ps();
    int64_t k = 0;
    for (; k + 16 <= K; k += 16) {
        const __m256 x0 = _mm256_loadu_ps(x + k), x1 = _mm256_loadu_ps(x + k + 8);
        for (int i = 0; i < R; i++) {
            lo[i] = _mm256_fmadd_ps(_mm256_loadu_ps(W + i * ldw + k), x0, lo[i]);
            hi[i] = _mm256_fmadd_ps(_mm256_loadu_ps(W + i * ldw + k + 8), x1, hi[i]);
        }
    }
    if (k < K) {
        const __m256i m0 = lanes_below(K - k), m1 = lanes_below(K - k - 8);
        const __m256 x0 = _mm256_maskload_ps(x + k, m0), x1 = _mm256_maskload_ps(x + k + 8, m1);
        for (int i = 0; i < R; i++) {
            const __m256 f0 = _mm256_fmadd_ps(_mm256_maskload_ps(W + i * ldw + k, m0), x0, lo[i]);
            const __m256 f1 = _mm256_fmadd_ps(_mm256_maskload_ps(W + i * ldw + k + 8, m1), x1, hi[i]);
            lo[i] = _mm256_blendv_ps(lo[i], f0, _mm256_castsi256_ps(m0));
            hi[i] = _mm256_blendv_ps(hi[i], f1, _mm256_castsi256_ps(m1));
        }
    }
    for (int i = 0; i < R; i++) y[i] = reduce(lo[i], hi[i]);
}

void rows(const float* W, int64_t ldw, int64_t rows, int64_t K, const float* x, float* y) {
    int64_t r = 0;
    for (; r + 4 <= rows; r += 4) row_group<4>(W + r * ldw, ldw, K, x, y + r);
    for (; r < rows; r++) row_group<1>(W + r * ldw, ldw, K, x, y + r);
}

}  // namespace

const GemvKernels kGemvAvx2 = {rows};

}  // namespace cnn4j
