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
/* The first n (0 .. 16) lanes: masked, so nothing past them is touched (and no store-forwarding stall). */
inline Vec vload_lanes(const float* p, int64_t n) { return _mm512_maskz_loadu_ps((__mmask16)((1u << n) - 1), p); }
inline void vstore_lanes(float* p, Vec v, int64_t n) { _mm512_mask_storeu_ps(p, (__mmask16)((1u << n) - 1), v); }
/* p[4l + q] -> v[q] lane l (l < 16, q < 4): the four phases of 16 adjacent 4-float groups, two permutes and a
   blend per phase. vinterleave4 is the inverse (one permute per pair, then one per quarter). */
inline void vdeinterleave4(const float* p, Vec* v) {
    const __m512 a = _mm512_loadu_ps(p), b = _mm512_loadu_ps(p + 16), c = _mm512_loadu_ps(p + 32),
                 d = _mm512_loadu_ps(p + 48);
    for (int q = 0; q < 4; q++) {
        const __m512i index = _mm512_add_epi32(
            _mm512_setr_epi32(0, 4, 8, 12, 16, 20, 24, 28, 0, 4, 8, 12, 16, 20, 24, 28), _mm512_set1_epi32(q));
        const __m512 low = _mm512_permutex2var_ps(a, index, b), high = _mm512_permutex2var_ps(c, index, d);
        v[q] = _mm512_mask_blend_ps(0xFF00, low, high);
    }
}
inline void vinterleave4(float* p, const Vec* v) {
    const __m512i pairs_low = _mm512_setr_epi32(0, 16, 1, 17, 2, 18, 3, 19, 4, 20, 5, 21, 6, 22, 7, 23);
    const __m512i pairs_high = _mm512_setr_epi32(8, 24, 9, 25, 10, 26, 11, 27, 12, 28, 13, 29, 14, 30, 15, 31);
    const __m512 v01_low = _mm512_permutex2var_ps(v[0], pairs_low, v[1]);
    const __m512 v01_high = _mm512_permutex2var_ps(v[0], pairs_high, v[1]);
    const __m512 v23_low = _mm512_permutex2var_ps(v[2], pairs_low, v[3]);
    const __m512 v23_high = _mm512_permutex2var_ps(v[2], pairs_high, v[3]);
    const __m512i first = _mm512_setr_epi32(0, 1, 16, 17, 2, 3, 18, 19, 4, 5, 20, 21, 6, 7, 22, 23);
    const __m512i second = _mm512_setr_epi32(8, 9, 24, 25, 10, 11, 26, 27, 12, 13, 28, 29, 14, 15, 30, 31);
    _mm512_storeu_ps(p, _mm512_permutex2var_ps(v01_low, first, v23_low));
    _mm512_storeu_ps(p + 16, _mm512_permutex2var_ps(v01_low, second, v23_low));
    _mm512_storeu_ps(p + 32, _mm512_permutex2var_ps(v01_high, first, v23_high));
    _mm512_storeu_ps(p + 48, _mm512_permutex2var_ps(v01_high, second, v23_high));
}
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

const WinogradKernels kWinogradAvx512 = {input_run, output_run, epilogue};

}  // namespace cnn4j
