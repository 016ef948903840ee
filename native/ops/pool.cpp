/*
 * Pooling: max (with indices), average, power-average and adaptive average/max, for 1, 2 and 3 dims.
 * Every kernel loops over planes [N*C] and output positions; the window arithmetic follows ATen's CPU
 * kernels (MaxPoolKernel.cpp, AvgPoolKernel.cpp, AdaptiveAvgPoolKernel.cpp) so that edge windows,
 * NaN handling and tie-breaking come out the same.
 */
#include <algorithm>
#include <cmath>
#include <limits>

#include "ops/window.h"

namespace cnn4j {
namespace {

/* Visits each output position of one plane with the clipped window it covers:
   fn(out_index, d0, d1, h0, h1, w0, w1, pool_size), where [x0, x1) is the window clipped to the input
   and pool_size counts the window inside input + padding (AvgPool's count_include_pad divisor). */
template <typename Fn>
inline void for_each_avg_window(const cnn4j_window& w, Fn fn) {
    int64_t o = 0;
    for (int64_t od = 0; od < w.out[0]; od++) {
        for (int64_t oh = 0; oh < w.out[1]; oh++) {
            for (int64_t ow = 0; ow < w.out[2]; ow++, o++) {
                int64_t start[3], end[3], pool_size = 1;
                const int64_t pos[3] = {od, oh, ow};
                for (int i = 0; i < 3; i++) {
                    start[i] = pos[i] * w.stride[i] - w.pad_begin[i];
                    end[i] = start[i] + w.kernel[i];
                    if (end[i] > w.in[i] + w.pad_begin[i]) end[i] = w.in[i] + w.pad_begin[i];
                    pool_size *= end[i] - start[i];
                    if (start[i] < 0) start[i] = 0;
                    if (end[i] > w.in[i]) end[i] = w.in[i];
                }
                fn(o, start[0], end[0], start[1], end[1], start[2], end[2], pool_size);
            }
        }
    }
}

inline float window_sum(const float* plane, int64_t H, int64_t W, int64_t d0, int64_t d1, int64_t h0, int64_t h1,
                        int64_t w0, int64_t w1) {
    float sum = 0.0f;
    for (int64_t d = d0; d < d1; d++)
        for (int64_t h = h0; h < h1; h++)
            for (int64_t x = w0; x < w1; x++) sum += plane[(d * H + h) * W + x];
    return sum;
}

/* Maximum of plane[d, h, w] over [begin, end) with the given steps, as ATen finds it: the first maximum wins,
   a NaN wins over everything (the last NaN seen), and an all -inf window reports its first tap's index. */
inline void window_max(const float* plane, int64_t H, int64_t W, const int64_t* begin, const int64_t* end,
                       const int64_t* step, float& max_out, int64_t* index_out) {
    float best = -std::numeric_limits<float>::infinity();
    int64_t best_index = (begin[0] * H + begin[1]) * W + begin[2];
    for (int64_t d = begin[0]; d < end[0]; d += step[0])
        for (int64_t h = begin[1]; h < end[1]; h += step[1])
            for (int64_t x = begin[2]; x < end[2]; x += step[2]) {
                const int64_t i = (d * H + h) * W + x;
                const float v = plane[i];
                if (v > best || std::isnan(v)) {
                    best = v;
                    best_index = i;
                }
            }
    max_out = best;
    if (index_out) *index_out = best_index;
}

/* First in-bounds tap of a dilated window along one dim: ATen starts its max from there. */
inline int64_t first_tap(int64_t start, int64_t dilation) {
    while (start < 0) start += dilation;
    return start;
}

inline int64_t adaptive_start(int64_t o, int64_t out, int64_t in) { return (o / out) * in + ((o % out) * in) / out; }
inline int64_t adaptive_end(int64_t o, int64_t out, int64_t in) { return 1 + ((o + 1) * in - 1) / out; }

}  // namespace
}  // namespace cnn4j

using namespace cnn4j;

extern "C" {

int cnn4j_max_pool_forward(const int64_t* window, int64_t planes, const float* input, float* output,
                           int64_t* indices) {
    if (!window || !input || !output) return CNN4J_ERROR_ARGUMENT;
    const cnn4j_window& w = as_window(window);
    const int64_t D = w.in[0], H = w.in[1], W = w.in[2];
    const int64_t in_plane = in_volume(w), out_plane = out_volume(w);
    for (int64_t p = 0; p < planes; p++) {
        const float* in = input + p * in_plane;
        float* out = output + p * out_plane;
        int64_t* idx = indices ? indices + p * out_plane : nullptr;
        int64_t o = 0;
        for (int64_t od = 0; od < w.out[0]; od++) {
            const int64_t d_begin = od * w.stride[0] - w.pad_begin[0];
            const int64_t d_end = std::min(d_begin + (w.kernel[0] - 1) * w.dilation[0] + 1, D);
            const int64_t d0 = first_tap(d_begin, w.dilation[0]);
            for (int64_t oh = 0; oh < w.out[1]; oh++) {
                const int64_t h_begin = oh * w.stride[1] - w.pad_begin[1];
                const int64_t h_end = std::min(h_begin + (w.kernel[1] - 1) * w.dilation[1] + 1, H);
                const int64_t h0 = first_tap(h_begin, w.dilation[1]);
                for (int64_t ow = 0; ow < w.out[2]; ow++, o++) {
                    const int64_t w_begin = ow * w.stride[2] - w.pad_begin[2];
                    const int64_t w_end = std::min(w_begin + (w.kernel[2] - 1) * w.dilation[2] + 1, W);
                    const int64_t w0 = first_tap(w_begin, w.dilation[2]);
                    const int64_t begin[3] = {d0, h0, w0}, end[3] = {d_end, h_end, w_end};
                    window_max(in, H, W, begin, end, w.dilation, out[o], idx ? &idx[o] : nullptr);
                }
            }
        }
    }
    return CNN4J_OK;
}

int cnn4j_avg_pool_forward(const int64_t* window, int64_t planes, int count_include_pad,
                           int64_t divisor_override, const float* input, float* output) {
    if (!window || !input || !output) return CNN4J_ERROR_ARGUMENT;
    const cnn4j_window& w = as_window(window);
    const int64_t H = w.in[1], W = w.in[2];
    const int64_t in_plane = in_volume(w), out_plane = out_volume(w);
    for (int64_t p = 0; p < planes; p++) {
        const float* in = input + p * in_plane;
        float* out = output + p * out_plane;
        for_each_avg_window(w, [&](int64_t o, int64_t d0, int64_t d1, int64_t h0, int64_t h1, int64_t w0, int64_t w1,
                                   int64_t pool_size) {
            if (d0 >= d1 || h0 >= h1 || w0 >= w1) {  // a window entirely in padding
                out[o] = 0.0f;
                return;
            }
            int64_t divisor;
            if (divisor_override != 0) divisor = divisor_override;  // PyTorch allows negative ones
            else if (count_include_pad) divisor = pool_size;
            else divisor = (d1 - d0) * (h1 - h0) * (w1 - w0);
            out[o] = window_sum(in, H, W, d0, d1, h0, h1, w0, w1) / (float)divisor;
        });
    }
    return CNN4J_OK;
}

int cnn4j_lp_pool_forward(const int64_t* window, int64_t planes, float norm_type, const float* input,
                          float* output) {
    if (!window || !input || !output) return CNN4J_ERROR_ARGUMENT;
    const cnn4j_window& w = as_window(window);
    const int64_t H = w.in[1], W = w.in[2];
    const int64_t in_plane = in_volume(w), out_plane = out_volume(w);
    const float kernel_elements = (float)kernel_volume(w);
    const float inverse_norm = (float)(1.0 / (double)norm_type);
    for (int64_t p = 0; p < planes; p++) {
        const float* in = input + p * in_plane;
        float* out = output + p * out_plane;
        for_each_avg_window(w, [&](int64_t o, int64_t d0, int64_t d1, int64_t h0, int64_t h1, int64_t w0, int64_t w1,
                                   int64_t pool_size) {
            float sum = 0.0f;
            for (int64_t d = d0; d < d1; d++)
                for (int64_t h = h0; h < h1; h++)
                    for (int64_t x = w0; x < w1; x++) sum += std::pow(in[(d * H + h) * W + x], norm_type);
            float mean = (d0 >= d1 || h0 >= h1 || w0 >= w1) ? 0.0f : sum / (float)pool_size;
            if (mean == 0.0f) mean = 0.0f;  // sign(-0) * relu(0) is +0 in torch
            out[o] = std::pow(mean * kernel_elements, inverse_norm);
        });
    }
    return CNN4J_OK;
}

int cnn4j_adaptive_avg_pool_forward(const int64_t* in_size, const int64_t* out_size, int64_t planes,
                                    const float* input, float* output) {
    if (!in_size || !out_size || !input || !output) return CNN4J_ERROR_ARGUMENT;
    const int64_t D = in_size[0], H = in_size[1], W = in_size[2];
    const int64_t in_plane = D * H * W, out_plane = out_size[0] * out_size[1] * out_size[2];
    for (int64_t p = 0; p < planes; p++) {
        const float* in = input + p * in_plane;
        float* out = output + p * out_plane;
        int64_t o = 0;
        for (int64_t od = 0; od < out_size[0]; od++) {
            const int64_t d0 = adaptive_start(od, out_size[0], D), d1 = adaptive_end(od, out_size[0], D);
            for (int64_t oh = 0; oh < out_size[1]; oh++) {
                const int64_t h0 = adaptive_start(oh, out_size[1], H), h1 = adaptive_end(oh, out_size[1], H);
                for (int64_t ow = 0; ow < out_size[2]; ow++, o++) {
                    const int64_t w0 = adaptive_start(ow, out_size[2], W), w1 = adaptive_end(ow, out_size[2], W);
                    out[o] = window_sum(in, H, W, d0, d1, h0, h1, w0, w1) / (float)((d1 - d0) * (h1 - h0) * (w1 - w0));
                }
            }
        }
    }
    return CNN4J_OK;
}

int cnn4j_adaptive_max_pool_forward(const int64_t* in_size, const int64_t* out_size, int64_t planes,
                                    const float* input, float* output, int64_t* indices) {
    if (!in_size || !out_size || !input || !output) return CNN4J_ERROR_ARGUMENT;
    const int64_t D = in_size[0], H = in_size[1], W = in_size[2];
    const int64_t in_plane = D * H * W, out_plane = out_size[0] * out_size[1] * out_size[2];
    for (int64_t p = 0; p < planes; p++) {
        const float* in = input + p * in_plane;
        float* out = output + p * out_plane;
        int64_t* idx = indices ? indices + p * out_plane : nullptr;
        int64_t o = 0;
        for (int64_t od = 0; od < out_size[0]; od++) {
            const int64_t d0 = adaptive_start(od, out_size[0], D), d1 = adaptive_end(od, out_size[0], D);
            for (int64_t oh = 0; oh < out_size[1]; oh++) {
                const int64_t h0 = adaptive_start(oh, out_size[1], H), h1 = adaptive_end(oh, out_size[1], H);
                for (int64_t ow = 0; ow < out_size[2]; ow++, o++) {
                    const int64_t w0 = adaptive_start(ow, out_size[2], W), w1 = adaptive_end(ow, out_size[2], W);
                    const int64_t begin[3] = {d0, h0, w0}, end[3] = {d1, h1, w1}, step[3] = {1, 1, 1};
                    window_max(in, H, W, begin, end, step, out[o], idx ? &idx[o] : nullptr);
                }
            }
        }
    }
    return CNN4J_OK;
}

}  // extern "C"
