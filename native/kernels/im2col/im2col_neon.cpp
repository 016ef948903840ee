/* Strides 2, 3 and 4: one de-interleaving load (vld2q / vld3q / vld4q) per 4 outputs, scalar tail. Wider: scalar. */
#include <arm_neon.h>

#include <cstdint>

#include "kernels/im2col/im2col.h"

namespace cnn4j {
namespace {

void strided_row(const float* in, int64_t stride, int64_t n, float* out) {
    int64_t i = 0;
    // vldSq reads in[S*i .. S*i + 4S - 1]: in bounds while S*i + 4S - 1 <= S(n - 1), i.e. i + 4 < n for S = 2..4.
    if (stride == 2) {
        for (; i + 4 < n; i += 4) vst1q_f32(out + i, vld2q_f32(in + 2 * i).val[0]);
    } else if (stride == 3) {
        for (; i + 4 < n; i += 4) vst1q_f32(out + i, vld3q_f32(in + 3 * i).val[0]);
    } else if (stride == 4) {
        for (; i + 4 < n; i += 4) vst1q_f32(out + i, vld4q_f32(in + 4 * i).val[0]);
    }
    for (; i < n; i++) out[i] = in[i * stride];
}

/* Stride-1 rows: the plain loop, which the compiler vectorizes for NEON. */
void stride1_rows(const float* in, const int64_t* row_src, int64_t rows, int64_t width, int64_t first, int64_t last,
                  float* out) {
    for (int64_t r = 0; r < rows; r++, out += width) {
        const bool valid = row_src[r] >= 0;
        for (int64_t ow = 0; ow < width; ow++) {
            out[ow] = valid && ow >= first && ow < last ? in[row_src[r] + ow] : 0.0f;
        }
    }
}

}  // namespace

const Im2colKernels kIm2colNeon = {strided_row, stride1_rows};

}  // namespace cnn4j
