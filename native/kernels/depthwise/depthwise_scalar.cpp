/* Depthwise convolution, scalar reference: one-lane vectors, multiply then add; the SIMD variants are tested against it and the float64 reference (algorithm: depthwise_impl.h). */
#include "kernels/simd/vec_scalar.h"
#include "kernels/depthwise/depthwise_impl.h"
#include "kernels/depthwise/depthwise_channels_last_impl.h"

namespace cnn4j {

const DepthwiseKernels kDepthwiseScalar = dw_kernels<Vec>();

}  // namespace cnn4j
