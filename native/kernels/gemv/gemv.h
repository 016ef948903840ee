/*
 * Matrix-vector products: a linear layer at batch 1, y[r] = sum_k W[r, k] x[k] with W row-major (ops/dense.cpp).
 * OpenBLAS's sgemv took 2.5 us for LeNet's 120x400 layer, its setup as long as the product.
 *
 * Results: bit-identical in every variant. Each output is 16 partial sums, p[j] the fused multiply-add chain over
 * k = j, j + 16, j + 32, ... in k order (from +0), then p[j] += p[j + h] for h = 8, 4, 2, 1 (j < h), y = p[0]: the
 * order a 16-lane vector (or two 8-lane, or four 4-lane vectors) computes naturally, which the scalar reference
 * follows with std::fma.
 */
#ifndef CNN4J_KERNELS_GEMV_H
#define CNN4J_KERNELS_GEMV_H

#include <cstdint>

namespace cnn4j {

struct GemvKernels {
    /* y[r] = W[r, :] . x for r < rows; W's rows at stride ldw, K >= 0 columns, x [K]. */
    void (*rows)(const float* W, int64_t ldw, int64_t rows, int64_t K, const float* x, float* y);
};

extern const GemvKernels kGemvScalar;
extern const GemvKernels kGemvAvx2;
extern const GemvKernels kGemvAvx512;
extern const GemvKernels kGemvNeon;

}  // namespace cnn4j

#endif
