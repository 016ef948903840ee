/*
 * Activations, NEON (AArch64): activation_simd.inc on simd/neon.inc's primitives. Accuracy: simd/math.inc.
 */
#include <arm_neon.h>

#include <cstdint>
#include <cstring>

#include "kernels/activation/activation.h"

namespace cnn4j {
namespace {

#include "kernels/simd/neon.inc"
#include "kernels/simd/math.inc"
#include "kernels/activation/activation_simd.inc"

}  // namespace

const ActivationKernels kActivationNeon = {apply, epilogue};

}  // namespace cnn4j
