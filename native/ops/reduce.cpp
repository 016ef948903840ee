/*
 * Reductions (ReduceSum / Mean / Max / Min, torch.sum / mean / amax / amin over any dims) and batched matrix
 * products (torch.matmul with broadcast batch dims, ONNX MatMul / Gemm on computed tensors).
 */
#include <algorithm>
#include <cmath>
#include <limits>

#include "cnn4j.h"
#include "ops/gemm.h"
#include "runtime/threadpool.h"

using namespace cnn4j;

namespace {

constexpr int kMaxRank = 16;
/* Outputs per pool task: fixed, so results never depend on the thread count (each output is one fixed-order walk). */
constexpr int64_t kMinElementsPerTask = 16384;

/* One output: the reduction of the elements input[sum of r[d] * red_strides[d]] over the reduced index r. */
template <int OP>
float reduce_one(int red_rank, const int64_t* red_shape, const int64_t* red_strides, int64_t red_count,
                 const float* input) {
    const int64_t inner = red_shape[red_rank - 1];
    const int64_t step = red_strides[red_rank - 1];
    const int64_t rows = red_count / inner;
    double sum = 0;
    float best = OP == CNN4J_REDUCE_MAX ? -std::numeric_limits<float>::infinity()
                                        : std::numeric_limits<float>::infinity();
    bool nan = false;
    for (int64_t r = 0; r < rows; r++) {
        int64_t rest = r, offset = 0;
        for (int d = red_rank - 2; d >= 0; d--) {
            offset += (rest % red_shape[d]) * red_strides[d];
            rest /= red_shape[d];
        }
        const float* from = input + offset;
        if (OP == CNN4J_REDUCE_SUM || OP == CNN4J_REDUCE_MEAN) {
            for (int64_t i = 0; i < inner; i++) sum += from[i * step];
        } else {
            for (int64_t i = 0; i < inner; i++) {
                const float v = from[i * step];
                nan |= std::isnan(v);
                if (OP == CNN4J_REDUCE_MAX ? v > best : v < best) best = v;
            }
        }
    }
    if (OP == CNN4J_REDUCE_SUM) return (float)sum;
    if (OP == CNN4J_REDUCE_MEAN) return (float)(sum / (double)red_count);
    return nan ? std::numeric_limits<float>::quiet_NaN() : best;
}

template <int OP>
void reduce(int out_rank, const int64_t* out_shape, const int64_t* out_strides, int red_rank,
            const int64_t* red_shape, const int64_t* red_strides, const float* input, float* output) {
    int64_t outputs = 1, red_count = 1;
    for (int d = 0; d < out_rank; d++) outputs *= out_shape[d];
    for (int d = 0; d < red_rank; d++) red_count *= red_shape[d];
    auto run = [&](int64_t begin, int64_t end) {
        for (int64_t o = begin; o < end; o++) {
            int64_t rest = o, offset = 0;
            for (int d = out_rank - 1; d >= 0; d--) {
                offset += (rest % out_shape[d]) * out_strides[d];
                rest /= out_shape[d];
            }
            output[o] = reduce_one<OP>(red_rank, red_shape, red_strides, red_count, input + offset);
        }
    };
    if (outputs * red_count <= kMinElementsPerTask) {
        run(0, outputs);
    } else {
        parallel_for(outputs, std::max<int64_t>(1, kMinElementsPerTask / red_count), run);
    }
}

}  // namespace

extern "C" {

int cnn4j_reduce_forward(int op, int out_rank, const int64_t* out_shape, const int64_t* out_strides, int red_rank,
                         const int64_t* red_shape, const int64_t* red_strides, const float* input, float* output) {
    if (!input || !output || out_rank < 0 || out_rank > kMaxRank || red_rank < 1 || red_rank > kMaxRank
        || !red_shape || !red_strides || (out_rank > 0 && (!out_shape || !out_strides)))
        return CNN4J_ERROR_ARGUMENT;
    for (int d = 0; d < red_rank; d++) if (red_shape[d] < 1) return CNN4J_ERROR_ARGUMENT;
    for (int d = 0; d < out_rank; d++) if (out_shape[d] < 1) return CNN4J_ERROR_ARGUMENT;
    switch (op) {
        case CNN4J_REDUCE_SUM: reduce<CNN4J_REDUCE_SUM>(out_rank, out_shape, out_strides, red_rank, red_shape, red_strides, input, output); break;
        case CNN4J_REDUCE_MEAN: reduce<CNN4J_REDUCE_MEAN>(out_rank, out_shape, out_strides, red_rank, red_shape, red_strides, input, output); break;
        case CNN4J_REDUCE_MAX: reduce<CNN4J_REDUCE_MAX>(out_rank, out_shape, out_strides, red_rank, red_shape, red_strides, input, output); break;
        case CNN4J_REDUCE_MIN: reduce<CNN4J_REDUCE_MIN>(out_rank, out_shape, out_strides, red_rank, red_shape, red_strides, input, output); break;
        default: return CNN4J_ERROR_ARGUMENT;
    }
    return CNN4J_OK;
}

int cnn4j_matmul_forward(int64_t batches, const int64_t* a_offsets, const int64_t* b_offsets, int64_t M, int64_t N,
                         int64_t K, int trans_a, int trans_b, float alpha, const float* a, const float* b,
                         float* output) {
    if (!a || !b || !output || !a_offsets || !b_offsets || batches < 1 || M < 1 || N < 1 || K < 1)
        return CNN4J_ERROR_ARGUMENT;
    const int64_t lda = trans_a ? M : K;
    const int64_t ldb = trans_b ? K : N;
    for (int64_t i = 0; i < batches; i++) {
        sgemm(trans_a != 0, trans_b != 0, M, N, K, alpha, a + a_offsets[i], lda, b + b_offsets[i], ldb, 0.0f,
              output + i * M * N, N);
    }
    return CNN4J_OK;
}

}  // extern "C"
