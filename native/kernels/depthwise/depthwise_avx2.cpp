/* Depthwise convolution, AVX2 + FMA: 8 outputs per step (algorithm: depthwise_impl.h). */
#include "kernels/simd/vec_avx2.h"
#include "kernels/depthwise/depthwise_impl.h"
#include "kernels/depthwise/depthwise_channels_last_impl.h"

namespace cnn4j {

const DepthwiseKernels kDepthwiseAvx2 = dw_kernels<Vec>();

}  // namespace cnn4j
