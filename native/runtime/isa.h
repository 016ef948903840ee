/*
 * Instruction sets the kernels are built for, what this CPU supports, and which one is active.
 *
 * Every kernel family has one implementation per ISA (kernels/<family>/<family>_<isa>.cpp); the scalar one is the
 * reference the others are tested against. The active ISA is chosen once, at first use: the environment variable
 * CNN4J_ISA if it names a supported ISA, else the best this CPU supports. It can be changed later
 * (cnn4j_isa_select, Java's Cnn4j.setIsa) so that tests run every variant; a change takes effect for calls that
 * start after it.
 */
#ifndef CNN4J_RUNTIME_ISA_H
#define CNN4J_RUNTIME_ISA_H

namespace cnn4j {

enum class Isa : int {
    kScalar = 0,  // portable C++, built without ISA flags: the reference
    kAvx2 = 1,    // x86-64 AVX2 + FMA (Haswell, Zen 1 and later)
    kAvx512 = 2,  // x86-64 AVX-512 F/CD/BW/DQ/VL (Skylake-SP, Ice Lake, Zen 4 and later)
    kNeon = 3,    // arm64 Advanced SIMD (every arm64 CPU)
};

constexpr int kIsaCount = 4;

/* "scalar", "avx2", "avx512", "neon". */
const char* isa_name(Isa isa);

/* Whether this build has the kernels for `isa` and this CPU (and OS) can run them. */
bool isa_supported(Isa isa);

/* The ISA whose kernels run now. */
Isa active_isa();

}  // namespace cnn4j

#endif
