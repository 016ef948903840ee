/*
 * cnn4j's thread pool: the only threads cnn4j's work runs on (OpenBLAS is kept at one thread and its GEMMs are
 * split by the ops, so the two never oversubscribe the cores).
 *
 * parallel_for(n, grain, fn) calls fn(begin, end) on disjoint chunks covering [0, n), on up to pool_threads()
 * threads, the caller being one of them, and returns when all chunks are done. Chunks are handed out one at a time
 * from a shared counter, so a thread that loses its core to another process delays only the chunk it holds.
 *
 * Busy servers: one parallel region runs at a time; a caller that finds the pool busy (another Java thread's run
 * is using it) runs its loop on its own thread instead of waiting or adding threads. Idle workers spin for a few
 * microseconds, then sleep on a condition variable, so an idle pool costs no CPU.
 */
#ifndef CNN4J_RUNTIME_THREADPOOL_H
#define CNN4J_RUNTIME_THREADPOOL_H

#include <cstdint>

namespace cnn4j {

/* Sets how many threads (the caller included) a parallel loop may use; >= 1. Workers start on first use. */
void set_pool_threads(int threads);
/* The threads a parallel loop started now by the calling thread may use: 1 while it runs alone. */
int pool_threads();

/* While set, parallel loops started by the calling thread run on it alone (a thread-local setting). */
void set_thread_alone(bool alone);

/* slot: 0 .. max_slots-1, different for threads running at the same time (the caller is 0). */
using RangeFn = void (*)(void* context, int slot, int64_t begin, int64_t end);

/* The untyped core of parallel_for: at most `max_slots` threads take part. */
void parallel_for_range(int64_t n, int64_t grain, int max_slots, RangeFn fn, void* context);

/* fn(begin, end) over chunks of [0, n) of at least `grain` items (the last may be smaller). */
template <typename Fn>
inline void parallel_for(int64_t n, int64_t grain, const Fn& fn) {
    parallel_for_range(
        n, grain, 1 << 30,
        [](void* context, int, int64_t begin, int64_t end) { (*static_cast<const Fn*>(context))(begin, end); },
        const_cast<Fn*>(&fn));
}

/* fn(slot, begin, end) with at most `slots` threads at once, each with its own slot number < slots: for loops
   whose threads each need scratch memory of their own (slot * scratch_size into a workspace of `slots` parts). */
template <typename Fn>
inline void parallel_for_slots(int64_t n, int64_t grain, int slots, const Fn& fn) {
    parallel_for_range(
        n, grain, slots,
        [](void* context, int slot, int64_t begin, int64_t end) {
            (*static_cast<const Fn*>(context))(slot, begin, end);
        },
        const_cast<Fn*>(&fn));
}

}  // namespace cnn4j

#endif
