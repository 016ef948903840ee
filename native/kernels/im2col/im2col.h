/*
 * im2col row copies (ops/conv.cpp, im2col_block): one in-bounds stretch of a column row reads an input row at a fixed
 * width stride (strided_row; stride 1 is a memcpy and never comes there), and a stride-1 column row over whole
 * output rows, padding included (stride1_rows: small maps, where per-stretch bookkeeping used to cost more than the
 * copy itself, e.g. LeNet's 10-wide rows).
 *
 * Results: bit-identical in every variant (a copy; no arithmetic). Every variant reads only in[0], in[stride], ...,
 * in[(n - 1) * stride] and the floats between them, never past in[(n - 1) * stride]: the row may end there.
 */
#ifndef CNN4J_KERNELS_IM2COL_H
#define CNN4J_KERNELS_IM2COL_H

#include <cstdint>

namespace cnn4j {

struct Im2colKernels {
    /* out[i] = in[i * stride] for i in [0, n); stride >= 2, n >= 0. Vectorized for stride 2 (all SIMD variants),
       3 and 4 (NEON: vld3/vld4; AVX2/AVX-512: gathers). */
    void (*strided_row)(const float* in, int64_t stride, int64_t n, float* out);

    /* For r in [0, rows) and ow in [0, width):
           out[r * width + ow] = row_src[r] >= 0 && first <= ow < last ? in[row_src[r] + ow] : 0.
       Reads only those in-bounds elements (in is usually the plane shifted by the kernel column's offset, so it may
       point before the plane); 0 <= first, last <= width. */
    void (*stride1_rows)(const float* in, const int64_t* row_src, int64_t rows, int64_t width, int64_t first,
                         int64_t last, float* out);
};

extern const Im2colKernels kIm2colScalar;
extern const Im2colKernels kIm2colAvx2;
extern const Im2colKernels kIm2colAvx512;
extern const Im2colKernels kIm2colNeon;

}  // namespace cnn4j

#endif
