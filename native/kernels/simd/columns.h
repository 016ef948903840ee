/*
 * Sliding windows along a row, as the SIMD kernel templates (depthwise, pooling) walk them: the interior columns,
 * whose every tap lands inside the input row, run a vector of outputs at a time; the edge columns, whose window
 * reaches into the padding, run one at a time. Anonymous namespace, as everything the ISA files include
 * (kernels/README.md).
 */
#ifndef CNN4J_KERNELS_SIMD_COLUMNS_H
#define CNN4J_KERNELS_SIMD_COLUMNS_H

#include <cstdint>

namespace cnn4j {
namespace {

/* The geometry along the width, the same for every row of a plane. Tap k of output column ow reads input column
   ow * stride - pad + k * dilation. */
struct RowColumns {
    int64_t in_width, out_width, kernel, stride, dilation, pad;
    int64_t last_offset;  // input column of the last tap, relative to ow * stride
    int64_t lo, hi;       // interior: every tap of output column ow in [lo, hi) lands inside the input row
};

inline RowColumns row_columns(int64_t in_width, int64_t out_width, int64_t kernel, int64_t stride, int64_t dilation,
                              int64_t pad) {
    RowColumns c{in_width, out_width, kernel, stride, dilation, pad, (kernel - 1) * dilation - pad, 0, 0};
    c.lo = (pad + stride - 1) / stride;  // tap 0 reads column ow * stride - pad >= 0
    const int64_t room = in_width - 1 - c.last_offset;
    c.hi = room < 0 ? 0 : room / stride + 1;  // the last tap reads a column < in_width
    if (c.lo > out_width) c.lo = out_width;
    if (c.hi > out_width) c.hi = out_width;
    if (c.hi < c.lo) c.hi = c.lo;
    return c;
}

/* How a block's loads go: full or partial, and how many vectors of L columns it spans. */
template <bool B, int VECTORS = 1>
struct FullLoads {
    static constexpr bool value = B;
    static constexpr int vectors = VECTORS;
};

/* Calls edge(ow) for each column outside the interior and block(ow, n, FullLoads<full, vectors>) for runs of
   interior columns: first blocks of PAIRED * L columns in PAIRED vectors (independent sums, so a kernel whose
   taps form one dependent chain per vector keeps the FMA units busy), then of L, then one partial block of n < L.
   A full block reads L * SW floats per vector from each tap's first column, so full blocks stop where that would
   pass the row's end; the rest of the interior goes in partial blocks, which read only what their n columns need.
   SW is the stride (1 or 2) or 0: no vector path, every column is an edge. */
template <int L, int SW, int PAIRED, class Edge, class Block>
inline void for_each_column_block(const RowColumns& c, Edge edge, Block block) {
    const int64_t vector_begin = SW ? c.lo : c.out_width, vector_end = SW ? c.hi : c.out_width;
    int64_t ow = 0;
    for (; ow < vector_begin; ow++) edge(ow);
    if constexpr (PAIRED > 1) {
        constexpr int64_t span = PAIRED * L;
        for (; ow + span <= vector_end && (ow + span) * SW + c.last_offset <= c.in_width; ow += span) {
            block(ow, (int)span, FullLoads<true, PAIRED>{});
        }
    }
    for (; ow + L <= vector_end && (ow + L) * SW + c.last_offset <= c.in_width; ow += L) block(ow, L, FullLoads<true>{});
    while (ow < vector_end) {
        const int n = vector_end - ow < L ? (int)(vector_end - ow) : L;
        block(ow, n, FullLoads<false>{});
        ow += n;
    }
    for (; ow < c.out_width; ow++) edge(ow);
}

/* Loads kLanes (or n) taps for consecutive output columns: stride 1 reads p[0..], stride 2 the even floats. */
template <class V, int SW, bool FULL>
inline typename V::F load_taps(const float* p, int n) {
    if constexpr (SW == 1) {
        return FULL ? V::load(p) : V::load_n(p, n);
    } else {
        return FULL ? V::load_even(p) : V::load_even_n(p, n);
    }
}

}  // namespace
}  // namespace cnn4j

#endif
