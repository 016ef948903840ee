/*
 * Softmax kernels: softmax and log-softmax along the middle dim of a tensor viewed as [outer, dim, inner], the max
 * subtracted first (PyTorch's order of operations, so huge logits stay finite). A NaN anywhere in a slice makes the
 * whole slice NaN, as does +inf or a slice of only -inf (inf - inf), as in PyTorch.
 */
#ifndef CNN4J_KERNELS_SOFTMAX_H
#define CNN4J_KERNELS_SOFTMAX_H

#include <cstdint>

namespace cnn4j {

struct SoftmaxKernels {
    /* Columns i < inner of x viewed as [outer, dim, stride] (element (o, d, i) at x[(o * dim + d) * stride + i]):
       y = softmax (log == 0) or log_softmax (log != 0) of each column along dim; y has x's layout, in place
       (x == y) allowed. inner <= stride; ops split a tensor's columns into blocks this way to spread them over
       threads. inner == stride == 1 is the contiguous case (vectorized along dim); otherwise along the columns. */
    void (*forward)(int log, int64_t outer, int64_t dim, int64_t inner, int64_t stride, const float* x, float* y);
};

extern const SoftmaxKernels kSoftmaxScalar;
extern const SoftmaxKernels kSoftmaxAvx2;
extern const SoftmaxKernels kSoftmaxAvx512;
extern const SoftmaxKernels kSoftmaxNeon;

}  // namespace cnn4j

#endif
