/* The reference: one load and one store per element. */
#include "kernels/im2col/im2col.h"

namespace cnn4j {
namespace {

void strided_row(const float* in, int64_t stride, int64_t n, float* out) {
    for (int64_t i = 0; i < n; i++) out[i] = in[i * stride];
}

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

const Im2colKernels kIm2colScalar = {strided_row, stride1_rows};

}  // namespace cnn4j
