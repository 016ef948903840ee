/* Depthwise convolution, arm64 NEON: 4 outputs per step (vld2q for stride 2) (algorithm: depthwise_impl.h). */
#include "kernels/simd/vec_neon.h"
#include "kernels/depthwise/depthwise_impl.h"
#include "kernels/depthwise/depthwise_channels_last_impl.h"

namespace cnn4j {

const DepthwiseKernels kDepthwiseNeon = dw_kernels<Vec>();

}  // namespace cnn4j
