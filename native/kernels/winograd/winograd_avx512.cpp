/*
 * Winograd kernels, AVX-512: the shared transforms (winograd_transforms.h) on 16 tiles per vector.
 */
#include <immintrin.h>

#include <cstdint>
#include <cstring>

#include "cnn4j.h"
#include "kernels/winograd/winograd.h"

namespace cnn4j {
namespace {

constexpr int64_t kLanes = 16;
using Vec = __m512;

inline Vec vzero() { return _mm512_setzero_ps(); }
inline Vec vset1(float x) { return _mm512_set1_ps(x); }
inline Vec vload(const float* p) { return _mm512_loadu_ps(p); }
inline void vstore(float* p, Vec v) { _mm512_storeu_ps(p, v); }
inline Vec vadd(Vec a, Vec b) { return _mm512_add_ps(a, b); }
inline Vec vsub(Vec a, Vec b) { return _mm512_sub_ps(a, b); }
inline Vec vfmadd(Vec a, Vec b, Vec c) { return _mm512_fmadd_ps(a, b, c); }
/* Tile lanes sit `stride` (= m) floats apart (masked form: see vrelu). */
inline Vec vgather(const float* base, int64_t stride) {
    const __m512i index = _mm512_mullo_epi32(
        _mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15), _mm512_set1_epi32((int)stride));
    return _mm512_mask_i32gather_ps(_mm512_setzero_ps(), 0xFFFF, index, base, 4);
}
/* max/min return their second operand when either is NaN: x goes second so a NaN passes through. The masked
   forms (all lanes) because GCC 12 warns that the plain ones' undefined pass-through may be uninitialized. */
inline Vec vrelu(Vec x) { return _mm512_mask_max_ps(x, 0xFFFF, _mm512_setzero_ps(), x); }
inline Vec vrelu6(Vec x) { return _mm512_mask_min_ps(x, 0xFFFF, _mm512_set1_ps(6.0f), vrelu(x)); }

#include "kernels/winograd/winograd_transforms.h"

}  // namespace

const WinogradKernels kWinogradAvx512 = {input_run, output_run};

}  // namespace cnn4j
