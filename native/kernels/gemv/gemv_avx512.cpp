/* AVX-512: the 16 partial sums are one vector; four rows at a time share each load of x; the tail is a masked
   fused multiply-add that leaves the lanes past K untouched. */
#include <immintrin.h>

#include "kernels/gemv/gemv.h"

namespace cnn4j {
namespace {

/* p[0] after p[j] += p[j + h], h = 8, 4, 2, 1. */
inline float reduce(__m512 p) {
    const __m256 s8 = _mm256_add_ps(_mm512_extractf32x8_ps(p, 0), _mm512_extractf32x8_ps(p, 1));
    const __m128 s4 = _mm_add_ps(_mm256_castps256_ps128(s8), _mm256_extractf128_ps(s8, 1));
    const __m128 s2 = _mm_add_ps(s4, _mm_movehl_ps(s4, s4));
    return _mm_cvtss_f32(_mm_add_ss(s2, _mm_shuffle_ps(s2, s2, 1)));
}

template <int R>
inline void row_group(const float* W, int64_t ldw, int64_t K, const float* x, float* y) {
    __m512 acc[R];
    for (int i = 0; i < R; i++) acc[i] = _mm512_setzero_ps();
    int64_t k = 0;
    for (; k + 16 <= K; k += 16) {
        const __m512 xv = _mm512_loadu_ps(x + k);
        for (int i = 0; i < R; i++) acc[i] = _mm512_fmadd_ps(_mm512_loadu_ps(W + i * ldw + k), xv, acc[i]);
    }
    if (k < K) {
        const __mmask16 m = (__mmask16)((1u << (K - k)) - 1);
        const __m512 xv = _mm512_maskz_loadu_ps(m, x + k);
        for (int i = 0; i < R; i++) {
            acc[i] = _mm512_mask3_fmadd_ps(_mm512_maskz_loadu_ps(m, W + i * ldw + k), xv, acc[i], m);
        }
    }
    for (int i = 0; i < R; i++) y[i] = reduce(acc[i]);
}

void rows(const float* W, int64_t ldw, int64_t rows, int64_t K, const float* x, float* y) {
    int64_t r = 0;
    for (; r + 4 <= rows; r += 4) row_group<4>(W + r * ldw, ldw, K, x, y + r);
    for (; r < rows; r++) row_group<1>(W + r * ldw, ldw, K, x, y + r);
}

}  // namespace

const GemvKernels kGemvAvx512 = {rows};

}  // namespace cnn4j
