/*
 * Winograd kernels, AVX2 + FMA: the shared transforms (winograd_transforms.h) on 8 tiles per vector.
 */
#include <immintrin.h>

#include <cstdint>
#include <cstring>

#include "cnn4j.h"
#include "kernels/winograd/winograd.h"

namespace cnn4j {
namespace {

constexpr int64_t kLanes = 8;
using Vec = __m256;

inline Vec vzero() { return _mm256_setzero_ps(); }
inline Vec vset1(float x) { return _mm256_set1_ps(x); }
inline Vec vload(const float* p) { return _mm256_loadu_ps(p); }
inline void vstore(float* p, Vec v) { _mm256_storeu_ps(p, v); }
inline Vec vadd(Vec a, Vec b) { return _mm256_add_ps(a, b); }
inline Vec vsub(Vec a, Vec b) { return _mm256_sub_ps(a, b); }
inline Vec vfmadd(Vec a, Vec b, Vec c) { return _mm256_fmadd_ps(a, b, c); }
/* Tile lanes sit `stride` (= m) floats apart. */
inline Vec vgather(const float* base, int64_t stride) {
    const __m256i index = _mm256_mullo_epi32(_mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7), _mm256_set1_epi32((int)stride));
    return _mm256_i32gather_ps(base, index, 4);
}
/* max/min return their second operand when either is NaN: x goes second so a NaN passes through. */
inline Vec vrelu(Vec x) { return _mm256_max_ps(_mm256_setzero_ps(), x); }
inline Vec vrelu6(Vec x) { return _mm256_min_ps(_mm256_set1_ps(6.0f), vrelu(x)); }

#include "kernels/winograd/winograd_transforms.h"

}  // namespace

const WinogradKernels kWinogradAvx2 = {input_run, output_run};

}  // namespace cnn4j
