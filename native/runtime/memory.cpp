/*
 * Native memory for tensors, arenas and workspaces (the Java side's jni/NativeMemory): aligned to 64 bytes, a cache
 * line and an AVX-512 vector, and freed explicitly. cnn4j does not allocate through JavaCPP's Pointer, whose every
 * allocation reads the process's resident set from /proc to enforce its maxPhysicalBytes (about 3 us: more than a
 * small model's convolution).
 */
#include <cstdint>
#include <cstdlib>

#include "cnn4j.h"

extern "C" {

void* cnn4j_alloc(int64_t bytes) {
    if (bytes <= 0) bytes = 1;
    const uint64_t rounded = ((uint64_t)bytes + 63) & ~(uint64_t)63;
    if (rounded < (uint64_t)bytes) return nullptr;  // wrapped: no such allocation exists
    void* p = nullptr;
    return posix_memalign(&p, 64, rounded) == 0 ? p : nullptr;
}

void cnn4j_free(void* memory) { std::free(memory); }

}  // extern "C"
