/*
 * Dense layers: Linear through sgemm, and inference BatchNorm as a per-channel affine map.
 */
#include <cmath>
#include <cstring>

#include "ops/gemm.h"
#include "ops/window.h"
#include "runtime/kernels.h"

extern "C" {

int cnn4j_linear_forward(int64_t rows, int64_t in_features, int64_t out_features, const float* input,
                         const float* weight, const float* bias, int act_kind, float act_alpha, float* output) {
    if (!input || !weight || !output) return CNN4J_ERROR_ARGUMENT;
    if (act_kind < CNN4J_ACT_IDENTITY || act_kind > CNN4J_ACT_HARDSIGMOID) return CNN4J_ERROR_ARGUMENT;
    // The bias goes in through the product: each output row starts as the bias and sgemm adds (beta = 1).
    if (bias) {
        for (int64_t r = 0; r < rows; r++) std::memcpy(output + r * out_features, bias, out_features * sizeof(float));
    }
    // output[rows, out] = input[rows, in] x weight[out, in]^T (+ output)
    cnn4j::sgemm(false, true, rows, out_features, in_features, 1.0f, input, in_features, weight, in_features,
                 bias ? 1.0f : 0.0f, output, out_features);
    if (act_kind != CNN4J_ACT_IDENTITY) {
        cnn4j::kernels().activation->apply(act_kind, act_alpha, rows * out_features, output, output);
    }
    return CNN4J_OK;
}

int cnn4j_batch_norm_forward(int64_t batch, int64_t channels, int64_t spatial, const float* input,
                             const float* mean, const float* var, const float* weight, const float* bias,
                             float eps, float* output) {
    if (!input || !mean || !var || !output) return CNN4J_ERROR_ARGUMENT;
    for (int64_t c = 0; c < channels; c++) {
        // The same order of operations as ATen's batch_norm_cpu_collect_linear_and_constant_terms.
        const float invstd = 1.0f / std::sqrt(var[c] + eps);
        const float alpha = (weight ? weight[c] : 1.0f) * invstd;
        const float beta = (bias ? bias[c] : 0.0f) - mean[c] * alpha;
        for (int64_t n = 0; n < batch; n++) {
            const float* in = input + (n * channels + c) * spatial;
            float* out = output + (n * channels + c) * spatial;
            for (int64_t s = 0; s < spatial; s++) out[s] = in[s] * alpha + beta;
        }
    }
    return CNN4J_OK;
}

}  // extern "C"
