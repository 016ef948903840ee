/* Stride 2: two loads, one in-lane shuffle and one cross-lane permute per 8 outputs, masked loads and store for the
   tail. Strides 3..64: one 8-lane gather per 8 outputs, scalar tail. Wider strides: scalar. */
#include <immintrin.h>

#include <cstdint>

#include "kernels/im2col/im2col.h"

namespace cnn4j {
namespace {

/* Lanes [0, count) set, count in [0, 8]. */
__m256i first_lanes(int64_t count) {
    return _mm256_cmpgt_epi32(_mm256_set1_epi32((int)count), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
}

/* The even floats of a (in[0..7]) and b (in[8..15]), in order. */
__m256 evens(__m256 a, __m256 b) {
    const __m256 mixed = _mm256_shuffle_ps(a, b, _MM_SHUFFLE(2, 0, 2, 0));  // a0 a2 b0 b2 | a4 a6 b4 b6
    return _mm256_castpd_ps(_mm256_permute4x64_pd(_mm256_castps_pd(mixed), _MM_SHUFFLE(3, 1, 2, 0)));
}

void strided_row(const float* in, int64_t stride, int64_t n, float* out) {
    int64_t i = 0;
    if (stride == 2) {
        // Full loads read in[2i .. 2i + 15]: in bounds while 2i + 15 <= 2(n - 1).
        for (; i + 8 < n; i += 8) {
            _mm256_storeu_ps(out + i, evens(_mm256_loadu_ps(in + 2 * i), _mm256_loadu_ps(in + 2 * i + 8)));
        }
        const int64_t r = n - i;  // 0..8 outputs left, reading 2r - 1 floats
        if (r > 0) {
            const int64_t floats = 2 * r - 1;
            const __m256 a = _mm256_maskload_ps(in + 2 * i, first_lanes(floats < 8 ? floats : 8));
            const __m256 b = _mm256_maskload_ps(in + 2 * i + 8, first_lanes(floats > 8 ? floats - 8 : 0));
            _mm256_maskstore_ps(out + i, first_lanes(r), evens(a, b));
        }
        return;
    }
    if (stride <= 64) {
        const __m256i index = _mm256_mullo_epi32(_mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7), _mm256_set1_epi32((int)stride));
        for (; i + 8 <= n; i += 8) _mm256_storeu_ps(out + i, _mm256_i32gather_ps(in + i * stride, index, 4));
    }
    for (; i < n; i++) out[i] = in[i * stride];
}

/* One masked load (zeroing the padding lanes) and one masked store per 8 outputs of a row. */
void stride1_rows(const float* in, const int64_t* row_src, int64_t rows, int64_t width, int64_t first, int64_t last,
                  float* out) {
    const __m256i lane = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
    for (int64_t r = 0; r < rows; r++, out += width) {
        const float* row = in + row_src[r];
        const bool valid = row_src[r] >= 0;
        for (int64_t j = 0; j < width; j += 8) {
            // Lanes l with first <= j + l < last (none in a padding row), and l < width - j for the store.
            const __m256i at_or_after_first = _mm256_cmpgt_epi32(lane, _mm256_set1_epi32((int)(first - j - 1)));
            const __m256i load = valid ? _mm256_and_si256(at_or_after_first, first_lanes(last - j))
                                       : _mm256_setzero_si256();
            _mm256_maskstore_ps(out + j, first_lanes(width - j), _mm256_maskload_ps(row + j, load));
        }
    }
}

}  // namespace

const Im2colKernels kIm2colAvx2 = {strided_row, stride1_rows};

}  // namespace cnn4j
