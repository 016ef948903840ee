/* The reference: the 16 partial sums of gemv.h one by one, with std::fma. */
#include <cmath>

#include "kernels/gemv/gemv.h"

namespace cnn4j {
namespace {

void rows(const float* W, int64_t ldw, int64_t rows, int64_t K, const float* x, float* y) {
    for (int64_t r = 0; r < rows; r++) {
        const float* w = W + r * ldw;
        float p[16] = {};
        for (int64_t k = 0; k < K; k++) p[k % 16] = std::fma(w[k], x[k], p[k % 16]);
        for (int h = 8; h >= 1; h /= 2) {
            for (int j = 0; j < h; j++) p[j] += p[j + h];
        }
        y[r] = p[0];
    }
}

}  // namespace

const GemvKernels kGemvScalar = {rows};

}  // namespace cnn4j
