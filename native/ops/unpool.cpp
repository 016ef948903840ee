/*
 * MaxUnpool with the indices of the max pooling that produced its input: the argmax is recomputed from the pooled
 * tensor's source by the max-pool kernel itself (so the indices are exactly those MaxPool*(return_indices=True)
 * returns), then each value is scattered to its index in a zeroed output plane, as PyTorch's max_unpool does.
 * Also those indices themselves as a float32 tensor, for a model that returns or computes with them.
 */
#include <cstdint>
#include <cstring>

#include "cnn4j.h"
#include "ops/window.h"

using namespace cnn4j;

extern "C" {

int cnn4j_max_unpool_forward(const int64_t* window, int64_t planes, const float* pool_input, const float* values,
                             int64_t out_plane, float* output, float* workspace) {
    if (!window || !pool_input || !values || !output || !workspace || planes < 1 || out_plane < 1)
        return CNN4J_ERROR_ARGUMENT;
    const cnn4j_window& w = as_window(window);
    const int64_t pooled = out_volume(w);
    if (in_volume(w) > out_plane) return CNN4J_ERROR_ARGUMENT;  // an index could fall outside the output plane
    // Workspace: the recomputed pooled values (discarded), then the int64 indices on an 8-byte boundary.
    float* scratch = workspace;
    const uintptr_t after = reinterpret_cast<uintptr_t>(workspace + planes * pooled);
    int64_t* indices = reinterpret_cast<int64_t*>((after + 7) & ~static_cast<uintptr_t>(7));
    const int rc = cnn4j_max_pool_forward(window, planes, pool_input, scratch, indices);
    if (rc != CNN4J_OK) return rc;
    for (int64_t i = 0; i < planes * pooled; i++) {
        if (indices[i] < 0 || indices[i] >= out_plane) return 1;  // PyTorch: "Found an invalid max index"
    }
    std::memset(output, 0, sizeof(float) * planes * out_plane);
    for (int64_t p = 0; p < planes; p++) {
        const int64_t* idx = indices + p * pooled;
        const float* v = values + p * pooled;
        float* o = output + p * out_plane;
        for (int64_t i = 0; i < pooled; i++) o[idx[i]] = v[i];
    }
    return CNN4J_OK;
}

int cnn4j_max_pool_indices_forward(const int64_t* window, int64_t planes, const float* input, int per_tensor,
                                   float* output, float* workspace) {
    if (!window || !input || !output || !workspace || planes < 1) return CNN4J_ERROR_ARGUMENT;
    const cnn4j_window& w = as_window(window);
    const int64_t pooled = out_volume(w);
    // The pooled values go to output (overwritten below), the int64 indices to the workspace on an 8-byte boundary.
    const uintptr_t start = reinterpret_cast<uintptr_t>(workspace);
    int64_t* indices = reinterpret_cast<int64_t*>((start + 7) & ~static_cast<uintptr_t>(7));
    const int rc = cnn4j_max_pool_forward(window, planes, input, output, indices);
    if (rc != CNN4J_OK) return rc;
    const int64_t plane = per_tensor ? in_volume(w) : 0;
    for (int64_t p = 0; p < planes; p++) {
        const int64_t* idx = indices + p * pooled;
        float* o = output + p * pooled;
        for (int64_t i = 0; i < pooled; i++) o[i] = static_cast<float>(p * plane + idx[i]);
    }
    return CNN4J_OK;
}

}  // extern "C"
