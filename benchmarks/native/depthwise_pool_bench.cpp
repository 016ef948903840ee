/*
 * Microbenchmark of the depthwise convolution and pooling kernels through the C ABI, per ISA and thread count:
 * MobileNetV2's first depthwise layer (32 channels, 3x3, pad 1, 112x112, stride 1 and 2), a deep one
 * (960 channels @ 7x7) and ResNet's 3x3 s2 p1 max pool (64 channels @ 112 -> 56), plus global average pooling.
 * Build and run: bash benchmarks/native/run.sh (after mvn package built cppbuild/). Prints median microseconds.
 */
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <random>
#include <vector>

#include "bench_window.h"
#include "cnn4j.h"

namespace {

template <typename Fn>
double median_us(Fn fn) {
    for (int i = 0; i < 20; i++) fn();
    std::vector<double> times;
    for (int i = 0; i < 200; i++) {
        const auto t0 = std::chrono::steady_clock::now();
        fn();
        times.push_back(std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - t0).count());
    }
    std::sort(times.begin(), times.end());
    return times[0];
}

std::vector<float> random_floats(size_t n) {
    std::mt19937 gen(42);
    std::uniform_real_distribution<float> u(-1.0f, 1.0f);
    std::vector<float> v(n);
    for (float& x : v) x = u(gen);
    return v;
}

}  // namespace

int main() {
    struct Depthwise {
        const char* name;
        int64_t channels, size, stride;
    } depthwise[] = {{"depthwise 32ch 3x3 s1 @112", 32, 112, 1},
                     {"depthwise 144ch 3x3 s2 @56", 144, 56, 2},
                     {"depthwise 960ch 3x3 s1 @7", 960, 7, 1}};
    std::printf("%-32s %-7s %8s %8s\n", "case", "isa", "1T us", "2T us");
    for (const char* isa : {"scalar", "avx2", "avx512", "neon"}) {
        if (!cnn4j_isa_supported(isa)) continue;
        cnn4j_isa_select(isa);
        for (const Depthwise& d : depthwise) {
            const Window w = window2d(d.size, d.size, 3, d.stride, 1);
            const int64_t out = w.v[4] * w.v[5];
            std::vector<float> in = random_floats(d.channels * d.size * d.size), weight = random_floats(d.channels * 9),
                               bias = random_floats(d.channels), output(d.channels * out);
            double us[2];
            for (int threads = 1; threads <= 2; threads++) {
                cnn4j_set_num_threads(threads);
                us[threads - 1] = median_us([&] {
                    cnn4j_conv_forward(w.v, 1, d.channels, d.channels, d.channels, in.data(), weight.data(), bias.data(),
                                       CNN4J_ACT_IDENTITY, 0.0f, nullptr, output.data(), nullptr, 1);
                });
            }
            std::printf("%-32s %-7s %8.1f %8.1f\n", d.name, isa, us[0], us[1]);
        }
        {
            const Window w = window2d(112, 112, 3, 2, 1);
            std::vector<float> in = random_floats(64 * 112 * 112), output(64 * 56 * 56);
            std::vector<int64_t> indices(64 * 56 * 56);
            for (int with_indices = 0; with_indices <= 1; with_indices++) {
                double us[2];
                for (int threads = 1; threads <= 2; threads++) {
                    cnn4j_set_num_threads(threads);
                    us[threads - 1] = median_us([&] {
                        cnn4j_max_pool_forward(w.v, 64, in.data(), output.data(), with_indices ? indices.data() : nullptr);
                    });
                }
                std::printf("%-32s %-7s %8.1f %8.1f\n", with_indices ? "max pool 64ch 3x3 s2 @112 +idx" : "max pool 64ch 3x3 s2 @112",
                            isa, us[0], us[1]);
            }
        }
        {
            const int64_t in_size[3] = {1, 7, 7}, out_size[3] = {1, 1, 1};
            std::vector<float> in = random_floats(1280 * 49), output(1280);
            double us[2];
            for (int threads = 1; threads <= 2; threads++) {
                cnn4j_set_num_threads(threads);
                us[threads - 1] = median_us([&] { cnn4j_adaptive_avg_pool_forward(in_size, out_size, 1280, in.data(), output.data()); });
            }
            std::printf("%-32s %-7s %8.1f %8.1f\n", "global avg pool 1280ch @7", isa, us[0], us[1]);
        }
    }
    return 0;
}
