/*
 * Convolution as im2col + sgemm, transposed convolution as sgemm + col2im, and the im2col/col2im
 * transforms themselves (also behind F.unfold / F.fold).
 *
 * A convolution of one image and one group is the matrix product
 *     out[Og, P] = weight[Og, K] x columns[K, P],   K = (C/G)*KD*KH*KW, P = OD*OH*OW,
 * where row k of columns holds, for every output position, the input value under kernel tap k.
 * The columns are built and multiplied one block of output positions at a time (column_block): the block stays in
 * cache between im2col, the product and the epilogue (bias, residual, activation), each pool thread works on its
 * own blocks in its own workspace slot, and the workspace does not grow with the image, the batch or the groups.
 * The product is cnn4j's GEMM (kernels/gemm) on weights packed once at load (cnn4j_conv_pack_weights); a 1x1
 * stride-1 unpadded convolution multiplies the input planes in place, with no columns at all.
 *
 * Depthwise convolutions (one input channel per group, groups > 1) skip that: with K = KD*KH*KW and Og tiny,
 * the product is a dot product per position, and copying each input value K times into columns costs more than
 * the arithmetic. They run the direct kernels of kernels/depthwise, one (image, channel) plane per task on the
 * thread pool, and need no workspace.
 */
#include <algorithm>
#include <cstdint>
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

/* Output positions per column block of the im2col convolution: the block's columns ([K, block] floats) stay in L2
   while the GEMM runs over them (a budget of kColumnFloats, from one GEMM tile, kGemmColumnMultiple, up to
   kMaxColumnBlock positions), the positions split into equal blocks of at most twice that (then rounded up to whole
   output rows where rows are short): a small remainder block would stream all the weights again for a few columns
   (7x7 maps: 49 = 48 + 1). Blocks are also the unit of work of the pool's threads. A pure function of the layer,
   so the workspace size is too; results do not depend on it (each output is one k-ordered sum). */
constexpr int64_t kColumnFloats = 96 * 1024;
constexpr int64_t kMaxColumnBlock = 5 * kGemmColumnMultiple;

int64_t column_block(int64_t K, int64_t P, int64_t OW) {
    const int64_t tiles = std::max<int64_t>(1, kColumnFloats / (K * kGemmColumnMultiple));
    const int64_t budget = std::min(kMaxColumnBlock, tiles * kGemmColumnMultiple);
    const int64_t block = ceil_div(P, std::max<int64_t>(1, P / budget));
    // Rows of at most a quarter block: whole rows per block (at most a quarter more positions), so that im2col
    // copies them with its whole-row kernel. Every block then starts on a row; the last ends on one (P = rows x OW).
    return 4 * OW <= block ? ceil_div(block, OW) * OW : block;
}

/* Below this many multiply-adds a convolution runs on the calling thread: handing tasks to the pool (waking a
   worker, the barrier at the end) costs a few microseconds, as much as the whole product. Results are the same
   either way (each output is one k-ordered sum). */
constexpr int64_t kMinParallelMacs = 1 << 19;

/* Stride-1 stretches up to this long are copied by a loop rather than memcpy. */
constexpr int64_t kShortRow = 16;

/* Most output rows a column block may span for the whole-row path of im2col_block (its row table is on the stack). */
constexpr int64_t kMaxWholeRows = 256;

/* The columns of output positions [p0, p1) only: columns [C*KD*KH*KW, p1 - p0], the same values as those columns
   of im2col. Positions are walked one stretch of an output row at a time; the stretches' (od, oh) advance by
   counting (no division per stretch), the in-bounds width range of each kernel column is computed once per call,
   and strided stretches are copied by the ISA's row kernel (kernels/im2col). */
void im2col_block(const cnn4j_window& w, int64_t channels, const float* image, int64_t p0, int64_t p1,
                  float* columns) {
    const int64_t D = w.in[0], H = w.in[1], W = w.in[2];
    const int64_t OH = w.out[1], OW = w.out[2];
    const int64_t n = p1 - p0, sw = w.stride[2], KW = w.kernel[2];
    if (n <= 0) return;
    const auto strided_row = kernels().im2col->strided_row;
    // Where the block starts: output row (od, oh), column ow.
    const int64_t row0 = p0 / OW, start_ow = p0 - row0 * OW, start_od = row0 / OH, start_oh = row0 - start_od * OH;
    // The in-bounds range [first, last) of every kernel column kw (kernels wider than the buffer recompute it).
    constexpr int64_t kMaxKw = 32;
    int64_t kw_first[kMaxKw], kw_last[kMaxKw];
    for (int64_t kw = 0; kw < std::min(KW, kMaxKw); kw++) {
        valid_range(kw * w.dilation[2] - w.pad_begin[2], sw, W, OW, kw_first[kw], kw_last[kw]);
    }
    float* col = columns;
    if (sw == 1 && start_ow == 0 && n % OW == 0 && n / OW <= kMaxWholeRows && KW <= kMaxKw) {
        // Whole output rows at stride 1 (small maps: one block per image): each column row is `rows` shifted
        // copies of input rows with their padding, one kernel call per kernel tap instead of per stretch.
        const int64_t rows = n / OW;
        const auto copy_rows = kernels().im2col->stride1_rows;
        int64_t row_src[kMaxWholeRows];  // per (kd, kh): where each output row's input row starts, -1 if padding
        for (int64_t c = 0; c < channels; c++) {
            const float* plane = image + c * D * H * W;
            for (int64_t kd = 0; kd < w.kernel[0]; kd++) {
                for (int64_t kh = 0; kh < w.kernel[1]; kh++) {
                    for (int64_t r = 0, od = start_od, oh = start_oh; r < rows; r++) {
                        const int64_t id = od * w.stride[0] - w.pad_begin[0] + kd * w.dilation[0];
                        const int64_t ih = oh * w.stride[1] - w.pad_begin[1] + kh * w.dilation[1];
                        row_src[r] = id < 0 || id >= D || ih < 0 || ih >= H ? -1 : (id * H + ih) * W;
                        if (++oh == OH) oh = 0, od++;
                    }
                    for (int64_t kw = 0; kw < KW; kw++, col += n) {
                        copy_rows(plane + kw * w.dilation[2] - w.pad_begin[2], row_src, rows, OW, kw_first[kw],
                                  kw_last[kw], col);
                    }
                }
            }
        }
        return;
    }
    for (int64_t c = 0; c < channels; c++) {
        const float* plane = image + c * D * H * W;
        for (int64_t kd = 0; kd < w.kernel[0]; kd++) {
            for (int64_t kh = 0; kh < w.kernel[1]; kh++) {
                for (int64_t kw = 0; kw < KW; kw++, col += n) {
                    const int64_t w_offset = kw * w.dilation[2] - w.pad_begin[2];
                    int64_t ow_first, ow_last;
                    if (kw < kMaxKw) {
                        ow_first = kw_first[kw], ow_last = kw_last[kw];
                    } else {
                        valid_range(w_offset, sw, W, OW, ow_first, ow_last);
                    }
                    int64_t od = start_od, oh = start_oh, ow0 = start_ow;
                    for (int64_t p = p0; p < p1;) {
                        const int64_t ow1 = std::min(OW, ow0 + (p1 - p));
                        float* out = col + (p - p0) - ow0;  // out[ow] is position (od, oh, ow)
                        const int64_t id = od * w.stride[0] - w.pad_begin[0] + kd * w.dilation[0];
                        const int64_t ih = oh * w.stride[1] - w.pad_begin[1] + kh * w.dilation[1];
                        p += ow1 - ow0;
                        const int64_t from = ow0;
                        ow0 = 0;
                        if (++oh == OH) oh = 0, od++;
                        if (id < 0 || id >= D || ih < 0 || ih >= H) {
                            std::memset(out + from, 0, (ow1 - from) * sizeof(float));
                            continue;
                        }
                        const float* in_row = plane + (id * H + ih) * W + w_offset;
                        const int64_t lo = std::max(from, std::min(ow1, ow_first));
                        const int64_t hi = std::max(lo, std::min(ow1, ow_last));
                        if (lo > from) std::memset(out + from, 0, (lo - from) * sizeof(float));
                        if (sw == 1 && hi - lo <= kShortRow) {
                            // Short rows (small maps: LeNet, late layers) copy inline; a call costs more.
                            for (int64_t i = lo; i < hi; i++) out[i] = in_row[i];
                        } else if (sw == 1) {
                            std::memcpy(out + lo, in_row + lo, (hi - lo) * sizeof(float));
                        } else if (hi > lo) {
                            strided_row(in_row + lo * sw, sw, hi - lo, out + lo);
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

/* The direct path ("indirect GEMM", as XNNPACK calls it) for 1-d and 2-d convolutions: no im2col.
 * The padded input is split into stride_h x stride_w phase planes (phase (py, px) holds padded rows sh*i + py and
 * columns sw*j + px; one plane, the padded input itself, at stride 1), each with rows of IW = OW + (dw*(KW-1))/sw.
 * Output position (oy, ox) reads tap (c, kh, kw) at phase ((kh*dh) % sh, (kw*dw) % sw), row oy + (kh*dh)/sh,
 * column ox + (kw*dw)/sw, so in "wide" positions p = oy*IW + ox every tap's values form one contiguous run of a
 * phase plane. The GEMM reads those runs in place as the rows of B (packed_sgemm_indirect); the positions ox >= OW
 * in between are computed and dropped. Per block of wide positions the task copies just the input rows the block
 * reads into its slot, multiplies into the slot, and copies the valid positions out through the epilogue. Same k
 * order and depth blocks as the im2col path: bit for bit its results. */
struct DirectGeometry {
    bool rows;           // products straight into the output one output row at a time (wide rows, small weights)
    bool in_place;       // the input is its own padded plane (no padding, stride 1): read where it is, no copy
    int64_t IW, wide;    // phase row length; wide positions (OH - 1) * IW + OW (the last row's tail not needed)
    int64_t block;       // wide positions per block
    int64_t max_rows;    // most rows of each phase plane a block reads
    int64_t padded_floats, offsets_floats, products_floats;  // the slot's three parts
};

constexpr int64_t kDirectMaxBlock = 10 * kGemmColumnMultiple;

inline int64_t align16(int64_t floats) { return ceil_div(floats, 16) * 16; }

bool is_direct_shape(const cnn4j_window& w) {
    return w.in[0] == 1 && w.out[0] == 1 && w.kernel[0] == 1 && w.pad_begin[0] == 0;  // no depth
}

DirectGeometry direct_geometry(const cnn4j_window& w, int64_t Cg, int64_t Og, bool rows) {
    DirectGeometry d;
    const int64_t OH = w.out[1], OW = w.out[2], KH = w.kernel[1], KW = w.kernel[2];
    const int64_t sh = w.stride[1], sw = w.stride[2];
    d.rows = rows;
    d.IW = OW + w.dilation[2] * (KW - 1) / sw;
    // Unpadded at stride 1, the one phase plane is the input itself (rows of W = IW, every row read): the GEMM reads
    // the image in place, as far as its last float and no further (the last wide position's last tap). LeNet's 6 ->
    // 16 5x5 at 14, batch 8, 1 thread: 37.7 -> 32.0 us (the copy was 84 row copies per image).
    d.in_place = sh == 1 && sw == 1 && w.pad_begin[1] == 0 && w.pad_begin[2] == 0 && d.IW == w.in[2] &&
                 OH + w.dilation[1] * (KH - 1) == w.in[1];
    d.wide = (OH - 1) * d.IW + OW;
    if (rows) {  // blocks of whole output rows
        const int64_t per_block = std::max<int64_t>(1, kDirectMaxBlock / d.IW);
        d.block = ceil_div(OH, ceil_div(OH, per_block)) * d.IW;
    } else {
        d.block = ceil_div(d.wide, ceil_div(d.wide, kDirectMaxBlock));
    }
    d.max_rows = ceil_div(d.block, d.IW) + 1 + w.dilation[1] * (KH - 1) / sh;
    // The GEMM's last rows read up to IW - OW floats past the phase planes (into the tail of a dropped position).
    d.padded_floats = d.in_place ? 0 : align16(Cg * sh * sw * d.max_rows * d.IW + (d.IW - OW));
    d.offsets_floats = align16(2 * Cg * KH * KW + 1);  // int64 offsets, and a float to align them to 8 bytes
    d.products_floats = rows ? 0 : align16(Og * d.block);
    return d;
}

/* The direct path copies each product out of its slot (per output channel and position) where im2col copies each
   input tap (per position, shared by the output channels): it pays off from about 2 taps x input channels per
   output channel. 3 -> 64 channels 3x3 at 224 (27 / 64) 1.53 ms by im2col, 2.04 direct; LeNet's 1 -> 6 5x5 at 28
   (25 / 6) 4.9 -> 2.7 us. */
constexpr int64_t kDirectMinDepthPerChannel = 2;
/* Most dropped work the direct path may do: (IW - OW) / OW wide positions per output times the output channels,
   which is what it computes for nothing, against the im2col copy (per output, shared by all channels) it saves.
   Measured 2026-12-02, 1 thread, Zen 5 AVX-512, im2col -> direct: LeNet's 6->16 5x5 at 12 (0.5 x 16 = 8) 5.2 -> 3.3
   us, 16->16 3x3 at 14 (2.3) 10.5 -> 7.8 us, 32->32 5x5 at 28 (4.6) 367 -> 238 us, 64->64 3x3 at 56 (2.3) 1.59 ->
   1.26 ms, 128 at 28 (9) 1.59 -> 1.28 ms, 256 at 14 (37) 1.43 -> 1.31 ms, but 512 at 7 (146) 1.33 -> 1.64 ms; 1-d
   12->32 k7 and 32->32 k5 d2 at 1000 (0) 36 -> 33 and 67 -> 59 us. Strided layers also gather their phase planes,
   so the bound is divided by the phases: stride 2, 3 -> 64 7x7 at 224 (1.7) 1.68 -> 1.43 ms, 64 -> 128 3x3 at 56
   (4.6) 824 -> 730 us, 64 -> 64 3x3 at 112 (1.1) 1.85 -> 1.52 ms, but 128 -> 256 at 28 (18) 796 -> 834 us. */
constexpr double kDirectMaxWaste = 64;

/* Products can also go straight into the output, one output row at a time (DirectGeometry::rows): no dropped
   positions and no copy-out, so the depth rule does not apply, but a row ends in a narrow GEMM tile (56 = 48 + 8)
   and the weights' panels are streamed once per row. So: where the weights stay in L2 and either the depth rule
   refuses the wide form or rows are long. Measured 2026-12-02 as above, im2col / wide / rows: MobileNetV2's 3 -> 32
   3x3 stride 2 at 224 193 / 188 / 163 us, 3 -> 64 3x3 at 224 1.44 / 1.57 / 1.18 ms, 1-d 12 -> 32 k7 at 1000 35 / 32
   / 28 us, 32 -> 32 k5 d2 63 / 60 / 54 us, LeNet's 1 -> 6 5x5 at 28 (rows of 28: 32 lanes) 31 / 29 us at batch 8;
   but 64 -> 64 3x3 at 56 1.54 / 1.19 / 1.43 ms and 64 -> 64 3x3 stride 2 at 112 1.70 / 1.39 / 1.66 ms (rows of 56:
   48 + 8), LeNet's 6 -> 16 5x5 at 14 (rows of 10) 50 / 64 us. So also rows that fill their last 16 lanes but 4. */
constexpr int64_t kDirectMinRowWidth = 24;
constexpr int64_t kDirectLongRow = 4 * kGemmColumnMultiple;
constexpr int64_t kDirectRowLanes = 16, kDirectMaxRowSlack = 4;
constexpr int64_t kDirectMaxRowWeights = 64 * 1024;
/* A strided 1x1 convolution (ResNet's downsampling shortcuts) reads one phase plane of its stride x stride, but the
   direct path copies them all; im2col gathers just the positions it reads, and a 1x1 kernel's columns are no larger
   than its input. Measured 2026-12-02, 1 thread, rows form -> im2col: 64 -> 128 at 56 stride 2 1.14 -> 0.68 ms at
   batch 8, 128 -> 78 us at batch 1; 128 -> 256 at 28 and 256 -> 512 at 14 a few percent faster. */

/* With few output channels (more than half a vector, at most one: LeNet-5's 6 -> 16 5x5 at 14, whose two 8-row
   panels over 10-wide rows left the wide form computing 36% dropped positions) the direct rows form puts the channels
   in the vector lanes instead (GemmKernels::lanes_indirect, where the ISA has it): no dropped positions, every lane
   used. Measured 2026-12-03, 1 thread, Zen 4, LeNet-5 batch 8: that layer 60 -> 39 us. */
enum class ConvPath { kIm2col, kDirectWide, kDirectRows, kDirectLanes };

/* How a convolution runs (see above for the measurements behind the rules); lanes: the ISA's
   GemmKernels::lanes, 0 where it has no lanes_indirect. */
ConvPath conv_path(const cnn4j_window& w, int64_t Cg, int64_t Og, int64_t lanes) {
    if (!is_direct_shape(w) || is_pointwise(w)) return ConvPath::kIm2col;
    if (w.kernel[1] == 1 && w.kernel[2] == 1) return ConvPath::kIm2col;  // strided 1x1: see above
    const int64_t K = Cg * w.kernel[1] * w.kernel[2];
    if (lanes > 0 && Og <= lanes && 2 * Og > lanes && K <= kGemmDepthBlock) return ConvPath::kDirectLanes;
    const bool shallow = K < kDirectMinDepthPerChannel * Og;
    const int64_t OW = w.out[2], slack = ceil_div(OW, kDirectRowLanes) * kDirectRowLanes - OW;
    if (OW >= kDirectMinRowWidth && gemm_packed_floats(Og, K) <= kDirectMaxRowWeights &&
        (shallow || OW >= kDirectLongRow || slack <= kDirectMaxRowSlack)) {
        return ConvPath::kDirectRows;
    }
    if (shallow) return ConvPath::kIm2col;
    const int64_t IW = OW + w.dilation[2] * (w.kernel[2] - 1) / w.stride[2];
    const bool wide = (double)(IW - OW) / OW * Og <= kDirectMaxWaste / (w.stride[1] * w.stride[2]);
    return wide ? ConvPath::kDirectWide : ConvPath::kIm2col;
}

/* The direct path's input copy: phase planes [Cg][sh][sw][rows][IW] of the padded input from output row oy0 on, zero
   where the padding is, and IW - OW zeros past them (the last wide positions' reads). */
void copy_phase_planes(const cnn4j_window& w, const DirectGeometry& d, int64_t Cg, const float* in_g, int64_t oy0,
                       int64_t rows, float* padded) {
    const int64_t H = w.in[1], W = w.in[2], OW = w.out[2], IW = d.IW;
    const int64_t sh = w.stride[1], sw = w.stride[2], pad_top = w.pad_begin[1], pad_left = w.pad_begin[2];
    const auto strided_row = kernels().im2col->strided_row;
    for (int64_t c = 0; c < Cg; c++) {
        for (int64_t py = 0; py < sh; py++) {
            for (int64_t px = 0; px < sw; px++) {
                // Phase column j is input column sw*j + px - pad_left: inside the row for j in [lo, hi).
                const int64_t lo = std::min(IW, ceil_div(std::max<int64_t>(0, pad_left - px), sw));
                const int64_t hi = std::max(lo, std::min(IW, ceil_div(W + pad_left - px, sw)));
                for (int64_t r = 0; r < rows; r++) {
                    float* dst = padded + (((c * sh + py) * sw + px) * rows + r) * IW;
                    const int64_t y = sh * (oy0 + r) + py - pad_top;
                    if (y < 0 || y >= H || hi == lo) {
                        std::memset(dst, 0, IW * sizeof(float));
                        continue;
                    }
                    const float* src = in_g + (c * H + y) * W + sw * lo + px - pad_left;
                    std::memset(dst, 0, lo * sizeof(float));
                    if (sw == 1) {
                        std::memcpy(dst + lo, src, (hi - lo) * sizeof(float));
                    } else {
                        strided_row(src, sw, hi - lo, dst + lo);
                    }
                    std::memset(dst + hi, 0, (IW - hi) * sizeof(float));
                }
            }
        }
    }
    std::memset(padded + Cg * sh * sw * rows * IW, 0, (IW - OW) * sizeof(float));
}

/* One task of the direct path: wide positions [p0, p1) of output channels [r0, r1) of one image and group. */
void direct_task(const GemmKernels& gemm, const ActivationKernels& activation, const cnn4j_window& w,
                 const DirectGeometry& d, bool lanes, int64_t Cg, int64_t Og, const float* in_g,
                 const float* weight_g, const float* bias_g, int act_kind, float act_alpha, const float* residual_g,
                 float* out_g, int64_t p0, int64_t p1, int64_t r0, int64_t r1, float* slot) {
    const int64_t H = w.in[1], OW = w.out[2], P = w.out[1] * OW;
    const int64_t KH = w.kernel[1], KW = w.kernel[2], dh = w.dilation[1], dw = w.dilation[2];
    const int64_t sh = w.stride[1], sw = w.stride[2], IW = d.IW;
    const int64_t oy0 = p0 / IW, oy1 = (p1 - 1) / IW;
    // The phase planes [Cg][sh][sw][rows][IW] from output row oy0 on: copied into the slot, or the image itself.
    const int64_t rows = d.in_place ? H : oy1 - oy0 + 1 + dh * (KH - 1) / sh;
    const float* padded = d.in_place ? in_g + oy0 * IW : slot;
    if (!d.in_place) copy_phase_planes(w, d, Cg, in_g, oy0, rows, slot);
    // The caller's workspace is only float-aligned: the offsets start at the next 8-byte boundary.
    const std::uintptr_t at = reinterpret_cast<std::uintptr_t>(slot + d.padded_floats);
    int64_t* offsets = reinterpret_cast<int64_t*>((at + 7) & ~(std::uintptr_t)7);
    for (int64_t c = 0, k = 0; c < Cg; c++) {
        for (int64_t kh = 0; kh < KH; kh++) {
            for (int64_t kw = 0; kw < KW; kw++) {
                const int64_t phase = (c * sh + kh * dh % sh) * sw + kw * dw % sw;
                offsets[k++] = (phase * rows + kh * dh / sh) * IW + kw * dw / sw;
            }
        }
    }
    const int64_t K = Cg * KH * KW;
    const bool epilogue = bias_g || residual_g || act_kind != CNN4J_ACT_IDENTITY;
    if (lanes) {
        // Each output row's channels from the lanes kernel, through the epilogue in its registers where it can
        // apply the activation, else right after (all Og channels: the lanes path runs in one row chunk).
        const bool in_kernel = gemm_tile_applies(act_kind);
        for (int64_t oy = oy0; oy <= oy1; oy++) {
            const float* residual_row = residual_g ? residual_g + oy * OW : nullptr;
            const GemmTileEpilogue row_epilogue{bias_g, residual_row, P, act_kind};
            gemm.lanes_indirect(K, weight_g, padded + (oy - oy0) * IW, offsets, Og, OW, out_g + oy * OW, P,
                                epilogue && in_kernel ? &row_epilogue : nullptr);
            if (epilogue && !in_kernel) {
                activation.epilogue(act_kind, act_alpha, Og, OW, bias_g, residual_row, P, out_g + oy * OW, P);
            }
        }
        return;
    }
    if (d.rows) {
        // Each output row's products straight into the output, through the epilogue tile by tile; layers with few
        // output channels and short rows two rows per tile where the ISA has pair_indirect.
        int64_t oy = oy0;
        if (gemm.pair_indirect && Og <= kGemmPairRows && r0 == 0 && r1 == Og && OW <= kGemmPairColumns &&
            K <= kGemmDepthBlock && gemm_tile_applies(act_kind)) {
            for (; oy + 1 <= oy1; oy += 2) {
                const GemmTileEpilogue pair_epilogue{bias_g, residual_g ? residual_g + oy * OW : nullptr, P, act_kind};
                gemm.pair_indirect(K, weight_g, padded + (oy - oy0) * IW, offsets, IW, Og, OW, out_g + oy * OW, P, OW,
                                   epilogue ? &pair_epilogue : nullptr);
            }
        }
        for (; oy <= oy1; oy++) {
            const GemmEpilogue row_epilogue{&activation, act_kind, act_alpha, bias_g,
                                            residual_g ? residual_g + oy * OW : nullptr, P};
            packed_sgemm_indirect(gemm, Og, K, weight_g, padded + (oy - oy0) * IW, offsets, out_g + oy * OW, P, r0,
                                  r1, 0, OW, epilogue ? &row_epilogue : nullptr);
        }
        return;
    }
    float* products = slot + d.padded_floats + d.offsets_floats;  // [Og, block]
    // Bias and activation tile by tile in the slot (the dropped positions too); a residual, laid out like the
    // output, once the rows are copied.
    const GemmEpilogue block_epilogue{&activation, act_kind, act_alpha, bias_g, nullptr, 0};
    packed_sgemm_indirect(gemm, Og, K, weight_g, padded + (p0 - oy0 * IW), offsets, products, d.block,
                          r0, r1, 0, p1 - p0, epilogue && !residual_g ? &block_epilogue : nullptr);
    for (int64_t o = r0; o < r1; o++) {
        float* row = products + o * d.block;
        for (int64_t oy = oy0; oy <= oy1; oy++) {
            const int64_t s = std::max(p0, oy * IW), e = std::min(p1, oy * IW + OW);
            if (s >= e) continue;
            const int64_t at = o * P + oy * OW + (s - oy * IW);
            const float* src = row + (s - p0);
            float* dst = out_g + at;
            if (e - s <= kShortRow) {
                for (int64_t i = 0; i < e - s; i++) dst[i] = src[i];
            } else {
                std::memcpy(dst, src, (e - s) * sizeof(float));
            }
            if (residual_g) {
                activation.epilogue(act_kind, act_alpha, 1, e - s, bias_g ? bias_g + o : nullptr, residual_g + at,
                                    e - s, dst, e - s);
            }
        }
    }
}

/* Depthwise: groups > 1 and one input channel per group. The generic path stays the reference for groups == 1
   (a single-channel input with many filters is a real matrix product). */
bool is_depthwise(int64_t in_channels, int64_t groups) { return groups > 1 && in_channels == groups; }

/* Planes per pool task: enough work (output positions times taps) to outweigh handing out a task. */
int64_t depthwise_grain(const cnn4j_window& w) {
    const int64_t work_per_plane = out_volume(w) * kernel_volume(w) + 1;
    const int64_t target = 1 << 15;
    return work_per_plane >= target ? 1 : target / work_per_plane;
}

/* input [N, C, D, H, W] -> output [N, C_out, OD, OH, OW], C_out = C * multiplier: every (image, output channel) plane
   is independent, so the pool splits them; a plane's result does not depend on the split. residual: like output,
   nullable. */
void depthwise_forward(const cnn4j_window& w, int64_t batch, int64_t in_channels, int64_t out_channels,
                       const float* input, const float* weight, const float* bias, int act_kind, float alpha,
                       const float* residual, float* output) {
    const KernelTable& table = kernels();
    const int64_t multiplier = out_channels / in_channels, taps = kernel_volume(w);
    const int64_t in_plane = in_volume(w), out_plane = out_volume(w);
    parallel_for(batch * out_channels, depthwise_grain(w), [&](int64_t begin, int64_t end) {
        for (int64_t p = begin; p < end; p++) {
            const int64_t n = p / out_channels, oc = p % out_channels;
            const DepthwiseEpilogue epilogue{bias ? bias[oc] : 0.0f, residual ? residual + p * out_plane : nullptr,
                                             act_kind, alpha, table.activation};
            table.depthwise->plane(w, input + (n * in_channels + oc / multiplier) * in_plane, weight + oc * taps,
                                   epilogue, output + p * out_plane);
        }
    });
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

int64_t cnn4j_conv_workspace_size(const int64_t* window, int64_t in_channels, int64_t out_channels, int64_t groups) {
    const cnn4j_window& w = as_window(window);
    if (groups <= 0 || is_pointwise(w) || is_depthwise(in_channels, groups)) return 0;
    const int64_t Cg = in_channels / groups, Og = out_channels / groups;
    // The workspace must not depend on the ISA (a loaded model may switch): the larger of the forms with and
    // without a lanes kernel.
    int64_t direct_floats = 0;
    for (int64_t lanes : {int64_t(0), kGemmMaxLanes}) {
        const ConvPath path = conv_path(w, Cg, Og, lanes);
        if (path == ConvPath::kIm2col) continue;
        const DirectGeometry d = direct_geometry(w, Cg, Og, path != ConvPath::kDirectWide);
        direct_floats = std::max(direct_floats, d.padded_floats + d.offsets_floats + d.products_floats);
    }
    if (conv_path(w, Cg, Og, 0) != ConvPath::kIm2col) return direct_floats;
    const int64_t K = Cg * kernel_volume(w);
    return std::max(direct_floats, K * column_block(K, out_volume(w), w.out[2]));
}

int64_t cnn4j_conv_packed_weight_size(int64_t out_channels, int64_t in_channels, int64_t groups,
                                      int64_t kernel_volume) {
    if (groups <= 0 || is_depthwise(in_channels, groups)) return 0;
    return groups * gemm_packed_floats(out_channels / groups, in_channels / groups * kernel_volume);
}

int cnn4j_conv_pack_weights(int64_t out_channels, int64_t in_channels, int64_t groups, int64_t kernel_volume,
                            const float* weight, float* packed) {
    if (!weight || !packed || groups <= 0 || is_depthwise(in_channels, groups)) return CNN4J_ERROR_ARGUMENT;
    const int64_t Og = out_channels / groups, K = in_channels / groups * kernel_volume;
    for (int64_t g = 0; g < groups; g++) {
        gemm_pack_a(Og, K, weight + g * Og * K, K, packed + g * gemm_packed_floats(Og, K));
    }
    return CNN4J_OK;
}

int cnn4j_conv_forward(const int64_t* window, int64_t batch, int64_t in_channels, int64_t out_channels,
                       int64_t groups, const float* input, const float* weight, const float* bias, int act_kind,
                       float act_alpha, const float* residual, float* output, float* workspace,
                       int64_t workspace_slots) {
    if (!window || !input || !weight || !output || groups <= 0) return CNN4J_ERROR_ARGUMENT;
    if (act_kind < CNN4J_ACT_IDENTITY || act_kind > CNN4J_ACT_HARDSIGMOID) return CNN4J_ERROR_ARGUMENT;
    const cnn4j_window& w = as_window(window);
    if (is_depthwise(in_channels, groups)) {
        depthwise_forward(w, batch, in_channels, out_channels, input, weight, bias, act_kind, act_alpha, residual,
                          output);
        return CNN4J_OK;
    }
    const bool pointwise = is_pointwise(w);
    if (!pointwise && (!workspace || workspace_slots < 1)) return CNN4J_ERROR_ARGUMENT;
    const KernelTable& table = kernels();
    const GemmKernels& gemm = *table.gemm;
    const ActivationKernels& activation = *table.activation;
    const int64_t Cg = in_channels / groups, Og = out_channels / groups;
    const int64_t K = Cg * kernel_volume(w), P = out_volume(w), in_plane = in_volume(w);
    const int64_t packed_group = gemm_packed_floats(Og, K);
    const bool epilogue = bias || residual || act_kind != CNN4J_ACT_IDENTITY;
    const ConvPath path = pointwise ? ConvPath::kIm2col : conv_path(w, Cg, Og, gemm.lanes_indirect ? gemm.lanes : 0);
    const bool direct = path != ConvPath::kIm2col, lanes = path == ConvPath::kDirectLanes;
    const DirectGeometry d = direct ? direct_geometry(w, Cg, Og, path != ConvPath::kDirectWide) : DirectGeometry{};
    // Tasks: (image, group, column block, row chunk). Row chunks (whole panels of output channels) only where
    // there are fewer column blocks than threads (late layers: 7x7 maps at batch 1), one per thread: each chunk
    // builds the block's columns itself (512->512 @7, 2 threads: 4 chunks 1.9 ms, 2 chunks 1.5 ms). Every output element is one tile's k-ordered sum whatever the split,
    // so results do not depend on it.
    const int64_t positions = direct ? d.wide : P;  // the direct path's blocks are of wide positions
    const int64_t block = direct ? d.block : pointwise ? kMaxColumnBlock : column_block(K, P, w.out[2]);
    const int64_t blocks = ceil_div(positions, block), images_blocks = batch * groups * blocks;
    const int64_t panels = ceil_div(Og, kGemmPanelRows);
    // Small convolutions (LeNet's: a few microseconds) stay on the calling thread: waking the pool costs more.
    const bool parallel = batch * out_channels * K * P >= kMinParallelMacs;
    const int64_t threads = parallel ? pool_threads() : 1, wanted = threads;
    const int64_t chunks = images_blocks >= wanted || lanes ? 1 : std::min(panels, ceil_div(wanted, images_blocks));
    const int64_t chunk_rows = ceil_div(panels, chunks) * kGemmPanelRows;
    const int64_t slot_floats = direct ? d.padded_floats + d.offsets_floats + d.products_floats
                                : pointwise ? 0 : K * std::min(P, block);
    const int slots = !parallel ? 1 : pointwise ? 1 << 30 : (int)std::min<int64_t>(workspace_slots, 1 << 30);
    parallel_for_slots(images_blocks * chunks, 1, slots, [&](int slot, int64_t t0, int64_t t1) {
        float* columns = pointwise ? nullptr : workspace + slot * slot_floats;
        for (int64_t t = t0; t < t1; t++) {
            const int64_t chunk = t % chunks, b = t / chunks % blocks, g = t / chunks / blocks % groups;
            const int64_t n = t / chunks / blocks / groups;
            const int64_t r0 = chunk * chunk_rows, r1 = std::min(Og, r0 + chunk_rows);
            if (r0 >= r1) continue;
            const int64_t p0 = b * block, p1 = std::min(positions, p0 + block);
            const float* in_g = input + (n * in_channels + g * Cg) * in_plane;
            const int64_t first = (n * out_channels + g * Og) * P;  // element (n, g * Og, 0)
            if (direct) {
                direct_task(gemm, activation, w, d, lanes, Cg, Og, in_g, weight + g * packed_group,
                            bias ? bias + g * Og : nullptr,
                            act_kind, act_alpha, residual ? residual + first : nullptr, output + first, p0, p1, r0, r1,
                            columns);
                continue;
            }
            const float* B = in_g + p0;
            int64_t ldb = P;
            if (!pointwise) {
                im2col_block(w, Cg, in_g, p0, p1, columns);
                B = columns, ldb = p1 - p0;
            }
            // Bias, residual and activation on each tile of the product as it is finished.
            const GemmEpilogue tile_epilogue{&activation, act_kind, act_alpha, bias ? bias + g * Og : nullptr,
                                             residual ? residual + first + p0 : nullptr, P};
            packed_sgemm(gemm, Og, K, weight + g * packed_group, B, ldb, output + first + p0, P, r0, r1, 0, p1 - p0,
                         epilogue ? &tile_epilogue : nullptr);
        }
    });
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
            if (bias) {
                kernels().activation->epilogue(CNN4J_ACT_IDENTITY, 0.0f, Og, P_out, bias + g * Og, nullptr, 0, out_g,
                                               P_out);
            }
        }
    }
    return CNN4J_OK;
}

}  // extern "C"
