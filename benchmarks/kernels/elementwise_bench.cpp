/*
 * Element-wise kernels, every ISA variant side by side: speed (sigmoid, tanh, GELU, GELU-tanh, SiLU, ELU, ReLU on
 * 1M floats; softmax over rows and over columns) and accuracy (max error in ulp against double-precision libm over
 * a sweep of float bit patterns). Single-threaded: it calls the kernel tables directly, not the ops.
 *   usage: benchmarks/kernels/run.sh [--accuracy]   (builds the natives with Maven first if needed)
 */
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <vector>

#include "cnn4j.h"
#include "runtime/kernels.h"

using namespace cnn4j;

namespace {

struct Act {
    const char* name;
    int kind;
    float alpha;
    double (*reference)(double);  // without GELU's cancellation: erfc, x sigmoid(2u)
    double cancels_below;  // x/2 (1 + erf(..)) cancels below this: error counted in ulp(1) * |x| there
};

const Act kActs[] = {
    {"sigmoid", CNN4J_ACT_SIGMOID, 0, [](double x) { return 1 / (1 + std::exp(-x)); }, -INFINITY},
    {"tanh", CNN4J_ACT_TANH, 0, [](double x) { return std::tanh(x); }, -INFINITY},
    {"gelu", CNN4J_ACT_GELU, 0, [](double x) { return 0.5 * x * std::erfc(-x / std::sqrt(2.0)); }, -3},
    {"gelu_tanh", CNN4J_ACT_GELU_TANH, 0,
     [](double x) { return x / (1 + std::exp(-2 * std::sqrt(2 / M_PI) * (x + 0.044715 * x * x * x))); }, -3},
    {"silu", CNN4J_ACT_SILU, 0, [](double x) { return x / (1 + std::exp(-x)); }, -INFINITY},
    {"elu", CNN4J_ACT_ELU, 1, [](double x) { return x <= 0 ? std::expm1(x) : x; }, -INFINITY},
    {"relu", CNN4J_ACT_RELU, 0, [](double x) { return x < 0 ? 0 : x; }, -INFINITY},
};

std::vector<Isa> supported_isas() {
    std::vector<Isa> isas;
    for (int i = 0; i < kIsaCount; i++)
        if (isa_supported((Isa)i)) isas.push_back((Isa)i);
    return isas;
}

/* Median time of `runs` calls of fn, in microseconds. */
template <typename Fn>
double median_us(int runs, const Fn& fn) {
    std::vector<double> t;
    for (int r = 0; r < runs; r++) {
        auto start = std::chrono::steady_clock::now();
        fn();
        t.push_back(std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - start).count());
    }
    std::sort(t.begin(), t.end());
    return t[t.size() / 2];
}

void speed() {
    const int64_t n = 1 << 20;
    std::vector<float> x(n), y(n);
    for (int64_t i = 0; i < n; i++) x[i] = (float)((i * 2654435761u % 20000) / 1000.0 - 10.0);  // [-10, 10)
    std::printf("%-22s", "us, 1M floats");
    for (Isa isa : supported_isas()) std::printf("%12s", isa_name(isa));
    std::printf("   speedup of the widest\n");
    auto row = [&](const char* name, auto call) {
        std::printf("%-22s", name);
        double scalar = 0, last = 0;
        for (Isa isa : supported_isas()) {
            last = median_us(21, [&] { call(kernels_for(isa)); });
            if (isa == Isa::kScalar) scalar = last;
            std::printf("%12.0f", last);
        }
        std::printf("   %.1fx\n", scalar / last);
    };
    for (const Act& a : kActs)
        row(a.name, [&](const KernelTable& k) { k.activation->apply(a.kind, a.alpha, n, x.data(), y.data()); });
    row("softmax [1024,1024]", [&](const KernelTable& k) { k.softmax->forward(0, 1024, 1024, 1, 1, x.data(), y.data()); });
    row("log_softmax [1024,1024]",
        [&](const KernelTable& k) { k.softmax->forward(1, 1024, 1024, 1, 1, x.data(), y.data()); });
    row("softmax dim1 [16,256,256]",
        [&](const KernelTable& k) { k.softmax->forward(0, 16, 256, 256, 256, x.data(), y.data()); });
}

/* Error of `got` in units in the last place of the correctly rounded result (subnormal results: ulps of 2^-149). */
double ulp_error(double exact, float got) {
    if (std::isnan(exact)) return std::isnan(got) ? 0 : INFINITY;
    const float rounded = (float)exact;
    if (std::isinf(rounded) || std::isinf(got)) return rounded == got ? 0 : INFINITY;
    const double ulp = std::max((double)std::nextafter(std::fabs(rounded), INFINITY) - std::fabs(rounded),
                                std::ldexp(1.0, -149));
    return std::fabs(got - exact) / ulp;
}

void accuracy() {
    // every 61st float bit pattern of both signs: ~70M inputs covering every exponent
    std::vector<float> x;
    for (uint64_t bits = 0; bits < 0x7f800000u; bits += 61) {
        float v;
        const uint32_t b = (uint32_t)bits;
        std::memcpy(&v, &b, 4);
        x.push_back(v);
        x.push_back(-v);
    }
    std::vector<float> y(x.size());
    std::printf("max error in ulp vs double libm over %zu inputs (worst input); results below 2^-126: max absolute "
                "error; GELU below x = -3, where x/2 (1 + erf) cancels: error in ulp(1) * max(1, |x|)\n", x.size());
    for (const Act& a : kActs) {
        std::printf("%-12s", a.name);
        for (Isa isa : supported_isas()) {
            kernels_for(isa).activation->apply(a.kind, a.alpha, (int64_t)x.size(), x.data(), y.data());
            double worst = 0, worst_cancelling = 0, worst_subnormal = 0;
            float at = 0;
            for (size_t i = 0; i < x.size(); i++) {
                const double exact = a.reference(x[i]);
                if (x[i] < a.cancels_below) {
                    const double scaled = std::fabs(y[i] - exact) / std::max(1.0f, std::fabs(x[i])) / 0x1p-23;
                    worst_cancelling = std::max(worst_cancelling, scaled);
                } else if (std::fabs(exact) < 0x1p-126) {
                    worst_subnormal = std::max(worst_subnormal, std::fabs(y[i] - exact));
                } else {
                    const double e = ulp_error(exact, y[i]);
                    if (e > worst) worst = e, at = x[i];
                }
            }
            std::printf("  %s %.2f (x=%g)", isa_name(isa), worst, at);
            if (worst_subnormal > 0) std::printf(" subnormal abs %.1g", worst_subnormal);
            if (worst_cancelling > 0) std::printf(" x<%g: %.1f ulp(1)*|x|", a.cancels_below, worst_cancelling);
        }
        std::printf("\n");
    }
}

}  // namespace

int main(int argc, char** argv) {
    if (argc > 1 && std::strcmp(argv[1], "--accuracy") == 0) accuracy();
    else speed();
    return 0;
}
