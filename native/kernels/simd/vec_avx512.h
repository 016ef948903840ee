/* The kernel templates' vector interface (see vec_scalar.h) on AVX-512F/BW/DQ/VL: 16 float lanes, masked tails. */
#ifndef CNN4J_KERNELS_SIMD_VEC_AVX512_H
#define CNN4J_KERNELS_SIMD_VEC_AVX512_H

#include <immintrin.h>

#include <cstdint>

namespace cnn4j {
namespace {

struct Vec {
    using F = __m512;
    using M = __mmask16;
    using I = __m512i;
    static constexpr int kLanes = 16;
    static constexpr int64_t kMaxIndexedPlane = INT32_MAX;

    static __mmask16 first(int n) { return (__mmask16)((1u << n) - 1u); }

    static F set1(float x) { return _mm512_set1_ps(x); }
    static F load(const float* p) { return _mm512_loadu_ps(p); }
    static F load_n(const float* p, int n) { return _mm512_maskz_loadu_ps(first(n), p); }
    static F evens(F lo, F hi) {
        const __m512i even = _mm512_setr_epi32(0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30);
        return _mm512_permutex2var_ps(lo, even, hi);
    }
    static F load_even(const float* p) { return evens(_mm512_loadu_ps(p), _mm512_loadu_ps(p + 16)); }
    static F load_even_n(const float* p, int n) {
        const int m = 2 * n - 1;
        const F lo = _mm512_maskz_loadu_ps(first(m < 16 ? m : 16), p);
        const F hi = m > 16 ? _mm512_maskz_loadu_ps(first(m - 16), p + 16) : _mm512_setzero_ps();
        return evens(lo, hi);
    }
    template <int N>
    static F shift(F lo, F hi) {
        static_assert(N >= 0 && N <= kLanes, "shift by 0 .. kLanes lanes");
        if constexpr (N == 0) return lo;
        if constexpr (N == kLanes) return hi;
        if constexpr (N > 0 && N < kLanes) {
            return _mm512_castsi512_ps(_mm512_maskz_alignr_epi32(0xFFFF, _mm512_castps_si512(hi), _mm512_castps_si512(lo), N));
        }
    }
    static void store(float* p, F v) { _mm512_storeu_ps(p, v); }
    static void store_n(float* p, F v, int n) { _mm512_mask_storeu_ps(p, first(n), v); }
    static F add(F a, F b) { return _mm512_add_ps(a, b); }
    static F div(F a, F b) { return _mm512_div_ps(a, b); }
    static F fmadd(F a, F b, F c) { return _mm512_fmadd_ps(a, b, c); }
    // max/min return their second operand when either is NaN: with v second, a NaN passes through as in ATen.
    // (Here and below the all-lanes maskz forms: GCC 12 warns that the plain intrinsics' undefined pass-through may
    // be uninitialized.)
    static F relu(F v) { return _mm512_maskz_max_ps(0xFFFF, _mm512_setzero_ps(), v); }
    static F relu6(F v) { return _mm512_maskz_min_ps(0xFFFF, _mm512_set1_ps(6.0f), relu(v)); }
    static float hsum(F v) {
        const __m256 half = _mm256_add_ps(_mm512_maskz_extractf32x8_ps(0xFF, v, 0), _mm512_maskz_extractf32x8_ps(0xFF, v, 1));
        __m128 s = _mm_add_ps(_mm256_castps256_ps128(half), _mm256_extractf128_ps(half, 1));
        s = _mm_add_ps(s, _mm_movehl_ps(s, s));
        return _mm_cvtss_f32(_mm_add_ss(s, _mm_movehdup_ps(s)));
    }
    // 16x16: 4x4 blocks within 128-bit lanes, then the lanes as a 4x4 of blocks. The all-lanes maskz forms, as in relu:
    // GCC 12 warns on the plain forms' undefined pass-through operand (GCC bug 105593).
    static void transpose(F* r) {
        F t[16], u[16];
        for (int i = 0; i < 16; i += 2) {
            t[i] = _mm512_maskz_unpacklo_ps(0xFFFF, r[i], r[i + 1]);
            t[i + 1] = _mm512_maskz_unpackhi_ps(0xFFFF, r[i], r[i + 1]);
        }
        for (int i = 0; i < 16; i += 4) {  // u[i + j], 128-bit lane l: column 4l + j of rows i .. i + 3
            u[i] = _mm512_maskz_shuffle_ps(0xFFFF, t[i], t[i + 2], 0x44);
            u[i + 1] = _mm512_maskz_shuffle_ps(0xFFFF, t[i], t[i + 2], 0xEE);
            u[i + 2] = _mm512_maskz_shuffle_ps(0xFFFF, t[i + 1], t[i + 3], 0x44);
            u[i + 3] = _mm512_maskz_shuffle_ps(0xFFFF, t[i + 1], t[i + 3], 0xEE);
        }
        for (int j = 0; j < 4; j++) {
            const F even_lo = _mm512_maskz_shuffle_f32x4(0xFFFF, u[j], u[4 + j], 0x88);
            const F odd_lo = _mm512_maskz_shuffle_f32x4(0xFFFF, u[j], u[4 + j], 0xDD);
            const F even_hi = _mm512_maskz_shuffle_f32x4(0xFFFF, u[8 + j], u[12 + j], 0x88);
            const F odd_hi = _mm512_maskz_shuffle_f32x4(0xFFFF, u[8 + j], u[12 + j], 0xDD);
            r[j] = _mm512_maskz_shuffle_f32x4(0xFFFF, even_lo, even_hi, 0x88);
            r[8 + j] = _mm512_maskz_shuffle_f32x4(0xFFFF, even_lo, even_hi, 0xDD);
            r[4 + j] = _mm512_maskz_shuffle_f32x4(0xFFFF, odd_lo, odd_hi, 0x88);
            r[12 + j] = _mm512_maskz_shuffle_f32x4(0xFFFF, odd_lo, odd_hi, 0xDD);
        }
    }

    static M take_max(F x, F best) {
        return _mm512_cmp_ps_mask(x, best, _CMP_GT_OQ) | _mm512_cmp_ps_mask(x, x, _CMP_UNORD_Q);
    }
    static F select(M m, F if_set, F otherwise) { return _mm512_mask_blend_ps(m, otherwise, if_set); }
    static I index(int64_t base, int64_t step) {
        const __m512i lane = _mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
        return _mm512_add_epi32(_mm512_set1_epi32((int32_t)base), _mm512_mullo_epi32(lane, _mm512_set1_epi32((int32_t)step)));
    }
    static I index_select(M m, I if_set, I otherwise) { return _mm512_mask_blend_epi32(m, otherwise, if_set); }
    static __m512i low_indices(I v) { return _mm512_maskz_cvtepi32_epi64(0xFF, _mm512_maskz_extracti64x4_epi64(0xF, v, 0)); }
    static __m512i high_indices(I v) {
        return _mm512_maskz_cvtepi32_epi64(0xFF, _mm512_maskz_extracti64x4_epi64(0xF, v, 1));
    }
    static void store_index(int64_t* p, I v) {
        _mm512_storeu_si512(p, low_indices(v));
        _mm512_storeu_si512(p + 8, high_indices(v));
    }
    static void store_index_n(int64_t* p, I v, int n) {
        _mm512_mask_storeu_epi64(p, (__mmask8)first(n < 8 ? n : 8), low_indices(v));
        if (n > 8) _mm512_mask_storeu_epi64(p + 8, (__mmask8)first(n - 8), high_indices(v));
    }
};

}  // namespace
}  // namespace cnn4j

#endif
