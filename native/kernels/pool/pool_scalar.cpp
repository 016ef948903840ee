/*
 * Pooling, scalar reference: the templates of pool_impl.h with one-lane vectors, plus power-average pooling, which
 * only this file has (it needs libm). The SIMD variants are tested against it and the float64 reference.
 */
#include <cmath>

#include "kernels/simd/vec_scalar.h"
#include "kernels/pool/pool_impl.h"

namespace cnn4j {
namespace {

/* (sum over window of x^p / pool_size * KD*KH*KW)^(1/p): torch's lp_pool composition (avg_pool of x^p, unpadded,
   then scaled by the full kernel volume). */
void lp_plane(const cnn4j_window& w, float norm_type, const float* in, float* out) {
    const int64_t H = w.in[1], W = w.in[2];
    const float kernel_elements = (float)(w.kernel[0] * w.kernel[1] * w.kernel[2]);
    const float inverse_norm = (float)(1.0 / (double)norm_type);
    int64_t o = 0;
    for (int64_t od = 0; od < w.out[0]; od++) {
        for (int64_t oh = 0; oh < w.out[1]; oh++) {
            for (int64_t ow = 0; ow < w.out[2]; ow++, o++) {
                const int64_t position[3] = {od, oh, ow};
                const AvgWindow a = avg_window(w, position);
                float sum = 0.0f;
                for (int64_t d = a.start[0]; d < a.end[0]; d++)
                    for (int64_t h = a.start[1]; h < a.end[1]; h++)
                        for (int64_t x = a.start[2]; x < a.end[2]; x++) sum += std::pow(in[(d * H + h) * W + x], norm_type);
                float mean = avg_window_empty(a) ? 0.0f : sum / (float)a.pool_size;
                if (mean == 0.0f) mean = 0.0f;  // sign(-0) * relu(0) is +0 in torch
                out[o] = std::pow(mean * kernel_elements, inverse_norm);
            }
        }
    }
}

}  // namespace

const PoolKernels kPoolScalar = {max_plane<Vec>, avg_plane<Vec>, lp_plane, adaptive_avg_plane<Vec>, adaptive_max_plane};

}  // namespace cnn4j
