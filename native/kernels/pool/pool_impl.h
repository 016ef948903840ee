/*
 * The pooling kernels, written once against the vector interface of kernels/simd/vec_scalar.h and instantiated by
 * each pool_<isa>.cpp with its ISA's Vec (the scalar reference with one-lane "vectors"). Anonymous namespace, so
 * each ISA file compiles its own copy with its own flags (kernels/README.md).
 *
 * Max and average pooling run one output per lane along the width (columns whose window is inside the input row;
 * stride 2 takes the even floats of 2*kLanes, no gathers) and visit each window's taps in the scalar order, with
 * the scalar comparison (x > best or x is NaN): values, NaNs and indices come out bit for bit as in the reference.
 * Edge columns, whose windows reach into the padding, run one by one on the scalar code.
 */
#ifndef CNN4J_KERNELS_POOL_IMPL_H
#define CNN4J_KERNELS_POOL_IMPL_H

#include <cstdint>

#include "kernels/pool/pool.h"
#include "kernels/simd/columns.h"

namespace cnn4j {
namespace {

/* ---- one output at a time: the reference, and the edges of the vector paths ---- */

/* An average pooling window: [start, end) clipped to the input per dim; pool_size counts the window inside
   input + padding (count_include_pad's divisor). */
struct AvgWindow {
    int64_t start[3], end[3], pool_size;
};

inline AvgWindow avg_window(const cnn4j_window& w, const int64_t* position) {
    AvgWindow a;
    a.pool_size = 1;
    for (int i = 0; i < 3; i++) {
        a.start[i] = position[i] * w.stride[i] - w.pad_begin[i];
        a.end[i] = a.start[i] + w.kernel[i];
        if (a.end[i] > w.in[i] + w.pad_begin[i]) a.end[i] = w.in[i] + w.pad_begin[i];
        a.pool_size *= a.end[i] - a.start[i];
        if (a.start[i] < 0) a.start[i] = 0;
        if (a.end[i] > w.in[i]) a.end[i] = w.in[i];
    }
    return a;
}

inline bool avg_window_empty(const AvgWindow& a) {
    return a.start[0] >= a.end[0] || a.start[1] >= a.end[1] || a.start[2] >= a.end[2];
}

inline int64_t avg_divisor(const AvgWindow& a, int count_include_pad, int64_t divisor_override) {
    if (divisor_override != 0) return divisor_override;  // PyTorch allows negative ones
    if (count_include_pad) return a.pool_size;
    return (a.end[0] - a.start[0]) * (a.end[1] - a.start[1]) * (a.end[2] - a.start[2]);
}

inline float window_sum(const float* plane, int64_t H, int64_t W, const int64_t* start, const int64_t* end) {
    float sum = 0.0f;
    for (int64_t d = start[0]; d < end[0]; d++)
        for (int64_t h = start[1]; h < end[1]; h++)
            for (int64_t x = start[2]; x < end[2]; x++) sum += plane[(d * H + h) * W + x];
    return sum;
}

inline float avg_at(const cnn4j_window& w, int count_include_pad, int64_t divisor_override, const float* in,
                    const int64_t* position) {
    const AvgWindow a = avg_window(w, position);
    if (avg_window_empty(a)) return 0.0f;  // a window entirely in padding
    return window_sum(in, w.in[1], w.in[2], a.start, a.end) / (float)avg_divisor(a, count_include_pad, divisor_override);
}

/* Maximum of plane[d, h, w] over [begin, end) with the given steps, as ATen finds it: the first maximum wins,
   a NaN wins over everything (the last NaN seen), and an all -inf window reports its first tap's index. */
inline void window_max(const float* plane, int64_t H, int64_t W, const int64_t* begin, const int64_t* end,
                       const int64_t* step, float& max_out, int64_t* index_out) {
    float best = -__builtin_huge_valf();
    int64_t best_index = (begin[0] * H + begin[1]) * W + begin[2];
    for (int64_t d = begin[0]; d < end[0]; d += step[0])
        for (int64_t h = begin[1]; h < end[1]; h += step[1])
            for (int64_t x = begin[2]; x < end[2]; x += step[2]) {
                const int64_t i = (d * H + h) * W + x;
                const float v = plane[i];
                if (v > best || v != v) {
                    best = v;
                    best_index = i;
                }
            }
    max_out = best;
    if (index_out) *index_out = best_index;
}

/* A max pooling window along one dim: its first in-bounds tap (ATen starts the max there) and its clipped end. */
struct MaxSpan {
    int64_t first, end;
};

inline MaxSpan max_span(const cnn4j_window& w, int dim, int64_t o) {
    const int64_t begin = o * w.stride[dim] - w.pad_begin[dim];
    const int64_t end = begin + (w.kernel[dim] - 1) * w.dilation[dim] + 1;
    MaxSpan s{begin, end < w.in[dim] ? end : w.in[dim]};
    while (s.first < 0) s.first += w.dilation[dim];
    return s;
}

/* Adaptive pooling's bin at output position `o` (3-d): [start, end) per dim, [floor(i*In/Out), ceil((i+1)*In/Out)). */
inline void adaptive_bin(const int64_t* o, const int64_t* in_size, const int64_t* out_size, int64_t* start,
                         int64_t* end) {
    for (int i = 0; i < 3; i++) {
        start[i] = (o[i] / out_size[i]) * in_size[i] + ((o[i] % out_size[i]) * in_size[i]) / out_size[i];
        end[i] = 1 + ((o[i] + 1) * in_size[i] - 1) / out_size[i];
    }
}

/* ---- planes ---- */

template <class V, int SW, bool INDEXED>
void max_plane_with(const cnn4j_window& w, const float* in, float* out, int64_t* indices) {
    const int64_t H = w.in[1], W = w.in[2], OH = w.out[1], OW = w.out[2];
    const RowColumns c = row_columns(W, OW, w.kernel[2], w.stride[2], w.dilation[2], w.pad_begin[2]);
    for (int64_t od = 0; od < w.out[0]; od++) {
        const MaxSpan ds = max_span(w, 0, od);
        for (int64_t oh = 0; oh < OH; oh++) {
            const MaxSpan hs = max_span(w, 1, oh);
            float* out_row = out + (od * OH + oh) * OW;
            int64_t* index_row = INDEXED ? indices + (od * OH + oh) * OW : nullptr;
            // Pairs of vectors: each tap's compare-and-select is a dependent chain per vector, so two independent
            // ones keep the units busy (the depthwise kernels do the same).
            for_each_column_block<V::kLanes, SW, 2>(
                c,
                [&](int64_t ow) {
                    const MaxSpan xs = max_span(w, 2, ow);
                    const int64_t begin[3] = {ds.first, hs.first, xs.first}, end[3] = {ds.end, hs.end, xs.end};
                    window_max(in, H, W, begin, end, w.dilation, out_row[ow], INDEXED ? &index_row[ow] : nullptr);
                },
                [&](int64_t ow, int n, auto full) {
                    constexpr bool kFull = decltype(full)::value;
                    constexpr int kVectors = decltype(full)::vectors;
                    const int64_t col0 = ow * SW - c.pad;
                    typename V::F best[kVectors];
                    typename V::I best_index[kVectors];
                    for (int v = 0; v < kVectors; v++) {
                        best[v] = V::set1(-__builtin_huge_valf());
                        best_index[v] = V::index((ds.first * H + hs.first) * W + col0 + v * V::kLanes * SW, SW);
                    }
                    for (int64_t d = ds.first; d < ds.end; d += w.dilation[0]) {
                        for (int64_t h = hs.first; h < hs.end; h += w.dilation[1]) {
                            const int64_t row = (d * H + h) * W;
                            for (int64_t k = 0; k < c.kernel; k++) {
                                for (int v = 0; v < kVectors; v++) {
                                    const int64_t col = col0 + k * c.dilation + v * V::kLanes * SW;
                                    const typename V::F x = load_taps<V, SW, kFull>(in + row + col, n);
                                    const typename V::M take = V::take_max(x, best[v]);
                                    best[v] = V::select(take, x, best[v]);
                                    if constexpr (INDEXED) {
                                        best_index[v] = V::index_select(take, V::index(row + col, SW), best_index[v]);
                                    }
                                }
                            }
                        }
                    }
                    for (int v = 0; v < kVectors; v++) {
                        if (kFull) {
                            V::store(out_row + ow + v * V::kLanes, best[v]);
                            if constexpr (INDEXED) V::store_index(index_row + ow + v * V::kLanes, best_index[v]);
                        } else {
                            V::store_n(out_row + ow, best[v], n);
                            if constexpr (INDEXED) V::store_index_n(index_row + ow, best_index[v], n);
                        }
                    }
                });
        }
    }
}

template <class V, bool INDEXED>
void max_plane_indexed(const cnn4j_window& w, const float* in, float* out, int64_t* indices) {
    switch (w.stride[2]) {
        case 1: return max_plane_with<V, 1, INDEXED>(w, in, out, indices);
        case 2: return max_plane_with<V, 2, INDEXED>(w, in, out, indices);
        default: return max_plane_with<V, 0, INDEXED>(w, in, out, indices);
    }
}

/* The larger of a and b by window_max's rule (b wins if greater or NaN, so a NaN in either is the result). */
template <class V>
inline typename V::F max_of(typename V::F a, typename V::F b) {
    return V::select(V::take_max(b, a), b, a);
}

/* The most common pooling (LeNet, VGG, U-Net): 2x2, stride 2, no padding or dilation, without indices. Per output
   row, the even and odd columns of its two input rows, three take-max steps: no per-row window arithmetic, which
   costs the general kernel more than these maxima on small maps (LeNet's 6 planes of 28x28: 6.8 -> 1.3 us, one busy
   core). The same NaN rule as window_max (a NaN anywhere in the window wins). */
template <class V>
void max_plane_2x2(const cnn4j_window& w, const float* in, float* out) {
    constexpr int L = V::kLanes;
    const int64_t W = w.in[2], OH = w.out[1], OW = w.out[2];
    for (int64_t oh = 0; oh < OH; oh++) {
        const float* top = in + 2 * oh * W;
        const float* bottom = top + W;
        float* out_row = out + oh * OW;
        int64_t ow = 0;
        // A full vector reads 2L floats from column 2 * ow + 1: up to column 2 * (ow + L), inside the row.
        for (; ow + L <= OW && 2 * (ow + L) < W; ow += L) {
            const float* t = top + 2 * ow;
            const float* b = bottom + 2 * ow;
            const typename V::F m = max_of<V>(max_of<V>(V::load_even(t), V::load_even(t + 1)),
                                              max_of<V>(V::load_even(b), V::load_even(b + 1)));
            V::store(out_row + ow, m);
        }
        while (ow < OW) {
            const int n = OW - ow < L ? (int)(OW - ow) : L;
            const float* t = top + 2 * ow;
            const float* b = bottom + 2 * ow;
            const typename V::F m = max_of<V>(max_of<V>(V::load_even_n(t, n), V::load_even_n(t + 1, n)),
                                              max_of<V>(V::load_even_n(b, n), V::load_even_n(b + 1, n)));
            V::store_n(out_row + ow, m, n);
            ow += n;
        }
    }
}

/* ResNet's pooling: 3x3, stride 2, padding 1, without indices. Per output row the (up to) three input rows, each
   reduced over its three columns (the odd column before, the even, the odd after: three even-float loads), then
   across the rows: a tree of take-max steps two deep per row instead of the general kernel's chain of nine (64
   planes of 112x112: 291 -> 243 us; the take-max steps' mask operations now bound it). Windows that reach the
   padding (column 0, the last columns of an odd-wide row) go through window_max. */
template <class V>
void max_plane_3x3_s2(const cnn4j_window& w, const float* in, float* out) {
    constexpr int L = V::kLanes;
    const int64_t H = w.in[1], W = w.in[2], OH = w.out[1], OW = w.out[2];
    // Columns ow whose window 2ow-1 .. 2ow+1 is inside the row: [1, hi); a full vector also reads column 2(ow+L).
    const int64_t hi = OW < (W - 2) / 2 + 1 ? OW : (W - 2) / 2 + 1;
    const int64_t one[3] = {1, 1, 1};
    for (int64_t oh = 0; oh < OH; oh++) {
        const int64_t y0 = oh > 0 ? 2 * oh - 1 : 0, y1 = 2 * oh + 2 < H ? 2 * oh + 2 : H;
        float* out_row = out + oh * OW;
        auto edge = [&](int64_t ow) {
            const int64_t begin[3] = {0, y0, ow > 0 ? 2 * ow - 1 : 0};
            const int64_t end[3] = {1, y1, 2 * ow + 2 < W ? 2 * ow + 2 : W};
            window_max(in, H, W, begin, end, one, out_row[ow], nullptr);
        };
        auto row_max = [&](int64_t y, int64_t ow, int n, bool full) {
            const float* p = in + y * W + 2 * ow;
            if (full) return max_of<V>(max_of<V>(V::load_even(p - 1), V::load_even(p)), V::load_even(p + 1));
            return max_of<V>(max_of<V>(V::load_even_n(p - 1, n), V::load_even_n(p, n)), V::load_even_n(p + 1, n));
        };
        if (OW > 0) edge(0);
        int64_t ow = 1;
        while (ow < hi) {
            const bool full = ow + L <= hi && 2 * (ow + L) < W;
            const int n = full ? L : (int)(hi - ow < L ? hi - ow : L);
            typename V::F m = row_max(y0, ow, n, full);
            for (int64_t y = y0 + 1; y < y1; y++) m = max_of<V>(m, row_max(y, ow, n, full));
            if (full) {
                V::store(out_row + ow, m);
            } else {
                V::store_n(out_row + ow, m, n);
            }
            ow += n;
        }
        for (ow = hi > 1 ? hi : 1; ow < OW; ow++) edge(ow);
    }
}

inline bool is_plain_3x3_s2(const cnn4j_window& w) {
    return w.in[0] == 1 && w.kernel[0] == 1 && w.kernel[1] == 3 && w.kernel[2] == 3 && w.stride[1] == 2 &&
           w.stride[2] == 2 && w.pad_begin[1] == 1 && w.pad_begin[2] == 1 && w.dilation[1] == 1 &&
           w.dilation[2] == 1;
}

inline bool is_plain_2x2(const cnn4j_window& w) {
    return w.in[0] == 1 && w.kernel[0] == 1 && w.kernel[1] == 2 && w.kernel[2] == 2 && w.stride[1] == 2 &&
           w.stride[2] == 2 && w.pad_begin[1] == 0 && w.pad_begin[2] == 0 && w.dilation[1] == 1 &&
           w.dilation[2] == 1 && w.out[1] <= w.in[1] / 2 && w.out[2] <= w.in[2] / 2;
}

template <class V>
void max_plane(const cnn4j_window& w, const float* in, float* out, int64_t* indices) {
    if (!indices && is_plain_2x2(w)) return max_plane_2x2<V>(w, in, out);
    if (!indices && is_plain_3x3_s2(w)) return max_plane_3x3_s2<V>(w, in, out);
    if (!indices) return max_plane_indexed<V, false>(w, in, out, nullptr);
    // Index lanes are int32 in the SIMD variants: larger planes go one output at a time.
    if (w.in[0] * w.in[1] * w.in[2] > V::kMaxIndexedPlane) return max_plane_with<V, 0, true>(w, in, out, indices);
    return max_plane_indexed<V, true>(w, in, out, indices);
}

template <class V, int SW>
void avg_plane_with(const cnn4j_window& w, int count_include_pad, int64_t divisor_override, const float* in,
                    float* out) {
    const int64_t H = w.in[1], W = w.in[2], OH = w.out[1], OW = w.out[2];
    const RowColumns c = row_columns(W, OW, w.kernel[2], w.stride[2], 1, w.pad_begin[2]);
    for (int64_t od = 0; od < w.out[0]; od++) {
        for (int64_t oh = 0; oh < OH; oh++) {
            float* out_row = out + (od * OH + oh) * OW;
            auto edge = [&](int64_t ow) {
                const int64_t position[3] = {od, oh, ow};
                out_row[ow] = avg_at(w, count_include_pad, divisor_override, in, position);
            };
            // Interior columns share the rows and the divisor (their window is KW wide and inside the row).
            const int64_t interior[3] = {od, oh, c.lo};
            const AvgWindow a = avg_window(w, interior);
            if (a.start[0] >= a.end[0] || a.start[1] >= a.end[1]) {
                for (int64_t ow = 0; ow < OW; ow++) edge(ow);
                continue;
            }
            const typename V::F divisor = V::set1((float)avg_divisor(a, count_include_pad, divisor_override));
            for_each_column_block<V::kLanes, SW, 1>(c, edge, [&](int64_t ow, int n, auto full) {
                constexpr bool kFull = decltype(full)::value;
                typename V::F sum = V::set1(0.0f);
                for (int64_t d = a.start[0]; d < a.end[0]; d++) {
                    for (int64_t h = a.start[1]; h < a.end[1]; h++) {
                        const float* p = in + (d * H + h) * W + ow * SW - c.pad;
                        for (int64_t k = 0; k < c.kernel; k++) sum = V::add(sum, load_taps<V, SW, kFull>(p + k, n));
                    }
                }
                if (kFull) {
                    V::store(out_row + ow, V::div(sum, divisor));
                } else {
                    V::store_n(out_row + ow, V::div(sum, divisor), n);
                }
            });
        }
    }
}

template <class V>
void avg_plane(const cnn4j_window& w, int count_include_pad, int64_t divisor_override, const float* in, float* out) {
    switch (w.stride[2]) {
        case 1: return avg_plane_with<V, 1>(w, count_include_pad, divisor_override, in, out);
        case 2: return avg_plane_with<V, 2>(w, count_include_pad, divisor_override, in, out);
        default: return avg_plane_with<V, 0>(w, count_include_pad, divisor_override, in, out);
    }
}

template <class V>
void adaptive_avg_plane(const int64_t* in_size, const int64_t* out_size, const float* in, float* out) {
    const int64_t D = in_size[0], H = in_size[1], W = in_size[2];
    if (out_size[0] == 1 && out_size[1] == 1 && out_size[2] == 1) {  // global average pooling: one sum per plane
        constexpr int L = V::kLanes;
        const int64_t count = D * H * W;
        typename V::F sum = V::set1(0.0f);
        int64_t i = 0;
        for (; i + L <= count; i += L) sum = V::add(sum, V::load(in + i));
        if (i < count) sum = V::add(sum, V::load_n(in + i, (int)(count - i)));
        out[0] = V::hsum(sum) / (float)count;
        return;
    }
    int64_t o = 0;
    for (int64_t od = 0; od < out_size[0]; od++) {
        for (int64_t oh = 0; oh < out_size[1]; oh++) {
            for (int64_t ow = 0; ow < out_size[2]; ow++, o++) {
                const int64_t position[3] = {od, oh, ow};
                int64_t start[3], end[3];
                adaptive_bin(position, in_size, out_size, start, end);
                const int64_t count = (end[0] - start[0]) * (end[1] - start[1]) * (end[2] - start[2]);
                out[o] = window_sum(in, H, W, start, end) / (float)count;
            }
        }
    }
}

/* Scalar in every variant: adaptive bins differ in width, so there is no common vector step. */
inline void adaptive_max_plane(const int64_t* in_size, const int64_t* out_size, const float* in, float* out,
                               int64_t* indices) {
    const int64_t step[3] = {1, 1, 1};
    int64_t o = 0;
    for (int64_t od = 0; od < out_size[0]; od++) {
        for (int64_t oh = 0; oh < out_size[1]; oh++) {
            for (int64_t ow = 0; ow < out_size[2]; ow++, o++) {
                const int64_t position[3] = {od, oh, ow};
                int64_t begin[3], end[3];
                adaptive_bin(position, in_size, out_size, begin, end);
                window_max(in, in_size[1], in_size[2], begin, end, step, out[o], indices ? &indices[o] : nullptr);
            }
        }
    }
}

/* Power-average pooling has no SIMD version (it needs libm's pow): the variants call the reference's. */
inline void lp_plane_of_scalar(const cnn4j_window& w, float norm_type, const float* in, float* out) {
    kPoolScalar.lp_plane(w, norm_type, in, out);
}

}  // namespace
}  // namespace cnn4j

#endif
