/*
 * Softmax, AVX2 + FMA: softmax_simd.inc on simd/avx2.inc's primitives and simd/math.inc's exp.
 */
#include <immintrin.h>

#include <cstdint>
#include <cstring>

#include "kernels/softmax/softmax.h"

namespace cnn4j {
namespace {

#include "kernels/simd/avx2.inc"
#include "kernels/simd/math.inc"
#include "kernels/softmax/softmax_simd.inc"

}  // namespace

const SoftmaxKernels kSoftmaxAvx2 = {forward};

}  // namespace cnn4j
