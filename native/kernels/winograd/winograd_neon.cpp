/*
 * Winograd kernels, arm64 NEON: the shared transforms (winograd_transforms.h) on 4 tiles per vector.
 */
#include <arm_neon.h>

#include <cstdint>
#include <cstring>

#include "cnn4j.h"
#include "kernels/winograd/winograd.h"

namespace cnn4j {
namespace {

constexpr int64_t kLanes = 4;
using Vec = float32x4_t;

inline Vec vzero() { return vdupq_n_f32(0.0f); }
inline Vec vset1(float x) { return vdupq_n_f32(x); }
inline Vec vload(const float* p) { return vld1q_f32(p); }
inline void vstore(float* p, Vec v) { vst1q_f32(p, v); }
inline Vec vadd(Vec a, Vec b) { return vaddq_f32(a, b); }
inline Vec vsub(Vec a, Vec b) { return vsubq_f32(a, b); }
inline Vec vfmadd(Vec a, Vec b, Vec c) { return vfmaq_f32(c, a, b); }
/* The first n (0 .. 4) lanes, through a buffer. */
inline Vec vload_lanes(const float* p, int64_t n) {
    float buffer[4] = {};
    std::memcpy(buffer, p, n * sizeof(float));
    return vld1q_f32(buffer);
}
inline void vstore_lanes(float* p, Vec v, int64_t n) {
    float buffer[4];
    vst1q_f32(buffer, v);
    std::memcpy(p, buffer, n * sizeof(float));
}
/* p[4l + q] -> v[q] lane l (l < 4, q < 4), and back: NEON's structure loads and stores. */
inline void vdeinterleave4(const float* p, Vec* v) {
    const float32x4x4_t x = vld4q_f32(p);
    v[0] = x.val[0], v[1] = x.val[1], v[2] = x.val[2], v[3] = x.val[3];
}
inline void vinterleave4(float* p, const Vec* v) {
    float32x4x4_t x;
    x.val[0] = v[0], x.val[1] = v[1], x.val[2] = v[2], x.val[3] = v[3];
    vst4q_f32(p, x);
}
/* Tile lanes sit `stride` (= m) floats apart; NEON has no gather. */
inline Vec vgather(const float* base, int64_t stride) {
    const float lanes[4] = {base[0], base[stride], base[2 * stride], base[3 * stride]};
    return vld1q_f32(lanes);
}
/* vmaxq/vminq return NaN when either operand is NaN, as ATen's clamps do. */
inline Vec vrelu(Vec x) { return vmaxq_f32(vdupq_n_f32(0.0f), x); }
inline Vec vrelu6(Vec x) { return vminq_f32(vdupq_n_f32(6.0f), vrelu(x)); }

#include "kernels/winograd/winograd_transforms.h"

}  // namespace

const WinogradKernels kWinogradNeon = {input_run, output_run, epilogue};

}  // namespace cnn4j
