/*
 * Microbenchmark of the im2col convolution through the C ABI, 1 thread, per ISA: ResNet-18's strided layers
 * (conv1 3->64 7x7 s2 p3 @224 and the 3x3 s2 p1 downsampling convs), a stride-1 one and strides 3 and 4 (the
 * gather / vld3 / vld4 paths), batch 1 and 8, plus im2col alone and the raw sgemm on the whole columns.
 * Build and run: bash benchmarks/native/conv_run.sh [lib.a] (after mvn package built cppbuild/). Prints the best of
 * 40 runs (10 at batch 8) in ms (the machine is shared: best, not median).
 */
#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <random>
#include <string_view>
#include <vector>

#include <cblas.h>

#include "bench_window.h"
#include "cnn4j.h"

namespace {

template <typename Fn>
double best_ms(Fn fn, int runs) {
    for (int i = 0; i < 3; i++) fn();
    double best = 1e30;
    for (int i = 0; i < runs; i++) {
        const auto t0 = std::chrono::steady_clock::now();
        fn();
        best = std::min(best, std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
    }
    return best;
}

std::vector<float> random_floats(size_t n) {
    std::mt19937 gen(42);
    std::uniform_real_distribution<float> u(-1.0f, 1.0f);
    std::vector<float> v(n);
    for (float& x : v) x = u(gen);
    return v;
}

}  // namespace

int main(int argc, char** argv) {
    struct Layer {
        const char* name;
        int64_t c, o, size, k, s, p;
    } layers[] = {{"conv1 3->64 7x7 s2 @224", 3, 64, 224, 7, 2, 3},
                  {"64->128 3x3 s2 @56", 64, 128, 56, 3, 2, 1},
                  {"128->256 3x3 s2 @28", 128, 256, 28, 3, 2, 1},
                  {"256->512 3x3 s2 @14", 256, 512, 14, 3, 2, 1},
                  {"64->64 3x3 s1 @56", 64, 64, 56, 3, 1, 1},
                  {"3->96 4x4 s4 @224 (patchify)", 3, 96, 224, 4, 4, 0},
                  {"64->64 3x3 s3 @56", 64, 64, 56, 3, 3, 1}};
    const char* only = argc > 1 ? argv[1] : nullptr;
    cnn4j_set_num_threads(1);
    std::printf("%-30s %-7s %9s %9s %9s %9s  %s\n", "layer", "isa", "N=1 ms", "N=8 ms", "im2col ms", "sgemm ms", "hash");
    for (const char* isa : {"scalar", "avx2", "avx512", "neon"}) {
        if (!cnn4j_isa_supported(isa)) continue;
        if (only && std::string_view(only) != isa) continue;
        cnn4j_isa_select(isa);
        for (const Layer& l : layers) {
            const Window w = window2d(l.size, l.size, l.k, l.s, l.p);
            const int64_t P = w.v[4] * w.v[5], K = l.c * l.k * l.k;
            std::vector<float> in = random_floats(8 * l.c * l.size * l.size), weight = random_floats(l.o * K),
                               bias = random_floats(l.o), output(8 * l.o * P), product(l.o * P), columns(K * P);
            std::vector<float> ws(cnn4j_conv_workspace_size(w.v, l.c, 1));
            std::vector<float> packed(cnn4j_conv_packed_weight_size(l.o, l.c, 1, l.k * l.k));
            cnn4j_conv_pack_weights(l.o, l.c, 1, l.k * l.k, weight.data(), packed.data());
            double ms[2];
            for (int b = 0; b < 2; b++) {
                const int64_t n = b == 0 ? 1 : 8;
                ms[b] = best_ms([&] {
                    cnn4j_conv_forward(w.v, n, l.c, l.o, 1, in.data(), packed.data(), bias.data(), CNN4J_ACT_RELU, 0.0f,
                                       nullptr, output.data(), ws.data(), 1);
                }, b == 0 ? 40 : 10);
            }
            const double im = best_ms([&] { cnn4j_im2col(w.v, l.c, in.data(), columns.data()); }, 40);
            // The product alone, on the whole image's columns: what im2col + sgemm in blocks is compared with.
            const double gemm = best_ms([&] {
                cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)l.o, (int)P, (int)K, 1.0f, weight.data(),
                            (int)K, columns.data(), (int)P, 0.0f, product.data(), (int)P);
            }, 40);
            uint64_t hash = 1469598103934665603ull;  // FNV-1a over the bits of the batch-8 output and the columns
            for (const std::vector<float>* v : {&output, &columns}) {
                for (float x : *v) {
                    uint32_t bits;
                    std::memcpy(&bits, &x, 4);
                    hash = (hash ^ bits) * 1099511628211ull;
                }
            }
            std::printf("%-30s %-7s %9.3f %9.3f %9.3f %9.3f  %016llx\n", l.name, isa, ms[0], ms[1], im, gemm, (unsigned long long)hash);
        }
    }
    return 0;
}
