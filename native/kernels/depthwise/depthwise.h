/*
 * Depthwise convolution kernels: one input plane, one filter, one output plane (groups == in_channels; ops/conv.cpp
 * runs every (image, output channel) pair through `plane`, split over the thread pool), with the layer's output
 * pass fused in: bias, residual and the activation.
 *
 * Results: every output sums bias, then the taps that land inside the input in (kd, kh, kw) order (padding adds
 * nothing). The scalar reference multiplies and adds; the SIMD variants use fused multiply-add and so skip one
 * rounding per tap: |simd - scalar| <= 2 * K * 2^-24 * (|bias| + sum over taps |tap * x|), K = KD*KH*KW, far
 * inside Oracle's 1e-5 of the output scale the conformance tests hold every variant to. A plane's result does not
 * depend on which thread computes it or on how the planes are split.
 */
#ifndef CNN4J_KERNELS_DEPTHWISE_H
#define CNN4J_KERNELS_DEPTHWISE_H

#include <cstdint>

#include "cnn4j.h"
#include "kernels/activation/activation.h"

namespace cnn4j {

/* The output pass of one plane: out = act(conv + bias + residual). Identity, ReLU and ReLU6 are applied in the
   kernel's registers; any other kind by `activation->apply` on the finished plane while it is still in cache. */
struct DepthwiseEpilogue {
    float bias;
    const float* residual;                 // [OD, OH, OW] of this plane, nullable; must not alias the output
    int act_kind;                          // CNN4J_ACT_*, checked by Java
    float alpha;                           // the activation's parameter (LeakyReLU slope, ELU alpha)
    const ActivationKernels* activation;   // the active ISA's activations, for the kinds not fused here
};

/* Channels a channels-last kernel call takes at most (kDepthwiseGroup of every ISA divides it): workspaces are
   sized with it, so that any ISA can run in them. */
constexpr int64_t kDepthwiseMaxGroup = 16;

struct DepthwiseKernels {
    /* plane [D, H, W] * taps [KD, KH, KW] -> out [OD, OH, OW] with window w (any stride, padding, dilation),
       then the epilogue. Fast paths: stride 1 and 2 along the width, KW 3 and 5; anything else is exact too. */
    void (*plane)(const cnn4j_window& w, const float* plane, const float* taps, const DepthwiseEpilogue& epilogue,
                  float* out);

    /* ---- channels last: `group` channels side by side, for small maps (kernels/depthwise/
       depthwise_channels_last_impl.h). Results equal `plane`'s channel by channel. */

    /* Channels per call: the vector width, at least kGemmPanelRows (8) so a group is whole GEMM panels. */
    int64_t group;
    /* planes [channels, count] (rows `stride` floats apart; channels <= group) -> out [.., group] with pixel p at
       (p / width) * out_row_pixels + p % width (a map's rows into a wider, padded buffer); channels past `channels`
       zero. Writes only those pixels. */
    void (*to_channels_last)(const float* planes, int64_t stride, int64_t channels, int64_t count, int64_t width,
                             float* out, int64_t out_row_pixels);
    /* in [count, group] -> planes [channels, count] (rows `stride` floats apart), the first `channels` only. */
    void (*from_channels_last)(const float* in, int64_t count, int64_t channels, float* planes, int64_t stride);
    /* 2-d (w.in[0] == w.kernel[0] == 1), the input already zero-padded: in [rows, in_width, group] holds output
       (oh, ow)'s taps at rows oh * stride + kh * dilation and columns ow * stride + kw * dilation; taps [KH, KW, group],
       bias [group] -> out [OH, OW, group]. act_kind identity, ReLU or ReLU6 is applied here (callers apply the others
       to the finished planes, as `plane` does). Every output sums bias, then all taps in (kh, kw) order. */
    void (*channels_last)(const cnn4j_window& w, const float* in, int64_t in_width, const float* taps,
                          const float* bias, int act_kind, float* out);
};

extern const DepthwiseKernels kDepthwiseScalar;
extern const DepthwiseKernels kDepthwiseAvx2;
extern const DepthwiseKernels kDepthwiseAvx512;
extern const DepthwiseKernels kDepthwiseNeon;

}  // namespace cnn4j

#endif
