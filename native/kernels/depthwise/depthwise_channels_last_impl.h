/*
 * Depthwise convolution with channels last, for small maps: a group of channels (the vector width, at least 8) sits
 * side by side, so one vector is one pixel of kLanes channels, each lane with its own taps. On a 14x14 or 7x7 map the
 * planar kernel (depthwise_impl.h) spends a vector on a row of 14 or 7 outputs and pays per-plane setup that costs
 * more than the arithmetic (MobileNetV2's 960 planes of 7x7: 5 GMAC/s); here every lane of every multiply-add is an
 * output whatever the map's width, and a stride is only an address step. The input arrives zero-padded (the
 * transpose into channels last writes the map's rows into a wider buffer whose border stays zero), so no output is an
 * edge case.
 *
 * Written once against kernels/simd's Vec and instantiated by each depthwise_<isa>.cpp after depthwise_impl.h (whose
 * dw_finish it uses), in the same anonymous namespace. Every output sums bias, then all KH x KW taps in (kh, kw) order
 * with the ISA's multiply-add, those in the padding multiplying 0: per channel what the planar kernel's flat path
 * computes (depthwise_impl.h, dw_small_plane), so a fused block equals its layers run apart.
 */
#ifndef CNN4J_KERNELS_DEPTHWISE_CHANNELS_LAST_IMPL_H
#define CNN4J_KERNELS_DEPTHWISE_CHANNELS_LAST_IMPL_H

namespace cnn4j {
namespace {

/* Channels of one call: whole vectors, and whole GEMM panels of 8 rows (the expansion feeding it computes panels). */
template <class V>
constexpr int64_t dw_group() {
    return V::kLanes < 8 ? 8 : V::kLanes;
}

template <class V>
inline typename V::F dw_load_up_to(const float* p, int n) {
    return n == V::kLanes ? V::load(p) : V::load_n(p, n);
}

/* planes [channels, count] (rows `stride` apart) -> out, pixel p at (p / width) * out_row_pixels + p % width (a
   map's rows into a wider, padded buffer), `group` floats a pixel: kLanes x kLanes blocks transposed in registers;
   channels past `channels` are zero. */
template <class V>
void dw_to_channels_last(const float* planes, int64_t stride, int64_t channels, int64_t count, int64_t width,
                         float* out, int64_t out_row_pixels) {
    constexpr int L = V::kLanes;
    constexpr int64_t G = dw_group<V>();
    typename V::F rows[L];
    int64_t y = 0, x = 0;  // where pixel p goes: row y, column x
    for (int64_t p = 0; p < count; p += L) {
        const int n = count - p < L ? (int)(count - p) : L;
        for (int64_t c0 = 0; c0 < G; c0 += L) {
            for (int r = 0; r < L; r++) {
                rows[r] = c0 + r < channels ? dw_load_up_to<V>(planes + (c0 + r) * stride + p, n) : V::set1(0.0f);
            }
            V::transpose(rows);
            int64_t yj = y, xj = x;
            for (int j = 0; j < n; j++) {
                V::store(out + (yj * out_row_pixels + xj) * G + c0, rows[j]);
                if (++xj == width) xj = 0, yj++;
            }
        }
        for (int j = 0; j < n; j++) {
            if (++x == width) x = 0, y++;
        }
    }
}

/* in [count, group] -> planes [channels, count] (rows `stride` apart), the first `channels` channels. */
template <class V>
void dw_from_channels_last(const float* in, int64_t count, int64_t channels, float* planes, int64_t stride) {
    constexpr int L = V::kLanes;
    constexpr int64_t G = dw_group<V>();
    typename V::F rows[L];
    for (int64_t p = 0; p < count; p += L) {
        const int n = count - p < L ? (int)(count - p) : L;
        for (int64_t c0 = 0; c0 < channels; c0 += L) {
            for (int j = 0; j < L; j++) rows[j] = j < n ? V::load(in + (p + j) * G + c0) : V::set1(0.0f);
            V::transpose(rows);
            for (int r = 0; r < L && c0 + r < channels; r++) {
                float* dst = planes + (c0 + r) * stride + p;
                if (n == L) {
                    V::store(dst, rows[r]);
                } else {
                    V::store_n(dst, rows[r], n);
                }
            }
        }
    }
}

/* U consecutive outputs of the map (flat positions o .. o + U - 1, across row ends), the input of output u at
   in + at[u] (its first tap's pixel). KW: the kernel width when fixed at compile time, else 0. in is padded: every
   tap of every output lands inside it. */
template <class V, int KW, int U>
inline void dw_cl_outputs(const cnn4j_window& w, const float* in, int64_t in_width, const int64_t* at,
                          const float* taps, const float* bias, int act_kind, float* out) {
    constexpr int L = V::kLanes, VP = (int)(dw_group<V>() / V::kLanes);
    constexpr int64_t G = dw_group<V>();
    const int64_t KH = w.kernel[1], kernel_w = KW ? KW : w.kernel[2];
    const int64_t row_step = w.dilation[1] * in_width * G, tap_step = w.dilation[2] * G;
    typename V::F acc[U][VP];
    for (int v = 0; v < VP; v++) {
        const typename V::F b = V::load(bias + v * L);
        for (int u = 0; u < U; u++) acc[u][v] = b;
    }
    for (int64_t kh = 0; kh < KH; kh++) {
        for (int64_t kw = 0; kw < kernel_w; kw++) {
            const int64_t shift = kh * row_step + kw * tap_step;
            const float* t = taps + (kh * kernel_w + kw) * G;
            for (int v = 0; v < VP; v++) {
                const typename V::F tap = V::load(t + v * L);
                for (int u = 0; u < U; u++) acc[u][v] = V::fmadd(tap, V::load(in + at[u] + shift + v * L), acc[u][v]);
            }
        }
    }
    for (int u = 0; u < U; u++) {
        for (int v = 0; v < VP; v++) V::store(out + u * G + v * L, dw_finish<V, true>(acc[u][v], nullptr, act_kind, L));
    }
}

/* U consecutive outputs of one output row, one vector of channels each (VP == 1), stride SW and no dilation along
   the row, kernel width KW: per kernel row the (U - 1) * SW + KW input pixels they read are loaded once and each
   feeds every output whose window covers it, where dw_cl_outputs loads every tap of every output (3x3 stride 1:
   10 loads for 24 multiply-adds, not 24). Same sums in the same order. in points at the first output's first tap. */
template <class V, int KW, int SW, int U>
inline void dw_cl_row_outputs(const cnn4j_window& w, const float* in, int64_t in_width, const float* taps,
                              const float* bias, int act_kind, float* out) {
    constexpr int64_t G = dw_group<V>();
    constexpr int kPixels = (U - 1) * SW + KW;
    const int64_t row_step = w.dilation[1] * in_width * G;
    typename V::F acc[U];
    const typename V::F b = V::load(bias);
#pragma GCC unroll 8
    for (int u = 0; u < U; u++) acc[u] = b;
    for (int64_t kh = 0; kh < w.kernel[1]; kh++) {
        const float* row = in + kh * row_step;
        typename V::F px[kPixels];
#pragma GCC unroll 32
        for (int i = 0; i < kPixels; i++) px[i] = V::load(row + i * G);
#pragma GCC unroll 8
        for (int kw = 0; kw < KW; kw++) {
            const typename V::F tap = V::load(taps + (kh * KW + kw) * G);
#pragma GCC unroll 8
            for (int u = 0; u < U; u++) acc[u] = V::fmadd(tap, px[u * SW + kw], acc[u]);
        }
    }
#pragma GCC unroll 8
    for (int u = 0; u < U; u++) V::store(out + u * G, dw_finish<V, true>(acc[u], nullptr, act_kind, V::kLanes));
}

/* The map's outputs row by row in blocks of 8, 4, 2 and 1 that reuse each loaded pixel (dw_cl_row_outputs): where
   a vector is a whole group (AVX-512, 16 lanes: 32 registers hold the block), the kernel width is fixed, the stride
   1 or 2 and the row undilated. */
template <class V, int KW, int SW>
void dw_channels_last_rows(const cnn4j_window& w, const float* in, int64_t in_width, const float* taps,
                           const float* bias, int act_kind, float* out) {
    constexpr int64_t G = dw_group<V>();
    const int64_t OH = w.out[1], OW = w.out[2];
    const int64_t row_step = w.stride[1] * in_width * G;
    for (int64_t oh = 0; oh < OH; oh++) {
        const float* in_row = in + oh * row_step;
        float* out_row = out + oh * OW * G;
        int64_t ow = 0;
        for (; ow + 8 <= OW; ow += 8) {
            dw_cl_row_outputs<V, KW, SW, 8>(w, in_row + ow * SW * G, in_width, taps, bias, act_kind, out_row + ow * G);
        }
        if (ow + 4 <= OW) {
            dw_cl_row_outputs<V, KW, SW, 4>(w, in_row + ow * SW * G, in_width, taps, bias, act_kind, out_row + ow * G);
            ow += 4;
        }
        if (ow + 2 <= OW) {
            dw_cl_row_outputs<V, KW, SW, 2>(w, in_row + ow * SW * G, in_width, taps, bias, act_kind, out_row + ow * G);
            ow += 2;
        }
        if (ow < OW) {
            dw_cl_row_outputs<V, KW, SW, 1>(w, in_row + ow * SW * G, in_width, taps, bias, act_kind, out_row + ow * G);
        }
    }
}

/* The map's outputs in flat blocks of U (8 independent sums in flight: a multiply-add's latency times two FMA
   ports), blocks running on across row ends so that a 7- or 14-wide row leaves no short tail; the last few one by
   one. */
template <class V, int KW>
void dw_channels_last_with(const cnn4j_window& w, const float* in, int64_t in_width, const float* taps,
                           const float* bias, int act_kind, float* out) {
    constexpr int VP = (int)(dw_group<V>() / V::kLanes), U = VP >= 8 ? 1 : 8 / VP;
    constexpr int64_t G = dw_group<V>();
    if constexpr (KW > 0 && VP == 1 && V::kLanes >= 16) {
        if (w.dilation[2] == 1 && w.stride[2] == 1) {
            return dw_channels_last_rows<V, KW, 1>(w, in, in_width, taps, bias, act_kind, out);
        }
        if (w.dilation[2] == 1 && w.stride[2] == 2) {
            return dw_channels_last_rows<V, KW, 2>(w, in, in_width, taps, bias, act_kind, out);
        }
    }
    const int64_t OW = w.out[2], count = w.out[1] * OW;
    const int64_t row_step = w.stride[1] * in_width * G, column_step = w.stride[2] * G;
    int64_t at[U];
    int64_t oh = 0, ow = 0;  // the next output's place
    const auto next = [&]() {
        const int64_t offset = oh * row_step + ow * column_step;
        if (++ow == OW) ow = 0, oh++;
        return offset;
    };
    int64_t o = 0;
    for (; o + U <= count; o += U) {
        for (int u = 0; u < U; u++) at[u] = next();
        dw_cl_outputs<V, KW, U>(w, in, in_width, at, taps, bias, act_kind, out + o * G);
    }
    for (; o < count; o++) {
        at[0] = next();
        dw_cl_outputs<V, KW, 1>(w, in, in_width, at, taps, bias, act_kind, out + o * G);
    }
}

/* The DepthwiseKernels::channels_last of an ISA: kernel widths 3 and 5 unrolled, any other generic. */
template <class V>
void dw_channels_last(const cnn4j_window& w, const float* in, int64_t in_width, const float* taps, const float* bias,
                      int act_kind, float* out) {
    if (w.kernel[2] == 3) return dw_channels_last_with<V, 3>(w, in, in_width, taps, bias, act_kind, out);
    if (w.kernel[2] == 5) return dw_channels_last_with<V, 5>(w, in, in_width, taps, bias, act_kind, out);
    dw_channels_last_with<V, 0>(w, in, in_width, taps, bias, act_kind, out);
}

/* The whole table of an ISA. */
template <class V>
constexpr DepthwiseKernels dw_kernels() {
    return {dw_plane<V>, dw_group<V>(), dw_to_channels_last<V>, dw_from_channels_last<V>, dw_channels_last<V>};
}

}  // namespace
}  // namespace cnn4j

#endif
