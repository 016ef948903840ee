/*
 * Pooling ops of the C ABI: max (with indices), average, power-average and adaptive average/max, for 1, 2 and 3
 * dims. Each call splits its planes [N*C] over the thread pool and runs the active ISA's kernels/pool kernel on each;
 * planes are independent, so results do not depend on the thread count.
 */
#include "ops/window.h"
#include "runtime/kernels.h"
#include "runtime/threadpool.h"

namespace cnn4j {
namespace {

/* Planes per pool task: enough work (reads of the input) to outweigh handing out a task. */
int64_t planes_per_task(int64_t work_per_plane) {
    const int64_t target = 1 << 15;
    return work_per_plane >= target ? 1 : target / (work_per_plane + 1) + 1;
}

/* fn(p) for every plane p < planes, split over the pool. */
template <typename Fn>
void for_each_plane(int64_t planes, int64_t work_per_plane, const Fn& fn) {
    parallel_for(planes, planes_per_task(work_per_plane), [&](int64_t begin, int64_t end) {
        for (int64_t p = begin; p < end; p++) fn(p);
    });
}

/* Whether consecutive planes can be pooled as one tall plane: no depth, no vertical padding or dilation, windows
   that never reach past their stride, and the height an exact number of strides, so no window of the tall plane
   spans two planes and its rows are the planes' rows. Saves the per-plane call on small maps (LeNet: 48 planes of
   28x28 at batch 8). Not with indices, which count within a plane. */
bool stacks_vertically(const cnn4j_window& w) {
    return w.in[0] == 1 && w.kernel[0] == 1 && w.pad_begin[1] == 0 && w.dilation[1] == 1 &&
           w.kernel[1] <= w.stride[1] && w.in[1] == w.out[1] * w.stride[1];
}

/* fn(window, first plane, planes) for runs of planes pooled as one tall plane (see stacks_vertically). */
template <typename Fn>
void for_each_plane_stack(const cnn4j_window& w, int64_t planes, int64_t work_per_plane, const Fn& fn) {
    parallel_for(planes, planes_per_task(work_per_plane), [&](int64_t begin, int64_t end) {
        cnn4j_window stack = w;
        stack.in[1] = (end - begin) * w.in[1];
        stack.out[1] = (end - begin) * w.out[1];
        fn(stack, begin);
    });
}

}  // namespace
}  // namespace cnn4j

using namespace cnn4j;

extern "C" {

int cnn4j_max_pool_forward(const int64_t* window, int64_t planes, const float* input, float* output,
                           int64_t* indices) {
    if (!window || !input || !output) return CNN4J_ERROR_ARGUMENT;
    const cnn4j_window& w = as_window(window);
    const PoolKernels& pool = *kernels().pool;
    const int64_t in_plane = in_volume(w), out_plane = out_volume(w);
    if (!indices && stacks_vertically(w)) {
        for_each_plane_stack(w, planes, out_plane * kernel_volume(w), [&](const cnn4j_window& stack, int64_t p) {
            pool.max_plane(stack, input + p * in_plane, output + p * out_plane, nullptr);
        });
        return CNN4J_OK;
    }
    for_each_plane(planes, out_plane * kernel_volume(w), [&](int64_t p) {
        pool.max_plane(w, input + p * in_plane, output + p * out_plane, indices ? indices + p * out_plane : nullptr);
    });
    return CNN4J_OK;
}

int cnn4j_avg_pool_forward(const int64_t* window, int64_t planes, int count_include_pad,
                           int64_t divisor_override, const float* input, float* output) {
    if (!window || !input || !output) return CNN4J_ERROR_ARGUMENT;
    const cnn4j_window& w = as_window(window);
    const PoolKernels& pool = *kernels().pool;
    const int64_t in_plane = in_volume(w), out_plane = out_volume(w);
    if (stacks_vertically(w)) {
        for_each_plane_stack(w, planes, out_plane * kernel_volume(w), [&](const cnn4j_window& stack, int64_t p) {
            pool.avg_plane(stack, count_include_pad, divisor_override, input + p * in_plane, output + p * out_plane);
        });
        return CNN4J_OK;
    }
    for_each_plane(planes, out_plane * kernel_volume(w), [&](int64_t p) {
        pool.avg_plane(w, count_include_pad, divisor_override, input + p * in_plane, output + p * out_plane);
    });
    return CNN4J_OK;
}

int cnn4j_lp_pool_forward(const int64_t* window, int64_t planes, float norm_type, const float* input,
                          float* output) {
    if (!window || !input || !output) return CNN4J_ERROR_ARGUMENT;
    const cnn4j_window& w = as_window(window);
    const PoolKernels& pool = *kernels().pool;
    const int64_t in_plane = in_volume(w), out_plane = out_volume(w);
    for_each_plane(planes, 8 * out_plane * kernel_volume(w), [&](int64_t p) {  // pow costs about 8 adds
        pool.lp_plane(w, norm_type, input + p * in_plane, output + p * out_plane);
    });
    return CNN4J_OK;
}

int cnn4j_adaptive_avg_pool_forward(const int64_t* in_size, const int64_t* out_size, int64_t planes,
                                    const float* input, float* output) {
    if (!in_size || !out_size || !input || !output) return CNN4J_ERROR_ARGUMENT;
    const PoolKernels& pool = *kernels().pool;
    const int64_t in_plane = in_size[0] * in_size[1] * in_size[2], out_plane = out_size[0] * out_size[1] * out_size[2];
    for_each_plane(planes, in_plane + out_plane, [&](int64_t p) {
        pool.adaptive_avg_plane(in_size, out_size, input + p * in_plane, output + p * out_plane);
    });
    return CNN4J_OK;
}

int cnn4j_adaptive_max_pool_forward(const int64_t* in_size, const int64_t* out_size, int64_t planes,
                                    const float* input, float* output, int64_t* indices) {
    if (!in_size || !out_size || !input || !output) return CNN4J_ERROR_ARGUMENT;
    const PoolKernels& pool = *kernels().pool;
    const int64_t in_plane = in_size[0] * in_size[1] * in_size[2], out_plane = out_size[0] * out_size[1] * out_size[2];
    for_each_plane(planes, in_plane + out_plane, [&](int64_t p) {
        pool.adaptive_max_plane(in_size, out_size, input + p * in_plane, output + p * out_plane,
                                indices ? indices + p * out_plane : nullptr);
    });
    return CNN4J_OK;
}

}  // extern "C"
