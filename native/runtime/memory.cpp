/*
 * Native memory for tensors, arenas and workspaces (the Java side's jni/NativeMemory): aligned to 64 bytes, a cache
 * line and an AVX-512 vector, and freed explicitly. cnn4j does not allocate through JavaCPP's Pointer, whose every
 * allocation reads the process's resident set from /proc to enforce its maxPhysicalBytes (about 3 us: more than a
 * small model's convolution).
 *
 * Blocks of 128 KB and more (weights, their packed and Winograd-transformed forms, arenas) are pages mapped for them
 * alone, unmapped when freed, so freeing one gives its memory back to the system at once. Through malloc they would
 * not: glibc maps such a block on its own only until the first one is freed (128 KB is its initial threshold), then
 * raises its threshold to that size, and from then on puts blocks up to it in its heaps, where memory freed between
 * live blocks stays resident. A model that frees blocks while it loads and first runs (batch norms folded into
 * convolutions, raw weights freed once transformed) then held about 16 MB more than it used at its peak (ResNet-18,
 * batch 8). The price: a block of this size allocated again and again (a large model output, one per run) gets fresh
 * pages each time, a page fault per 4 KB on first touch, where glibc would have reused warm heap memory. Smaller
 * blocks stay with malloc, which reuses them cheaply.
 *
 * Every block starts 64 bytes before the pointer handed out, with a header saying how it was made.
 */
#include <cstdint>
#include <cstdlib>

#if defined(__unix__) || defined(__APPLE__)
#include <sys/mman.h>
#define CNN4J_MAP_LARGE_BLOCKS 1
#endif

#include "cnn4j.h"

namespace {

/** What precedes each block, padded to the alignment so the block stays 64-byte aligned. */
struct alignas(64) Header {
    uint64_t kind;   // kMapped or kMalloced
    uint64_t bytes;  // the whole mapping, header included (kMapped)
};
static_assert(sizeof(Header) == 64, "the header keeps blocks 64-byte aligned");

constexpr uint64_t kMapped = 0x636e6e346a6d6170ULL;    // "cnn4jmap"
constexpr uint64_t kMalloced = 0x636e6e346a6d616cULL;  // "cnn4jmal"
/** Blocks from this size on (header included) are mappings of their own: glibc's initial mmap threshold. */
constexpr uint64_t kMapFrom = uint64_t(1) << 17;

}  // namespace

extern "C" {

void* cnn4j_alloc(int64_t bytes) {
    if (bytes <= 0) bytes = 1;
    const uint64_t rounded = ((uint64_t)bytes + 63) & ~(uint64_t)63;
    const uint64_t total = rounded + sizeof(Header);
    if (rounded < (uint64_t)bytes || total < rounded) return nullptr;  // wrapped: no such allocation exists
    Header* header = nullptr;
#ifdef CNN4J_MAP_LARGE_BLOCKS
    if (total >= kMapFrom) {
        void* pages = mmap(nullptr, total, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (pages == MAP_FAILED) return nullptr;
        header = static_cast<Header*>(pages);
        header->kind = kMapped;
        header->bytes = total;
        return header + 1;
    }
#endif
    void* p = nullptr;
    if (posix_memalign(&p, 64, total) != 0) return nullptr;
    header = static_cast<Header*>(p);
    header->kind = kMalloced;
    header->bytes = total;
    return header + 1;
}

void cnn4j_free(void* memory) {
    if (memory == nullptr) return;
    Header* header = static_cast<Header*>(memory) - 1;
#ifdef CNN4J_MAP_LARGE_BLOCKS
    if (header->kind == kMapped) {
        munmap(header, header->bytes);
        return;
    }
#endif
    std::free(header);
}

}  // extern "C"
