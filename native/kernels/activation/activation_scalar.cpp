/*
 * Activations, scalar reference: one element at a time with libm, ATen's formulas (Activation.cpp, UnaryOps).
 * The SIMD variants are tested against this file.
 */
#include <algorithm>
#include <cmath>
#include <cstring>

#include "cnn4j.h"
#include "kernels/activation/activation.h"

namespace cnn4j {
namespace {

inline float clamp_nan_propagating(float x, float lo, float hi) { return x < lo ? lo : (x > hi ? hi : x); }

/* One activation of one value; `kind` is checked by the callers. */
inline float activate(int kind, float alpha, float x) {
    switch (kind) {
        case CNN4J_ACT_RELU: return x < 0.0f ? 0.0f : x;
        case CNN4J_ACT_RELU6: return clamp_nan_propagating(x, 0.0f, 6.0f);
        case CNN4J_ACT_LEAKY_RELU: return x > 0.0f ? x : x * alpha;
        case CNN4J_ACT_ELU: return x <= 0.0f ? std::expm1(x) * alpha : x;
        case CNN4J_ACT_GELU: return 0.5f * x * (1.0f + std::erf(x * (float)M_SQRT1_2));
        case CNN4J_ACT_GELU_TANH: {
            const float beta = (float)(M_SQRT2 * M_2_SQRTPI * 0.5);  // sqrt(2 / pi)
            const float kappa = 0.044715f;
            return 0.5f * x * (1.0f + std::tanh(beta * (x + kappa * x * x * x)));
        }
        case CNN4J_ACT_SILU: return x / (1.0f + std::exp(-x));
        case CNN4J_ACT_SIGMOID: return 1.0f / (1.0f + std::exp(-x));
        case CNN4J_ACT_TANH: return std::tanh(x);
        case CNN4J_ACT_HARDSWISH: return x * std::min(std::max(x + 3.0f, 0.0f), 6.0f) / 6.0f;
        case CNN4J_ACT_HARDSIGMOID: return std::min(std::max(x + 3.0f, 0.0f), 6.0f) / 6.0f;
        default: return x;  // CNN4J_ACT_IDENTITY
    }
}

/* The switch sits outside the loop, so each loop is one activation the compiler can vectorize where it can. */
template <int KIND>
void apply_kind(float alpha, int64_t n, const float* x, float* y) {
    for (int64_t i = 0; i < n; i++) y[i] = activate(KIND, alpha, x[i]);
}

template <int KIND>
void epilogue_kind(float alpha, int64_t rows, int64_t cols, const float* bias, const float* residual,
                   int64_t ld_residual, float* y, int64_t ld_y) {
    for (int64_t r = 0; r < rows; r++) {
        const float b = bias ? bias[r] : 0.0f;
        float* row = y + r * ld_y;
        const float* res = residual ? residual + r * ld_residual : nullptr;
        for (int64_t c = 0; c < cols; c++) {
            float v = row[c] + b;
            if (res) v += res[c];
            row[c] = activate(KIND, alpha, v);
        }
    }
}

void apply(int kind, float alpha, int64_t n, const float* x, float* y) {
    if (kind == CNN4J_ACT_IDENTITY) {
        if (x != y) std::memmove(y, x, n * sizeof(float));
        return;
    }
    switch (kind) {
#define CNN4J_CASE(K) case K: apply_kind<K>(alpha, n, x, y); break;
        CNN4J_FOR_EACH_ACT(CNN4J_CASE)
#undef CNN4J_CASE
    }
}

void epilogue(int kind, float alpha, int64_t rows, int64_t cols, const float* bias, const float* residual,
              int64_t ld_residual, float* y, int64_t ld_y) {
    switch (kind) {
#define CNN4J_CASE(K) case K: epilogue_kind<K>(alpha, rows, cols, bias, residual, ld_residual, y, ld_y); break;
        CNN4J_FOR_EACH_ACT(CNN4J_CASE)
#undef CNN4J_CASE
    }
}

}  // namespace

const ActivationKernels kActivationScalar = {apply, epilogue};

}  // namespace cnn4j
