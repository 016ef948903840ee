/*
 * Element-wise ops: activations (kernels/activation, per ISA), softmax, add, and the strided copy behind Concat.
 */
#include <algorithm>
#include <cmath>
#include <cstring>

#include "ops/window.h"
#include "runtime/kernels.h"

using namespace cnn4j;

extern "C" {

int cnn4j_activation_forward(int kind, float alpha, int64_t count, const float* in, float* out) {
    if (!in || !out || kind < CNN4J_ACT_IDENTITY || kind > CNN4J_ACT_HARDSIGMOID) return CNN4J_ERROR_ARGUMENT;
    kernels().activation->apply(kind, alpha, count, in, out);
    return CNN4J_OK;
}

int cnn4j_softmax_forward(int log, int64_t outer, int64_t dim, int64_t inner, const float* input, float* output) {
    if (!input || !output) return CNN4J_ERROR_ARGUMENT;
    for (int64_t o = 0; o < outer; o++) {
        for (int64_t i = 0; i < inner; i++) {
            const float* in = input + o * dim * inner + i;
            float* out = output + o * dim * inner + i;
            float max = -INFINITY;
            for (int64_t d = 0; d < dim; d++) max = std::max(max, in[d * inner]);
            float sum = 0.0f;
            if (log) {
                for (int64_t d = 0; d < dim; d++) sum += std::exp(in[d * inner] - max);
                const float log_sum = std::log(sum);
                for (int64_t d = 0; d < dim; d++) out[d * inner] = in[d * inner] - max - log_sum;
            } else {
                for (int64_t d = 0; d < dim; d++) {
                    out[d * inner] = std::exp(in[d * inner] - max);
                    sum += out[d * inner];
                }
                for (int64_t d = 0; d < dim; d++) out[d * inner] /= sum;
            }
        }
    }
    return CNN4J_OK;
}

int cnn4j_add_forward(int64_t count, const float* a, const float* b, float* output) {
    if (!a || !b || !output) return CNN4J_ERROR_ARGUMENT;
    for (int64_t i = 0; i < count; i++) output[i] = a[i] + b[i];
    return CNN4J_OK;
}

int cnn4j_copy_into(int64_t outer, int64_t inner, const float* input, int64_t output_inner, int64_t offset,
                    float* output) {
    if (!input || !output) return CNN4J_ERROR_ARGUMENT;
    for (int64_t o = 0; o < outer; o++)
        std::memcpy(output + o * output_inner + offset, input + o * inner, inner * sizeof(float));
    return CNN4J_OK;
}

}  // extern "C"
