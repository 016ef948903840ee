/*
 * Element-wise ops: activations (kernels/activation), softmax (kernels/softmax), add, and the strided copy behind
 * Concat. Large calls are split over cnn4j's pool in fixed blocks; every element's result is computed the same way
 * whatever the split, so results never depend on the thread count.
 */
#include <algorithm>
#include <cstring>

#include "cnn4j.h"
#include "runtime/kernels.h"
#include "runtime/threadpool.h"

using namespace cnn4j;

namespace {

/* Work of at least this many elements per chunk pays for handing it to another thread. */
constexpr int64_t kMinElementsPerChunk = 16384;
/* Element-wise chunks start at multiples of this (whole vectors and cache lines for every ISA). */
constexpr int64_t kBlock = 64;
/* Softmax over columns (inner > 1) splits the columns into blocks of this many. */
constexpr int64_t kSoftmaxColumns = 64;

/* fn(begin, end) over [0, count) in chunks of >= kMinElementsPerChunk elements starting at multiples of kBlock. */
template <typename Fn>
void for_each_chunk(int64_t count, const Fn& fn) {
    if (count <= kMinElementsPerChunk) {
        fn(0, count);
        return;
    }
    const int64_t blocks = (count + kBlock - 1) / kBlock;
    parallel_for(blocks, kMinElementsPerChunk / kBlock, [&](int64_t begin, int64_t end) {
        fn(begin * kBlock, std::min(end * kBlock, count));
    });
}

}  // namespace

extern "C" {

int cnn4j_activation_forward(int kind, float alpha, int64_t count, const float* in, float* out) {
    if (!in || !out || kind < CNN4J_ACT_IDENTITY || kind > CNN4J_ACT_HARDSIGMOID) return CNN4J_ERROR_ARGUMENT;
    const ActivationKernels* act = kernels().activation;
    for_each_chunk(count, [&](int64_t begin, int64_t end) {
        act->apply(kind, alpha, end - begin, in + begin, out + begin);
    });
    return CNN4J_OK;
}

int cnn4j_activation_epilogue(int kind, float alpha, int64_t rows, int64_t cols, const float* bias,
                              const float* residual, float* output) {
    if (!output || kind < CNN4J_ACT_IDENTITY || kind > CNN4J_ACT_HARDSIGMOID) return CNN4J_ERROR_ARGUMENT;
    kernels().activation->epilogue(kind, alpha, rows, cols, bias, residual, cols, output, cols);
    return CNN4J_OK;
}

int cnn4j_softmax_forward(int log, int64_t outer, int64_t dim, int64_t inner, const float* input, float* output) {
    if (!input || !output) return CNN4J_ERROR_ARGUMENT;
    const SoftmaxKernels* softmax = kernels().softmax;
    const int64_t slab = dim * inner;
    if (outer * slab <= kMinElementsPerChunk) {
        softmax->forward(log, outer, dim, inner, inner, input, output);
    } else if (inner == 1) {
        parallel_for(outer, std::max<int64_t>(1, kMinElementsPerChunk / std::max<int64_t>(dim, 1)),
                     [&](int64_t begin, int64_t end) {
                         softmax->forward(log, end - begin, dim, 1, 1, input + begin * dim, output + begin * dim);
                     });
    } else {
        // tasks: (slab o, block of kSoftmaxColumns columns)
        const int64_t column_blocks = (inner + kSoftmaxColumns - 1) / kSoftmaxColumns;
        const int64_t grain = std::max<int64_t>(1, kMinElementsPerChunk / std::max<int64_t>(dim * kSoftmaxColumns, 1));
        parallel_for(outer * column_blocks, grain, [&](int64_t begin, int64_t end) {
            for (int64_t task = begin; task < end; task++) {
                const int64_t o = task / column_blocks;
                const int64_t first = (task % column_blocks) * kSoftmaxColumns;
                const int64_t offset = o * slab + first;
                softmax->forward(log, 1, dim, std::min(kSoftmaxColumns, inner - first), inner, input + offset,
                                 output + offset);
            }
        });
    }
    return CNN4J_OK;
}

int cnn4j_add_forward(int64_t count, const float* a, const float* b, float* output) {
    if (!a || !b || !output) return CNN4J_ERROR_ARGUMENT;
    // Memory-bound; the compiler vectorizes the loop for the baseline ISA, so only large adds are split.
    for_each_chunk(count, [&](int64_t begin, int64_t end) {
        for (int64_t i = begin; i < end; i++) output[i] = a[i] + b[i];
    });
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
