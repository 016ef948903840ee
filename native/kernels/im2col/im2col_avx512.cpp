/* Stride 2: two loads and one two-source permute per 16 outputs, masked loads and store for the tail.
   Strides 3..64: one 16-lane gather per 16 outputs (masked for the tail). Wider strides: scalar. */
#include <immintrin.h>

#include <cstdint>

#include "kernels/im2col/im2col.h"

namespace cnn4j {
namespace {

void strided_row(const float* in, int64_t stride, int64_t n, float* out) {
    int64_t i = 0;
    if (stride == 2) {
        const __m512i even = _mm512_setr_epi32(0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30);
        // Full loads read in[2i .. 2i + 31]: in bounds while 2i + 31 <= 2(n - 1).
        for (; i + 16 < n; i += 16) {
            const __m512 a = _mm512_loadu_ps(in + 2 * i), b = _mm512_loadu_ps(in + 2 * i + 16);
            _mm512_storeu_ps(out + i, _mm512_permutex2var_ps(a, even, b));
        }
        const int64_t r = n - i;  // 0..16 outputs left, reading 2r - 1 floats
        if (r > 0) {
            const int64_t floats = 2 * r - 1;
            const __mmask16 ma = (__mmask16)(floats >= 16 ? 0xFFFF : (1u << floats) - 1);
            const __mmask16 mb = (__mmask16)(floats > 16 ? (1u << (floats - 16)) - 1 : 0);
            const __m512 a = _mm512_maskz_loadu_ps(ma, in + 2 * i), b = _mm512_maskz_loadu_ps(mb, in + 2 * i + 16);
            _mm512_mask_storeu_ps(out + i, (__mmask16)((1u << r) - 1), _mm512_permutex2var_ps(a, even, b));
        }
        return;
    }
    if (stride <= 64) {
        const __m512i index = _mm512_mullo_epi32(_mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15),
                                                 _mm512_set1_epi32((int)stride));
        // The masked gather with a zero source (GCC warns about the unmasked one's undefined source).
        for (; i + 16 <= n; i += 16) {
            _mm512_storeu_ps(out + i, _mm512_mask_i32gather_ps(_mm512_setzero_ps(), (__mmask16)0xFFFF, index,
                                                               in + i * stride, 4));
        }
        const int64_t r = n - i;
        if (r > 0) {
            const __mmask16 m = (__mmask16)((1u << r) - 1);
            _mm512_mask_storeu_ps(out + i, m,
                                  _mm512_mask_i32gather_ps(_mm512_setzero_ps(), m, index, in + i * stride, 4));
        }
        return;
    }
    for (; i < n; i++) out[i] = in[i * stride];
}

/* Lanes [0, n) of 16, n clamped to [0, 16]. */
inline __mmask16 lanes_below(int64_t n) {
    return (__mmask16)(n <= 0 ? 0 : n >= 16 ? 0xFFFF : (1u << n) - 1);
}

/* One masked load (zeroing the padding lanes) and one masked store per 16 outputs of a row. */
void stride1_rows(const float* in, const int64_t* row_src, int64_t rows, int64_t width, int64_t first, int64_t last,
                  float* out) {
    for (int64_t r = 0; r < rows; r++, out += width) {
        const float* row = in + row_src[r];
        const bool valid = row_src[r] >= 0;
        for (int64_t j = 0; j < width; j += 16) {
            const __mmask16 load = valid ? (__mmask16)(lanes_below(last - j) & ~lanes_below(first - j)) : 0;
            _mm512_mask_storeu_ps(out + j, lanes_below(width - j), _mm512_maskz_loadu_ps(load, row + j));
        }
    }
}

}  // namespace

const Im2colKernels kIm2colAvx512 = {strided_row, stride1_rows};

}  // namespace cnn4j
