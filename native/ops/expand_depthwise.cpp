/*
 * An inverted-residual block's expansion and depthwise convolution as one op (MobileNetV2, EfficientNet's MBConv):
 *     mid = act1(W_expand x + b1)            1x1 convolution, in_channels -> mid_channels
 *     out = act2(depthwise(mid, taps) + b2)  one 2-d filter per mid channel, any kernel, stride, padding, dilation
 * run one panel of kGemmPanelRows mid channels at a time: the panel's expanded planes are computed into a per-thread
 * slot ([kGemmPanelRows, H, W] floats, e.g. 392 KB at 112x112) and convolved while still in L2, so the expanded
 * tensor (6x the block's input) is never written to memory and read back; that round trip cost MobileNetV2's first
 * expanded layers more than their arithmetic.
 *
 * Small and strided maps (channels_last_shape) run channels last instead: a group of 8 or 16 mid channels (the
 * vector width) is expanded as above and transposed so that one vector holds one pixel of every channel of the group
 * (or, where the ISA's GEMM has lanes_pixels, expanded straight into that layout), convolved with every lane of every
 * multiply-add an output, and transposed back into the output planes.
 *
 * Results are bit-identical to the two layers run one after the other: the same packed GEMM (every output one
 * k-ordered sum, whatever rows or columns a call computes), the same epilogue and, per channel, the depthwise kernel's
 * sums (bias, then the taps in order; a tap in the padding adds 0, which can turn a -0 sum into +0 where the bias is
 * -0 and the planar kernel skipped the tap).
 */
#include <algorithm>

#include "ops/gemm.h"
#include "ops/window.h"
#include "runtime/kernels.h"
#include "runtime/threadpool.h"

using namespace cnn4j;

namespace {

/* A channels-last group's buffers in its slot, every part 64-byte aligned: the expanded planes as the GEMM writes
   them; the same channels last inside a zero border (rows x width pixels: every tap of every output lands inside);
   the depthwise output channels last; the group's taps and biases. */
struct ChannelsLastSlot {
    int64_t rows, width, top, left;  // the padded map, and where the input's pixel (0, 0) sits in it
    int64_t planes, in, out, taps, bias, floats;
};

ChannelsLastSlot channels_last_slot(const cnn4j_window& w) {
    const auto aligned = [](int64_t floats) { return (floats + 15) / 16 * 16; };
    const auto extent = [&](int d) {  // the padded size along dim d: the input, and every window's last tap
        return std::max(w.pad_begin[d] + w.in[d], (w.out[d] - 1) * w.stride[d] + (w.kernel[d] - 1) * w.dilation[d] + 1);
    };
    const int64_t G = kDepthwiseMaxGroup;
    ChannelsLastSlot s;
    s.rows = extent(1);
    s.width = extent(2);
    s.top = w.pad_begin[1];
    s.left = w.pad_begin[2];
    s.planes = 0;
    s.in = s.planes + aligned(G * in_volume(w));
    s.out = s.in + aligned(G * s.rows * s.width);
    s.taps = s.out + aligned(G * out_volume(w));
    s.bias = s.taps + aligned(G * kernel_volume(w));
    s.floats = s.bias + aligned(G);
    return s;
}

/* Which maps run channels last (kernels/depthwise/depthwise_channels_last_impl.h); lanes: the expansion writes
   channels last itself (expands_channels_last, below, for the wider rule). Without it, 2-d ones whose planar rows fill
   vectors poorly (stride 2's even-column gathers, 14- and 7-wide rows) and where per-plane setup outweighs the
   arithmetic. Measured 2026-12-02, AVX-512, 1 thread, MobileNetV2's and EfficientNet's blocks, the fused layer planar
   -> channels last (us): 3x3 stride 2 from 56 219 -> 178, from 28 92 -> 80, from 14 160 -> 137; stride 1 at 14
   174 -> 168 (5x5: 175 -> 165), at 7 172 -> 128 (5x5: 118 -> 93); but at 28 113 -> 128 and at 56 282 -> 301. Stride
   2 from 112 (551 -> 506 alone) gained nothing inside MobileNetV2: its 1.8 MB slot no longer fits in L2. */
bool channels_last_shape(const cnn4j_window& w, bool lanes) {
    if (w.in[0] != 1 || w.kernel[0] != 1) return false;
    if (w.stride[2] >= 2) return lanes || w.out[2] <= 28;
    return w.out[2] <= (lanes ? 56 : 14);
}

/* Whether the expansion writes channels last itself (GemmKernels::lanes_pixels, a group of lanes channels one
   vector per pixel): no planes, no transpose into channels last. Then every stride-2 map and stride-1 maps up to 56
   wide run channels last: the planar form's flat depthwise copies each plane into a padded buffer and, at stride 2,
   gathers even columns. Measured 2026-12-03, AVX-512, 1 thread, Zen 4, MobileNetV2's blocks, the fused layer before
   -> channels last expanded by lanes (us, alternating runs): 16 -> 96 at 112 stride 2 883-970 -> 549-694, 24 -> 144
   at 56 stride 2 407-420 -> 314-326, 64 -> 384 at 14 141 -> 131, 160 -> 960 at 7 209-218 -> 190; 32 -> 192 at 28
   even (166 -> 164); 24 -> 144 at 56 stride 1 415-512 -> 408 (2 threads 260-302 -> 232-284) once the channels-last
   kernel reused its loads along the row (at first 416 -> 426). */
bool expands_channels_last(const KernelTable& table, int64_t in_channels, int expand_act) {
    return table.gemm->lanes_pixels && table.gemm->lanes == table.depthwise->group && in_channels <= kGemmDepthBlock &&
           gemm_tile_applies(expand_act);
}

/* Floats of one workspace slot: the planar form's panel, or the channels-last form's buffers where the map may run
   channels last (on any ISA, with or without lanes_pixels: the workspace does not depend on the ISA). */
int64_t slot_floats(const cnn4j_window& w) {
    const int64_t planar = kGemmPanelRows * in_volume(w);
    return channels_last_shape(w, true) ? std::max(planar, channels_last_slot(w).floats) : planar;
}

/* The expansion of mid channels [r0, r1) of one image, at positions [p0, p1) of its planes, into `slot` ([r1 - r0, p1 - p0]): the packed GEMM with bias and the activation on each tile. Both forms of the op start each
   panel or group with it, so their expanded values are the same. */
void expand_rows(const KernelTable& table, int64_t mid_channels, int64_t in_channels, const float* expand_weight,
                 const float* image, int64_t plane, const float* expand_bias, int expand_act, float expand_alpha,
                 int64_t r0, int64_t r1, float* slot, int64_t p0, int64_t p1) {
    const int64_t positions = p1 - p0;
    // C points at element (mid channel 0, position 0) of a [mid_channels, positions] matrix whose rows [r0, r1),
    // columns from p0 on, are the slot.
    const GemmEpilogue epilogue{table.activation, expand_act, expand_alpha, expand_bias, nullptr, 0};
    packed_sgemm(*table.gemm, mid_channels, in_channels, expand_weight, image, plane, slot - r0 * positions - p0,
                 positions, r0, r1, p0, p1,
                 expand_bias || expand_act != CNN4J_ACT_IDENTITY ? &epilogue : nullptr);
}

/* Bands of output rows, where a batch has fewer images than threads: each thread takes a band of every layer's map
   (the pool gives it the same share of every job) instead of some of the mid channels over the whole map, so it reads
   the block input's rows it wrote itself in the layer before, not all of them, half written by the other core (a
   cache-to-cache transfer per line: runtime/threadpool.cpp). The bands' boundaries fall on cache lines of every
   output plane (rows whose floats are a multiple of 16, planes too), or the op keeps one band: a line written by two
   threads would move between their cores. Each band expands the input rows its windows read, the rows at its edges
   (the kernel's halo) in both bands. Measured 2026-12-02, 2 threads, batch 1: MobileNetV2's 16 -> 96 expansion at
   112x112 with its stride-2 depthwise 495 us in bands against 599 by panels over the whole map (1 thread: 598), the
   whole model p50 4.13-4.26 ms against 4.33-4.41 (alternating runs). */
int64_t band_row_multiple(const cnn4j_window& w) {
    if (w.in[0] != 1 || w.kernel[0] != 1 || out_volume(w) % 16 != 0) return 0;
    int64_t g = 1;
    while (g * w.out[2] % 16 != 0) g++;
    return g;
}

/* Output rows where band b of `bands` starts (b = bands: the map's height), on multiples of `multiple` rows. */
int64_t band_start(const cnn4j_window& w, int64_t b, int64_t bands, int64_t multiple) {
    if (b >= bands) return w.out[1];
    return std::min(w.out[1], (w.out[1] * b / bands + multiple / 2) / multiple * multiple);
}

/* How many bands each image's map is cut into: one unless the batch has fewer images than the threads and the map
   has room for aligned bands of at least two multiples each. */
int64_t planar_bands(const cnn4j_window& w, int64_t batch, int64_t threads) {
    const int64_t multiple = band_row_multiple(w);
    if (batch >= threads || multiple == 0) return 1;
    const int64_t bands = ceil_div(threads, batch);
    return w.out[1] >= 2 * multiple * bands ? bands : 1;
}

/* The channels-last form of cnn4j_expand_depthwise_forward: per group of G mid channels, the expansion's panels as
   the planar form computes them (same GEMM, same epilogue), transposed to channels last, convolved, transposed back
   into the output planes; activations other than ReLU/ReLU6 then run on the finished planes, as the planar kernel
   runs them. */
int channels_last_forward(const cnn4j_window& w, const KernelTable& table, int64_t batch, int64_t in_channels,
                          int64_t mid_channels, const float* input, const float* expand_weight,
                          const float* expand_bias, int expand_act, float expand_alpha, const float* dw_weight,
                          const float* dw_bias, int dw_act, float dw_alpha, float* output, float* workspace,
                          int64_t workspace_slots) {
    const DepthwiseKernels& dw = *table.depthwise;
    const int64_t plane = in_volume(w), out_plane = out_volume(w), taps = kernel_volume(w), G = dw.group;
    const int64_t groups = ceil_div(mid_channels, G);
    const ChannelsLastSlot layout = channels_last_slot(w);
    const int64_t slot_size = slot_floats(w);
    const bool act_in_kernel = dw_act == CNN4J_ACT_IDENTITY || dw_act == CNN4J_ACT_RELU || dw_act == CNN4J_ACT_RELU6;
    const bool lanes = expands_channels_last(table, in_channels, expand_act);
    const bool expand_epilogue = expand_bias || expand_act != CNN4J_ACT_IDENTITY;
    const int slots = (int)std::min<int64_t>(workspace_slots, 1 << 30);
    parallel_for_slots(batch * groups, 1, slots, [&](int slot, int64_t t0, int64_t t1) {
        float* base = workspace + slot * slot_size;
        float *planes = base + layout.planes, *in = base + layout.in, *out = base + layout.out;
        float *group_taps = base + layout.taps, *group_bias = base + layout.bias;
        // The border is zeroed once per task: each group rewrites only the map's own pixels.
        std::fill(in, in + G * layout.rows * layout.width, 0.0f);
        float* in_origin = in + (layout.top * layout.width + layout.left) * G;
        for (int64_t t = t0; t < t1; t++) {
            const int64_t n = t / groups, c0 = (t % groups) * G, channels = std::min(G, mid_channels - c0);
            const float* image = input + n * in_channels * plane;
            if (lanes) {
                // The group's expansion straight into the padded buffer's rows (the same sums and epilogue as
                // expand_rows: bit for bit).
                const float* A = expand_weight + c0 / kGemmPanelRows * (in_channels * kGemmPanelRows);
                const GemmTileEpilogue epilogue{expand_bias ? expand_bias + c0 : nullptr, nullptr, 0, expand_act};
                table.gemm->lanes_pixels(in_channels, A, image, plane, channels, plane, w.in[2], in_origin,
                                         layout.width * G, G, expand_epilogue ? &epilogue : nullptr);
            } else {
                expand_rows(table, mid_channels, in_channels, expand_weight, image, plane, expand_bias, expand_act,
                            expand_alpha, c0, c0 + channels, planes, 0, plane);
                dw.to_channels_last(planes, plane, channels, plane, w.in[2], in_origin, layout.width);
            }
            for (int64_t c = 0; c < G; c++) {
                group_bias[c] = c < channels && dw_bias ? dw_bias[c0 + c] : 0.0f;
                for (int64_t k = 0; k < taps; k++) group_taps[k * G + c] = c < channels ? dw_weight[(c0 + c) * taps + k] : 0.0f;
            }
            dw.channels_last(w, in, layout.width, group_taps, group_bias, act_in_kernel ? dw_act : CNN4J_ACT_IDENTITY, out);
            float* dst = output + (n * mid_channels + c0) * out_plane;
            dw.from_channels_last(out, out_plane, channels, dst, out_plane);
            if (!act_in_kernel) {
                for (int64_t c = 0; c < channels; c++) {
                    table.activation->apply(dw_act, dw_alpha, out_plane, dst + c * out_plane, dst + c * out_plane);
                }
            }
        }
    });
    return CNN4J_OK;
}

}  // namespace

extern "C" {

int64_t cnn4j_expand_depthwise_workspace_size(const int64_t* dw_window) {
    return slot_floats(as_window(dw_window));
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
    if (channels_last_shape(w, expands_channels_last(table, in_channels, expand_act))) {
        return channels_last_forward(w, table, batch, in_channels, mid_channels, input, expand_weight, expand_bias,
                                     expand_act, expand_alpha, dw_weight, dw_bias, dw_act, dw_alpha, output,
                                     workspace, workspace_slots);
    }
    const int64_t panels = ceil_div(mid_channels, kGemmPanelRows), slot_size = slot_floats(w);
    const int slots = (int)std::min<int64_t>(workspace_slots, 1 << 30);
    const int64_t bands = planar_bands(w, batch, pool_threads()), multiple = band_row_multiple(w);
    // Tasks (image, band, panel) in that order: the pool's shares then hand each thread whole bands.
    parallel_for_slots(batch * bands * panels, 1, slots, [&](int slot, int64_t t0, int64_t t1) {
        float* mid = workspace + slot * slot_size;
        for (int64_t t = t0; t < t1; t++) {
            const int64_t n = t / (bands * panels), band = t / panels % bands, r0 = (t % panels) * kGemmPanelRows;
            const int64_t r1 = std::min(mid_channels, r0 + kGemmPanelRows);
            const float* image = input + n * in_channels * plane;
            // The band's output rows [y0, y1) read input rows [i0, i1): its window sees rows i0.. as rows 0.., with
            // the padding above it only if the band starts at the top (one band: the whole map, as the window says).
            cnn4j_window band_window = w;
            int64_t y0 = 0, i0 = 0;
            if (bands > 1) {
                y0 = band_start(w, band, bands, multiple);
                const int64_t y1 = band_start(w, band + 1, bands, multiple);
                const int64_t top = y0 * w.stride[1] - w.pad_begin[1];
                const int64_t bottom = (y1 - 1) * w.stride[1] - w.pad_begin[1] + (w.kernel[1] - 1) * w.dilation[1];
                i0 = std::max<int64_t>(0, top);
                const int64_t i1 = std::min(w.in[1], bottom + 1);
                band_window.in[1] = i1 - i0;
                band_window.out[1] = y1 - y0;
                band_window.pad_begin[1] = i0 - top;
            }
            const int64_t band_plane = in_volume(band_window);
            expand_rows(table, mid_channels, in_channels, expand_weight, image, plane, expand_bias, expand_act,
                        expand_alpha, r0, r1, mid, i0 * w.in[2], i0 * w.in[2] + band_plane);
            for (int64_t c = r0; c < r1; c++) {
                const DepthwiseEpilogue epilogue{dw_bias ? dw_bias[c] : 0.0f, nullptr, dw_act, dw_alpha,
                                                 table.activation};
                table.depthwise->plane(band_window, mid + (c - r0) * band_plane, dw_weight + c * taps, epilogue,
                                       output + (n * mid_channels + c) * out_plane + y0 * w.out[2]);
            }
        }
    });
    return CNN4J_OK;
}

}  // extern "C"
