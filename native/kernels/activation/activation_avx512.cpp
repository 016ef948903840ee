/*
 * Activations, AVX-512: activation_simd.inc on simd/avx512.inc's primitives. Accuracy: simd/math.inc.
 */
#include <immintrin.h>

#include <cstdint>
#include <cstring>

#include "kernels/activation/activation.h"

namespace cnn4j {
namespace {

#include "kernels/simd/avx512.inc"
#include "kernels/simd/math.inc"
#include "kernels/activation/activation_simd.inc"

}  // namespace

const ActivationKernels kActivationAvx512 = {apply, epilogue};

}  // namespace cnn4j
