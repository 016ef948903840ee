/*
 * Softmax, scalar reference: one column at a time with libm, in float, as ops/elementwise.cpp computed it before
 * the SIMD variants (which are tested against it).
 */
#include <algorithm>
#include <cmath>

#include "kernels/softmax/softmax.h"

namespace cnn4j {
namespace {

void forward(int log, int64_t outer, int64_t dim, int64_t inner, int64_t stride, const float* x, float* y) {
    for (int64_t o = 0; o < outer; o++) {
        for (int64_t i = 0; i < inner; i++) {
            const float* in = x + o * dim * stride + i;
            float* out = y + o * dim * stride + i;
            float max = -INFINITY;
            for (int64_t d = 0; d < dim; d++) max = std::max(max, in[d * stride]);
            float sum = 0.0f;
            if (log) {
                for (int64_t d = 0; d < dim; d++) sum += std::exp(in[d * stride] - max);
                const float log_sum = std::log(sum);
                for (int64_t d = 0; d < dim; d++) out[d * stride] = in[d * stride] - max - log_sum;
            } else {
                for (int64_t d = 0; d < dim; d++) {
                    out[d * stride] = std::exp(in[d * stride] - max);
                    sum += out[d * stride];
                }
                for (int64_t d = 0; d < dim; d++) out[d * stride] /= sum;
            }
        }
    }
}

}  // namespace

const SoftmaxKernels kSoftmaxScalar = {forward};

}  // namespace cnn4j
