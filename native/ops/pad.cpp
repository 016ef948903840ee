/*
 * Padding as its own step: constant, reflect, replicate and circular, as F.pad does them, negative (cropping)
 * padding included. Convolutions with padding_mode other than 'zeros' run this first and then convolve with no
 * padding.
 */
#include <algorithm>
#include <cstring>

#include "ops/window.h"

namespace cnn4j {
namespace {

/* Source index along one dim of size `size` for output coordinate `o` of a dim padded by (begin, end), or -1 for
   a constant-padded position. Circular wraps within what negative padding leaves, as torch's _pad_circular copies
   the cropped input first and then wraps it. */
inline int64_t source_index(int mode, int64_t o, int64_t begin, int64_t end, int64_t size) {
    const int64_t i = o - begin;
    if (i >= 0 && i < size) return i;
    switch (mode) {
        case CNN4J_PAD_REFLECT:
            return i < 0 ? -i : 2 * (size - 1) - i;
        case CNN4J_PAD_REPLICATE:
            return i < 0 ? 0 : size - 1;
        case CNN4J_PAD_CIRCULAR: {
            const int64_t crop = std::max<int64_t>(-begin, 0);
            const int64_t kept = size - crop - std::max<int64_t>(-end, 0);
            return crop + ((o - std::max<int64_t>(begin, 0)) % kept + kept) % kept;
        }
        default:
            return -1;
    }
}

}  // namespace
}  // namespace cnn4j

using namespace cnn4j;

extern "C" {

int cnn4j_pad(int mode, float value, int64_t planes, const int64_t* in_size, const int64_t* pad_begin,
              const int64_t* pad_end, const float* input, float* output) {
    if (!in_size || !pad_begin || !pad_end || !input || !output) return CNN4J_ERROR_ARGUMENT;
    if (mode < CNN4J_PAD_CONSTANT || mode > CNN4J_PAD_CIRCULAR) return CNN4J_ERROR_ARGUMENT;
    const int64_t D = in_size[0], H = in_size[1], W = in_size[2];
    const int64_t OD = D + pad_begin[0] + pad_end[0], OH = H + pad_begin[1] + pad_end[1],
                  OW = W + pad_begin[2] + pad_end[2];
    // Output columns [copy_begin, copy_end) come straight from input columns starting at copy_begin - pad_begin[2].
    const int64_t copy_begin = std::clamp<int64_t>(pad_begin[2], 0, OW);
    const int64_t copy_end = std::clamp<int64_t>(pad_begin[2] + W, copy_begin, OW);
    for (int64_t p = 0; p < planes; p++) {
        const float* in = input + p * D * H * W;
        float* out = output + p * OD * OH * OW;
        for (int64_t od = 0; od < OD; od++) {
            const int64_t id = source_index(mode, od, pad_begin[0], pad_end[0], D);
            for (int64_t oh = 0; oh < OH; oh++, out += OW) {
                const int64_t ih = source_index(mode, oh, pad_begin[1], pad_end[1], H);
                if (id < 0 || ih < 0) {
                    std::fill(out, out + OW, value);
                    continue;
                }
                const float* row = in + (id * H + ih) * W;
                for (int64_t ow = 0; ow < copy_begin; ow++) {
                    const int64_t iw = source_index(mode, ow, pad_begin[2], pad_end[2], W);
                    out[ow] = iw < 0 ? value : row[iw];
                }
                if (copy_end > copy_begin)
                    std::memcpy(out + copy_begin, row + (copy_begin - pad_begin[2]),
                                (copy_end - copy_begin) * sizeof(float));
                for (int64_t ow = copy_end; ow < OW; ow++) {
                    const int64_t iw = source_index(mode, ow, pad_begin[2], pad_end[2], W);
                    out[ow] = iw < 0 ? value : row[iw];
                }
            }
        }
    }
    return CNN4J_OK;
}

}  // extern "C"
