/*
 * Padding as its own step: constant, reflect, replicate and circular, as F.pad does them. Convolutions with
 * padding_mode other than 'zeros' run this first and then convolve with no padding.
 */
#include <cstring>

#include "window.h"

namespace cnn4j {
namespace {

/* Source index along one dim for padded coordinate `o` (pad_begin already subtracted), or -1 for a
   constant-padded position. */
inline int64_t source_index(int mode, int64_t i, int64_t size) {
    if (i >= 0 && i < size) return i;
    switch (mode) {
        case CNN4J_PAD_REFLECT:
            if (i < 0) return -i;
            return 2 * (size - 1) - i;
        case CNN4J_PAD_REPLICATE:
            return i < 0 ? 0 : size - 1;
        case CNN4J_PAD_CIRCULAR:
            return ((i % size) + size) % size;
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
    for (int64_t p = 0; p < planes; p++) {
        const float* in = input + p * D * H * W;
        float* out = output + p * OD * OH * OW;
        for (int64_t od = 0; od < OD; od++) {
            const int64_t id = source_index(mode, od - pad_begin[0], D);
            for (int64_t oh = 0; oh < OH; oh++, out += OW) {
                const int64_t ih = source_index(mode, oh - pad_begin[1], H);
                if (id < 0 || ih < 0) {
                    for (int64_t ow = 0; ow < OW; ow++) out[ow] = value;
                    continue;
                }
                const float* row = in + (id * H + ih) * W;
                for (int64_t ow = 0; ow < pad_begin[2]; ow++) {
                    const int64_t iw = source_index(mode, ow - pad_begin[2], W);
                    out[ow] = iw < 0 ? value : row[iw];
                }
                std::memcpy(out + pad_begin[2], row, W * sizeof(float));
                for (int64_t ow = pad_begin[2] + W; ow < OW; ow++) {
                    const int64_t iw = source_index(mode, ow - pad_begin[2], W);
                    out[ow] = iw < 0 ? value : row[iw];
                }
            }
        }
    }
    return CNN4J_OK;
}

}  // extern "C"
