/* The kernel templates' vector interface (see vec_scalar.h) on AVX2 + FMA: 8 float lanes, maskload tails. */
#ifndef CNN4J_KERNELS_SIMD_VEC_AVX2_H
#define CNN4J_KERNELS_SIMD_VEC_AVX2_H

#include <immintrin.h>

#include <cstdint>
#include <cstring>

namespace cnn4j {
namespace {

struct Vec {
    using F = __m256;
    using M = __m256;
    using I = __m256i;
    static constexpr int kLanes = 8;
    static constexpr int64_t kMaxIndexedPlane = INT32_MAX;

    static __m256i first(int n) { return _mm256_cmpgt_epi32(_mm256_set1_epi32(n), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7)); }

    static F set1(float x) { return _mm256_set1_ps(x); }
    static F load(const float* p) { return _mm256_loadu_ps(p); }
    static F load_n(const float* p, int n) { return _mm256_maskload_ps(p, first(n)); }
    static F evens(F lo, F hi) {
        // [x0 x2 x8 x10 | x4 x6 x12 x14] -> 64-bit lanes 0, 2, 1, 3
        const __m256 mixed = _mm256_shuffle_ps(lo, hi, _MM_SHUFFLE(2, 0, 2, 0));
        return _mm256_castpd_ps(_mm256_permute4x64_pd(_mm256_castps_pd(mixed), _MM_SHUFFLE(3, 1, 2, 0)));
    }
    static F load_even(const float* p) { return evens(_mm256_loadu_ps(p), _mm256_loadu_ps(p + 8)); }
    static F load_even_n(const float* p, int n) {
        const int m = 2 * n - 1;
        const F lo = _mm256_maskload_ps(p, first(m < 8 ? m : 8));
        const F hi = m > 8 ? _mm256_maskload_ps(p + 8, first(m - 8)) : _mm256_setzero_ps();
        return evens(lo, hi);
    }
    template <int N>
    static F shift(F lo, F hi) {
        static_assert(N >= 0 && N <= kLanes, "shift by 0 .. kLanes lanes");
        // mid = lo's high half, hi's low half; alignr shifts within each 128-bit half.
        const __m256i mid = _mm256_castps_si256(_mm256_permute2f128_ps(lo, hi, 0x21));
        if constexpr (N == 0) return lo;
        if constexpr (N > 0 && N < 4) return _mm256_castsi256_ps(_mm256_alignr_epi8(mid, _mm256_castps_si256(lo), 4 * N));
        if constexpr (N == 4) return _mm256_castsi256_ps(mid);
        if constexpr (N > 4 && N < 8) return _mm256_castsi256_ps(_mm256_alignr_epi8(_mm256_castps_si256(hi), mid, 4 * (N - 4)));
        if constexpr (N == 8) return hi;
    }
    static void store(float* p, F v) { _mm256_storeu_ps(p, v); }
    static void store_n(float* p, F v, int n) { _mm256_maskstore_ps(p, first(n), v); }
    static F add(F a, F b) { return _mm256_add_ps(a, b); }
    static F div(F a, F b) { return _mm256_div_ps(a, b); }
    static F fmadd(F a, F b, F c) { return _mm256_fmadd_ps(a, b, c); }
    // max/min return their second operand when either is NaN: with v second, a NaN passes through as in ATen.
    static F relu(F v) { return _mm256_max_ps(_mm256_setzero_ps(), v); }
    static F relu6(F v) { return _mm256_min_ps(_mm256_set1_ps(6.0f), relu(v)); }
    static float hsum(F v) {
        __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
        s = _mm_add_ps(s, _mm_movehl_ps(s, s));
        return _mm_cvtss_f32(_mm_add_ss(s, _mm_movehdup_ps(s)));
    }
    static void transpose(F* r) {  // 8x8: pairs within 128-bit lanes, then 4x4 blocks, then lane halves
        F t[8], u[8];
        for (int i = 0; i < 8; i += 2) {
            t[i] = _mm256_unpacklo_ps(r[i], r[i + 1]);
            t[i + 1] = _mm256_unpackhi_ps(r[i], r[i + 1]);
        }
        for (int i = 0; i < 8; i += 4) {
            u[i] = _mm256_shuffle_ps(t[i], t[i + 2], 0x44);
            u[i + 1] = _mm256_shuffle_ps(t[i], t[i + 2], 0xEE);
            u[i + 2] = _mm256_shuffle_ps(t[i + 1], t[i + 3], 0x44);
            u[i + 3] = _mm256_shuffle_ps(t[i + 1], t[i + 3], 0xEE);
        }
        for (int j = 0; j < 4; j++) {
            r[j] = _mm256_permute2f128_ps(u[j], u[4 + j], 0x20);
            r[4 + j] = _mm256_permute2f128_ps(u[j], u[4 + j], 0x31);
        }
    }

    static M take_max(F x, F best) { return _mm256_or_ps(_mm256_cmp_ps(x, best, _CMP_GT_OQ), _mm256_cmp_ps(x, x, _CMP_UNORD_Q)); }
    static F select(M m, F if_set, F otherwise) { return _mm256_blendv_ps(otherwise, if_set, m); }
    static I index(int64_t base, int64_t step) {
        const __m256i lane = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
        return _mm256_add_epi32(_mm256_set1_epi32((int32_t)base), _mm256_mullo_epi32(lane, _mm256_set1_epi32((int32_t)step)));
    }
    static I index_select(M m, I if_set, I otherwise) { return _mm256_blendv_epi8(otherwise, if_set, _mm256_castps_si256(m)); }
    static void store_index(int64_t* p, I v) {
        _mm256_storeu_si256(reinterpret_cast<__m256i*>(p), _mm256_cvtepi32_epi64(_mm256_castsi256_si128(v)));
        _mm256_storeu_si256(reinterpret_cast<__m256i*>(p + 4), _mm256_cvtepi32_epi64(_mm256_extracti128_si256(v, 1)));
    }
    static void store_index_n(int64_t* p, I v, int n) {
        int64_t wide[8];
        store_index(wide, v);
        std::memcpy(p, wide, n * sizeof(int64_t));
    }
};

}  // namespace
}  // namespace cnn4j

#endif
