/* Depthwise convolution, AVX-512: 16 outputs per step, masked tails (algorithm: depthwise_impl.h). */
#include "kernels/simd/vec_avx512.h"
#include "kernels/depthwise/depthwise_impl.h"
#include "kernels/depthwise/depthwise_channels_last_impl.h"

namespace cnn4j {

const DepthwiseKernels kDepthwiseAvx512 = dw_kernels<Vec>();

}  // namespace cnn4j
