/* What the native microbenchmarks share: the 2-d cnn4j_window of a layer, as the C ABI takes it. */
#ifndef CNN4J_BENCH_WINDOW_H
#define CNN4J_BENCH_WINDOW_H

#include <cstdint>

#include "cnn4j.h"

struct Window {
    int64_t v[CNN4J_WINDOW_LONGS];
};

/* A 2-d window: in HxW, kernel k, stride s, pad p (out follows PyTorch's floor rule). */
inline Window window2d(int64_t h, int64_t w, int64_t k, int64_t s, int64_t p) {
    const int64_t oh = (h + 2 * p - k) / s + 1, ow = (w + 2 * p - k) / s + 1;
    return {{1, h, w, 1, oh, ow, 1, k, k, 1, s, s, 0, p, p, 1, 1, 1}};
}

#endif
