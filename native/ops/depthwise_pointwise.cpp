/*
 * A depthwise convolution and the 1x1 convolution that reads it as one op (MobileNetV1's blocks, MobileNetV2's first
 * block, any separable convolution):
 *     mid = dw_act(depthwise(x, taps) + dw_bias)     one 2-d filter per channel, any kernel, stride, padding, dilation
 *     out = pw_act(W_pointwise mid + pw_bias)        1x1 convolution, channels -> out_channels
 * run one band of output rows at a time: the band's depthwise output for every channel goes into a per-thread slot
 * ([channels, band rows * OW] floats, about kBandFloats) and the pointwise product reads it from there while it is
 * still in L2. The depthwise tensor is never written to memory and read back: in MobileNetV2's first block at batch 8
 * (32 channels at 112x112, 12.8 MB) that round trip cost more than both convolutions' arithmetic.
 *
 * Results are bit-identical to the two layers run one after the other: a band's depthwise window is the layer's own
 * restricted to the band's output rows and the input rows they read (every output sums its bias, then the taps that
 * land inside the input in order, whatever the window), and the pointwise product is the same packed GEMM (each
 * output one k-ordered sum, whatever columns a call computes) with the same epilogue.
 */
#include <algorithm>

#include "ops/gemm.h"
#include "ops/window.h"
#include "runtime/kernels.h"
#include "runtime/threadpool.h"

using namespace cnn4j;

namespace {

/* Floats a band's depthwise output aims at: 256 KB, a quarter of a 1 MB L2, so the band and the pointwise product's
   output rows stay in L2 together. */
constexpr int64_t kBandFloats = 64 * 1024;

/* Output rows per band at most: as many whole rows as fit kBandFloats across all channels, at least one. */
int64_t band_rows(const cnn4j_window& w, int64_t channels) {
    return std::max<int64_t>(1, std::min<int64_t>(w.out[1], kBandFloats / std::max<int64_t>(1, channels * w.out[2])));
}

/* Output rows per band for a run: band_rows, lowered so that the bands of a batch split evenly over `threads`
   (MobileNetV2's 112 rows at batch 1: 7 bands of 18 leave one of 2 threads idle a seventh of the time; 8 of 14 do
   not). Never more than band_rows, so the workspace sized with it fits. */
int64_t balanced_band_rows(const cnn4j_window& w, int64_t channels, int64_t batch, int64_t threads) {
    const int64_t most = band_rows(w, channels);
    const int64_t tasks = batch * ceil_div(w.out[1], most);
    if (threads <= 1 || tasks % threads == 0 || tasks >= 4 * threads) return most;
    const int64_t bands = ceil_div(ceil_div(tasks, threads) * threads, batch);
    return std::max<int64_t>(1, ceil_div(w.out[1], bands));
}

/* The depthwise window of output rows [oh0, oh1): the input rows those outputs read, clipped to the map, become the
   band's input (starting at input row *first_row), and the rows clipped off at the top its padding. */
cnn4j_window band_window(const cnn4j_window& w, int64_t oh0, int64_t oh1, int64_t* first_row) {
    const int64_t top = oh0 * w.stride[1] - w.pad_begin[1];
    const int64_t bottom = (oh1 - 1) * w.stride[1] - w.pad_begin[1] + (w.kernel[1] - 1) * w.dilation[1] + 1;
    const int64_t r0 = std::max<int64_t>(0, top), r1 = std::min(w.in[1], bottom);
    cnn4j_window band = w;
    band.in[1] = std::max<int64_t>(r1 - r0, 0);
    band.out[1] = oh1 - oh0;
    band.pad_begin[1] = r0 - top;
    *first_row = r0;
    return band;
}

}  // namespace

extern "C" {

int64_t cnn4j_depthwise_pointwise_workspace_size(const int64_t* dw_window, int64_t channels) {
    const cnn4j_window& w = as_window(dw_window);
    return channels * band_rows(w, channels) * w.out[2];
}

int cnn4j_depthwise_pointwise_forward(const int64_t* dw_window, int64_t batch, int64_t channels,
                                      int64_t out_channels, const float* input, const float* dw_weight,
                                      const float* dw_bias, int dw_act, float dw_alpha, const float* pw_weight,
                                      const float* pw_bias, int pw_act, float pw_alpha, float* output,
                                      float* workspace, int64_t workspace_slots) {
    if (!dw_window || !input || !dw_weight || !pw_weight || !output || !workspace || workspace_slots < 1) {
        return CNN4J_ERROR_ARGUMENT;
    }
    if (dw_act < CNN4J_ACT_IDENTITY || dw_act > CNN4J_ACT_HARDSIGMOID || pw_act < CNN4J_ACT_IDENTITY ||
        pw_act > CNN4J_ACT_HARDSIGMOID) {
        return CNN4J_ERROR_ARGUMENT;
    }
    const cnn4j_window& w = as_window(dw_window);
    if (w.in[0] != 1 || w.kernel[0] != 1) return CNN4J_ERROR_ARGUMENT;  // 2-d maps only
    const KernelTable& table = kernels();
    const int64_t plane = in_volume(w), out_plane = out_volume(w), taps = kernel_volume(w), OW = w.out[2];
    const int64_t rows = balanced_band_rows(w, channels, batch, pool_threads()), bands = ceil_div(w.out[1], rows);
    const int64_t slot_floats = channels * rows * OW;
    const bool epilogue = pw_bias || pw_act != CNN4J_ACT_IDENTITY;
    const int slots = (int)std::min<int64_t>(workspace_slots, 1 << 30);
    parallel_for_slots(batch * bands, 1, slots, [&](int slot, int64_t t0, int64_t t1) {
        float* mid = workspace + slot * slot_floats;
        for (int64_t t = t0; t < t1; t++) {
            const int64_t n = t / bands, oh0 = (t % bands) * rows, oh1 = std::min(w.out[1], oh0 + rows);
            const int64_t columns = (oh1 - oh0) * OW;
            int64_t first_row;
            const cnn4j_window band = band_window(w, oh0, oh1, &first_row);
            const float* image = input + n * channels * plane + first_row * w.in[2];
            for (int64_t c = 0; c < channels; c++) {
                const DepthwiseEpilogue dw_epilogue{dw_bias ? dw_bias[c] : 0.0f, nullptr, dw_act, dw_alpha,
                                                    table.activation};
                table.depthwise->plane(band, image + c * plane, dw_weight + c * taps, dw_epilogue, mid + c * columns);
            }
            // out[:, band] = W_pointwise [out_channels, channels] x mid [channels, columns], through the epilogue.
            float* out = output + n * out_channels * out_plane + oh0 * OW;
            const GemmEpilogue pw_epilogue{table.activation, pw_act, pw_alpha, pw_bias, nullptr, 0};
            packed_sgemm(*table.gemm, out_channels, channels, pw_weight, mid, columns, out, out_plane, 0,
                         out_channels, 0, columns, epilogue ? &pw_epilogue : nullptr);
        }
    });
    return CNN4J_OK;
}

}  // extern "C"
