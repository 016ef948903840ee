/*
 * Every kernel family's SIMD variants against the scalar reference, in C++ without a JVM: the native kernel tests
 * that scripts/arm64-native-tests.sh runs for linux-arm64 under qemu-user (NEON against scalar), and that run
 * natively on x86-64 too (AVX2 and AVX-512, where the CPU has them).
 *
 * For each ISA this build and CPU support other than scalar, each family is called through the ISA's kernel table
 * (runtime/kernels.h) and the scalar table on the same random inputs (NaN, infinities and signed zeros among them
 * where the family defines them) over shapes that reach the vector bodies and their tails; the results must agree as
 * each family's header states: bit for bit (im2col, gemm, gemv, pooling other than global average), or within
 * 1e-5 of the output's scale (activations, softmax, Winograd transforms, depthwise, global average pooling: the
 * Java conformance tests' rule, far looser than the headers' measured bounds).
 *
 *   usage: kernel_variants_test      (prints one line per ISA and family; exit status 0 when every case agrees)
 */
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <limits>
#include <string>
#include <vector>

#include "cnn4j.h"
#include "runtime/kernels.h"

using namespace cnn4j;

namespace {

/* A fixed-seed generator: the same cases on every platform. */
struct Random {
    uint64_t state = 0x9e3779b97f4a7c15ull;
    uint32_t next() {
        state = state * 6364136223846793005ull + 1442695040888963407ull;
        return static_cast<uint32_t>(state >> 33);
    }
    float uniform(float lo, float hi) { return lo + (hi - lo) * (next() / 2147483648.0f); }
    int64_t below(int64_t n) { return static_cast<int64_t>(next() % static_cast<uint32_t>(n)); }
};

Random rng;

std::vector<float> random_floats(size_t n, float lo = -4, float hi = 4, bool specials = false) {
    std::vector<float> v(n);
    for (float& x : v) x = rng.uniform(lo, hi);
    if (specials && n > 0) {
        const float inf = std::numeric_limits<float>::infinity();
        const float pick[] = {std::nanf(""), inf, -inf, 0.0f, -0.0f, 1e-30f, -90.0f, 90.0f};
        for (size_t i = 0; i < n; i += 7) v[i] = pick[rng.below(8)];
    }
    return v;
}

struct Family {
    std::string name;
    long cases = 0;
    long failures = 0;
};

/* Bit-for-bit equality, any NaN equal to any NaN. */
bool same(float a, float b) {
    if (std::isnan(a) || std::isnan(b)) return std::isnan(a) && std::isnan(b);
    uint32_t x, y;
    std::memcpy(&x, &a, 4);
    std::memcpy(&y, &b, 4);
    return x == y;
}

/* The conformance rule: |a - b| <= 1e-5 * max(1, max |reference|); NaN and infinities must match exactly. */
bool close_all(const float* got, const float* want, size_t n, size_t* where) {
    double scale = 1;
    for (size_t i = 0; i < n; i++) {
        if (std::isfinite(want[i])) scale = std::fmax(scale, std::fabs(want[i]));
    }
    for (size_t i = 0; i < n; i++) {
        const bool ok = std::isfinite(want[i]) ? std::isfinite(got[i]) && std::fabs(got[i] - want[i]) <= 1e-5 * scale
                                               : same(got[i], want[i]) || (std::isinf(want[i]) && got[i] == want[i]);
        if (!ok) {
            *where = i;
            return false;
        }
    }
    return true;
}

bool same_all(const float* got, const float* want, size_t n, size_t* where) {
    for (size_t i = 0; i < n; i++) {
        if (!same(got[i], want[i])) {
            *where = i;
            return false;
        }
    }
    return true;
}

void record(Family& f, bool ok, const std::string& what, const float* got, const float* want, size_t where) {
    f.cases++;
    if (ok) return;
    f.failures++;
    if (f.failures <= 5) {
        std::printf("  MISMATCH %s %s at %zu: variant %.9g, scalar %.9g\n", f.name.c_str(), what.c_str(), where,
                    got ? got[where] : 0.0, want ? want[where] : 0.0);
    }
}

void check(Family& f, bool exact, const std::string& what, const std::vector<float>& got,
           const std::vector<float>& want) {
    size_t where = 0;
    const bool ok = exact ? same_all(got.data(), want.data(), got.size(), &where)
                          : close_all(got.data(), want.data(), got.size(), &where);
    record(f, ok, what, got.data(), want.data(), where);
}

std::string str(std::initializer_list<int64_t> values) {
    std::string s;
    for (int64_t v : values) s += (s.empty() ? "" : ",") + std::to_string(v);
    return "(" + s + ")";
}

// ---- activation ----
void test_activation(const KernelTable& v, const KernelTable& s, Family& f) {
    const int64_t sizes[] = {0, 1, 3, 4, 7, 8, 15, 16, 17, 31, 33, 64, 100, 1001};
    for (int kind = CNN4J_ACT_IDENTITY; kind <= CNN4J_ACT_HARDSIGMOID; kind++) {
        for (int64_t n : sizes) {
            for (float alpha : {0.01f, 1.0f, 1.7f}) {
                std::vector<float> x = random_floats(n, -12, 12, true);
                std::vector<float> a(n), b(n);
                v.activation->apply(kind, alpha, n, x.data(), a.data());
                s.activation->apply(kind, alpha, n, x.data(), b.data());
                check(f, false, "apply kind " + std::to_string(kind) + " n " + std::to_string(n), a, b);
            }
        }
        for (int64_t rows : {1, 3, 8}) {
            for (int64_t cols : {1, 5, 16, 37}) {
                for (int mask = 0; mask < 8; mask++) {
                    // Rows of y and of the residual a few floats apart (a tile of a wider matrix) where mask & 4.
                    const int64_t ld = mask & 4 ? cols + 3 : cols, ld_res = mask & 4 ? cols + 5 : cols;
                    std::vector<float> y = random_floats(rows * ld, -6, 6);
                    std::vector<float> bias = random_floats(rows), res = random_floats(rows * ld_res);
                    std::vector<float> a = y, b = y;
                    const float* bp = mask & 1 ? bias.data() : nullptr;
                    const float* rp = mask & 2 ? res.data() : nullptr;
                    v.activation->epilogue(kind, 0.2f, rows, cols, bp, rp, ld_res, a.data(), ld);
                    s.activation->epilogue(kind, 0.2f, rows, cols, bp, rp, ld_res, b.data(), ld);
                    check(f, false, "epilogue kind " + std::to_string(kind) + " " + str({rows, cols, mask}), a, b);
                }
            }
        }
    }
}

// ---- softmax ----
void test_softmax(const KernelTable& v, const KernelTable& s, Family& f) {
    struct Shape { int64_t outer, dim, inner, stride; };
    const Shape shapes[] = {{1, 1, 1, 1}, {1, 10, 1, 1}, {3, 17, 1, 1}, {2, 1000, 1, 1}, {1, 4, 5, 5},
                            {2, 7, 16, 16}, {2, 3, 33, 40}, {1, 100, 9, 9}, {4, 2, 1, 3}};
    for (const Shape& sh : shapes) {
        for (int log = 0; log < 2; log++) {
            for (bool specials : {false, true}) {
                const size_t n = sh.outer * sh.dim * sh.stride;
                std::vector<float> x = random_floats(n, -30, 30, specials);
                std::vector<float> a(n, 0.0f), b(n, 0.0f);
                v.softmax->forward(log, sh.outer, sh.dim, sh.inner, sh.stride, x.data(), a.data());
                s.softmax->forward(log, sh.outer, sh.dim, sh.inner, sh.stride, x.data(), b.data());
                check(f, false, "forward log " + std::to_string(log) + " " + str({sh.outer, sh.dim, sh.inner, sh.stride}),
                      a, b);
            }
        }
    }
}

// ---- winograd ----
void test_winograd(const KernelTable& v, const KernelTable& s, Family& f) {
    for (int m : {2, 4, 6}) {
        const int64_t alpha = m + 2;
        for (int64_t count : {1, 2, 3, 5, 8, 15, 16, 17, 31, 64}) {
            const int64_t lanes = (count + kWinogradMaxLanes - 1) / kWinogradMaxLanes * kWinogradMaxLanes;
            const int64_t strip_stride = lanes * m + 8;
            std::vector<float> strip = random_floats(alpha * strip_stride, -1, 1);
            std::vector<float> next = random_floats(alpha * strip_stride, -1, 1);
            const int64_t freq_stride = count + 3;
            std::vector<float> a(alpha * alpha * freq_stride, 0.0f), b = a;
            const bool flagged_v = v.winograd->input_run(m, strip.data(), next.data(), strip_stride, count, a.data(),
                                                         freq_stride);
            const bool flagged_s = s.winograd->input_run(m, strip.data(), next.data(), strip_stride, count, b.data(),
                                                         freq_stride);
            check(f, false, "input_run " + str({m, count}), a, b);
            record(f, !flagged_v && !flagged_s, "input_run flags finite data " + str({m, count}), nullptr, nullptr, 0);
            // A NaN or Inf in the last tile's overlap columns (strip_next) is flagged by both.
            std::vector<float> poisoned = next;
            poisoned[(count - 1) * m + 1] = (count % 2) ? INFINITY : NAN;
            const bool poisoned_v = v.winograd->input_run(m, strip.data(), poisoned.data(), strip_stride, count,
                                                          a.data(), freq_stride);
            const bool poisoned_s = s.winograd->input_run(m, strip.data(), poisoned.data(), strip_stride, count,
                                                          b.data(), freq_stride);
            record(f, poisoned_v && poisoned_s, "input_run flags NaN / Inf " + str({m, count}), nullptr, nullptr, 0);

            const int64_t mstride = count + kWinogradMaxLanes;
            std::vector<float> M = random_floats(alpha * alpha * mstride, -2, 2);
            const int64_t out_stride = lanes * m + 4;
            std::vector<float> oa(m * out_stride, 0.0f), ob = oa;
            v.winograd->output_run(m, M.data(), mstride, count, oa.data(), out_stride);
            s.winograd->output_run(m, M.data(), mstride, count, ob.data(), out_stride);
            std::vector<float> ga, gb;  // lanes past count are garbage by contract
            for (int64_t i = 0; i < m; i++) {
                for (int64_t c = 0; c < count * m; c++) {
                    ga.push_back(oa[i * out_stride + c]);
                    gb.push_back(ob[i * out_stride + c]);
                }
            }
            check(f, false, "output_run " + str({m, count}), ga, gb);
        }
    }
    for (int kind : {CNN4J_ACT_IDENTITY, CNN4J_ACT_RELU, CNN4J_ACT_RELU6}) {
        for (int64_t rows : {1, 4, 6}) {
            for (int64_t cols : {1, 3, 4, 7, 16, 23}) {
                for (bool residual : {false, true}) {
                    const int64_t src_stride = cols + kWinogradMaxLanes, y_stride = cols + 2;
                    std::vector<float> src = random_floats(rows * src_stride, -8, 8);
                    std::vector<float> res = random_floats(rows * y_stride, -2, 2);
                    std::vector<float> a(rows * y_stride, 0.0f), b = a;
                    const float* rp = residual ? res.data() : nullptr;
                    v.winograd->epilogue(src.data(), src_stride, rows, cols, 0.5f, rp, kind, a.data(), y_stride);
                    s.winograd->epilogue(src.data(), src_stride, rows, cols, 0.5f, rp, kind, b.data(), y_stride);
                    check(f, false, "epilogue " + str({kind, rows, cols, residual}), a, b);
                }
            }
        }
    }
}

// ---- sliding windows (depthwise, pooling) ----
int64_t out_size(int64_t in, int64_t k, int64_t stride, int64_t pad, int64_t dilation) {
    return (in + 2 * pad - dilation * (k - 1) - 1) / stride + 1;
}

cnn4j_window window3(const int64_t in[3], const int64_t k[3], const int64_t st[3], const int64_t pad[3],
                     const int64_t dil[3]) {
    cnn4j_window w;
    for (int d = 0; d < 3; d++) {
        w.in[d] = in[d];
        w.kernel[d] = k[d];
        w.stride[d] = st[d];
        w.pad_begin[d] = pad[d];
        w.dilation[d] = dil[d];
        w.out[d] = out_size(in[d], k[d], st[d], pad[d], dil[d]);
    }
    return w;
}

int64_t volume(const int64_t v[3]) { return v[0] * v[1] * v[2]; }

void test_depthwise(const KernelTable& v, const KernelTable& s, Family& f) {
    struct Geo { int64_t d, h, w, kd, kh, kw, sd, sh, sw, pd, ph, pw, dd, dh, dw; };
    const Geo geos[] = {
        {1, 12, 12, 1, 3, 3, 1, 1, 1, 0, 1, 1, 1, 1, 1}, {1, 17, 19, 1, 3, 3, 1, 2, 2, 0, 1, 1, 1, 1, 1},
        {1, 9, 40, 1, 5, 5, 1, 1, 1, 0, 2, 2, 1, 1, 1},  {1, 14, 33, 1, 5, 5, 1, 2, 2, 0, 2, 2, 1, 1, 1},
        {1, 10, 10, 1, 3, 3, 1, 1, 1, 0, 0, 0, 1, 1, 1}, {1, 11, 13, 1, 7, 7, 1, 3, 3, 0, 3, 3, 1, 1, 1},
        {1, 16, 16, 1, 3, 3, 1, 1, 1, 0, 2, 2, 1, 2, 2}, {1, 1, 50, 1, 1, 3, 1, 1, 1, 0, 0, 1, 1, 1, 1},
        {4, 6, 7, 3, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1},   {1, 7, 64, 1, 3, 5, 1, 1, 2, 0, 1, 2, 1, 1, 1},
    };
    for (const Geo& g : geos) {
        const int64_t in[3] = {g.d, g.h, g.w}, k[3] = {g.kd, g.kh, g.kw}, st[3] = {g.sd, g.sh, g.sw},
                      pad[3] = {g.pd, g.ph, g.pw}, dil[3] = {g.dd, g.dh, g.dw};
        const cnn4j_window w = window3(in, k, st, pad, dil);
        for (int kind : {CNN4J_ACT_IDENTITY, CNN4J_ACT_RELU, CNN4J_ACT_RELU6, CNN4J_ACT_SILU}) {
            for (bool residual : {false, true}) {
                std::vector<float> plane = random_floats(volume(w.in)), taps = random_floats(volume(w.kernel));
                std::vector<float> res = random_floats(volume(w.out));
                std::vector<float> a(volume(w.out), 0.0f), b = a;
                DepthwiseEpilogue ea{0.25f, residual ? res.data() : nullptr, kind, 0.0f, v.activation};
                DepthwiseEpilogue eb = ea;
                eb.activation = s.activation;
                v.depthwise->plane(w, plane.data(), taps.data(), ea, a.data());
                s.depthwise->plane(w, plane.data(), taps.data(), eb, b.data());
                check(f, false, "plane " + str({g.d, g.h, g.w, g.kh, g.kw, g.sw, g.pw, g.dw, kind, residual}), a, b);
            }
        }
    }
}

/* A table's channels-last depthwise over `channels` planes [H, W] (2-d window w), group by group as
   ops/expand_depthwise.cpp runs it: into a zero-bordered buffer, convolved, back into planes [channels, OH, OW]. */
std::vector<float> channels_last_planes(const KernelTable& t, const cnn4j_window& w, int64_t channels,
                                        const std::vector<float>& planes, const std::vector<float>& taps,
                                        const std::vector<float>& bias, int kind) {
    const DepthwiseKernels& dw = *t.depthwise;
    const int64_t G = dw.group, H = w.in[1], W = w.in[2], plane = H * W, out_plane = w.out[1] * w.out[2];
    const int64_t K = w.kernel[1] * w.kernel[2];
    const int64_t rows = std::max(w.pad_begin[1] + H, (w.out[1] - 1) * w.stride[1] + (w.kernel[1] - 1) * w.dilation[1] + 1);
    const int64_t width = std::max(w.pad_begin[2] + W, (w.out[2] - 1) * w.stride[2] + (w.kernel[2] - 1) * w.dilation[2] + 1);
    std::vector<float> out(channels * out_plane), in(rows * width * G), group_out(out_plane * G), gt(K * G), gb(G);
    for (int64_t c0 = 0; c0 < channels; c0 += G) {
        const int64_t n = std::min(G, channels - c0);
        std::fill(in.begin(), in.end(), 0.0f);
        dw.to_channels_last(planes.data() + c0 * plane, plane, n, plane, W,
                            in.data() + (w.pad_begin[1] * width + w.pad_begin[2]) * G, width);
        for (int64_t c = 0; c < G; c++) {
            gb[c] = c < n ? bias[c0 + c] : 0.0f;
            for (int64_t k = 0; k < K; k++) gt[k * G + c] = c < n ? taps[(c0 + c) * K + k] : 0.0f;
        }
        dw.channels_last(w, in.data(), width, gt.data(), gb.data(), kind, group_out.data());
        dw.from_channels_last(group_out.data(), out_plane, n, out.data() + c0 * out_plane, out_plane);
    }
    return out;
}

void test_depthwise_channels_last(const KernelTable& v, const KernelTable& s, Family& f) {
    struct Geo { int64_t channels, h, w, k, stride, pad, dilation; };
    const Geo geos[] = {{19, 7, 7, 3, 1, 1, 1}, {40, 14, 14, 3, 1, 1, 1}, {21, 14, 13, 3, 2, 1, 1},
                        {9, 9, 11, 5, 1, 2, 1}, {17, 12, 12, 3, 1, 2, 2}, {33, 5, 6, 3, 2, 0, 1}};
    for (const Geo& g : geos) {
        const int64_t in[3] = {1, g.h, g.w}, k[3] = {1, g.k, g.k}, st[3] = {1, g.stride, g.stride},
                      pad[3] = {0, g.pad, g.pad}, dil[3] = {1, g.dilation, g.dilation};
        const cnn4j_window w = window3(in, k, st, pad, dil);
        const std::vector<float> planes = random_floats(g.channels * g.h * g.w);
        // The transposes alone: into channels last and back is exact, channels past the group's end zero.
        std::vector<float> cl(g.h * g.w * v.depthwise->group, -1.0f), back(g.h * g.w * v.depthwise->group, 0.0f);
        const int64_t n = std::min<int64_t>(v.depthwise->group, g.channels - 1);
        v.depthwise->to_channels_last(planes.data(), g.h * g.w, n, g.h * g.w, g.w, cl.data(), g.w);
        v.depthwise->from_channels_last(cl.data(), g.h * g.w, n, back.data(), g.h * g.w);
        back.resize(n * g.h * g.w);
        check(f, true, "transposes " + str({g.channels, g.h, g.w}), back,
              std::vector<float>(planes.begin(), planes.begin() + n * g.h * g.w));
        const std::vector<float> taps = random_floats(g.channels * g.k * g.k), bias = random_floats(g.channels);
        for (int kind : {CNN4J_ACT_IDENTITY, CNN4J_ACT_RELU, CNN4J_ACT_RELU6}) {
            check(f, false, "channels last " + str({g.channels, g.h, g.w, g.k, g.stride, g.pad, g.dilation, kind}),
                  channels_last_planes(v, w, g.channels, planes, taps, bias, kind),
                  channels_last_planes(s, w, g.channels, planes, taps, bias, kind));
        }
    }
}

void test_pool(const KernelTable& v, const KernelTable& s, Family& f) {
    struct Geo { int64_t d, h, w, kd, kh, kw, sd, sh, sw, pd, ph, pw, dh, dw; };
    const Geo geos[] = {
        {1, 8, 8, 1, 2, 2, 1, 2, 2, 0, 0, 0, 1, 1},    {1, 13, 37, 1, 3, 3, 1, 1, 1, 0, 1, 1, 1, 1},
        {1, 15, 40, 1, 3, 3, 1, 2, 2, 0, 1, 1, 1, 1},  {1, 9, 21, 1, 2, 2, 1, 2, 2, 0, 1, 1, 1, 1},
        {1, 10, 30, 1, 5, 5, 1, 1, 1, 0, 2, 2, 1, 1},  {1, 12, 12, 1, 3, 3, 1, 3, 3, 0, 0, 0, 1, 1},
        {1, 11, 26, 1, 3, 3, 1, 1, 1, 0, 1, 1, 2, 2},  {3, 6, 18, 2, 2, 2, 2, 2, 2, 1, 1, 1, 1, 1},
    };
    for (const Geo& g : geos) {
        const int64_t in[3] = {g.d, g.h, g.w}, k[3] = {g.kd, g.kh, g.kw}, st[3] = {g.sd, g.sh, g.sw},
                      pad[3] = {g.pd, g.ph, g.pw}, dil[3] = {1, g.dh, g.dw};
        const cnn4j_window w = window3(in, k, st, pad, dil);
        const std::string geo = str({g.d, g.h, g.w, g.kh, g.kw, g.sw, g.pw, g.dw});
        for (bool specials : {false, true}) {
            std::vector<float> x = random_floats(volume(w.in), -4, 4, specials);
            if (!specials) {  // ties: the first maximum must win in every variant
                for (size_t i = 0; i < x.size(); i += 3) x[i] = 1.0f;
            }
            const size_t n = volume(w.out);
            std::vector<float> a(n), b(n);
            std::vector<int64_t> ia(n), ib(n);
            v.pool->max_plane(w, x.data(), a.data(), ia.data());
            s.pool->max_plane(w, x.data(), b.data(), ib.data());
            check(f, true, "max_plane " + geo, a, b);
            record(f, ia == ib, "max_plane indices " + geo, nullptr, nullptr, 0);
            if (dil[1] == 1 && dil[2] == 1) {  // average and power pooling have no dilation
                for (int include_pad = 0; include_pad < 2; include_pad++) {
                    for (int64_t divisor : {0, 3}) {
                        std::vector<float> pa(n), pb(n);
                        v.pool->avg_plane(w, include_pad, divisor, x.data(), pa.data());
                        s.pool->avg_plane(w, include_pad, divisor, x.data(), pb.data());
                        check(f, true, "avg_plane " + geo + str({include_pad, divisor}), pa, pb);
                    }
                }
                if (g.pd == 0 && g.ph == 0 && g.pw == 0) {
                    std::vector<float> la(n), lb(n);
                    v.pool->lp_plane(w, 2.0f, x.data(), la.data());
                    s.pool->lp_plane(w, 2.0f, x.data(), lb.data());
                    check(f, true, "lp_plane " + geo, la, lb);
                }
            }
        }
    }
    const int64_t adaptive[][6] = {{1, 7, 7, 1, 1, 1},   {1, 13, 37, 1, 1, 1}, {1, 224, 224, 1, 1, 1},
                                   {1, 10, 10, 1, 3, 3}, {1, 13, 37, 1, 5, 7}, {4, 9, 9, 2, 3, 3}};
    for (const auto& g : adaptive) {
        const int64_t in[3] = {g[0], g[1], g[2]}, out[3] = {g[3], g[4], g[5]};
        std::vector<float> x = random_floats(volume(in), -4, 4);
        const size_t n = volume(out);
        std::vector<float> a(n), b(n);
        v.pool->adaptive_avg_plane(in, out, x.data(), a.data());
        s.pool->adaptive_avg_plane(in, out, x.data(), b.data());
        const bool global = n == 1;  // the one vectorized (re-associated) sum
        check(f, !global, "adaptive_avg_plane " + str({g[0], g[1], g[2], g[3], g[4], g[5]}), a, b);
        std::vector<int64_t> ia(n), ib(n);
        v.pool->adaptive_max_plane(in, out, x.data(), a.data(), ia.data());
        s.pool->adaptive_max_plane(in, out, x.data(), b.data(), ib.data());
        check(f, true, "adaptive_max_plane " + str({g[0], g[1], g[2], g[3], g[4], g[5]}), a, b);
        record(f, ia == ib, "adaptive_max_plane indices", nullptr, nullptr, 0);
    }
}

// ---- im2col ----
void test_im2col(const KernelTable& v, const KernelTable& s, Family& f) {
    for (int64_t stride : {2, 3, 4, 5}) {
        for (int64_t n : {0, 1, 2, 3, 4, 5, 7, 8, 9, 15, 16, 17, 31, 33, 70}) {
            // The row ends exactly at in[(n - 1) * stride]: a variant reading past it would read the guard.
            std::vector<float> in = random_floats(n > 0 ? (n - 1) * stride + 1 : 1);
            std::vector<float> a(n + 1, 7.0f), b(n + 1, 7.0f);
            v.im2col->strided_row(in.data(), stride, n, a.data());
            s.im2col->strided_row(in.data(), stride, n, b.data());
            check(f, true, "strided_row " + str({stride, n}), a, b);
        }
    }
    for (int64_t width : {1, 3, 4, 8, 10, 17, 32}) {
        for (int64_t rows : {1, 2, 5}) {
            const int64_t shift = 2;  // `in` points before the plane, as for a kernel column left of the centre
            std::vector<float> plane = random_floats(rows * width + 2 * width + 8);
            std::vector<int64_t> row_src(rows);
            for (int64_t r = 0; r < rows; r++) row_src[r] = r % 3 == 2 ? -1 : shift + r * width;
            for (int64_t first : {int64_t(0), width / 3}) {
                for (int64_t last : {width, width - width / 4}) {
                    if (first > last) continue;
                    std::vector<float> a(rows * width, 7.0f), b(rows * width, 7.0f);
                    v.im2col->stride1_rows(plane.data(), row_src.data(), rows, width, first, last, a.data());
                    s.im2col->stride1_rows(plane.data(), row_src.data(), rows, width, first, last, b.data());
                    check(f, true, "stride1_rows " + str({width, rows, first, last}), a, b);
                }
            }
        }
    }
}

// ---- gemm ----
/* The scalar reference for a tile of `cols` columns, in the scalar variant's own column widths. */
void scalar_tile(const KernelTable& s, int64_t K, const float* panel, const float* B, int64_t ldb, int64_t rows,
                 int64_t cols, float* C, int64_t ldc, bool accumulate) {
    for (int64_t j = 0; j < cols; j += s.gemm->columns) {
        const int64_t c = cols - j < s.gemm->columns ? cols - j : s.gemm->columns;
        s.gemm->tile(K, panel, B + j, ldb, rows, c, C + j, ldc, accumulate, nullptr);
    }
}

/* The scalar reference for an indirect product of `rows` rows (A: that many rows' 8-row panels of depth K) over
   `cols` columns: tile_indirect on each panel and each of the scalar variant's column widths, the epilogue
   (nullable) moved along with them. */
void scalar_indirect(const KernelTable& s, int64_t K, const float* A, int64_t rows, const float* B,
                     const int64_t* offsets, int64_t cols, float* C, int64_t ldc, const GemmTileEpilogue* epilogue) {
    for (int64_t r0 = 0; r0 < rows; r0 += kGemmPanelRows) {
        for (int64_t j = 0; j < cols; j += s.gemm->columns) {
            GemmTileEpilogue part;
            if (epilogue) part = gemm_epilogue_from(*epilogue, r0, j);
            s.gemm->tile_indirect(K, A + r0 * K, B + j, offsets, std::min(kGemmPanelRows, rows - r0),
                                  std::min(s.gemm->columns, cols - j), C + r0 * ldc + j, ldc, false,
                                  epilogue ? &part : nullptr);
        }
    }
}

/* Random operands of an indirect product: rows' panels of depth K, b_floats of B read at offsets below 64, a bias
   per row and a residual of residual_floats, specials among the products' inputs. */
struct IndirectCase {
    std::vector<float> A, B, bias, residual;
    std::vector<int64_t> offsets;
};
IndirectCase indirect_case(int64_t K, int64_t rows, int64_t b_floats, int64_t residual_floats) {
    IndirectCase c;
    c.A = random_floats((rows + kGemmPanelRows - 1) / kGemmPanelRows * K * kGemmPanelRows, -4, 4, true);
    c.B = random_floats(b_floats + 64, -4, 4, true);
    c.offsets.resize(K);
    for (int64_t k = 0; k < K; k++) c.offsets[k] = rng.below(64);
    c.bias = random_floats(rows, -8, 8);
    c.residual = random_floats(residual_floats, -8, 8);
    return c;
}

void test_gemm(const KernelTable& v, const KernelTable& s, Family& f) {
    const int64_t width = v.gemm->columns;
    for (int64_t K : {1, 2, 5, 17, 64, 256}) {
        for (int64_t rows = 1; rows <= kGemmPanelRows; rows++) {
            for (int64_t cols : {int64_t(1), int64_t(3), width / 2, width - 1, width}) {
                if (cols < 1) continue;
                for (bool accumulate : {false, true}) {
                    const int64_t ldb = width + 5, ldc = width + 3;
                    std::vector<float> panel = random_floats(K * kGemmPanelRows), B = random_floats(K * ldb);
                    std::vector<float> a = random_floats(kGemmPanelRows * ldc), b = a;
                    v.gemm->tile(K, panel.data(), B.data(), ldb, rows, cols, a.data(), ldc, accumulate, nullptr);
                    scalar_tile(s, K, panel.data(), B.data(), ldb, rows, cols, b.data(), ldc, accumulate);
                    check(f, true, "tile " + str({K, rows, cols, accumulate}), a, b);
                }
            }
        }
    }
    // The epilogue in the tile's registers: bit for bit the activation kernels' epilogue run on the stored tile, for
    // every variant (the scalar reference's tile included), NaN and signed zeros among the products.
    for (int kind : {CNN4J_ACT_IDENTITY, CNN4J_ACT_RELU, CNN4J_ACT_RELU6}) {
        for (int64_t K : {1, 5, 64}) {
            for (int64_t rows : {int64_t(1), int64_t(5), kGemmPanelRows}) {
                for (int64_t cols : {int64_t(1), width / 2 + 1, width}) {
                    for (int mask = 0; mask < 8; mask++) {
                        const bool accumulate = mask & 4;
                        const int64_t ldb = width + 5, ldc = width + 3, ld_res = width + 7;
                        std::vector<float> panel = random_floats(K * kGemmPanelRows, -4, 4, true);
                        std::vector<float> B = random_floats(K * ldb, -4, 4, true);
                        std::vector<float> bias = random_floats(kGemmPanelRows, -8, 8, true);
                        std::vector<float> res = random_floats(kGemmPanelRows * ld_res, -8, 8, true);
                        const GemmTileEpilogue e{mask & 1 ? bias.data() : nullptr, mask & 2 ? res.data() : nullptr,
                                                 ld_res, kind};
                        std::vector<float> a = random_floats(kGemmPanelRows * ldc), b = a, c = a;
                        v.gemm->tile(K, panel.data(), B.data(), ldb, rows, cols, a.data(), ldc, accumulate, &e);
                        s.gemm->tile(K, panel.data(), B.data(), ldb, rows, cols, c.data(), ldc, accumulate, &e);
                        v.gemm->tile(K, panel.data(), B.data(), ldb, rows, cols, b.data(), ldc, accumulate, nullptr);
                        v.activation->epilogue(kind, 0.0f, rows, cols, e.bias, e.residual, ld_res, b.data(), ldc);
                        const std::string what = "tile epilogue kind " + std::to_string(kind) + " " +
                                                 str({K, rows, cols, mask});
                        check(f, true, what + " vs the activation epilogue", a, b);
                        if (cols <= s.gemm->columns) check(f, true, what + " vs the scalar tile", a, c);
                    }
                }
            }
        }
    }
    // Output channels in the lanes: bit for bit the scalar tile_indirect on the same packed panels, with and without
    // each part of the epilogue.
    if (v.gemm->lanes_indirect) {
        for (int64_t K : {1, 9, 150, 256}) {
            for (int64_t rows : {int64_t(1), int64_t(7), int64_t(9), v.gemm->lanes}) {
                for (int64_t cols : {1, 5, 12, 13, 30}) {
                    for (int mask = 0; mask < 8; mask++) {
                        const int kind = mask & 4 ? CNN4J_ACT_RELU6 : CNN4J_ACT_RELU;
                        const int64_t ldc = cols + 3;
                        const IndirectCase c = indirect_case(K, rows, K + cols, rows * ldc);
                        const GemmTileEpilogue e{mask & 1 ? c.bias.data() : nullptr,
                                                 mask & 2 ? c.residual.data() : nullptr, ldc, kind};
                        for (const GemmTileEpilogue* epilogue : {&e, static_cast<const GemmTileEpilogue*>(nullptr)}) {
                            std::vector<float> a = random_floats(rows * ldc), b = a;
                            v.gemm->lanes_indirect(K, c.A.data(), c.B.data(), c.offsets.data(), rows, cols, a.data(),
                                                   ldc, epilogue);
                            scalar_indirect(s, K, c.A.data(), rows, c.B.data(), c.offsets.data(), cols, b.data(), ldc,
                                            epilogue);
                            check(f, true,
                                  std::string("lanes_indirect") + (epilogue ? "" : " no epilogue") + " " +
                                      str({K, rows, cols, mask}),
                                  a, b);
                        }
                    }
                }
            }
        }
    }
    // Two stretches of columns per tile: bit for bit the scalar tile_indirect on each stretch.
    if (v.gemm->pair_indirect) {
        for (int64_t K : {1, 25, 256}) {
            for (int64_t rows = 1; rows <= kGemmPairRows; rows += 2) {
                for (int64_t cols : {int64_t(3), int64_t(16), int64_t(28), kGemmPairColumns}) {
                    for (int mask = 0; mask < 4; mask++) {
                        const int64_t ldc = 2 * cols + 9, c_step = cols + 4, b_step = cols + 7;
                        const IndirectCase c = indirect_case(K, rows, 2 * b_step + cols, rows * ldc);
                        const GemmTileEpilogue e{mask & 1 ? c.bias.data() : nullptr,
                                                 mask & 2 ? c.residual.data() : nullptr, ldc, CNN4J_ACT_RELU6};
                        std::vector<float> a = random_floats(rows * ldc), b = a;
                        v.gemm->pair_indirect(K, c.A.data(), c.B.data(), c.offsets.data(), b_step, rows, cols,
                                              a.data(), ldc, c_step, &e);
                        for (int64_t stretch = 0; stretch < 2; stretch++) {
                            const GemmTileEpilogue stretch_epilogue = gemm_epilogue_from(e, 0, stretch * c_step);
                            scalar_indirect(s, K, c.A.data(), rows, c.B.data() + stretch * b_step, c.offsets.data(),
                                            cols, b.data() + stretch * c_step, ldc, &stretch_epilogue);
                        }
                        check(f, true, "pair_indirect " + str({K, rows, cols, mask}), a, b);
                    }
                }
            }
        }
    }
    if (v.gemm->narrow == nullptr) return;
    for (int64_t K : {1, 7, 256}) {
        for (int64_t M : {1, 8, 13, 40}) {
            for (int64_t cols = 1; cols <= kGemmNarrowColumns; cols++) {
                const int64_t panels = (M + kGemmPanelRows - 1) / kGemmPanelRows, ldb = cols + 2, ldc = cols + 1;
                std::vector<float> A = random_floats(panels * K * kGemmPanelRows), B = random_floats(K * ldb);
                std::vector<float> a = random_floats(M * ldc), b = a;
                v.gemm->narrow(K, A.data(), K * kGemmPanelRows, M, B.data(), ldb, cols, a.data(), ldc, true);
                for (int64_t p = 0; p < panels; p++) {
                    const int64_t rows = M - p * kGemmPanelRows < kGemmPanelRows ? M - p * kGemmPanelRows : kGemmPanelRows;
                    scalar_tile(s, K, A.data() + p * K * kGemmPanelRows, B.data(), ldb, rows, cols,
                                b.data() + p * kGemmPanelRows * ldc, ldc, true);
                }
                check(f, true, "narrow " + str({K, M, cols}), a, b);
            }
        }
    }
}

// ---- gemv ----
void test_gemv(const KernelTable& v, const KernelTable& s, Family& f) {
    for (int64_t K : {0, 1, 3, 4, 15, 16, 17, 63, 64, 65, 400, 1000}) {
        for (int64_t rows : {1, 2, 7, 10, 33}) {
            const int64_t ldw = K + (rows % 2 ? 0 : 3);
            std::vector<float> W = random_floats(rows * ldw + 1), x = random_floats(K + 1);
            std::vector<float> a(rows), b(rows);
            v.gemv->rows(W.data(), ldw, rows, K, x.data(), a.data());
            s.gemv->rows(W.data(), ldw, rows, K, x.data(), b.data());
            check(f, true, "rows " + str({K, rows}), a, b);
        }
    }
}

}  // namespace

int main(int argc, char** argv) {
    if (argc > 1) {
        std::fprintf(stderr, "kernel_variants_test: takes no arguments (got '%s')\n", argv[1]);
        return 2;
    }
    std::printf("kernel_variants_test: OpenBLAS core %s\n", cnn4j_blas_core_name());
    const KernelTable& scalar = kernels_for(Isa::kScalar);
    long cases = 0, failures = 0;
    int variants = 0;
    for (Isa isa : {Isa::kAvx2, Isa::kAvx512, Isa::kNeon}) {
        if (!isa_supported(isa)) continue;
        variants++;
        const KernelTable& table = kernels_for(isa);
        struct Entry {
            const char* name;
            void (*run)(const KernelTable&, const KernelTable&, Family&);
        };
        const Entry entries[] = {{"activation", test_activation}, {"softmax", test_softmax},
                                 {"winograd", test_winograd},     {"depthwise", test_depthwise},
                                 {"depthwise-cl", test_depthwise_channels_last},
                                 {"pool", test_pool},             {"im2col", test_im2col},
                                 {"gemm", test_gemm},             {"gemv", test_gemv}};
        for (const Entry& e : entries) {
            Family f;
            f.name = std::string(isa_name(isa)) + " " + e.name;
            e.run(table, scalar, f);
            std::printf("%-18s %5ld cases, %ld mismatches against scalar\n", f.name.c_str(), f.cases, f.failures);
            cases += f.cases;
            failures += f.failures;
        }
    }
    if (variants == 0) {
        std::printf("kernel_variants_test: no SIMD variant on this CPU; nothing to compare\n");
        return 1;
    }
    std::printf("kernel_variants_test: %ld cases over %d ISA(s), %ld mismatches: %s\n", cases, variants, failures,
                failures == 0 ? "PASSED" : "FAILED");
    return failures == 0 ? 0 : 1;
}
