/*
 * The Winograd transforms (see winograd.h for the contract), written once over a vector type and instantiated by
 * every ISA file of this family.
 *
 * How it is used: an ISA file includes <cstdint>, <cstring>, "cnn4j.h", its intrinsics and winograd.h, opens an
 * anonymous namespace inside cnn4j, defines the vector vocabulary below, then includes this file there. So every
 * function here gets internal linkage in each ISA's object file: the linker never merges an AVX-512 copy with the
 * scalar one (the reason for the README's include rule), and the arithmetic is written once, not per ISA.
 * This file includes nothing itself.
 *
 * The vocabulary: constexpr int64_t kLanes; type Vec; vzero(), vset1(float), vload(const float*),
 * vstore(float*, Vec), vadd, vsub, vfmadd(a, b, c) = a * b + c, vgather(base, stride) = lanes base[l * stride],
 * vdeinterleave4(p, Vec v[4]): v[q] lane l = p[4l + q] (4 * kLanes floats read), vinterleave4(p, const Vec v[4]): its
 * inverse (4 * kLanes floats written), vload_lanes(p, n) / vstore_lanes(p, v, n): the first n (0 .. kLanes) lanes only
 * (zeros in the others; nothing past them read or written), both in registers (permutes / NEON's ld4 and st4), for F(4,3)'s 4-float tiles;
 * vrelu and vrelu6 with ATen's NaN propagation (NaN in, NaN out).
 *
 * Vectors run across tiles: lane l holds tile k0 + l of the run, so each transform is plain vector arithmetic with
 * the matrices' entries as broadcast constants (zeros skipped, +-1 as add/sub, folded at compile time).
 */

/* B^T (alpha x alpha) and A^T (m x alpha) of F(m x m, 3 x 3); G lives with the weight transform. Interpolation
   points 0, +-1, inf for F(2,3); 0, +-1, +-2, inf for F(4,3); 0, +-1, +-2, +-1/2, inf for F(6,3). */
template <int M>
struct TileMatrices;

template <>
struct TileMatrices<2> {
    static constexpr int kAlpha = 4;
    static constexpr float kBt[4][4] = {
        {1, 0, -1, 0}, {0, 1, 1, 0}, {0, -1, 1, 0}, {0, 1, 0, -1},
    };
    static constexpr float kAt[2][4] = {
        {1, 1, 1, 0}, {0, 1, -1, -1},
    };
};

template <>
struct TileMatrices<4> {
    static constexpr int kAlpha = 6;
    static constexpr float kBt[6][6] = {
        {4, 0, -5, 0, 1, 0}, {0, -4, -4, 1, 1, 0}, {0, 4, -4, -1, 1, 0},
        {0, -2, -1, 2, 1, 0}, {0, 2, -1, -2, 1, 0}, {0, 4, 0, -5, 0, 1},
    };
    static constexpr float kAt[4][6] = {
        {1, 1, 1, 1, 1, 0}, {0, 1, -1, 2, -2, 0}, {0, 1, 1, 4, 4, 0}, {0, 1, -1, 8, -8, 1},
    };
};

template <>
struct TileMatrices<6> {
    static constexpr int kAlpha = 8;
    static constexpr float kBt[8][8] = {
        {1, 0, -5.25f, 0, 5.25f, 0, -1, 0},
        {0, 1, 1, -4.25f, -4.25f, 1, 1, 0},
        {0, -1, 1, 4.25f, -4.25f, -1, 1, 0},
        {0, 0.5f, 0.25f, -2.5f, -1.25f, 2, 1, 0},
        {0, -0.5f, 0.25f, 2.5f, -1.25f, -2, 1, 0},
        {0, 2, 4, -2.5f, -5, 0.5f, 1, 0},
        {0, -2, 4, 2.5f, -5, -0.5f, 1, 0},
        {0, -1, 0, 5.25f, 0, -5.25f, 0, 1},
    };
    static constexpr float kAt[6][8] = {
        {1, 1, 1, 1, 1, 1, 1, 0},
        {0, 1, -1, 2, -2, 0.5f, -0.5f, 0},
        {0, 1, 1, 4, 4, 0.25f, 0.25f, 0},
        {0, 1, -1, 8, -8, 0.125f, -0.125f, 0},
        {0, 1, 1, 16, 16, 0.0625f, 0.0625f, 0},
        {0, 1, -1, 32, -32, 0.03125f, -0.03125f, 1},
    };
};

/* out[r] = sum_c mat[r][c] * in[c]. Fully unrolled, so each entry is a compile-time constant: zero terms vanish. */
template <int R, int C>
inline void combine(const float (&mat)[R][C], const Vec* in, Vec* out) {
#pragma GCC unroll 8
    for (int r = 0; r < R; r++) {
        Vec acc = vzero();
#pragma GCC unroll 8
        for (int c = 0; c < C; c++) {
            const float k = mat[r][c];
            if (k == 0.0f) continue;
            acc = k == 1.0f ? vadd(acc, in[c]) : k == -1.0f ? vsub(acc, in[c]) : vfmadd(vset1(k), in[c], acc);
        }
        out[r] = acc;
    }
}

/* True if the run read a NaN or Inf: x * 0 is NaN exactly for those, and each input value reaches some transformed
   value with a nonzero coefficient (B is invertible), so one multiply-add per transformed vector tells; the zero
   lanes past the run add 0. */
template <int M>
bool input_run_tiles(const float* strip, const float* strip_next, int64_t strip_stride, int64_t count, float* V,
                     int64_t freq_stride) {
    using T = TileMatrices<M>;
    constexpr int A = T::kAlpha;
    Vec nonfinite[A];  // one sum per row of the transform: no long chain of dependent additions
    for (int i = 0; i < A; i++) nonfinite[i] = vzero();
    for (int64_t k0 = 0; k0 < count; k0 += kLanes) {
        Vec widthwise[A][A];  // widthwise[i] = (d B)[i]: row i of the patches, transformed along the width
        for (int i = 0; i < A; i++) {
            Vec row[A];
            const float* patches = strip + i * strip_stride + k0 * M;
            const float* next = strip_next + i * strip_stride + k0 * M;
            if constexpr (M == 4) {  // columns 0-3 of the patches, then 4-5: phases 0-1 of strip_next
                Vec rest[4];
                vdeinterleave4(patches, row);
                vdeinterleave4(next, rest);
                row[4] = rest[0], row[5] = rest[1];
            } else {
                for (int j = 0; j < M; j++) row[j] = vgather(patches + j, M);
                for (int j = M; j < A; j++) row[j] = vgather(next + (j - M), M);
            }
            combine(T::kBt, row, widthwise[i]);
        }
        const int64_t lanes = count - k0 < kLanes ? count - k0 : kLanes;
        for (int j = 0; j < A; j++) {
            Vec column[A], transformed[A];
            for (int i = 0; i < A; i++) column[i] = widthwise[i][j];
            combine(T::kBt, column, transformed);
            for (int i = 0; i < A; i++) {
                nonfinite[i] = vfmadd(transformed[i], vzero(), nonfinite[i]);
                float* out = V + (i * A + j) * freq_stride + k0;
                if (lanes == kLanes) {
                    vstore(out, transformed[i]);
                } else {
                    vstore_lanes(out, transformed[i], lanes);
                }
            }
        }
    }
    for (int i = 1; i < A; i++) nonfinite[0] = vadd(nonfinite[0], nonfinite[i]);
    float lanes[kLanes];
    vstore(lanes, nonfinite[0]);
    bool seen = false;
    for (int64_t l = 0; l < kLanes; l++) seen |= lanes[l] != lanes[l];
    return seen;
}

template <int KIND>
inline Vec activate(Vec v) {
    if constexpr (KIND == CNN4J_ACT_RELU) return vrelu(v);
    if constexpr (KIND == CNN4J_ACT_RELU6) return vrelu6(v);
    return v;
}

/* y[x] = act(src[x] + bias + residual[x]) for x < cols; src is readable up to a whole vector past cols. */
template <int KIND>
void epilogue_row(const float* src, int64_t cols, float bias, const float* residual, float* y) {
    const Vec b = vset1(bias);
    int64_t x = 0;
    for (; x + kLanes <= cols; x += kLanes) {
        Vec v = vadd(vload(src + x), b);
        if (residual) v = vadd(v, vload(residual + x));
        vstore(y + x, activate<KIND>(v));
    }
    if (x < cols) {  // the tail, masked: residual and y end exactly at cols
        const int64_t n = cols - x;
        Vec v = vadd(vload(src + x), b);
        if (residual) v = vadd(v, vload_lanes(residual + x, n));
        vstore_lanes(y + x, activate<KIND>(v), n);
    }
}

template <int M>
void output_run_tiles(const float* products, int64_t freq_stride, int64_t count, float* strip, int64_t strip_stride) {
    using T = TileMatrices<M>;
    constexpr int A = T::kAlpha;
    for (int64_t k0 = 0; k0 < count; k0 += kLanes) {
        Vec widthwise[A][M];  // widthwise[ii] = (M A)[ii]
        for (int ii = 0; ii < A; ii++) {
            Vec row[A];
            for (int jj = 0; jj < A; jj++) row[jj] = vload(products + (ii * A + jj) * freq_stride + k0);
            combine(T::kAt, row, widthwise[ii]);
        }
        if constexpr (M == 4) {  // pixels[i][j]: all four columns, then each output row interleaved in registers
            Vec pixels[M][M];
            for (int j = 0; j < M; j++) {
                Vec column[A], transformed[M];
                for (int ii = 0; ii < A; ii++) column[ii] = widthwise[ii][j];
                combine(T::kAt, column, transformed);
                for (int i = 0; i < M; i++) pixels[i][j] = transformed[i];
            }
            for (int i = 0; i < M; i++) vinterleave4(strip + i * strip_stride + k0 * M, pixels[i]);
            continue;
        }
        for (int j = 0; j < M; j++) {
            Vec column[A], pixels[M];
            for (int ii = 0; ii < A; ii++) column[ii] = widthwise[ii][j];
            combine(T::kAt, column, pixels);
            for (int i = 0; i < M; i++) {  // lane l is tile k0 + l: its pixel (i, j) goes to column (k0 + l) * m + j
                float lanes[kLanes];
                vstore(lanes, pixels[i]);
                for (int64_t l = 0; l < kLanes; l++) strip[i * strip_stride + (k0 + l) * M + j] = lanes[l];
            }
        }
    }
}

bool input_run(int m, const float* strip, const float* strip_next, int64_t strip_stride, int64_t count, float* V,
               int64_t freq_stride) {
    if (m == 6) return input_run_tiles<6>(strip, strip_next, strip_stride, count, V, freq_stride);
    if (m == 2) return input_run_tiles<2>(strip, strip_next, strip_stride, count, V, freq_stride);
    return input_run_tiles<4>(strip, strip_next, strip_stride, count, V, freq_stride);
}

void output_run(int m, const float* products, int64_t freq_stride, int64_t count, float* strip, int64_t strip_stride) {
    if (m == 6) {
        output_run_tiles<6>(products, freq_stride, count, strip, strip_stride);
    } else if (m == 2) {
        output_run_tiles<2>(products, freq_stride, count, strip, strip_stride);
    } else {
        output_run_tiles<4>(products, freq_stride, count, strip, strip_stride);
    }
}

void epilogue(const float* src, int64_t src_stride, int64_t rows, int64_t cols, float bias, const float* residual,
              int kind, float* y, int64_t y_stride) {
    for (int64_t i = 0; i < rows; i++) {
        const float* s = src + i * src_stride;
        const float* res = residual ? residual + i * y_stride : nullptr;
        switch (kind) {
            case CNN4J_ACT_RELU: epilogue_row<CNN4J_ACT_RELU>(s, cols, bias, res, y + i * y_stride); break;
            case CNN4J_ACT_RELU6: epilogue_row<CNN4J_ACT_RELU6>(s, cols, bias, res, y + i * y_stride); break;
            default: epilogue_row<CNN4J_ACT_IDENTITY>(s, cols, bias, res, y + i * y_stride); break;
        }
    }
}
