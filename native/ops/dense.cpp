/*
 * Dense layers: Linear through cnn4j's matrix-vector kernels at batch 1 and for small batches of large layers, OpenBLAS
 * sgemm otherwise, and inference BatchNorm as a per-channel affine map.
 */
#include <algorithm>
#include <cmath>
#include <cstring>

#include "ops/gemm.h"
#include "ops/window.h"
#include "runtime/kernels.h"
#include "runtime/threadpool.h"

namespace {
/* Outputs per pool task of a batch-1 linear layer, fixed so that results do not depend on the thread count, and
   the size (multiply-adds) below which it runs on the calling thread. */
constexpr int64_t kGemvBlock = 256;
constexpr int64_t kGemvMinSplitMacs = 1 << 20;

/* Input rows up to which a linear layer with at least kGemvMinWeights weights runs as matrix-vector products rather
   than sgemm. Such a layer at a small batch is bound by streaming its weights from memory (MobileNetV2's classifier,
   5 MB, at batch 8: OpenBLAS sgemm 730 us, which packs the whole weight matrix per call, against ONNX Runtime's 376
   us; here 480-575 us): each chunk of kGemvChunkBytes of weight rows is read from memory once, then from L2 for the
   other rows. Smaller weights stay in cache, where sgemm's register blocking wins (LeNet-5's 400 -> 120 at batch 8:
   4.8 us against 13.9 by rows). A row's outputs are then also the same whatever the batch. */
constexpr int64_t kGemvMaxRows = 16;
constexpr int64_t kGemvMinWeights = 256 * 1024;
constexpr int64_t kGemvChunkBytes = 128 << 10;
}  // namespace

extern "C" {

int cnn4j_linear_forward(int64_t rows, int64_t in_features, int64_t out_features, const float* input,
                         const float* weight, const float* bias, int act_kind, float act_alpha, float* output) {
    if (!input || !weight || !output) return CNN4J_ERROR_ARGUMENT;
    if (act_kind < CNN4J_ACT_IDENTITY || act_kind > CNN4J_ACT_HARDSIGMOID) return CNN4J_ERROR_ARGUMENT;
    const cnn4j::KernelTable& table = cnn4j::kernels();
    if (rows == 1 || (rows <= kGemvMaxRows && out_features * in_features >= kGemvMinWeights)) {
        // Batch 1, and small batches of large layers: cnn4j's matrix-vector kernels (kernels/gemv), in fixed blocks
        // of outputs over the pool when the weights are large (VGG's first classifier layer streams 411 MB: more cores draw more bandwidth); each
        // block's weights serve every input row while in cache, and each output is one fixed-order sum, whatever
        // the split. Then bias and activation in one pass per row.
        const bool parallel = rows * out_features * in_features >= kGemvMinSplitMacs;
        cnn4j::parallel_for(cnn4j::ceil_div(out_features, kGemvBlock), parallel ? 1 : 1 << 30,
                            [&](int64_t begin, int64_t end) {
            // Chunks of weight rows of about kGemvChunkBytes, which stay in L2 while every input row passes.
            const int64_t chunk = std::max<int64_t>(8, kGemvChunkBytes / (int64_t)sizeof(float) / std::max<int64_t>(1, in_features));
            const int64_t last = std::min(out_features, end * kGemvBlock);
            for (int64_t r0 = begin * kGemvBlock; r0 < last; r0 += chunk) {
                const int64_t r1 = std::min(last, r0 + chunk);
                for (int64_t n = 0; n < rows; n++) {
                    table.gemv->rows(weight + r0 * in_features, in_features, r1 - r0, in_features,
                                     input + n * in_features, output + n * out_features + r0);
                }
            }
        });
        // y = act(y + bias): the bias as a one-row "residual" of the epilogue.
        for (int64_t n = 0; n < rows; n++) {
            table.activation->epilogue(act_kind, act_alpha, 1, out_features, nullptr, bias, out_features,
                                       output + n * out_features, out_features);
        }
        return CNN4J_OK;
    }
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
