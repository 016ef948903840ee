/*
 * An inverted-residual block's expansion and depthwise convolution as one op (MobileNetV2, EfficientNet's MBConv):
 *     mid = act1(W_expand x + b1)            1x1 convolution, in_channels -> mid_channels
 *     out = act2(depthwise(mid, taps) + b2)  one 2-d filter per mid channel, any kernel, stride, padding, dilation
 * run one panel of kGemmPanelRows mid channels at a time: the panel's expanded planes are computed into a per-thread
 * slot ([kGemmPanelRows, H, W] floats, e.g. 392 KB at 112x112) and convolved while still in L2, so the expanded
 * tensor (6x the block's input) is never written to memory and read back; that round trip cost MobileNetV2's first
 * expanded layers more than their arithmetic.
 *
 * Results are bit-identical to the two layers run one after the other: the same packed GEMM (every output one
 * k-ordered sum, whatever rows or columns a call computes), the same epilogue and the same depthwise kernel per
 * plane.
 */
#include <algorithm>

#include "ops/gemm.h"
#include "ops/window.h"
#include "runtime/kernels.h"
#include "runtime/threadpool.h"

using namespace cnn4j;

extern "C" {

int64_t cnn4j_expand_depthwise_workspace_size(const int64_t* dw_window) {
    return kGemmPanelRows * in_volume(as_window(dw_window));
}

int cnn4j_expand_depthwise_forward(const int64_t* dw_window, int64_t batch, int64_t in_channels,
                                   int64_t mid_channels, const float* input, const float* expand_weight,
                                   const float* expand_bias, int expand_act, float expand_alpha,
                                   const float* dw_weight, const float* dw_bias, int dw_act, float dw_alpha,
                                   float* output, float* workspace, int64_t workspace_slots) {
    if (!dw_window || !input || !expand_weight || !dw_weight || !output || !workspace || workspace_slots < 1) {
        return CNN4J_ERROR_ARGUMENT;
    }
    if (expand_act < CNN4J_ACT_IDENTITY || expand_act > CNN4J_ACT_HARDSIGMOID || dw_act < CNN4J_ACT_IDENTITY ||
        dw_act > CNN4J_ACT_HARDSIGMOID) {
        return CNN4J_ERROR_ARGUMENT;
    }
    const cnn4j_window& w = as_window(dw_window);
    const KernelTable& table = kernels();
    const int64_t plane = in_volume(w), out_plane = out_volume(w), taps = kernel_volume(w);
    const int64_t panels = ceil_div(mid_channels, kGemmPanelRows), slot_floats = kGemmPanelRows * plane;
    const int slots = (int)std::min<int64_t>(workspace_slots, 1 << 30);
    parallel_for_slots(batch * panels, 1, slots, [&](int slot, int64_t t0, int64_t t1) {
        float* mid = workspace + slot * slot_floats;
        for (int64_t t = t0; t < t1; t++) {
            const int64_t n = t / panels, r0 = (t % panels) * kGemmPanelRows;
            const int64_t r1 = std::min(mid_channels, r0 + kGemmPanelRows);
            // C points at mid channel 0 of a [mid_channels, plane] matrix whose rows [r0, r1) are the slot.
            packed_sgemm(*table.gemm, mid_channels, in_channels, expand_weight, input + n * in_channels * plane,
                         plane, mid - r0 * plane, plane, r0, r1, 0, plane);
            if (expand_bias || expand_act != CNN4J_ACT_IDENTITY) {
                table.activation->epilogue(expand_act, expand_alpha, r1 - r0, plane,
                                           expand_bias ? expand_bias + r0 : nullptr, nullptr, mid);
            }
            for (int64_t c = r0; c < r1; c++) {
                const DepthwiseEpilogue epilogue{dw_bias ? dw_bias[c] : 0.0f, nullptr, dw_act, dw_alpha,
                                                 table.activation};
                table.depthwise->plane(w, mid + (c - r0) * plane, dw_weight + c * taps, epilogue,
                                       output + (n * mid_channels + c) * out_plane);
            }
        }
    });
    return CNN4J_OK;
}

}  // extern "C"
