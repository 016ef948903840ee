/* The kernel templates' vector interface (see vec_scalar.h) on arm64 Advanced SIMD: 4 float lanes; tails go
   through a small buffer, as NEON has no masked loads. */
#ifndef CNN4J_KERNELS_SIMD_VEC_NEON_H
#define CNN4J_KERNELS_SIMD_VEC_NEON_H

#include <arm_neon.h>

#include <cstdint>
#include <cstring>

namespace cnn4j {
namespace {

struct Vec {
    using F = float32x4_t;
    using M = uint32x4_t;
    using I = int32x4_t;
    static constexpr int kLanes = 4;
    static constexpr int64_t kMaxIndexedPlane = INT32_MAX;

    static F set1(float x) { return vdupq_n_f32(x); }
    static F load(const float* p) { return vld1q_f32(p); }
    static F load_n(const float* p, int n) {
        float buffer[4] = {0.0f, 0.0f, 0.0f, 0.0f};
        std::memcpy(buffer, p, n * sizeof(float));
        return vld1q_f32(buffer);
    }
    static F load_even(const float* p) { return vld2q_f32(p).val[0]; }
    static F load_even_n(const float* p, int n) {
        float buffer[8] = {0.0f, 0.0f, 0.0f, 0.0f, 0.0f, 0.0f, 0.0f, 0.0f};
        std::memcpy(buffer, p, (2 * n - 1) * sizeof(float));
        return vld2q_f32(buffer).val[0];
    }
    template <int N>
    static F shift(F lo, F hi) {
        static_assert(N >= 0 && N <= kLanes, "shift by 0 .. kLanes lanes");
        if constexpr (N == 0) return lo;
        if constexpr (N > 0 && N < kLanes) return vextq_f32(lo, hi, N);
        if constexpr (N == kLanes) return hi;
    }
    static void store(float* p, F v) { vst1q_f32(p, v); }
    static void store_n(float* p, F v, int n) {
        float buffer[4];
        vst1q_f32(buffer, v);
        std::memcpy(p, buffer, n * sizeof(float));
    }
    static F add(F a, F b) { return vaddq_f32(a, b); }
    static F div(F a, F b) { return vdivq_f32(a, b); }
    static F fmadd(F a, F b, F c) { return vfmaq_f32(c, a, b); }
    static F relu(F v) { return vmaxq_f32(v, vdupq_n_f32(0.0f)); }  // FMAX returns NaN if either input is NaN
    static F relu6(F v) { return vminq_f32(relu(v), vdupq_n_f32(6.0f)); }
    static float hsum(F v) { return vaddvq_f32(v); }
    static void transpose(F* r) {
        const float32x4x2_t p = vtrnq_f32(r[0], r[1]), q = vtrnq_f32(r[2], r[3]);
        r[0] = vcombine_f32(vget_low_f32(p.val[0]), vget_low_f32(q.val[0]));
        r[1] = vcombine_f32(vget_low_f32(p.val[1]), vget_low_f32(q.val[1]));
        r[2] = vcombine_f32(vget_high_f32(p.val[0]), vget_high_f32(q.val[0]));
        r[3] = vcombine_f32(vget_high_f32(p.val[1]), vget_high_f32(q.val[1]));
    }

    static M take_max(F x, F best) { return vorrq_u32(vcgtq_f32(x, best), vmvnq_u32(vceqq_f32(x, x))); }
    static F select(M m, F if_set, F otherwise) { return vbslq_f32(m, if_set, otherwise); }
    static I index(int64_t base, int64_t step) {
        const int32_t lanes[4] = {0, 1, 2, 3};
        return vmlaq_n_s32(vdupq_n_s32((int32_t)base), vld1q_s32(lanes), (int32_t)step);
    }
    static I index_select(M m, I if_set, I otherwise) { return vbslq_s32(m, if_set, otherwise); }
    static void store_index(int64_t* p, I v) {
        vst1q_s64(p, vmovl_s32(vget_low_s32(v)));
        vst1q_s64(p + 2, vmovl_high_s32(v));
    }
    static void store_index_n(int64_t* p, I v, int n) {
        int64_t wide[4];
        store_index(wide, v);
        std::memcpy(p, wide, n * sizeof(int64_t));
    }
};

}  // namespace
}  // namespace cnn4j

#endif
