/* Internal helpers shared by the kernels: views of the ABI structs and small index arithmetic. */
#ifndef CNN4J_WINDOW_H
#define CNN4J_WINDOW_H

#include "cnn4j.h"

namespace cnn4j {

inline const cnn4j_window& as_window(const int64_t* longs) {
    return *reinterpret_cast<const cnn4j_window*>(longs);
}

inline int64_t in_volume(const cnn4j_window& w) { return w.in[0] * w.in[1] * w.in[2]; }
inline int64_t out_volume(const cnn4j_window& w) { return w.out[0] * w.out[1] * w.out[2]; }
inline int64_t kernel_volume(const cnn4j_window& w) { return w.kernel[0] * w.kernel[1] * w.kernel[2]; }

/* The same geometry seen from the other side: what was the output becomes the input. Transposed
   convolution uses it so that col2im scatters into the (larger) output image. */
inline cnn4j_window swapped(const cnn4j_window& w) {
    cnn4j_window s = w;
    for (int i = 0; i < 3; i++) {
        s.in[i] = w.out[i];
        s.out[i] = w.in[i];
    }
    return s;
}

inline int64_t ceil_div(int64_t a, int64_t b) { return (a + b - 1) / b; }

}  // namespace cnn4j

#endif
