/*
 * Convolution as im2col + sgemm, transposed convolution as sgemm + col2im, and the im2col/col2im
 * transforms themselves (also behind F.unfold / F.fold).
 *
 * A convolution of one image and one group is the matrix product
 *     out[Og, P] = weight[Og, K] x columns[K, P],   K = (C/G)*KD*KH*KW, P = OD*OH*OW,
 * where row k of columns holds, for every output position, the input value under kernel tap k.
 * The columns are built and multiplied one block of output positions at a time (kColumnBlock): the block stays in
 * cache between im2col and sgemm, each pool thread works on its own blocks in its own workspace slot, and the
 * workspace does not grow with the image, the batch or the groups.
 *
 * Depthwise convolutions (one input channel per group, groups > 1) skip that: with K = KD*KH*KW and Og tiny,
 * the product is a dot product per position, and copying each input value K times into columns costs more than
 * the arithmetic. They run a direct kernel instead and need no workspace.
 */
#include <cblas.h>

#include <algorithm>
#include <cstring>

#include "ops/gemm.h"
#include "ops/window.h"
#include "runtime/kernels.h"
#include "runtime/threadpool.h"

namespace cnn4j {
namespace {

/* For kernel offset `offset` (= tap*dilation - pad_begin) along a dim of input size `in` and output
   size `out`, the output positions o with 0 <= o*stride + offset < in are [first, last). */
inline void valid_range(int64_t offset, int64_t stride, int64_t in, int64_t out, int64_t& first, int64_t& last) {
    first = offset >= 0 ? 0 : ceil_div(-offset, stride);
    last = in - offset <= 0 ? 0 : ceil_div(in - offset, stride);
    if (last > out) last = out;
    if (first > last) first = last;
}

/* Visits every (column row, output position) pair with the input element it reads, one output row
   (fixed kernel tap, od, oh) at a time. `row(columns_row, image_row, ow_first, ow_last, iw_offset)` handles
   the in-bounds stretch [ow_first, ow_last) of output row `columns_row`, which reads image_row[ow*sw +
   iw_offset]; `zero(columns_row, from, to)` handles the padded parts. col2im accumulates through it. */
template <typename Image, typename RowFn, typename ZeroFn>
inline void for_each_column_row(const cnn4j_window& w, int64_t channels, Image* image, float* columns,
                                RowFn row, ZeroFn zero) {
    const int64_t D = w.in[0], H = w.in[1], W = w.in[2];
    const int64_t OD = w.out[0], OH = w.out[1], OW = w.out[2];
    const int64_t P = OD * OH * OW;
    float* col = columns;
    for (int64_t c = 0; c < channels; c++) {
        Image* plane = image + c * D * H * W;
        for (int64_t kd = 0; kd < w.kernel[0]; kd++) {
            for (int64_t kh = 0; kh < w.kernel[1]; kh++) {
                for (int64_t kw = 0; kw < w.kernel[2]; kw++, col += P) {
                    const int64_t w_offset = kw * w.dilation[2] - w.pad_begin[2];
                    int64_t ow_first, ow_last;
                    valid_range(w_offset, w.stride[2], W, OW, ow_first, ow_last);
                    for (int64_t od = 0; od < OD; od++) {
                        const int64_t id = od * w.stride[0] - w.pad_begin[0] + kd * w.dilation[0];
                        for (int64_t oh = 0; oh < OH; oh++) {
                            float* out_row = col + (od * OH + oh) * OW;
                            const int64_t ih = oh * w.stride[1] - w.pad_begin[1] + kh * w.dilation[1];
                            if (id < 0 || id >= D || ih < 0 || ih >= H) {
                                zero(out_row, 0, OW);
                                continue;
                            }
                            zero(out_row, 0, ow_first);
                            row(out_row, plane + (id * H + ih) * W, ow_first, ow_last, w_offset);
                            zero(out_row, ow_last, OW);
                        }
                    }
                }
            }
        }
    }
}

/* Output positions per column block of the im2col convolution: one block's columns ([K, 256] floats) stay in
   L2 while sgemm reads them, and blocks are the unit of work of the pool's threads. Fixed, so results do not
   depend on the thread count. */
constexpr int64_t kColumnBlock = 256;

/* The columns of output positions [p0, p1) only: columns [C*KD*KH*KW, p1 - p0], the same values as those columns
   of im2col. Positions are walked one stretch of an output row at a time. */
void im2col_block(const cnn4j_window& w, int64_t channels, const float* image, int64_t p0, int64_t p1,
                  float* columns) {
    const int64_t D = w.in[0], H = w.in[1], W = w.in[2];
    const int64_t OH = w.out[1], OW = w.out[2];
    const int64_t n = p1 - p0, sw = w.stride[2];
    float* col = columns;
    for (int64_t c = 0; c < channels; c++) {
        const float* plane = image + c * D * H * W;
        for (int64_t kd = 0; kd < w.kernel[0]; kd++) {
            for (int64_t kh = 0; kh < w.kernel[1]; kh++) {
                for (int64_t kw = 0; kw < w.kernel[2]; kw++, col += n) {
                    const int64_t w_offset = kw * w.dilation[2] - w.pad_begin[2];
                    int64_t ow_first, ow_last;
                    valid_range(w_offset, sw, W, OW, ow_first, ow_last);
                    for (int64_t p = p0; p < p1;) {
                        const int64_t row = p / OW, ow0 = p - row * OW, ow1 = std::min(OW, ow0 + (p1 - p));
                        const int64_t od = row / OH, oh = row - od * OH;
                        float* out = col + (p - p0) - ow0;  // out[ow] is position (od, oh, ow)
                        const int64_t id = od * w.stride[0] - w.pad_begin[0] + kd * w.dilation[0];
                        const int64_t ih = oh * w.stride[1] - w.pad_begin[1] + kh * w.dilation[1];
                        p += ow1 - ow0;
                        if (id < 0 || id >= D || ih < 0 || ih >= H) {
                            std::memset(out + ow0, 0, (ow1 - ow0) * sizeof(float));
                            continue;
                        }
                        const float* in_row = plane + (id * H + ih) * W + w_offset;
                        const int64_t lo = std::max(ow0, std::min(ow1, ow_first));
                        const int64_t hi = std::max(lo, std::min(ow1, ow_last));
                        if (lo > ow0) std::memset(out + ow0, 0, (lo - ow0) * sizeof(float));
                        if (sw == 1) {
                            if (hi > lo) std::memcpy(out + lo, in_row + lo, (hi - lo) * sizeof(float));
                        } else {
                            for (int64_t ow = lo; ow < hi; ow++) out[ow] = in_row[ow * sw];
                        }
                        if (ow1 > hi) std::memset(out + hi, 0, (ow1 - hi) * sizeof(float));
                    }
                }
            }
        }
    }
}

void col2im(const cnn4j_window& w, int64_t channels, const float* columns, float* image) {
    std::memset(image, 0, channels * in_volume(w) * sizeof(float));
    const int64_t sw = w.stride[2];
    for_each_column_row(
        w, channels, image, const_cast<float*>(columns),
        [sw](float* col_row, float* image_row, int64_t first, int64_t last, int64_t offset) {
            for (int64_t ow = first; ow < last; ow++) image_row[ow * sw + offset] += col_row[ow];
        },
        [](float*, int64_t, int64_t) {});
}

/* 1x1 kernel, stride 1, no padding: the input planes already are the columns. */
bool is_pointwise(const cnn4j_window& w) {
    for (int i = 0; i < 3; i++) {
        if (w.kernel[i] != 1 || w.stride[i] != 1 || w.pad_begin[i] != 0 || w.in[i] != w.out[i]) return false;
    }
    return true;
}

/* Depthwise: groups > 1 and one input channel per group. The generic path stays the reference for groups == 1
   (a single-channel input with many filters is a real matrix product). */
bool is_depthwise(int64_t in_channels, int64_t groups) { return groups > 1 && in_channels == groups; }

/* Adds one input row's taps into one output row: row[ow] += tap[kw] * in_row[ow*sw + off[kw]] for kw in order.
   KW > 0 (compile-time width): the positions where every tap lands inside the input take all KW taps in one
   pass (one load and store of row per position instead of KW); the edges go tap by tap. Either way each
   position sums its taps in the same order, so results do not depend on where a position falls.
   KW == 0: any width, tap by tap. `first`/`last`/`off` describe each tap's valid stretch (see valid_range);
   [lo, hi) is their intersection. */
template <int KW>
inline void depthwise_row(float* __restrict row, const float* __restrict in_row, const float* __restrict tap,
                          int64_t width, int64_t sw, const int64_t* first, const int64_t* last, const int64_t* off,
                          int64_t lo, int64_t hi) {
    if constexpr (KW == 0) {
        for (int64_t kw = 0; kw < width; kw++) {
            const float t = tap[kw];
            const float* __restrict src = in_row + off[kw];
            if (sw == 1) {
                for (int64_t ow = first[kw]; ow < last[kw]; ow++) row[ow] += t * src[ow];
            } else {
                for (int64_t ow = first[kw]; ow < last[kw]; ow++) row[ow] += t * src[ow * sw];
            }
        }
    } else {
        (void)width;
        float t[KW];
        for (int k = 0; k < KW; k++) t[k] = tap[k];
        for (int k = 0; k < KW; k++) {
            const int64_t left_end = last[k] < lo ? last[k] : lo, right_begin = first[k] > hi ? first[k] : hi;
            for (int64_t ow = first[k]; ow < left_end; ow++) row[ow] += t[k] * in_row[ow * sw + off[k]];
            for (int64_t ow = right_begin; ow < last[k]; ow++) row[ow] += t[k] * in_row[ow * sw + off[k]];
        }
        if (sw == 1) {
            for (int64_t ow = lo; ow < hi; ow++) {
                float acc = row[ow];
                for (int k = 0; k < KW; k++) acc += t[k] * in_row[ow + off[k]];
                row[ow] = acc;
            }
        } else {
            for (int64_t ow = lo; ow < hi; ow++) {
                float acc = row[ow];
                for (int k = 0; k < KW; k++) acc += t[k] * in_row[ow * sw + off[k]];
                row[ow] = acc;
            }
        }
    }
}

/* Widest kernel whose per-tap ranges live on the stack; wider ones (rare) run in slices of this many taps. */
constexpr int64_t kMaxRowTaps = 32;

/* One output plane of a depthwise convolution: plane [D, H, W] * taps [KD, KH, KW] + bias -> out [OD, OH, OW].
   Each output row starts at the bias and takes the taps of every input row under it, in (kd, kh, kw) order,
   so the row stays in L1 and the inner loops are plain vectorizable multiply-adds along the width.
   KW_FIXED is 0 or the kernel width. */
template <int KW_FIXED>
void depthwise_plane(const cnn4j_window& w, const float* __restrict plane, const float* __restrict taps, float bias,
                     float* __restrict out) {
    const int64_t D = w.in[0], H = w.in[1], W = w.in[2];
    const int64_t OD = w.out[0], OH = w.out[1], OW = w.out[2];
    const int64_t KD = w.kernel[0], KH = w.kernel[1], KW = w.kernel[2];
    const int64_t sw = w.stride[2];
    for (int64_t kw0 = 0; kw0 < KW; kw0 += kMaxRowTaps) {
        // The valid stretch of each tap in this slice depends on kw only: work it out once per plane.
        const int64_t width = KW_FIXED ? KW_FIXED : (KW - kw0 < kMaxRowTaps ? KW - kw0 : kMaxRowTaps);
        int64_t first[kMaxRowTaps], last[kMaxRowTaps], off[kMaxRowTaps];
        int64_t lo = 0, hi = OW;
        for (int64_t k = 0; k < width; k++) {
            off[k] = (kw0 + k) * w.dilation[2] - w.pad_begin[2];
            valid_range(off[k], sw, W, OW, first[k], last[k]);
            if (first[k] > lo) lo = first[k];
            if (last[k] < hi) hi = last[k];
        }
        if (hi < lo) hi = lo;
        for (int64_t od = 0; od < OD; od++) {
            for (int64_t oh = 0; oh < OH; oh++) {
                float* __restrict row = out + (od * OH + oh) * OW;
                if (kw0 == 0) {
                    for (int64_t ow = 0; ow < OW; ow++) row[ow] = bias;
                }
                for (int64_t kd = 0; kd < KD; kd++) {
                    const int64_t id = od * w.stride[0] - w.pad_begin[0] + kd * w.dilation[0];
                    if (id < 0 || id >= D) continue;
                    for (int64_t kh = 0; kh < KH; kh++) {
                        const int64_t ih = oh * w.stride[1] - w.pad_begin[1] + kh * w.dilation[1];
                        if (ih < 0 || ih >= H) continue;
                        depthwise_row<KW_FIXED>(row, plane + (id * H + ih) * W, taps + (kd * KH + kh) * KW + kw0,
                                                width, sw, first, last, off, lo, hi);
                    }
                }
            }
        }
    }
}

using DepthwisePlaneFn = void (*)(const cnn4j_window&, const float*, const float*, float, float*);

/* The widths with a fused pass of their own (common depthwise kernels); others go tap by tap. Building this
   loop for AVX2 / AVX-512 as well was measured: no faster on 14..112-wide rows, so the baseline build serves. */
DepthwisePlaneFn depthwise_plane_for_width(int64_t kw) {
    switch (kw) {
        case 1: return depthwise_plane<1>;
        case 3: return depthwise_plane<3>;
        case 5: return depthwise_plane<5>;
        case 7: return depthwise_plane<7>;
        default: return depthwise_plane<0>;
    }
}

}  // namespace
}  // namespace cnn4j

using namespace cnn4j;

extern "C" {

int cnn4j_im2col(const int64_t* window, int64_t channels, const float* image, float* columns) {
    if (!window || !image || !columns) return CNN4J_ERROR_ARGUMENT;
    const cnn4j_window& w = as_window(window);
    im2col_block(w, channels, image, 0, out_volume(w), columns);
    return CNN4J_OK;
}

int cnn4j_col2im(const int64_t* window, int64_t channels, const float* columns, float* image) {
    if (!window || !image || !columns) return CNN4J_ERROR_ARGUMENT;
    col2im(as_window(window), channels, columns, image);
    return CNN4J_OK;
}

int64_t cnn4j_conv_workspace_size(const int64_t* window, int64_t in_channels, int64_t groups) {
    const cnn4j_window& w = as_window(window);
    if (is_pointwise(w) || is_depthwise(in_channels, groups)) return 0;
    return (in_channels / groups) * kernel_volume(w) * std::min(out_volume(w), kColumnBlock);
}

int cnn4j_conv_forward(const int64_t* window, int64_t batch, int64_t in_channels, int64_t out_channels,
                       int64_t groups, const float* input, const float* weight, const float* bias, int act_kind,
                       float act_alpha, const float* residual, float* output, float* workspace,
                       int64_t workspace_slots) {
    if (!window || !input || !weight || !output || groups <= 0) return CNN4J_ERROR_ARGUMENT;
    if (act_kind < CNN4J_ACT_IDENTITY || act_kind > CNN4J_ACT_HARDSIGMOID) return CNN4J_ERROR_ARGUMENT;
    const cnn4j_window& w = as_window(window);
    const ActivationKernels& activation = *kernels().activation;
    const int64_t Cg = in_channels / groups, Og = out_channels / groups;
    const int64_t K = Cg * kernel_volume(w), P = out_volume(w), in_plane = in_volume(w);
    const bool plain = act_kind == CNN4J_ACT_IDENTITY && !residual;
    if (is_depthwise(in_channels, groups)) {
        const DepthwisePlaneFn plane_fn = depthwise_plane_for_width(w.kernel[2]);
        for (int64_t n = 0; n < batch; n++) {
            for (int64_t oc = 0; oc < out_channels; oc++) {
                float* out_plane = output + (n * out_channels + oc) * P;
                plane_fn(w, input + (n * in_channels + oc / Og) * in_plane, weight + oc * K,
                         bias ? bias[oc] : 0.0f, out_plane);
                if (!plain) {
                    activation.epilogue(act_kind, act_alpha, 1, P, nullptr,
                                        residual ? residual + (n * out_channels + oc) * P : nullptr, out_plane);
                }
            }
        }
        return CNN4J_OK;
    }
    const bool pointwise = is_pointwise(w);
    if (!pointwise && (!workspace || workspace_slots < 1)) return CNN4J_ERROR_ARGUMENT;
    for (int64_t n = 0; n < batch; n++) {
        for (int64_t g = 0; g < groups; g++) {
            const float* in_g = input + (n * in_channels + g * Cg) * in_plane;
            const float* weight_g = weight + g * Og * K;
            const int64_t first = (n * out_channels + g * Og) * P;
            float* out_g = output + first;
            if (pointwise) {
                // The input planes already are the columns.
                sgemm(false, false, Og, P, K, 1.0f, weight_g, K, in_g, P, 0.0f, out_g, P);
            } else {
                // Column blocks: each thread builds one block's columns in its own slot of the workspace and
                // multiplies them into that block of the output (ldc = P).
                const int64_t blocks = ceil_div(P, kColumnBlock), slot_floats = K * std::min(P, kColumnBlock);
                parallel_for_slots(blocks, 1, (int)workspace_slots, [&](int slot, int64_t b0, int64_t b1) {
                    float* columns = workspace + slot * slot_floats;
                    for (int64_t b = b0; b < b1; b++) {
                        const int64_t p0 = b * kColumnBlock, p1 = std::min(P, p0 + kColumnBlock);
                        im2col_block(w, Cg, in_g, p0, p1, columns);
                        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)Og, (int)(p1 - p0), (int)K,
                                    1.0f, weight_g, (int)K, columns, (int)(p1 - p0), 0.0f, out_g + p0, (int)P);
                    }
                });
            }
            // One pass over the output: bias, the residual, the activation.
            if (bias || !plain) {
                activation.epilogue(act_kind, act_alpha, Og, P, bias ? bias + g * Og : nullptr,
                                    residual ? residual + first : nullptr, out_g);
            }
        }
    }
    return CNN4J_OK;
}

int64_t cnn4j_conv_transpose_workspace_size(const int64_t* window, int64_t out_channels, int64_t groups) {
    const cnn4j_window& w = as_window(window);
    return (out_channels / groups) * kernel_volume(w) * in_volume(w);
}

int cnn4j_conv_transpose_forward(const int64_t* window, int64_t batch, int64_t in_channels,
                                 int64_t out_channels, int64_t groups, const float* input, const float* weight,
                                 const float* bias, float* output, float* workspace) {
    if (!window || !input || !weight || !output || !workspace || groups <= 0) return CNN4J_ERROR_ARGUMENT;
    const cnn4j_window& w = as_window(window);
    const cnn4j_window image_side = swapped(w);  // col2im scatters into the output
    const int64_t Cg = in_channels / groups, Og = out_channels / groups;
    const int64_t K = Og * kernel_volume(w), P_in = in_volume(w), P_out = out_volume(w);
    for (int64_t n = 0; n < batch; n++) {
        for (int64_t g = 0; g < groups; g++) {
            const float* in_g = input + (n * in_channels + g * Cg) * P_in;
            // columns[K, P_in] = weight_g[Cg, K]^T x in_g[Cg, P_in]
            sgemm(true, false, K, P_in, Cg, 1.0f, weight + g * Cg * K, K, in_g, P_in, 0.0f, workspace, P_in);
            float* out_g = output + (n * out_channels + g * Og) * P_out;
            col2im(image_side, Og, workspace, out_g);
            if (bias) kernels().activation->epilogue(CNN4J_ACT_IDENTITY, 0.0f, Og, P_out, bias + g * Og, nullptr, out_g);
        }
    }
    return CNN4J_OK;
}

}  // extern "C"
