/*
 * The depthwise kernel, written once against the vector interface of kernels/simd/vec_scalar.h and instantiated by
 * each depthwise_<isa>.cpp with its ISA's Vec (the scalar reference with one-lane "vectors"). Everything here is in
 * an anonymous namespace, so each ISA file compiles its own copy with its own flags (kernels/README.md).
 *
 * Per output row (od, oh), the kernel rows (kd, kh) that land inside the input are one contiguous block. Along the
 * row, the interior columns [lo, hi), where every tap lands inside the input row, run kLanes outputs at a time and
 * keep the sum in a register across all taps (stride 2 takes the even floats of 2*kLanes: no gathers); the few edge
 * columns run one by one and skip the taps that fall into the padding. Both sum bias, then taps in (kd, kh, kw)
 * order, so a column's result does not depend on which of the two paths computed it (up to FMA rounding).
 */
#ifndef CNN4J_KERNELS_DEPTHWISE_IMPL_H
#define CNN4J_KERNELS_DEPTHWISE_IMPL_H

#include <cmath>
#include <cstdint>
#include <cstddef>
#include <cstring>
#include <vector>

#include "kernels/depthwise/depthwise.h"
#include "kernels/simd/columns.h"

namespace cnn4j {
namespace {

/* The input rows under one output row, with their taps. */
struct DwRows {
    const float* in;                  // input row of the first kernel row inside the input
    int64_t in_step_d, in_step_h;     // to the input row of the next kd, kh
    const float* taps;                // that kernel row's taps [KW]
    int64_t tap_step_d, tap_step_h;
    int64_t count_d, count_h;         // kernel rows inside the input along depth and height
};

/* The taps k < kernel with 0 <= start + k * dilation < in: the first one and how many (they are contiguous). */
inline void dw_taps_inside(int64_t start, int64_t dilation, int64_t kernel, int64_t in, int64_t& first,
                           int64_t& count) {
    first = 0;
    while (first < kernel && start + first * dilation < 0) first++;
    count = 0;
    while (first + count < kernel && start + (first + count) * dilation < in) count++;
}

/* residual and the fused activations on one output; other activations run on the finished plane. */
inline float dw_finish_one(float v, const float* residual, int act_kind) {
    if (residual) v += *residual;
    if (act_kind == CNN4J_ACT_RELU) return v < 0.0f ? 0.0f : v;
    if (act_kind == CNN4J_ACT_RELU6) return v < 0.0f ? 0.0f : (v > 6.0f ? 6.0f : v);
    return v;
}

template <class V, bool FULL>
inline typename V::F dw_finish(typename V::F v, const float* residual, int act_kind, int n) {
    if (residual) v = V::add(v, FULL ? V::load(residual) : V::load_n(residual, n));
    if (act_kind == CNN4J_ACT_RELU) return V::relu(v);
    if (act_kind == CNN4J_ACT_RELU6) return V::relu6(v);
    return v;
}

/* One output column anywhere in the row, skipping taps in the padding. Multiply-adds as the ISA's vectors do them:
   fused in the SIMD variants (std::fma, whatever the optimizer would contract), separate in the scalar reference. */
template <class V>
inline float dw_column(const DwRows& r, const RowColumns& c, int64_t ow, float bias) {
    float acc = bias;
    const int64_t start = ow * c.stride - c.pad;
    for (int64_t d = 0; d < r.count_d; d++) {
        for (int64_t h = 0; h < r.count_h; h++) {
            const float* in = r.in + d * r.in_step_d + h * r.in_step_h;
            const float* t = r.taps + d * r.tap_step_d + h * r.tap_step_h;
            for (int64_t k = 0; k < c.kernel; k++) {
                const int64_t x = start + k * c.dilation;
                if (x >= 0 && x < c.in_width) acc = V::kLanes == 1 ? acc + t[k] * in[x] : std::fma(t[k], in[x], acc);
            }
        }
    }
    return acc;
}

/* Output columns [ow, ow + U*kLanes) (or [ow, ow + n), n < kLanes, when not FULL) of the interior into acc[U].
   KW: 0 or the kernel width; SW: the stride. */
template <class V, int KW, int SW, bool FULL, int U>
inline void dw_block(const DwRows& r, const RowColumns& c, int64_t ow, int n, float bias, typename V::F* acc) {
    for (int u = 0; u < U; u++) acc[u] = V::set1(bias);
    const int64_t kernel = KW ? KW : c.kernel;
    const int64_t start = ow * SW - c.pad;
    for (int64_t d = 0; d < r.count_d; d++) {
        for (int64_t h = 0; h < r.count_h; h++) {
            const float* in = r.in + d * r.in_step_d + h * r.in_step_h + start;
            const float* t = r.taps + d * r.tap_step_d + h * r.tap_step_h;
            for (int64_t k = 0; k < kernel; k++) {
                const typename V::F tap = V::set1(t[k]);
                const float* p = in + k * c.dilation;
                for (int u = 0; u < U; u++) {
                    acc[u] = V::fmadd(tap, load_taps<V, SW, FULL>(p + u * V::kLanes * SW, n), acc[u]);
                }
            }
        }
    }
}

/* One output row. SW 0: any stride, every column one by one. */
template <class V, int KW, int SW>
void dw_row(const DwRows& r, const RowColumns& c, const DepthwiseEpilogue& e, const float* residual, float* out) {
    for_each_column_block<V::kLanes, SW, 2>(
        c,
        [&](int64_t ow) {
            out[ow] = dw_finish_one(dw_column<V>(r, c, ow, e.bias), residual ? residual + ow : nullptr, e.act_kind);
        },
        [&](int64_t ow, int n, auto full) {
            constexpr bool kFull = decltype(full)::value;
            constexpr int kVectors = decltype(full)::vectors;
            typename V::F acc[kVectors];
            dw_block<V, KW, SW, kFull, kVectors>(r, c, ow, n, e.bias, acc);
            for (int u = 0; u < kVectors; u++) {
                const int64_t col = ow + u * V::kLanes;
                const typename V::F y = dw_finish<V, kFull>(acc[u], residual ? residual + col : nullptr, e.act_kind, n);
                if (kFull) {
                    V::store(out + col, y);
                } else {
                    V::store_n(out + col, y, n);
                }
            }
        });
}

template <class V, int KW, int SW>
void dw_plane_with(const cnn4j_window& w, const float* plane, const float* taps, const DepthwiseEpilogue& e,
                   float* out) {
    const RowColumns c = row_columns(w.in[2], w.out[2], w.kernel[2], w.stride[2], w.dilation[2], w.pad_begin[2]);
    const int64_t D = w.in[0], H = w.in[1], W = w.in[2];
    const int64_t OD = w.out[0], OH = w.out[1], OW = w.out[2];
    const int64_t KH = w.kernel[1], KW_ = w.kernel[2];
    for (int64_t od = 0; od < OD; od++) {
        const int64_t d_start = od * w.stride[0] - w.pad_begin[0];
        int64_t kd0, count_d;
        dw_taps_inside(d_start, w.dilation[0], w.kernel[0], D, kd0, count_d);
        for (int64_t oh = 0; oh < OH; oh++) {
            const int64_t h_start = oh * w.stride[1] - w.pad_begin[1];
            int64_t kh0, count_h;
            dw_taps_inside(h_start, w.dilation[1], KH, H, kh0, count_h);
            DwRows r;
            const bool any = count_d > 0 && count_h > 0;
            r.in = any ? plane + ((d_start + kd0 * w.dilation[0]) * H + h_start + kh0 * w.dilation[1]) * W : plane;
            r.in_step_d = w.dilation[0] * H * W;
            r.in_step_h = w.dilation[1] * W;
            r.taps = taps + (kd0 * KH + kh0) * KW_;
            r.tap_step_d = KH * KW_;
            r.tap_step_h = KW_;
            r.count_d = any ? count_d : 0;
            r.count_h = any ? count_h : 0;
            const int64_t row = od * OH + oh;
            dw_row<V, KW, SW>(r, c, e, e.residual ? e.residual + row * OW : nullptr, out + row * OW);
        }
    }
    const int kind = e.act_kind;
    if (kind != CNN4J_ACT_IDENTITY && kind != CNN4J_ACT_RELU && kind != CNN4J_ACT_RELU6) {
        e.activation->apply(kind, e.alpha, OD * OH * OW, out, out);
    }
}

/* 2-d planes with rows up to kDwFlatMaxRowVectors vectors wide (all of MobileNet's: 112..7, stride 1 or 2, no
   dilation): on small maps the scalar edge columns would be most of each row and a row fills less than a vector, and
   on all of them the per-row setup costs more than the padding. So the plane is first copied into a zero-padded
   buffer (on the stack up to kDwSmallFloats, else one kept per thread) and then computed flat, every vector full,
   with no edge cases. The buffer holds the padded rows (PW floats each,
   PW even) split by row phase: padded row b at block b % SW, row b / SW. Output (oh, ow) sits at flat position
   r = oh * RW + ow, RW = PW / SW, and tap (kh, kw) reads its block kh % SW at [r * SW + (kh / SW) * PW + kw]
   (stride 2: the even floats). The columns ow >= OW of each flat row are computed and dropped. Every output sums
   bias, then all KH*KW taps in (kh, kw) order, the ones in the padding multiplying 0 (so at most the sign of a zero
   sum differs from the per-column path). */
constexpr int64_t kDwSmallFloats = 4096;
constexpr int kDwFlatMaxRowVectors = 8;  // AVX-512 at 1 thread: 56x56 s1 420 -> 180 us, 112x112 s1 260 -> 170 us

struct DwSmall {
    int64_t pw, vectors, block;  // padded row width, flat vectors, floats per row-phase block
};

template <class V, int SW>
bool dw_small_fits(const cnn4j_window& w, DwSmall& g) {
    if (V::kLanes == 1) return false;  // the scalar reference keeps the per-column path
    if (w.in[0] != 1 || w.kernel[0] != 1 || w.out[0] != 1) return false;
    if (w.stride[1] != SW || w.dilation[1] != 1 || w.dilation[2] != 1) return false;
    const int64_t OH = w.out[1], OW = w.out[2], KH = w.kernel[1];
    if (OW > kDwFlatMaxRowVectors * V::kLanes) return false;
    int64_t pw = (OW - 1) * SW + w.kernel[2];  // every column the outputs read, padding included
    if (pw < w.pad_begin[2] + w.in[2]) pw = w.pad_begin[2] + w.in[2];
    pw += pw % 2;                              // even, so that RW = PW / SW is whole
    const int64_t rows = w.pad_begin[1] + w.in[1];
    g.pw = pw;
    g.vectors = (OH * (pw / SW) + V::kLanes - 1) / V::kLanes;
    g.block = g.vectors * V::kLanes * SW + ((KH - 1) / SW + 1) * pw + 2 * V::kLanes * SW;
    const int64_t copied = ((rows + SW - 1) / SW) * pw;
    if (g.block < copied) g.block = copied;
    g.block += (16 - g.block % 16) % 16;
    return true;
}

/* Taps K .. KW - 1 of one kernel row at stride 1 into acc[U]: vector u's tap k is lanes k .. k + kLanes - 1 of
   x[u] followed by x[u + 1] (the row's vectors, loaded once), so a row of KW taps costs U + 1 loads, not KW * U. */
template <class V, int K, int KW, int U>
inline void dw_shifted_taps(const typename V::F* x, const float* taps, typename V::F* acc) {
    if constexpr (K < KW) {
        const typename V::F tap = V::set1(taps[K]);
        for (int u = 0; u < U; u++) acc[u] = V::fmadd(tap, V::template shift<K>(x[u], x[u + 1]), acc[u]);
        dw_shifted_taps<V, K + 1, KW, U>(x, taps, acc);
    }
}

template <class V, int KW, int SW, int U>
inline void dw_small_block(const float* buf, int64_t block, const float* taps, int64_t KH, int64_t kw_, int64_t pw,
                           float bias, float* tmp) {
    const int64_t kernel = KW ? KW : kw_;
    typename V::F acc[U];
    for (int u = 0; u < U; u++) acc[u] = V::set1(bias);
    for (int64_t kh = 0; kh < KH; kh++) {
        const float* row = buf + (kh % SW) * block + (kh / SW) * pw;
        if constexpr (SW == 1 && KW > 1 && KW - 1 <= V::kLanes && V::kLanes > 1) {
            // Same products in the same order as below; each row's floats loaded once (MobileNetV2's 3x3 at 112,
            // most of the loads below split a cache line).
            typename V::F x[U + 1];
            for (int u = 0; u <= U; u++) x[u] = V::load(row + u * V::kLanes);
            dw_shifted_taps<V, 0, KW, U>(x, taps + kh * KW, acc);
            continue;
        }
        for (int64_t k = 0; k < kernel; k++) {
            const typename V::F tap = V::set1(taps[kh * kernel + k]);
            const float* p = row + k;
            for (int u = 0; u < U; u++) acc[u] = V::fmadd(tap, load_taps<V, SW, true>(p + u * V::kLanes * SW, 0), acc[u]);
        }
    }
    for (int u = 0; u < U; u++) V::store(tmp + u * V::kLanes, acc[u]);
}

template <class V, int KW, int SW>
void dw_small_plane(const cnn4j_window& w, const DwSmall& g, const float* plane, const float* taps,
                    const DepthwiseEpilogue& e, float* out) {
    alignas(64) float stack[kDwSmallFloats];
    const std::size_t want = (std::size_t)(SW * g.block + g.vectors * V::kLanes);
    const int64_t H = w.in[1], W = w.in[2], OH = w.out[1], OW = w.out[2], KH = w.kernel[1];
    const int64_t ph = w.pad_begin[1], pl = w.pad_begin[2], pw = g.pw, rw = pw / SW;
    float* buf = stack;
    bool zeroed = false;
    if (want > (std::size_t)kDwSmallFloats) {
        // The wider planes: one buffer per thread, kept. The copies below write only the input rows' places, so
        // the padding zeroed for one geometry stays zero for every plane of that geometry (MobileNetV2's 112x112
        // planes: the fill was a seventh of the layer's time).
        thread_local std::vector<float> heap;
        thread_local int64_t zeroed_for[7] = {-1, -1, -1, -1, -1, -1, -1};
        const int64_t geometry[7] = {SW, g.block, pw, H, W, ph, pl};
        if (heap.size() < want) heap.resize(want);
        buf = heap.data();
        zeroed = std::memcmp(zeroed_for, geometry, sizeof geometry) == 0;
        std::memcpy(zeroed_for, geometry, sizeof geometry);
    }
    float* tmp = buf + SW * g.block;
    if (!zeroed) {
        const int64_t fill = SW * g.block;
        for (int64_t i = 0; i < fill; i += V::kLanes) V::store(buf + i, V::set1(0.0f));
    }
    for (int64_t h = 0; h < H; h++) {
        const int64_t b = h + ph;
        const float* src = plane + h * W;
        float* dst = buf + (b % SW) * g.block + (b / SW) * pw + pl;
        // Rows stay whole (only their order is by phase); copied inline: a memcpy call per short row costs more.
        int64_t x = 0;
        for (; x + V::kLanes <= W; x += V::kLanes) V::store(dst + x, V::load(src + x));
        if (x < W) V::store_n(dst + x, V::load_n(src + x, (int)(W - x)), (int)(W - x));
    }
    const int64_t vectors = g.vectors, step = V::kLanes * SW;
    int64_t v = 0;
    for (; v + 4 <= vectors; v += 4) {
        dw_small_block<V, KW, SW, 4>(buf + v * step, g.block, taps, KH, w.kernel[2], pw, e.bias, tmp + v * V::kLanes);
    }
    for (; v + 2 <= vectors; v += 2) {
        dw_small_block<V, KW, SW, 2>(buf + v * step, g.block, taps, KH, w.kernel[2], pw, e.bias, tmp + v * V::kLanes);
    }
    for (; v < vectors; v++) {
        dw_small_block<V, KW, SW, 1>(buf + v * step, g.block, taps, KH, w.kernel[2], pw, e.bias, tmp + v * V::kLanes);
    }
    for (int64_t oh = 0; oh < OH; oh++) {
        const float* row = tmp + oh * rw;
        const float* res = e.residual ? e.residual + oh * OW : nullptr;
        float* o = out + oh * OW;
        for (int64_t ow = 0; ow < OW; ow += V::kLanes) {
            const int n = OW - ow < V::kLanes ? (int)(OW - ow) : V::kLanes;
            const typename V::F y = dw_finish<V, false>(V::load_n(row + ow, n), res ? res + ow : nullptr, e.act_kind, n);
            V::store_n(o + ow, y, n);
        }
    }
    const int kind = e.act_kind;
    if (kind != CNN4J_ACT_IDENTITY && kind != CNN4J_ACT_RELU && kind != CNN4J_ACT_RELU6) {
        e.activation->apply(kind, e.alpha, OH * OW, out, out);
    }
}

template <class V, int KW, int SW>
void dw_plane_small_or(const cnn4j_window& w, const float* plane, const float* taps, const DepthwiseEpilogue& e,
                       float* out) {
    DwSmall g;
    if (dw_small_fits<V, SW>(w, g)) return dw_small_plane<V, KW, SW>(w, g, plane, taps, e, out);
    dw_plane_with<V, KW, SW>(w, plane, taps, e, out);
}

/* The DepthwiseKernels::plane of an ISA: the fast paths for stride 1 and 2 and widths 3 and 5, else generic. */
template <class V>
void dw_plane(const cnn4j_window& w, const float* plane, const float* taps, const DepthwiseEpilogue& e, float* out) {
    const int64_t kw = w.kernel[2];
    switch (w.stride[2]) {
        case 1:
            if (kw == 3) return dw_plane_small_or<V, 3, 1>(w, plane, taps, e, out);
            if (kw == 5) return dw_plane_small_or<V, 5, 1>(w, plane, taps, e, out);
            return dw_plane_small_or<V, 0, 1>(w, plane, taps, e, out);
        case 2:
            if (kw == 3) return dw_plane_small_or<V, 3, 2>(w, plane, taps, e, out);
            if (kw == 5) return dw_plane_small_or<V, 5, 2>(w, plane, taps, e, out);
            return dw_plane_small_or<V, 0, 2>(w, plane, taps, e, out);
        default:
            return dw_plane_with<V, 0, 0>(w, plane, taps, e, out);
    }
}

}  // namespace
}  // namespace cnn4j

#endif
