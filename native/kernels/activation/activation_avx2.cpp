/*
 * Activations, AVX2 + FMA: activation_simd.inc on simd/avx2.inc's primitives. Accuracy: simd/math.inc.
 */
#include <immintrin.h>

#include <cstdint>
#include <cstring>

#include "kernels/activation/activation.h"

namespace cnn4j {
namespace {

#include "kernels/simd/avx2.inc"
#include "kernels/simd/math.inc"
#include "kernels/activation/activation_simd.inc"

}  // namespace

const ActivationKernels kActivationAvx2 = {apply, epilogue};

}  // namespace cnn4j
