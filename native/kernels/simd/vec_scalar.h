/*
 * The vector interface the SIMD kernel templates (kernels/<family>/<family>_impl.h) are written against, as one
 * float per "vector": the scalar references instantiate the same templates with it, so the reference and the
 * SIMD variants share one algorithm and differ only in lane count and fused multiply-add rounding.
 *
 * Every vec_<isa>.h defines `struct Vec` with the same members, inside an anonymous namespace: each ISA file gets
 * its own copy compiled with its own flags (see kernels/README.md). Members:
 *   F, kLanes               the float vector and its lane count
 *   set1, load, load_n      broadcast; kLanes floats; the first n floats, the other lanes 0 (reads only n)
 *   load_even, load_even_n  p[0], p[2], ... : kLanes lanes (reads 2*kLanes floats) or n lanes (reads 2n-1)
 *   shift<N>                lanes N .. N + kLanes - 1 of lo's lanes followed by hi's (0 <= N <= kLanes): the vector
 *                           load(p + N) would give where lo = load(p), hi = load(p + kLanes), without the load
 *   store, store_n          kLanes floats; the first n lanes
 *   add, div, fmadd         a + b; a / b; a * b + c
 *   relu, relu6             ATen's NaN-propagating clamps
 *   hsum                    the sum of the lanes
 *   transpose               rows[kLanes] of kLanes lanes each, transposed in place: lane j of row i <-> lane i of
 *                           row j (channels-last layouts, kernels/depthwise/depthwise_channels_last_impl.h)
 *   M, take_max, select     max pooling's step: lanes where x > best or x is NaN; blend
 *   I, index, index_select, store_index, store_index_n
 *                           per-lane flat indices: index(base, step) = base + lane * step (int32 lanes in the
 *                           SIMD variants: callers keep planes below 2^31 elements), stored as int64
 */
#ifndef CNN4J_KERNELS_SIMD_VEC_SCALAR_H
#define CNN4J_KERNELS_SIMD_VEC_SCALAR_H

#include <cstdint>

namespace cnn4j {
namespace {

struct Vec {
    using F = float;
    using M = bool;
    using I = int64_t;
    static constexpr int kLanes = 1;
    /* Flat indices of a plane this large or larger need int64 lanes (never the case here). */
    static constexpr int64_t kMaxIndexedPlane = INT64_MAX;

    static F set1(float x) { return x; }
    static F load(const float* p) { return *p; }
    static F load_n(const float* p, int) { return *p; }
    static F load_even(const float* p) { return *p; }
    static F load_even_n(const float* p, int) { return *p; }
    template <int N>
    static F shift(F lo, F hi) {
        static_assert(N >= 0 && N <= kLanes, "shift by 0 .. kLanes lanes");
        return N == 0 ? lo : hi;
    }
    static void store(float* p, F v) { *p = v; }
    static void store_n(float* p, F v, int) { *p = v; }
    static F add(F a, F b) { return a + b; }
    static F div(F a, F b) { return a / b; }
    static F fmadd(F a, F b, F c) { return a * b + c; }
    static F relu(F v) { return v < 0.0f ? 0.0f : v; }
    static F relu6(F v) { return v < 0.0f ? 0.0f : (v > 6.0f ? 6.0f : v); }
    static float hsum(F v) { return v; }
    static void transpose(F*) {}

    static M take_max(F x, F best) { return x > best || x != x; }
    static F select(M m, F if_set, F otherwise) { return m ? if_set : otherwise; }
    static I index(int64_t base, int64_t) { return base; }
    static I index_select(M m, I if_set, I otherwise) { return m ? if_set : otherwise; }
    static void store_index(int64_t* p, I v) { *p = v; }
    static void store_index_n(int64_t* p, I v, int) { *p = v; }
};

}  // namespace
}  // namespace cnn4j

#endif
