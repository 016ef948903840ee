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
/* The first n (0 .. 8) lanes: masked, so nothing past them is touched (and no store-forwarding stall). */
inline __m256i lane_mask(int64_t n) {
    return _mm256_cmpgt_epi32(_mm256_set1_epi32((int)n), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
}
inline Vec vload_lanes(const float* p, int64_t n) { return _mm256_maskload_ps(p, lane_mask(n)); }
inline void vstore_lanes(float* p, Vec v, int64_t n) { _mm256_maskstore_ps(p, lane_mask(n), v); }
/* The 4x4 transpose inside each 128-bit half (its own inverse). */
inline void transpose4_halves(Vec r0, Vec r1, Vec r2, Vec r3, Vec* out) {
    const Vec t0 = _mm256_unpacklo_ps(r0, r1), t2 = _mm256_unpackhi_ps(r0, r1);
    const Vec t1 = _mm256_unpacklo_ps(r2, r3), t3 = _mm256_unpackhi_ps(r2, r3);
    out[0] = _mm256_shuffle_ps(t0, t1, 0x44);
    out[1] = _mm256_shuffle_ps(t0, t1, 0xEE);
    out[2] = _mm256_shuffle_ps(t2, t3, 0x44);
    out[3] = _mm256_shuffle_ps(t2, t3, 0xEE);
}
/* p[4l + q] -> v[q] lane l (l < 8, q < 4): groups 0-3 into the low halves, 4-7 into the high ones, then the
   in-half transpose. vinterleave4 is the inverse. */
inline void vdeinterleave4(const float* p, Vec* v) {
    const Vec a = _mm256_loadu_ps(p), b = _mm256_loadu_ps(p + 8), c = _mm256_loadu_ps(p + 16),
              d = _mm256_loadu_ps(p + 24);
    transpose4_halves(_mm256_permute2f128_ps(a, c, 0x20), _mm256_permute2f128_ps(a, c, 0x31),
                      _mm256_permute2f128_ps(b, d, 0x20), _mm256_permute2f128_ps(b, d, 0x31), v);
}
inline void vinterleave4(float* p, const Vec* v) {
    Vec r[4];
    transpose4_halves(v[0], v[1], v[2], v[3], r);
    _mm256_storeu_ps(p, _mm256_permute2f128_ps(r[0], r[1], 0x20));
    _mm256_storeu_ps(p + 8, _mm256_permute2f128_ps(r[2], r[3], 0x20));
    _mm256_storeu_ps(p + 16, _mm256_permute2f128_ps(r[0], r[1], 0x31));
    _mm256_storeu_ps(p + 24, _mm256_permute2f128_ps(r[2], r[3], 0x31));
}
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

const WinogradKernels kWinogradAvx2 = {input_run, output_run, epilogue};

}  // namespace cnn4j
