/*
 * Pooling kernels, one (image, channel) plane per call: ops/pool.cpp splits the planes over the thread pool.
 * Window arithmetic, NaN handling and tie-breaking are ATen's CPU kernels' (MaxPoolKernel.cpp, AvgPoolKernel.cpp,
 * AdaptiveAvgPoolKernel.cpp).
 *
 * Results: max pooling (values and indices), average pooling and adaptive pooling other than global average are
 * bit-identical in every variant (the SIMD ones compare and add each window in the scalar order, one output per
 * lane). Global average pooling sums the plane in kLanes partial sums: |simd - scalar| <= 2 * P * 2^-24 * mean |x|
 * (P = plane size), inside Oracle's 1e-5 of the output scale.
 */
#ifndef CNN4J_KERNELS_POOL_H
#define CNN4J_KERNELS_POOL_H

#include <cstdint>

#include "cnn4j.h"

namespace cnn4j {

struct PoolKernels {
    /* in [D, H, W] -> out [OD, OH, OW]; padding acts as -inf; the first maximum wins, a NaN wins over everything;
       indices (nullable): flat offset of each maximum in the input plane. Vectorized for stride 1 and 2 in width. */
    void (*max_plane)(const cnn4j_window& w, const float* in, float* out, int64_t* indices);

    /* in [D, H, W] -> out [OD, OH, OW], PyTorch's divisor rules (cnn4j_avg_pool_forward). Vectorized likewise. */
    void (*avg_plane)(const cnn4j_window& w, int count_include_pad, int64_t divisor_override, const float* in,
                      float* out);

    /* cnn4j_lp_pool_forward on one plane (scalar in every variant: rare, and needs libm's pow). */
    void (*lp_plane)(const cnn4j_window& w, float norm_type, const float* in, float* out);

    /* in_size/out_size 3-d; bin i covers [floor(i*In/Out), ceil((i+1)*In/Out)). Global average (out 1x1x1) is
       vectorized; adaptive max returns indices like max_plane (nullable). */
    void (*adaptive_avg_plane)(const int64_t* in_size, const int64_t* out_size, const float* in, float* out);
    void (*adaptive_max_plane)(const int64_t* in_size, const int64_t* out_size, const float* in, float* out,
                               int64_t* indices);
};

extern const PoolKernels kPoolScalar;
extern const PoolKernels kPoolAvx2;
extern const PoolKernels kPoolAvx512;
extern const PoolKernels kPoolNeon;

}  // namespace cnn4j

#endif
