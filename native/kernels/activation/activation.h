/*
 * Activation kernels: the element-wise activations of cnn4j.h (CNN4J_ACT_*), alone or as the epilogue of a
 * convolution or linear layer (bias, residual and activation in one pass over the output).
 * Semantics are ATen's, including NaN propagation through ReLU and the clamps.
 */
#ifndef CNN4J_KERNELS_ACTIVATION_H
#define CNN4J_KERNELS_ACTIVATION_H

#include <cstdint>

#include "cnn4j.h"

namespace cnn4j {

struct ActivationKernels {
    /* y[i] = act(x[i]) for i < n; in place (x == y) allowed. `kind` is a CNN4J_ACT_* value Java has checked. */
    void (*apply)(int kind, float alpha, int64_t n, const float* x, float* y);

    /* The output pass of a layer: y[r, c] = act((y[r, c] + bias[r]) + residual[r, c]) for r < rows, c < cols, row r
       of y at y + r * ld_y and of residual at residual + r * ld_residual (a tile of a larger matrix, or whole rows:
       ld = cols). bias [rows] and residual are nullable; residual may not alias y. */
    void (*epilogue)(int kind, float alpha, int64_t rows, int64_t cols, const float* bias, const float* residual,
                     int64_t ld_residual, float* y, int64_t ld_y);
};

/* X(kind) for every CNN4J_ACT_* kind: the variants switch on `kind` once per call, outside their loops. */
#define CNN4J_FOR_EACH_ACT(X) \
    X(CNN4J_ACT_IDENTITY) X(CNN4J_ACT_RELU) X(CNN4J_ACT_RELU6) X(CNN4J_ACT_LEAKY_RELU) X(CNN4J_ACT_ELU) \
    X(CNN4J_ACT_GELU) X(CNN4J_ACT_GELU_TANH) X(CNN4J_ACT_SILU) X(CNN4J_ACT_SIGMOID) X(CNN4J_ACT_TANH) \
    X(CNN4J_ACT_HARDSWISH) X(CNN4J_ACT_HARDSIGMOID)

extern const ActivationKernels kActivationScalar;
extern const ActivationKernels kActivationAvx2;
extern const ActivationKernels kActivationAvx512;
extern const ActivationKernels kActivationNeon;

}  // namespace cnn4j

#endif
