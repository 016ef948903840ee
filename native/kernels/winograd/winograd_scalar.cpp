/*
 * Winograd kernels, scalar reference: the shared transforms (winograd_transforms.h) on one tile at a time, built
 * without ISA flags. Also the weight transform, which every ISA uses (it runs once, at load).
 */
#include <cstdint>
#include <cstring>

#include "cnn4j.h"
#include "kernels/gemm/gemm.h"
#include "kernels/winograd/winograd.h"

namespace cnn4j {
namespace {

constexpr int64_t kLanes = 1;
using Vec = float;

inline Vec vzero() { return 0.0f; }
inline Vec vset1(float x) { return x; }
inline Vec vload(const float* p) { return *p; }
inline void vstore(float* p, Vec v) { *p = v; }
inline Vec vadd(Vec a, Vec b) { return a + b; }
inline Vec vsub(Vec a, Vec b) { return a - b; }
inline Vec vfmadd(Vec a, Vec b, Vec c) { return a * b + c; }
inline Vec vload_lanes(const float* p, int64_t n) { return n > 0 ? *p : 0.0f; }
inline void vstore_lanes(float* p, Vec v, int64_t n) {
    if (n > 0) *p = v;
}
inline void vdeinterleave4(const float* p, Vec* v) { v[0] = p[0], v[1] = p[1], v[2] = p[2], v[3] = p[3]; }
inline void vinterleave4(float* p, const Vec* v) { p[0] = v[0], p[1] = v[1], p[2] = v[2], p[3] = v[3]; }
inline Vec vgather(const float* base, int64_t) { return *base; }
inline Vec vrelu(Vec x) { return x < 0.0f ? 0.0f : x; }
inline Vec vrelu6(Vec x) { return x < 0.0f ? 0.0f : (x > 6.0f ? 6.0f : x); }

#include "kernels/winograd/winograd_transforms.h"

/* G (alpha x 3) of F(2,3), F(4,3) and F(6,3), matching the points of B and A in winograd_transforms.h. */
constexpr double kG2[4][3] = {
    {1, 0, 0}, {0.5, 0.5, 0.5}, {0.5, -0.5, 0.5}, {0, 0, 1},
};
constexpr double kG4[6][3] = {
    {1.0 / 4, 0, 0}, {-1.0 / 6, -1.0 / 6, -1.0 / 6}, {-1.0 / 6, 1.0 / 6, -1.0 / 6},
    {1.0 / 24, 1.0 / 12, 1.0 / 6}, {1.0 / 24, -1.0 / 12, 1.0 / 6}, {0, 0, 1},
};
constexpr double kG6[8][3] = {
    {1, 0, 0}, {-2.0 / 9, -2.0 / 9, -2.0 / 9}, {-2.0 / 9, 2.0 / 9, -2.0 / 9},
    {1.0 / 90, 1.0 / 45, 2.0 / 45}, {1.0 / 90, -1.0 / 45, 2.0 / 45},
    {32.0 / 45, 16.0 / 45, 8.0 / 45}, {32.0 / 45, -16.0 / 45, 8.0 / 45}, {0, 0, 1},
};

/* u [alpha][alpha] = G g G^T for one 3x3 filter, in float64. */
void transform_filter(const double (*G)[3], int alpha, const float* g, double* u) {
    double gGt[3][8];  // g G^T: 3 x alpha
    for (int r = 0; r < 3; r++) {
        for (int j = 0; j < alpha; j++) {
            gGt[r][j] = g[r * 3 + 0] * G[j][0] + g[r * 3 + 1] * G[j][1] + g[r * 3 + 2] * G[j][2];
        }
    }
    for (int i = 0; i < alpha; i++) {
        for (int j = 0; j < alpha; j++) u[i * alpha + j] = G[i][0] * gGt[0][j] + G[i][1] * gGt[1][j] + G[i][2] * gGt[2][j];
    }
}

}  // namespace

void winograd_transform_weights(int m, int64_t out_channels, int64_t in_channels_per_group, int64_t groups,
                                const float* weight, float* transformed) {
    const int alpha = m + 2;
    const int64_t frequencies = alpha * alpha, Og = out_channels / groups, Cg = in_channels_per_group;
    const int64_t matrix = gemm_packed_floats(Og, Cg);
    std::memset(transformed, 0, sizeof(float) * groups * frequencies * matrix);  // the panels' padding rows
    double u[64];
    for (int64_t o = 0; o < out_channels; o++) {
        const int64_t g = o / Og, og = o % Og;
        float* U_g = transformed + g * frequencies * matrix;
        for (int64_t c = 0; c < Cg; c++) {
            transform_filter(m == 6 ? kG6 : m == 2 ? kG2 : kG4, alpha, weight + (o * Cg + c) * 9, u);
            const int64_t offset = gemm_packed_offset(Og, Cg, og, c);
            for (int64_t f = 0; f < frequencies; f++) U_g[f * matrix + offset] = (float)u[f];
        }
    }
}

const WinogradKernels kWinogradScalar = {input_run, output_run, epilogue};

}  // namespace cnn4j
