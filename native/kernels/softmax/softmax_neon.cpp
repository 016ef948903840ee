/*
 * Softmax, NEON (AArch64): softmax_simd.inc on simd/neon.inc's primitives and simd/math.inc's exp.
 */
#include <arm_neon.h>

#include <cstdint>
#include <cstring>

#include "kernels/softmax/softmax.h"

namespace cnn4j {
namespace {

#include "kernels/simd/neon.inc"
#include "kernels/simd/math.inc"
#include "kernels/softmax/softmax_simd.inc"

}  // namespace

const SoftmaxKernels kSoftmaxNeon = {forward};

}  // namespace cnn4j
