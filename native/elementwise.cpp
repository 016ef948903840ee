/*
 * Element-wise kernels: activations, softmax, add, and the strided copy behind Concat.
 * Formulas are ATen's (Activation.cpp, UnaryOps), including NaN propagation through ReLU and clamps.
 */
#include <algorithm>
#include <cmath>
#include <cstring>

#include "window.h"

namespace cnn4j {
namespace {

template <typename Fn>
inline void map(int64_t count, const float* in, float* out, Fn fn) {
    for (int64_t i = 0; i < count; i++) out[i] = fn(in[i]);
}

inline float clamp_nan_propagating(float x, float lo, float hi) { return x < lo ? lo : (x > hi ? hi : x); }

}  // namespace
}  // namespace cnn4j

using namespace cnn4j;

extern "C" {

int cnn4j_activation_forward(int kind, float alpha, int64_t count, const float* in, float* out) {
    if (!in || !out) return CNN4J_ERROR_ARGUMENT;
    switch (kind) {
        case CNN4J_ACT_IDENTITY:
            if (in != out) std::memmove(out, in, count * sizeof(float));
            break;
        case CNN4J_ACT_RELU:
            map(count, in, out, [](float x) { return x < 0.0f ? 0.0f : x; });
            break;
        case CNN4J_ACT_RELU6:
            map(count, in, out, [](float x) { return clamp_nan_propagating(x, 0.0f, 6.0f); });
            break;
        case CNN4J_ACT_LEAKY_RELU:
            map(count, in, out, [alpha](float x) { return x > 0.0f ? x : x * alpha; });
            break;
        case CNN4J_ACT_ELU:
            map(count, in, out, [alpha](float x) { return x <= 0.0f ? std::expm1(x) * alpha : x; });
            break;
        case CNN4J_ACT_GELU:
            map(count, in, out, [](float x) { return 0.5f * x * (1.0f + std::erf(x * (float)M_SQRT1_2)); });
            break;
        case CNN4J_ACT_GELU_TANH: {
            const float beta = (float)(M_SQRT2 * M_2_SQRTPI * 0.5);  // sqrt(2 / pi)
            const float kappa = 0.044715f;
            map(count, in, out, [=](float x) {
                const float inner = beta * (x + kappa * x * x * x);
                return 0.5f * x * (1.0f + std::tanh(inner));
            });
            break;
        }
        case CNN4J_ACT_SILU:
            map(count, in, out, [](float x) { return x / (1.0f + std::exp(-x)); });
            break;
        case CNN4J_ACT_SIGMOID:
            map(count, in, out, [](float x) { return 1.0f / (1.0f + std::exp(-x)); });
            break;
        case CNN4J_ACT_TANH:
            map(count, in, out, [](float x) { return std::tanh(x); });
            break;
        case CNN4J_ACT_HARDSWISH:
            map(count, in, out, [](float x) { return x * std::min(std::max(x + 3.0f, 0.0f), 6.0f) / 6.0f; });
            break;
        case CNN4J_ACT_HARDSIGMOID:
            map(count, in, out, [](float x) { return std::min(std::max(x + 3.0f, 0.0f), 6.0f) / 6.0f; });
            break;
        default:
            return CNN4J_ERROR_ARGUMENT;
    }
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
