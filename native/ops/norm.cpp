/*
 * Normalization by a block's own statistics: GroupNorm, InstanceNorm (without running statistics) and LayerNorm,
 * which differ only in which elements share a mean and variance and which affine value each element gets
 * (cnn4j_norm_forward in cnn4j.h says how the input is viewed).
 *
 * Mean and variance are computed in double, two passes (mean, then the squared deviations from it), and the output
 * as (x - mean) * rstd * weight + bias in double, rounded once: the result is within one float rounding of the exact
 * value however large or badly centred a block is. ATen accumulates in float (Welford / cascade sums), so it is the
 * one that may drift by a few ulps on long rows; computing in double costs little next to the memory traffic.
 * Blocks are split over cnn4j's pool; each block is summed in the same order whatever the split, so results do not
 * depend on the thread count.
 */
#include <algorithm>
#include <cmath>

#include "cnn4j.h"
#include "runtime/threadpool.h"

using namespace cnn4j;

namespace {

/* Work of at least this many elements per task pays for handing it to another thread. */
constexpr int64_t kMinElementsPerTask = 16384;

/* Sum of x[0..n) in double, four independent accumulators (a fixed order, so the same bits on every run). */
double sum(const float* x, int64_t n) {
    double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
    int64_t i = 0;
    for (; i + 4 <= n; i += 4) {
        s0 += x[i];
        s1 += x[i + 1];
        s2 += x[i + 2];
        s3 += x[i + 3];
    }
    for (; i < n; i++) s0 += x[i];
    return (s0 + s1) + (s2 + s3);
}

/* Sum of (x - mean)^2 over x[0..n) in double. */
double squared_deviations(const float* x, int64_t n, double mean) {
    double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
    int64_t i = 0;
    for (; i + 4 <= n; i += 4) {
        const double d0 = x[i] - mean, d1 = x[i + 1] - mean, d2 = x[i + 2] - mean, d3 = x[i + 3] - mean;
        s0 += d0 * d0;
        s1 += d1 * d1;
        s2 += d2 * d2;
        s3 += d3 * d3;
    }
    for (; i < n; i++) {
        const double d = x[i] - mean;
        s0 += d * d;
    }
    return (s0 + s1) + (s2 + s3);
}

}  // namespace

int cnn4j_norm_forward(int64_t outer, int64_t groups, int64_t group_channels, int64_t inner, double eps,
                       const float* weight, const float* bias, const float* input, float* output) {
    if (!input || !output || outer < 0 || groups < 1 || group_channels < 1 || inner < 1) return CNN4J_ERROR_ARGUMENT;
    const int64_t block = group_channels * inner;
    const int64_t blocks = outer * groups;
    auto run = [&](int64_t begin, int64_t end) {
        for (int64_t b = begin; b < end; b++) {
            const float* x = input + b * block;
            float* y = output + b * block;
            const double mean = sum(x, block) / static_cast<double>(block);
            const double var = squared_deviations(x, block, mean) / static_cast<double>(block);
            const double rstd = 1.0 / std::sqrt(var + eps);
            const int64_t first_channel = (b % groups) * group_channels;
            for (int64_t k = 0; k < group_channels; k++) {
                const double w = weight ? static_cast<double>(weight[first_channel + k]) : 1.0;
                const double shift = bias ? static_cast<double>(bias[first_channel + k]) : 0.0;
                const double scale = rstd * w;
                const float* xs = x + k * inner;
                float* ys = y + k * inner;
                for (int64_t i = 0; i < inner; i++) {
                    ys[i] = static_cast<float>((xs[i] - mean) * scale + shift);
                }
            }
        }
    };
    if (blocks * block <= kMinElementsPerTask) {
        run(0, blocks);
    } else {
        parallel_for(blocks, std::max<int64_t>(1, kMinElementsPerTask / block), run);
    }
    return CNN4J_OK;
}
