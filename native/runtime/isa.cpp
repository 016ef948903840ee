/*
 * CPU feature detection (cpuid + xgetbv on x86-64, the architecture itself on arm64) and the active ISA.
 * Detection runs once; the active ISA is an atomic so that a change (tests forcing a variant) is safe while other
 * threads run kernels.
 */
#include "runtime/isa.h"

#include <atomic>
#include <initializer_list>
#include <cstdlib>
#include <cstring>

#include "cnn4j.h"

#if defined(__x86_64__) || defined(_M_X64)
#include <cpuid.h>
#define CNN4J_X86 1
#elif defined(__aarch64__)
#define CNN4J_ARM64 1
#endif

namespace cnn4j {
namespace {

#ifdef CNN4J_X86
/* XCR0: which register states the OS saves on a context switch. AVX needs XMM|YMM (bits 1, 2); AVX-512 also
   needs opmask, ZMM_Hi256 and Hi16_ZMM (bits 5, 6, 7). A CPU flag without OS support must not be used. */
unsigned long long xcr0() {
    unsigned int eax, edx;
    __asm__ volatile("xgetbv" : "=a"(eax), "=d"(edx) : "c"(0));
    return (static_cast<unsigned long long>(edx) << 32) | eax;
}

struct X86Features {
    bool avx2 = false;
    bool avx512 = false;
};

X86Features detect_x86() {
    X86Features f;
    unsigned int eax, ebx, ecx, edx;
    if (!__get_cpuid(1, &eax, &ebx, &ecx, &edx)) return f;
    const bool fma = ecx & (1u << 12), osxsave = ecx & (1u << 27), avx = ecx & (1u << 28);
    if (!osxsave || !avx) return f;
    const unsigned long long xcr = xcr0();
    if ((xcr & 0x6) != 0x6) return f;
    if (!__get_cpuid_count(7, 0, &eax, &ebx, &ecx, &edx)) return f;
    const bool avx2 = ebx & (1u << 5);
    const bool avx512f = ebx & (1u << 16), avx512dq = ebx & (1u << 17), avx512cd = ebx & (1u << 28),
               avx512bw = ebx & (1u << 30), avx512vl = ebx & (1u << 31);
    f.avx2 = avx2 && fma;
    f.avx512 = f.avx2 && avx512f && avx512dq && avx512cd && avx512bw && avx512vl && (xcr & 0xe6) == 0xe6;
    return f;
}
#endif

bool detect(Isa isa) {
    switch (isa) {
        case Isa::kScalar:
            return true;
#ifdef CNN4J_X86
        case Isa::kAvx2: {
            static const bool yes = detect_x86().avx2;
            return yes;
        }
        case Isa::kAvx512: {
            static const bool yes = detect_x86().avx512;
            return yes;
        }
#endif
#ifdef CNN4J_ARM64
        case Isa::kNeon:
            return true;
#endif
        default:
            return false;
    }
}

Isa best_supported() {
    for (Isa isa : {Isa::kAvx512, Isa::kAvx2, Isa::kNeon}) {
        if (detect(isa)) return isa;
    }
    return Isa::kScalar;
}

bool parse(const char* name, Isa* out) {
    for (int i = 0; i < kIsaCount; i++) {
        if (name && std::strcmp(name, isa_name(static_cast<Isa>(i))) == 0) {
            *out = static_cast<Isa>(i);
            return true;
        }
    }
    return false;
}

/* CNN4J_ISA if it names a supported ISA, else the best one. An unusable CNN4J_ISA is not fatal here: Java reads
   the variable too and reports it (cnn4j_isa_select's status), so the user gets a message, not a silent choice. */
Isa initial_isa() {
    Isa wanted;
    if (parse(std::getenv("CNN4J_ISA"), &wanted) && detect(wanted)) return wanted;
    return best_supported();
}

std::atomic<int>& active() {
    static std::atomic<int> isa{static_cast<int>(initial_isa())};
    return isa;
}

}  // namespace

const char* isa_name(Isa isa) {
    switch (isa) {
        case Isa::kScalar: return "scalar";
        case Isa::kAvx2: return "avx2";
        case Isa::kAvx512: return "avx512";
        case Isa::kNeon: return "neon";
    }
    return "unknown";
}

bool isa_supported(Isa isa) { return detect(isa); }

Isa active_isa() { return static_cast<Isa>(active().load(std::memory_order_relaxed)); }

}  // namespace cnn4j

using namespace cnn4j;

extern "C" {

const char* cnn4j_isa_active(void) { return isa_name(active_isa()); }

const char* cnn4j_isa_name(int index) {
    return index >= 0 && index < kIsaCount ? isa_name(static_cast<Isa>(index)) : nullptr;
}

int cnn4j_isa_supported(const char* name) {
    Isa isa;
    return parse(name, &isa) && detect(isa) ? 1 : 0;
}

int cnn4j_isa_select(const char* name) {
    Isa isa;
    if (!parse(name, &isa) || !detect(isa)) return CNN4J_ERROR_ARGUMENT;
    active().store(static_cast<int>(isa), std::memory_order_relaxed);
    return CNN4J_OK;
}

}  // extern "C"
