/*
 * Interpolation by separable index / weight tables that Java computes with ATen's rules (nearest, nearest-exact,
 * linear, bilinear, trilinear, bicubic; align_corners; scale_factor or size): each output element is a weighted sum
 * of taps per spatial dim, the innermost dim summed first as ATen's kernels nest their lerps. Planes are split over
 * cnn4j's pool; each element is computed the same way whatever the split.
 */
#include <algorithm>

#include "cnn4j.h"
#include "runtime/threadpool.h"

using namespace cnn4j;

namespace {

constexpr int64_t kMinElementsPerTask = 16384;

struct Tables {
    int dims;
    int64_t in_size[3];
    int64_t out_size[3];
    int64_t taps[3];
    const int64_t* index[3];
    const float* weight[3];
    int64_t in_stride[3];  // elements between neighbours along dim d in one input plane
};

/* The value of output position (o[0..dims-1]) of one plane, summing dim d's taps over the inner dims' sums. */
float tap_sum(const Tables& t, const float* plane, const int64_t* o, int d, int64_t offset) {
    const int64_t taps = t.taps[d];
    const int64_t* index = t.index[d] + o[d] * taps;
    const float* weight = t.weight[d] + o[d] * taps;
    if (d == t.dims - 1) {
        if (taps == 1) return plane[offset + index[0]];
        float sum = weight[0] * plane[offset + index[0]];
        for (int64_t k = 1; k < taps; k++) sum += weight[k] * plane[offset + index[k]];
        return sum;
    }
    if (taps == 1) return tap_sum(t, plane, o, d + 1, offset + index[0] * t.in_stride[d]);
    float sum = weight[0] * tap_sum(t, plane, o, d + 1, offset + index[0] * t.in_stride[d]);
    for (int64_t k = 1; k < taps; k++) sum += weight[k] * tap_sum(t, plane, o, d + 1, offset + index[k] * t.in_stride[d]);
    return sum;
}

}  // namespace

extern "C" {

int cnn4j_resize_forward(int dims, int64_t planes, const int64_t* in_size, const int64_t* out_size,
                         const int64_t* taps, const int64_t* index, const float* weight, const float* input,
                         float* output) {
    if (dims < 1 || dims > 3 || planes < 0 || !in_size || !out_size || !taps || !index || !weight || !input || !output)
        return CNN4J_ERROR_ARGUMENT;
    Tables t;
    t.dims = dims;
    int64_t in_plane = 1, out_plane = 1, table = 0;
    for (int d = 0; d < dims; d++) {
        if (taps[d] < 1 || taps[d] > 4) return CNN4J_ERROR_ARGUMENT;
        t.in_size[d] = in_size[d];
        t.out_size[d] = out_size[d];
        t.taps[d] = taps[d];
        t.index[d] = index + table;
        t.weight[d] = weight + table;
        table += out_size[d] * taps[d];
        in_plane *= in_size[d];
        out_plane *= out_size[d];
    }
    int64_t stride = 1;
    for (int d = dims - 1; d >= 0; d--) {
        t.in_stride[d] = stride;
        stride *= in_size[d];
    }
    auto run = [&](int64_t begin, int64_t end) {
        int64_t o[3] = {0, 0, 0};
        for (int64_t p = begin; p < end; p++) {
            const float* plane = input + p * in_plane;
            float* out = output + p * out_plane;
            for (int64_t i = 0; i < out_plane; i++) {
                int64_t rest = i;
                for (int d = dims - 1; d >= 0; d--) {
                    o[d] = rest % t.out_size[d];
                    rest /= t.out_size[d];
                }
                out[i] = tap_sum(t, plane, o, 0, 0);
            }
        }
    };
    if (planes * out_plane <= kMinElementsPerTask) {
        run(0, planes);
    } else {
        parallel_for(planes, std::max<int64_t>(1, kMinElementsPerTask / std::max<int64_t>(out_plane, 1)), run);
    }
    return CNN4J_OK;
}

}  // extern "C"
