/*
 * im2col row copies: one in-bounds stretch of a column row reads an input row at a fixed width stride
 * (ops/conv.cpp, im2col_block). Stride 1 is a memcpy and never comes here.
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
};

extern const Im2colKernels kIm2colScalar;
extern const Im2colKernels kIm2colAvx2;
extern const Im2colKernels kIm2colAvx512;
extern const Im2colKernels kIm2colNeon;

}  // namespace cnn4j

#endif
